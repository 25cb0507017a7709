// What the diagnosis says, from runs written out event by event
// (the corpus, test/diagnosis, runs the real programs; this pins the words).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceEvent } from '../../src/core/events';
import { diagnose } from '../../src/core/diagnosis/diagnose';
import { RunModel } from '../../src/core/model/run-model';

const ev = (t: number, pid: number, kind: string, fields: Record<string, unknown> = {}, tid = 1): TraceEvent =>
  ({ t, pid, tid, kind, ...fields }) as unknown as TraceEvent;
const begin = (t: number, pid: number, name: string, role = 'process'): TraceEvent =>
  ev(t, pid, 'process.begin', { name, ppid: 10, role, method: 'fork', argv: [], python: null });

function build(events: TraceEvent[]): RunModel {
  const model = new RunModel();
  for (const event of events) model.add(event);
  return model;
}

describe('diagnosis: a JoinableQueue whose join() never ends', () => {
  // Two items put, both taken, task_done() called once: a get() whose task_done() was skipped.
  const q = 'q:1';
  const model = build([
    begin(0, 10, 'MainProcess', 'main'),
    begin(5, 20, 'worker-1'),
    begin(6, 21, 'worker-2'),
    ev(10, 10, 'queue.new', { id: q, type: 'JoinableQueue', maxsize: 0, name: 'JoinableQueue@a.py:3', loc: 'a.py:3' }),
    ev(100, 10, 'queue.put', { id: q, seq: 0, loc: 'a.py:20', repr: "'a.jpg'", block: true, waited: 0, outcome: 'ok', size: null, crc: null }),
    ev(110, 10, 'queue.put', { id: q, seq: 1, loc: 'a.py:20', repr: "'b.txt'", block: true, waited: 0, outcome: 'ok', size: null, crc: null }),
    ev(101, 10, 'queue.send', { id: q, seq: 0, size: 10, crc: 111 }, 2),
    ev(111, 10, 'queue.send', { id: q, seq: 1, size: 10, crc: 222 }, 2),
    ev(200, 20, 'queue.get', { id: q, loc: 'a.py:9', block: true, waited: 0, outcome: 'ok', size: 10, crc: 111, seq: null }),
    ev(210, 21, 'queue.get', { id: q, loc: 'a.py:9', block: true, waited: 0, outcome: 'ok', size: 10, crc: 222, seq: null }),
    ev(300, 20, 'queue.task_done', { id: q, loc: 'a.py:14' }),
    ev(400, 10, 'queue.join.wait', { id: q, loc: 'a.py:22', stack: null }),
    ev(410, 20, 'queue.get.wait', { id: q, loc: 'a.py:9', stack: null }),
    ev(420, 21, 'queue.get.wait', { id: q, loc: 'a.py:9', stack: null }),
    ev(2_000_000_000, 0, 'run.hang', { stalled: 1_500_000_000, action: 'kill' }, 0),
  ]);
  const diagnosis = diagnose(model);
  const errors = diagnosis.findings.filter((finding) => finding.severity === 'error');

  it('says so in counts, at the join, with the task_done() line', () => {
    assert.equal(diagnosis.verdict, 'hang');
    assert.equal(errors.length, 1, errors.map((finding) => finding.summary).join('\n'));
    const join = errors[0];
    assert.ok(join);
    assert.equal(join.kind, 'wait-unsignaled');
    assert.match(join.summary, /2 items were put and all taken, but task_done\(\) was called 1 time; 1 item taken was never marked done/);
    assert.ok(join.locations.includes('a.py:22') && join.locations.includes('a.py:14'), String(join.locations));
    assert.match(join.hint, /task_done\(\) once for every get\(\)/);
  });

  it('lists the idle consumers under it, not as end-marker findings of their own', () => {
    assert.ok(!diagnosis.findings.some((finding) => finding.kind === 'get-starved'));
    const names = errors[0]?.processes.map((proc) => proc.name);
    assert.deepEqual(names?.sort(), ['MainProcess', 'worker-1', 'worker-2']);
  });
});

describe('diagnosis: a run that failed in its main process only', () => {
  it('says how the main process ended, as no finding does', () => {
    const model = build([
      begin(0, 10, 'MainProcess', 'main'),
      ev(50, 10, 'process.error', { type: 'ValueError', message: 'Pool is still running', file: 'search.py', line: 24, traceback: 'Traceback...' }),
      ev(60, 10, 'process.exit', { code: 1, signal: null, how: 'exception', dropped: 0 }),
    ]);
    const diagnosis = diagnose(model);
    assert.equal(diagnosis.verdict, 'error');
    assert.deepEqual(diagnosis.findings.filter((finding) => finding.severity === 'error'), []);
    assert.equal(diagnosis.mainEnd, 'the main process raised ValueError: Pool is still running at search.py:24');
  });

  it('says nothing more when a finding explains the failure, or when the run went well', () => {
    const ok = diagnose(build([begin(0, 10, 'MainProcess', 'main'), ev(60, 10, 'process.exit', { code: 0, signal: null, how: 'return', dropped: 0 })]));
    assert.equal(ok.verdict, 'ok');
    assert.equal(ok.mainEnd, undefined);
  });
});

describe('diagnosis: one end marker for two consumers, the run killed at the hang', () => {
  it('names the marker the consumer that ended got, not the stuck one\'s last item (every lane has an end after the kill)', () => {
    const q = 'mgr:m/1';
    const put = (t: number, repr: string, crc: number): TraceEvent =>
      ev(t, 10, 'queue.put', { id: q, seq: null, loc: 'a.py:31', repr, block: true, waited: 0, outcome: 'ok', size: null, crc });
    const get = (t: number, pid: number, crc: number): TraceEvent =>
      ev(t, pid, 'queue.get', { id: q, loc: 'a.py:14', block: true, waited: 0, outcome: 'ok', size: null, crc, seq: null });
    const model = build([
      begin(0, 10, 'MainProcess', 'main'),
      begin(5, 20, 'indexer-1'),
      begin(6, 21, 'indexer-2'),
      ev(3, 10, 'process.spawn', { child: 20, name: 'indexer-1', method: 'spawn', loc: 'a.py:29' }),
      ev(4, 10, 'process.spawn', { child: 21, name: 'indexer-2', method: 'spawn', loc: 'a.py:29' }),
      ev(10, 10, 'queue.new', { id: q, type: 'Manager.Queue', maxsize: 0, name: 'Queue@a.py:24', loc: 'a.py:24' }),
      put(100, "'doc'", 111),
      put(110, 'None', 999),
      get(200, 21, 111),
      get(210, 20, 999),
      ev(220, 20, 'process.exit', { code: 0, signal: null, how: 'return', dropped: 0 }),
      ev(300, 21, 'queue.get.wait', { id: q, loc: 'a.py:14', stack: null }),
      ev(310, 10, 'process.join.wait', { target: 21, loc: 'a.py:34', stack: null }),
      ev(2_000_000_000, 0, 'run.hang', { stalled: 1_500_000_000, action: 'kill' }, 0),
      ev(2_010_000_000, 21, 'process.exit', { code: null, signal: 'SIGKILL', how: 'observed', dropped: null }, 0),
      ev(2_010_000_001, 10, 'process.exit', { code: null, signal: 'SIGKILL', how: 'observed', dropped: null }, 0),
    ]);
    const { findings } = diagnose(model);
    const starved = findings.find((finding) => finding.kind === 'get-starved');
    assert.match(starved?.summary ?? '', /\(1 end marker None put for 2 consumers\)/);
    // indexer-2 was being joined when the run hung (and was killed for it): not "never joined", as
    // indexer-1 is (it ended, and no join of it was recorded here).
    const neverJoined = findings.filter((finding) => finding.kind === 'process-never-joined').flatMap((finding) => finding.processes.map((p) => p.name));
    assert.deepEqual(neverJoined, ['indexer-1']);
  });
});
