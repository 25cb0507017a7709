// End to end: the examples run under `procview run --chrome`, and their traces
// exported again with `procview export --chrome`; every file is checked
// structurally (test/chrome-checks.ts) and against what the run did.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readTraceFile } from '../../src/core/ingest/reader';
import { readTraceModel } from '../../src/core/model/read-trace';
import { RunModel } from '../../src/core/model/run-model';
import type { Summary } from '../../src/core/summary';
import { assertValidChromeTrace, eventsOf } from '../chrome-checks';
import { repoRoot, runCli, scratchDir } from '../helpers';

const dir = scratchDir();

interface Trace {
  traceEvents: Record<string, unknown>[];
  displayTimeUnit: string;
  metadata?: Record<string, unknown>;
}

/** Items the run model paired with their get, over every queue of the trace. */
async function pairedItems(file: string): Promise<number> {
  const model = new RunModel();
  for (const event of (await readTraceFile(file)).events) model.add(event);
  return [...model.queues.values()].reduce((sum, queue) => sum + queue.items.filter((item) => item.getT !== null).length, 0);
}

const readTrace = (file: string): Trace => JSON.parse(readFileSync(file, 'utf8')) as Trace;

const metaNames = (trace: Trace, what: string): string[] =>
  eventsOf(trace, 'M').filter((e) => e.name === what).map((e) => String((e.args as { name: unknown }).name));

/** Runs an example with --chrome; returns the run, both files' paths and the summary. */
function runExample(name: string) {
  const trace = path.join(dir, `${name}.pvtrace`);
  const chrome = path.join(dir, `${name}.json`);
  const run = runCli(['run', '--out', trace, '--chrome', chrome, path.join(repoRoot, 'examples', `${name}.py`)], { cwd: dir });
  assert.equal(run.status, 0, run.stderr);
  const summary = runCli(['summary', '--json', trace]);
  assert.equal(summary.status, 0, summary.stderr);
  return { run, trace, chrome, summary: JSON.parse(summary.stdout) as Summary };
}

describe('procview run --chrome and procview export, on examples/pipeline.py', () => {
  const { run, trace, chrome, summary } = runExample('pipeline');

  it('summary --json says what the run model (the diagnosis\'s and the viewer\'s) says, read straight from the trace', async () => {
    const { model } = await readTraceModel(trace);
    assert.equal(summary.events, model.events);
    const processes = [...model.processes.values()];
    assert.deepEqual(
      [...summary.processes, ...summary.helpers].map((p) => [p.pid, p.start, p.end, p.exitcode]).sort(),
      processes.map((p) => [p.pid, p.start, p.end, p.exitcode]).sort(),
    );
    assert.deepEqual(
      summary.queues.map((q) => [q.id, q.puts, q.gets, q.maxDepth]),
      [...model.queues.values()].map((q) => [q.id, q.puts, q.gets, q.maxDepth]),
    );
    const threads = [...model.lanes.values()].filter((lane) => !lane.main);
    assert.deepEqual(summary.threads.map((t) => `${t.pid}:${t.tid}@${t.start}-${t.end}`).sort(), threads.map((l) => `${l.pid}:${l.tid}@${l.start}-${l.end}`).sort());
    // Every thread of a process that ended, ended (a feeder thread sends no exit of its own).
    assert.ok(summary.threads.every((t) => t.end !== null), JSON.stringify(summary.threads));
  });

  it('says where the Chrome trace went, just before the last line, which stays the trace\'s', () => {
    const lines = run.stderr.trimEnd().split('\n');
    assert.match(lines[lines.length - 1] ?? '', /^procview: trace written to .*pipeline\.pvtrace \(\d+ events\)$/);
    assert.equal(lines[lines.length - 2], `procview: Chrome trace written to ${chrome}`);
  });

  it('writes a valid trace with every process and thread named', () => {
    const written = readTrace(chrome);
    assertValidChromeTrace(written);
    assert.deepEqual(metaNames(written, 'process_name').sort(), ['MainProcess', 'reader-0', 'reader-1', 'reader-2', 'writer']);
    assert.ok(metaNames(written, 'thread_name').includes('QueueFeederThread'));
    assert.equal(written.metadata?.verdict, 'ok');
  });

  it('draws the readers\' waits, an arrow for each item taken, and the depth of each of the four queues', async () => {
    const written = readTrace(chrome);
    const readers = new Set(summary.processes.filter((p) => p.name.startsWith('reader-')).map((p) => p.pid));
    const waits = eventsOf(written, 'X').filter((e) => readers.has(e.pid as number) && e.cat === 'queue.get');
    assert.ok(waits.length > 0, 'the readers wait for items');
    assert.ok(waits.every((e) => /^get Queue@.*pipeline\.py:\d+(#\d+)?$/.test(String(e.name))));
    const gets = summary.queues.reduce((sum, q) => sum + q.gets, 0);
    assert.equal(gets, 1204, '600 items and 3 end markers through the inboxes, 600 results and 1 end marker through the results queue');
    // One arrow for each item the model paired with its get (nearly all of them).
    const flows = eventsOf(written, 's').length;
    assert.equal(flows, await pairedItems(trace));
    assert.ok(flows >= gets - 10, `${flows} flows for ${gets} gets`);
    assert.equal(eventsOf(written, 'f').length, flows);
    const counters = new Set(eventsOf(written, 'C').map((e) => e.name));
    assert.equal(counters.size, 4, [...counters].join(', '));
    const mainPid = summary.processes.find((p) => p.name === 'MainProcess')?.pid;
    assert.ok(eventsOf(written, 'C').every((e) => e.pid === mainPid), 'the queues were made by the main process');
    const peak = Math.max(...eventsOf(written, 'C').map((e) => (e.args as { depth: number }).depth));
    // At least the model's most items at once (which counts an item taken before its put() returned as gone early).
    assert.ok(peak >= Math.max(...summary.queues.map((q) => q.maxDepth)));
  });

  it('exports the trace file again, the same way', () => {
    const again = path.join(dir, 'again.json');
    const result = runCli(['export', trace, '--chrome', again]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, `procview: Chrome trace written to ${again}\n`);
    assert.equal(result.stdout, '');
    const exported = readTrace(again);
    assertValidChromeTrace(exported);
    const live = readTrace(chrome);
    assert.deepEqual(metaNames(exported, 'process_name').sort(), metaNames(live, 'process_name').sort());
    assert.equal(eventsOf(exported, 's').length, eventsOf(live, 's').length);
    assert.equal(eventsOf(exported, 'X').length, eventsOf(live, 'X').length);
  });
});

describe('procview run --chrome on examples/pool_tasks.py', () => {
  const { chrome, summary } = runExample('pool_tasks');

  it('draws every task on the worker that ran it, named by its function', () => {
    const written = readTrace(chrome);
    assertValidChromeTrace(written);
    const tasks = eventsOf(written, 'X').filter((e) => e.cat === 'task');
    assert.equal(tasks.length, summary.tasks.length);
    assert.ok(tasks.length >= 12);
    const workers = new Set(summary.tasks.map((t) => t.worker));
    assert.ok(tasks.every((e) => workers.has(e.pid as number) && e.tid === 1), 'on the workers\' main threads');
    assert.deepEqual([...new Set(tasks.map((e) => e.name))].sort(), ['slow_square', 'word_stats']);
    assert.ok(tasks.every((e) => (e.args as { ok: unknown }).ok === true));
    const workerNames = metaNames(written, 'process_name').filter((name) => /PoolWorker-\d+$/.test(name));
    assert.equal(workerNames.length, 3);
  });
});

describe('procview run --chrome on a run that hangs and is killed', () => {
  const script = path.join(dir, 'starved.py');
  writeFileSync(script, `import multiprocessing as mp

def consume(q):
    while True:
        q.get()

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=consume, args=(q,), name="consumer")
    p.start()
    q.put(1)
    p.join()
`);
  const chrome = path.join(dir, 'starved.json');
  const run = runCli(['run', '--hang-timeout', '0.5', '--on-hang', 'kill', '--out', path.join(dir, 'starved.pvtrace'), '--chrome', chrome, script], { cwd: dir });

  it('writes the trace after the diagnosis, with the findings at the moment of the hang', () => {
    assert.notEqual(run.status, 0);
    const lines = run.stderr.trimEnd().split('\n');
    assert.match(lines[lines.length - 1] ?? '', /^procview: trace written to /);
    assert.equal(lines[lines.length - 2], `procview: Chrome trace written to ${chrome}`);
    assert.ok(run.stderr.indexOf('error[get-starved]') < run.stderr.indexOf('Chrome trace written'));
    const written = readTrace(chrome);
    assertValidChromeTrace(written);
    assert.equal(written.metadata?.verdict, 'hang');
    const findings = eventsOf(written, 'i').filter((e) => e.s === 'g');
    assert.ok(findings.some((e) => e.name === 'get-starved'), JSON.stringify(findings));
    const [first] = findings;
    assert.ok(first);
    assert.match(String((first.args as { summary: unknown }).summary), /consumer/);
    // The consumer still waited when the hang was seen: its last get spans that moment.
    const consumer = eventsOf(written, 'M').find((e) => e.name === 'process_name' && (e.args as { name: unknown }).name === 'consumer')?.pid;
    const lastGet = eventsOf(written, 'X').filter((e) => e.pid === consumer && e.cat === 'queue.get').pop();
    assert.ok(lastGet);
    assert.ok((lastGet.ts as number) < (first.ts as number) && (first.ts as number) <= (lastGet.ts as number) + (lastGet.dur as number));
  });
});
