// The side panel: what everything is doing at the cursor's instant (threads,
// queues with their contents, locks with owners and waiters), and the
// diagnosis's findings. DOM only, every program string as text.

import type { Finding } from '../src/core/diagnosis/findings';
import { STATE_LABELS, type ViewData } from '../src/core/view/view-data';
import { clear, el } from './dom';
import { formatDuration, formatTime, parseLocation } from './format';
import { contentsAt, depthAt, holdsAt, laneAt, lockWaitersAt } from './query';
import { laneOf, type Row } from './rows';

/** Items listed per queue; the count is always exact. */
export const ITEMS_LISTED = 50;

export interface PanelContext {
  data: ViewData;
  rows: readonly Row[];
  /** Lane key → how the panel names it. */
  laneName: (key: string) => string;
  /** A location button, or plain text where nothing can open it. */
  location: (loc: string) => HTMLElement;
}

export function locationButton(loc: string, canOpen: boolean): HTMLElement {
  const parsed = parseLocation(loc);
  if (!canOpen || !parsed) return el('code', { class: 'pv-loc', text: loc });
  return el('button', { class: 'pv-loc pv-link', type: 'button', 'data-file': parsed.file, 'data-line': parsed.line, title: 'Open in the editor', text: loc });
}

export function renderAtCursor(container: HTMLElement, context: PanelContext, t: number): void {
  const { data, rows } = context;
  const span = data.end - data.start;
  clear(container);
  container.append(el('h2', { text: `At ${formatTime(t, span)}` }));

  const threads = el('ul', { class: 'pv-at-lanes' });
  for (const row of rows) {
    const lane = laneOf(row);
    if (!lane) continue;
    const now = laneAt(lane, t, data.end);
    const item = el('li', { class: `pv-at-lane pv-state-${now.state}`, 'data-lane-key': lane.key });
    item.append(el('span', { class: 'pv-swatch', 'data-state': now.state === 'not-started' || now.state === 'ended' ? 'none' : now.state }));
    item.append(el('strong', { text: row.label }), ' ');
    switch (now.state) {
      case 'not-started':
        item.append(el('span', { class: 'pv-muted', text: 'not started' }));
        break;
      case 'ended':
        item.append(el('span', { class: 'pv-muted', text: `ended at ${formatTime(now.at, span)}` }));
        break;
      case 'running': {
        const task = now.task === null ? null : (data.strings[lane.tasks.label[now.task] ?? -1] ?? null);
        item.append(el('span', { text: `running${task ? ` task ${task}` : ''} for ${formatDuration(t - now.since)}` }));
        break;
      }
      default: {
        const what = data.strings[lane.spans.what[now.span] ?? -1] ?? STATE_LABELS[now.state];
        const loc = data.strings[lane.spans.loc[now.span] ?? -1];
        item.append(el('span', { text: `${what}, for ${formatDuration(t - now.since)}` }));
        if (loc) item.append(' at ', context.location(loc));
      }
    }
    threads.append(item);
  }
  container.append(el('h3', { text: 'Threads' }), threads);

  if (data.queues.length > 0) {
    const queues = el('ul', { class: 'pv-at-queues' });
    for (const queue of data.queues) {
      const depth = depthAt(queue, t);
      const entry = el('li', { class: 'pv-at-queue', 'data-queue-id': queue.id });
      entry.append(el('strong', { text: queue.name }), ' ', el('span', { class: 'pv-depth', text: `${depth} item${depth === 1 ? '' : 's'}` }));
      const listed = contentsAt(queue, t, ITEMS_LISTED);
      if (listed.length > 0) {
        const items = el('ol', { class: 'pv-items' });
        for (const index of listed) items.append(el('li', { class: 'pv-item', text: data.strings[queue.items.repr[index] ?? -1] ?? '?' }));
        entry.append(items);
        if (depth > listed.length) entry.append(el('div', { class: 'pv-muted', text: `and ${depth - listed.length} more` }));
      }
      queues.append(entry);
    }
    container.append(el('h3', { text: 'Queues' }), queues);
  }

  if (data.locks.length > 0) {
    const locks = el('ul', { class: 'pv-at-locks' });
    for (const lock of data.locks) {
      const entry = el('li', { class: 'pv-at-lock', 'data-lock-id': lock.id });
      entry.append(el('strong', { text: lock.name }), ' ');
      const holds = holdsAt(lock, t, data.end);
      if (holds.length === 0) entry.append(el('span', { class: 'pv-owner pv-muted', text: 'free' }));
      for (const hold of holds) {
        const holder = context.laneName(data.strings[lock.holds.lane[hold] ?? -1] ?? '');
        const since = lock.holds.start[hold] ?? 0;
        const owner = el('span', { class: 'pv-owner', text: `held by ${holder} since ${formatTime(since, span)}` });
        entry.append(owner);
        const loc = data.strings[lock.holds.loc[hold] ?? -1];
        if (loc) entry.append(' (taken at ', context.location(loc), ')');
      }
      const waiters = lockWaitersAt(data, lock.id, t);
      if (waiters.length > 0) entry.append(el('div', { class: 'pv-waiters', text: `waiting: ${waiters.map(context.laneName).join(', ')}` }));
      locks.append(entry);
    }
    container.append(el('h3', { text: 'Locks' }), locks);
  }
}

export function renderFindings(
  container: HTMLElement,
  context: PanelContext,
  selected: number | null,
  select: (index: number | null) => void,
): void {
  const { data } = context;
  clear(container);
  const verdict =
    data.verdict === 'hang' ? 'The run hung' : data.verdict === 'error' ? 'The run failed' : data.live ? 'Running: no hang so far' : 'No problem found';
  container.append(el('h2', { class: `pv-verdict pv-verdict-${data.verdict}`, text: verdict }));
  if (data.findings.length === 0) {
    container.append(el('p', { class: 'pv-muted', text: data.live ? 'The diagnosis runs when the program ends or hangs.' : 'The diagnosis found nothing to report.' }));
    return;
  }
  const list = el('ol', { class: 'pv-findings-list' });
  data.findings.forEach((finding, index) => {
    const item = el('li', { class: `pv-finding pv-${finding.severity}`, 'data-kind': finding.kind, 'aria-selected': index === selected ? 'true' : 'false' });
    const head = el('button', { type: 'button', class: 'pv-finding-head' },
      el('span', { class: 'pv-kind', text: finding.kind }), ' ', el('span', { class: 'pv-summary', text: finding.summary }));
    head.addEventListener('click', () => {
      select(index === selected ? null : index);
    });
    item.append(head);
    if (index === selected) item.append(findingDetails(finding, context));
    list.append(item);
  });
  container.append(list);
}

function findingDetails(finding: Finding, context: PanelContext): HTMLElement {
  const details = el('div', { class: 'pv-finding-details' });
  if (finding.chain.length > 0) {
    const chain = el('ul', { class: 'pv-chain' });
    for (const step of finding.chain) chain.append(el('li', { text: step }));
    details.append(chain);
  }
  if (finding.locations.length > 0) {
    const where = el('div', { class: 'pv-locations' });
    for (const loc of finding.locations) where.append(context.location(loc), ' ');
    details.append(where);
  }
  details.append(el('p', { class: 'pv-hint', text: `hint: ${finding.hint}` }));
  return details;
}

/** The row keys a finding involves: its processes (or their threads) and its primitives. */
export function findingRows(finding: Finding, data: ViewData): Set<string> {
  const keys = new Set<string>();
  for (const who of finding.processes) {
    keys.add(`p:${who.pid}`);
    if (who.thread !== null && who.thread !== 'MainThread') {
      for (const lane of data.lanes) if (lane.pid === who.pid && !lane.main && lane.name === who.thread) keys.add(`t:${lane.key}`);
    }
  }
  const names = new Set(finding.primitives);
  for (const queue of data.queues) if (names.has(queue.name)) keys.add(`q:${queue.id}`);
  for (const lock of data.locks) if (names.has(lock.name)) keys.add(`l:${lock.id}`);
  return keys;
}
