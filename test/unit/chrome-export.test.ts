import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { diagnose } from '../../src/core/diagnosis/diagnose';
import type { Diagnosis } from '../../src/core/diagnosis/findings';
import type { TraceEvent, TraceHeader } from '../../src/core/events';
import {
  BIND_ID_BASE, chromeTrace, COUNTER_BUCKETS, depthSamples, MAX_COUNTER_SAMPLES, writeChromeTrace, type ChromeEvent,
} from '../../src/core/export/chrome';
import { RunModel } from '../../src/core/model/run-model';
import { assertValidChromeTrace, chromeTraceProblems, eventsOf } from '../chrome-checks';
import { scratchDir } from '../helpers';

// Python thread idents, as big as they come.
const MAIN = 140_234_567_890_123;
const FETCHER = 140_234_567_891_555;
const WORKER = 140_234_567_890_999;
const HELPER = 140_234_567_892_000;

const ev = (t: number, pid: number, kind: string, fields: Record<string, unknown> = {}, tid = MAIN): TraceEvent =>
  ({ t, pid, tid, kind, ...fields }) as unknown as TraceEvent;
const begin = (t: number, pid: number, name: string, role: string, tid: number): TraceEvent =>
  ev(t, pid, 'process.begin', { name, ppid: 1, role, method: 'fork', argv: [], python: null }, tid);
const put = (t: number, crc: number, repr: string): TraceEvent =>
  ev(t, 10, 'queue.put', { id: 'q:1', seq: null, loc: 'a.py:9', repr, block: true, waited: 0, outcome: 'ok', size: 10, crc });
const get = (t: number, crc: number, waited: number): TraceEvent =>
  ev(t, 20, 'queue.get', { id: 'q:1', loc: 'w.py:7', block: true, waited, outcome: 'ok', size: 10, crc, seq: null }, WORKER);
const getWait = (t: number): TraceEvent =>
  ev(t, 20, 'queue.get.wait', { id: 'q:1', loc: 'w.py:7', stack: [['w.py:20', '<module>'], ['w.py:7', 'work']] }, WORKER);
const task = (t: number, kind: 'task.begin' | 'task.end', job: number): TraceEvent =>
  ev(t, 20, kind, kind === 'task.begin'
    ? { pool: 'pool:1', job, index: 0, func: 'slow_square', args: `(${job},)`, items: null }
    : { pool: 'pool:1', job, index: 0, ok: true, result: String(job * job) }, WORKER);

const FETCHER_NAME = 'fetcher <img src=x onerror=alert(1)> "quoted"\nnext line';
const ITEM = "'<b>hi</b>' & \"more\"";

/** Times in ns: every interval below is a whole number of microseconds. */
function scenario(): RunModel {
  const model = new RunModel();
  for (const event of [
    begin(0, 10, 'MainProcess', 'main', MAIN),
    ev(1_000, 10, 'queue.new', { id: 'q:1', type: 'SimpleQueue', maxsize: 0, name: 'Queue@a.py:3', loc: 'a.py:3' }),
    ev(1_500, 10, 'lock.new', { id: 'L', type: 'Lock', value: 1, scope: 'process', name: 'Lock@x.py:5', loc: 'x.py:5' }),
    begin(2_000, 20, 'Worker-1', 'process', WORKER),
    begin(2_500, 30, 'resource_tracker', 'resource_tracker', HELPER),
    ev(3_000, 10, 'thread.begin', { name: FETCHER_NAME, native: 77, daemon: false }, FETCHER),
    getWait(10_000),
    put(50_000, 111, ITEM),
    get(60_000, 111, 50_000),
    put(70_000, 222, "'never taken'"),
    ev(80_000, 10, 'lock.acquire', { id: 'L', loc: 'x.py:6', waited: 0, outcome: 'ok' }),
    ev(90_000, 10, 'lock.wait', { id: 'L', loc: 'x.py:12' }, FETCHER),
    // A task whose get outlives it: the wait is cut at the task's end.
    task(100_000, 'task.begin', 3),
    getWait(150_000),
    task(200_000, 'task.end', 3),
    put(240_000, 333, "'c'"),
    get(250_000, 333, 100_000),
    // A wait that a task begins inside of: the wait is cut where the task begins.
    getWait(290_000),
    task(300_000, 'task.begin', 4),
    put(310_000, 444, "'d'"),
    get(320_000, 444, 30_000),
    // Taken before the putter's put() returned (it waited for the GIL): the arrow starts at the get.
    get(340_000, 555, 0),
    put(345_000, 555, "'late'"),
    task(400_000, 'task.end', 4),
    ev(500_000, 20, 'process.exit', { code: -9, signal: 'SIGKILL', how: 'observed', dropped: 0 }, 0),
    ev(600_000, 30, 'process.exit', { code: 0, signal: null, how: 'return', dropped: 0 }, HELPER),
  ]) model.add(event);
  return model;
}

const header: TraceHeader = {
  format: 'pvtrace', version: 2, python: { executable: '/usr/bin/python3', version: '3.12.1', implementation: 'cpython' },
  argv: ['a.py'], cwd: '/tmp/proj', clockBase: { wallNs: '1795000000000000000', iso: '2026-11-23T10:00:00.000Z' }, procview: '0.1.0',
};

const hang: Diagnosis = {
  verdict: 'hang', at: 450_000,
  findings: [{
    kind: 'get-starved', severity: 'error', summary: 'Worker-1 waits to get from Queue@a.py:3 that nobody puts to.',
    processes: [{ pid: 20, name: 'Worker-1', thread: null }], primitives: ['Queue@a.py:3'], locations: ['w.py:7'],
    hint: 'Put an end marker.', chain: ['Worker-1 waits to get from Queue@a.py:3'],
  }],
};

type Event = ReturnType<typeof eventsOf>[number];
const on = (events: Event[], pid: number, tid: number): Event[] => events.filter((e) => e.pid === pid && e.tid === tid);
const named = (events: Event[], name: string): Event | undefined => events.find((e) => e.name === name);
const metaName = (events: Event[], what: string, pid: number, tid = 1): unknown =>
  (events.find((e) => e.name === what && e.pid === pid && e.tid === tid)?.args as { name?: unknown } | undefined)?.name;
const sortIndex = (events: Event[], what: string, pid: number, tid = 1): unknown =>
  (events.find((e) => e.name === what && e.pid === pid && e.tid === tid)?.args as { sort_index?: unknown } | undefined)?.sort_index;

describe('Chrome export of a model built from events', () => {
  const model = scenario();
  const trace = chromeTrace(model, hang, header);
  const meta = eventsOf(trace, 'M');
  const slices = eventsOf(trace, 'X');

  it('is a valid trace: fields per phase, nesting, flows, names, times', () => {
    assertValidChromeTrace(trace);
    assert.equal(trace.displayTimeUnit, 'ns');
    assert.equal(trace.metadata?.procview, '0.1.0');
    assert.equal(trace.metadata.events, model.events);
  });

  it('names processes and threads with small tids, the main thread first, helpers last', () => {
    const tids = new Set(trace.traceEvents.map((event) => event.tid));
    assert.deepEqual([...tids].sort(), [1, 2]);
    assert.equal(metaName(meta, 'process_name', 10), 'MainProcess');
    assert.equal(metaName(meta, 'thread_name', 10), 'MainProcess');
    assert.equal(metaName(meta, 'thread_name', 10, 2), FETCHER_NAME);
    assert.equal(metaName(meta, 'process_name', 20), 'Worker-1');
    assert.equal(metaName(meta, 'process_name', 30), 'resource_tracker (helper)');
    assert.equal(sortIndex(meta, 'process_sort_index', 10), 0);
    assert.equal(sortIndex(meta, 'process_sort_index', 20), 1);
    assert.ok((sortIndex(meta, 'process_sort_index', 30) as number) > 1);
    assert.equal(sortIndex(meta, 'thread_sort_index', 10, 1), 0);
    assert.equal(sortIndex(meta, 'thread_sort_index', 10, 2), 2);
  });

  it('draws a blocked interval as a slice named by its wait, with its line, outcome and stack', () => {
    const wait = on(slices, 20, 1).find((e) => e.cat === 'queue.get' && e.ts === 10);
    assert.ok(wait, JSON.stringify(on(slices, 20, 1)));
    assert.equal(wait.name, 'get Queue@a.py:3');
    assert.equal(wait.dur, 50);
    assert.deepEqual(wait.args, {
      what: 'waits to get from Queue@a.py:3', loc: 'w.py:7', outcome: 'ok', stack: ['<module> (w.py:20)', 'work (w.py:7)'], announced: true,
    });
  });

  it('ends a wait still open at the end of the trace there', () => {
    const wait = named(on(slices, 10, 2), 'acquire Lock@x.py:5');
    assert.ok(wait);
    assert.equal(wait.cat, 'lock');
    assert.equal(wait.ts, 90);
    assert.equal((wait.ts as number) + (wait.dur as number), 600);
    assert.match(String((wait.args as { outcome: unknown }).outcome), /still waiting/);
  });

  it('draws tasks on the worker thread, and nests the waits inside them by cutting partial overlaps', () => {
    const worker = on(slices, 20, 1).map((e) => [e.name, e.cat, e.ts, e.dur]);
    assert.deepEqual(worker, [
      ['get Queue@a.py:3', 'queue.get', 10, 50],
      ['get', 'queue', 60, 1],
      ['slow_square', 'task', 100, 100],
      ['get Queue@a.py:3', 'queue.get', 150, 50],
      ['get', 'queue', 250, 1],
      ['get Queue@a.py:3', 'queue.get', 290, 10],
      ['slow_square', 'task', 300, 100],
      ['get', 'queue', 320, 1],
      ['get', 'queue', 340, 1],
    ]);
    const first = named(on(slices, 20, 1), 'slow_square');
    assert.deepEqual(first?.args, { pool: 'pool:1', job: 3, index: 0, items: null, args: '(3,)', ok: true, result: '9' });
  });

  it('links each put to its get with a legacy flow and a Perfetto flow, on small put and get slices', () => {
    const starts = eventsOf(trace, 's');
    const ends = eventsOf(trace, 'f');
    assert.equal(starts.length, 4, 'four items were taken; the one never taken has no arrow');
    assert.deepEqual(starts.map((e) => [e.pid, e.tid, e.ts, e.name, e.cat]), [
      [10, 1, 50, 'Queue@a.py:3', 'queue'], [10, 1, 240, 'Queue@a.py:3', 'queue'], [10, 1, 310, 'Queue@a.py:3', 'queue'],
      [10, 1, 340, 'Queue@a.py:3', 'queue'],
    ]);
    assert.deepEqual(ends.map((e) => [e.pid, e.tid, e.ts, e.bp]), [[20, 1, 60, 'e'], [20, 1, 250, 'e'], [20, 1, 320, 'e'], [20, 1, 340, 'e']]);
    const late = slices.find((e) => e.name === 'put' && e.ts === 340);
    assert.equal((late?.args as { returned: unknown }).returned, 345, 'the put mark says when put() returned');
    const firstId = starts[0]?.id as number;
    const out = slices.find((e) => e.bind_id === BIND_ID_BASE + firstId && e.flow_out === true);
    const into = slices.find((e) => e.bind_id === BIND_ID_BASE + firstId && e.flow_in === true);
    assert.deepEqual([out?.name, out?.pid, out?.ts, into?.name, into?.pid, into?.ts], ['put', 10, 50, 'get', 20, 60]);
    assert.deepEqual(out?.args, { queue: 'Queue@a.py:3', item: ITEM, loc: 'a.py:9', returned: 50 });
  });

  it('counts the queue depth on the process that made it, at every put and get', () => {
    const counters = eventsOf(trace, 'C');
    assert.ok(counters.every((e) => e.pid === 10 && e.name === 'Queue@a.py:3'));
    assert.deepEqual(counters.map((e) => [e.ts, (e.args as { depth: number }).depth]), [
      [50, 1], [60, 0], [70, 1], [240, 2], [250, 1], [310, 2], [320, 1], [340, 1],
    ]);
  });

  it('marks process starts and exits, with the exit status', () => {
    const instants = eventsOf(trace, 'i').filter((e) => e.s === 'p');
    const exit = instants.find((e) => e.pid === 20 && e.name === 'process exit');
    assert.equal(exit?.ts, 500);
    assert.deepEqual(exit.args, { exitcode: -9, signal: 'SIGKILL', how: 'observed', error: null, terminated: null });
    assert.deepEqual(instants.filter((e) => e.name === 'process start').map((e) => e.pid).sort(), [10, 20, 30]);
    assert.equal(instants.find((e) => e.pid === 10 && e.name === 'process exit'), undefined, 'still running at the end');
  });

  it('puts each finding on the whole trace at the moment of the hang', () => {
    const findings = eventsOf(trace, 'i').filter((e) => e.s === 'g');
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.name, 'get-starved');
    assert.equal(findings[0].ts, 450);
    assert.deepEqual((findings[0].args as { locations: unknown }).locations, ['w.py:7']);
    assert.equal((findings[0].args as { hint: unknown }).hint, 'Put an end marker.');
  });

  it('keeps the program\'s strings as data: escaped in the JSON text, unchanged once parsed', () => {
    const text = JSON.stringify(trace);
    assert.ok(!text.includes('next line\n'), 'no raw newline inside a string');
    const parsed = JSON.parse(text) as { traceEvents: ChromeEvent[] };
    assert.ok(parsed.traceEvents.some((e) => e.name === 'thread_name' && e.args?.name === FETCHER_NAME));
  });

  it('also accepts the real diagnosis of the model, and no diagnosis at all', () => {
    assertValidChromeTrace(chromeTrace(model, diagnose(model)));
    const bare = chromeTrace(model);
    assertValidChromeTrace(bare);
    assert.equal(eventsOf(bare, 'i').filter((e) => e.s === 'g').length, 0);
  });

  it('streams the same trace to a file, in chunks', async () => {
    const file = path.join(scratchDir(), 'trace.json');
    const count = await writeChromeTrace(file, model, hang, header, { chunkChars: 64 });
    const written = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    assert.deepEqual(written, trace);
    assert.equal(count, trace.traceEvents.length);
  });

  it('reports a file it cannot write', async () => {
    await assert.rejects(writeChromeTrace(path.join(scratchDir(), 'no', 'such', 'dir.json'), model), /ENOENT/);
  });
});

describe('Chrome export: queue depth with many changes', () => {
  it('downsamples to the most items per time bucket, keeping the peak and the last depth', () => {
    const model = new RunModel();
    const n = 15_000;
    model.add(begin(0, 10, 'MainProcess', 'main', MAIN));
    model.add(ev(1, 10, 'queue.new', { id: 'tq10.1', type: 'queue.Queue', maxsize: 0, name: 'Queue@b.py:2', loc: 'b.py:2' }));
    for (let i = 0; i < n; i++) {
      model.add(ev(1_000 + i * 10, 10, 'queue.put', { id: 'tq10.1', seq: i, loc: 'b.py:4', repr: String(i), block: true, waited: 0, outcome: 'ok', size: null, crc: null }));
    }
    for (let i = 0; i < n; i++) {
      model.add(ev(1_000_000 + i * 10, 10, 'queue.get', { id: 'tq10.1', loc: 'b.py:6', block: true, waited: 0, outcome: 'ok', size: null, crc: null, seq: i }, FETCHER));
    }
    const queue = model.queues.get('tq10.1');
    assert.ok(queue);
    const samples = depthSamples(queue);
    assert.ok(2 * n > MAX_COUNTER_SAMPLES);
    assert.ok(samples.length <= COUNTER_BUCKETS + 1, `${samples.length} samples`);
    assert.equal(Math.max(...samples.map((s) => s.depth)), n);
    assert.equal(samples[samples.length - 1]?.depth, 0);
    assert.ok(samples.every((s, i) => i === 0 || s.t > (samples[i - 1]?.t ?? 0)));
    const trace = chromeTrace(model);
    assertValidChromeTrace(trace);
    assert.equal(eventsOf(trace, 'C').length, samples.length);
  });
});

describe('Chrome trace checks find what is wrong', () => {
  const base = (): ChromeEvent[] => [
    { name: 'process_name', ph: 'M', ts: 0, pid: 5, tid: 1, args: { name: 'p' } },
    { name: 'thread_name', ph: 'M', ts: 0, pid: 5, tid: 1, args: { name: 't' } },
    { name: 'outer', ph: 'X', ts: 1, dur: 10, pid: 5, tid: 1, cat: 'c' },
  ];
  const problems = (extra: ChromeEvent[]): string[] => chromeTraceProblems({ traceEvents: [...base(), ...extra], displayTimeUnit: 'ns' });

  it('accepts a small good trace', () => {
    assert.deepEqual(problems([{ name: 'inner', ph: 'X', ts: 2, dur: 9, pid: 5, tid: 1, cat: 'c' }]), []);
  });

  it('finds a partial overlap, a lone flow start, an unnamed thread, a bad counter, a negative time', () => {
    assert.match(problems([{ name: 'inner', ph: 'X', ts: 2, dur: 10, pid: 5, tid: 1, cat: 'c' }]).join(), /overlaps outer .* partly/);
    assert.match(problems([{ name: 'q', ph: 's', ts: 2, pid: 5, tid: 1, cat: 'queue', id: 1 }]).join(), /flow 1: 1 starts, 0 ends/);
    assert.match(problems([
      { name: 'q', ph: 's', ts: 3, pid: 5, tid: 1, cat: 'queue', id: 1 }, { name: 'q', ph: 'f', bp: 'e', ts: 2, pid: 5, tid: 1, cat: 'queue', id: 1 },
    ]).join(), /ends before it starts/);
    assert.match(problems([{ name: 'x', ph: 'X', ts: 2, dur: 1, pid: 5, tid: 9, cat: 'c' }]).join(), /thread 5:9 has no thread_name/);
    assert.match(problems([{ name: 'depth', ph: 'C', ts: 2, pid: 5, tid: 1, args: { depth: 'two' } }]).join(), /counter value not numeric/);
    assert.match(problems([{ name: 'x', ph: 'i', s: 'g', ts: -1, pid: 5, tid: 1 }]).join(), /ts -1/);
    assert.match(problems([{ name: 'put', ph: 'X', ts: 2, dur: 0, pid: 5, tid: 1, cat: 'queue', bind_id: 7, flow_out: true }]).join(), /bind_id 7: 1 out, 0 in/);
  });
});
