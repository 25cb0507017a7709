// How the diagnosis names things to people: threads, processes, primitives.

import type { RunModel } from '../model/run-model';
import type { LaneModel, ProcessModel, Wait } from '../model/types';
import type { FindingProcess } from './findings';
import { awaitedAtExit } from './wait-graph';

/** What Python calls every process's first thread. */
const MAIN_THREAD = 'MainThread';

export function processLabel(proc: ProcessModel): string {
  return `${proc.name} (pid ${proc.pid})`;
}

/** `Worker-1 (pid 12)`, or `thread "fetcher" of MainProcess (pid 10)`. */
export function laneLabel(model: RunModel, lane: LaneModel): string {
  const proc = model.processes.get(lane.pid);
  const owner = proc ? processLabel(proc) : `pid ${lane.pid}`;
  return lane.main ? owner : `thread "${lane.name}" of ${owner}`;
}

export function findingProcess(model: RunModel, lane: LaneModel): FindingProcess {
  const proc = model.processes.get(lane.pid);
  return { pid: lane.pid, name: proc?.name ?? `pid ${lane.pid}`, thread: lane.main ? MAIN_THREAD : lane.name };
}

export function primitiveName(model: RunModel, id: string): string {
  return (
    model.queues.get(id)?.name ??
    model.locks.get(id)?.name ??
    model.syncs.get(id)?.name ??
    model.pipes.get(id)?.name ??
    model.pools.get(id)?.name ??
    id
  );
}

/** "waits to get from Queue@a.py:3", for a chain line; `t` is the moment described (what an exit still waits for). */
export function describeWait(model: RunModel, wait: Wait, t = model.end): string {
  const name = (): string => primitiveName(model, wait.target);
  switch (wait.op) {
    case 'queue.get':
      return `waits to get from ${name()}`;
    case 'queue.put':
      return `waits to put into ${name()} (full)`;
    case 'queue.join':
      return `waits for task_done() on every item of ${name()}`;
    case 'lock':
      return `waits to acquire ${name()}`;
    case 'process.join': {
      const target = model.processes.get(Number(wait.target));
      return `waits to join ${target ? processLabel(target) : `pid ${wait.target}`}`;
    }
    case 'thread.join': {
      const lane = model.joinedLane(wait.target);
      return `waits to join ${lane ? laneLabel(model, lane) : `thread ${wait.target}`}`;
    }
    case 'sync': {
      const sync = model.syncs.get(wait.target);
      return `waits on ${sync?.type ?? 'Event'} ${name()}`;
    }
    case 'pipe.send':
      return `waits to send on ${name()} (full)`;
    case 'pipe.recv':
      return `waits to receive from ${name()}`;
    case 'task.fetch': {
      const job = model.jobs.get(wait.target);
      return `waits for the result of ${job?.func ?? 'a task'}${job?.pool ? ` on ${primitiveName(model, job.pool)}` : ''}`;
    }
    case 'task.wait': {
      const count = wait.target === '' ? 0 : wait.target.split(' ').length;
      return `waits for ${count === 1 ? 'a future' : `${count} futures`} to finish (concurrent.futures.wait or as_completed)`;
    }
    case 'pool.shutdown':
      return `waits for ${name()} to shut down`;
    case 'exit':
      return describeExit(model, Number(wait.target), t);
  }
}

/** "is exiting and waits for its non-daemon thread "consumer" (started at a.py:12) to end". */
function describeExit(model: RunModel, pid: number, t: number): string {
  const proc = model.processes.get(pid);
  if (!proc) return 'is exiting';
  const { threads, children } = awaitedAtExit(model, proc, t);
  const started = (loc: string | null): string => (loc ? `started at ${loc}` : '');
  const awaited = [
    ...threads.map((lane) => `thread "${lane.name}"${lane.startLoc ? ` (${started(lane.startLoc)})` : ''}`),
    ...children.map((child) => `process ${child.name} (pid ${child.pid}${child.spawnLoc ? `, ${started(child.spawnLoc)}` : ''})`),
  ];
  const feeders = proc.buffered.size > 0 ? 'its queue feeder threads to flush their items' : '';
  if (awaited.length === 0) return feeders ? `is exiting, waiting for ${feeders}` : 'is exiting';
  return `is exiting and waits for its non-daemon ${joinWords(awaited)} to end${feeders ? `, then for ${feeders}` : ''}`;
}

/** "1 item", "3 items". */
export function countOf(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "a, b and c". */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
}
