// Building DOM from data: every string goes in as text (textContent), never as
// markup, because names, reprs and paths come from the traced program.

type Attributes = Record<string, string | number | boolean | null | undefined>;

/** `<tag class=... data-*=...>text</tag>`; attribute values and text are set as data. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Node | string | null)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}

export function clear(node: Element): void {
  node.replaceChildren();
}
