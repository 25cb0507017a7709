import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunClock } from '../../src/core/ingest/clock';
import { KIND_FIELDS } from '../../src/core/events';
import { LineTooLongError } from '../../src/core/ingest/lines';
import { checkHello, ConnectionSplitter, decodeFrame, fieldOrderFor, FrameTooLargeError } from '../../src/core/ingest/wire';
import { frame, pythonMarshal } from '../helpers';

const token = '0123456789abcdef0123456789abcdef';
const kinds = { 'queue.put': KIND_FIELDS['queue.put'], 'lock.release': ['id', 'loc'] };
const hello = (fields: Record<string, unknown>): string =>
  JSON.stringify({ token, pid: 10, ppid: 1, mono: 5000, wall: 0, v: 2, kinds, ...fields });

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

  it('refuses another wire version and a hello without pid or wall', () => {
    assert.equal(checkHello(hello({ v: 1 }), token).ok, false);
    assert.equal(checkHello(hello({ v: 3 }), token).ok, false);
    assert.equal(checkHello(hello({ pid: 'x' }), token).ok, false);
    assert.equal(checkHello(hello({ wall: 1.5 }), token).ok, false);
    assert.equal(checkHello(hello({ kinds: { 'queue.put': 'id' } }), token).ok, false);
    assert.equal(checkHello(hello({ kinds: undefined }), token).ok, false);
  });
});

describe('decodeFrame', () => {
  const [good, bad] = pythonMarshal([
    `[(100, 7, 'thread.exit', (None,)), (250, 7, 'lock.release', ('l:1', 'a.py:3'))]`,
    `[(1, 2, 'x.y', ()), 'junk', (1, 2), (1, 2, 3, ()), (5, 2, 'constructor', (1,)), (6, 2, 'queue.put', ('q:1',)), (7, 2, 'lock.release', {'id': 1})]`,
  ]);

  it('puts pid and the clock offset in front of each event, values in field order', () => {
    const source = { pid: 42, offsetNs: 1_000_000, order: fieldOrderFor(new Map(Object.entries(kinds))) };
    const { events, malformed } = decodeFrame(good, source);
    assert.equal(malformed, 0);
    assert.deepEqual(events, [
      [1_000_100, 42, 7, 'thread.exit', null],
      [1_000_250, 42, 7, 'lock.release', 'l:1', 'a.py:3'],
    ]);
  });

  it("reorders the values of a process whose field lists differ from the run's", () => {
    // This process sends queue.put as (seq, id) and lock.release without loc.
    const order = fieldOrderFor(new Map([['queue.put', ['seq', 'extra', 'id']], ['lock.release', ['id']]]));
    const [reordered] = pythonMarshal([`[(1, 7, 'queue.put', (3, 'x', 'q:9')), (2, 7, 'lock.release', ('l:1',))]`]);
    const { events } = decodeFrame(reordered, { pid: 1, offsetNs: 0, order });
    const put = KIND_FIELDS['queue.put'].map((name) => (name === 'id' ? 'q:9' : name === 'seq' ? 3 : null));
    assert.deepEqual(events, [
      [1, 1, 7, 'queue.put', ...put],
      [2, 1, 7, 'lock.release', 'l:1', null],
    ]);
  });

  it("carries a wait's stack as [loc, function] pairs, and a runtime that sends no stack gets null", () => {
    const [frame] = pythonMarshal([
      `[(1, 7, 'lock.wait', ('l:1', 'a.py:3', [('a.py:9', '<module>'), ('a.py:3', 'take')])), (2, 7, 'queue.get.wait', ('q:1', 'a.py:5', None))]`,
    ]);
    const current = decodeFrame(frame, { pid: 1, offsetNs: 0, order: fieldOrderFor(new Map(Object.entries(KIND_FIELDS))) });
    assert.deepEqual(current.events, [
      [1, 1, 7, 'lock.wait', 'l:1', 'a.py:3', [['a.py:9', '<module>'], ['a.py:3', 'take']]],
      [2, 1, 7, 'queue.get.wait', 'q:1', 'a.py:5', null],
    ]);
    // A runtime from before the field was added.
    const order = fieldOrderFor(new Map([['lock.wait', ['id', 'loc']]]));
    const [older] = pythonMarshal([`[(1, 7, 'lock.wait', ('l:1', 'a.py:3'))]`]);
    assert.deepEqual(decodeFrame(older, { pid: 1, offsetNs: 0, order }).events, [[1, 1, 7, 'lock.wait', 'l:1', 'a.py:3', null]]);
  });

  it('counts malformed events and frames instead of throwing', () => {
    const { events, malformed } = decodeFrame(bad, { pid: 42, offsetNs: 0, order: new Map() });
    // Kept: an unknown kind passes through as sent, and so does `constructor`
    // (no kind of ours). Bad: 'junk', (1, 2), a non-string kind, a queue.put
    // with too few values, values given as a dict.
    assert.equal(malformed, 5);
    assert.deepEqual(events, [
      [1, 42, 2, 'x.y'],
      [5, 42, 2, 'constructor', 1],
    ]);
    assert.deepEqual(decodeFrame(good.subarray(0, 20), { pid: 1, offsetNs: 0, order: new Map() }), { events: [], malformed: 1 });
    assert.deepEqual(decodeFrame(Buffer.from('{0'), { pid: 1, offsetNs: 0, order: new Map() }), { events: [], malformed: 1 });
  });
});

describe('ConnectionSplitter', () => {
  it('splits a hello line and frames that arrive in arbitrary pieces', () => {
    const [a, b] = pythonMarshal(['[1]', `['x' * 300]`]);
    const stream = Buffer.concat([Buffer.from('{"hello": 1}\n'), frame(a), frame(b)]);
    for (const cut of [1, 5, 13, 14, 16, stream.length - 1]) {
      const splitter = new ConnectionSplitter(1024, 1 << 20);
      const pieces = [...splitter.push(stream.subarray(0, cut)), ...splitter.push(stream.subarray(cut))];
      assert.deepEqual(pieces, ['{"hello": 1}', a, b], `cut at ${cut}`);
    }
  });

  it('throws on a hello that never ends and on an oversized frame', () => {
    assert.throws(() => new ConnectionSplitter(8, 100).push(Buffer.alloc(9, 'x')), LineTooLongError);
    const huge = Buffer.alloc(4);
    huge.writeUInt32LE(101);
    assert.throws(() => new ConnectionSplitter(8, 100).push(Buffer.concat([Buffer.from('{}\n'), huge])), FrameTooLargeError);
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
