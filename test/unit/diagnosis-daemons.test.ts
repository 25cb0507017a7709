import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose } from '../../src/core/diagnosis/diagnose';
import type { TraceEvent } from '../../src/core/events';
import { modelOf } from '../helpers';

// Events as they appear in a trace; the casts keep hand-written lists short.
const ev = (t: number, pid: number, kind: string, fields: Record<string, unknown> = {}, tid = 1): TraceEvent =>
  ({ t, pid, tid, kind, ...fields }) as unknown as TraceEvent;
const MAIN = 10;

/** The main process starts children, then ends them (or they end) as `ends` says, and exits 0. */
function run(children: { pid: number; name: string; ends: TraceEvent[] }[]): TraceEvent[] {
  const events: TraceEvent[] = [ev(0, MAIN, 'process.begin', { name: 'MainProcess', ppid: 1, role: 'main', method: null, argv: [], python: null })];
  for (const [i, child] of children.entries()) {
    events.push(ev(10 + i, MAIN, 'process.spawn', { child: child.pid, name: child.name, method: 'fork', loc: `a.py:${20 + i}` }));
    events.push(ev(20 + i, child.pid, 'process.begin', { name: child.name, ppid: MAIN, role: 'process', method: 'fork', argv: null, python: null }));
  }
  for (const child of children) events.push(...child.ends);
  events.push(ev(5000, MAIN, 'process.exit', { code: 0, signal: null, how: 'observed', dropped: 0 }, 0));
  events.push(ev(5001, 0, 'run.end', { code: 0, signal: null, refused: 0 }, 0));
  return events;
}
const atExit = (t: number, target: number): TraceEvent => ev(t, MAIN, 'process.terminate', { target, loc: null, by: 'exit' });
const reaped = (t: number, child: number, code: number, signal: string | null): TraceEvent => ev(t, MAIN, 'process.reaped', { child, code, signal });
const gone = (t: number, pid: number): TraceEvent => ev(t, pid, 'process.disconnect', {}, 0);

describe('diagnosis: daemon children ended by multiprocessing at exit', () => {
  it('takes a daemon terminated at exit for ended, not crashed, and not for never joined', () => {
    const diagnosis = diagnose(modelOf(run([
      { pid: 20, name: 'converter-1', ends: [atExit(4000, 20), gone(4010, 20), reaped(4020, 20, -15, 'SIGTERM')] },
      // The parent's terminate may come in after the child's connection closed: the same.
      { pid: 21, name: 'converter-2', ends: [gone(4010, 21), reaped(4020, 21, -15, 'SIGTERM'), atExit(4001, 21)] },
    ])));
    assert.deepEqual(diagnosis.findings, []);
    assert.equal(diagnosis.verdict, 'ok');
  });

  it('still reports a daemon that failed on its own: an exception, a fault, a SIGKILL', () => {
    const diagnosis = diagnose(modelOf(run([
      {
        pid: 20, name: 'raiser', ends: [
          ev(3000, 20, 'process.error', { type: 'ValueError', message: 'bad', file: 'a.py', line: 7, traceback: 'ValueError: bad\n' }),
          atExit(4000, 20), gone(4010, 20), reaped(4020, 20, -15, 'SIGTERM'),
        ],
      },
      {
        pid: 21, name: 'faulter', ends: [
          atExit(4000, 21), ev(4005, 21, 'process.fault', { signal: 'SIGSEGV', thread: 1, loc: 'a.py:9', stack: [['a.py:9', 'work']] }, 0),
          gone(4010, 21), reaped(4020, 21, -11, 'SIGSEGV'),
        ],
      },
      { pid: 22, name: 'oom-killed', ends: [atExit(4000, 22), gone(4010, 22), reaped(4020, 22, -9, 'SIGKILL')] },
      // The same daemon, ended on its own before the exit handler came: not terminated, crashed.
      { pid: 23, name: 'early', ends: [gone(3000, 23), reaped(4020, 23, -15, 'SIGTERM')] },
    ])));
    const crashed = diagnosis.findings.filter((finding) => finding.kind === 'child-crashed').map((finding) => finding.processes[0]?.name);
    assert.deepEqual(crashed.sort(), ['early', 'faulter', 'oom-killed', 'raiser']);
    assert.equal(diagnosis.verdict, 'error');
  });

  it('keeps the program\'s own terminate() as it was (old traces lack `by`)', () => {
    const diagnosis = diagnose(modelOf(run([
      { pid: 20, name: 'stopped', ends: [ev(3000, MAIN, 'process.terminate', { target: 20, loc: 'a.py:30' }), reaped(3020, 20, -15, 'SIGTERM')] },
    ])));
    assert.deepEqual(diagnosis.findings.map((finding) => finding.kind), []);
    const model = modelOf(run([{ pid: 20, name: 'stopped', ends: [ev(3000, MAIN, 'process.terminate', { target: 20, loc: 'a.py:30', by: 'program' })] }]));
    assert.deepEqual(model.processes.get(20)?.terminated, { t: 3000, loc: 'a.py:30', how: 'terminate', atExit: false });
  });
});
