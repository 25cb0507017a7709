// The view data as it travels (a report's page, a server's stream): the same
// shape with its number columns written small, because a browser's time to
// parse a big report grows with its characters. Most columns change little
// from one row to the next (times go up by microseconds; a string reference
// repeats, or counts up as new reprs are met), so each is sent as the steps
// between successive values; an end is sent as its interval's length (-1,
// "still open", stays -1; a negative length, an end stamped a little before its
// start by another process's clock, is sent one lower so it never reads as
// -1). Exact both ways: every value is an integer.

import type { ViewData } from './view-data';

type Column = number[];

interface Table {
  /** Sent as steps between successive values. */
  stepped: Column[];
  /** [start, end] pairs: the end is sent as a length (before the start is stepped). */
  intervals: [Column, Column][];
}

function tables(data: ViewData): Table[] {
  const out: Table[] = [];
  for (const { spans, tasks } of data.lanes) {
    out.push({ stepped: [spans.start, spans.state, spans.what, spans.target, spans.loc, spans.outcome], intervals: [[spans.start, spans.end]] });
    out.push({ stepped: [tasks.start, tasks.label, tasks.ok, tasks.result], intervals: [[tasks.start, tasks.end]] });
  }
  for (const { items, depthT, depth } of data.queues) {
    out.push({ stepped: [items.put, items.repr, items.putLane, items.getLane, items.putLoc, items.getLoc], intervals: [[items.put, items.get]] });
    out.push({ stepped: [depthT, depth], intervals: [] });
  }
  for (const { holds } of data.locks) out.push({ stepped: [holds.start, holds.lane, holds.loc], intervals: [[holds.start, holds.end]] });
  return out;
}

/** A copy of `data` with its columns encoded. */
export function encodeViewData(data: ViewData): ViewData {
  const copy = structuredClone(data);
  for (const table of tables(copy)) {
    for (const [start, end] of table.intervals) {
      for (let i = 0; i < end.length; i++) {
        const e = end[i] ?? -1;
        const length = e - (start[i] ?? 0);
        end[i] = e === -1 ? -1 : length >= 0 ? length : length - 1;
      }
    }
    for (const column of table.stepped) for (let i = column.length - 1; i > 0; i--) column[i] = (column[i] ?? 0) - (column[i - 1] ?? 0);
  }
  copy.encoding = 'delta';
  return copy;
}

/** Decodes `data` in place (if it is encoded) and returns it. */
export function decodeViewData(data: ViewData): ViewData {
  if (data.encoding !== 'delta') return data;
  for (const table of tables(data)) {
    for (const column of table.stepped) undoSteps(column);
    for (const [start, end] of table.intervals) undoLengths(start, end);
  }
  delete data.encoding;
  return data;
}

// Decoding runs over millions of values on a big report's way in: one pass a column.

function undoSteps(column: Column): void {
  const n = column.length;
  if (n === 0) return;
  let value = column[0] ?? 0;
  for (let i = 1; i < n; i++) {
    value += column[i] ?? 0;
    column[i] = value;
  }
}

function undoLengths(start: Column, end: Column): void {
  const n = end.length;
  for (let i = 0; i < n; i++) {
    const length = end[i] ?? -1;
    if (length !== -1) end[i] = (start[i] ?? 0) + (length >= 0 ? length : length + 1);
  }
}
