import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NumberRows, TimeOrder } from '../../src/core/model/columns';

/** A seeded random number in [0, 1): the same cases at every run. */
function randomFrom(seed: number): () => number {
  return () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

describe('TimeOrder', () => {
  it('puts a late time after every time not greater, as a stable sort would, with its row', () => {
    const next = randomFrom(3);
    const order = new TimeOrder();
    const arrived: { t: number; row: number }[] = [];
    for (let row = 0; row < 5000; row++) {
      // Mostly in order, sometimes a batch's worth late, with ties.
      const t = Math.floor(row / 3) - (next() < 0.2 ? Math.floor(next() * 300) : 0);
      const at = order.insert(t, row);
      assert.equal(order.timeAt(at), t);
      arrived.push({ t, row });
    }
    // Array.prototype.sort is stable: equal times keep their arrival order.
    const expected = [...arrived].sort((a, b) => a.t - b.t);
    assert.deepEqual([...order.sortedTimes()], expected.map(({ t }) => t));
    assert.deepEqual([...order.sortedRows()], expected.map(({ row }) => row));
    for (const t of [-1000, -1, 0, 17, 600, 1666, 5000]) {
      assert.equal(order.countAtOrBefore(t), expected.filter((entry) => entry.t <= t).length, `at ${t}`);
    }
  });
});

describe('NumberRows', () => {
  it('keeps every field of every row, across blocks, null where unset or not a number', () => {
    const rows = new NumberRows(3);
    const expected: (number | null)[][] = [];
    for (let i = 0; i < 3000; i++) {
      const row = rows.add();
      assert.equal(row, i);
      const values = [i * 1.5, i % 7 === 0 ? null : 140206565084032 + i, null];
      rows.set(row, 0, values[0]);
      rows.set(row, 1, values[1]);
      if (i % 5 === 0) rows.set(row, 2, 'not a number');
      expected.push(values);
    }
    // A row changed after later ones were added.
    rows.set(10, 2, -0.25);
    expected[10] = [15, 140206565084042, -0.25];
    for (let row = 0; row < 3000; row++) assert.deepEqual([0, 1, 2].map((field) => rows.get(row, field)), expected[row]);
  });
});
