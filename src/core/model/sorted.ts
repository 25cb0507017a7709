// Queries on sorted arrays of times (kept sorted as events arrive by
// TimeOrder, columns.ts).

/** The number of values `<= t` (the index of the first value `> t`) among the first `length`. */
export function countAtOrBefore(sorted: ArrayLike<number>, t: number, length = sorted.length): number {
  let lo = 0;
  let hi = length;
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
