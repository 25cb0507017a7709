// The listener's two codecs on the hot path: marshal in (as CPython writes it),
// JSON lines out (exactly the text JSON.stringify would give).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MarshalError, unmarshal } from '../../src/core/ingest/marshal';
import { LineTooLongError } from '../../src/core/ingest/lines';
import { ConnectionSplitter, decodeFrame, fieldOrderFor, FrameTooLargeError } from '../../src/core/ingest/wire';
import { JsonLineBuffer } from '../../src/core/json-lines';
import { frame, pythonMarshal } from '../helpers';

describe('unmarshal', () => {
  it('reads every value the runtime sends, as CPython marshals it', () => {
    const cases: [string, unknown][] = [
      ['None', null],
      ['(True, False)', [true, false]],
      ['[0, -1, 2**31 - 1, -2**31, 2**31, -(2**40), 139644932713344, 2**53 - 1]', [0, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 40), 139644932713344, 2 ** 53 - 1]],
      ['[1.5, -0.25, 1e300]', [1.5, -0.25, 1e300]],
      ["['', 'ascii', 'x' * 70, 'x' * 300, 'Grüße 🐍', '\\n\"\\\\']", ['', 'ascii', 'x'.repeat(70), 'x'.repeat(300), 'Grüße 🐍', '\n"\\']],
      ["{'a': [1, {'b': None}], '__proto__': 'data'}", JSON.parse('{"a": [1, {"b": null}], "__proto__": "data"}')],
      ["b'\\x00\\xff'", '00ff'],
      ['[frozenset(), (1,) * 300]', [[], new Array(300).fill(1)]],
    ];
    const bytes = pythonMarshal(cases.map(([python]) => python));
    cases.forEach(([python, expected], i) => {
      assert.deepEqual(unmarshal(bytes[i] ?? Buffer.alloc(0)), expected, python);
    });
  });

  it('follows back-references to repeated strings and tuples', () => {
    // marshal writes an object seen before (and still referenced) as a reference.
    const [bytes] = pythonMarshal(["(lambda s, t: [s, s, t, t, s])('queue.put' * 2, (1, 'x'))"]);
    assert.deepEqual(unmarshal(bytes), ['queue.putqueue.put', 'queue.putqueue.put', [1, 'x'], [1, 'x'], 'queue.putqueue.put']);
  });

  it('throws MarshalError on input outside the subset or cut short', () => {
    const [complexValue, list] = pythonMarshal(['1j', '[1, 2, 3]']);
    assert.throws(() => unmarshal(complexValue), MarshalError);
    assert.throws(() => unmarshal(list.subarray(0, 7)), MarshalError);
    assert.throws(() => unmarshal(Buffer.from('r\u0005\u0000\u0000\u0000', 'latin1')), MarshalError);
    assert.throws(() => unmarshal(Buffer.concat([list, Buffer.from('N')])), MarshalError);
  });
});

describe('JsonLineBuffer', () => {
  it('writes exactly what JSON.stringify writes, one value a line', () => {
    const values: unknown[] = [
      [57917123, 2319, 139644932713344, 'queue.put', 'q:15:5639', 40, 'a.py:61', "(81, 'item-81')", true, 0, 'ok', null, null],
      [0.5, -3, 1e21, Number.NaN, Infinity, -0, 2 ** 60],
      ['quote " backslash \\ newline \n tab \t nul \u0000 bell \u0007 del \u007f', 'Grüße 🐍', 'lone \ud800 surrogate'],
      [{ executable: '/usr/bin/python3', nested: [1, { a: null }] }, ['argv', 'x'], [], [[]]],
      [undefined, 'x'],
    ];
    // Random ASCII, control characters included.
    for (let i = 0; i < 200; i++) {
      values.push(Array.from({ length: 5 }, () => String.fromCharCode(...Array.from({ length: i % 40 }, () => Math.floor(Math.random() * 128)))));
    }
    const out = new JsonLineBuffer(16); // tiny: growing is tested too
    for (const value of values) out.line(value);
    assert.equal(out.take().toString('utf8'), values.map((v) => JSON.stringify(v) + '\n').join(''));
    assert.equal(out.length, 0);
  });
});

describe('decodeFrame with JSON lines', () => {
  const source = { pid: 4321, offsetNs: 1_795_000_000_123, order: fieldOrderFor(new Map()) };
  const linesOf = (payload: Buffer, from = source, out = new JsonLineBuffer(8)) => {
    const decoded = decodeFrame(payload, from, out);
    const bytes = out.bytes;
    const lines = decoded.events.map((_, i) => bytes.subarray(decoded.lineBounds[i], decoded.lineBounds[i + 1]).toString('utf8'));
    return { decoded, lines, text: bytes.subarray(0, out.length).toString('utf8') };
  };

  it('writes each event exactly as JSON.stringify would, references, nesting and odd strings included', () => {
    const [payload] = pythonMarshal([
      `(lambda loc, small, s: [
        (0, 140000000000001, 'queue.put', ('q:1:2', 0, loc, "(0, 'item-0')", True, 0, 'ok', None, None)),
        (2**31 + 5, 140000000000001, 'queue.put', ('q:1:2', 1, loc, s, False, 17, 'full', 12, 2**32 - 1)),
        (9, 7, 'process.begin', ('Main', 1, 'main', None, ['a.py', 'x' * 70, loc], {'executable': '/p', 'version': '3.11', 'implementation': 'cpython', '__proto__': 1})),
        (10, 7, 'lock.release', (small, loc)),
        (11, 7, 'lock.release', (small, 'quote " backslash \\\\ nl \\n tab \\t nul \\x00 del \\x7f')),
        (12, 7, 'lock.release', ('Grüße 🐍', 'lone \\ud800 surrogate')),
        (13, 7, 'made.up.kind', (1.5, -0.25, 1e300, -2**40, b'\\x00\\xff', (1, (2, small)), frozenset())),
        (14, 7, 'lock.release', (small, small)),
      ])('/work/a.py:61', (1, 'x'), 'x' * 300)`,
    ]);
    const { decoded, lines, text } = linesOf(payload);
    assert.equal(decoded.malformed, 0);
    assert.equal(decoded.events.length, 8);
    assert.deepEqual(lines, decoded.events.map((event) => JSON.stringify(event) + '\n'));
    assert.equal(text, lines.join(''));
  });

  it('writes from the values when a process orders a kind\'s fields otherwise, and drops malformed events whole', () => {
    const reordered = { ...source, order: fieldOrderFor(new Map([['lock.release', ['loc', 'id']]])) };
    const [payload] = pythonMarshal([
      `[(1, 7, 'lock.release', ('a.py:1', 'L')), 'not an event', (2, 7), (3.5, 7, '', ()), (4, 7, 'lock.release', ('only one',)), (5, 7, 'lock.release', ['b.py:2', 'M'])]`,
    ]);
    const out = new JsonLineBuffer(8);
    out.line(['before']);
    const { decoded, lines, text } = linesOf(payload, reordered, out);
    assert.equal(decoded.malformed, 3);
    assert.deepEqual(decoded.events.map((event) => event.slice(4)), [['L', 'a.py:1'], [null, 'only one'], ['M', 'b.py:2']]);
    assert.deepEqual(lines, decoded.events.map((event) => JSON.stringify(event) + '\n'));
    assert.equal(text, '["before"]\n' + lines.join(''));
  });

  it('writes nothing for a frame that is not a batch or is cut short', () => {
    const [list, notBatch] = pythonMarshal([`[(1, 7, 'lock.release', ('L', 'a.py:1')), (2, 7, 'lock.release', ('L', 'a.py:2'))]`, `{'a': 1}`]);
    for (const payload of [list.subarray(0, list.length - 3), notBatch, Buffer.concat([list, Buffer.from('N')])]) {
      const out = new JsonLineBuffer(8);
      out.line(['kept']);
      const { decoded, text } = linesOf(payload, source, out);
      assert.deepEqual([decoded.events.length, decoded.malformed, text], [0, 1, '["kept"]\n']);
    }
  });
});

describe('ConnectionSplitter', () => {
  it('gives back the hello and every frame, however the bytes are cut into chunks (property)', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const payloads = Array.from({ length: random(6) }, () => Buffer.from(Array.from({ length: random(3) === 0 ? random(5) : random(300) }, () => random(256))));
      const hello = `{"hello": ${round}}`;
      const bytes = Buffer.concat([Buffer.from(hello + '\n'), ...payloads.map(frame)]);
      const splitter = new ConnectionSplitter(1024, 1024);
      const got: (string | Buffer)[] = [];
      for (let at = 0; at < bytes.length; ) {
        const size = random(4) === 0 ? bytes.length : 1 + random(random(2) === 0 ? 8 : 200);
        got.push(...splitter.push(bytes.subarray(at, at + size)));
        at += size;
      }
      assert.deepEqual(got.map((piece) => (typeof piece === 'string' ? piece : piece.toString('hex'))), [hello, ...payloads.map((p) => p.toString('hex'))]);
    }
  });

  it('refuses a hello that never ends and a frame larger than allowed', () => {
    assert.throws(() => new ConnectionSplitter(16, 1024).push(Buffer.alloc(17, 0x41)), LineTooLongError);
    const splitter = new ConnectionSplitter(16, 8);
    assert.deepEqual(splitter.push(Buffer.from('{}\n')), ['{}']);
    assert.throws(() => splitter.push(frame(Buffer.alloc(9))), FrameTooLargeError);
  });
});
