// The .pvtrace file: written by TraceWriter, read back by readTraceFile.

import assert from 'node:assert/strict';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { KIND_FIELDS } from '../../src/core/events';
import { RunClock } from '../../src/core/ingest/clock';
import { NewerTraceVersionError, NotATraceError, readTraceFile, TraceReader } from '../../src/core/ingest/reader';
import { readTraceModel } from '../../src/core/model/read-trace';
import { RunModel } from '../../src/core/model/run-model';
import { TraceWriter } from '../../src/core/trace-writer';
import { scratchDir } from '../helpers';

const dir = scratchDir();
const python = { executable: '/usr/bin/python3', version: '3.11.7', implementation: 'cpython' };
const header = {
  format: 'pvtrace', version: 2, python, argv: ['s.py'], cwd: '/tmp',
  clockBase: { wallNs: '1795000000000000000', iso: '2026-11-18T11:06:40.000Z' }, procview: '0.1.0',
  kinds: KIND_FIELDS,
};
const headerV1 = { ...header, version: 1, kinds: undefined };

function traceFile(name: string, lines: readonly (string | object)[], ending = '\n'): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + ending);
  return file;
}

const exitEvent = { t: 5, pid: 10, tid: 1, kind: 'process.exit', code: 0, signal: null, how: 'return', dropped: 0 };
const exitLine = [5, 10, 1, 'process.exit', 0, null, 'return', 0];

describe('readTraceFile', () => {
  it('reads the header and the positional events, named by the header', async () => {
    const trace = await readTraceFile(traceFile('ok.pvtrace', [header, exitLine]));
    assert.deepEqual(trace.header, header);
    assert.deepEqual(trace.events, [exitEvent]);
    assert.equal(trace.skippedLines, 0);
  });

  it('names values by the header of the file, not by this version', async () => {
    const older = { ...header, kinds: { 'process.exit': ['how', 'code'] } };
    const trace = await readTraceFile(traceFile('older.pvtrace', [older, [5, 10, 1, 'process.exit', 'return', 0]]));
    assert.deepEqual(trace.events, [{ t: 5, pid: 10, tid: 1, kind: 'process.exit', how: 'return', code: 0 }]);
  });

  it('reads wait announcements of a trace written before they had a stack, and of one with stacks', async () => {
    const older = { ...header, kinds: { ...KIND_FIELDS, 'lock.wait': ['id', 'loc'] } };
    const before = await readTraceFile(traceFile('nostack.pvtrace', [older, [5, 10, 1, 'lock.wait', 'l:1', 'a.py:3'], exitLine]));
    assert.deepEqual(before.events, [{ t: 5, pid: 10, tid: 1, kind: 'lock.wait', id: 'l:1', loc: 'a.py:3' }, exitEvent]);
    assert.equal(before.skippedLines, 0);
    const stack = [['a.py:9', '<module>'], ['a.py:3', 'take']];
    const now = await readTraceFile(
      traceFile('stack.pvtrace', [header, [5, 10, 1, 'lock.wait', 'l:1', 'a.py:3', stack], [6, 10, 1, 'wait.still', 'lock.wait', 1e9]]),
    );
    assert.deepEqual(now.events, [
      { t: 5, pid: 10, tid: 1, kind: 'lock.wait', id: 'l:1', loc: 'a.py:3', stack },
      { t: 6, pid: 10, tid: 1, kind: 'wait.still', wait: 'lock.wait', waited: 1e9 },
    ]);
  });

  it('still reads a version 1 trace (one object a line)', async () => {
    const trace = await readTraceFile(traceFile('v1.pvtrace', [headerV1, exitEvent]));
    assert.deepEqual(trace.events, [exitEvent]);
  });

  it('reads a file cut short in the middle of a line, and counts the bad line', async () => {
    const whole = JSON.stringify(exitLine);
    const trace = await readTraceFile(traceFile('cut.pvtrace', [header, exitLine, whole.slice(0, 20)], ''));
    assert.deepEqual(trace.events, [exitEvent]);
    assert.equal(trace.skippedLines, 1);
  });

  it('skips events of unknown kinds and lines that are not events', async () => {
    const trace = await readTraceFile(
      traceFile('mixed.pvtrace', [header, [1, 10, 1, 'gpu.launch'], '[1,2,3]', '{"t": "x"}', '', [1, 10, 1, 'process.exit', 0], exitLine]),
    );
    assert.deepEqual(trace.events, [exitEvent]);
    assert.equal(trace.unknownEvents, 1);
    assert.equal(trace.skippedLines, 3);
  });

  it('reads events past the header\'s chunk (from bytes) exactly as the header\'s chunk (by JSON.parse)', () => {
    const lines = [
      JSON.stringify(exitLine),
      '[6,10,1,"lock.release","l:1","a.py:3"]',
      '[7,10,1,"lock.release","l:\\"1","Grüße 🐍.py:3"]',
      '[8,10,2,"wait.still","lock.wait",1.5e9]',
      ' [9,10,1,"lock.release","l:1","a.py:3"] ',
      '[10,10,1,"lock.release","l:1"]',
      '[11,10.5,1,"lock.release","l:1","a.py:3"]',
      '[12,10,1,"gpu.launch"]',
      '[13,10,1,"lock.wait","l:1","a.py:3",[["a.py:9","<module>"],["a.py:3","take"]]]',
      '',
      'not json',
      '[14,10,1,"lock.release","l:1","a.py:3"]\r',
      '[15,10,1,"lock.release","l:1","a.py:3",]',
    ];
    const text = lines.join('\n') + '\n';
    const read = (chunks: Buffer[], oneBuffer = false): { events: unknown[]; skipped: number; unknown: number } => {
      const events: unknown[] = [];
      const reader = new TraceReader((event) => events.push(event));
      // As readFileInto reuses its buffers (here one, the harder case): each chunk overwrites the one before.
      const shared = Buffer.alloc(Math.max(...chunks.map((chunk) => chunk.length)));
      for (const chunk of chunks) {
        if (!oneBuffer) reader.push(chunk);
        else {
          chunk.copy(shared);
          reader.push(shared.subarray(0, chunk.length));
        }
      }
      reader.end();
      return { events, skipped: reader.skippedLines, unknown: reader.unknownEvents };
    };
    const headerLine = JSON.stringify(header) + '\n';
    const parsed = read([Buffer.from(headerLine + text)]);
    assert.equal(parsed.events.length, 7);
    const bytes = Buffer.from(text);
    for (const size of [1, 7, 64, bytes.length]) {
      const chunks = [Buffer.from(headerLine)];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      assert.deepEqual(read(chunks), parsed, `chunks of ${size}`);
      assert.deepEqual(read(chunks, true), parsed, `chunks of ${size}, read into one buffer`);
    }
  });

  it('models the values read by place (RunModel.addRaw) exactly as the named events', async () => {
    const put = (t: number, seq: number, id = 'q:1'): unknown[] => [t, 10, 1, 'queue.put', id, seq, 'a.py:5', `'item ${seq}'`, true, 0, 'ok', null, null];
    const get = (t: number, crc: number | null, waited = 0, seq: number | null = null, id = 'q:1'): unknown[] =>
      [t, 20, 1, 'queue.get', id, 'b.py:9', true, waited, 'ok', crc === null ? null : 10, crc, seq];
    const events = [
      [0, 10, 1, 'process.begin', 'MainProcess', 1, 'main', null, [], null],
      [1, 20, 1, 'process.begin', 'worker', 10, 'process', 'fork', [], null],
      [2, 10, 1, 'queue.new', 'q:1', 'Queue', 0, 'jobs', 'a.py:3'],
      [3, 10, 1, 'lock.new', 'L', 'RLock', 1, 'process', 'Lock@a.py:4', 'a.py:4'],
      // The consumer's batch lands first: gets wait for their sends; one waited long enough to show.
      get(300_000, 111, 250_000),
      [310_000, 20, 1, 'queue.get.wait', 'q:1', 'b.py:9', null],
      get(400_000, 222),
      [410_000, 20, 1, 'queue.get', 'q:1', 'b.py:12', false, 0, 'empty', null, null, null],
      put(100, 0), put(110, 1), put(120, 2),
      [101, 10, 2, 'queue.send', 'q:1', 0, 10, 111],
      [111, 10, 2, 'queue.send', 'q:1', 1, 10, 222],
      [121, 10, 2, 'queue.send', 'q:1', 2, 10, 333],
      // The queue module's queue pairs by seq; the get names a put yet to come.
      get(500_000, null, 0, 1, 'tq10.1'), put(500_100, 0, 'tq10.1'), put(500_200, 1, 'tq10.1'),
      // An RLock taken twice by one thread, waited for by another.
      [600_000, 10, 1, 'lock.acquire', 'L', 'a.py:20', 0, 'ok'],
      [600_100, 10, 1, 'lock.acquire', 'L', 'a.py:21', 0, 'ok'],
      [600_200, 20, 1, 'lock.wait', 'L', 'b.py:30', [['b.py:1', '<module>'], ['b.py:30', 'work']]],
      [600_300, 10, 1, 'lock.release', 'L', 'a.py:21'],
      [600_400, 10, 1, 'lock.release', 'L', 'a.py:20'],
      [600_500, 20, 1, 'lock.acquire', 'L', 'b.py:30', 300, 'ok'],
      [700_000, 20, 1, 'lock.acquire', 'L', 'b.py:31', 200_000, 'timeout'],
      [800_000, 0, 0, 'run.end', 0, null, 0],
    ];
    const named = new RunModel();
    for (const event of (await readTraceFile(traceFile('placed.pvtrace', [header, ...events]))).events) named.add(event);
    const read = async (file: string): Promise<{ model: RunModel; placed: number }> => {
      const model = new RunModel();
      let placed = 0;
      const reader = new TraceReader(
        (event) => {
          model.add(event);
        },
        (raw) => {
          const took = model.addRaw(raw);
          if (took) placed++;
          return took;
        },
      );
      for await (const chunk of createReadStream(file)) reader.push(chunk as Buffer);
      reader.end();
      return { model, placed };
    };
    const file = traceFile('placed.pvtrace', [header, ...events]);
    const byPlace = await read(file);
    assert.equal(byPlace.placed, 18);
    assert.deepEqual(byPlace.model, named);
    assert.deepEqual(await readTraceModel(file), { header, model: named, skippedLines: 0, unknownEvents: 0 });
    // A file whose header lists a kind's fields otherwise: those events are named, and read as before.
    const reordered = { ...header, kinds: { ...KIND_FIELDS, 'lock.release': ['loc', 'id'] } };
    const swapped = events.map((event) => (event[3] === 'lock.release' ? [...event.slice(0, 4), event[5], event[4]] : event));
    const older = await read(traceFile('reordered.pvtrace', [reordered, ...swapped]));
    assert.equal(older.placed, 16);
    assert.deepEqual(older.model, named);
  });

  it('refuses a file that is not a trace', async () => {
    await assert.rejects(readTraceFile(traceFile('notes.txt', ['just some notes'])), NotATraceError);
    await assert.rejects(readTraceFile(traceFile('other.json', [{ format: 'chrome', version: 1 }])), NotATraceError);
    await assert.rejects(readTraceFile(traceFile('empty.pvtrace', [], '')), NotATraceError);
    const binary = path.join(dir, 'blob.bin');
    writeFileSync(binary, Buffer.alloc(2 << 20, 0xab));
    await assert.rejects(readTraceFile(binary), NotATraceError);
  });

  it('refuses a trace of a newer format version with a clear message', async () => {
    await assert.rejects(readTraceFile(traceFile('v3.pvtrace', [{ ...header, version: 3 }, exitLine])), (error) => {
      assert.ok(error instanceof NewerTraceVersionError);
      assert.match(error.message, /version 3.*up to version 2/);
      return true;
    });
  });
});

describe('TraceWriter', () => {
  it('holds events until the main process names the interpreter, then writes header and all events in order', async () => {
    const file = path.join(dir, 'written.pvtrace');
    const clock = new RunClock();
    clock.offsetForHello(1795000000000000000n, 81234567890n);
    const writer = await TraceWriter.open({ path: file, argv: ['s.py'], cwd: '/tmp', clock, procviewVersion: '0.1.0' });
    const early = { t: 1, pid: 11, tid: 1, kind: 'thread.exit', error: null };
    const begin = { t: 2, pid: 10, tid: 1, kind: 'process.begin', name: 'MainProcess', ppid: 1, role: 'main', method: null, argv: ['s.py'], python };
    writer.append([1, 11, 1, 'thread.exit', null]);
    writer.append([2, 10, 1, 'process.begin', 'MainProcess', 1, 'main', null, ['s.py'], python]);
    writer.append([5, 10, 1, 'process.exit', 0, null, 'return', 0]);
    await writer.close({ executable: 'fallback', version: '?', implementation: '?' });

    assert.equal(writer.eventCount, 3);
    const trace = await readTraceFile(file);
    assert.deepEqual(trace.header, header);
    assert.deepEqual(trace.events, [early, begin, exitEvent]);
  });

  it('writes the header at close with the fallback interpreter when no process said hello', async () => {
    const file = path.join(dir, 'nobody.pvtrace');
    const writer = await TraceWriter.open({ path: file, argv: ['s.py'], cwd: '/tmp', clock: new RunClock(), procviewVersion: '0.1.0' });
    const fallback = { executable: '/opt/py', version: 'unknown', implementation: 'unknown' };
    await writer.close(fallback);
    const [firstLine] = readFileSync(file, 'utf8').split('\n');
    assert.deepEqual((JSON.parse(firstLine ?? '') as { python: unknown }).python, fallback);
  });

  it('keeps every event of a large run', async () => {
    const file = path.join(dir, 'large.pvtrace');
    const writer = await TraceWriter.open({ path: file, argv: [], cwd: '/tmp', clock: new RunClock(), procviewVersion: '0.1.0' });
    for (let i = 0; i < 20_000; i++) {
      writer.append([i, 10, 1, 'lock.release', 'l:1', `x.py:${i}`]);
    }
    await writer.close(python);
    const trace = await readTraceFile(file);
    assert.equal(trace.events.length, 20_000);
    assert.equal(trace.events.at(-1)?.t, 19_999);
  });
});
