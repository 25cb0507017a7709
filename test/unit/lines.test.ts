import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSplitter, LineTooLongError } from '../../src/core/ingest/lines';

describe('LineSplitter', () => {
  it('joins lines split across chunks and splits several lines in one chunk', () => {
    const splitter = new LineSplitter();
    assert.deepEqual(splitter.push(Buffer.from('{"a":')), []);
    assert.deepEqual(splitter.push(Buffer.from('1}\n{"b":2}\n{"c"')), ['{"a":1}', '{"b":2}']);
    assert.deepEqual(splitter.push(Buffer.from(':3}\n')), ['{"c":3}']);
    assert.equal(splitter.end(), undefined);
  });

  it('decodes a multi-byte UTF-8 character split between two chunks', () => {
    const bytes = Buffer.from('"Grüße 🐍"\n', 'utf8');
    const snake = bytes.indexOf(0xf0);
    for (const cut of [bytes.indexOf(0xc3) + 1, snake + 1, snake + 2, snake + 3]) {
      const splitter = new LineSplitter();
      const lines = [...splitter.push(bytes.subarray(0, cut)), ...splitter.push(bytes.subarray(cut))];
      assert.deepEqual(lines, ['"Grüße 🐍"'], `cut at byte ${cut}`);
    }
  });

  it('returns an unterminated last line at the end', () => {
    const splitter = new LineSplitter();
    assert.deepEqual(splitter.push(Buffer.from('one\ntw')), ['one']);
    assert.equal(splitter.end(), 'tw');
  });

  it('throws LineTooLongError when an unterminated line passes the limit', () => {
    const splitter = new LineSplitter(8);
    assert.throws(() => splitter.push(Buffer.from('0123456789')), LineTooLongError);
  });
});
