import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceEvent } from '../../src/core/events';
import { summarize } from '../../src/core/summary';
import { modelOf } from '../helpers';

// Events as they appear in a trace; the casts keep hand-written lists short.
const ev = (t: number, pid: number, kind: string, fields: Record<string, unknown> = {}, tid = 1): TraceEvent =>
  ({ t, pid, tid, kind, ...fields }) as unknown as TraceEvent;

const created = (t: number, pid: number, id: string, size: number, loc: string | null, type = 'SharedMemory'): TraceEvent =>
  ev(t, pid, 'shm.new', { id, type, size, name: loc ? `${type}@${loc}` : type, loc });

describe('summarize: shared memory segments', () => {
  const summary = summarize(modelOf([
    created(1, 10, 'shm:psm_a', 64, 'p.py:5'),
    ev(2, 11, 'shm.attach', { id: 'shm:psm_a', type: 'SharedMemory', size: 64, loc: null }),
    ev(3, 11, 'shm.attach', { id: 'shm:psm_a', type: 'SharedMemory', size: 64, loc: 'p.py:9' }),
    ev(4, 11, 'shm.close', { id: 'shm:psm_a', loc: 'p.py:10' }),
    ev(5, 10, 'shm.close', { id: 'shm:psm_a', loc: 'p.py:14' }),
    ev(6, 10, 'shm.unlink', { id: 'shm:psm_a', loc: 'p.py:15', error: null }),
    ev(7, 10, 'shm.unlink', { id: 'shm:psm_a', loc: 'p.py:16', error: 'FileNotFoundError' }),
    created(8, 11, 'shm:psm_leak', 100, 'p.py:20', 'ShareableList'),
    ev(9, 12, 'shm.attach', { id: 'shm:outside', type: 'SharedMemory', size: 4096, loc: 'p.py:30' }),
    ev(10, 12, 'shm.close', { id: 'shm:gone', loc: null }),
  ]));
  const byId = new Map(summary.sharedMemory.map((s) => [s.id, s]));

  it('counts every step of a segment over all processes; a failed unlink is not an unlink', () => {
    assert.deepEqual(byId.get('shm:psm_a'), {
      id: 'shm:psm_a', segment: 'psm_a', name: 'SharedMemory@p.py:5', type: 'SharedMemory', size: 64,
      creator: 10, loc: 'p.py:5', created: 1, attached: 2, closed: 2, unlinked: 1, leaked: false,
    });
  });

  it('flags a segment created in the run and never unlinked, with where and by whom', () => {
    assert.deepEqual(byId.get('shm:psm_leak'), {
      id: 'shm:psm_leak', segment: 'psm_leak', name: 'ShareableList@p.py:20', type: 'ShareableList', size: 100,
      creator: 11, loc: 'p.py:20', created: 1, attached: 0, closed: 0, unlinked: 0, leaked: true,
    });
  });

  it('does not call a segment made outside the run leaked, and names it by its segment name', () => {
    const outside = byId.get('shm:outside');
    assert.equal(outside?.leaked, false);
    assert.deepEqual([outside.name, outside.type, outside.size, outside.creator, outside.attached], ['outside', 'SharedMemory', 4096, null, 1]);
    assert.deepEqual(byId.get('shm:gone'), {
      id: 'shm:gone', segment: 'gone', name: 'gone', type: null, size: null, creator: null, loc: null,
      created: 0, attached: 0, closed: 1, unlinked: 0, leaked: false,
    });
  });

  it('keeps segments in the order they were first seen', () => {
    assert.deepEqual(summary.sharedMemory.map((s) => s.id), ['shm:psm_a', 'shm:psm_leak', 'shm:outside', 'shm:gone']);
  });
});

describe('summarize: shared values', () => {
  it('lists each Value/Array the user made, with the id of its lock', () => {
    const summary = summarize(modelOf([
      ev(1, 10, 'lock.new', { id: 'sem:/mp-1', type: 'RLock', value: 1, scope: 'process', name: 'RLock@v.py:3', loc: 'v.py:3' }),
      ev(2, 10, 'shared.new', {
        id: 'shared:27:9:0', type: 'Value', typecode: 'i', size: 4, length: null, locked: true, lock: 'sem:/mp-1',
        name: 'Value@v.py:3', loc: 'v.py:3',
      }),
      ev(3, 10, 'shared.new', {
        id: 'shared:27:9:8', type: 'RawArray', typecode: 'c_short', size: 6, length: 3, locked: false, lock: null,
        name: 'RawArray@v.py:4', loc: 'v.py:4',
      }),
      ev(4, 11, 'lock.acquire', { id: 'sem:/mp-1', loc: 'v.py:8', waited: 0, outcome: 'ok' }),
    ]));
    assert.deepEqual(summary.sharedValues, [
      {
        id: 'shared:27:9:0', name: 'Value@v.py:3', type: 'Value', typecode: 'i', size: 4, length: null,
        locked: true, lock: 'sem:/mp-1', creator: 10, loc: 'v.py:3',
      },
      {
        id: 'shared:27:9:8', name: 'RawArray@v.py:4', type: 'RawArray', typecode: 'c_short', size: 6, length: 3,
        locked: false, lock: null, creator: 10, loc: 'v.py:4',
      },
    ]);
    assert.deepEqual(summary.locks.map((l) => [l.id, l.acquisitions]), [['sem:/mp-1', 1]]);
  });

  it('is empty without shared memory', () => {
    const summary = summarize(modelOf([ev(0, 1, 'process.begin', { name: 'MainProcess', ppid: 0, role: 'main', method: null, argv: [] })]));
    assert.deepEqual([summary.sharedMemory, summary.sharedValues], [[], []]);
  });
});
