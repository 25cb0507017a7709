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
    const threads = own.filter((lane) => lane !== main && (options.showLibrary || !lane.internal));
    rows.push({ kind: 'process', key: `p:${process.pid}`, label: processLabel(process), process, lane: main, children: threads.length, height: LANE_HEIGHT });
    for (const lane of threads) rows.push({ kind: 'thread', key: `t:${lane.key}`, label: lane.name, process, lane, height: LANE_HEIGHT });
  }
  for (const queue of data.queues) rows.push({ kind: 'queue', key: `q:${queue.id}`, label: queue.name, queue, height: QUEUE_HEIGHT });
  for (const lock of data.locks) rows.push({ kind: 'lock', key: `l:${lock.id}`, label: lock.name, lock, height: LANE_HEIGHT });
  return rows;
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
