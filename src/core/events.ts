// The event vocabulary of docs/trace-format.md (format version 1), as types.
// One module for every reader and writer: runtime batches, the live listener,
// the .pvtrace file, the summary, and later the model and the viewer.

export const TRACE_FORMAT = 'pvtrace';
export const TRACE_FORMAT_VERSION = 1;

/** Key names every event has; an event's own fields never use them. */
export const RESERVED_EVENT_KEYS = ['t', 'pid', 'tid', 'kind'] as const;

/** The thread id the listener uses for the events it writes itself. */
export const LISTENER_TID = 0;

export interface PythonInfo {
  executable: string;
  version: string;
  implementation: string;
}

/** The first line of a .pvtrace file. */
export interface TraceHeader {
  format: typeof TRACE_FORMAT;
  version: number;
  python: PythonInfo;
  argv: string[];
  cwd: string;
  /** Time zero: `wallNs` is a decimal string because it does not fit a double. */
  clockBase: { wallNs: string; iso: string };
  procview: string;
}

/** `python`: an interpreter the runtime cannot place (started by `subprocess`, say). */
export type ProcessRole = 'main' | 'process' | 'fork' | 'resource_tracker' | 'forkserver' | 'python';
export type ExitHow = 'return' | 'exception' | 'sys.exit' | 'os._exit' | 'exec' | 'observed';

/** `file:line` of the user's call. */
type Loc = string;

/** The fields of each kind, as the runtime and the listener write them. */
export interface EventFieldsByKind {
  // Processes and threads
  'process.begin': {
    name: string;
    ppid: number;
    role: ProcessRole;
    method: string | null;
    argv: string[] | null;
    python: PythonInfo | null;
  };
  'process.exit': { code: number | null; signal: string | null; how: ExitHow; dropped?: number };
  'process.exec': { path: string | null };
  'process.error': { type: string; message: string; file?: string | null; line?: number | null; traceback?: string };
  'process.disconnect': Record<string, never>;
  'process.spawn': { child: number; name: string; method: string | null; loc: Loc | null };
  'process.reaped': { child: number; code: number | null; signal: string | null };
  'process.join.wait': { target: number; timeout: number | null; loc: Loc };
  'process.join': { target: number; timeout: number | null; waited: number; code: number | null; loc: Loc };
  'process.terminate': { target: number; loc: Loc | null };
  'process.kill': { target: number; loc: Loc | null };
  /** `internal`: started by the library (a Queue's feeder), not by the user's code. */
  'thread.start': { target: number; name: string; daemon: boolean; loc: Loc | null; internal: boolean };
  'thread.begin': { name: string; native: number; daemon: boolean };
  'thread.exit': { error: string | null };
  'thread.join.wait': { target: number; timeout: number | null; loc: Loc };
  'thread.join': { target: number; timeout: number | null; waited: number; alive: boolean; loc: Loc };
  // Queues
  'queue.new': { id: string; type: string; maxsize: number; name: string; loc: Loc };
  'queue.put.wait': { id: string; loc: Loc };
  'queue.put': {
    id: string;
    seq: number | null;
    loc: Loc;
    repr: string;
    block: boolean;
    waited: number;
    outcome: 'ok' | 'full';
    /** SimpleQueue only (a Queue's feeder reports them in queue.send). */
    size: number | null;
    crc: number | null;
  };
  'queue.send': { id: string; seq: number | null; size: number; crc: number };
  'queue.lost': { id: string; seq: number | null; error: string };
  'queue.get.wait': { id: string; loc: Loc };
  'queue.get': {
    id: string;
    loc: Loc;
    block: boolean;
    waited: number;
    outcome: 'ok' | 'empty';
    size: number | null;
    crc: number | null;
    /** queue.Queue family only: the seq of the put whose item this get took (same process). */
    seq: number | null;
  };
  'queue.buffered': { id: string; count: number };
  'queue.task_done': { id: string; loc: Loc };
  'queue.join.wait': { id: string; loc: Loc };
  'queue.join': { id: string; loc: Loc; waited: number };
  // Pipes
  'pipe.new': { id: string; ends: [string, string]; duplex: boolean; name: string; loc: Loc };
  /** `repr` for send(), null for send_bytes(). */
  'pipe.send': { end: string; size: number; crc: number; repr: string | null; loc: Loc };
  'pipe.recv.wait': { end: string; loc: Loc };
  'pipe.recv': { end: string; size: number | null; crc: number | null; waited: number; outcome: 'ok' | 'eof'; loc: Loc };
  // Locks and semaphores
  'lock.new': { id: string; type: string; value: number; scope: 'process' | 'thread'; name: string; loc: Loc };
  'lock.wait': { id: string; loc: Loc };
  'lock.acquire': { id: string; loc: Loc; waited: number; outcome: 'ok' | 'timeout' | 'busy' };
  'lock.release': { id: string; loc: Loc };
  // Pools and their tasks
  'pool.new': { id: string; type: string; processes: number; name: string; loc: Loc | null };
  /** A job: one apply, or a map's items in chunks (`count` null for imap: not known up front). */
  'task.submit': {
    pool: string | null;
    job: number;
    func: string;
    count: number | null;
    chunksize: number | null;
    args: string | null;
    callback: boolean;
    loc: Loc | null;
  };
  /** A worker starts a task: one apply, or one chunk of `items` items of a map. */
  'task.begin': { pool: string; job: number; index: number; func: string; args: string; items: number | null };
  'task.end': { pool: string; job: number; index: number; ok: boolean; result: string };
  'task.fetch.wait': { pool: string | null; job: number; loc: Loc };
  'task.fetch': { pool: string | null; job: number; ready: boolean; loc: Loc };
  // Events, Conditions, Barriers (threading and multiprocessing)
  'sync.new': {
    id: string;
    type: 'Event' | 'Condition' | 'Barrier';
    scope: 'process' | 'thread';
    /** A Barrier's parties. */
    value: number | null;
    name: string;
    loc: Loc;
  };
  'sync.wait.wait': { id: string; op: 'wait'; loc: Loc };
  'sync.wait': { id: string; op: 'wait'; loc: Loc; waited: number; outcome: 'ok' | 'timeout' | 'broken' };
  'sync.signal': { id: string; op: 'set' | 'clear' | 'notify' | 'notify_all' | 'abort' | 'reset'; loc: Loc; n: number | null };
  // Waits
  'wait.abort': { wait: string; waited: number; error: string };
  // The run
  'run.refused': { reason: string };
  'run.end': { code: number | null; signal: string | null; refused: number };
}

export type EventKind = keyof EventFieldsByKind;

/** What every event carries: time (ns since the clock base), process and thread. */
export interface EventBase {
  t: number;
  pid: number;
  tid: number;
}

/** One event: a discriminated union on `kind`. */
export type TraceEvent = {
  [K in EventKind]: EventBase & { kind: K } & EventFieldsByKind[K];
}[EventKind];

/** The event of one kind. */
export type EventOf<K extends EventKind> = Extract<TraceEvent, { kind: K }>;

// A Record over EventKind: the compiler makes sure this lists every kind, and only those.
const KNOWN_KINDS: Record<EventKind, true> = {
  'process.begin': true,
  'process.exit': true,
  'process.exec': true,
  'process.error': true,
  'process.disconnect': true,
  'process.spawn': true,
  'process.reaped': true,
  'process.join.wait': true,
  'process.join': true,
  'process.terminate': true,
  'process.kill': true,
  'thread.start': true,
  'thread.begin': true,
  'thread.exit': true,
  'thread.join.wait': true,
  'thread.join': true,
  'queue.new': true,
  'queue.put.wait': true,
  'queue.put': true,
  'queue.send': true,
  'queue.lost': true,
  'queue.get.wait': true,
  'queue.get': true,
  'queue.buffered': true,
  'queue.task_done': true,
  'queue.join.wait': true,
  'queue.join': true,
  'pipe.new': true,
  'pipe.send': true,
  'pipe.recv.wait': true,
  'pipe.recv': true,
  'lock.new': true,
  'lock.wait': true,
  'lock.acquire': true,
  'lock.release': true,
  'pool.new': true,
  'task.submit': true,
  'task.begin': true,
  'task.end': true,
  'task.fetch.wait': true,
  'task.fetch': true,
  'sync.new': true,
  'sync.wait.wait': true,
  'sync.wait': true,
  'sync.signal': true,
  'wait.abort': true,
  'run.refused': true,
  'run.end': true,
};

/** Kinds only the listener writes; every other kind is the runtime's (python/procview/schema.py). */
export const LISTENER_KINDS: readonly EventKind[] = ['process.disconnect', 'run.refused', 'run.end'];

export const ALL_KINDS = Object.keys(KNOWN_KINDS) as EventKind[];

export function isKnownKind(kind: string): kind is EventKind {
  return Object.prototype.hasOwnProperty.call(KNOWN_KINDS, kind);
}

/** For the `default` branch of an exhaustive switch: fails to compile when a case is missing. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
