// Sorted arrays of times, kept sorted as events arrive. Events of one thread
// arrive in order, but processes send in batches, so a process's events can
// land after later ones of another: inserts are mostly appends, sometimes a
// few places from the end.

/** The number of values `<= t` (the index of the first value `> t`). */
export function countAtOrBefore(sorted: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? t) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A count as a step function of time: +1 at each of `ups`, -1 at each of
 * `downs` (both sorted), one step per instant at which anything happens,
 * `count[i]` from `t[i]` on. A queue's depth from its put and get times.
 */
export function stepCounts(ups: ArrayLike<number>, downs: ArrayLike<number>): { t: Float64Array; count: Float64Array } {
  const t = new Float64Array(ups.length + downs.length);
  const count = new Float64Array(t.length);
  // Each time is read once: a viewer counts a big queue's steps on its way to the first frame.
  const next = (times: ArrayLike<number>, i: number): number => (i < times.length ? (times[i] ?? Infinity) : Infinity);
  let up = next(ups, 0);
  let down = next(downs, 0);
  let now = 0;
  let u = 0;
  let d = 0;
  let steps = 0;
  while (up !== Infinity || down !== Infinity) {
    const at = up < down ? up : down;
    // Every change at one instant makes one step.
    while (up === at) {
      now++;
      up = next(ups, ++u);
    }
    while (down === at) {
      now--;
      down = next(downs, ++d);
    }
    t[steps] = at;
    count[steps] = now;
    steps++;
  }
  return { t: t.subarray(0, steps), count: count.subarray(0, steps) };
}

/**
 * Inserts `t` after every value `<= t`; returns where it went. Items kept in
 * the order of their times go at the same place in a list of their own
 * (insertAt): their times are not read back from them, which would make a
 * number object of each time read.
 */
export function insertTime(sorted: number[], t: number): number {
  const last = sorted[sorted.length - 1];
  if (last === undefined || last <= t) return sorted.push(t) - 1;
  // Late: a process's batch that came after another's. Found by halves, not step by step
  // from the end (a batch can be hundreds of items late, and every one of them is).
  const at = countAtOrBefore(sorted, t);
  sorted.splice(at, 0, t);
  return at;
}

/**
 * Puts `item` at `at` (where insertTime put its time), the items from there
 * on one place up. For lists of objects only: a list of times shared with
 * them would lose its unboxed doubles (V8 makes one store site fit both).
 */
export function insertAt<T extends object>(list: T[], at: number, item: T): void {
  if (at === list.length) list.push(item);
  else list.splice(at, 0, item);
}

/** The number of items whose key is `<= t`, for items sorted by that key. */
export function countKeyAtOrBefore<T>(sorted: readonly T[], t: number, key: (value: T) => number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(sorted[mid] as T) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
