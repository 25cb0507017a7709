// The run model: events in, the state of every process, thread, queue, lock,
// Event and task out, at the end or at any instant. Built incrementally, one
// event at a time, the same way from a live run and from a .pvtrace file.
//
// Events of one thread arrive in order; processes send theirs in batches, so
// events of different processes arrive interleaved out of time order. Every
// structure here accepts that (sorted inserts, pairs completed by whichever
// side comes second).

import { assertNever, LISTENER_TID, type EventOf, type TraceEvent } from '../events';
import { signalName, signalNumber } from '../signals';
import { placesOf } from '../ingest/event-record';
import type { ScannedText } from '../ingest/scan';
import { listOfObjects } from './columns';
import { LockModel } from './locks';
import { QueueModel } from './queues';
import type {
  BlockedInterval, Frame, JobModel, LaneModel, PipeModel, PoolModel, ProcessEndEvidence, ProcessModel, SegmentModel, SharedValueModel, SyncModel, TaskModel,
  Wait, WaitOp,
} from './types';

/** Waits shorter than this that were not announced get no interval of their own (noise at any zoom). */
const SHORTEST_BLOCKED_NS = 100_000;

/**
 * The time of the event addRaw reads, passed through this field (a double,
 * being made -0) on its way to the code that compares and subtracts times.
 * Read from the event's values, a time below 2^31 ns is a small integer, and
 * V8 compiled that code for small integers only, then threw it away (most of
 * the reading loop with it) when times passed 2^31 ns, 2.1 s into a run.
 * Read from a double field, it is a number like any other from the start.
 */
const eventTime = { now: -0 };

const HELPER_ROLES = new Set(['resource_tracker', 'forkserver']);

/** Lower is better evidence of when a process ended. */
const END_EVIDENCE_RANK: Readonly<Record<ProcessEndEvidence, number>> = { exit: 0, observed: 1, parent: 2, disconnect: 3 };

/** The events that end an announced wait, by the op of the wait. */
const OP_ENDED_BY: Readonly<Partial<Record<TraceEvent['kind'], WaitOp>>> = {
  'process.join': 'process.join',
  'thread.join': 'thread.join',
  'queue.join': 'queue.join',
  'pipe.send': 'pipe.send',
  'pipe.recv': 'pipe.recv',
  'task.fetch': 'task.fetch',
  'pool.shutdown': 'pool.shutdown',
  'sync.wait': 'sync',
  'task.wait': 'task.wait',
  // And queue.put, queue.get and lock.acquire (a lock's wait): their own methods end those.
};

// Where addRaw finds the values of the kinds it takes.
const QUEUE_PUT = placesOf('queue.put');
const QUEUE_SEND = placesOf('queue.send');
const QUEUE_GET = placesOf('queue.get');
const LOCK_ACQUIRE = placesOf('lock.acquire');
const LOCK_RELEASE = placesOf('lock.release');

/**
 * The values addRaw can take as a ScannedText rather than a string (a trace
 * reader's bytesPlaces): a queue item's repr is kept as bytes (Texts), and
 * most are never made strings.
 */
export const TEXT_PLACES: Readonly<Record<string, number>> = { 'queue.put': QUEUE_PUT.repr };

export class RunModel {
  readonly processes = new Map<number, ProcessModel>();
  readonly lanes = new Map<string, LaneModel>();
  readonly queues = new Map<string, QueueModel>();
  readonly locks = new Map<string, LockModel>();
  readonly syncs = new Map<string, SyncModel>();
  readonly pipes = new Map<string, PipeModel>();
  readonly pools = new Map<string, PoolModel>();
  readonly jobs = new Map<string, JobModel>();
  readonly tasks = new Map<string, TaskModel>();
  /** Shared memory segments, by id (`shm:<segment name>`). */
  readonly segments = new Map<string, SegmentModel>();
  /** The Values and Arrays the user's code made, in the order they were made. */
  readonly sharedValues: SharedValueModel[] = [];
  /** Events added. */
  events = 0;
  /**
   * The latest event time seen. -0, not 0: V8 lays a field out as the first
   * value put in it has it, and a small integer (0) made every method of the
   * model drop its compiled code when the first time past 2^31 ns came.
   */
  end = -0;
  /** The run is over (`run.end` seen): its main exit status. */
  runEnd: { code: number | null; signal: string | null } | null = null;
  refused = 0;
  dropped = 0;
  /** Non-blocking looks at an empty queue (and empty()/qsize()/full() polls), by the line that made them (busy waits). */
  readonly emptyPolls = new Map<string, { count: number; queue: string; pid: number; lane: string | null }>();
  /** When `procview run` saw the run hang. */
  readonly hangs: number[] = [];
  private readonly pipeOfEnd = new Map<string, string>();
  /** The primitives made under each name, in the order they were made (distinctName). */
  private readonly idsByName = new Map<string, string[]>();
  /** The key of the latest lane of each thread ident (`pid:ident`), when it is not `pid:ident` itself (the ident was reused). */
  private readonly latestLane = new Map<string, string>();
  /** Every lane of an ident that more than one thread had (`pid:ident`), in the order they began. */
  private readonly identLanes = new Map<string, LaneModel[]>();
  // Events come in runs from one thread: remember the last lane and the last use.
  private lastLane: LaneModel | undefined;
  private lastUsePid = 0;
  private lastUseId = '';

  add(event: TraceEvent): void {
    // The kinds most of a trace is made of have a method each, which addRaw calls too.
    switch (event.kind) {
      case 'queue.put':
        this.queuePut(event.t, event.pid, event.tid, event.id, event.seq, event.loc, event.repr, event.waited, event.outcome, event.size, event.crc);
        return;
      case 'queue.send':
        this.queueSend(event.t, event.pid, event.tid, event.id, event.seq, event.size, event.crc);
        return;
      case 'queue.get':
        this.queueGet(event.t, event.pid, event.tid, event.id, event.loc, event.block, event.waited, event.outcome, event.size, event.crc, event.seq);
        return;
      case 'lock.acquire':
        this.lockAcquire(event.t, event.pid, event.tid, event.id, event.loc, event.waited, event.outcome);
        return;
      case 'lock.release':
        this.lockRelease(event.t, event.pid, event.tid, event.id, event.loc);
        return;
    }
    const lane = this.arrive(event.t, event.pid, event.tid, event.kind);
    const endsOp = OP_ENDED_BY[event.kind];
    if (lane && endsOp) {
      const { waited, outcome, loc } = event as { waited?: unknown; outcome?: unknown; loc?: unknown };
      // A join that was not announced: its thread, as of when the join began.
      const target =
        event.kind === 'thread.join' ? this.threadKey(event.pid, event.target, event.t - (typeof waited === 'number' ? waited : 0)) : waitTarget(event);
      this.endWait(lane, endsOp, event.t, waited, outcome, target, loc);
    }

    switch (event.kind) {
      case 'process.begin': {
        const proc = this.process(event.pid, event.t);
        proc.name = event.name;
        proc.role = event.role;
        proc.ppid = event.ppid;
        proc.method = event.method;
        proc.start = Math.min(proc.start, event.t);
        proc.helper = HELPER_ROLES.has(event.role);
        if (/PoolWorker-\d+$/.test(event.name)) proc.workerOf ??= 'Pool';
        if (lane) lane.name = event.name;
        break;
      }
      case 'process.exit': {
        const proc = this.process(event.pid, event.t);
        if (event.how !== 'observed') proc.reported = true;
        // The listener's observation of the main process is the truth; the process's own report next.
        if (event.how === 'observed' || proc.how === null) {
          proc.how = event.how;
          this.setExit(proc, event.code, event.signal);
        }
        this.dropped += typeof event.dropped === 'number' ? event.dropped : 0;
        this.endProcess(proc, event.t, event.how === 'observed' ? 'observed' : 'exit');
        break;
      }
      case 'process.error': {
        const proc = this.process(event.pid, event.t);
        proc.error ??= {
          type: event.type, message: event.message, file: event.file ?? null, line: event.line ?? null, traceback: event.traceback ?? null,
        };
        break;
      }
      case 'process.disconnect':
        this.endProcess(this.process(event.pid, event.t), event.t, 'disconnect');
        break;
      case 'process.spawn': {
        const child = this.process(event.child, event.t);
        if (child.name === `pid ${event.child}`) child.name = event.name;
        child.ppid ??= event.pid;
        child.spawnLoc ??= event.loc;
        child.method ??= event.method;
        if (event.method === 'subprocess') child.role ??= 'program';
        break;
      }
      case 'process.reaped': {
        const child = this.process(event.child, event.t);
        if (child.exitcode === null && child.signal === null) this.setExit(child, event.code, event.signal);
        this.endProcess(child, event.t, 'parent');
        break;
      }
      case 'process.join.wait':
        if (lane) this.beginWait(lane, event, 'process.join', String(event.target));
        break;
      case 'process.join':
        if (event.code !== null) {
          const target = this.process(event.target, event.t);
          target.joined = true;
          if (target.exitcode === null && target.signal === null) this.setExit(target, event.code, null);
          this.endProcess(target, event.t, 'parent');
        }
        break;
      case 'process.terminate':
      case 'process.kill':
        this.process(event.target, event.t).terminated ??= {
          t: event.t, loc: event.loc, how: event.kind === 'process.kill' ? 'kill' : 'terminate',
          atExit: event.kind === 'process.terminate' && event.by === 'exit',
        };
        break;
      case 'process.signal':
        if (event.target === event.pid) this.process(event.pid, event.t).signalledSelf = { t: event.t, signal: event.signal, loc: event.loc };
        break;
      case 'process.fault':
        this.process(event.pid, event.t).fault = { t: event.t, signal: event.signal, thread: event.thread, loc: event.loc, stack: event.stack };
        break;
      case 'process.exec':
        break;
      case 'exit.wait': {
        // Threads first (the interpreter's wait), then children (multiprocessing's), or the other
        // way round in a child process: one exit wait, waiting for all of them.
        const awaited = this.process(event.pid, event.t).awaitedAtExit;
        awaited.threads.push(...event.threads);
        awaited.children.push(...event.children);
        if (lane) this.beginWait(lane, event, 'exit', String(event.pid));
        break;
      }
      case 'thread.start': {
        // Recorded once start() returned: the new thread's own begin is already in
        // the same process's stream, so this is that thread, even if it already ended.
        const started = this.threadLane(event.pid, event.target, event.t, false);
        started.name = event.name;
        started.daemon = event.daemon;
        started.internal = event.internal;
        started.startLoc = event.loc;
        break;
      }
      case 'thread.begin':
        if (lane) {
          lane.name = event.name;
          lane.daemon = event.daemon;
          lane.native = event.native;
        }
        break;
      case 'thread.exit':
        if (lane) {
          lane.error = event.error;
          this.endLane(lane, event.t);
        }
        break;
      case 'thread.join.wait':
        if (lane) this.beginWait(lane, event, 'thread.join', this.threadKey(event.pid, event.target, event.t));
        break;
      case 'thread.join':
        break;
      case 'queue.new': {
        const queue = this.queue(event.id, event.loc);
        queue.name = this.distinctName(event.name || queue.name, queue.id);
        queue.type = event.type;
        queue.maxsize = event.maxsize;
        queue.loc = event.loc;
        queue.made = event.t;
        queue.creator ??= event.pid;
        this.uses(event.pid, event.id);
        break;
      }
      case 'queue.put.wait':
        this.queue(event.id, event.loc);
        if (lane) this.beginWait(lane, event, 'queue.put', event.id);
        this.uses(event.pid, event.id);
        break;
      case 'queue.lost':
        this.queue(event.id, null).markLost(event.pid, event.seq, event.error);
        break;
      case 'queue.get.wait':
        this.queue(event.id, event.loc);
        if (lane) this.beginWait(lane, event, 'queue.get', event.id);
        this.uses(event.pid, event.id);
        break;
      case 'queue.buffered': {
        this.queue(event.id, null).buffered += event.count;
        const proc = this.process(event.pid, event.t);
        proc.buffered.set(event.id, (proc.buffered.get(event.id) ?? 0) + event.count);
        // The process is on its way out and waits for its feeder to write these.
        if (lane && !this.openWait(lane)) this.beginWait(lane, event, 'exit', String(event.pid));
        break;
      }
      case 'queue.task_done':
        this.uses(event.pid, event.id);
        this.queue(event.id, null).taskDone(event.t, event.loc);
        break;
      case 'queue.join.wait':
        if (lane) this.beginWait(lane, event, 'queue.join', event.id);
        break;
      case 'queue.join':
        break;
      case 'queue.poll':
        this.uses(event.pid, event.id);
        this.countPolls(event.loc, event.id, event.pid, lane, event.count);
        break;
      case 'pipe.new': {
        for (const end of event.ends) this.pipeOfEnd.set(end, event.id);
        const pipe = this.pipe(event.id, event.loc);
        pipe.ends = event.ends;
        pipe.duplex = event.duplex;
        pipe.name = this.distinctName(event.name || pipe.name, pipe.id);
        pipe.loc = event.loc;
        this.uses(event.pid, event.id);
        break;
      }
      case 'pipe.send':
        this.pipe(this.pipeOfEnd.get(event.end) ?? event.end, event.loc).sends++;
        this.uses(event.pid, this.pipeOfEnd.get(event.end) ?? event.end);
        break;
      case 'pipe.send.wait': {
        // A send on a full pipe: its reader is behind, or waits itself.
        const pipe = this.pipeOfEnd.get(event.end) ?? event.end;
        this.pipe(pipe, event.loc);
        if (lane) this.beginWait(lane, event, 'pipe.send', pipe);
        this.uses(event.pid, pipe);
        break;
      }
      case 'pipe.recv.wait':
        this.pipe(this.pipeOfEnd.get(event.end) ?? event.end, event.loc);
        if (lane) this.beginWait(lane, event, 'pipe.recv', this.pipeOfEnd.get(event.end) ?? event.end);
        break;
      case 'pipe.recv':
        this.pipe(this.pipeOfEnd.get(event.end) ?? event.end, event.loc).recvs++;
        this.uses(event.pid, this.pipeOfEnd.get(event.end) ?? event.end);
        break;
      case 'lock.new': {
        const lock = this.lock(event.id, event.loc);
        lock.name = this.distinctName(event.name || lock.name, lock.id);
        lock.type = event.type;
        lock.value = event.value;
        lock.scope = event.scope;
        lock.loc = event.loc;
        lock.made = event.t;
        lock.creator ??= event.pid;
        this.uses(event.pid, event.id);
        break;
      }
      case 'lock.wait':
        this.lock(event.id, event.loc).contended++;
        if (lane) this.beginWait(lane, event, 'lock', event.id);
        break;
      case 'pool.new': {
        const pool = this.pool(event.id);
        pool.name = event.name || pool.name;
        pool.type = event.type;
        pool.workers = event.processes;
        pool.owner = event.pid;
        pool.loc = event.loc;
        break;
      }
      case 'task.submit': {
        if (event.pool !== null) this.pool(event.pool);
        const job = this.job(event.pool, event.job, event.t, event.pid);
        job.submitted = event.t;
        job.submitSeen = true;
        job.submitter = event.pid;
        job.func = event.func;
        job.loc = event.loc;
        job.count = event.count;
        job.callback = event.callback;
        job.errorCallback = event.errback ?? null;
        break;
      }
      case 'pool.worker':
        // Known as a worker before its first task: while it waits for one it is idle, not running.
        if (lane?.main) this.process(event.pid, event.t).workerOf = event.pool;
        break;
      case 'task.begin': {
        const key = `${event.pool}/${event.job}/${event.index}`;
        const task: TaskModel = {
          key, pool: event.pool, job: event.job, index: event.index, func: event.func, args: event.args, items: event.items,
          worker: event.pid, thread: event.tid, lane: lane?.key ?? '', start: event.t, end: null, ok: null, result: null, where: null,
        };
        this.tasks.set(key, task);
        this.job(event.pool, event.job, event.t, event.pid).tasks.push(key);
        if (lane) {
          lane.task = key;
          lane.tasks.push(task);
        }
        const proc = this.process(event.pid, event.t);
        if (lane?.main) proc.workerOf = event.pool;
        break;
      }
      case 'task.end': {
        const task = this.tasks.get(`${event.pool}/${event.job}/${event.index}`);
        if (task) {
          task.end = event.t;
          task.ok = event.ok;
          task.result = event.result;
          task.where = event.where ?? null;
        }
        if (lane) lane.task = null;
        break;
      }
      case 'task.fetch.wait':
        if (lane) this.beginWait(lane, event, 'task.fetch', `${event.pool ?? ''}/${event.job}`);
        break;
      case 'task.fetch': {
        const job = this.job(event.pool, event.job, event.t, event.pid);
        job.fetched = true;
        job.fetchError = event.error ?? null;
        break;
      }
      case 'task.cancel':
        this.pool(event.pool);
        this.job(event.pool, event.job, event.t, event.pid).cancelled = true;
        break;
      case 'pool.shutdown.wait':
        if (lane) this.beginWait(lane, event, 'pool.shutdown', event.pool);
        break;
      case 'task.wait.wait':
        // The futures it still waits for, as jobs (`pool/job`), space-separated.
        if (lane) this.beginWait(lane, event, 'task.wait', event.tasks.map(([pool, job]) => `${pool}/${job}`).join(' '));
        break;
      case 'task.wait':
        break;
      case 'pool.shutdown':
        this.pool(event.pool).shutdown = true;
        break;
      case 'pool.broken':
        this.pool(event.pool).broken ??= event.error;
        break;
      case 'sync.new': {
        const sync = this.sync(event.id, event.loc);
        sync.name = this.distinctName(event.name || sync.name, sync.id);
        sync.type = event.type;
        sync.scope = event.scope;
        sync.parties = event.value;
        sync.loc = event.loc;
        sync.made = event.t;
        this.uses(event.pid, event.id);
        break;
      }
      case 'sync.wait.wait':
        if (lane) this.beginWait(lane, event, 'sync', event.id);
        this.uses(event.pid, event.id);
        break;
      case 'sync.wait':
        break;
      case 'sync.signal': {
        const sync = this.sync(event.id, event.loc);
        if (event.op === 'set') sync.isSet = true;
        else if (event.op === 'clear') sync.isSet = false;
        sync.signals.push({ t: event.t, pid: event.pid, tid: event.tid, op: event.op, loc: event.loc });
        this.uses(event.pid, event.id);
        break;
      }
      case 'manager.new':
        if (event.server !== null) this.process(event.server, event.t).server = true;
        break;
      case 'wait.abort':
        if (lane) this.abortWait(lane, event);
        break;
      case 'wait.still': {
        // Still the same wait: it began `waited` ago (the announcement came after the first slice).
        const open = lane ? this.openWait(lane) : null;
        if (open) open.start = Math.min(open.start, event.t - event.waited);
        break;
      }
      case 'run.refused':
        this.refused++;
        break;
      case 'run.end':
        this.runEnd = { code: event.code, signal: event.signal };
        break;
      case 'run.hang':
        this.hangs.push(event.t);
        break;
      case 'shm.new': {
        const segment = this.segment(event.id);
        segment.created++;
        segment.type = event.type;
        segment.size = event.size;
        // The first creation seen names it; a creation without a line (the library's own) keeps the segment's name.
        if (segment.creator === null) {
          segment.creator = event.pid;
          segment.loc = event.loc;
          if (event.loc) segment.name = event.name;
        }
        break;
      }
      case 'shm.attach': {
        const segment = this.segment(event.id);
        segment.attached++;
        segment.type ??= event.type;
        segment.size ??= event.size;
        break;
      }
      case 'shm.close':
        this.segment(event.id).closed++;
        break;
      case 'shm.unlink': {
        const segment = this.segment(event.id);
        if (event.error === null) segment.unlinked++;
        break;
      }
      case 'shared.new':
        this.sharedValues.push({
          id: event.id, name: event.name, type: event.type, typecode: event.typecode, size: event.size,
          length: event.length, locked: event.locked, lock: event.lock, creator: event.pid, loc: event.loc,
        });
        break;
      case 'manager.call':
        break;
      default:
        assertNever(event, 'event kind');
    }
  }

  /**
   * Adds an event given by place, as a RawEvent of this version lays it out
   * (KIND_FIELDS), with its head checked (a finite t, integer pid and tid, its
   * kind's own string): what add() does with it named, without the object. Its
   * values are as unchecked as a named event's fields. Takes the kinds most of
   * a trace is made of and returns false for any other, to be named and added.
   * `raw` is not kept (a reader may reuse it for the next line).
   */
  addRaw(raw: readonly unknown[]): boolean {
    eventTime.now = raw[0] as number;
    const t = eventTime.now;
    const pid = raw[1] as number;
    const tid = raw[2] as number;
    switch (raw[3]) {
      case 'queue.put':
        this.queuePut(
          t, pid, tid, raw[QUEUE_PUT.id] as string, raw[QUEUE_PUT.seq] as number | null, raw[QUEUE_PUT.loc] as string, raw[QUEUE_PUT.repr] as string | ScannedText,
          raw[QUEUE_PUT.waited] as number, raw[QUEUE_PUT.outcome] as string, raw[QUEUE_PUT.size] as number | null, raw[QUEUE_PUT.crc] as number | null,
        );
        return true;
      case 'queue.send':
        this.queueSend(
          t, pid, tid, raw[QUEUE_SEND.id] as string, raw[QUEUE_SEND.seq] as number | null, raw[QUEUE_SEND.size] as number, raw[QUEUE_SEND.crc] as number,
        );
        return true;
      case 'queue.get':
        this.queueGet(
          t, pid, tid, raw[QUEUE_GET.id] as string, raw[QUEUE_GET.loc] as string, raw[QUEUE_GET.block] as boolean, raw[QUEUE_GET.waited] as number,
          raw[QUEUE_GET.outcome] as string, raw[QUEUE_GET.size] as number | null, raw[QUEUE_GET.crc] as number | null, raw[QUEUE_GET.seq] as number | null,
        );
        return true;
      case 'lock.acquire':
        this.lockAcquire(
          t, pid, tid, raw[LOCK_ACQUIRE.id] as string, raw[LOCK_ACQUIRE.loc] as string, raw[LOCK_ACQUIRE.waited] as number, raw[LOCK_ACQUIRE.outcome] as string,
        );
        return true;
      case 'lock.release':
        this.lockRelease(t, pid, tid, raw[LOCK_RELEASE.id] as string, raw[LOCK_RELEASE.loc] as string);
        return true;
      default:
        return false;
    }
  }

  /** The key of the lane of thread `ident` of `pid` at `t` (a join's target): `pid:ident` for a thread not seen yet. */
  threadKey(pid: number, tid: number, t: number): string {
    return this.laneAt(pid, tid, t)?.key ?? `${pid}:${tid}`;
  }

  /** The thread a join waits for (its wait's target, threadKey). */
  joinedLane(target: string): LaneModel | undefined {
    return this.lanes.get(target);
  }

  /**
   * `name` for primitive `id`, told apart from the others of that name: two
   * queues made on one line (`inbox, outbox = Queue(), Queue()`) would both be
   * Queue@a.py:21; the second made is Queue@a.py:21#2.
   */
  private distinctName(name: string, id: string): string {
    let ids = this.idsByName.get(name);
    if (!ids) {
      ids = [];
      this.idsByName.set(name, ids);
    }
    let index = ids.indexOf(id);
    if (index < 0) index = ids.push(id) - 1;
    return index === 0 ? name : `${name}#${index + 1}`;
  }

  /** The open (announced or still running) wait of a lane, if it is blocked. */
  openWait(lane: LaneModel): BlockedInterval | null {
    const last = lane.blocked[lane.blocked.length - 1];
    return last?.end === null ? last : null;
  }

  /** Created in the run and never unlinked (the resource tracker may remove it at shutdown, with a warning). */
  isLeaked(segment: SegmentModel): boolean {
    return segment.created > 0 && segment.unlinked === 0;
  }

  /** The process is still running (nothing says it ended). */
  isAlive(proc: ProcessModel): boolean {
    return proc.end === null;
  }

  lanesOf(proc: ProcessModel): LaneModel[] {
    return proc.lanes.map((key) => this.lanes.get(key)).filter((lane): lane is LaneModel => lane !== undefined);
  }

  /** The latest lane of thread `ident` of `pid`: the live thread of that ident, if one is. */
  lane(pid: number, tid: number): LaneModel | undefined {
    const ident = `${pid}:${tid}`;
    return this.lanes.get(this.latestLane.get(ident) ?? ident);
  }

  /**
   * The lane of thread `ident` of `pid` at `t`: CPython reuses an ident once its
   * thread ended, so an ident names a thread only together with a time (the
   * latest of its lanes that began by `t`; the first, for a `t` before them all).
   */
  laneAt(pid: number, tid: number, t: number): LaneModel | undefined {
    const lanes = this.identLanes.get(`${pid}:${tid}`);
    if (!lanes) return this.lane(pid, tid);
    for (let i = lanes.length - 1; i > 0; i--) {
      const lane = lanes[i];
      if (lane && lane.start <= t) return lane;
    }
    return lanes[0];
  }

  process(pid: number, t: number): ProcessModel {
    let proc = this.processes.get(pid);
    if (!proc) {
      proc = {
        pid, name: `pid ${pid}`, role: null, ppid: null, method: null, spawnLoc: null, start: t, end: null, endedBy: null,
        exitcode: null, signal: null, how: null, error: null, helper: false, server: false, workerOf: null,
        mainTid: null, lanes: [], joined: false, terminated: null, signalledSelf: null, fault: null, awaitedAtExit: { threads: [], children: [] },
        buffered: new Map(), used: new Set(), reported: false,
      };
      this.processes.set(pid, proc);
    } else if (t < proc.start) proc.start = t;
    return proc;
  }

  // Primitives whose creation was not seen still count, named after their first use.
  // Found first, made only when missing: these run for nearly every event.
  queue(id: string, loc: string | null): QueueModel {
    return this.queues.get(id) ?? made(this.queues, id, new QueueModel(id, loc, this.end));
  }

  lock(id: string, loc: string | null): LockModel {
    return this.locks.get(id) ?? made(this.locks, id, new LockModel(id, loc, this.end));
  }

  sync(id: string, loc: string | null): SyncModel {
    return (
      this.syncs.get(id) ??
      made(this.syncs, id, {
        id, name: loc ? `Event@${loc}` : id, type: null, scope: null, parties: null, loc, made: this.end, isSet: false, signals: [],
      })
    );
  }

  pool(id: string): PoolModel {
    return (
      this.pools.get(id) ??
      made(this.pools, id, { id, name: id, type: null, workers: null, owner: null, loc: null, broken: null, shutdown: false })
    );
  }

  job(pool: string | null, job: number, t: number, pid: number): JobModel {
    const key = jobKey(pool, job);
    let model = this.jobs.get(key);
    if (!model) {
      model = {
        pool, job, submitted: t, submitSeen: false, submitter: pid, func: null, loc: null, count: null, callback: false, errorCallback: null,
        fetched: false, fetchError: null, cancelled: false, tasks: [],
      };
      this.jobs.set(key, model);
    }
    return model;
  }

  /** The job a task is part of. */
  jobOf(task: TaskModel): JobModel | undefined {
    return this.jobs.get(jobKey(task.pool, task.job));
  }

  private segment(id: string): SegmentModel {
    let segment = this.segments.get(id);
    if (!segment) {
      const name = id.startsWith('shm:') ? id.slice(4) : id;
      segment = {
        id, segment: name, name, type: null, size: null, creator: null, loc: null, created: 0, attached: 0, closed: 0, unlinked: 0,
      };
      this.segments.set(id, segment);
    }
    return segment;
  }

  private pipe(id: string, loc: string | null): PipeModel {
    return this.pipes.get(id) ?? made(this.pipes, id, { id, name: loc ? `Pipe@${loc}` : id, ends: [], duplex: null, loc, sends: 0, recvs: 0 });
  }

  private countEmptyPoll(loc: string, queue: string, pid: number, lane: LaneModel | null): void {
    const polls = this.emptyPolls.get(loc);
    if (polls) polls.count++;
    else this.emptyPolls.set(loc, { count: 1, queue, pid, lane: lane?.key ?? null });
  }

  /** `empty()`/`qsize()`/`full()` calls from one line: the runtime sends the count so far, now and then. */
  private countPolls(loc: string, queue: string, pid: number, lane: LaneModel | null, count: number): void {
    const polls = this.emptyPolls.get(loc);
    if (polls) polls.count = Math.max(polls.count, count);
    else this.emptyPolls.set(loc, { count, queue, pid, lane: lane?.key ?? null });
  }

  private uses(pid: number, id: string): void {
    if (pid === 0 || (this.lastUsePid === pid && this.lastUseId === id)) return;
    this.process(pid, this.end).used.add(id);
    this.lastUsePid = pid;
    this.lastUseId = id;
  }

  private queuePut(
    t: number, pid: number, tid: number, id: string, seq: number | null, loc: string, repr: string | ScannedText,
    waited: number, outcome: string, size: number | null, crc: number | null,
  ): void {
    const lane = this.arrive(t, pid, tid, 'queue.put');
    if (lane) this.endWait(lane, 'queue.put', t, waited, outcome, id, loc);
    this.uses(pid, id);
    // A put that failed (full, timeout) still shows the queue, if nothing else did.
    const queue = this.queue(id, loc);
    if (outcome === 'ok') queue.put(t, pid, tid, loc, repr, seq, size, crc);
  }

  private queueSend(t: number, pid: number, tid: number, id: string, seq: number | null, size: number, crc: number): void {
    this.arrive(t, pid, tid, 'queue.send');
    this.queue(id, null).send(t, pid, seq, size, crc);
  }

  private queueGet(
    t: number, pid: number, tid: number, id: string, loc: string, block: boolean, waited: number, outcome: string,
    size: number | null, crc: number | null, seq: number | null,
  ): void {
    const lane = this.arrive(t, pid, tid, 'queue.get');
    if (lane) this.endWait(lane, 'queue.get', t, waited, outcome, id, loc);
    this.uses(pid, id);
    const queue = this.queue(id, loc);
    if (outcome === 'ok') queue.get(t, pid, tid, loc, size, crc, seq);
    else if (!block) this.countEmptyPoll(loc, id, pid, lane);
  }

  private lockAcquire(t: number, pid: number, tid: number, id: string, loc: string, waited: number, outcome: string): void {
    const lane = this.arrive(t, pid, tid, 'lock.acquire');
    if (lane) this.endWait(lane, 'lock', t, waited, outcome, id, loc);
    this.uses(pid, id);
    // A call that timed out or found the lock busy still waited: it counts for the longest wait.
    const lock = this.lock(id, loc);
    lock.returned(waited);
    if (outcome === 'ok' && lane) lock.acquire(t, pid, tid, lane.key, loc);
  }

  private lockRelease(t: number, pid: number, tid: number, id: string, loc: string): void {
    const lane = this.arrive(t, pid, tid, 'lock.release');
    if (lane) this.lock(id, loc).release(t, lane.key);
  }

  /** Counts an event in, and returns the lane of its thread (null for the listener's own events). */
  private arrive(t: number, pid: number, tid: number, kind: TraceEvent['kind']): LaneModel | null {
    this.events++;
    if (t > this.end) this.end = t;
    if (pid === 0 || tid === LISTENER_TID) return null;
    const lane = this.laneFor(pid, tid, t, kind);
    if (t > lane.last) lane.last = t;
    return lane;
  }

  private laneFor(pid: number, tid: number, t: number, kind: TraceEvent['kind']): LaneModel {
    const last = this.lastLane;
    if (last?.pid === pid && last.tid === tid && kind !== 'thread.begin' && kind !== 'process.begin') {
      if (t < last.start) last.start = t;
      return last;
    }
    const proc = this.process(pid, t);
    if (kind === 'process.begin') proc.mainTid ??= tid;
    this.lastLane = this.threadLane(pid, tid, t, kind === 'thread.begin');
    return this.lastLane;
  }

  /**
   * `starting`: a thread that starts under the ident of one that ended is a new
   * lane, `pid:ident#n` for the n-th thread of that ident. A lane's key never
   * changes: the holds, tasks and polls that name the thread that ended stay its own.
   */
  private threadLane(pid: number, tid: number, t: number, starting: boolean): LaneModel {
    const ident = `${pid}:${tid}`;
    let lane = this.lanes.get(this.latestLane.get(ident) ?? ident);
    if (lane && starting && lane.end !== null) {
      const lanes = this.identLanes.get(ident) ?? made(this.identLanes, ident, [lane]);
      const next = this.newLane(`${ident}#${lanes.length + 1}`, pid, tid, t);
      lanes.push(next);
      this.latestLane.set(ident, next.key);
      if (this.lastLane === lane) this.lastLane = undefined;
      lane = next;
    } else if (!lane) lane = this.newLane(ident, pid, tid, t);
    else if (t < lane.start) lane.start = t;
    if (!lane.main && this.processes.get(pid)?.mainTid === tid) lane.main = true;
    return lane;
  }

  private newLane(key: string, pid: number, tid: number, t: number): LaneModel {
    const proc = this.process(pid, t);
    // A process whose lanes appear before its begin: the main thread is the first one seen.
    const main = proc.mainTid === tid;
    // Times made -0 first, then set, as RunModel.end: laid out as doubles from the first lane on.
    // `blocked` a list of objects from the start: the compiled code that reads a lane's last
    // interval, made for lanes that had waited, was thrown away at the first lane that had not.
    const lane: LaneModel = {
      key, pid, tid, name: main ? proc.name : `thread ${tid}`, main, native: null, internal: false, daemon: false, startLoc: null,
      start: -0, end: null, error: null, blocked: listOfObjects<BlockedInterval>(), task: null, tasks: [], last: -0,
    };
    lane.start = t;
    lane.last = t;
    this.lanes.set(key, lane);
    proc.lanes.push(key);
    return lane;
  }

  private beginWait(lane: LaneModel, event: TraceEvent, op: WaitOp, target: string): void {
    const loc = 'loc' in event && typeof event.loc === 'string' ? event.loc : null;
    const open = this.openWait(lane);
    if (open) {
      // An announcement for the wait already open (re-announced): keep the first.
      if (open.wait.op === op && open.wait.target === target) return;
      open.end = event.t;
      open.outcome = 'unknown';
    }
    lane.blocked.push(blockedInterval(event.t, null, { op, target, loc, stack: stackOf(event) }, null, true));
  }

  /**
   * An event that ends a wait of `op`: it ends the lane's open wait, or is a
   * wait too short to have been announced. Its fields as the event has them
   * (any of them may be missing or malformed).
   */
  private endWait(lane: LaneModel, op: WaitOp, t: number, waitedField: unknown, outcomeField: unknown, target: unknown, locField: unknown): void {
    const waited = typeof waitedField === 'number' ? waitedField : 0;
    const outcome = typeof outcomeField === 'string' ? outcomeField : 'ok';
    const open = this.openWait(lane);
    if (open?.wait.op === op) {
      open.end = t;
      if (waited > 0) open.start = Math.min(open.start, t - waited);
      open.outcome = outcome;
      return;
    }
    if (waited < SHORTEST_BLOCKED_NS || typeof target !== 'string') return;
    const loc = typeof locField === 'string' ? locField : null;
    const interval = blockedInterval(t - waited, t, { op, target, loc, stack: null }, outcome, false);
    // Kept in time order even when an open wait is pending (a nested wait of the library's).
    const at = open ? lane.blocked.length - 1 : lane.blocked.length;
    lane.blocked.splice(at, 0, interval);
  }

  private abortWait(lane: LaneModel, event: EventOf<'wait.abort'>): void {
    const open = this.openWait(lane);
    if (!open) return;
    open.end = event.t;
    open.outcome = event.error;
  }

  private endLane(lane: LaneModel, t: number): void {
    if (lane.end !== null) return;
    lane.end = Math.max(t, lane.start);
    const open = this.openWait(lane);
    if (open) {
      open.end = lane.end;
      open.outcome = 'ended';
    }
    lane.task = null;
  }

  /**
   * Evidence that a process ended comes from several processes, in any order
   * (a parent's reap may arrive before the child's own exit): the best kind
   * seen decides, the earliest of that kind. Lanes its end had ended move with it.
   */
  private endProcess(proc: ProcessModel, t: number, by: ProcessEndEvidence): void {
    const previous = proc.end;
    const end = Math.max(t, proc.start);
    const better =
      previous === null || proc.endedBy === null || END_EVIDENCE_RANK[by] < END_EVIDENCE_RANK[proc.endedBy] ||
      (by === proc.endedBy && end < previous);
    if (better) {
      proc.end = end;
      proc.endedBy = by;
    }
    for (const lane of this.lanesOf(proc)) {
      if (better && previous !== null && lane.end === previous) this.moveLaneEnd(lane, previous, end);
      else this.endLane(lane, proc.end ?? end);
    }
  }

  /** A lane its process's end had ended at `previous`: it ended at `end` instead, with the wait it was in. */
  private moveLaneEnd(lane: LaneModel, previous: number, end: number): void {
    lane.end = Math.max(end, lane.start);
    const last = lane.blocked[lane.blocked.length - 1];
    if (last?.end === previous && last.outcome === 'ended') last.end = Math.max(lane.end, last.start);
  }

  /** Reports give the code or the signal, not always both: a negative code is a signal's number, so each fills in the other. */
  private setExit(proc: ProcessModel, code: number | null, signal: string | null): void {
    if (code === null && signal !== null) {
      const signo = signalNumber(signal);
      code = signo === null ? null : -signo;
    }
    if (signal === null && code !== null && code < 0) signal = signalName(-code);
    proc.exitcode = code;
    proc.signal = signal;
  }
}

/**
 * Every blocked interval is made here, in one shape from the start. V8 lays
 * out an object's fields by the first values they held: `start` a small
 * integer until times pass 2^31 ns (2.1 s into a run), `end` null or a number.
 * Each change of layout threw away the compiled code that reads a lane's last
 * interval (the reading loop with it). Made with -0 (a double) in both, the
 * layout takes every later value without changing again (but once, at the
 * first null end, early in a run).
 */
function blockedInterval(start: number, end: number | null, wait: Wait, outcome: string | null, announced: boolean): BlockedInterval {
  const interval: BlockedInterval = { start: -0, end: -0, wait, outcome, announced };
  interval.start = start;
  interval.end = end;
  return interval;
}

/** `value`, now kept in `map` under `key` (the second half of a get-or-create). */
function made<K, V>(map: Map<K, V>, key: K, value: V): V {
  map.set(key, value);
  return value;
}

/** A job's key in `jobs`: `pool/job` (a job of no pool: `/job`). */
function jobKey(pool: string | null, job: number): string {
  return `${pool ?? ''}/${job}`;
}

/** A wait's target, from the event that ended it (a wait too short to be announced). */
function waitTarget(event: TraceEvent): string | null {
  switch (event.kind) {
    case 'process.join':
      return String(event.target);
    case 'task.fetch':
      return `${event.pool ?? ''}/${event.job}`;
    case 'pool.shutdown':
      return event.pool;
    default:
      return 'id' in event && typeof event.id === 'string' ? event.id : 'end' in event && typeof event.end === 'string' ? event.end : null;
  }
}

/** The `stack` of a wait announcement: `[[loc, function], ...]`, outermost first; null if absent or malformed. */
export function stackOf(event: object): Frame[] | null {
  const stack = (event as { stack?: unknown }).stack;
  if (!Array.isArray(stack)) return null;
  const frames: Frame[] = [];
  for (const frame of stack as unknown[]) {
    if (Array.isArray(frame) && typeof frame[0] === 'string' && typeof frame[1] === 'string') frames.push([frame[0], frame[1]]);
  }
  return frames.length > 0 ? frames : null;
}

export type { Wait };
