import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceEvent } from '../../src/core/events';
import { summarize } from '../../src/core/summary';
import { modelOf } from '../helpers';

// Events as they appear in a trace; the casts keep hand-written lists short.
const ev = (t: number, pid: number, kind: string, fields: Record<string, unknown> = {}, tid = 1): TraceEvent =>
  ({ t, pid, tid, kind, ...fields }) as unknown as TraceEvent;

const begin = (t: number, pid: number, name: string, role: string): TraceEvent =>
  ev(t, pid, 'process.begin', { name, ppid: 1, role, method: 'fork', argv: [] });

describe('summarize: processes', () => {
  const events = [
    begin(0, 100, 'MainProcess', 'main'),
    begin(10, 101, 'worker-1', 'process'),
    begin(12, 102, 'worker-2', 'process'),
    begin(13, 103, 'resource_tracker', 'resource_tracker'),
    ev(14, 100, 'process.spawn', { child: 104, name: 'never-began', method: 'spawn', loc: 'a.py:9' }),
    ev(50, 101, 'process.exit', { code: 3, signal: null, how: 'sys.exit', dropped: 2 }),
    ev(60, 100, 'process.reaped', { child: 101, code: 3, signal: null }),
    ev(61, 100, 'process.reaped', { child: 102, code: -9, signal: null }),
    ev(63, 103, 'process.disconnect', {}, 0),
    ev(90, 100, 'process.exit', { code: 0, signal: null, how: 'return' }),
    ev(95, 100, 'process.exit', { code: null, signal: 'SIGTERM', how: 'observed' }, 0),
    ev(96, 0, 'run.refused', { reason: 'wrong token' }, 0),
    ev(97, 0, 'run.end', { code: null, signal: 'SIGTERM', refused: 1 }, 0),
  ];
  const summary = summarize(modelOf(events));
  const byPid = new Map([...summary.processes, ...summary.helpers].map((p) => [p.pid, p]));

  it('takes the exit code from the process itself, else from its parent, signals included', () => {
    assert.deepEqual(byPid.get(101), { pid: 101, name: 'worker-1', role: 'process', exitcode: 3, signal: null, start: 10, end: 50 });
    assert.deepEqual(byPid.get(102), { pid: 102, name: 'worker-2', role: 'process', exitcode: -9, signal: 'SIGKILL', start: 12, end: 61 });
  });

  it('prefers the exit status the listener observed for the main process, and ends it at its own exit', () => {
    const main = byPid.get(100);
    assert.equal(main?.exitcode, -15);
    assert.equal(main.signal, 'SIGTERM');
    assert.equal(main.end, 90);
  });

  it('lists helpers apart, ends a process at its disconnect when nothing better is known', () => {
    assert.deepEqual(summary.helpers.map((p) => [p.pid, p.end, p.exitcode]), [[103, 63, null]]);
    assert.ok(!summary.processes.some((p) => p.pid === 103 || p.pid === 0));
  });

  it('knows a spawned process that never said hello, by the name its parent gave', () => {
    assert.deepEqual(byPid.get(104), { pid: 104, name: 'never-began', role: null, exitcode: null, signal: null, start: 14, end: null });
  });

  it('counts events, refused connections and dropped events', () => {
    assert.equal(summary.events, events.length);
    assert.equal(summary.refused, 1);
    assert.equal(summary.dropped, 2);
    assert.deepEqual(summary.tasks, []);
  });
});

describe('summarize: queues, pipes, locks, threads', () => {
  const put = (t: number, pid: number, outcome = 'ok'): TraceEvent =>
    ev(t, pid, 'queue.put', { id: 'q:1', seq: 0, loc: 'p.py:5', repr: '1', block: true, waited: 0, outcome });
  const get = (t: number, pid: number, outcome = 'ok'): TraceEvent =>
    ev(t, pid, 'queue.get', { id: 'q:1', loc: 'p.py:9', block: true, waited: 0, outcome });

  it('computes the max depth in time order, not arrival order, from successful puts and gets', () => {
    // Arrival order interleaves processes; by time: put put get put put(full) get get → depths 1 2 1 2 2 1 0.
    const summary = summarize(modelOf([
      ev(0, 1, 'queue.new', { id: 'q:1', type: 'Queue', maxsize: 2, name: 'Queue@p.py:3', loc: 'p.py:3' }),
      put(10, 1), put(40, 1), get(30, 2), put(20, 1), put(45, 1, 'full'), get(50, 2), get(60, 2), get(70, 2, 'empty'),
      ev(71, 1, 'queue.lost', { id: 'q:1', seq: 4, error: 'PicklingError' }),
      ev(72, 1, 'queue.buffered', { id: 'q:1', count: 2 }),
    ]));
    assert.deepEqual(summary.queues, [
      { id: 'q:1', name: 'Queue@p.py:3', type: 'Queue', puts: 3, gets: 3, maxDepth: 2, lost: 1, buffered: 2 },
    ]);
  });

  it('keeps queues and locks whose creation was not seen, named after their first use', () => {
    const summary = summarize(modelOf([
      put(1, 1),
      ev(2, 1, 'lock.acquire', { id: 'l:9', loc: 'c.py:7', waited: 0, outcome: 'ok' }),
    ]));
    assert.deepEqual(summary.queues.map((q) => [q.id, q.name, q.type, q.puts]), [['q:1', 'Queue@p.py:5', null, 1]]);
    assert.deepEqual(summary.locks.map((l) => [l.id, l.name, l.type, l.acquisitions]), [['l:9', 'Lock@c.py:7', null, 1]]);
  });

  it('counts acquisitions, contention and the longest wait of a lock', () => {
    const acquire = (t: number, waited: number, outcome = 'ok'): TraceEvent =>
      ev(t, 1, 'lock.acquire', { id: 'l:1', loc: 'c.py:7', waited, outcome });
    const summary = summarize(modelOf([
      ev(0, 1, 'lock.new', { id: 'l:1', type: 'Lock', value: 1, scope: 'process', name: 'Lock@c.py:2', loc: 'c.py:2' }),
      acquire(1, 0),
      ev(2, 1, 'lock.wait', { id: 'l:1', loc: 'c.py:7' }),
      acquire(9, 7000),
      ev(10, 1, 'lock.wait', { id: 'l:1', loc: 'c.py:7' }),
      acquire(20, 9000, 'timeout'),
      ev(21, 1, 'lock.release', { id: 'l:1', loc: 'c.py:8' }),
    ]));
    assert.deepEqual(summary.locks, [
      { id: 'l:1', name: 'Lock@c.py:2', type: 'Lock', acquisitions: 2, maxWait: 9000, contended: 2 },
    ]);
  });

  it('maps pipe ends to their pipe', () => {
    const summary = summarize(modelOf([
      ev(0, 1, 'pipe.new', { id: 'p:1', ends: ['e:a', 'e:b'], duplex: false, loc: 'x.py:1' }),
      ev(1, 1, 'pipe.send', { end: 'e:b', size: 4, crc: 1, loc: 'x.py:2' }),
      ev(2, 2, 'pipe.recv', { end: 'e:a', size: 4, crc: 1, waited: 0, loc: 'x.py:3' }),
    ]));
    assert.deepEqual(summary.pipes, [{ id: 'p:1', name: 'Pipe@x.py:1', duplex: false, sends: 1, recvs: 1 }]);
  });

  it('follows threads from start to exit', () => {
    const summary = summarize(modelOf([
      begin(0, 5, 'MainProcess', 'main'),
      // start() returns once the thread began: its event is no earlier than the thread's begin.
      ev(2, 5, 'thread.start', { target: 77, name: 'fetcher', daemon: false, loc: 't.py:4' }),
      ev(2, 5, 'thread.begin', { name: 'fetcher', native: 4242, daemon: false }, 77),
      ev(9, 5, 'thread.exit', { error: 'ValueError' }, 77),
    ]));
    assert.deepEqual(summary.threads, [{ pid: 5, tid: 77, name: 'fetcher', native: 4242, start: 2, end: 9, error: 'ValueError' }]);
  });

  it('keeps a thread that ended when a new one reuses its ident', () => {
    const summary = summarize(modelOf([
      begin(0, 5, 'MainProcess', 'main'),
      ev(2, 5, 'thread.start', { target: 77, name: 'first', daemon: false, loc: 't.py:4' }),
      ev(2, 5, 'thread.begin', { name: 'first', native: 1, daemon: false }, 77),
      ev(3, 5, 'thread.exit', { error: null }, 77),
      ev(5, 5, 'thread.begin', { name: 'second', native: 2, daemon: false }, 77), // its begin before its start
      ev(6, 5, 'thread.start', { target: 77, name: 'second', daemon: false, loc: 't.py:4' }),
      ev(8, 5, 'thread.exit', { error: null }, 77),
    ]));
    assert.deepEqual(
      summary.threads.map((t) => [t.name, t.native, t.start, t.end]),
      [
        ['first', 1, 2, 3],
        ['second', 2, 5, 8],
      ],
    );
  });
});

// Where the summary's own walk over the events and the run model disagreed,
// before the summary became a view of the model; the model's answer, now both's.
describe('summarize: what the model decides', () => {
  it('starts a process at its spawn, when it began later (the process ran from there)', () => {
    const summary = summarize(modelOf([
      begin(0, 1, 'MainProcess', 'main'),
      ev(10, 1, 'process.spawn', { child: 2, name: 'child', method: 'spawn', loc: 'a.py:3' }),
      begin(40, 2, 'child', 'process'),
    ]));
    assert.deepEqual(summary.processes.map((p) => [p.pid, p.start]), [[1, 0], [2, 10]]);
  });

  it('ends a process at its own exit even when its parent\'s reap arrived first, and its threads with it', () => {
    const model = modelOf([
      begin(0, 1, 'MainProcess', 'main'),
      begin(10, 2, 'child', 'process'),
      ev(12, 2, 'thread.begin', { name: 'QueueFeederThread', native: 9, daemon: true }, 7),
      ev(60, 1, 'process.reaped', { child: 2, code: 0, signal: null }),
      ev(50, 2, 'process.exit', { code: 0, signal: null, how: 'return', dropped: 0 }),
      ev(70, 2, 'process.disconnect', {}, 0),
    ]);
    const summary = summarize(model);
    assert.equal(summary.processes.find((p) => p.pid === 2)?.end, 50);
    // The feeder sent no exit of its own: it ended with its process, not "never".
    assert.deepEqual(summary.threads.map((t) => [t.name, t.end]), [['QueueFeederThread', 50]]);
    assert.equal(model.lane(2, 1)?.end, 50, 'its main thread too');
  });

  it('lists a thread that ended before start() returned once, not twice', () => {
    const summary = summarize(modelOf([
      begin(0, 5, 'MainProcess', 'main'),
      ev(2, 5, 'thread.begin', { name: 'quick', native: 1, daemon: false }, 77),
      ev(3, 5, 'thread.exit', { error: null }, 77),
      ev(4, 5, 'thread.start', { target: 77, name: 'quick', daemon: false, loc: 't.py:4', internal: false }),
    ]));
    assert.deepEqual(summary.threads.map((t) => [t.name, t.start, t.end]), [['quick', 2, 3]]);
  });

  it('names a pipe as the runtime did, like queues and locks', () => {
    const summary = summarize(modelOf([
      ev(0, 1, 'pipe.new', { id: 'p:1', ends: ['e:a', 'e:b'], duplex: true, name: 'Pipe@x.py:1', loc: 'examples/x.py:1' }),
    ]));
    assert.deepEqual(summary.pipes.map((p) => p.name), ['Pipe@x.py:1']);
  });

  it('shows a queue and a lock seen only in calls that failed, named after that use', () => {
    const summary = summarize(modelOf([
      ev(1, 1, 'queue.get', { id: 'q:7', loc: 'g.py:2', block: false, waited: 0, outcome: 'empty' }),
      ev(2, 1, 'lock.acquire', { id: 'l:7', loc: 'g.py:3', waited: 500, outcome: 'timeout' }),
    ]));
    assert.deepEqual(summary.queues.map((q) => [q.name, q.gets]), [['Queue@g.py:2', 0]]);
    assert.deepEqual(summary.locks.map((l) => [l.name, l.acquisitions, l.maxWait]), [['Lock@g.py:3', 0, 500]]);
  });
});
