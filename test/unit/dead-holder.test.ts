import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceEvent } from '../../src/core/events';
import { diagnose } from '../../src/core/diagnosis/diagnose';
import { RunModel } from '../../src/core/model/run-model';

// Events as they appear in a trace; the casts keep hand-written lists short.
const ev = (t: number, kind: string, fields: Record<string, unknown> = {}, tid = 1, pid = 10): TraceEvent =>
  ({ t, pid, tid, kind, ...fields }) as unknown as TraceEvent;

/**
 * Three crawler threads and a two-slot threading.Semaphore: crawler-1 and
 * crawler-2 take a slot each and end without releasing it, crawler-3 then waits
 * for a slot forever, the main thread joins it; `procview run` sees the hang
 * and kills the process. `idents`: each crawler's thread ident; `error`: what
 * ended crawler-1, if an exception did.
 */
function crawlers(idents: [number, number, number], error: string | null = null): RunModel {
  const [one, two, three] = idents;
  const events = [
    ev(0, 'process.begin', { name: 'MainProcess', ppid: 1, role: 'main', method: null, argv: [], python: null }),
    ev(1, 'lock.new', { id: 'S', type: 'threading.Semaphore', value: 2, scope: 'thread', name: 'threading.Semaphore@c.py:29', loc: 'c.py:29' }),
    ev(2, 'thread.begin', { name: 'crawler-1', native: 101, daemon: false }, one),
    ev(3, 'lock.acquire', { id: 'S', loc: 'c.py:17', waited: 0, outcome: 'ok' }, one),
    ev(4, 'thread.exit', { error }, one),
    ev(5, 'thread.start', { target: one, name: 'crawler-1', daemon: false, loc: 'c.py:35', internal: false }),
    ev(6, 'thread.begin', { name: 'crawler-2', native: 102, daemon: false }, two),
    ev(7, 'thread.start', { target: two, name: 'crawler-2', daemon: false, loc: 'c.py:35', internal: false }),
    ev(8, 'lock.acquire', { id: 'S', loc: 'c.py:17', waited: 0, outcome: 'ok' }, two),
    ev(9, 'thread.exit', { error: null }, two),
    ev(10, 'thread.begin', { name: 'crawler-3', native: 103, daemon: false }, three),
    ev(11, 'thread.start', { target: three, name: 'crawler-3', daemon: false, loc: 'c.py:35', internal: false }),
    ev(12, 'thread.join', { target: one, timeout: null, loc: 'c.py:37', waited: 0, alive: false }),
    ev(13, 'thread.join', { target: two, timeout: null, loc: 'c.py:37', waited: 0, alive: false }),
    ev(14, 'thread.join.wait', { target: three, timeout: null, loc: 'c.py:37', stack: null }),
    ev(20, 'lock.wait', { id: 'S', loc: 'c.py:17', stack: null }, three),
    ev(2_000, 'run.hang', { stalled: 1_500, action: 'kill' }, 0, 0),
    ev(2_010, 'process.disconnect', {}, 0),
    ev(2_020, 'process.exit', { code: null, signal: 'SIGKILL', how: 'observed', dropped: null }, 0),
    ev(2_030, 'run.end', { code: null, signal: 'SIGKILL', refused: 0 }, 0, 0),
  ];
  const model = new RunModel();
  for (const event of events) model.add(event);
  return model;
}

function deadHolder(model: RunModel) {
  const diagnosis = diagnose(model);
  assert.equal(diagnosis.verdict, 'hang');
  assert.deepEqual(diagnosis.findings.map((finding) => finding.kind).sort(), ['dead-holder', 'join-blocked']);
  const finding = diagnosis.findings.find((f) => f.kind === 'dead-holder');
  assert.ok(finding);
  return finding;
}

describe('diagnosis: a semaphore held by threads that ended', () => {
  for (const [what, idents] of [
    ['threads of idents of their own', [7, 8, 9]],
    ['the second thread under the first one\'s ident', [7, 7, 9]],
    ['every thread under one ident (reused twice)', [7, 7, 7]],
  ] as const) {
    it(`names the threads that ended without releasing it: ${what}`, () => {
      const finding = deadHolder(crawlers([...idents]));
      assert.deepEqual(
        finding.processes.map((p) => [p.name, p.thread]),
        [['MainProcess', 'crawler-3'], ['MainProcess', 'crawler-1'], ['MainProcess', 'crawler-2']],
      );
      assert.match(finding.summary, /^thread "crawler-3" of MainProcess \(pid 10\) waits for threading\.Semaphore@c\.py:29 at c\.py:17, held by /);
      assert.match(finding.summary, /thread "crawler-1" of MainProcess \(pid 10\), which took it at c\.py:17 and ended without releasing it/);
      assert.match(finding.summary, /thread "crawler-2" of MainProcess \(pid 10\), which took it at c\.py:17 and ended without releasing it/);
      // The kill came after the hang: it is not how the holders ended.
      assert.doesNotMatch(finding.summary, /SIGKILL|still running/);
      assert.deepEqual(finding.locations, ['c.py:17']);
      assert.match(finding.hint, /thread that ends/);
    });
  }

  it('joins the third thread, not the ended ones that had its ident', () => {
    const join = diagnose(crawlers([7, 7, 7])).findings.find((f) => f.kind === 'join-blocked');
    assert.match(join?.summary ?? '', /^MainProcess \(pid 10\) waits to join thread "crawler-3" of MainProcess \(pid 10\) at c\.py:37/);
  });

  it('says a thread that raised died of it', () => {
    const finding = deadHolder(crawlers([7, 7, 7], 'KeyError'));
    assert.match(finding.summary, /thread "crawler-1" of MainProcess \(pid 10\), which took it at c\.py:17 and died of KeyError without releasing it/);
  });
});
