// Folds a run's events into the `procview summary --json` shape (DESIGN.md):
// who ran and how it ended, what went through which queue, pipe and lock.
// Times are ns since the trace's clock base.

import { assertNever, type EventOf, type ProcessRole, type TraceEvent } from './events';
import { signalName, signalNumber } from './signals';

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
export interface SharedMemorySummary {
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
  /** Created in the run and never unlinked (the resource tracker may remove it at shutdown, with a warning). */
  leaked: boolean;
}

/** A `multiprocessing` `Value`, `Array`, `RawValue` or `RawArray` the user's code made. */
export interface SharedValueSummary {
  id: string;
  name: string;
  type: string;
  typecode: string | null;
  size: number;
  /** Items, for an array. */
  length: number | null;
  /** It has a lock; `lock` is that lock's id in `locks`, when known. */
  locked: boolean;
  lock: string | null;
  creator: number;
  loc: string;
}

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

const HELPER_ROLES: ReadonlySet<ProcessRole> = new Set<ProcessRole>(['resource_tracker', 'forkserver']);

interface ProcessFacts {
  pid: number;
  name: string | null;
  role: ProcessRole | null;
  begin: number | null;
  firstSeen: number;
  ownExit: EventOf<'process.exit'> | null;
  observedExit: EventOf<'process.exit'> | null;
  reaped: EventOf<'process.reaped'> | null;
  disconnect: number | null;
}

interface QueueFacts extends Omit<QueueSummary, 'maxDepth'> {
  /** +1 per successful put, -1 per successful get, with its time. */
  depthSteps: { t: number; step: 1 | -1 }[];
}

export function summarize(events: readonly TraceEvent[]): Summary {
  const processes = new Map<number, ProcessFacts>();
  const threads = new Map<string, ThreadSummary>();
  const queues = new Map<string, QueueFacts>();
  const pipes = new Map<string, PipeSummary>();
  const pipeOfEnd = new Map<string, string>();
  const locks = new Map<string, LockSummary>();
  const segments = new Map<string, Omit<SharedMemorySummary, 'leaked'>>();
  const sharedValues: SharedValueSummary[] = [];
  const tasks = new Map<string, TaskSummary>();
  /** Per job (`pool/job`): when it was submitted, and whether its result was asked for. */
  const jobs = new Map<string, { queued: number; fetched: boolean; fetchError: string | null }>();
  const jobKey = (pool: string | null, job: number): string => `${pool ?? ''}/${job}`;
  const pools = new Map<string, Omit<PoolSummary, 'ran' | 'failed' | 'unfinished'>>();
  const pool = (id: string): Omit<PoolSummary, 'ran' | 'failed' | 'unfinished'> =>
    getOrCreate(pools, id, () => ({ id, name: id, type: null, workers: null, jobs: 0, cancelled: 0, broken: null, shutdown: false }));
  let refused = 0;
  let dropped = 0;

  const processFacts = (pid: number, t: number): ProcessFacts => {
    let facts = processes.get(pid);
    if (!facts) {
      facts = {
        pid, name: null, role: null, begin: null, firstSeen: t,
        ownExit: null, observedExit: null, reaped: null, disconnect: null,
      };
      processes.set(pid, facts);
    }
    facts.firstSeen = Math.min(facts.firstSeen, t);
    return facts;
  };
  let retiredThreads = 0;
  /** `starting`: a thread that starts under the id of one that ended (Python reuses idents) is a new thread. */
  const thread = (pid: number, tid: number, starting = false): ThreadSummary => {
    const key = `${pid}:${tid}`;
    let summary = threads.get(key);
    if (summary && starting && summary.end !== null) {
      threads.set(`${key}#${++retiredThreads}`, summary);
      summary = undefined;
    }
    if (!summary) {
      summary = { pid, tid, name: `thread ${tid}`, native: null, start: null, end: null, error: null };
      threads.set(key, summary);
    }
    return summary;
  };
  // Primitives whose creation was not seen still count, named after their first use.
  const queue = (id: string, loc: string | undefined): QueueFacts =>
    getOrCreate(queues, id, () => ({
      id, name: nameFromLoc('Queue', id, loc), type: null, puts: 0, gets: 0, lost: 0, buffered: 0, depthSteps: [],
    }));
  const pipe = (end: string, loc: string | undefined): PipeSummary => {
    const id = pipeOfEnd.get(end) ?? end;
    return getOrCreate(pipes, id, () => ({ id, name: nameFromLoc('Pipe', id, loc), duplex: null, sends: 0, recvs: 0 }));
  };
  const segment = (id: string): Omit<SharedMemorySummary, 'leaked'> =>
    getOrCreate(segments, id, () => {
      const name = id.startsWith('shm:') ? id.slice(4) : id;
      return {
        id, segment: name, name, type: null, size: null, creator: null, loc: null,
        created: 0, attached: 0, closed: 0, unlinked: 0,
      };
    });
  const lock = (id: string, loc: string | undefined): LockSummary =>
    getOrCreate(locks, id, () => ({
      id, name: nameFromLoc('Lock', id, loc), type: null, acquisitions: 0, maxWait: 0, contended: 0,
    }));

  for (const event of events) {
    // Every process that sent anything is a process of the run (the listener's
    // own events use pid 0 only for refused peers).
    if (event.pid !== 0) processFacts(event.pid, event.t);
    switch (event.kind) {
      case 'process.begin': {
        const facts = processFacts(event.pid, event.t);
        facts.begin = event.t;
        facts.name = event.name;
        facts.role = event.role;
        break;
      }
      case 'process.exit': {
        const facts = processFacts(event.pid, event.t);
        if (event.how === 'observed') facts.observedExit = event;
        else facts.ownExit ??= event;
        dropped += typeof event.dropped === 'number' ? event.dropped : 0;
        break;
      }
      case 'process.spawn': {
        const child = processFacts(event.child, event.t);
        child.name ??= event.name;
        // Until (unless) it says hello itself: a program that is not a traced Python stays 'program'.
        if (event.method === 'subprocess') child.role ??= 'program';
        break;
      }
      case 'process.reaped':
        processFacts(event.child, event.t).reaped ??= event;
        break;
      case 'process.disconnect':
        processFacts(event.pid, event.t).disconnect ??= event.t;
        break;
      case 'thread.start': {
        const started = thread(event.pid, event.target, true);
        started.name = event.name;
        started.start ??= event.t;
        break;
      }
      case 'thread.begin': {
        const begun = thread(event.pid, event.tid, true);
        begun.name = event.name;
        begun.native = event.native;
        begun.start = event.t;
        break;
      }
      case 'thread.exit': {
        const exited = thread(event.pid, event.tid);
        exited.end = event.t;
        exited.error = event.error;
        break;
      }
      case 'queue.new': {
        const created = queue(event.id, event.loc);
        created.name = event.name || created.name;
        created.type = event.type;
        break;
      }
      case 'queue.put': {
        const target = queue(event.id, event.loc);
        if (event.outcome === 'ok') {
          target.puts++;
          target.depthSteps.push({ t: event.t, step: 1 });
        }
        break;
      }
      case 'queue.get': {
        const target = queue(event.id, event.loc);
        if (event.outcome === 'ok') {
          target.gets++;
          target.depthSteps.push({ t: event.t, step: -1 });
        }
        break;
      }
      case 'queue.lost':
        queue(event.id, undefined).lost++;
        break;
      case 'queue.buffered':
        queue(event.id, undefined).buffered += event.count;
        break;
      case 'queue.put.wait':
      case 'queue.get.wait':
      case 'queue.send':
        queue(event.id, 'loc' in event ? event.loc : undefined);
        break;
      case 'pipe.new': {
        for (const end of event.ends) pipeOfEnd.set(end, event.id);
        const created = getOrCreate(pipes, event.id, () => ({
          id: event.id, name: nameFromLoc('Pipe', event.id, event.loc), duplex: null, sends: 0, recvs: 0,
        }));
        created.duplex = event.duplex;
        break;
      }
      case 'pipe.send':
        pipe(event.end, event.loc).sends++;
        break;
      case 'pipe.recv':
        pipe(event.end, event.loc).recvs++;
        break;
      case 'pipe.recv.wait':
        pipe(event.end, event.loc);
        break;
      case 'lock.new': {
        const created = lock(event.id, event.loc);
        created.name = event.name || created.name;
        created.type = event.type;
        break;
      }
      case 'lock.wait':
        lock(event.id, event.loc).contended++;
        break;
      case 'lock.acquire': {
        const target = lock(event.id, event.loc);
        if (event.outcome === 'ok') target.acquisitions++;
        target.maxWait = Math.max(target.maxWait, event.waited);
        break;
      }
      case 'lock.release':
        lock(event.id, event.loc);
        break;
      case 'run.refused':
        refused++;
        break;
      case 'pool.new': {
        const created = pool(event.id);
        created.name = event.name || created.name;
        created.type = event.type;
        created.workers = event.processes;
        break;
      }
      case 'task.submit':
        jobs.set(jobKey(event.pool, event.job), { queued: event.t, fetched: event.callback, fetchError: null });
        if (event.pool !== null) pool(event.pool).jobs++;
        break;
      case 'task.fetch': {
        const job = getOrCreate(jobs, jobKey(event.pool, event.job), () => ({ queued: event.t, fetched: false, fetchError: null }));
        job.fetched = true;
        job.fetchError = event.error ?? null;
        break;
      }
      case 'task.cancel':
        pool(event.pool).cancelled++;
        break;
      case 'pool.shutdown':
        pool(event.pool).shutdown = true;
        break;
      case 'pool.broken':
        pool(event.pool).broken ??= event.error;
        break;
      case 'task.begin':
        tasks.set(`${jobKey(event.pool, event.job)}/${event.index}`, {
          pool: event.pool, job: event.job, index: event.index, func: event.func, args: event.args, items: event.items,
          worker: event.pid, thread: event.tid, queued: null, start: event.t, end: null, ok: null, result: null, fetched: false,
          fetchError: null,
        });
        break;
      case 'task.end': {
        const task = tasks.get(`${jobKey(event.pool, event.job)}/${event.index}`);
        if (task) {
          task.end = event.t;
          task.ok = event.ok;
          task.result = event.result;
        }
        break;
      }
      case 'shm.new': {
        const created = segment(event.id);
        created.created++;
        created.type = event.type;
        created.size = event.size;
        if (created.creator === null) {
          created.creator = event.pid;
          created.loc = event.loc;
          if (event.loc) created.name = event.name;
        }
        break;
      }
      case 'shm.attach': {
        const attached = segment(event.id);
        attached.attached++;
        attached.type ??= event.type;
        attached.size ??= event.size;
        break;
      }
      case 'shm.close':
        segment(event.id).closed++;
        break;
      case 'shm.unlink':
        if (event.error === null) segment(event.id).unlinked++;
        else segment(event.id);
        break;
      case 'shared.new':
        sharedValues.push({
          id: event.id, name: event.name, type: event.type, typecode: event.typecode, size: event.size,
          length: event.length, locked: event.locked, lock: event.lock, creator: event.pid, loc: event.loc,
        });
        break;
      case 'queue.task_done':
      case 'queue.join.wait':
      case 'queue.join':
      case 'queue.poll':
      case 'task.fetch.wait':
      case 'pool.shutdown.wait':
      case 'sync.new':
      case 'sync.wait.wait':
      case 'sync.wait':
      case 'sync.signal':
      case 'process.error':
      case 'process.exec':
      case 'wait.abort':
      case 'wait.still':
      case 'task.wait.wait':
      case 'task.wait':
      case 'manager.new': // a manager's queues and locks are listed with the others (queue.new, lock.new)
      case 'manager.call':
      case 'process.join.wait':
      case 'process.join':
      case 'process.terminate':
      case 'process.kill':
      case 'process.signal':
      case 'process.fault':
      case 'pool.worker':
      case 'thread.join.wait':
      case 'thread.join':
      case 'run.end':
      case 'run.hang':
        break;
      default:
        assertNever(event, 'event kind');
    }
  }

  const allProcesses = [...processes.values()].map(processSummary).sort(byStart);
  return {
    events: events.length,
    processes: allProcesses.filter((p) => p.role === null || !HELPER_ROLES.has(p.role)),
    helpers: allProcesses.filter((p) => p.role !== null && HELPER_ROLES.has(p.role)),
    threads: [...threads.values()].sort(byStart),
    queues: [...queues.values()].map(({ depthSteps, ...rest }) => ({ ...rest, maxDepth: maxDepth(depthSteps) })),
    pipes: [...pipes.values()],
    locks: [...locks.values()],
    sharedMemory: [...segments.values()].map((s) => ({ ...s, leaked: s.created > 0 && s.unlinked === 0 })),
    sharedValues,
    pools: [...pools.values()].map((p) => {
      const ran = [...tasks.values()].filter((task) => task.pool === p.id);
      return {
        ...p,
        ran: ran.length,
        failed: ran.filter((task) => task.ok === false).length,
        unfinished: ran.filter((task) => task.end === null).length,
      };
    }),
    tasks: [...tasks.values()]
      .map((task) => {
        const job = jobs.get(jobKey(task.pool, task.job));
        return { ...task, queued: job?.queued ?? null, fetched: job?.fetched ?? false, fetchError: job?.fetchError ?? null };
      })
      .sort((a, b) => a.start - b.start),
    refused,
    dropped,
  };
}

function processSummary(facts: ProcessFacts): ProcessSummary {
  // The exit status the listener observed from the OS is the truth for the main
  // process; a process's own report comes next; then what its parent learnt.
  const exit = facts.observedExit ?? facts.ownExit;
  let exitcode = exit?.code ?? facts.reaped?.code ?? null;
  let signal = exit?.signal ?? facts.reaped?.signal ?? null;
  if (exitcode === null && signal !== null) {
    const signo = signalNumber(signal);
    exitcode = signo === null ? null : -signo;
  }
  if (signal === null && exitcode !== null && exitcode < 0) signal = signalName(-exitcode);
  const firstExit = facts.ownExit ?? facts.observedExit;
  return {
    pid: facts.pid,
    name: facts.name ?? `pid ${facts.pid}`,
    role: facts.role,
    exitcode,
    signal,
    start: facts.begin ?? facts.firstSeen,
    end: firstExit?.t ?? facts.reaped?.t ?? facts.disconnect ?? null,
  };
}

/** Depth over time; at equal times the order of arrival decides. */
function maxDepth(steps: { t: number; step: 1 | -1 }[]): number {
  const inTimeOrder = steps.map((s, i) => ({ ...s, i })).sort((a, b) => a.t - b.t || a.i - b.i);
  let depth = 0;
  let max = 0;
  for (const { step } of inTimeOrder) {
    depth += step;
    max = Math.max(max, depth);
  }
  return max;
}

/** Earliest first; unknown starts last. */
function byStart(a: { start: number | null }, b: { start: number | null }): number {
  if (a.start === b.start) return 0;
  if (a.start === null) return 1;
  if (b.start === null) return -1;
  return a.start - b.start;
}

function getOrCreate<V>(map: Map<string, V>, key: string, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

function nameFromLoc(family: string, id: string, loc: string | undefined): string {
  return loc ? `${family}@${loc}` : id;
}
