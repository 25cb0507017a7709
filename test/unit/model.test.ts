import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceEvent } from '../../src/core/events';
import { RunModel } from '../../src/core/model/run-model';
import { laneStateAt, snapshotAt } from '../../src/core/model/snapshot';

// Events as they appear in a trace; the casts keep hand-written lists short.
const ev = (t: number, pid: number, kind: string, fields: Record<string, unknown> = {}, tid = 1): TraceEvent =>
  ({ t, pid, tid, kind, ...fields }) as unknown as TraceEvent;
const begin = (t: number, pid: number, name: string, role = 'process'): TraceEvent =>
  ev(t, pid, 'process.begin', { name, ppid: 1, role, method: 'fork', argv: [], python: null });
const put = (t: number, pid: number, seq: number, repr: string, id = 'q:1'): TraceEvent =>
  ev(t, pid, 'queue.put', { id, seq, loc: 'a.py:5', repr, block: true, waited: 0, outcome: 'ok', size: null, crc: null });
const send = (t: number, pid: number, seq: number, crc: number, id = 'q:1'): TraceEvent =>
  ev(t, pid, 'queue.send', { id, seq, size: 10, crc }, 2);
const get = (t: number, pid: number, crc: number, waited = 0, id = 'q:1'): TraceEvent =>
  ev(t, pid, 'queue.get', { id, loc: 'a.py:9', block: true, waited, outcome: 'ok', size: 10, crc, seq: null });

function build(events: TraceEvent[]): RunModel {
  const model = new RunModel();
  for (const event of events) model.add(event);
  return model;
}

describe('model: queues', () => {
  // Arrival order as the listener sees it: the consumer's batch lands before the producer's.
  const model = build([
    begin(0, 10, 'MainProcess', 'main'),
    begin(5, 20, 'consumer'),
    ev(6, 10, 'queue.new', { id: 'q:1', type: 'Queue', maxsize: 0, name: 'Queue@a.py:3', loc: 'a.py:3' }),
    get(300_000, 20, 111, 250_000),
    get(400_000, 20, 222),
    put(100, 10, 0, "'a'"),
    put(110, 10, 1, "'b'"),
    put(120, 10, 2, 'None'),
    send(101, 10, 0, 111),
    send(111, 10, 1, 222),
    send(121, 10, 2, 333),
  ]);
  const queue = model.queues.get('q:1');

  it('pairs each get with its put whichever arrives first, by the bytes the feeder sent', () => {
    assert.ok(queue);
    assert.deepEqual(queue.items.map((item) => [item.repr, item.getT]), [["'a'", 300_000], ["'b'", 400_000], ['None', null]]);
  });

  it('answers depth and contents at any instant', () => {
    assert.ok(queue);
    assert.equal(queue.depthAt(50), 0);
    assert.equal(queue.depthAt(120), 3);
    assert.equal(queue.depthAt(350_000), 2);
    assert.deepEqual(queue.contentsAt(350_000).map((item) => item.repr), ["'b'", 'None']);
    assert.deepEqual(queue.contentsAt(1_000_000).map((item) => item.repr), ['None']);
    assert.equal(queue.maxDepth, 3);
  });

  it('gives a get that waited a blocked interval ending when it returned', () => {
    const consumer = model.lane(20, 1);
    assert.ok(consumer);
    const state = laneStateAt(consumer, 200_000);
    assert.ok(state.state === 'blocked', state.state);
    assert.equal(state.interval.wait.op, 'queue.get');
    assert.equal(laneStateAt(consumer, 320_000).state, 'running');
    assert.equal(laneStateAt(consumer, 40_000).state, 'running');
  });
});

describe('model: threads of the queue module pair by seq, a manager queue in order', () => {
  const model = build([
    begin(0, 10, 'MainProcess', 'main'),
    ev(1, 10, 'queue.new', { id: 'tq10.1', type: 'queue.Queue', maxsize: 0, name: 'Queue@b.py:2', loc: 'b.py:2' }),
    ev(5, 10, 'queue.get', { id: 'tq10.1', loc: 'b.py:8', block: true, waited: 0, outcome: 'ok', size: null, crc: null, seq: 1 }, 2),
    put(2, 10, 0, "'x'", 'tq10.1'),
    put(3, 10, 1, "'y'", 'tq10.1'),
    ev(6, 10, 'queue.new', { id: 'mgr:m/1', type: 'Manager.Queue', maxsize: 0, name: 'Queue@b.py:4', loc: 'b.py:4' }),
    ev(7, 10, 'queue.put', { id: 'mgr:m/1', seq: null, loc: 'b.py:5', repr: '1', block: true, waited: 0, outcome: 'ok', size: null, crc: null }),
    ev(8, 10, 'queue.get', { id: 'mgr:m/1', loc: 'b.py:6', block: true, waited: 0, outcome: 'ok', size: null, crc: null, seq: null }),
  ]);

  it('pairs the get with the put it names, not the oldest', () => {
    assert.deepEqual(model.queues.get('tq10.1')?.items.map((item) => item.getT), [null, 5]);
    assert.deepEqual(model.queues.get('mgr:m/1')?.items.map((item) => item.getT), [8]);
  });
});

describe('model: a manager queue pairs a get with the put of its crc (its repr\'s), gets arriving out of order', () => {
  const q = 'mgr:m/2';
  const mput = (t: number, repr: string, crc: number): TraceEvent =>
    ev(t, 10, 'queue.put', { id: q, seq: null, loc: 'c.py:5', repr, block: true, waited: 0, outcome: 'ok', size: null, crc });
  const mget = (t: number, pid: number, crc: number | null): TraceEvent =>
    ev(t, pid, 'queue.get', { id: q, loc: 'c.py:9', block: true, waited: 0, outcome: 'ok', size: null, crc, seq: null });
  // The server served 'a' to 20, 'b' to 21, then the end marker to 20; 21's batch arrives last.
  const model = build([
    begin(0, 10, 'MainProcess', 'main'),
    ev(1, 10, 'queue.new', { id: q, type: 'Manager.Queue', maxsize: 0, name: 'Queue@c.py:4', loc: 'c.py:4' }),
    mput(10, "'a'", 111),
    mput(11, "'b'", 222),
    mput(12, 'None', 333),
    mget(20, 20, 111),
    mget(40, 20, 333),
    mget(30, 21, 222),
  ]);

  it('takes each item by its crc, not by arrival', () => {
    assert.deepEqual(model.queues.get(q)?.items.map((item) => [item.repr, item.getPid, item.getT]), [["'a'", 20, 20], ["'b'", 21, 30], ['None', 20, 40]]);
  });

  it('waits for a put that has not arrived yet rather than taking another', () => {
    const late = build([
      begin(0, 10, 'MainProcess', 'main'),
      ev(1, 10, 'queue.new', { id: q, type: 'Manager.Queue', maxsize: 0, name: 'Queue@c.py:4', loc: 'c.py:4' }),
      mput(10, "'a'", 111),
      mget(30, 21, 222),
      mput(11, "'b'", 222),
    ]);
    assert.deepEqual(late.queues.get(q)?.items.map((item) => [item.repr, item.getPid]), [["'a'", null], ["'b'", 21]]);
  });
});

describe('model: primitives made on one line', () => {
  it('are told apart by name', () => {
    const model = build([
      begin(0, 10, 'MainProcess', 'main'),
      ev(1, 10, 'queue.new', { id: 'q:1', type: 'Queue', maxsize: 0, name: 'Queue@a.py:21', loc: 'a.py:21' }),
      ev(2, 10, 'queue.new', { id: 'q:2', type: 'Queue', maxsize: 0, name: 'Queue@a.py:21', loc: 'a.py:21' }),
      ev(3, 10, 'queue.new', { id: 'q:1', type: 'Queue', maxsize: 0, name: 'Queue@a.py:21', loc: 'a.py:21' }),
      ev(4, 10, 'lock.new', { id: 'l:1', type: 'Lock', value: 1, scope: 'process', name: 'Lock@a.py:22', loc: 'a.py:22' }),
    ]);
    assert.deepEqual([...model.queues.values()].map((queue) => queue.name), ['Queue@a.py:21', 'Queue@a.py:21#2']);
    assert.equal(model.locks.get('l:1')?.name, 'Lock@a.py:22');
  });
});

describe('model: busy polling', () => {
  const poll = (t: number, count: number, op = 'empty', loc = 'p.py:7', tid = 1): TraceEvent =>
    ev(t, 10, 'queue.poll', { id: 'q:1', op, loc, count }, tid);
  const model = build([
    begin(0, 10, 'MainProcess', 'main'),
    poll(1, 1), poll(2, 10), poll(3, 100), poll(4, 1000), poll(5, 3000),
    poll(6, 1, 'qsize', 'p.py:9', 2), poll(7, 10, 'qsize', 'p.py:9', 2),
    ev(8, 10, 'queue.get', { id: 'q:1', loc: 'p.py:12', block: false, waited: 0, outcome: 'empty', size: null, crc: null, seq: null }),
  ]);

  it('keeps the highest count the runtime sent for each line, with the thread that polled', () => {
    assert.deepEqual(model.emptyPolls.get('p.py:7'), { count: 3000, queue: 'q:1', pid: 10, lane: '10:1' });
    assert.deepEqual(model.emptyPolls.get('p.py:9'), { count: 10, queue: 'q:1', pid: 10, lane: '10:2' });
    assert.equal(model.emptyPolls.get('p.py:12')?.count, 1);
  });
});

describe('model: locks', () => {
  const model = build([
    begin(0, 10, 'MainProcess', 'main'),
    begin(1, 20, 'a'),
    begin(1, 30, 'b'),
    ev(2, 10, 'lock.new', { id: 'L', type: 'Lock', value: 1, scope: 'process', name: 'Lock@c.py:1', loc: 'c.py:1' }),
    ev(10, 20, 'lock.acquire', { id: 'L', loc: 'c.py:5', waited: 0, outcome: 'ok' }),
    ev(15, 30, 'lock.wait', { id: 'L', loc: 'c.py:9', stack: [['c.py:20', '<module>'], ['c.py:9', 'work']] }),
    ev(20, 20, 'lock.release', { id: 'L', loc: 'c.py:6' }),
    ev(21, 30, 'lock.acquire', { id: 'L', loc: 'c.py:9', waited: 8, outcome: 'ok' }),
    ev(40, 30, 'process.exit', { code: 0, signal: null, how: 'return', dropped: 0 }),
  ]);
  const lock = model.locks.get('L');

  it('knows the owner at every instant, and a hold its holder never released', () => {
    assert.ok(lock);
    assert.deepEqual(lock.holdersAt(12).map((hold) => hold.pid), [20]);
    assert.deepEqual(lock.holdersAt(20.5).map((hold) => hold.pid), []);
    assert.deepEqual(lock.holdersAt(100).map((hold) => hold.pid), [30]);
    assert.equal(lock.contended, 1);
  });

  it('shows the waiter, its line and its stack in a snapshot', () => {
    const snap = snapshotAt(model, 17);
    assert.deepEqual(snap.locks.find((l) => l.id === 'L')?.waiters, ['30:1']);
    const waiter = snap.lanes.find((lane) => lane.key === '30:1')?.now;
    assert.ok(waiter?.state === 'blocked', waiter?.state);
    assert.equal(waiter.since, 13);
    assert.deepEqual(waiter.interval.wait.stack, [['c.py:20', '<module>'], ['c.py:9', 'work']]);
    assert.equal(waiter.interval.outcome, 'ok');
  });

  it('ends the lanes of a process that exited', () => {
    assert.equal(model.lane(30, 1)?.end, 40);
    assert.equal(model.processes.get(30)?.exitcode, 0);
  });
});

describe('model: threads whose ident is reused are lanes of their own', () => {
  const model = build([
    begin(0, 10, 'MainProcess', 'main'),
    ev(1, 10, 'thread.begin', { name: 'first', native: 1, daemon: false }, 7),
    ev(2, 10, 'thread.exit', { error: null }, 7),
    ev(3, 10, 'thread.begin', { name: 'second', native: 2, daemon: false }, 7),
  ]);

  it('keeps both, the later one under a key of its own', () => {
    const names = [...model.lanes.values()].map((lane) => lane.name).sort();
    assert.deepEqual(names, ['MainProcess', 'first', 'second']);
    assert.equal(model.lane(10, 7)?.name, 'second');
    assert.equal(model.lanes.get('10:7')?.name, 'first');
    assert.equal(model.lanes.get('10:7#2')?.name, 'second');
  });
});

describe('model: a reused ident, holds and waits of each thread its own', () => {
  const acquire = (t: number, id: string, loc: string, tid: number): TraceEvent =>
    ev(t, 10, 'lock.acquire', { id, loc, waited: 0, outcome: 'ok' }, tid);
  // Two threads one after the other under ident 7, each taking a slot of a
  // semaphore and ending without releasing it; a third under 7 again waits for a slot.
  const model = build([
    begin(0, 10, 'MainProcess', 'main'),
    ev(1, 10, 'lock.new', { id: 'S', type: 'threading.Semaphore', value: 2, scope: 'thread', name: 'Semaphore@a.py:3', loc: 'a.py:3' }),
    ev(2, 10, 'thread.begin', { name: 'first', native: 101, daemon: false }, 7),
    acquire(3, 'S', 'a.py:9', 7),
    ev(4, 10, 'queue.put', { id: 'q:1', seq: 0, loc: 'a.py:5', repr: "'one'", block: true, waited: 0, outcome: 'ok', size: null, crc: null }, 7),
    ev(5, 10, 'thread.exit', { error: null }, 7),
    ev(6, 10, 'thread.start', { target: 7, name: 'first', daemon: false, loc: 'a.py:20', internal: false }),
    ev(7, 10, 'thread.begin', { name: 'second', native: 102, daemon: false }, 7),
    ev(8, 10, 'thread.start', { target: 7, name: 'second', daemon: false, loc: 'a.py:20', internal: false }),
    acquire(9, 'S', 'a.py:9', 7),
    ev(10, 10, 'queue.put', { id: 'q:1', seq: 1, loc: 'a.py:5', repr: "'two'", block: true, waited: 0, outcome: 'ok', size: null, crc: null }, 7),
    ev(11, 10, 'thread.exit', { error: 'ValueError' }, 7),
    ev(12, 10, 'thread.begin', { name: 'third', native: 103, daemon: false }, 7),
    ev(13, 10, 'thread.start', { target: 7, name: 'third', daemon: false, loc: 'a.py:20', internal: false }),
    ev(14, 10, 'thread.join.wait', { target: 7, timeout: null, loc: 'a.py:22', stack: null }),
    ev(15, 10, 'lock.wait', { id: 'S', loc: 'a.py:9', stack: null }, 7),
  ]);
  const lanes = [...model.lanes.values()].filter((lane) => lane.tid === 7);

  it('gives each thread a lane of its own, from its begin to its exit', () => {
    assert.deepEqual(
      lanes.map((lane) => [lane.key, lane.name, lane.native, lane.start, lane.end, lane.error, lane.startLoc]),
      [
        ['10:7', 'first', 101, 2, 5, null, 'a.py:20'],
        ['10:7#2', 'second', 102, 7, 11, 'ValueError', 'a.py:20'],
        ['10:7#3', 'third', 103, 12, null, null, 'a.py:20'],
      ],
    );
    assert.deepEqual(model.processes.get(10)?.lanes, ['10:1', '10:7', '10:7#2', '10:7#3']);
  });

  it('keeps each hold with the thread that took it', () => {
    const lock = model.locks.get('S');
    assert.ok(lock);
    assert.deepEqual(lock.held.map((hold) => [hold.lane, hold.start]), [['10:7', 3], ['10:7#2', 9]]);
    assert.deepEqual(lock.holdersAt(16).map((hold) => model.lanes.get(hold.lane)), [lanes[0], lanes[1]]);
  });

  it('finds the thread of an ident at a time', () => {
    assert.equal(model.lane(10, 7)?.name, 'third');
    assert.deepEqual([1, 2, 4, 6, 7, 11, 12, 99].map((t) => model.laneAt(10, 7, t)?.name), ['first', 'first', 'first', 'first', 'second', 'second', 'third', 'third']);
    assert.equal(model.laneAt(10, 1, 5)?.name, 'MainProcess');
    assert.deepEqual(model.queues.get('q:1')?.items.map((item) => model.threadKey(item.putPid, item.putTid, item.putT)), ['10:7', '10:7#2']);
  });

  it('joins the thread of the ident alive when the join began', () => {
    const main = model.lane(10, 1);
    assert.equal(main && model.openWait(main)?.wait.target, '10:7#3');
    assert.equal(model.lane(10, 7)?.blocked.at(-1)?.wait.target, 'S');
  });
});
