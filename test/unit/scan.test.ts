// LineScanner reads event lines from bytes; whatever it reads must be exactly
// what JSON.parse reads, a line JSON.parse refuses must never be read by it,
// and the line it reads ends at the first '\n'.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineScanner, ScannedText } from '../../src/core/ingest/scan';

function scan(line: string, scanner = new LineScanner()): unknown[] | undefined {
  // The line sits between others, as in a chunk of a file.
  const bytes = Buffer.from(`[0]\n${line}\n[1]`, 'utf8');
  const start = 4;
  const newline = scanner.read(bytes, start);
  if (newline === -1) return undefined;
  assert.equal(newline, bytes.indexOf('\n', start), line);
  return scanner.values.slice(0, scanner.count);
}

function jsonArray(line: string): unknown[] | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

describe('LineScanner', () => {
  it('reads what the trace writer writes', () => {
    const line = '[411348263,4508,140275155037056,"queue.put","q:15:1486425",0,"bench/pipeline_heavy.py:61","(1, \'item-1\')",true,0,"ok",null,null]';
    assert.deepEqual(scan(line), JSON.parse(line));
    const stack = '[5,10,1,"lock.wait","l:1","a.py:3",[["a.py:9","<module>"],["a.py:3","take"]]]';
    assert.deepEqual(scan(stack), JSON.parse(stack));
    const begin = '[1,10,1,"process.begin","MainProcess",1,"main",null,["s.py"],{"executable":"/usr/bin/python3","version":"3.11"}]';
    assert.deepEqual(scan(begin), JSON.parse(begin));
  });

  it('gives every number, string and literal the value JSON.parse gives', () => {
    const values = [
      '0', '-0', '7', '-7', '2147483647', '2147483648', '-2147483648', '-2147483649', '123456789012345', '1234567890123456',
      '9007199254740993', '12345678901234567890', '1.5', '-0.25', '1e3', '1E-3', '2.5e+10', '1e400', '-1e400', '0.1',
      '"plain"', '""', '"with \\"quotes\\""', '"back\\\\slash"', '"\\u00e9t\\u00e9"', '"\\n\\t"', '"a/b"', '"\\/"', 'true', 'false', 'null',
    ];
    for (const value of values) {
      const line = `[1,2,3,"k",${value},4]`;
      const got = scan(line);
      const want = jsonArray(line);
      assert.ok(got !== undefined, `reads ${value}`);
      assert.ok(want !== undefined);
      for (let i = 0; i < want.length; i++) assert.ok(Object.is(got[i], want[i]) || got[i] === want[i], `${value}: ${String(got[i])}`);
    }
  });

  it('leaves to JSON.parse what it does not read, and never reads a line JSON.parse refuses', () => {
    const lines = [
      '[]', '[1,]', '[,1]', '[1 ,2]', '[ 1,2]', '[1,2] ', ' [1,2]', '[1,2]\r', '{"t":1}', '[01]', '[-01]', '[-]', '[1.]', '[.5]', '[1e]', '[1e+]',
      '[+1]', '[0x10]', '[NaN]', '[Infinity]', '[nul]', '[nulll]', '[tru]', '[True]', '["unterminated]', '["a"b"]', '["\\x"]', '["\\"]',
      '["tab\there"]', '["é"]', '["🐍"]', '[["é"]]', '[[1,2]', '[{"a":}]', '[{"a":1},]', '[1],[2]', '[[1],[2]]', '["]"]', '[{"x":"}"}]',
      '[1,2,3,"k",{"a":[1,{"b":"]"}]}]', '[1,2,3,"k","\\ud83d"]',
    ];
    for (const line of lines) {
      const got = scan(line);
      const want = jsonArray(line);
      if (got !== undefined) assert.deepEqual(got, want, line);
      if (want === undefined) assert.equal(got, undefined, `${line} is not JSON`);
    }
  });

  it('gives up on a line without its end', () => {
    const scanner = new LineScanner();
    for (const cut of ['[1,2]', '[1,2', '[1,"ab', '[1,[2,3]', '[1,{"a":"b"}', '[1,tr', '[1,2.5e']) {
      assert.equal(scanner.read(Buffer.from(cut), 0), -1, cut);
    }
    assert.equal(scanner.read(Buffer.from('[1,"a\nb"]\n'), 0), -1);
    assert.equal(scanner.read(Buffer.from('[1,["a\nb"]]\n'), 0), -1);
    assert.equal(scanner.read(Buffer.from('[1,"a\\\nb"]\n'), 0), -1);
  });

  it('reads a thread ident beyond int32 that repeats, changes or is negative as JSON.parse does', () => {
    const scanner = new LineScanner();
    for (const tid of ['140275155037056', '140275155037056', '-140275155037056', '-140275155037056', '140275155037057', '7', '140275155037057']) {
      const line = `[1,2,${tid},"k",${tid}]`;
      assert.deepEqual(scan(line, scanner), JSON.parse(line), line);
    }
  });

  it('reuses the string of a value that repeats, and tells apart values whose hashes collide', () => {
    const strings = new LineScanner(1); // two slots: every string collides with half of the others
    const a = scan('[1,"q:15:1486425","bench/x.py:61"]', strings);
    const b = scan('[1,"q:15:1486425","bench/x.py:62"]', strings);
    assert.deepEqual(a, [1, 'q:15:1486425', 'bench/x.py:61']);
    assert.deepEqual(b, [1, 'q:15:1486425', 'bench/x.py:62']);
    for (const word of ['ab', 'ba', 'abc', 'cab', 'ab']) assert.deepEqual(scan(`["${word}"]`, strings), [word]);
  });

  it('leaves the value asked for as its bytes, for its kind only, and makes it a string on demand', () => {
    const scanner = new LineScanner();
    scanner.leaveAsBytes('queue.put', 7);
    const put = `[1,10,1,"queue.put","q:1",0,"a.py:5","(1, 'item-1')",true,0,"ok",null,null]`;
    const values = scan(put, scanner);
    const left = values?.[7];
    assert.ok(left instanceof ScannedText);
    assert.equal(left.toString(), "(1, 'item-1')");
    const others = (all: readonly unknown[] | undefined): unknown[] | undefined => all?.filter((_, i) => i !== 7);
    assert.deepEqual(others(values), others(JSON.parse(put) as unknown[]));
    scanner.makeStrings();
    assert.deepEqual(scanner.values.slice(0, scanner.count), JSON.parse(put));
    // Another kind's value at that place, and a value with an escape, are strings.
    const get = '[2,10,1,"queue.get","q:1","a.py:9",true,"x",1]';
    assert.deepEqual(scan(get, scanner), JSON.parse(get));
    const escaped = String.raw`[3,10,1,"queue.put","q:1",1,"a.py:5","say \"hi\"",true,0,"ok",null,null]`;
    assert.deepEqual(scan(escaped, scanner), JSON.parse(escaped));
  });

  it('reads lines of many kinds whose strings repeat, change, grow, shrink or come escaped, each as JSON.parse does', () => {
    // The scanner takes a string that matches the one its kind had at that place last time as
    // that one: every way a value can differ from it must still be read as it is.
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pick = <T>(options: readonly T[]): T => options[Math.floor(next() * options.length)] as T;
    const kinds = ['queue.put', 'queue.get', 'queue.send', 'k', 'kk', 'queue.pu', 'lock.wait', 'x'];
    const strings = ['"ab"', '"abc"', '"a"', '""', '"ba"', '"abd"', '"a\\u0062"', '"a\\"b"', '"q:15:1"', '"q:15:10"', '"q:15:1 "'];
    const others = ['1', '-2', 'null', 'true', '[1,"ab"]', '{"a":"ab"}', '2147483648', '1.5'];
    const scanner = new LineScanner(2);
    scanner.leaveAsBytes('queue.put', 7);
    for (let i = 0; i < 5000; i++) {
      const kind = next() < 0.1 ? pick(['"que\\u0065ue.put"', '"k\\n"']) : `"${pick(kinds)}"`;
      const values = Array.from({ length: 1 + Math.floor(next() * 6) }, () => (next() < 0.7 ? pick(strings) : pick(others)));
      const line = `[${i},10,140275155037056,${kind},${values.join(',')}]`;
      const want = jsonArray(line);
      const got = scan(line, scanner);
      assert.ok(got !== undefined, line);
      scanner.makeStrings();
      assert.deepEqual(scanner.values.slice(0, scanner.count), want, line);
    }
  });
});

