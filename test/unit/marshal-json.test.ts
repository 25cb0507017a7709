// The listener's two codecs on the hot path: marshal in (as CPython writes it),
// JSON lines out (exactly the text JSON.stringify would give).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MarshalError, unmarshal } from '../../src/core/ingest/marshal';
import { JsonLineBuffer } from '../../src/core/json-lines';
import { pythonMarshal } from '../helpers';

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
