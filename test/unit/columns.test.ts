import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScannedText } from '../../src/core/ingest/scan';
import { NumberRows, PairIndex, Texts, TimeOrder } from '../../src/core/model/columns';

/** A seeded random number in [0, 1): the same cases at every run. */
function randomFrom(seed: number): () => number {
  return () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

describe('TimeOrder', () => {
  it('puts a late time after every time not greater, as a stable sort would, with its row', () => {
    const next = randomFrom(3);
    const times: number[] = [];
    const order = new TimeOrder({ timeOfRow: (row) => times[row] ?? NaN });
    const arrived: { t: number; row: number }[] = [];
    for (let row = 0; row < 5000; row++) {
      // Mostly in order, sometimes a batch's worth late, with ties.
      const t = Math.floor(row / 3) - (next() < 0.2 ? Math.floor(next() * 300) : 0);
      times.push(t);
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

describe('TimeOrder at scale', () => {
  it('stays in order through many blocks, with times far late (blocks split), and answers every index', () => {
    const next = randomFrom(5);
    const times: number[] = [];
    const order = new TimeOrder({ timeOfRow: (row) => times[row] ?? NaN });
    const timesOnly = new TimeOrder();
    const arrived: { t: number; row: number }[] = [];
    for (let row = 0; row < 30_000; row++) {
      // Now and then a batch thousands of places late, landing in blocks long full.
      const late = next() < 0.05 ? Math.floor(next() * 9000) : next() < 0.2 ? Math.floor(next() * 50) : 0;
      const t = row - late;
      times.push(t);
      const at = order.insert(t, row);
      assert.equal(timesOnly.insert(t), at);
      assert.equal(order.timeAt(at), t);
      assert.equal(order.rowAt(at), row);
      arrived.push({ t, row });
    }
    const expected = [...arrived].sort((a, b) => a.t - b.t);
    assert.deepEqual([...order.sortedTimes()], expected.map(({ t }) => t));
    assert.deepEqual([...order.sortedRows()], expected.map(({ row }) => row));
    assert.deepEqual([...timesOnly.sortedTimes()], expected.map(({ t }) => t));
    assert.equal(timesOnly.rowAt(0), -1);
    expected.forEach(({ t, row }, index) => {
      assert.equal(order.timeAt(index), t);
      assert.equal(order.rowAt(index), row);
      assert.equal(timesOnly.timeAt(index), t);
    });
    for (let t = -9000; t <= 30_000; t += 997) {
      const count = expected.filter((entry) => entry.t <= t).length;
      assert.equal(order.countAtOrBefore(t), count, `at ${t}`);
      assert.equal(timesOnly.countAtOrBefore(t), count, `at ${t}, times only`);
    }
  });
});

describe('TimeOrder with batches', () => {
  it('puts batches of late times (each in order, as another process sends them) where a stable sort would', () => {
    // Two processes' events, each process's in time order, arriving in batches of a few hundred:
    // a batch's times go in one after the other, mostly right after the one before.
    const next = randomFrom(11);
    const times: number[] = [];
    const order = new TimeOrder({ timeOfRow: (row) => times[row] ?? NaN });
    const clocks = [0, 0];
    for (let batch = 0; batch < 200; batch++) {
      const process = batch % 2;
      const size = 1 + Math.floor(next() * 400);
      for (let i = 0; i < size; i++) {
        clocks[process] = (clocks[process] ?? 0) + Math.floor(next() * 3); // ties too
        const row = times.push(clocks[process] ?? 0) - 1;
        const at = order.insert(times[row] ?? 0, row);
        assert.equal(order.rowAt(at), row);
      }
    }
    const expected = times.map((t, row) => ({ t, row })).sort((a, b) => a.t - b.t);
    assert.deepEqual([...order.sortedRows()], expected.map(({ row }) => row));
    assert.deepEqual([...order.sortedTimes()], expected.map(({ t }) => t));
  });
});

describe('TimeOrder, times close together', () => {
  it('orders and counts times that differ by a fraction, or by 1 near 2^53, exactly', () => {
    // Any finite time is taken: whatever the order does to compare times (to keep V8's
    // compiled code) must not merge two that differ.
    const cases = [
      [1e-9, 0],
      [0.30000001, 0.3],
      [9007197107257345, 9007197107257344],
      [2 ** 31 + 0.5, 2 ** 31],
    ];
    for (const [later, earlier] of cases) {
      for (const table of [undefined, { timeOfRow: (row: number): number => (row === 0 ? later : earlier) ?? NaN }]) {
        const order = new TimeOrder(table);
        order.insert(later ?? NaN, 0);
        assert.equal(order.insert(earlier ?? NaN, 1), 0, `${earlier} before ${later}`);
        assert.deepEqual([...order.sortedTimes()], [earlier, later]);
        assert.equal(order.countAtOrBefore(earlier ?? NaN), 1);
      }
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

describe('NumberRows int32 fields', () => {
  it('keeps int32s beside the doubles, across blocks; null where unset, not a number, not whole or beyond int32', () => {
    const rows = new NumberRows(2, 3);
    const expected: (number | null)[][] = [];
    for (let i = 0; i < 2500; i++) {
      const row = rows.add();
      rows.set(row, 0, i * 0.5);
      rows.setInt(row, 0, 0 - i);
      rows.setInt(row, 1, i % 3 === 0 ? 2 ** 31 : i % 3 === 1 ? 2 ** 31 - 1 : 1.5);
      if (i % 4 === 0) rows.setInt(row, 2, 'seven');
      expected.push([i * 0.5, null, 0 - i, i % 3 === 1 ? 2 ** 31 - 1 : null, null]);
    }
    for (let row = 0; row < 2500; row++) {
      const got = [rows.get(row, 0), rows.get(row, 1), rows.getInt(row, 0), rows.getInt(row, 1), rows.getInt(row, 2)];
      assert.deepEqual(got, expected[row], `row ${row}`);
    }
  });
});

describe('PairIndex', () => {
  it('gives back the values of each key first in first out, as a Map of lists would, through growth and removals', () => {
    const next = randomFrom(11);
    const index = new PairIndex();
    const reference = new Map<string, number[]>();
    let value = 0;
    let held = 0;
    for (let step = 0; step < 60_000; step++) {
      // Few keys at a time, then many (a queue that fills up); some keys shared by several values (equal items).
      const spread = step % 20_000 < 10_000 ? 40 : 5000;
      const a = Math.floor(next() * spread) - spread / 2;
      const b = next() < 0.5 ? 10 : Math.floor(next() * 3) * -1073741824 + 7;
      const key = `${a},${b}`;
      if (next() < (held > 3000 ? 0.3 : 0.55)) {
        index.add(a, b, value);
        const list = reference.get(key);
        if (list) list.push(value);
        else reference.set(key, [value]);
        value++;
        held++;
      } else {
        const list = reference.get(key);
        const expected = list?.shift() ?? -1;
        if (list?.length === 0) reference.delete(key);
        assert.equal(index.take(a, b), expected, `step ${step}: take(${a}, ${b})`);
        if (expected >= 0) held--;
      }
      assert.equal(index.size, held);
    }
    // Everything still held comes out, key by key, in order.
    for (const [key, list] of reference) {
      const [a, b] = key.split(',').map(Number) as [number, number];
      for (const expected of list) assert.equal(index.take(a, b), expected);
      assert.equal(index.take(a, b), -1);
    }
    assert.equal(index.size, 0);
  });
});

describe('Texts', () => {
  it('gives back every text as it was given, as a string or as scanned bytes, across blocks, long ones too', () => {
    const texts = new Texts();
    const expected: string[] = [];
    const scanned = new ScannedText();
    for (let i = 0; i < 6000; i++) {
      const text = i % 997 === 0 ? `'${'x'.repeat(70_000 + i)}'` : i % 3 === 0 ? `('naïve', ${i}, '\u{1F600}')` : `(${i}, 'item-${i}')`;
      expected.push(text);
      if (i % 2 === 0 || i % 3 === 0) assert.equal(texts.add(text), i);
      else {
        // Printable ASCII bytes in the middle of a line, as the scanner leaves them.
        scanned.bytes = Buffer.from(`[1,"${text}",2]`, 'latin1');
        scanned.start = 4;
        scanned.end = 4 + text.length;
        assert.equal(texts.add(scanned), i);
      }
    }
    expected.forEach((text, i) => {
      assert.equal(texts.text(i), text, `text ${i}`);
    });
    assert.equal(texts.count, 6000);
  });
});
