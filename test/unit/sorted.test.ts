import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { insertAt, insertTime } from '../../src/core/model/sorted';

describe('sorted inserts', () => {
  it('put a late value after every value not greater, as a stable sort would', () => {
    let seed = 3;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const times: number[] = [];
    const items: { t: number; n: number }[] = [];
    const order: { t: number; n: number }[] = [];
    for (let n = 0; n < 2000; n++) {
      // Mostly in order, sometimes a batch's worth late, with ties.
      const t = Math.floor(n / 3) - (next() < 0.2 ? Math.floor(next() * 300) : 0);
      const at = insertTime(times, t);
      assert.equal(times[at], t);
      const item = { t, n };
      insertAt(items, at, item);
      order.push(item);
    }
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    // Array.prototype.sort is stable: equal times keep their arrival order.
    assert.deepEqual(items, [...order].sort((a, b) => a.t - b.t));
  });
});
