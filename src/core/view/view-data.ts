// What the viewer draws: the run model projected into flat columns of numbers
// plus one table of strings. The host (CLI, extension) builds it from the
// RunModel (project.ts); the webview only reads it. It crosses a process or
// page boundary (a webview message, an HTML report, a server's stream) with
// its columns packed (wire.ts), so its size is what the shape is made for:
// columns of numbers pack small, and a string that repeats (a queue's name in
// every wait on it, a line of code) is sent once.
//
// This module is imported by the host and by the webview alike: no Node, no DOM.

import type { Finding, Verdict } from '../diagnosis/findings';

export const VIEW_DATA_VERSION = 1;

/**
 * What a thread is doing, as the chart colours it. `running` is the lane's
 * ground (its lifetime); every other state is a span drawn over it.
 */
export const LANE_STATES = ['running', 'get', 'put', 'lock', 'join', 'sync', 'pipe', 'result', 'exit'] as const;
export type LaneState = (typeof LANE_STATES)[number];

/** A legend line for each state, in the words a person uses. */
export const STATE_LABELS: Readonly<Record<LaneState, string>> = {
  running: 'running',
  get: 'blocked on get',
  put: 'blocked on put',
  lock: 'waiting for a lock',
  join: 'joining',
  sync: 'waiting on event, condition or barrier',
  pipe: 'receiving on a pipe',
  result: 'waiting for a task result',
  exit: 'exiting (flushing queues)',
};

/** An index into `ViewData.strings`; -1 for none. */
export type StringRef = number;

/**
 * A column of numbers: times, codes, and for a field that is text (a repr, a
 * location, a lane key), StringRefs. The host builds arrays; the viewer
 * unpacks typed arrays (wire.ts), quicker to make and to read by the million.
 */
export type Column = readonly number[] | Float64Array;

/**
 * Blocked spans of one lane, in start order, as columns (index i of each
 * array is span i). `end` is -1 while the span is still open.
 */
export interface SpanColumns {
  start: Column;
  end: Column;
  /** Index into LANE_STATES. */
  state: Column;
  /** "waits to get from Queue@a.py:3". */
  what: Column;
  /** The primitive's id (a queue's, a lock's...), or the joined pid / thread key. */
  target: Column;
  /** `file:line` of the wait. */
  loc: Column;
  /** How it ended: ok, timeout, empty... */
  outcome: Column;
}

/** The tasks a lane ran (Pool, executor), in start order. */
export interface TaskColumns {
  start: Column;
  end: Column;
  /** `func(args)`. */
  label: Column;
  /** 1 returned, 0 raised, -1 unknown or unfinished. */
  ok: Column;
  result: Column;
}

export interface ViewLane {
  key: string;
  pid: number;
  tid: number;
  name: string;
  main: boolean;
  /** A library thread (a Queue's feeder, a Pool's handlers): folded under its process by default. */
  internal: boolean;
  start: number;
  end: number | null;
  error: string | null;
  spans: SpanColumns;
  tasks: TaskColumns;
}

export interface ViewProcess {
  pid: number;
  name: string;
  role: string | null;
  ppid: number | null;
  /** Resource tracker, fork server: folded away by default. */
  helper: boolean;
  start: number;
  end: number | null;
  exitcode: number | null;
  signal: string | null;
  /** "ValueError: bad row (worker.py:12)" for a process that ended by an exception. */
  error: string | null;
  spawnLoc: string | null;
  /** Keys of its lanes, main thread first. */
  lanes: string[];
}

/** Puts and gets of one queue, in put order: the flows the chart draws as arrows. */
export interface ItemColumns {
  put: Column;
  /** -1: never taken (yet). */
  get: Column;
  repr: Column;
  putLane: Column;
  getLane: Column;
  putLoc: Column;
  getLoc: Column;
}

export interface ViewQueue {
  id: string;
  name: string;
  type: string | null;
  maxsize: number;
  puts: number;
  gets: number;
  maxDepth: number;
  /** Depth as a step function: depth `depth[i]` from `t[i]` on. */
  depthT: Column;
  depth: Column;
  items: ItemColumns;
}

export interface HoldColumns {
  start: Column;
  /** -1: still held. */
  end: Column;
  lane: Column;
  loc: Column;
}

export interface ViewLock {
  id: string;
  name: string;
  type: string | null;
  /** 1 for a lock, n for a semaphore. */
  value: number;
  holds: HoldColumns;
}

export interface ViewData {
  version: typeof VIEW_DATA_VERSION;
  /** The script and its arguments. */
  title: string;
  /** The run's clock: nanoseconds since its start. */
  start: number;
  end: number;
  /** Still running: more will come. */
  live: boolean;
  events: number;
  dropped: number;
  strings: string[];
  processes: ViewProcess[];
  lanes: ViewLane[];
  queues: ViewQueue[];
  locks: ViewLock[];
  verdict: Verdict;
  /** When the run was seen to hang, if it did. */
  hangAt: number | null;
  findings: Finding[];
}

/** What the host tells the viewer. */
export type HostMessage =
  | { type: 'data'; data: ViewData }
  | { type: 'error'; message: string }
  /** Select finding `index` (highlight its culprits), as "Show" on a hang notification asks. */
  | { type: 'select'; finding: number }
  /** What a VS Code webview keeps across reloads, so its panel can be restored. */
  | { type: 'persist'; state: PanelState };

/** Enough to draw a panel again after a reload: the run's trace file. */
export interface PanelState {
  tracePath: string;
}

/** What the viewer asks of the host. */
export type ViewerMessage =
  | { type: 'ready' }
  | { type: 'open'; file: string; line: number }
  /** End the run: its whole process tree. */
  | { type: 'stop' };
