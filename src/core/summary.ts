// The `procview summary --json` shape (DESIGN.md): who ran and how it ended,
// what went through which queue, pipe and lock. A view of the run model, which
// derives every fact (the diagnosis, the viewer and the Chrome export read the
// same); this only picks and counts. Times are ns since the trace's clock base.

import type { ProcessRole } from './events';
import type { LockModel } from './model/locks';
import type { QueueModel } from './model/queues';
import type { RunModel } from './model/run-model';
import type { LaneModel, PipeModel, PoolModel, ProcessModel, SegmentModel, SharedValueModel, TaskModel } from './model/types';

export interface ProcessSummary {
  pid: number;
  name: string;
  role: ProcessRole | null;
  /** The process's exit code; negative = killed by that signal; null = unknown. */
  exitcode: number | null;
  signal: string | null;
  start: number | null;
  /** The exit event, else when its parent reaped it, else when its connection closed. */
  end: number | null;
}

export interface ThreadSummary {
  pid: number;
  tid: number;
  name: string;
  native: number | null;
  start: number | null;
  end: number | null;
  /** The exception type that ended the thread, if one did. */
  error: string | null;
}

export interface QueueSummary {
  id: string;
  name: string;
  type: string | null;
  puts: number;
  gets: number;
  /** Most items in the queue at once: successful puts minus successful gets, in time order. */
  maxDepth: number;
  /** Items the feeder could not pickle (never delivered). */
  lost: number;
  /** Items left in a feeder's buffer when a process exited. */
  buffered: number;
}

export interface PipeSummary {
  id: string;
  name: string;
  duplex: boolean | null;
  sends: number;
  recvs: number;
}

export interface LockSummary {
  id: string;
  name: string;
  type: string | null;
  /** Successful acquisitions. */
  acquisitions: number;
  /** Longest time an acquire call was blocked, ns. */
  maxWait: number;
  /** Acquire calls that had to block. */
  contended: number;
}

/** One task a worker ran: an apply, or one chunk of a map (`items` items). */
export interface TaskSummary {
  pool: string;
  job: number;
  index: number;
  func: string;
  args: string;
  items: number | null;
  /** The worker process (and thread, for a ThreadPool) that ran it. */
  worker: number;
  thread: number;
  queued: number | null;
  start: number;
  end: number | null;
  ok: boolean | null;
  result: string | null;
  /** Someone asked for the job's result (get, next, map) or gave a callback. */
  fetched: boolean;
  /** What the job's last fetch raised (the task's error, a timeout, BrokenProcessPool), else null. */
  fetchError: string | null;
}

/** A `multiprocessing` Pool or ThreadPool, or a `concurrent.futures` executor, and how its jobs went. */
export interface PoolSummary {
  id: string;
  name: string;
  /** `Pool`, `ThreadPool`, `ProcessPoolExecutor`, `ThreadPoolExecutor`; null if its creation was not seen. */
  type: string | null;
  workers: number | null;
  /** Jobs submitted (an apply or submit, a Pool's map, each item or chunk of an executor's map). */
  jobs: number;
  /** Tasks a worker began; of those, how many ended in an error and how many never ended. */
  ran: number;
  failed: number;
  unfinished: number;
  /** Jobs cancelled before they ran. */
  cancelled: number;
  /** The error that broke the pool (a worker process died), else null. */
  broken: string | null;
  /** `shutdown()` was called (an executor). */
  shutdown: boolean;
}

/** A `multiprocessing.shared_memory` segment, over every process that touched it. */
export interface SharedMemorySummary extends SegmentModel {
  /** Created in the run and never unlinked (the resource tracker may remove it at shutdown, with a warning). */
  leaked: boolean;
}

/** A `multiprocessing` `Value`, `Array`, `RawValue` or `RawArray` the user's code made. */
export type SharedValueSummary = SharedValueModel;

export interface Summary {
  events: number;
  processes: ProcessSummary[];
  /** The interpreter's own helpers: resource tracker, fork server. */
  helpers: ProcessSummary[];
  threads: ThreadSummary[];
  queues: QueueSummary[];
  pipes: PipeSummary[];
  locks: LockSummary[];
  pools: PoolSummary[];
  /** Pool and executor tasks, in the order they started. */
  tasks: TaskSummary[];
  sharedMemory: SharedMemorySummary[];
  sharedValues: SharedValueSummary[];
  /** Connections refused for a missing or wrong token. */
  refused: number;
  /** Events the runtime could not send. */
  dropped: number;
}

export function summarize(model: RunModel): Summary {
  const processes = [...model.processes.values()].sort(byStart);
  const tasks = [...model.tasks.values()].sort((a, b) => a.start - b.start);
  return {
    events: model.events,
    processes: processes.filter((proc) => !proc.helper).map(processSummary),
    helpers: processes.filter((proc) => proc.helper).map(processSummary),
    // The main threads are the processes' own lanes; every other lane is a thread the program started.
    threads: [...model.lanes.values()].filter((lane) => !lane.main).sort(byStart).map(threadSummary),
    queues: [...model.queues.values()].map(queueSummary),
    pipes: [...model.pipes.values()].map(pipeSummary),
    locks: [...model.locks.values()].map(lockSummary),
    pools: poolSummaries(model, tasks),
    tasks: tasks.map((task) => taskSummary(model, task)),
    sharedMemory: [...model.segments.values()].map((segment) => ({ ...segment, leaked: model.isLeaked(segment) })),
    sharedValues: [...model.sharedValues],
    refused: model.refused,
    dropped: model.dropped,
  };
}

function processSummary(proc: ProcessModel): ProcessSummary {
  const { pid, name, role, exitcode, signal, start, end } = proc;
  return { pid, name, role, exitcode, signal, start, end };
}

function threadSummary(lane: LaneModel): ThreadSummary {
  const { pid, tid, name, native, start, end, error } = lane;
  return { pid, tid, name, native, start, end, error };
}

function queueSummary(queue: QueueModel): QueueSummary {
  const { id, name, type, puts, gets, maxDepth, lost, buffered } = queue;
  return { id, name, type, puts, gets, maxDepth, lost, buffered };
}

function pipeSummary(pipe: PipeModel): PipeSummary {
  const { id, name, duplex, sends, recvs } = pipe;
  return { id, name, duplex, sends, recvs };
}

function lockSummary(lock: LockModel): LockSummary {
  const { id, name, type, acquisitions, maxWait, contended } = lock;
  return { id, name, type, acquisitions, maxWait, contended };
}

/** Each pool with the counts of its jobs and tasks (one pass over each, not one per pool). */
function poolSummaries(model: RunModel, tasks: readonly TaskModel[]): PoolSummary[] {
  const counts = new Map<string, Pick<PoolSummary, 'jobs' | 'cancelled' | 'ran' | 'failed' | 'unfinished'>>();
  const countsOf = (pool: string): Pick<PoolSummary, 'jobs' | 'cancelled' | 'ran' | 'failed' | 'unfinished'> => {
    let found = counts.get(pool);
    if (!found) {
      found = { jobs: 0, cancelled: 0, ran: 0, failed: 0, unfinished: 0 };
      counts.set(pool, found);
    }
    return found;
  };
  for (const job of model.jobs.values()) {
    if (job.pool === null) continue;
    const pool = countsOf(job.pool);
    if (job.submitSeen) pool.jobs++;
    if (job.cancelled) pool.cancelled++;
  }
  for (const task of tasks) {
    const pool = countsOf(task.pool);
    pool.ran++;
    if (task.ok === false) pool.failed++;
    if (task.end === null) pool.unfinished++;
  }
  return [...model.pools.values()].map((pool: PoolModel) => {
    const { id, name, type, workers, broken, shutdown } = pool;
    const { jobs, ran, failed, unfinished, cancelled } = countsOf(id);
    return { id, name, type, workers, jobs, ran, failed, unfinished, cancelled, broken, shutdown };
  });
}

function taskSummary(model: RunModel, task: TaskModel): TaskSummary {
  const { pool, job: jobNumber, index, func, args, items, worker, thread, start, end, ok, result } = task;
  const job = model.jobOf(task);
  return {
    pool, job: jobNumber, index, func, args, items, worker, thread,
    queued: job?.submitSeen ? job.submitted : null,
    start, end, ok, result,
    // A callback takes the result as surely as a get does.
    fetched: job ? job.fetched || job.callback : false,
    fetchError: job?.fetchError ?? null,
  };
}

/** Earliest first; unknown starts last. */
function byStart(a: { start: number | null }, b: { start: number | null }): number {
  if (a.start === b.start) return 0;
  if (a.start === null) return 1;
  if (b.start === null) return -1;
  return a.start - b.start;
}
