// The viewer as one self-contained HTML page: the bundled viewer script, its
// stylesheet and (for a report) the run's view data, all inline, under a
// Content-Security-Policy that lets in only what carries this page's nonce.
// No remote resource, no eval. The data is JSON (its columns and strings
// packed into one base64 text, wire.ts) inside a non-executed script block;
// `<` is escaped in it, so no string of the program's can close the block or
// open a tag.

import type { HostMessage } from './view-data';
import { forTheWire } from './wire-encode';

export interface PageParts {
  /** The bundled viewer (dist/webview.js). */
  script: string;
  /** media/viewer.css. */
  css: string;
  /** A fresh random token: the only key to this page's scripts and styles. */
  nonce: string;
  title: string;
  /** The page's source of data: in the page (a report) or streamed from the server that serves it. */
  config: { source: 'embedded' } | { source: 'stream'; stream: string } | { source: 'vscode' };
  /** For a report: the data itself. */
  message?: HostMessage;
  /** Extra CSP sources for fetch and EventSource (the serving page talks back to its server). */
  connect?: boolean;
}

export function contentSecurityPolicy(nonce: string, connect: boolean): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    'img-src data:',
    `connect-src ${connect ? "'self'" : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function viewerPage(parts: PageParts): string {
  const { nonce } = parts;
  const message = parts.message ? forTheWire(parts.message) : null;
  // The details block goes after the viewer's script: the browser reads it while the viewer draws its first frame.
  const details = message?.type === 'data' ? message.data.details : null;
  if (message?.type === 'data') message.data.details = '';
  const block = (id: string, value: unknown): string => `<script type="application/json" id="${id}" nonce="${nonce}">${scriptSafeJson(value)}</script>\n`;
  return `<!DOCTYPE html>
<html lang="en" data-state="loading">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(nonce, parts.connect ?? false)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(parts.title)} · Process View</title>
<style nonce="${nonce}">
${parts.css}
</style>
</head>
<body>
<div id="procview" data-state="loading"></div>
${block('pv-config', parts.config)}${message ? block('pv-data', message) : ''}<script nonce="${nonce}">
${parts.script.replace(/<\/script/gi, '<\\/script')}
</script>
${details === null ? '' : block('pv-details', details)}</body>
</html>
`;
}

/** JSON that can sit inside a script element: `<`, `>`, `&` and the JS line separators as escapes. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
