// Questions the viewer asks of the view data at one instant or over a range,
// answered by binary search over the sorted columns: what a lane is doing at
// t, what a queue holds at t, who holds a lock at t. No DOM here, so node's
// tests run it directly.

import { countAtOrBefore } from '../src/core/model/sorted';
import { LANE_STATES, type Column, type LaneState, type ViewData, type ViewLane, type ViewLock, type ViewQueue } from '../src/core/view/view-data';

/** The end of a span, hold or item; -1 (open) reads as "the run's end". */
export function endOr(end: number, now: number): number {
  return end < 0 ? now : end;
}

export type LaneNow =
  | { state: 'not-started' }
  | { state: 'ended'; at: number }
  | { state: 'running'; since: number; task: number | null }
  | { state: Exclude<LaneState, 'running'>; since: number; span: number };

/**
 * The span of `lane` covering `t`, as its index, or -1: the last one begun by
 * `t`, if it has not ended (the model's own rule, snapshot.ts's blockedAt: one
 * still open covers every instant from its start, the present too).
 */
export function spanAt(lane: ViewLane, t: number): number {
  return lastCovering(lane.spans, t);
}

export function taskAt(lane: ViewLane, t: number): number {
  return lastCovering(lane.tasks, t);
}

function lastCovering(intervals: { start: Column; end: Column }, t: number): number {
  const at = countAtOrBefore(intervals.start, t) - 1;
  if (at < 0) return -1;
  const end = intervals.end[at] ?? 0;
  return end < 0 || end > t ? at : -1;
}

export function laneAt(lane: ViewLane, t: number, now: number): LaneNow {
  if (t < lane.start) return { state: 'not-started' };
  if (lane.end !== null && t >= lane.end) return { state: 'ended', at: lane.end };
  const span = spanAt(lane, t);
  if (span >= 0) {
    const state = LANE_STATES[lane.spans.state[span] ?? 0] ?? 'running';
    if (state !== 'running') return { state, since: lane.spans.start[span] ?? 0, span };
  }
  const task = taskAt(lane, t);
  // Running since the last span ended (or the lane began).
  const previous = countAtOrBefore(lane.spans.start, t) - 1;
  const since = previous >= 0 ? endOr(lane.spans.end[previous] ?? 0, now) : lane.start;
  return { state: 'running', since: Math.max(since, lane.start), task: task >= 0 ? task : null };
}

/** Depth of `queue` at `t`. */
export function depthAt(queue: ViewQueue, t: number): number {
  const at = countAtOrBefore(queue.depthT, t) - 1;
  return at >= 0 ? Math.max(0, queue.depth[at] ?? 0) : 0;
}

/** Indexes of the items in `queue` at `t`, oldest first, at most `limit`. */
export function contentsAt(queue: ViewQueue, t: number, limit: number): number[] {
  const { put, get } = queue.items;
  const upTo = countAtOrBefore(put, t);
  const wanted = depthAt(queue, t);
  // Items leave roughly in the order they came: walk back only until every item still in is found.
  let from = upTo;
  let stillIn = 0;
  while (from > 0 && stillIn < wanted) {
    from--;
    if (isInAt(get[from] ?? -1, t)) stillIn++;
  }
  const out: number[] = [];
  for (let i = from; i < upTo && out.length < limit; i++) if (isInAt(get[i] ?? -1, t)) out.push(i);
  return out;
}

function isInAt(getT: number, t: number): boolean {
  return getT < 0 || getT > t;
}

/** Indexes of the holds of `lock` open at `t`. */
export function holdsAt(lock: ViewLock, t: number, now: number): number[] {
  const { start, end } = lock.holds;
  const upTo = countAtOrBefore(start, t);
  const out: number[] = [];
  // Holds of a lock do not overlap, a semaphore's overlap `value` deep, so only
  // the last few begun can cover t; further back, only a hold never released can.
  const window = Math.max(0, upTo - Math.max(8, 4 * lock.value));
  for (let i = 0; i < window; i++) if ((end[i] ?? 0) < 0) out.push(i);
  for (let i = window; i < upTo; i++) {
    const e = end[i] ?? 0;
    if (e < 0 || endOr(e, now) > t) out.push(i);
  }
  return out;
}

/** Keys of the lanes waiting for `lockId` at `t`. */
export function lockWaitersAt(data: ViewData, lockId: string, t: number): string[] {
  const ref = data.strings.indexOf(lockId);
  if (ref < 0) return [];
  const lockState = LANE_STATES.indexOf('lock');
  const out: string[] = [];
  for (const lane of data.lanes) {
    const span = spanAt(lane, t);
    if (span >= 0 && lane.spans.state[span] === lockState && lane.spans.target[span] === ref) out.push(lane.key);
  }
  return out;
}

/** The times at which something changes on `lane`, ascending: for stepping from event to event. */
export function laneEventTimes(lane: ViewLane): number[] {
  const times = [lane.start, ...lane.spans.start, ...lane.spans.end, ...lane.tasks.start, ...lane.tasks.end];
  if (lane.end !== null) times.push(lane.end);
  return [...new Set(times.filter((t) => t >= 0))].sort((a, b) => a - b);
}

/** The next (`direction` 1) or previous (-1) time in `times` after or before `t`. */
export function stepFrom(times: readonly number[], t: number, direction: 1 | -1): number | null {
  if (direction > 0) return times[countAtOrBefore(times, t)] ?? null;
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] ?? t) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? (times[lo - 1] ?? null) : null;
}
