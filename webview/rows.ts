// The chart's rows, top to bottom: each process (its main thread's lane) with
// its other threads nested under it, then the queues, then the locks. Which
// rows show depends on the person: collapsed processes, hidden rows, the
// search filter, and whether helpers and library threads are unfolded.

import type { ViewData, ViewLane, ViewLock, ViewProcess, ViewQueue } from '../src/core/view/view-data';

export type Row =
  | { kind: 'process'; key: string; label: string; process: ViewProcess; lane: ViewLane | null; children: number; height: number }
  | { kind: 'thread'; key: string; label: string; process: ViewProcess; lane: ViewLane; height: number }
  | { kind: 'queue'; key: string; label: string; queue: ViewQueue; height: number }
  | { kind: 'lock'; key: string; label: string; lock: ViewLock; height: number };

export interface RowOptions {
  collapsed: ReadonlySet<string>;
  hidden: ReadonlySet<string>;
  filter: string;
  showHelpers: boolean;
  showLibrary: boolean;
}

export const LANE_HEIGHT = 22;
export const QUEUE_HEIGHT = 34;

export function processLabel(process: ViewProcess): string {
  return `${process.name} (pid ${process.pid})`;
}

/** Every row there could be, before hiding and filtering. */
export function allRows(data: ViewData, options: Pick<RowOptions, 'showHelpers' | 'showLibrary'>): Row[] {
  const lanes = new Map(data.lanes.map((lane) => [lane.key, lane]));
  const rows: Row[] = [];
  for (const process of data.processes) {
    if (process.helper && !options.showHelpers) continue;
    const own = process.lanes.map((key) => lanes.get(key)).filter((lane): lane is ViewLane => lane !== undefined);
    const main = own.find((lane) => lane.main) ?? null;
    const threads = own.filter((lane) => lane !== main && (options.showLibrary || !isLibraryOnly(lane)));
    rows.push({ kind: 'process', key: `p:${process.pid}`, label: processLabel(process), process, lane: main, children: threads.length, height: LANE_HEIGHT });
    for (const lane of threads) rows.push({ kind: 'thread', key: `t:${lane.key}`, label: lane.name, process, lane, height: LANE_HEIGHT });
  }
  const queueLabels = distinctLabels(data.queues.map((queue) => queue.name));
  data.queues.forEach((queue, i) => rows.push({ kind: 'queue', key: `q:${queue.id}`, label: queueLabels[i] ?? queue.name, queue, height: QUEUE_HEIGHT }));
  const lockLabels = distinctLabels(data.locks.map((lock) => lock.name));
  data.locks.forEach((lock, i) => rows.push({ kind: 'lock', key: `l:${lock.id}`, label: lockLabels[i] ?? lock.name, lock, height: LANE_HEIGHT }));
  return rows;
}

/**
 * A thread the library started (a Queue's feeder, a Pool's handler) that
 * never ran the user's code: folded away. An executor's or a ThreadPool's
 * worker runs tasks and waits on the user's lines, so it shows.
 */
export function isLibraryOnly(lane: ViewLane): boolean {
  return lane.internal && lane.tasks.start.length === 0 && lane.spans.loc.every((loc) => loc < 0);
}

/** Primitives made on one line (in a loop) share a name: number them, `Queue@a.py:3 #2`. */
function distinctLabels(names: readonly string[]): string[] {
  const total = new Map<string, number>();
  for (const name of names) total.set(name, (total.get(name) ?? 0) + 1);
  const seen = new Map<string, number>();
  return names.map((name) => {
    if ((total.get(name) ?? 0) < 2) return name;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return `${name} #${n}`;
  });
}

/** The rows on screen: collapsed threads, hidden rows and rows the filter rules out are left out. */
export function visibleRows(rows: readonly Row[], options: RowOptions): Row[] {
  const filter = options.filter.trim().toLowerCase();
  const matches = (row: Row): boolean => filter === '' || row.label.toLowerCase().includes(filter);
  // A process stays when one of its threads matches; a thread stays when its process matches.
  const processMatches = new Set<number>();
  for (const row of rows) if ((row.kind === 'process' || row.kind === 'thread') && matches(row)) processMatches.add(row.process.pid);
  return rows.filter((row) => {
    if (options.hidden.has(row.key)) return false;
    switch (row.kind) {
      case 'process':
        return processMatches.has(row.process.pid);
      case 'thread':
        return !options.collapsed.has(`p:${row.process.pid}`) && processMatches.has(row.process.pid) && (matches(row) || filter === '' || matchesProcess(rows, row, filter));
      case 'queue':
      case 'lock':
        return matches(row);
    }
  });
}

function matchesProcess(rows: readonly Row[], row: Row & { kind: 'thread' }, filter: string): boolean {
  return rows.some((other) => other.kind === 'process' && other.process === row.process && other.label.toLowerCase().includes(filter));
}

/** Row tops (pixels) and the total height. */
export function layout(rows: readonly Row[]): { tops: number[]; height: number } {
  const tops: number[] = [];
  let y = 0;
  for (const row of rows) {
    tops.push(y);
    y += row.height;
  }
  return { tops, height: y };
}

/** The lane a row draws, if it draws one. */
export function laneOf(row: Row): ViewLane | null {
  return row.kind === 'process' ? row.lane : row.kind === 'thread' ? row.lane : null;
}
