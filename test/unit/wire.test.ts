import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ViewData, ViewLane, ViewLock, ViewQueue } from '../../src/core/view/view-data';
import { baseFor, decodeChart, decodeDetails, decodeViewData, packViewData, unpackChart, unpackDetails, type WireViewData } from '../../src/core/view/wire';
import { encodeViewData } from '../../src/core/view/wire-encode';
import { withArrays } from '../helpers';

function queue(put: number[], get: number[]): ViewQueue {
  const refs = put.map((_, i) => i);
  return {
    id: 'q', name: 'Queue@a.py:1', type: 'Queue', maxsize: 0, puts: put.length, gets: get.filter((g) => g >= 0).length, maxDepth: 2,
    depthT: [5, 9, 9_000_000_123], depth: [1, 2, 0],
    items: { put, get, repr: refs, putLane: refs.map(() => 0), getLane: refs.map(() => -1), putLoc: refs.map(() => 1), getLoc: refs.map(() => -1) },
  };
}

function data(parts: Partial<ViewData>): ViewData {
  return {
    version: 1, title: 't', start: 0, end: 10, live: false, events: 1, dropped: 0, strings: [], processes: [], lanes: [], queues: [], locks: [],
    verdict: 'ok', hangAt: null, findings: [], ...parts,
  };
}

/** Through JSON, as every host sends it, and back; columns as arrays again. */
async function roundTrip(original: ViewData): Promise<ViewData> {
  return withArrays(await decodeViewData(JSON.parse(JSON.stringify(encodeViewData(original))) as WireViewData));
}

/** A small seeded generator (mulberry32): a failure can be run again. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random columns: empty, small, negative, up to 2^50, -1 open ends, ends before their starts. */
function randomData(seed: number): ViewData {
  const next = random(seed);
  const int = (max: number): number => Math.floor(next() * max);
  const value = (): number => {
    switch (int(5)) {
      case 0: return int(3) - 1;
      case 1: return int(1_000) - 500;
      case 2: return int(2 ** 50) * (next() < 0.5 ? -1 : 1);
      case 3: return int(2 ** 32);
      default: return int(100_000_000);
    }
  };
  const column = (n: number): number[] => Array.from({ length: n }, value);
  const starts = (n: number): number[] => {
    let t = int(2 ** 40);
    return Array.from({ length: n }, () => (t += int(next() < 0.1 ? 2 ** 36 : 50_000)));
  };
  const ends = (start: number[]): number[] => start.map((s) => (next() < 0.2 ? -1 : next() < 0.1 ? s - int(200) : s + value()));
  const rows = (): number => (next() < 0.2 ? 0 : int(next() < 0.5 ? 5 : 3_000));
  const lanes: ViewLane[] = Array.from({ length: int(4) }, (_, l) => {
    const spanStart = starts(rows());
    const taskStart = starts(rows());
    return {
      key: `1:${l}`, pid: 1, tid: l, name: `t${l}`, main: l === 0, internal: false, start: 0, end: next() < 0.5 ? null : value(), error: null,
      spans: { start: spanStart, end: ends(spanStart), state: column(spanStart.length), what: column(spanStart.length), target: column(spanStart.length), loc: column(spanStart.length), outcome: column(spanStart.length) },
      tasks: { start: taskStart, end: ends(taskStart), label: column(taskStart.length), ok: column(taskStart.length), result: column(taskStart.length) },
    };
  });
  const queues: ViewQueue[] = Array.from({ length: int(3) }, () => {
    const put = starts(rows());
    const q = queue(put, ends(put));
    q.depthT = starts(rows());
    q.depth = column(q.depthT.length);
    return q;
  });
  const locks: ViewLock[] = Array.from({ length: int(3) }, (_, k) => {
    const start = starts(rows());
    return { id: `l${k}`, name: `Lock@a.py:${k}`, type: 'Lock', value: 1, holds: { start, end: ends(start), lane: column(start.length), loc: column(start.length) } };
  });
  const alphabet = ['a', 'é', '中', '😀', ' ', '"', '<', '\\', '\n', '\u2028'];
  const strings = Array.from({ length: int(200) }, () => Array.from({ length: int(12) }, () => alphabet[int(alphabet.length)]).join(''));
  return data({ strings, lanes, queues, locks, start: value(), end: value(), hangAt: next() < 0.5 ? null : value() });
}

/**
 * `earlier` a moment later, as a live run's next projection is: every column
 * keeps some of its first values, changes a few after them (an open end
 * closing) and gains more; new lanes, queues and locks; strings only added.
 */
function grown(earlier: ViewData, seed: number): ViewData {
  const next = random(seed);
  const int = (max: number): number => Math.floor(next() * max);
  const later = structuredClone(withArrays(earlier));
  const columns = (owner: Record<string, number[]>): void => {
    const keys = Object.keys(owner);
    const length = owner[keys[0] ?? '']?.length ?? 0;
    const keep = next() < 0.2 ? length : int(length + 1);
    const added = next() < 0.3 ? 0 : int(50);
    for (const key of keys) {
      const column = owner[key] ?? [];
      for (let i = keep; i < column.length; i++) if (next() < 0.5) column[i] = int(2 ** 40);
      for (let i = 0; i < added; i++) column.push(next() < 0.2 ? -1 : int(2 ** 40));
    }
  };
  for (const lane of later.lanes) {
    columns(lane.spans as unknown as Record<string, number[]>);
    columns(lane.tasks as unknown as Record<string, number[]>);
  }
  for (const queue of later.queues) {
    columns(queue.items as unknown as Record<string, number[]>);
    columns({ depthT: queue.depthT as number[], depth: queue.depth as number[] });
  }
  for (const lock of later.locks) columns(lock.holds as unknown as Record<string, number[]>);
  const fresh = randomData(seed + 1_000);
  // New owners, some sorted before the old ones (a lane that started early but was heard of late).
  later.lanes.unshift(...fresh.lanes.map((lane) => ({ ...lane, key: `new ${seed} ${lane.key}` })));
  later.queues.push(...fresh.queues.map((queue) => ({ ...queue, id: `new ${seed} ${queue.id}` })));
  later.locks.unshift(...fresh.locks.map((lock) => ({ ...lock, id: `new ${seed} ${lock.id}` })));
  later.strings.push(...fresh.strings);
  later.events += int(1000);
  return later;
}

/** `later` as an update of `earlier` (number 1), through JSON, unpacked onto `earlier` as it was unpacked. */
async function updateTrip(earlier: ViewData, later: ViewData): Promise<ViewData> {
  const received = await decodeViewData(JSON.parse(JSON.stringify(encodeViewData(earlier, { seq: 1 }))) as WireViewData);
  const update = JSON.parse(JSON.stringify(encodeViewData(later, { seq: 2, base: { data: earlier, seq: 1 } }))) as WireViewData;
  assert.deepEqual([update.seq, update.extends], [2, 1]);
  const base = baseFor(update, { data: received, seq: 1 });
  return withArrays(await decodeViewData(update, update.details, base));
}

describe('view data on the wire', () => {
  it('comes back exactly: open ends, ends a little before their starts (another clock), zero lengths, big times', async () => {
    const original = data({ queues: [queue([100, 200, 300, 400, 5_000_000_000_000], [-1, 199, 198, 400, 5_000_000_000_001])], strings: ['a', 'b'] });
    assert.deepEqual(await roundTrip(original), original);
  });

  it('unpacks into typed arrays', async () => {
    const back = await decodeViewData(encodeViewData(randomData(5)));
    for (const lane of back.lanes) assert.ok(lane.spans.start instanceof Float64Array && lane.tasks.ok instanceof Float64Array);
    for (const queue of back.queues) assert.ok(queue.depthT instanceof Float64Array && queue.items.getLoc instanceof Float64Array);
  });

  it('comes back exactly for random columns of every size (property)', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const original = randomData(seed);
      assert.deepEqual(await roundTrip(original), original, `seed ${seed}`);
    }
  });

  it('sends a queue\'s depth as one byte when its puts and gets make it, and in full when they do not', async () => {
    const put = [10, 20, 20, 30, 45];
    const get = [25, 22, -1, 45, 50];
    const made = queue(put, get);
    // Steps at 10 (1), 20 (3), 22 (2), 25 (1), 30 (2), 45 (put and get: 2), 50 (1).
    made.depthT = [10, 20, 22, 25, 30, 45, 50];
    made.depth = [1, 3, 2, 1, 2, 2, 1];
    const other = structuredClone(made);
    other.depth = [1, 3, 2, 1, 2, 2, 0]; // a get whose item is unknown
    const derived = packViewData(data({ queues: [made] })).chart.length;
    const full = packViewData(data({ queues: [other] })).chart.length;
    assert.ok(derived < full - 14, `${derived} bytes, in full ${full}`);
    for (const original of [made, other]) assert.deepEqual((await roundTrip(data({ queues: [original] }))).queues[0], original);
    // Fractions: rounded, two instants would be one; the depth goes in full, rounded as it was.
    const fractions = queue([1.2], [1.4]);
    fractions.depthT = [1.2, 1.4];
    fractions.depth = [1, 0];
    const back = (await roundTrip(data({ queues: [fractions] }))).queues[0];
    assert.deepEqual([back?.depthT, back?.depth, back?.items.put, back?.items.get], [[1, 1], [1, 0], [1], [1]]);
  });

  it('comes back with nothing in it: no lanes, queues, locks or strings; and empty columns', async () => {
    const empty = data({});
    assert.deepEqual(await roundTrip(empty), empty);
    const emptyColumns = data({ queues: [queue([], [])], strings: [''] });
    assert.deepEqual(await roundTrip(emptyColumns), emptyColumns);
  });

  it('carries every column and string in the packed blocks, none as JSON', () => {
    const original = randomData(7);
    const wire = encodeViewData(original);
    assert.ok(!('strings' in wire));
    for (const queue of wire.queues) assert.deepEqual([queue.items.put, queue.items.repr, queue.depthT], [[], [], []]);
    for (const lane of wire.lanes) assert.deepEqual([lane.spans.start, lane.tasks.end], [[], []]);
    assert.equal(wire.processes.length, original.processes.length);
    for (const block of [wire.packed, wire.details]) assert.match(block, /^[A-Za-z0-9+/]*={0,2}$/, 'base64: nothing to escape in a page');
  });

  it('unpacks the chart first, with the details and strings empty, then the details into it', async () => {
    const original = randomData(11);
    const wire = JSON.parse(JSON.stringify(encodeViewData(original))) as WireViewData;
    const chart = await decodeChart(wire);
    assert.deepEqual(chart.strings, []);
    const spans = original.lanes.map((lane) => lane.spans);
    assert.ok(spans.some((span) => span.what.length > 0));
    assert.deepEqual(chart.lanes.map((lane) => withArrays([lane.spans.start, lane.spans.loc, lane.spans.what])), spans.map((span) => [span.start, span.loc, []]));
    assert.deepEqual(chart.locks.map((lock) => lock.holds.lane), original.locks.map(() => []));
    const whole = await decodeDetails(chart, wire.details);
    assert.equal(whole, chart, 'filled in place');
    assert.deepEqual(withArrays(whole), original);
  });

  it('rounds a fraction of a nanosecond; refuses what would lose digits', () => {
    const { rest, chart, details } = packViewData(data({ queues: [queue([1.4, 2.6], [3.5, -1])] }));
    assert.deepEqual(withArrays(unpackDetails(unpackChart(rest, chart), details).queues[0]?.items), queue([1, 3], [4, -1]).items);
    assert.throws(() => packViewData(data({ queues: [queue([2 ** 51], [-1])] })), RangeError);
    assert.throws(() => packViewData(data({ queues: [queue([Number.NaN], [-1])] })), RangeError);
  });

  it('a lone surrogate comes back as U+FFFD; everything else as it was', async () => {
    const back = await roundTrip(data({ strings: ['a\ud800b', '😀', 'x'] }));
    assert.deepEqual(back.strings, ['a\ufffdb', '😀', 'x']);
  });

  it('fails loudly on a block cut short or with bytes left over', () => {
    const { rest, chart, details } = packViewData(randomData(3));
    assert.throws(() => unpackChart(structuredClone(rest), chart.subarray(0, chart.length - 1)), /ends too soon/);
    assert.throws(() => unpackChart(structuredClone(rest), Uint8Array.of(...chart, 0)), /left over/);
    const unpacked = unpackChart(structuredClone(rest), chart);
    assert.throws(() => unpackDetails(unpacked, details.subarray(0, details.length - 1)), /ends too soon/);
    assert.throws(() => unpackDetails(unpacked, Uint8Array.of(...details, 0)), /left over/);
  });

  it('an update, unpacked onto the data it updates, is the later data exactly (property)', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const earlier = randomData(seed);
      const later = grown(earlier, seed);
      assert.deepEqual(await updateTrip(earlier, later), later, `seed ${seed}`);
      // And an update that changed nothing.
      assert.deepEqual(await updateTrip(earlier, earlier), earlier, `seed ${seed}, unchanged`);
    }
    // Updates of updates: each unpacked onto the one before (written on in place where it has room).
    for (let seed = 100; seed <= 110; seed++) {
      let sent = randomData(seed);
      let received = await decodeViewData(encodeViewData(sent, { seq: 0 }));
      for (let seq = 1; seq <= 6; seq++) {
        const later = grown(sent, seed * 10 + seq);
        const update = JSON.parse(JSON.stringify(encodeViewData(later, { seq, base: { data: sent, seq: seq - 1 } }))) as WireViewData;
        received = await decodeViewData(update, update.details, baseFor(update, { data: received, seq: seq - 1 }));
        assert.deepEqual(withArrays(received), later, `seed ${seed}, update ${seq}`);
        sent = later;
      }
    }
    // A queue whose depth its puts and gets make, before and after: one byte each time.
    const made = queue([10, 20], [25, -1]);
    made.depthT = [10, 20, 25];
    made.depth = [1, 2, 1];
    const more = queue([10, 20, 40], [25, 30, -1]);
    more.depthT = [10, 20, 25, 30, 40];
    more.depth = [1, 2, 1, 0, 1];
    assert.deepEqual(await updateTrip(data({ queues: [made] }), data({ queues: [more] })), data({ queues: [more] }));
  });

  it('an update carries what changed, not what was kept', () => {
    const hasSpans = (data: ViewData): boolean => data.lanes.some((lane) => lane.spans.start.length > 100);
    const earlier = [21, 22, 23, 24, 25, 26, 27, 28].map(randomData).find(hasSpans);
    assert.ok(earlier, 'a lane with spans');
    const later = structuredClone(withArrays(earlier));
    const spans = later.lanes.find((lane) => lane.spans.start.length > 100)?.spans;
    assert.ok(spans);
    for (const column of Object.values(spans) as number[][]) column.push(1, 2, 3);
    later.strings.push('new');
    const whole = packViewData(later);
    const update = packViewData(later, earlier);
    assert.ok(update.chart.length < whole.chart.length / 10, `chart: ${update.chart.length} bytes, whole ${whole.chart.length}`);
    assert.ok(update.details.length < whole.details.length / 10, `details: ${update.details.length} bytes, whole ${whole.details.length}`);
  });

  it('an update is refused unless it is unpacked onto the very data it updates', async () => {
    const earlier = randomData(4);
    const update = encodeViewData(grown(earlier, 4), { seq: 8, base: { data: earlier, seq: 7 } });
    assert.throws(() => baseFor(update, null), /update 8 is for data 7, and the data here is none/);
    assert.throws(() => baseFor(update, { data: earlier, seq: 6 }), /is for data 7, and the data here is 6/);
    assert.equal(baseFor(encodeViewData(earlier, { seq: 9 }), { data: earlier, seq: 3 }), undefined, 'whole data needs none');
    await assert.rejects(decodeChart(update), /an update came without the data it updates/);
  });
});
