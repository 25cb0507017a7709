import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceEvent } from '../../src/core/events';
import { summarize } from '../../src/core/summary';
import { modelOf } from '../helpers';

const ev = (t: number, pid: number, kind: string, fields: Record<string, unknown> = {}, tid = 1): TraceEvent =>
  ({ t, pid, tid, kind, ...fields }) as unknown as TraceEvent;

const submit = (t: number, pool: string, job: number, func = 'f'): TraceEvent =>
  ev(t, 100, 'task.submit', { pool, job, func, count: 1, chunksize: null, args: '(1,)', callback: false, loc: 'a.py:5' });
const begin = (t: number, pid: number, pool: string, job: number, tid = 1): TraceEvent =>
  ev(t, pid, 'task.begin', { pool, job, index: 0, func: 'f', args: '(1,)', items: null }, tid);
const end = (t: number, pid: number, pool: string, job: number, ok: boolean, result: string): TraceEvent =>
  ev(t, pid, 'task.end', { pool, job, index: 0, ok, result });
const fetch = (t: number, pool: string, job: number, error: string | null): TraceEvent =>
  ev(t, 100, 'task.fetch', { pool, job, ready: true, loc: 'a.py:9', error });

describe('summarize: pools and executors', () => {
  const broken = 'BrokenProcessPool: A process in the process pool was terminated abruptly';
  const events = [
    ev(0, 100, 'pool.new', { id: 'pool:1:2', type: 'ProcessPoolExecutor', processes: 2, name: 'ProcessPoolExecutor@a.py:4', loc: 'a.py:4' }),
    ev(1, 100, 'pool.new', { id: 'tpool:100.1', type: 'ThreadPoolExecutor', processes: 3, name: 'ThreadPoolExecutor@a.py:20', loc: 'a.py:20' }),
    submit(2, 'pool:1:2', 0),
    submit(3, 'pool:1:2', 1),
    submit(4, 'pool:1:2', 2),
    submit(5, 'tpool:100.1', 0, 'g'),
    submit(6, 'tpool:100.1', 1, 'g'),
    ev(7, 100, 'task.cancel', { pool: 'tpool:100.1', job: 1, loc: 'a.py:22' }),
    begin(10, 101, 'pool:1:2', 0),
    end(20, 101, 'pool:1:2', 0, false, 'ValueError: seven'),
    begin(21, 101, 'pool:1:2', 1),
    begin(22, 102, 'pool:1:2', 2),
    begin(23, 100, 'tpool:100.1', 0, 7),
    end(24, 100, 'tpool:100.1', 0, true, '4'),
    ev(30, 100, 'pool.broken', { pool: 'pool:1:2', error: broken, jobs: [1, 2] }, 2),
    fetch(31, 'pool:1:2', 1, broken),
    fetch(32, 'tpool:100.1', 0, null),
    // an older trace's fetch has no error field
    ev(33, 100, 'task.fetch', { pool: 'pool:1:2', job: 0, ready: true, loc: 'a.py:8' }),
    ev(34, 100, 'pool.shutdown.wait', { pool: 'tpool:100.1', loc: 'a.py:20' }),
    ev(40, 100, 'pool.shutdown', { pool: 'tpool:100.1', wait: true, cancel: false, loc: 'a.py:20', waited: 6 }),
  ];
  const summary = summarize(modelOf(events));

  it('lists each pool with its jobs, what ran, failed, never ended or was cancelled, and its state', () => {
    assert.deepEqual(summary.pools, [
      {
        id: 'pool:1:2', name: 'ProcessPoolExecutor@a.py:4', type: 'ProcessPoolExecutor', workers: 2,
        jobs: 3, ran: 3, failed: 1, unfinished: 2, cancelled: 0, broken, shutdown: false,
      },
      {
        id: 'tpool:100.1', name: 'ThreadPoolExecutor@a.py:20', type: 'ThreadPoolExecutor', workers: 3,
        jobs: 2, ran: 1, failed: 0, unfinished: 0, cancelled: 1, broken: null, shutdown: true,
      },
    ]);
  });

  it('gives each task its worker, outcome, and what its fetch raised', () => {
    const rows = summary.tasks.map((t) => [t.pool, t.job, t.worker, t.thread, t.ok, t.end, t.fetched, t.fetchError, t.queued]);
    assert.deepEqual(rows, [
      ['pool:1:2', 0, 101, 1, false, 20, true, null, 2],
      ['pool:1:2', 1, 101, 1, null, null, true, broken, 3],
      ['pool:1:2', 2, 102, 1, null, null, false, null, 4],
      ['tpool:100.1', 0, 100, 7, true, 24, true, null, 5],
    ]);
  });
});

describe('summarize: a task whose submission was not seen', () => {
  it('has no queued time (not the time its result was fetched)', () => {
    const summary = summarize(modelOf([begin(10, 101, 'pool:1:2', 0), end(20, 101, 'pool:1:2', 0, true, '1'), fetch(30, 'pool:1:2', 0, null)]));
    assert.deepEqual(summary.tasks.map((t) => [t.queued, t.fetched]), [[null, true]]);
    assert.deepEqual(summary.pools.map((p) => [p.jobs, p.ran]), []);
  });
});
