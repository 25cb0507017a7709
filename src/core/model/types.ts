// The shapes of the run model: what the diagnosis, the writers and the viewer
// read. The model (run-model.ts) is the one place that derives them from events.

import type { ProcessRole } from '../events';

/** One user frame of a waiting thread: `[file:line, function]`. */
export type Frame = readonly [string, string];

/**
 * What a blocked thread waits for. `target` names the primitive (a queue, lock,
 * Event... id), or for a join the pid (`process.join`) or the lane key of the
 * thread (`thread.join`: `pid:ident`, `pid:ident#n` under a reused ident; see
 * LaneModel.key); for `exit`, the process's own pid (what it waits for as
 * it exits is the process's `awaitedAtExit` and `buffered`).
 */
export type WaitOp =
  | 'queue.get'
  | 'queue.put'
  | 'queue.join'
  | 'lock'
  | 'process.join'
  | 'thread.join'
  | 'sync'
  | 'pipe.send'
  | 'pipe.recv'
  | 'task.fetch'
  | 'task.wait'
  | 'pool.shutdown'
  | 'exit';

export interface Wait {
  op: WaitOp;
  target: string;
  /** The user's line that waits; null when the library waits on the user's behalf. */
  loc: string | null;
  /** The waiting thread's user frames, outermost first, when the runtime sent them. */
  stack: readonly Frame[] | null;
}

/** A span of time a thread spent blocked. `end` null: still blocked. */
export interface BlockedInterval {
  start: number;
  end: number | null;
  wait: Wait;
  /** How it ended: `ok`, `timeout`, `empty`, `full`, `broken`, an exception's type... */
  outcome: string | null;
  /** The thread announced the wait (it lasted past the runtime's first slice). */
  announced: boolean;
}

export interface LaneModel {
  /**
   * `pid:tid`; `pid:tid#n` for the n-th thread of that ident (CPython reuses a
   * thread's ident once it ended). Given when the lane is made, never changed:
   * holds, tasks and waits name a thread by it.
   */
  key: string;
  pid: number;
  tid: number;
  name: string;
  /** The process's main thread (the thread that said `process.begin`). */
  main: boolean;
  /** The OS's id of the thread, from its `thread.begin`; null when its begin was not seen. */
  native: number | null;
  /** Started by the library (a Queue's feeder, a Pool's handler threads), not by the user's code. */
  internal: boolean;
  daemon: boolean;
  /** Where the user's code started the thread (`thread.start`), if it did. */
  startLoc: string | null;
  start: number;
  end: number | null;
  /** The exception type that ended the thread, if one did. */
  error: string | null;
  /** Every blocked span, in time order; the last one may be open. */
  blocked: BlockedInterval[];
  /** The task (`pool/job/index`) it is running now, if any. */
  task: string | null;
  /** The tasks it ran, in order. */
  tasks: TaskModel[];
  /** Time of its last event. */
  last: number;
}

export interface ProcessError {
  type: string;
  message: string;
  file: string | null;
  line: number | null;
  traceback: string | null;
}

export interface ProcessModel {
  pid: number;
  name: string;
  role: ProcessRole | null;
  ppid: number | null;
  method: string | null;
  /** Where the user's code started it. */
  spawnLoc: string | null;
  start: number;
  /** When it ended (its own exit, what its parent or the listener saw, its connection closing); null while alive. */
  end: number | null;
  /** What `end` comes from: the best evidence seen so far (see ProcessEndEvidence). */
  endedBy: ProcessEndEvidence | null;
  /** Exit code; negative = killed by that signal; null = unknown or alive. */
  exitcode: number | null;
  signal: string | null;
  how: string | null;
  /** The exception that reached the top, if one did. */
  error: ProcessError | null;
  /** Resource tracker or fork server: folded away. */
  helper: boolean;
  /** A Manager's server: it serves requests and never runs user code. */
  server: boolean;
  /** The pool it works for, when it is a Pool or executor worker. */
  workerOf: string | null;
  mainTid: number | null;
  /** Lane keys, in the order they appeared. */
  lanes: string[];
  /** Someone joined it (a successful join). */
  joined: boolean;
  /** It was ended on purpose: by the program (or the library on its behalf, or procview's hang kill), or, `atExit`, by multiprocessing's exit handler (a daemon child still running as its parent exited). */
  terminated: { t: number; loc: string | null; how: 'terminate' | 'kill'; atExit: boolean } | null;
  /** The last signal its own code sent itself (os.kill of its own pid, abort, raise_signal): where it died, if that signal ended it. */
  signalledSelf: { t: number; signal: number; loc: string } | null;
  /** What it waits for as it exits (`exit.wait`): its threads (idents) and children (pids) that are not daemons. */
  awaitedAtExit: { threads: number[]; children: number[] };
  /** It died of a fatal signal in native code: faulthandler's word on it (`loc`: the user's innermost frame of the thread that faulted). */
  fault: { t: number; signal: string | null; thread: number | null; loc: string | null; stack: [string, string][] | null } | null;
  /** Items left in a feeder buffer as it began to exit, per queue. */
  buffered: Map<string, number>;
  /** Queues, locks, pipes, Events... the process used (ids). */
  used: Set<string>;
  /** Its own `process.exit` came, so no more of its events are missing. */
  reported: boolean;
}

/**
 * What tells that a process ended, best first: its own exit report; the exit
 * status the listener observed (the main process); its parent's reap or join;
 * its connection closing.
 */
export type ProcessEndEvidence = 'exit' | 'observed' | 'parent' | 'disconnect';

export interface TaskModel {
  key: string;
  pool: string;
  job: number;
  index: number;
  func: string;
  args: string;
  items: number | null;
  worker: number;
  thread: number;
  lane: string;
  start: number;
  end: number | null;
  ok: boolean | null;
  result: string | null;
  /** For a task that raised: where the user's code raised it (`file:line`). */
  where: string | null;
}

export interface JobModel {
  pool: string | null;
  job: number;
  /** When it was submitted (its first sighting, if its submission was not seen: see `submitSeen`). */
  submitted: number;
  /** Its `task.submit` was seen; otherwise it is known only from its tasks, fetches or cancel. */
  submitSeen: boolean;
  submitter: number;
  func: string | null;
  loc: string | null;
  count: number | null;
  /** A callback takes its result (apply_async's callback or error_callback, an executor's done callback). */
  callback: boolean;
  /** An error callback takes its error; null when the trace does not say (older runtimes). */
  errorCallback: boolean | null;
  /** Someone asked for the result (get, next, map, result(), exception()). */
  fetched: boolean;
  fetchError: string | null;
  cancelled: boolean;
  tasks: string[];
}

export interface PoolModel {
  id: string;
  name: string;
  type: string | null;
  workers: number | null;
  owner: number | null;
  loc: string | null;
  broken: string | null;
  shutdown: boolean;
}

export interface SyncModel {
  id: string;
  name: string;
  type: 'Event' | 'Condition' | 'Barrier' | null;
  scope: string | null;
  /** A Barrier's parties. */
  parties: number | null;
  loc: string | null;
  /** When it was made (its first sighting, if its creation was not seen). */
  made: number;
  /** An Event's flag now. */
  isSet: boolean;
  signals: { t: number; pid: number; tid: number; op: string; loc: string }[];
}

export interface PipeModel {
  id: string;
  name: string;
  ends: readonly string[];
  duplex: boolean | null;
  loc: string | null;
  sends: number;
  recvs: number;
}

/** A `multiprocessing.shared_memory` segment, over every process that touched it. */
export interface SegmentModel {
  id: string;
  /** The segment's name, as `SharedMemory(name=...)` takes it. */
  segment: string;
  name: string;
  /** `SharedMemory`, `ShareableList` (or a subclass's name); null if only seen closed or unlinked. */
  type: string | null;
  size: number | null;
  /** The process that created it, and where, when the creation was seen. */
  creator: number | null;
  loc: string | null;
  created: number;
  attached: number;
  closed: number;
  /** Successful unlinks. */
  unlinked: number;
}

/** A `multiprocessing` `Value`, `Array`, `RawValue` or `RawArray` the user's code made. */
export interface SharedValueModel {
  id: string;
  name: string;
  type: string;
  typecode: string | null;
  size: number;
  /** Items, for an array. */
  length: number | null;
  /** It has a lock; `lock` is that lock's id, when known. */
  locked: boolean;
  lock: string | null;
  creator: number;
  loc: string;
}
