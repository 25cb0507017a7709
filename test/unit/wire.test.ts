import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunClock } from '../../src/core/ingest/clock';
import { checkHello, decodeBatch } from '../../src/core/ingest/wire';

const token = '0123456789abcdef0123456789abcdef';
const kinds = { 'queue.put': ['id', 'seq'], 'lock.release': ['id', 'loc'] };
const hello = (fields: Record<string, unknown>): string =>
  JSON.stringify({ token, pid: 10, ppid: 1, mono: 5000, wall: 0, v: 1, kinds, ...fields });
const process42 = { pid: 42, kinds: new Map(Object.entries(kinds)) };

describe('checkHello', () => {
  it('accepts the right token and reads the wall clock exactly (beyond 2^53)', () => {
    const line = hello({}).replace('"wall":0', '"wall":1795000000000000123');
    const check = checkHello(line, token);
    assert.ok(check.ok);
    assert.equal(check.hello.wallNs, 1795000000000000123n);
    assert.equal(check.hello.pid, 10);
  });

  it('refuses a wrong token, a missing token, a non-hello and non-JSON', () => {
    assert.deepEqual(checkHello(hello({ token: 'f'.repeat(32) }), token), { ok: false, reason: 'wrong token' });
    assert.deepEqual(checkHello(hello({ token: 'short' }), token), { ok: false, reason: 'wrong token' });
    assert.deepEqual(checkHello('{"pid": 1}', token), { ok: false, reason: 'first line is not a hello' });
    assert.deepEqual(checkHello('[1,2]', token), { ok: false, reason: 'first line is not a hello' });
    assert.deepEqual(checkHello('GET / HTTP/1.1', token), { ok: false, reason: 'first line is not JSON' });
  });

  it('refuses a newer wire version and a hello without pid or wall', () => {
    assert.equal(checkHello(hello({ v: 2 }), token).ok, false);
    assert.equal(checkHello(hello({ pid: 'x' }), token).ok, false);
    assert.equal(checkHello(hello({ wall: 1.5 }), token).ok, false);
    assert.equal(checkHello(hello({ kinds: { 'queue.put': 'id' } }), token).ok, false);
    assert.equal(checkHello(hello({ kinds: undefined }), token).ok, false);
  });
});

describe('decodeBatch', () => {
  it('names [dt, tid, kind, values] after the hello\'s kinds table and adds the process offset', () => {
    const line = JSON.stringify([
      [100, 7, 'queue.put', ['q:1', 0]],
      [250, 7, 'lock.release', { id: 'l:1', loc: 'a.py:3' }],
    ]);
    const { events, malformed } = decodeBatch(line, process42, 1_000_000);
    assert.equal(malformed, 0);
    assert.deepEqual(events, [
      { t: 1_000_100, pid: 42, tid: 7, kind: 'queue.put', id: 'q:1', seq: 0 },
      { t: 1_000_250, pid: 42, tid: 7, kind: 'lock.release', id: 'l:1', loc: 'a.py:3' },
    ]);
  });

  it('counts malformed entries and lines instead of throwing, and never lets a field change the pid', () => {
    const line = JSON.stringify([
      [1, 2, 'x.y', {}],
      'junk',
      [1, 2],
      [1, 2, 3, {}],
      [5, 2, 'x.z', { pid: 666, t: 0 }],
      [6, 2, 'queue.put', ['q:1']], // fewer values than the kind has fields
      [7, 2, 'unknown.kind', [1]], // values for a kind the table does not name
    ]);
    const { events, malformed } = decodeBatch(line, process42, 0);
    assert.equal(malformed, 5);
    assert.deepEqual(events, [
      { t: 1, pid: 42, tid: 2, kind: 'x.y' },
      { t: 5, pid: 42, tid: 2, kind: 'x.z' },
    ]);
    assert.deepEqual(decodeBatch('[[1, 2, "a"', process42, 0), { events: [], malformed: 1 });
    assert.deepEqual(decodeBatch('{"a": 1}', process42, 0), { events: [], malformed: 1 });
  });
});

describe('RunClock', () => {
  it('makes the first hello time zero and aligns later processes by their wall clock', () => {
    const clock = new RunClock();
    assert.equal(clock.offsetForHello(1795000000000000000n), 0);
    assert.equal(clock.offsetForHello(1795000000000250000n), 250000);
    assert.deepEqual(clock.clockBase(), { wallNs: '1795000000000000000', iso: '2026-11-18T11:06:40.000Z' });
    assert.ok(clock.listenerNow() >= 0);
  });
});
