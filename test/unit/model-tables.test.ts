// The model's queue items and lock holds (kept as columns, columns.ts) against
// a straightforward reference: random runs whose processes send their events in
// batches that arrive interleaved, out of time order, as the listener sees them.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceEvent } from '../../src/core/events';
import { RunModel } from '../../src/core/model/run-model';

const ev = (t: number, pid: number, kind: string, fields: Record<string, unknown>, tid = 1): TraceEvent =>
  ({ t, pid, tid, kind, ...fields }) as unknown as TraceEvent;

/** A seeded random number in [0, 1): the same cases at every run. */
function randomFrom(seed: number): () => number {
  return () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

/**
 * Each process's events in its own time order, cut in batches of random sizes,
 * the batches of all processes arriving in random order (each process's in its own order).
 */
function arrivalOrder(events: TraceEvent[], random: () => number): TraceEvent[] {
  const byPid = new Map<number, TraceEvent[]>();
  for (const event of [...events].sort((a, b) => a.t - b.t)) byPid.set(event.pid, [...(byPid.get(event.pid) ?? []), event]);
  const streams = [...byPid.values()];
  const arrived: TraceEvent[] = [];
  while (streams.some((stream) => stream.length > 0)) {
    const stream = streams[Math.floor(random() * streams.length)] ?? [];
    arrived.push(...stream.splice(0, 1 + Math.floor(random() * 40)));
  }
  return arrived;
}

interface ReferenceItem {
  putT: number;
  putPid: number;
  repr: string;
  sendT: number | null;
  getT: number | null;
  getPid: number | null;
}

describe('model tables against a reference, events arriving out of time order', () => {
  for (const [type, id] of [['Queue', 'q:1'], ['queue.Queue', 'tq10.1']] as const) {
    it(`a ${type}'s items, contents and depth at any instant`, () => {
      for (let seed = 1; seed <= 20; seed++) {
        const random = randomFrom(seed);
        const producers = [10, 11];
        // Its creation comes first: what it is decides how its gets pair with its puts.
        const made = ev(0, 10, 'queue.new', { id, type, maxsize: 0, name: 'jobs', loc: 'a.py:1' });
        const events: TraceEvent[] = [];
        const reference: ReferenceItem[] = [];
        const seqs = new Map<number, number>();
        // Distinct times: the reference's put-time order is then the only order there is.
        let now = 1;
        for (let i = 0; i < 300; i++) {
          const pid = producers[i % 2] ?? 10;
          const seq = seqs.get(pid) ?? 0;
          seqs.set(pid, seq + 1);
          now += 1 + Math.floor(random() * 20);
          const putT = now;
          const item: ReferenceItem = { putT, putPid: pid, repr: `item-${i}`, sendT: null, getT: null, getPid: null };
          const pickled = type === 'Queue';
          // The queue module's get names its put by seq (same process): a consumer thread of the producer.
          const getPid = pickled ? 20 + Math.floor(random() * 2) : pid;
          const crc = 1_000_000 + i;
          events.push(ev(putT, pid, 'queue.put', {
            id, seq, loc: 'a.py:5', repr: item.repr, block: true, waited: 0, outcome: 'ok', size: null, crc: null,
          }));
          if (pickled) {
            item.sendT = putT + 1 + Math.floor(random() * 5);
            events.push(ev(item.sendT, pid, 'queue.send', { id, seq, size: 10, crc }, 2));
          }
          if (random() < 0.85) {
            item.getT = (item.sendT ?? putT) + 1 + Math.floor(random() * 400) * 2;
            item.getPid = getPid;
            events.push(ev(item.getT, getPid, 'queue.get', {
              id, loc: 'b.py:9', block: true, waited: 0, outcome: 'ok', size: pickled ? 10 : null, crc: pickled ? crc : null, seq: pickled ? null : seq,
            }, 3));
          }
          reference.push(item);
        }
        const model = new RunModel();
        for (const event of [made, ...arrivalOrder(events, random)]) model.add(event);
        const queue = model.queues.get(id);
        assert.ok(queue);
        reference.sort((a, b) => a.putT - b.putT);
        const fields = ({ putT, putPid, repr, sendT, getT, getPid }: ReferenceItem): ReferenceItem => ({ putT, putPid, repr, sendT, getT, getPid });
        assert.deepEqual(queue.items.map(fields), reference, `seed ${seed}`);
        assert.deepEqual(queue.waitingItems.map(fields), reference.filter((item) => item.getT === null), `seed ${seed}`);
        const inAt = (t: number): ReferenceItem[] => reference.filter((item) => item.putT <= t && (item.getT === null || item.getT > t));
        let maxDepth = 0;
        for (let t = 0; t <= now + 1000; t += 1 + Math.floor(random() * 30)) {
          assert.deepEqual(queue.contentsAt(t).map(fields), inAt(t), `seed ${seed} at ${t}`);
          assert.equal(queue.depthAt(t), inAt(t).length, `seed ${seed} at ${t}`);
        }
        // At an instant with both, the puts count first.
        for (const { putT } of reference) {
          const depth = reference.filter((item) => item.putT <= putT).length - reference.filter((item) => item.getT !== null && item.getT < putT).length;
          maxDepth = Math.max(maxDepth, depth);
        }
        assert.equal(queue.maxDepth, maxDepth, `seed ${seed}`);
        // The rows stand for the same items in the same order.
        assert.deepEqual(Array.from(queue.itemRows(), (row) => fields(queue.item(row))), reference, `seed ${seed}`);
      }
    });
  }

  it("a lock's and an RLock's holds, and its holders at any instant", () => {
    for (let seed = 1; seed <= 20; seed++) {
      for (const type of ['Lock', 'RLock']) {
        const random = randomFrom(seed);
        const id = 'L';
        // Its creation comes first: what it is (reentrant or not) decides what an acquisition does.
        const made = ev(0, 10, 'lock.new', { id, type, value: 1, scope: 'process', name: 'L', loc: 'a.py:1' });
        const events: TraceEvent[] = [];
        const holds: { lane: string; start: number; end: number | null }[] = [];
        let now = 1;
        for (let i = 0; i < 300; i++) {
          const pid = 10 + Math.floor(random() * 3);
          const tid = 1 + Math.floor(random() * 2);
          now += 1 + Math.floor(random() * 10);
          const start = now;
          events.push(ev(start, pid, 'lock.acquire', { id, loc: 'a.py:7', waited: 0, outcome: 'ok' }, tid));
          // An RLock taken again inside is still one hold.
          if (type === 'RLock' && random() < 0.3) {
            events.push(ev(start + 1, pid, 'lock.acquire', { id, loc: 'a.py:8', waited: 0, outcome: 'ok' }, tid));
            events.push(ev(start + 2, pid, 'lock.release', { id, loc: 'a.py:8' }, tid));
          }
          // The last one is never released (its holder died).
          const end = i === 299 ? null : start + 3 + Math.floor(random() * 10);
          if (end !== null) events.push(ev(end, pid, 'lock.release', { id, loc: 'a.py:7' }, tid));
          holds.push({ lane: `${pid}:${tid}`, start, end });
          now = end ?? now;
        }
        const model = new RunModel();
        for (const event of [made, ...arrivalOrder(events, random)]) model.add(event);
        const lock = model.locks.get(id);
        assert.ok(lock);
        const fields = ({ lane, start, end }: { lane: string; start: number; end: number | null }): typeof holds[number] => ({ lane, start, end });
        assert.deepEqual(lock.holds.map(fields), holds, `seed ${seed} ${type}`);
        assert.deepEqual(Array.from(lock.holdRows(), (row) => fields(lock.hold(row))), holds, `seed ${seed} ${type}`);
        assert.deepEqual(lock.held.map(fields), holds.filter((hold) => hold.end === null), `seed ${seed} ${type}`);
        for (let t = 0; t <= now + 20; t += 1 + Math.floor(random() * 7)) {
          const expected = holds.filter((hold) => hold.start <= t && (hold.end === null || hold.end > t));
          assert.deepEqual(lock.holdersAt(t).map(fields), expected, `seed ${seed} ${type} at ${t}`);
        }
      }
    }
  });
});
