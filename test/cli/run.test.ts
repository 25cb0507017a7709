// End to end: real Python programs run through `node dist/cli.js run`, then
// `summary --json` on the trace. These need the Python runtime (python/procview).

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Summary } from '../../src/core/summary';
import { runCli, scratchDir } from '../helpers';

const dir = scratchDir();

/** Writes the script, runs it under procview, and summarizes its trace. */
function traceScript(name: string, source: string, input?: string) {
  const script = path.join(dir, name);
  writeFileSync(script, source);
  const trace = path.join(dir, name.replace(/\.py$/, '.pvtrace'));
  const run = runCli(['run', '--out', trace, script], { cwd: dir, input });
  const summaryResult = runCli(['summary', '--json', trace]);
  assert.equal(summaryResult.status, 0, summaryResult.stderr);
  return { run, trace, summary: JSON.parse(summaryResult.stdout) as Summary };
}

describe('procview run with the runtime', () => {
  it('records two processes and the queue between them; output and status pass through', () => {
    const { run, summary } = traceScript(
      'queue_pair.py',
      `import multiprocessing as mp

def produce(q):
    for i in range(3):
        q.put(i)
    q.put(None)

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=produce, args=(q,), name="producer")
    p.start()
    got = []
    while (item := q.get()) is not None:
        got.append(item)
    p.join()
    print("got", got, "and", input())
`,
      'stdin line\n',
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'got [0, 1, 2] and stdin line\n');
    assert.match(run.stderr, /^procview: trace written to .*queue_pair\.pvtrace \(\d+ events\)\n$/);

    const names = summary.processes.map((p) => [p.name, p.exitcode]);
    assert.deepEqual(names, [['MainProcess', 0], ['producer', 0]]);
    assert.equal(summary.queues.length, 1);
    const [queue] = summary.queues;
    assert.equal(queue?.puts, 4);
    assert.equal(queue.gets, 4);
    assert.ok(queue.maxDepth >= 1);
    assert.equal(summary.refused, 0);
    assert.equal(summary.dropped, 0);
  });

  it('exits with the script own status', () => {
    const { run, summary } = traceScript('exit3.py', 'import sys\nprint("bye")\nsys.exit(3)\n');
    assert.equal(run.status, 3);
    assert.equal(run.stdout, 'bye\n');
    assert.equal(summary.processes[0]?.exitcode, 3);
  });

  it('shows a child killed by SIGKILL as killed', { skip: process.platform === 'win32' }, () => {
    const { run, summary } = traceScript(
      'killed_child.py',
      `import multiprocessing as mp, time

if __name__ == "__main__":
    p = mp.Process(target=time.sleep, args=(30,), name="sleeper")
    p.start()
    p.kill()
    p.join()
    print(p.exitcode)
`,
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '-9\n');
    const sleeper = summary.processes.find((p) => p.name === 'sleeper');
    assert.equal(sleeper?.exitcode, -9);
    assert.equal(sleeper.signal, 'SIGKILL');
  });

  it('exits 128+signal when the script itself is killed', { skip: process.platform === 'win32' }, () => {
    const { run, summary } = traceScript('self_kill.py', 'import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n');
    assert.equal(run.status, 137);
    assert.equal(summary.processes[0]?.exitcode, -9);
    assert.equal(summary.processes[0].signal, 'SIGKILL');
  });

  it('says where a syntax error is when the script cannot start', () => {
    const { run } = traceScript('broken.py', 'print("a")\nif True print("b")\n');
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /SyntaxError/, 'Python\'s own traceback still shows');
    assert.match(run.stderr, /^procview: .*broken\.py:2: SyntaxError: .* \(the script did not start\)$/m);
  });
});
