import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ViewData, ViewQueue } from '../../src/core/view/view-data';
import { decodeViewData, encodeViewData } from '../../src/core/view/wire';

function queue(put: number[], get: number[]): ViewQueue {
  const refs = put.map((_, i) => i);
  return {
    id: 'q', name: 'Queue@a.py:1', type: 'Queue', maxsize: 0, puts: put.length, gets: get.filter((g) => g >= 0).length, maxDepth: 2,
    depthT: [5, 9, 9_000_000_123], depth: [1, 2, 0],
    items: { put, get, repr: refs, putLane: refs.map(() => 0), getLane: refs.map(() => -1), putLoc: refs.map(() => 1), getLoc: refs.map(() => -1) },
  };
}

function data(queues: ViewQueue[]): ViewData {
  return {
    version: 1, title: 't', start: 0, end: 10, live: false, events: 1, dropped: 0, strings: [], processes: [], lanes: [], queues, locks: [],
    verdict: 'ok', hangAt: null, findings: [],
  };
}

describe('view data on the wire', () => {
  it('comes back exactly: open ends, ends a little before their starts (another clock), zero lengths, big times', () => {
    const original = data([queue([100, 200, 300, 400, 5_000_000_000_000], [-1, 199, 198, 400, 5_000_000_000_001])]);
    const wire = encodeViewData(original);
    assert.deepEqual(wire.queues[0]?.items.get, [-1, -2, -103, 0, 1], 'lengths: -1 stays open; -1 and -102 are sent one lower');
    assert.deepEqual(decodeViewData(JSON.parse(JSON.stringify(wire)) as ViewData), original);
  });
  it('leaves data that is not encoded alone', () => {
    const plain = data([queue([1, 2], [3, -1])]);
    assert.deepEqual(decodeViewData(structuredClone(plain)), plain);
  });
});
