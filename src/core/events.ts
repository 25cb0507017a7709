// The event vocabulary of docs/trace-format.md (format version 2), as types.
// One module for every reader and writer: runtime batches, the live listener,
// the .pvtrace file, the summary, and later the model and the viewer.

export const TRACE_FORMAT = 'pvtrace';
export const TRACE_FORMAT_VERSION = 2;

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
  /** Version 2: the field names of each kind, naming the values of the positional event lines. */
  kinds?: Record<string, readonly string[]>;
}

/**
 * `python`: an interpreter the runtime cannot place (started by `subprocess`, say);
 * `program`: a process started by `subprocess` that never reported (not a traced Python).
 */
export type ProcessRole = 'main' | 'process' | 'fork' | 'resource_tracker' | 'forkserver' | 'python' | 'program';
export type ExitHow = 'return' | 'exception' | 'sys.exit' | 'os._exit' | 'exec' | 'observed';

/** `file:line` of the user's call. */
type Loc = string;

/**
 * The fields of each kind, as the runtime and the listener write them.
 * Every wait announcement (`<kind>.wait`) ends in `stack`: the waiting thread's own
 * frames as `[loc, function]` pairs, outermost first, at most the innermost 32, or null
 * when it has none; absent (undefined) in traces written before it was added.
 */
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
  /**
   * The listener, from faulthandler's dump: the process died of a fatal signal (`signal`: SIGSEGV, SIGBUS,
   * SIGFPE, SIGILL, SIGABRT) in native code, in thread `thread` (a tid; null when Python did not know it);
   * `stack`: the user's frames of that thread, as a wait's, and `loc` the innermost of them (null when none).
   */
  'process.fault': { signal: string | null; thread: number | null; loc: Loc | null; stack: [Loc, string][] | null };
  'process.spawn': { child: number; name: string; method: string | null; loc: Loc | null };
  'process.reaped': { child: number; code: number | null; signal: string | null };
  'process.join.wait': { target: number; timeout: number | null; loc: Loc; stack: [string, string][] | null };
  'process.join': { target: number; timeout: number | null; waited: number; code: number | null; loc: Loc };
  /**
   * `by`: `exit` when multiprocessing's exit handler ended a daemon child still running as its parent
   * exited (`loc` null), `program` otherwise (the program's code, or the library on its behalf). Older
   * traces lack it (undefined): `program`.
   */
  'process.terminate': { target: number; loc: Loc | null; by?: 'program' | 'exit' };
  'process.kill': { target: number; loc: Loc | null };
  /** The user's code sends a signal: `target` a pid (negative: a process group), or the sender itself for abort() and raise_signal(). */
  'process.signal': { target: number; signal: number; loc: Loc };
  /**
   * The process is exiting and waits first for its threads that are not daemons (`threads`,
   * idents: the interpreter's `threading._shutdown`) or its children that are not daemons
   * (`children`, pids: multiprocessing's exit handler). Announced once per kind of wait.
   */
  'exit.wait': { threads: number[]; children: number[]; stack: [string, string][] | null };
  /** `internal`: started by the library (a Queue's feeder), not by the user's code. */
  'thread.start': { target: number; name: string; daemon: boolean; loc: Loc | null; internal: boolean };
  'thread.begin': { name: string; native: number; daemon: boolean };
  'thread.exit': { error: string | null };
  'thread.join.wait': { target: number; timeout: number | null; loc: Loc; stack: [string, string][] | null };
  'thread.join': { target: number; timeout: number | null; waited: number; alive: boolean; loc: Loc };
  // Queues
  'queue.new': { id: string; type: string; maxsize: number; name: string; loc: Loc };
  'queue.put.wait': { id: string; loc: Loc; stack: [string, string][] | null };
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
  'queue.get.wait': { id: string; loc: Loc; stack: [string, string][] | null };
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
  'queue.join.wait': { id: string; loc: Loc; stack: [string, string][] | null };
  'queue.join': { id: string; loc: Loc; waited: number };
  /** `empty()`, `qsize()`, `full()` called by the user's code: `count` calls so far from `loc` (sent at 1, 10, 100, 1000 and every 1000th). */
  'queue.poll': { id: string; op: 'empty' | 'qsize' | 'full'; loc: Loc; count: number };
  // Pipes
  'pipe.new': { id: string; ends: [string, string]; duplex: boolean; name: string; loc: Loc };
  /** `repr` for send(), null for send_bytes(). */
  'pipe.send': { end: string; size: number; crc: number; repr: string | null; loc: Loc };
  'pipe.send.wait': { end: string; size: number; loc: Loc; stack: [string, string][] | null };
  'pipe.recv.wait': { end: string; loc: Loc; stack: [string, string][] | null };
  'pipe.recv': { end: string; size: number | null; crc: number | null; waited: number; outcome: 'ok' | 'eof'; loc: Loc };
  // Locks and semaphores
  /** `manager`: an object of a Manager's server, used through proxies. */
  'lock.new': { id: string; type: string; value: number; scope: 'process' | 'thread' | 'manager'; name: string; loc: Loc };
  'lock.wait': { id: string; loc: Loc; stack: [string, string][] | null };
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
    /** An error callback takes the error (apply_async's `error_callback`); absent in older traces. */
    errback?: boolean;
  };
  /** A worker starts a task: one apply, or one chunk of `items` items of a map. */
  /** A ProcessPoolExecutor's worker process, as it starts: it works for `pool` (idle until its first task). */
  'pool.worker': { pool: string };
  'task.begin': { pool: string; job: number; index: number; func: string; args: string; items: number | null };
  /** `where`: for a task that raised, `file:line` of the innermost user frame the error went through; absent in older traces. */
  'task.end': { pool: string; job: number; index: number; ok: boolean; result: string; where?: string | null };
  'task.fetch.wait': { pool: string | null; job: number; loc: Loc; stack: [string, string][] | null };
  /** `error`: `Type: message` of what the call raised (for `exception()`: returned), else null; absent in older traces. */
  'task.fetch': { pool: string | null; job: number; ready: boolean; loc: Loc; error?: string | null };
  /** An executor's future cancelled before it ran (`loc` null when the library cancelled it from its own thread). */
  'task.cancel': { pool: string; job: number; loc: Loc | null };
  /** An executor's `shutdown(wait=True)` about to wait for tasks still queued or running. */
  'pool.shutdown.wait': { pool: string; loc: Loc | null; stack: [string, string][] | null };
  'pool.shutdown': { pool: string; wait: boolean; cancel: boolean; loc: Loc | null; waited: number };
  /** A pool that can no longer run tasks (a worker process died); `jobs` it failed, null if not known. */
  'pool.broken': { pool: string; error: string; jobs: number[] | null };
  // Events, Conditions, Barriers (threading and multiprocessing)
  'sync.new': {
    id: string;
    type: 'Event' | 'Condition' | 'Barrier';
    scope: 'process' | 'thread' | 'manager';
    /** A Barrier's parties. */
    value: number | null;
    name: string;
    loc: Loc;
  };
  'sync.wait.wait': { id: string; op: 'wait'; loc: Loc; stack: [string, string][] | null };
  'sync.wait': { id: string; op: 'wait'; loc: Loc; waited: number; outcome: 'ok' | 'timeout' | 'broken' };
  'sync.signal': { id: string; op: 'set' | 'clear' | 'notify' | 'notify_all' | 'abort' | 'reset'; loc: Loc; n: number | null };
  // Shared memory: segments (`id` is `shm:` + the segment's name) and sharedctypes values.
  // `loc` is null when the library took the step (unpickling, a manager's cleanup, garbage collection).
  'shm.new': { id: string; type: string; size: number; name: string; loc: Loc | null };
  'shm.attach': { id: string; type: string; size: number; loc: Loc | null };
  'shm.close': { id: string; loc: Loc | null };
  /** `error`: the exception type when the unlink failed (already unlinked), else null. */
  'shm.unlink': { id: string; loc: Loc | null; error: string | null };
  /** `length` for arrays; `lock`: the id of the lock that guards it (its lock.* events carry it). */
  'shared.new': {
    id: string;
    type: 'Value' | 'Array' | 'RawValue' | 'RawArray';
    typecode: string | null;
    size: number;
    length: number | null;
    locked: boolean;
    lock: string | null;
    name: string;
    loc: Loc;
  };
  // Managers
  /** A manager (`server`: its process's pid) or an object made through one (`server` null). */
  'manager.new': { id: string; type: string; typeid: string; server: number | null; name: string; loc: Loc | null };
  /** A proxy call that is not a queue, lock or sync operation (those give their own kinds). */
  'manager.call': { id: string; typeid: string; method: string; args: string | null; waited: number; outcome: string; loc: Loc };
  // Waits
  'wait.abort': { wait: string; waited: number; error: string };
  /** An announced wait (`wait`: its kind, e.g. `lock.wait`) still pending `waited` ns after it began; sent every second. */
  'wait.still': { wait: string; waited: number };
  /**
   * concurrent.futures' `wait()` or `as_completed()` still waiting for futures after the first slice:
   * `tasks` are `[pool, job]` of those still pending (at most 50, by pool and job), `pending` counts
   * them all (futures of no recorded pool too); `until` is what ends it (`as_completed`: the next one done).
   */
  'task.wait.wait': {
    op: 'wait' | 'as_completed';
    until: 'ALL_COMPLETED' | 'FIRST_COMPLETED' | 'FIRST_EXCEPTION';
    tasks: [string, number][];
    pending: number;
    timeout: number | null;
    loc: Loc;
    /** `[loc, function]` of the user's frames, outermost first (as every wait announcement); null when it has none. */
    stack: [Loc, string][] | null;
  };
  /** That wait returning (recorded when the futures were not done at once, announced or not). */
  'task.wait': {
    op: 'wait' | 'as_completed';
    until: 'ALL_COMPLETED' | 'FIRST_COMPLETED' | 'FIRST_EXCEPTION';
    pending: number;
    timeout: number | null;
    loc: Loc;
    waited: number;
    outcome: 'done' | 'timeout';
  };
  // The run
  'run.refused': { reason: string };
  'run.end': { code: number | null; signal: string | null; refused: number };
  /** No process made progress for `stalled` ns while every thread that could waited: `procview run` saw a hang. */
  'run.hang': { stalled: number; action: 'report' | 'kill' };
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

type FieldNames<K extends EventKind> = readonly (keyof EventFieldsByKind[K] & string)[];

/**
 * The fields of every kind, in the order the wire and the file carry them
 * (positionally: encoding names per event costs the runtime dearly). The
 * runtime's own table, python/procview/schema.py, must say the same; a test
 * checks it. A Record over EventKind: the compiler makes sure every kind is here.
 */
export const KIND_FIELDS: { readonly [K in EventKind]: FieldNames<K> } = {
  'process.begin': ['name', 'ppid', 'role', 'method', 'argv', 'python'],
  'process.exit': ['code', 'signal', 'how', 'dropped'],
  'process.exec': ['path'],
  'process.error': ['type', 'message', 'file', 'line', 'traceback'],
  'process.disconnect': [],
  'process.fault': ['signal', 'thread', 'loc', 'stack'],
  'process.spawn': ['child', 'name', 'method', 'loc'],
  'process.reaped': ['child', 'code', 'signal'],
  'process.join.wait': ['target', 'timeout', 'loc', 'stack'],
  'process.join': ['target', 'timeout', 'loc', 'waited', 'code'],
  'process.terminate': ['target', 'loc', 'by'],
  'process.kill': ['target', 'loc'],
  'process.signal': ['target', 'signal', 'loc'],
  'exit.wait': ['threads', 'children', 'stack'],
  'thread.start': ['target', 'name', 'daemon', 'loc', 'internal'],
  'thread.begin': ['name', 'native', 'daemon'],
  'thread.exit': ['error'],
  'thread.join.wait': ['target', 'timeout', 'loc', 'stack'],
  'thread.join': ['target', 'timeout', 'loc', 'waited', 'alive'],
  'queue.new': ['id', 'type', 'maxsize', 'name', 'loc'],
  'queue.put.wait': ['id', 'loc', 'stack'],
  'queue.put': ['id', 'seq', 'loc', 'repr', 'block', 'waited', 'outcome', 'size', 'crc'],
  'queue.send': ['id', 'seq', 'size', 'crc'],
  'queue.lost': ['id', 'seq', 'error'],
  'queue.get.wait': ['id', 'loc', 'stack'],
  'queue.get': ['id', 'loc', 'block', 'waited', 'outcome', 'size', 'crc', 'seq'],
  'queue.buffered': ['id', 'count'],
  'queue.task_done': ['id', 'loc'],
  'queue.join.wait': ['id', 'loc', 'stack'],
  'queue.join': ['id', 'loc', 'waited'],
  'queue.poll': ['id', 'op', 'loc', 'count'],
  'pipe.new': ['id', 'ends', 'duplex', 'name', 'loc'],
  'pipe.send': ['end', 'size', 'crc', 'repr', 'loc'],
  'pipe.send.wait': ['end', 'size', 'loc', 'stack'],
  'pipe.recv.wait': ['end', 'loc', 'stack'],
  'pipe.recv': ['end', 'size', 'crc', 'waited', 'outcome', 'loc'],
  'lock.new': ['id', 'type', 'value', 'scope', 'name', 'loc'],
  'lock.wait': ['id', 'loc', 'stack'],
  'lock.acquire': ['id', 'loc', 'waited', 'outcome'],
  'lock.release': ['id', 'loc'],
  'pool.new': ['id', 'type', 'processes', 'name', 'loc'],
  'task.submit': ['pool', 'job', 'func', 'count', 'chunksize', 'args', 'callback', 'loc', 'errback'],
  'pool.worker': ['pool'],
  'task.begin': ['pool', 'job', 'index', 'func', 'args', 'items'],
  'task.end': ['pool', 'job', 'index', 'ok', 'result', 'where'],
  'task.fetch.wait': ['pool', 'job', 'loc', 'stack'],
  'task.fetch': ['pool', 'job', 'ready', 'loc', 'error'],
  'task.cancel': ['pool', 'job', 'loc'],
  'pool.shutdown.wait': ['pool', 'loc', 'stack'],
  'pool.shutdown': ['pool', 'wait', 'cancel', 'loc', 'waited'],
  'pool.broken': ['pool', 'error', 'jobs'],
  'sync.new': ['id', 'type', 'scope', 'value', 'name', 'loc'],
  'sync.wait.wait': ['id', 'op', 'loc', 'stack'],
  'sync.wait': ['id', 'op', 'loc', 'waited', 'outcome'],
  'sync.signal': ['id', 'op', 'loc', 'n'],
  'shm.new': ['id', 'type', 'size', 'name', 'loc'],
  'shm.attach': ['id', 'type', 'size', 'loc'],
  'shm.close': ['id', 'loc'],
  'shm.unlink': ['id', 'loc', 'error'],
  'shared.new': ['id', 'type', 'typecode', 'size', 'length', 'locked', 'lock', 'name', 'loc'],
  'manager.new': ['id', 'type', 'typeid', 'server', 'name', 'loc'],
  'manager.call': ['id', 'typeid', 'method', 'args', 'waited', 'outcome', 'loc'],
  'wait.abort': ['wait', 'waited', 'error'],
  'wait.still': ['wait', 'waited'],
  'task.wait.wait': ['op', 'until', 'tasks', 'pending', 'timeout', 'loc', 'stack'],
  'task.wait': ['op', 'until', 'pending', 'timeout', 'loc', 'waited', 'outcome'],
  'run.refused': ['reason'],
  'run.end': ['code', 'signal', 'refused'],
  'run.hang': ['stalled', 'action'],
};

/** Kinds only the listener writes; every other kind is the runtime's (python/procview/schema.py). */
export const LISTENER_KINDS: readonly EventKind[] = ['process.disconnect', 'process.fault', 'run.refused', 'run.end', 'run.hang'];

export const ALL_KINDS = Object.keys(KIND_FIELDS) as EventKind[];

export function isKnownKind(kind: string): kind is EventKind {
  return Object.prototype.hasOwnProperty.call(KIND_FIELDS, kind);
}

/** For the `default` branch of an exhaustive switch: fails to compile when a case is missing. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
