// The wait-for graph at one instant: each blocked thread → the resource it
// waits for → the threads that could end the wait (the lock's holder, the
// queue's producers, the joined process's threads...). A wait that nobody can
// end is a dead end, named by what makes it one.

import type { QueueModel } from '../model/queues';
import type { RunModel } from '../model/run-model';
import { blockedAt } from '../model/snapshot';
import type { BlockedInterval, LaneModel, ProcessModel, Wait } from '../model/types';

/** Why nobody can end a wait (the wait is a root cause, not a consequence). */
export type DeadEnd =
  | { kind: 'self-deadlock' }
  | { kind: 'dead-holder'; holders: { pid: number; lane: string; loc: string }[] }
  /** Nobody we saw holds it, and a process that used it died before it could say everything (events lost). */
  | { kind: 'dead-holder'; suspects: number[] }
  | { kind: 'join-undrained-queue'; queues: { id: string; count: number }[] }
  | { kind: 'get-starved' }
  | { kind: 'put-blocked' }
  | { kind: 'wait-unsignaled' }
  | { kind: 'task-lost'; worker: number | null };

export interface WaitEdge {
  to: string;
  /** Why `to` could end the wait: it holds the lock, it may put, it is the joined thread... */
  role: 'holds' | 'may-put' | 'may-get' | 'may-signal' | 'joined' | 'runs-task' | 'may-run-task' | 'may-release';
  /** For `holds`: where it took the lock. */
  loc: string | null;
}

export interface WaitNode {
  lane: LaneModel;
  proc: ProcessModel;
  interval: BlockedInterval;
  edges: WaitEdge[];
  deadEnd: DeadEnd | null;
}

export interface WaitGraph {
  t: number;
  nodes: Map<string, WaitNode>;
}

/** Lanes that take part in the program's progress at `t` (not helpers, servers, library threads between tasks). */
export function isUserLane(model: RunModel, lane: LaneModel, t: number): boolean {
  const proc = model.processes.get(lane.pid);
  if (!proc || proc.helper || proc.server) return false;
  return !lane.internal || runsTaskAt(lane, t);
}

/** A task was running on the lane at `t` (`lane.task` is only the latest state: a lane that ended has none). */
function runsTaskAt(lane: LaneModel, t: number): boolean {
  for (let i = lane.tasks.length - 1; i >= 0; i--) {
    const task = lane.tasks[i];
    if (task && task.start <= t) return task.end === null || task.end > t;
  }
  return false;
}

export function isProcessAliveAt(model: RunModel, pid: number, t: number): boolean {
  const proc = model.processes.get(pid);
  return proc !== undefined && aliveAt(proc, t);
}

export function aliveAt(proc: ProcessModel, t: number): boolean {
  return proc.start <= t && (proc.end === null || proc.end > t);
}

export function laneAliveAt(lane: LaneModel, t: number): boolean {
  return lane.start <= t && (lane.end === null || lane.end > t);
}

export function buildWaitGraph(model: RunModel, t: number): WaitGraph {
  const nodes = new Map<string, WaitNode>();
  for (const lane of model.lanes.values()) {
    if (!laneAliveAt(lane, t)) continue;
    const interval = blockedAt(lane, t);
    const proc = model.processes.get(lane.pid);
    if (!interval || !proc) continue;
    nodes.set(lane.key, { lane, proc, interval, edges: [], deadEnd: null });
  }
  for (const node of nodes.values()) explain(model, t, node);
  return { t, nodes };
}

function explain(model: RunModel, t: number, node: WaitNode): void {
  const { wait } = node.interval;
  const others = (lanes: Iterable<LaneModel>): LaneModel[] =>
    [...lanes].filter((lane) => lane.key !== node.lane.key && laneAliveAt(lane, t) && isUserLane(model, lane, t));
  const edgeTo = (lanes: Iterable<LaneModel>, role: WaitEdge['role']): void => {
    for (const lane of others(lanes)) node.edges.push({ to: lane.key, role, loc: null });
  };
  /** Edges to those who could end the wait; none left alive makes it a dead end of `kind`. */
  const edgesOrDeadEnd = (lanes: Iterable<LaneModel>, role: WaitEdge['role'], kind: 'get-starved' | 'put-blocked' | 'wait-unsignaled'): void => {
    const before = node.edges.length;
    edgeTo(lanes, role);
    if (node.edges.length === before) node.deadEnd = { kind };
  };
  switch (wait.op) {
    case 'lock': {
      const lock = model.locks.get(wait.target);
      const holders = lock?.holdersAt(t) ?? [];
      if (holders.some((hold) => hold.lane === node.lane.key) && !lock?.reentrant) {
        node.deadEnd = { kind: 'self-deadlock' };
        return;
      }
      const dead = holders.filter((hold) => {
        const holderLane = model.lanes.get(hold.lane);
        return !holderLane || !laneAliveAt(holderLane, t);
      });
      if (holders.length > 0 && dead.length === holders.length) {
        node.deadEnd = { kind: 'dead-holder', holders: dead.map((hold) => ({ pid: hold.pid, lane: hold.lane, loc: hold.loc })) };
        return;
      }
      for (const hold of holders) {
        if (hold.lane !== node.lane.key) node.edges.push({ to: hold.lane, role: 'holds', loc: hold.loc });
      }
      if (holders.length === 0) {
        // Taken by nobody we saw: a semaphore whose value started at 0, or a
        // holder killed before its acquire was sent. Whoever may release it.
        edgeTo(lanesThatTouched(model, wait.target), 'may-release');
        if (node.edges.length === 0) node.deadEnd = lostHolder(model, t) ?? { kind: 'wait-unsignaled' };
      }
      return;
    }
    case 'queue.get': {
      const queue = model.queues.get(wait.target);
      // Something is in it or on its way (a big item still being written): the get is being served.
      if (queue?.hasTakeableAt(t, (pid) => isProcessAliveAt(model, pid, t))) return;
      edgesOrDeadEnd(queue ? putterLanes(model, queue) : [], 'may-put', 'get-starved');
      return;
    }
    case 'pipe.recv':
      if (!pipeMovingAt(model, wait, t)) edgesOrDeadEnd(lanesThatTouched(model, wait.target), 'may-put', 'get-starved');
      return;
    case 'pipe.send':
      // The pipe is full. Its reader is whoever holds the other end: a thread of a process that used the pipe.
      if (!pipeMovingAt(model, wait, t)) edgesOrDeadEnd(pipeReaderLanes(model, wait.target), 'may-get', 'put-blocked');
      return;
    case 'queue.put':
    case 'queue.join': {
      // A put waits for readers to make room; a join, for its consumers to mark items done.
      const queue = model.queues.get(wait.target);
      edgesOrDeadEnd(queue ? getterLanes(model, queue) : [], 'may-get', wait.op === 'queue.put' ? 'put-blocked' : 'wait-unsignaled');
      return;
    }
    case 'sync': {
      const sync = model.syncs.get(wait.target);
      const signallers = others(lanesThatTouched(model, wait.target));
      for (const lane of signallers) node.edges.push({ to: lane.key, role: 'may-signal', loc: null });
      // A Barrier is reached by the parties that wait on it; an Event or Condition by anyone who holds it.
      if (signallers.length === 0 || sync?.type === 'Barrier') node.deadEnd = { kind: 'wait-unsignaled' };
      return;
    }
    case 'process.join': {
      const target = model.processes.get(Number(wait.target));
      if (!target || !aliveAt(target, t)) return;
      const buffered = [...target.buffered].map(([id, count]) => ({ id, count }));
      const exiting = model.lanesOf(target).some((lane) => blockedAt(lane, t)?.wait.op === 'exit');
      if (exiting && buffered.length > 0) {
        node.deadEnd = { kind: 'join-undrained-queue', queues: buffered };
        return;
      }
      edgeTo(model.lanesOf(target), 'joined');
      return;
    }
    case 'thread.join': {
      const target = model.joinedLane(wait.target);
      if (target && laneAliveAt(target, t)) node.edges.push({ to: target.key, role: 'joined', loc: null });
      return;
    }
    case 'task.fetch': {
      const job = model.jobs.get(wait.target);
      const tasks = (job?.tasks ?? []).map((key) => model.tasks.get(key)).filter((task) => task !== undefined);
      const running = tasks.filter((task) => task.end === null);
      for (const task of running) {
        const worker = model.lanes.get(task.lane);
        if (worker && laneAliveAt(worker, t)) node.edges.push({ to: worker.key, role: 'runs-task', loc: null });
      }
      const lost = running.find((task) => {
        const worker = model.lanes.get(task.lane);
        return !worker || !laneAliveAt(worker, t);
      });
      if (lost && node.edges.length === 0) node.deadEnd = { kind: 'task-lost', worker: lost.worker };
      // Nothing of it is running: it waits in the pool's queue for whichever worker frees up first.
      if (job?.pool && running.length === 0) edgeTo(poolWorkerLanes(model, job.pool), 'may-run-task');
      return;
    }
    case 'task.wait':
    case 'pool.shutdown': {
      const jobs = wait.op === 'task.wait' ? new Set(wait.target.split(' ')) : null;
      for (const task of model.tasks.values()) {
        if (task.end !== null) continue;
        if (jobs ? !jobs.has(`${task.pool}/${task.job}`) : task.pool !== wait.target) continue;
        const worker = model.lanes.get(task.lane);
        if (worker && laneAliveAt(worker, t)) node.edges.push({ to: worker.key, role: 'runs-task', loc: null });
      }
      return;
    }
    case 'exit': {
      const proc = node.proc;
      const awaited = awaitedAtExit(model, proc, t);
      edgeTo(awaited.threads, 'joined');
      for (const child of awaited.children) edgeTo(model.lanesOf(child), 'joined');
      const buffered = [...proc.buffered.keys()];
      for (const id of buffered) {
        const queue = model.queues.get(id);
        if (queue) edgeTo(getterLanes(model, queue), 'may-get');
      }
      if (buffered.length > 0 && node.edges.length === 0) {
        node.deadEnd = { kind: 'join-undrained-queue', queues: [...proc.buffered].map(([id, count]) => ({ id, count })) };
      }
      return;
    }
  }
}

/**
 * A lock nobody we know of holds, that nobody alive can release: if a process
 * died by a signal or an error before its last events were sent, it most
 * likely took the lock in what was lost.
 */
export function lostHolder(model: RunModel, t: number): DeadEnd | null {
  const suspects = [...model.processes.values()]
    .filter((proc) => !proc.helper && proc.end !== null && proc.end <= t && diedAbruptly(proc))
    .map((proc) => proc.pid);
  return suspects.length > 0 ? { kind: 'dead-holder', suspects } : null;
}

function diedAbruptly(proc: ProcessModel): boolean {
  return proc.signal !== null || (proc.exitcode !== null && proc.exitcode !== 0) || proc.how === 'os._exit' || !proc.reported;
}

/** What an exiting process still waits for at `t` (`exit.wait`): its live threads and children that are not daemons. */
export function awaitedAtExit(model: RunModel, proc: ProcessModel, t: number): { threads: LaneModel[]; children: ProcessModel[] } {
  const threads = proc.awaitedAtExit.threads
    .map((ident) => model.lane(proc.pid, ident))
    .filter((lane): lane is LaneModel => lane !== undefined && laneAliveAt(lane, t));
  const children = proc.awaitedAtExit.children
    .map((pid) => model.processes.get(pid))
    .filter((child): child is ProcessModel => child !== undefined && aliveAt(child, t));
  return { threads, children };
}

/** The threads that run a pool's tasks: its worker processes' main threads, and every thread that ran one of its tasks. */
function poolWorkerLanes(model: RunModel, pool: string): LaneModel[] {
  const lanes = new Set<LaneModel>();
  for (const proc of model.processes.values()) {
    if (proc.workerOf !== pool) continue;
    for (const lane of model.lanesOf(proc)) if (lane.main) lanes.add(lane);
  }
  for (const task of model.tasks.values()) {
    const lane = task.pool === pool ? model.lanes.get(task.lane) : undefined;
    if (lane) lanes.add(lane);
  }
  return [...lanes];
}

export function putterLanes(model: RunModel, queue: QueueModel): LaneModel[] {
  const keys = new Set<string>();
  for (const item of queue.items) keys.add(model.threadKey(item.putPid, item.putTid, item.putT));
  return lanesOfKeys(model, keys);
}

export function getterLanes(model: RunModel, queue: QueueModel): LaneModel[] {
  const keys = new Set<string>();
  for (const item of queue.items) {
    if (item.getPid !== null && item.getTid !== null) keys.add(model.threadKey(item.getPid, item.getTid, item.getT ?? model.end));
  }
  // Readers that never got anything but wait (or waited) on it count too.
  for (const lane of model.lanes.values()) {
    if (lane.blocked.some((span) => span.wait.target === queue.id && span.wait.op === 'queue.get')) keys.add(lane.key);
  }
  return lanesOfKeys(model, keys);
}

/**
 * A send or receive on a pipe, while another thread is blocked in the other
 * one on the same pipe: bytes are going through (a big message takes a while),
 * so neither waits for nothing.
 */
export function pipeMovingAt(model: RunModel, wait: Wait, t: number): boolean {
  const other = wait.op === 'pipe.send' ? 'pipe.recv' : wait.op === 'pipe.recv' ? 'pipe.send' : null;
  if (other === null) return false;
  for (const lane of model.lanes.values()) {
    if (!laneAliveAt(lane, t)) continue;
    const blocked = blockedAt(lane, t);
    if (blocked?.wait.op === other && blocked.wait.target === wait.target) return true;
  }
  return false;
}

/** The threads that may read what is sent on a pipe: those of every process that used it. */
export function pipeReaderLanes(model: RunModel, id: string): LaneModel[] {
  return lanesThatTouched(model, id);
}

/** Threads of every process that used the primitive (made, sent on, signalled, waited on it). */
function lanesThatTouched(model: RunModel, id: string): LaneModel[] {
  const out: LaneModel[] = [];
  for (const proc of model.processes.values()) {
    if (proc.used.has(id)) out.push(...model.lanesOf(proc));
  }
  return out;
}

function lanesOfKeys(model: RunModel, keys: Iterable<string>): LaneModel[] {
  const out: LaneModel[] = [];
  for (const key of keys) {
    const lane = model.lanes.get(key);
    if (lane) out.push(lane);
  }
  return out;
}

/** Every lane reachable from `from` along wait edges (not `from` itself unless on a cycle). */
export function reachable(graph: WaitGraph, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph.nodes.get(from)?.edges.map((edge) => edge.to) ?? [])];
  for (let key = stack.pop(); key !== undefined; key = stack.pop()) {
    if (seen.has(key)) continue;
    seen.add(key);
    for (const edge of graph.nodes.get(key)?.edges ?? []) stack.push(edge.to);
  }
  return seen;
}

/**
 * Cycles of lock waits (each thread waits for a lock the next one holds), each
 * once; a cycle may pass through the result of a task (a thread waits for a
 * task that the next one runs, or would run once free), as long as it holds at
 * least one lock wait.
 */
export function lockCycles(graph: WaitGraph): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  for (const start of graph.nodes.keys()) {
    // Follow "waits for whoever can end the wait" while that is one blocked thread: this is a path.
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let key: string | undefined = start;
    while (key !== undefined && !onPath.has(key) && !seen.has(key)) {
      onPath.set(key, path.length);
      path.push(key);
      key = cycleStep(graph, graph.nodes.get(key));
    }
    const cycle = key !== undefined && onPath.has(key) ? path.slice(onPath.get(key)) : [];
    if (cycle.some((member) => graph.nodes.get(member)?.interval.wait.op === 'lock')) cycles.push(cycle);
    for (const visited of path) seen.add(visited);
  }
  return cycles;
}

/**
 * The one thread a lock-cycle goes on to from `node`: a lock's single holder;
 * for a wait on task results, the thread running the task, or, for a task not
 * begun, a worker of the pool when every worker is blocked (none can free up
 * to run it).
 */
function cycleStep(graph: WaitGraph, node: WaitNode | undefined): string | undefined {
  if (!node) return undefined;
  const op = node.interval.wait.op;
  if (op === 'lock') {
    const holds = node.edges.filter((edge) => edge.role === 'holds');
    return holds.length === 1 ? holds[0]?.to : undefined;
  }
  if (op !== 'task.fetch' && op !== 'task.wait') return undefined;
  const runs = node.edges.filter((edge) => edge.role === 'runs-task' || edge.role === 'may-run-task');
  const allBlocked = runs.length > 0 && runs.every((edge) => graph.nodes.has(edge.to));
  return allBlocked ? runs[0]?.to : undefined;
}
