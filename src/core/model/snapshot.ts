// "At time t, what is every thread doing, what does every queue hold, who owns
// every lock": answered from the model's indexes (binary searches over sorted
// times), never by replaying events from the start.

import type { Hold } from './locks';
import { countKeyAtOrBefore } from './sorted';
import type { QueueItem } from './queues';
import type { RunModel } from './run-model';
import type { BlockedInterval, LaneModel } from './types';

export type LaneStateAt =
  | { state: 'not-started' }
  | { state: 'running'; task: string | null }
  | { state: 'blocked'; since: number; interval: BlockedInterval }
  | { state: 'ended'; at: number };

export interface Snapshot {
  t: number;
  lanes: { key: string; now: LaneStateAt }[];
  queues: { id: string; depth: number; items: QueueItem[] }[];
  locks: { id: string; holders: Hold[]; waiters: string[] }[];
}

/** The blocked interval of `lane` that covers `t`, if any. */
export function blockedAt(lane: LaneModel, t: number): BlockedInterval | null {
  const spans = lane.blocked;
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((spans[mid]?.start ?? t) <= t) lo = mid + 1;
    else hi = mid;
  }
  const candidate = spans[lo - 1];
  if (candidate && (candidate.end === null || candidate.end > t)) return candidate;
  return null;
}

export function laneStateAt(lane: LaneModel, t: number): LaneStateAt {
  if (t < lane.start) return { state: 'not-started' };
  if (lane.end !== null && t >= lane.end) return { state: 'ended', at: lane.end };
  const blocked = blockedAt(lane, t);
  if (blocked) return { state: 'blocked', since: blocked.start, interval: blocked };
  return { state: 'running', task: taskAt(lane, t) };
}

function taskAt(lane: LaneModel, t: number): string | null {
  // A thread runs one task at a time, in order: the last one begun by t is the only candidate.
  const task = lane.tasks[countKeyAtOrBefore(lane.tasks, t, (candidate) => candidate.start) - 1];
  return task && (task.end === null || task.end > t) ? task.key : null;
}

export function snapshotAt(model: RunModel, t: number, itemsPerQueue = 50): Snapshot {
  const lanes = [...model.lanes.values()].map((lane) => ({ key: lane.key, now: laneStateAt(lane, t) }));
  const waitersOf = new Map<string, string[]>();
  for (const { key, now } of lanes) {
    if (now.state === 'blocked' && now.interval.wait.op === 'lock') {
      const list = waitersOf.get(now.interval.wait.target) ?? [];
      list.push(key);
      waitersOf.set(now.interval.wait.target, list);
    }
  }
  return {
    t,
    lanes,
    queues: [...model.queues.values()].map((queue) => ({ id: queue.id, depth: queue.depthAt(t), items: queue.contentsAt(t, itemsPerQueue) })),
    locks: [...model.locks.values()].map((lock) => ({ id: lock.id, holders: lock.holdersAt(t), waiters: waitersOf.get(lock.id) ?? [] })),
  };
}
