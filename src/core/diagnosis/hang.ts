// Why the program hangs: findings from the wait-for graph at the moment of
// the hang. Root causes first (a lock cycle, a wait nobody can end); then the
// joins that wait on them; every other blocked thread is listed in the chain
// of the finding it waits on.

import type { RunModel } from '../model/run-model';
import { blockedAt } from '../model/snapshot';
import type { Finding, FindingKind } from './findings';
import { countOf, describeWait, findingProcess, joinWords, laneLabel, primitiveName, processLabel } from './names';
import type { JobModel, LaneModel, ProcessModel } from '../model/types';
import {
  awaitedAtExit, buildWaitGraph, getterLanes, isUserLane, laneAliveAt, lockCycles, lostHolder, pipeReaderLanes, putterLanes, reachable, type DeadEnd, type WaitGraph, type WaitNode,
} from './wait-graph';

const HINTS: Partial<Record<FindingKind, string>> = {
  'lock-cycle': 'Take the locks in one global order everywhere (always the same lock first), or take the second one with a timeout and back off.',
  'self-deadlock': 'Release the lock before taking it again, or use an RLock if the same thread must re-enter (a function that takes it, calling another that takes it too).',
  'dead-holder': 'Release locks with `with lock:` (or try/finally) so they are released however the holder ends; never terminate() or os._exit() a process that may hold one.',
  'join-undrained-queue': 'Read from the queue before joining the process that fills it: get every item (until the end marker), then join.',
  'get-starved': 'Put one end marker per consumer (or close the channel when the last producer is done), and make sure producers send it even when they fail (try/finally).',
  'put-blocked': 'Keep a reader on the queue until the producers are done, or give the put a timeout; a bounded queue blocks its putters when nobody reads.',
  'wait-unsignaled': 'Make sure the set()/notify() happens on every path (try/finally), and that as many parties reach the Barrier as it was made for; give waits a timeout.',
  'join-blocked': 'The join waits on a process or thread that is itself stuck: fix what it waits for (see the chain), or join with a timeout.',
  'task-lost': 'A worker died in the middle of this task, so its result never comes: handle the worker\'s crash (a Pool does not notice; a ProcessPoolExecutor raises BrokenProcessPool), or get() with a timeout.',
};

const QUEUED_PRODUCER_HINT =
  'A consumer task that waits for items from a producer task of the same pool needs a worker free for the producer: submit the producer first, give the pool a worker for each, or run them on separate pools; and put one end marker per consumer.';
const STARVED_POOL_HINT =
  'A task that waits for another task of its own pool starves the pool once every worker does so: submit the inner tasks to another pool (or call them directly), or wait for them outside the pool.';
const JOINABLE_QUEUE_HINT =
  'Call task_done() once for every get(), on every path: in a finally, so that a `continue`, a `return` or an exception after the get() cannot skip it (join() waits until every item put was marked done).';
const LOCK_HELD_OVER_RESULT_HINT =
  'Do not hold a lock while waiting for a task that needs it: release it before result()/get()/wait(), or let the task take it first; everywhere else, take locks in one global order.';
const DEAD_THREAD_HOLDER_HINT =
  'Release locks and semaphores with `with lock:` (or try/finally) so every path gives them back, early returns and exceptions included: a thread that ends still holds what it did not release.';
const UNDRAINED_AT_EXIT_HINT =
  'Drain the queue before the process that put to it exits: a process cannot exit while its queue\'s feeder thread still holds items nobody reads (call cancel_join_thread() on the queue only if losing them is fine).';
const PIPE_RECV_HINT =
  'A recv() waits for the other end\'s send(): make one side send before it receives (in a handshake, not both receiving first), and have the sender send an end marker, or close its end, when it is done (recv() then raises EOFError).';
const PIPE_SEND_HINT =
  'A pipe holds only some KB: a larger send() waits until the other side reads. Make one side read before it sends (on a duplex Pipe, not both sending first), receive in a thread of its own, or send smaller messages.';
const EXIT_HINT =
  'A process exits only once its threads and child processes that are not daemons have ended: make them end before the main code finishes (send their end marker, set their Event) and join them, or make them daemons if they may be cut off.';

export function hangFindings(model: RunModel, t: number): Finding[] {
  const graph = buildWaitGraph(model, t);
  const findings: Finding[] = [];
  const explained = new Map<string, Finding>();
  const claim = (finding: Finding, nodes: WaitNode[]): void => {
    findings.push(finding);
    for (const node of nodes) if (!explained.has(node.lane.key)) explained.set(node.lane.key, finding);
  };

  for (const cycle of lockCycles(graph)) {
    const nodes = cycle.map((key) => graph.nodes.get(key)).filter((node): node is WaitNode => node !== undefined);
    claim(lockCycleFinding(model, graph, nodes), nodes);
  }
  // A JoinableQueue's join() first: its idle consumers go with it (waitsOnJoinOfItsQueue).
  const joinsFirst = [...graph.nodes.values()].sort(
    (a, b) => Number(b.interval.wait.op === 'queue.join') - Number(a.interval.wait.op === 'queue.join'),
  );
  for (const node of joinsFirst) {
    if (explained.has(node.lane.key) || waitsOnJoinOfItsQueue(graph, node, explained)) continue;
    const deadEnd = node.deadEnd ?? deadEndByCycleBack(model, graph, node);
    if (!deadEnd) continue;
    const finding = deadEndFinding(model, node, deadEnd, t);
    // The pool's other workers starving it alike belong to the same finding.
    const pool = starvesItsPool(model, graph, node) ? fetchedPool(model, node) : null;
    const peers = pool === null ? [] : [...graph.nodes.values()].filter(
      (peer) => peer !== node && fetchedPool(model, peer) === pool && starvesItsPool(model, graph, peer),
    );
    for (const peer of peers) {
      finding.chain.push(waitLine(model, peer, t));
      addProcess(finding, model, peer);
    }
    claim(finding, [node, ...peers]);
  }
  for (const node of graph.nodes.values()) {
    if (explained.has(node.lane.key)) continue;
    const op = node.interval.wait.op;
    if (op === 'process.join' || op === 'thread.join' || op === 'exit') claim(joinBlockedFinding(model, graph, node, explained), [node]);
  }
  // Everyone else is stuck behind one of the findings: list them where they belong.
  for (const node of graph.nodes.values()) {
    if (explained.has(node.lane.key)) continue;
    const behind = [...reachable(graph, node.lane.key)].map((key) => explained.get(key)).find((finding) => finding !== undefined);
    const line = waitLine(model, node, t);
    if (behind) {
      behind.chain.push(`also stuck: ${line}`);
      addProcess(behind, model, node);
    } else {
      claim(
        {
          kind: 'wait-unsignaled', severity: 'error',
          summary: `${laneLabel(model, node.lane)} ${describeWait(model, node.interval.wait, t)} and nothing running can end the wait.`,
          processes: [findingProcess(model, node.lane)], primitives: [primitiveName(model, node.interval.wait.target)],
          locations: locationsOf(node), hint: HINTS['wait-unsignaled'] ?? '', chain: [line],
        },
        [node],
      );
    }
  }
  for (const finding of findings) finding.locations = unique(finding.locations);
  return findings;
}

/**
 * A get, put or wait whose only possible helpers are themselves waiting,
 * directly or not, on this very thread: nobody can end it.
 */
function deadEndByCycleBack(model: RunModel, graph: WaitGraph, node: WaitNode): DeadEnd | null {
  if (starvesItsPool(model, graph, node)) return { kind: 'wait-unsignaled' };
  if (node.edges.length === 0) return null;
  const op = node.interval.wait.op;
  if (op === 'exit') return undrainedAtExit(graph, node);
  const kind = op === 'queue.get' || op === 'pipe.recv' ? 'get-starved' : op === 'queue.put' || op === 'pipe.send' ? 'put-blocked' : op === 'sync' || op === 'queue.join' || op === 'lock' ? 'wait-unsignaled' : null;
  if (kind === null) return null;
  // A lock wait gets here only when nobody holds the lock (or it would be a cycle): only releasers.
  if (op === 'lock' && node.edges.some((edge) => edge.role !== 'may-release')) return null;
  const allWaitOnMe = node.edges.every((edge) => graph.nodes.has(edge.to) && reachable(graph, edge.to).has(node.lane.key));
  if (!allWaitOnMe) return null;
  return op === 'lock' ? (lostHolder(model, graph.t) ?? { kind }) : { kind };
}

/**
 * A pool's worker waiting for the result of a task still queued in that same
 * pool, while every other worker that could run it waits, directly or not, on
 * this one: the pool starves itself (a task that submits to its own pool and
 * waits, once every worker does so).
 */
function starvesItsPool(model: RunModel, graph: WaitGraph, node: WaitNode): boolean {
  const wait = node.interval.wait;
  if (wait.op !== 'task.fetch') return false;
  const pool = model.jobs.get(wait.target)?.pool;
  if (!pool || !runsTasksOf(model, node.lane.key, pool)) return false;
  return node.edges.every(
    (edge) => edge.role === 'may-run-task' && graph.nodes.has(edge.to) && reachable(graph, edge.to).has(node.lane.key),
  );
}

/**
 * The tasks submitted to the pool whose task `lane` is running, and not begun:
 * a producer among them cannot start while the pool's workers wait (a consumer
 * submitted before its producer, to a pool with too few workers for both).
 */
function queuedBehind(model: RunModel, lane: string): { pool: string; jobs: JobModel[] } | null {
  const running = [...model.tasks.values()].find((task) => task.lane === lane && task.end === null);
  if (!running) return null;
  const jobs = [...model.jobs.values()].filter(
    (job) => job.pool === running.pool && job.submitSeen && !job.cancelled && job.tasks.length === 0,
  );
  return jobs.length > 0 ? { pool: running.pool, jobs } : null;
}

/** The pool of the task whose result `node` waits for, if it waits for one. */
function fetchedPool(model: RunModel, node: WaitNode): string | null {
  return node.interval.wait.op === 'task.fetch' ? (model.jobs.get(node.interval.wait.target)?.pool ?? null) : null;
}

function runsTasksOf(model: RunModel, lane: string, pool: string): boolean {
  for (const task of model.tasks.values()) if (task.pool === pool && task.lane === lane) return true;
  return false;
}

/** An exit held up only by its feeder buffers, whose readers all wait, directly or not, on the exiting process. */
function undrainedAtExit(graph: WaitGraph, node: WaitNode): DeadEnd | null {
  const readersWaitOnMe = node.edges.every(
    (edge) => edge.role === 'may-get' && graph.nodes.has(edge.to) && reachable(graph, edge.to).has(node.lane.key),
  );
  if (!readersWaitOnMe || node.proc.buffered.size === 0) return null;
  return { kind: 'join-undrained-queue', queues: [...node.proc.buffered].map(([id, count]) => ({ id, count })) };
}

function lockCycleFinding(model: RunModel, graph: WaitGraph, nodes: WaitNode[]): Finding {
  const chain: string[] = [];
  const locations: string[] = [];
  const primitives: string[] = [];
  const throughTasks = nodes.some((node) => node.interval.wait.op !== 'lock');
  nodes.forEach((node, i) => {
    const next = nodes[(i + 1) % nodes.length];
    const nextLabel = next ? laneLabel(model, next.lane) : 'another thread';
    locations.push(...locationsOf(node));
    if (node.interval.wait.op !== 'lock') {
      // A wait on a task's result: the next one runs the task (or would, were it free).
      const runs = node.edges.find((edge) => edge.to === next?.lane.key)?.role === 'runs-task' ? 'run by' : 'queued behind the task of';
      chain.push(`${waitLine(model, node, graph.t)}, ${runs} ${nextLabel}`);
      return;
    }
    const hold = node.edges.find((edge) => edge.role === 'holds');
    const lockName = primitiveName(model, node.interval.wait.target);
    primitives.push(lockName);
    if (hold?.loc) locations.push(hold.loc);
    chain.push(`${laneLabel(model, node.lane)} waits for ${lockName}${at(node.interval.wait.loc)}, held by ${nextLabel}${hold?.loc ? ` (taken at ${hold.loc})` : ''}`);
  });
  const who = joinWords(nodes.map((node) => laneLabel(model, node.lane)));
  const locks = joinWords(unique(primitives));
  return {
    kind: 'lock-cycle', severity: 'error',
    summary: throughTasks
      ? `Deadlock: ${who} wait for each other: a task's result is awaited while holding ${locks}, which the task (or one ahead of it) waits for.`
      : `Deadlock: ${who} each wait for a lock the next one holds (${locks} taken in opposite orders).`,
    processes: nodes.map((node) => findingProcess(model, node.lane)), primitives: unique(primitives), locations: unique(locations),
    hint: throughTasks ? LOCK_HELD_OVER_RESULT_HINT : HINTS['lock-cycle'] ?? '', chain,
  };
}

function deadEndFinding(model: RunModel, node: WaitNode, deadEnd: DeadEnd, t: number): Finding {
  const who = laneLabel(model, node.lane);
  const wait = node.interval.wait;
  const target = primitiveName(model, wait.target);
  const base = {
    kind: deadEnd.kind, severity: 'error' as const, processes: [findingProcess(model, node.lane)], primitives: [target],
    locations: locationsOf(node), hint: HINTS[deadEnd.kind] ?? '', chain: [waitLine(model, node, t)],
  };
  switch (deadEnd.kind) {
    case 'self-deadlock': {
      const hold = model.locks.get(wait.target)?.holdersAt(model.end).find((h) => h.lane === node.lane.key);
      if (hold) base.locations.push(hold.loc);
      return { ...base, summary: `${who} waits for ${target}${at(wait.loc)}, which it already holds${hold ? ` (taken at ${hold.loc})` : ''}: it waits for itself forever.` };
    }
    case 'dead-holder': {
      if ('suspects' in deadEnd) {
        const suspects = deadEnd.suspects.map((pid) => model.processes.get(pid)).filter((proc) => proc !== undefined);
        for (const proc of suspects) base.processes.push({ pid: proc.pid, name: proc.name, thread: null });
        const who2 = suspects.map((proc) => `${processLabel(proc)}, which ${exitWords(proc)}`);
        return {
          ...base,
          summary: `${who}'s wait for ${target}${at(wait.loc)} can never end: no live process holds or can release it, so it was most likely taken by ${joinWords(who2)} (its last events were lost with it) and never released.`,
        };
      }
      // A holder may be a thread that ended while its process ran on (returned or raised without releasing).
      const endedThreads = deadEnd.holders.map((hold) => {
        const proc = model.processes.get(hold.pid);
        const lane = model.lanes.get(hold.lane);
        return lane && proc && !lane.main && threadEndedBefore(lane, proc, t) ? lane : null;
      });
      const holders = deadEnd.holders.map((hold, i) => {
        base.locations.push(hold.loc);
        const lane = endedThreads[i];
        if (lane) {
          const entry = findingProcess(model, lane);
          if (!base.processes.some((p) => p.pid === entry.pid && p.thread === entry.thread)) base.processes.push(entry);
          const how = lane.error ? `died of ${lane.error}` : 'ended';
          return `${laneLabel(model, lane)}, which took it at ${hold.loc} and ${how} without releasing it`;
        }
        const proc = model.processes.get(hold.pid);
        if (proc) base.processes.push({ pid: proc.pid, name: proc.name, thread: null });
        const how = proc ? exitWords(proc) : 'ended';
        return `${proc ? processLabel(proc) : `pid ${hold.pid}`}, which took it at ${hold.loc} and ${how} without releasing it`;
      });
      if (endedThreads.every((lane) => lane !== null)) base.hint = DEAD_THREAD_HOLDER_HINT;
      return { ...base, summary: `${who} waits for ${target}${at(wait.loc)}, held by ${joinWords(holders)}.` };
    }
    case 'join-undrained-queue': {
      const child = model.processes.get(Number(wait.target));
      const queues = deadEnd.queues.map((q) => `${countOf(q.count, 'item')} in ${primitiveName(model, q.id)}`);
      base.primitives = deadEnd.queues.map((q) => primitiveName(model, q.id));
      if (child) {
        base.processes.push({ pid: child.pid, name: child.name, thread: null });
        for (const q of deadEnd.queues) {
          const put = model.queues.get(q.id)?.items.find((item) => item.putPid === child.pid && item.getT === null);
          if (put?.putLoc) base.locations.push(put.putLoc);
        }
      }
      if (wait.op === 'exit') base.hint = UNDRAINED_AT_EXIT_HINT;
      const childName = child ? processLabel(child) : 'the process';
      const summary = wait.op === 'exit'
        ? `${who} cannot exit: ${joinWords(queues)} it put are still waiting in its feeder buffer, and nobody reads them.`
        : `${who} waits${at(wait.loc)} to join ${childName}, which cannot exit until ${joinWords(queues)} it put are read, and nobody reads them.`;
      return { ...base, summary };
    }
    case 'get-starved': {
      const queue = model.queues.get(wait.target);
      const markers = queue ? endMarkerWords(model, queue.id, t) : '';
      const gone = queue ? goneLanes(model, putterLanes(model, queue), node, base, t) : '';
      const behind = queuedBehind(model, node.lane.key);
      for (const job of behind?.jobs ?? []) if (job.loc) base.locations.push(job.loc);
      const queued = behind
        ? `; behind it, ${joinWords(behind.jobs.map((job) => job.func ?? 'a task'))} ${behind.jobs.length === 1 ? 'waits' : 'wait'} in ${primitiveName(model, behind.pool)}'s queue and cannot start while its workers are busy`
        : '';
      return {
        ...base,
        hint: behind ? QUEUED_PRODUCER_HINT : wait.op === 'pipe.recv' ? PIPE_RECV_HINT : base.hint,
        summary: `${who} waits${at(wait.loc)} to get from ${target}, which is empty, and no live process can still put to it${markers}${gone ? `: its producers are gone (${gone})` : ''}${queued}.`,
      };
    }
    case 'put-blocked': {
      if (wait.op === 'pipe.send') return pipeSendBlocked(model, node, base, t);
      const queue = model.queues.get(wait.target);
      const gone = queue ? goneLanes(model, getterLanes(model, queue), node, base, t) : '';
      return {
        ...base,
        summary: `${who} waits${at(wait.loc)} to put into ${target}, which is full, and no live process reads it${gone ? `: its readers are gone (${gone})` : ''}.`,
      };
    }
    case 'wait-unsignaled': {
      if (wait.op === 'queue.join') return queueJoinFinding(model, base, who, wait.target, wait.loc, t);
      if (wait.op === 'task.fetch') return starvedPoolFinding(model, base, who, wait.target, wait.loc);
      const sync = model.syncs.get(wait.target);
      if (sync?.type === 'Barrier') {
        // The parties waiting at the hang's moment: after a kill, every wait is closed by the end of the run.
        const waiting = [...model.lanes.values()].filter((lane) => laneAliveAt(lane, t) && blockedAt(lane, t)?.wait.target === sync.id).length;
        return { ...base, summary: `${who} waits${at(wait.loc)} at ${target}, made for ${sync.parties ?? '?'} parties; only ${waiting} reached it and no other can.` };
      }
      const gone = goneSince(model, node, t, base);
      return {
        ...base,
        summary: `${who} ${describeWait(model, wait, t)}${at(wait.loc)}, and no live process can still ${wait.op === 'lock' ? 'release it' : 'set or notify it'}${gone ? ` (gone since it was made: ${gone})` : ''}.`,
      };
    }
    case 'task-lost': {
      const worker = deadEnd.worker === null ? undefined : model.processes.get(deadEnd.worker);
      if (worker) base.processes.push({ pid: worker.pid, name: worker.name, thread: null });
      return { ...base, summary: `${who} ${describeWait(model, wait, t)}${at(wait.loc)}, but ${worker ? `its worker ${processLabel(worker)} ${exitWords(worker)}` : 'its worker died'} in the middle of it: the result will never come.` };
    }
  }
}

/**
 * A JoinableQueue's join() that can never end: it waits until task_done() was
 * called once for each item put. Said in counts, which tell the usual bug: all
 * items taken, fewer marked done (a get() whose task_done() a `continue`,
 * `return` or exception skipped).
 */
function queueJoinFinding(model: RunModel, base: Omit<Finding, 'summary'>, who: string, queueId: string, loc: string | null, t: number): Finding {
  const queue = model.queues.get(queueId);
  const target = primitiveName(model, queueId);
  if (!queue) return { ...base, summary: `${who} waits${at(loc)} for task_done() on every item of ${target}, and no live process can still mark its items done.` };
  const { put, taken, done } = queue.joinCountsAt(t);
  const open = put - done;
  base.locations.push(...queue.taskDoneLocs);
  const counts = `${countOf(put, 'item')} ${put === 1 ? 'was' : 'were'} put and ${taken === put ? 'all' : `only ${taken}`} taken, but task_done() was called ${countOf(done, 'time')}`;
  const why = taken === put
    ? `${countOf(open, 'item')} taken ${open === 1 ? 'was' : 'were'} never marked done, and nobody can mark ${open === 1 ? 'it' : 'them'} now`
    : `${countOf(put - taken, 'item')} ${put - taken === 1 ? 'is' : 'are'} still in it, and no live process can take and mark ${put - taken === 1 ? 'it' : 'them'} done`;
  return { ...base, hint: JOINABLE_QUEUE_HINT, summary: `${who} waits${at(loc)} in join() on ${target}: ${counts}; ${why}.` };
}

/** A pool's worker waits for a task queued behind it in the same pool (starvesItsPool); its peers join the finding (hangFindings). */
function starvedPoolFinding(model: RunModel, base: Omit<Finding, 'summary'>, who: string, jobId: string, loc: string | null): Finding {
  const job = model.jobs.get(jobId);
  const pool = job?.pool ? model.pools.get(job.pool) : undefined;
  const poolName = job?.pool ? primitiveName(model, job.pool) : 'its pool';
  const workers = pool?.workers ?? null;
  return {
    ...base,
    hint: STARVED_POOL_HINT,
    summary:
      `${who} waits${at(loc)} for the result of ${job?.func ?? 'a task'}, a task still queued in ${poolName}, the pool it runs in; ` +
      (workers === 1
        ? 'its only worker is this one, so the task can never start.'
        : `${workers === null ? 'its workers all' : `all ${workers} of its workers`} wait for tasks queued behind them, so none can ever start.`),
  };
}

/**
 * A get on a queue whose producers all wait in join() on that same queue: an
 * idle consumer, waiting as it should for items that come after the join. It
 * goes with the join's finding, not one of its own (which would point at the
 * end markers, away from the join).
 */
function waitsOnJoinOfItsQueue(graph: WaitGraph, node: WaitNode, explained: Map<string, Finding>): boolean {
  const wait = node.interval.wait;
  if (wait.op !== 'queue.get' || node.edges.length === 0) return false;
  return node.edges.every((edge) => {
    const producer = graph.nodes.get(edge.to);
    return producer !== undefined && explained.has(edge.to) && producer.interval.wait.op === 'queue.join' && producer.interval.wait.target === wait.target;
  });
}

/**
 * A send on a full pipe nobody reads: the other end's readers are gone, or
 * blocked themselves (each side of a duplex Pipe sending to the other first).
 */
function pipeSendBlocked(model: RunModel, node: WaitNode, base: Omit<Finding, 'summary'>, t: number): Finding {
  const who = laneLabel(model, node.lane);
  const wait = node.interval.wait;
  const readers = pipeReaderLanes(model, wait.target).filter((lane) => lane.key !== node.lane.key && lane.start <= t && isUserLane(model, lane, t));
  const words: string[] = [];
  for (const lane of readers) {
    const blocked = laneAliveAt(lane, t) ? blockedAt(lane, t) : null;
    if (laneAliveAt(lane, t) && !blocked) continue;
    const entry = findingProcess(model, lane);
    if (!base.processes.some((p) => p.pid === entry.pid && p.thread === entry.thread)) base.processes.push(entry);
    if (blocked?.wait.loc) base.locations.push(blocked.wait.loc);
    const proc = model.processes.get(lane.pid);
    const how = blocked
      ? `${blocked.wait.op === 'pipe.send' && blocked.wait.target === wait.target ? 'itself waits to send on it' : describeWait(model, blocked.wait, t)}${at(blocked.wait.loc)}`
      : lane.main && proc ? exitWords(proc) : 'ended';
    words.push(`${laneLabel(model, lane)} ${how}`);
  }
  const shown = words.slice(0, 4).join('; ') + (words.length > 4 ? `; and ${words.length - 4} more` : '');
  return {
    ...base,
    hint: PIPE_SEND_HINT,
    summary: `${who} waits${at(wait.loc)} to send on ${primitiveName(model, wait.target)}, which is full, and nobody reads the other end${shown ? `: ${shown}` : ''}.`,
  };
}

function joinBlockedFinding(model: RunModel, graph: WaitGraph, node: WaitNode, explained: Map<string, Finding>): Finding {
  const chain = [waitLine(model, node, graph.t)];
  const processes = [findingProcess(model, node.lane)];
  const locations = locationsOf(node);
  const seen = new Set([node.lane.key]);
  let frontier = node.edges.map((edge) => edge.to);
  let root: Finding | undefined;
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const key of frontier) {
      if (seen.has(key)) continue;
      seen.add(key);
      const blocked = graph.nodes.get(key);
      if (!blocked) continue;
      chain.push(`  → ${waitLine(model, blocked, graph.t)}`);
      processes.push(findingProcess(model, blocked.lane));
      locations.push(...locationsOf(blocked));
      // Where the lock it waits for was taken, by whom in the chain.
      for (const edge of blocked.edges) if (edge.role === 'holds' && edge.loc) locations.push(edge.loc);
      root ??= explained.get(key);
      next.push(...blocked.edges.map((edge) => edge.to));
    }
    frontier = next;
  }
  const wait = node.interval.wait;
  const exiting = wait.op === 'exit';
  // An exit joins by itself: point at where what it waits for was started.
  if (exiting) locations.push(...startLocations(model, node.proc, graph.t));
  const rootKind = root ? ` (${root.kind})` : '';
  return {
    kind: 'join-blocked', severity: 'error',
    summary: exiting
      ? `${laneLabel(model, node.lane)} ${describeWait(model, wait, graph.t)}, but that is itself blocked${rootKind}, so the process never exits.`
      : `${laneLabel(model, node.lane)} ${describeWait(model, wait, graph.t)}${at(wait.loc)}, which is itself blocked${rootKind}.`,
    processes: uniqueBy(processes, (p) => `${p.pid}/${p.thread ?? ''}`), primitives: [], locations: unique(locations),
    hint: exiting ? EXIT_HINT : HINTS['join-blocked'] ?? '', chain,
  };
}

/**
 * The threads on the other side of a queue that ended ("crawler-1, which ended;
 * uploader (pid 12), which exited with code 0"), added to the finding's processes.
 */
function goneLanes(model: RunModel, lanes: LaneModel[], node: WaitNode, finding: Pick<Finding, 'processes' | 'locations'>, t: number): string {
  const gone = lanes.filter((lane) => lane.key !== node.lane.key && !laneAliveAt(lane, t));
  const words: string[] = [];
  for (const lane of gone) {
    const entry = findingProcess(model, lane);
    if (!finding.processes.some((p) => p.pid === entry.pid && p.thread === entry.thread)) finding.processes.push(entry);
    const proc = model.processes.get(lane.pid);
    const ended = lane.main && proc ? exitWords(proc) : lane.error ? `died of ${lane.error}` : 'ended';
    words.push(`${laneLabel(model, lane)} ${ended}`);
  }
  return words.slice(0, 4).join('; ') + (words.length > 4 ? `; and ${words.length - 4} more` : '');
}

/**
 * Processes that ended after the primitive was made: one of them was most
 * likely meant to signal it (it need not have touched it before it ended).
 */
function goneSince(model: RunModel, node: WaitNode, t: number, finding: Pick<Finding, 'processes' | 'locations'>): string {
  const made = model.syncs.get(node.interval.wait.target)?.made ?? model.locks.get(node.interval.wait.target)?.made ?? 0;
  const gone = [...model.processes.values()].filter(
    (proc) => !proc.helper && !proc.server && proc.role !== 'main' && proc.start >= made && proc.end !== null && proc.end <= t,
  );
  for (const proc of gone) {
    if (!finding.processes.some((p) => p.pid === proc.pid)) finding.processes.push({ pid: proc.pid, name: proc.name, thread: null });
  }
  const words = gone.map((proc) => `${processLabel(proc)} ${exitWords(proc)}`);
  return words.slice(0, 4).join('; ') + (words.length > 4 ? `; and ${words.length - 4} more` : '');
}

/** "(1 end marker None put for 2 consumers)": the repr the consumers that had ended by `t` (the hang) last got, when fewer were put than consumers. */
function endMarkerWords(model: RunModel, id: string, t: number): string {
  const queue = model.queues.get(id);
  if (!queue) return '';
  const consumers = new Set<string>();
  const lastGot = new Map<string, string>();
  for (const item of queue.items) {
    if (item.getPid === null) continue;
    const key = item.getTid === null ? `${item.getPid}:` : model.threadKey(item.getPid, item.getTid, item.getT ?? model.end);
    consumers.add(key);
    lastGot.set(key, item.repr);
  }
  for (const lane of model.lanes.values()) {
    if (lane.blocked.some((span) => span.wait.op === 'queue.get' && span.wait.target === id)) consumers.add(lane.key);
  }
  // A consumer that ended after getting something got its end marker. Ended by the hang, that is:
  // after a kill every lane has an end, the stuck consumers' too, and their last items are no markers.
  const markerReprs = new Map<string, number>();
  for (const [key, repr] of lastGot) {
    const end = model.lanes.get(key)?.end ?? null;
    if (end !== null && end <= t) markerReprs.set(repr, (markerReprs.get(repr) ?? 0) + 1);
  }
  const [marker] = [...markerReprs.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  if (marker === undefined || consumers.size < 2) return '';
  const sent = queue.items.filter((item) => item.repr === marker).length;
  return sent < consumers.size ? ` (${countOf(sent, 'end marker')} ${marker} put for ${consumers.size} consumers)` : '';
}

function waitLine(model: RunModel, node: WaitNode, t: number): string {
  return `${laneLabel(model, node.lane)} ${describeWait(model, node.interval.wait, t)}${at(node.interval.wait.loc)}`;
}

/** Where the user's code started the threads and children an exiting process still waits for. */
function startLocations(model: RunModel, proc: ProcessModel, t: number): string[] {
  const { threads, children } = awaitedAtExit(model, proc, t);
  return [...threads.map((lane) => lane.startLoc), ...children.map((child) => child.spawnLoc)].filter((loc) => loc !== null);
}

function locationsOf(node: WaitNode): string[] {
  const locs: string[] = [];
  if (node.interval.wait.loc) locs.push(node.interval.wait.loc);
  return locs;
}

function addProcess(finding: Finding, model: RunModel, node: WaitNode): void {
  const entry = findingProcess(model, node.lane);
  if (!finding.processes.some((p) => p.pid === entry.pid && p.thread === entry.thread)) finding.processes.push(entry);
  for (const loc of locationsOf(node)) if (!finding.locations.includes(loc)) finding.locations.push(loc);
}

/** The thread ended by `t`, before its process did (its own end, not its process's). */
function threadEndedBefore(lane: LaneModel, proc: ProcessModel, t: number): boolean {
  return lane.end !== null && lane.end <= t && (proc.end === null || lane.end < proc.end);
}

export function exitWords(proc: { exitcode: number | null; signal: string | null; end: number | null }): string {
  if (proc.signal) return `was killed by ${proc.signal}`;
  if (proc.exitcode !== null) return `exited with code ${proc.exitcode}`;
  return proc.end === null ? 'is still running' : 'ended';
}

function at(loc: string | null): string {
  return loc ? ` at ${loc}` : '';
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function uniqueBy<T>(values: T[], key: (value: T) => string): T[] {
  const seen = new Set<string>();
  return values.filter((value) => !seen.has(key(value)) && seen.add(key(value)));
}
