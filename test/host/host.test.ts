// The extension's host logic in plain Node, against real runs: the command
// line it builds, the interpreter it picks, the live client following
// `procview run --serve`, stopping a run (no process left), the panel's
// conversation with its page, and a panel restored from its trace.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isProcessAlive, killTree } from '../../src/core/process-tree';
import type { WireMessage, WireViewData } from '../../src/core/view/wire';
import { exportChromeFile, exportHtmlFile } from '../../src/host/exports';
import { chooseInterpreter } from '../../src/host/interpreter';
import { LiveClient } from '../../src/host/live-client';
import { PanelChannel } from '../../src/host/panel-channel';
import { findingProblems, hangMessage, statusLine } from '../../src/host/run-status';
import { joinArguments, runFolder, runSpec, splitArguments, traceFileFor } from '../../src/host/run-spec';
import { loadTraceView } from '../../src/host/trace-view';
import { repoRoot, scratchDir } from '../helpers';

const dir = scratchDir();
const python = process.env.PROCVIEW_PYTHON ?? 'python3';

function program(name: string, source: string): string {
  const file = path.join(dir, `${name}.py`);
  writeFileSync(file, source);
  return file;
}

/** Starts a run as the extension does (its terminal aside) and follows it. */
function startRun(script: string, onHang: 'report' | 'kill' = 'report') {
  const runDir = path.join(dir, path.basename(script, '.py'));
  mkdirSync(runDir, { recursive: true });
  const spec = runSpec({
    extensionPath: repoRoot, nodePath: process.execPath, script, args: [], cwd: dir, python, hangTimeout: 1, onHang,
    env: { PROCVIEW_TEST_MARK: '1' }, tracePath: path.join(runDir, 'run.pvtrace'), urlFile: path.join(runDir, 'url'),
  });
  const cli = spawn(spec.command, spec.args, { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const messages: WireMessage[] = [];
  let ended: () => void = () => undefined;
  const end = new Promise<void>((resolve) => (ended = resolve));
  const client = new LiveClient(path.join(runDir, 'url'), { message: (m) => messages.push(m), end: () => { ended(); } });
  const exit = new Promise<number | null>((resolve) => cli.once('exit', (code) => { resolve(code); }));
  // A test that failed half-way leaves nothing running.
  after(() => {
    client.close();
    if (cli.exitCode === null && cli.pid !== undefined) killTree(cli.pid);
  });
  return { cli, client, messages, end, exit, tracePath: path.join(runDir, 'run.pvtrace'), stderr: () => stderr };
}

const dataOf = (messages: WireMessage[]): WireViewData[] => messages.flatMap((m) => (m.type === 'data' ? [m.data] : []));


describe('the command line a run gets', () => {
  it('runs the CLI with the trace, the served view, the interpreter and the hang settings, then the script and its arguments', () => {
    const spec = runSpec({
      extensionPath: '/ext', nodePath: '/bin/node', script: '/w/a b.py', args: ['--n', '3'], cwd: '/w', python: '/usr/bin/python3',
      hangTimeout: 2.5, onHang: 'kill', env: { A: '1' }, tracePath: '/w/.procview/t.pvtrace', urlFile: '/tmp/u',
    });
    assert.equal(spec.command, '/bin/node');
    assert.deepEqual(spec.args, ['/ext/dist/cli.js', 'run', '--out', '/w/.procview/t.pvtrace', '--serve', '/tmp/u', '--python', '/usr/bin/python3', '--hang-timeout', '2.5', '--on-hang', 'kill', '--hold', '--', '/w/a b.py', '--n', '3']);
    assert.deepEqual(spec.env, { A: '1', ELECTRON_RUN_AS_NODE: '1' });
  });
  it('splits typed arguments like a shell, keeping quoted ones whole', () => {
    assert.deepEqual(splitArguments(`--items 5 --name "two words" 'it''s' a\\ b`), ['--items', '5', '--name', 'two words', 'it', 's', 'a\\', 'b']);
    assert.deepEqual(splitArguments('   '), []);
  });
  it('joins arguments back into a line that splits into the same ones (spaces, quotes, backslashes, empty)', () => {
    assert.equal(joinArguments(['--name', 'two words', '']), '--name "two words" ""');
    const alphabet = ['a', 'b', ' ', '"', "'", '\\', '-', '\t', 'é'];
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let round = 0; round < 2000; round++) {
      const args = Array.from({ length: next(4) }, () => Array.from({ length: next(6) }, () => alphabet[next(alphabet.length)]).join(''));
      assert.deepEqual(splitArguments(joinArguments(args)), args, JSON.stringify(args));
    }
  });
  it('runs the script in the procview.cwd setting (absolute, relative, ${workspaceFolder}), else the workspace folder', () => {
    assert.equal(runFolder('', '/w'), '/w');
    assert.equal(runFolder('  ', '/w'), '/w');
    assert.equal(runFolder('/elsewhere', '/w'), '/elsewhere');
    assert.equal(runFolder('sub/dir', '/w'), '/w/sub/dir');
    assert.equal(runFolder('${workspaceFolder}/sub', '/w'), '/w/sub');
  });
  it('names the trace after the script and the time, under .procview', () => {
    assert.equal(traceFileFor('/w', '/w/src/pipe.py', new Date(2026, 10, 29, 17, 15, 2)), '/w/.procview/pipe-20261129-171502.pvtrace');
    // A second run in the same second does not take the first one's name.
    mkdirSync(path.join(dir, '.procview'), { recursive: true });
    const first = traceFileFor(dir, 'pipe.py', new Date(2026, 10, 29, 17, 15, 2));
    writeFileSync(first, '');
    assert.equal(traceFileFor(dir, 'pipe.py', new Date(2026, 10, 29, 17, 15, 2)), path.join(dir, '.procview', 'pipe-20261129-171502-2.pvtrace'));
  });
});

describe('the interpreter', () => {
  it("is the Python extension's choice, then the setting, then python3 or python on the PATH, else a problem in words", () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'python'), '#!/bin/sh\n');
    chmodSync(path.join(bin, 'python'), 0o755);
    writeFileSync(path.join(bin, 'python3'), 'not executable');
    const choose = (selected: string | null, setting: string, searchPath: string) => chooseInterpreter({ selected, setting, searchPath, folder: dir });
    assert.deepEqual(choose('/venv/bin/python', '/s/python', bin), { path: '/venv/bin/python', source: 'python-extension' });
    assert.deepEqual(choose(null, '', `/nowhere${path.delimiter}${bin}`), { path: path.join(bin, 'python'), source: 'path' });
    const none = choose(null, '', '/nowhere');
    assert.ok('problem' in none && none.problem.includes('no Python interpreter') && none.problem.includes('python3'), JSON.stringify(none));
  });
  it('takes the setting as a path (absolute, relative to the folder, ${workspaceFolder}) or a name on the PATH; set but unusable is a problem, not another Python', () => {
    const bin = path.join(dir, 'bin');
    const python = path.join(bin, 'python');
    const choose = (setting: string, searchPath = bin) => chooseInterpreter({ selected: null, setting, searchPath, folder: dir });
    assert.deepEqual(choose(` ${python} `), { path: python, source: 'setting' });
    assert.deepEqual(choose('bin/python'), { path: python, source: 'setting' });
    assert.deepEqual(choose('${workspaceFolder}/bin/python'), { path: python, source: 'setting' });
    assert.deepEqual(choose('python'), { path: python, source: 'setting' });
    const missing = choose('/nowhere/python3');
    assert.ok('problem' in missing && missing.problem.includes('"/nowhere/python3"') && missing.problem.includes('no executable file there'), JSON.stringify(missing));
    const notExecutable = choose('bin/python3');
    assert.ok('problem' in notExecutable, JSON.stringify(notExecutable));
    const notOnPath = choose('python3.99');
    assert.ok('problem' in notOnPath && notOnPath.problem.includes('on the PATH'), JSON.stringify(notOnPath));
  });
});

describe('a run followed live', () => {
  it('streams the view while it runs, then the final one, then ends; the trace is written and restores the same picture', async () => {
    const script = program('follow', `
import multiprocessing as mp, os, time
def work(q):
    for i in range(8):
        q.put(i); time.sleep(0.15)
    q.put(None)
if __name__ == "__main__":
    assert os.environ["PROCVIEW_TEST_MARK"] == "1"
    q = mp.Queue()
    p = mp.Process(target=work, args=(q,), name="producer"); p.start()
    while q.get() is not None: pass
    p.join()
`);
    const run = startRun(script);
    await run.client.connect();
    await run.end;
    assert.equal(await run.exit, 0, run.stderr());
    const views = dataOf(run.messages);
    assert.ok(views.length >= 2, `${views.length} views`);
    assert.ok(views.slice(0, -1).every((view) => view.live), 'live while running');
    const final = views[views.length - 1];
    assert.ok(final && !final.live && final.verdict === 'ok');
    assert.ok(final.processes.some((proc) => proc.name === 'producer'));
    assert.ok(existsSync(run.tracePath));
    const restored = await loadTraceView(run.tracePath);
    assert.deepEqual(restored.processes.map((p) => [p.pid, p.name, p.exitcode]), final.processes.map((p) => [p.pid, p.name, p.exitcode]));
    assert.equal(restored.events, final.events);
    assert.equal(await run.client.send({ type: 'stop' }), false, 'a run that is over cannot be stopped');
    // Saved in the other forms, as the extension's export commands do.
    const chrome = path.join(dir, 'follow.json');
    await exportChromeFile(run.tracePath, chrome);
    const chromeTrace = JSON.parse(readFileSync(chrome, 'utf8')) as { traceEvents: { name: string; args?: { name?: string } }[] };
    assert.ok(chromeTrace.traceEvents.some((event) => event.name === 'process_name' && event.args?.name === 'producer'));
    const html = path.join(dir, 'follow.html');
    await exportHtmlFile(run.tracePath, html, { script: '/* viewer */', css: '/* style */' }, 'n0nce-for-the-test');
    const page = readFileSync(html, 'utf8');
    assert.match(page, /script-src 'nonce-n0nce-for-the-test'/);
    assert.match(page, /id="pv-data"[^>]*>\{"type":"data"/);
  });

  it('reports a hang in the view (for the notification and the problems), and a stop ends the whole tree', async () => {
    const script = program('hang_then_stop', `
import multiprocessing as mp, threading, time
def grandchild(never):
    never.wait()
def child(lock_a, lock_b):
    mp.Process(target=grandchild, args=(mp.Event(),), name="grandchild").start()
    with lock_b:
        time.sleep(0.3)
        with lock_a: pass
if __name__ == "__main__":
    a, b = mp.Lock(), mp.Lock()
    p = mp.Process(target=child, args=(a, b), name="child"); p.start()
    with a:
        time.sleep(0.3)
        with b: pass
    p.join()
`);
    const run = startRun(script);
    await run.client.connect();
    const deadline = Date.now() + 30_000;
    let hung: WireViewData | undefined;
    while (!hung && Date.now() < deadline) {
      hung = dataOf(run.messages).find((view) => view.verdict === 'hang');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(hung, run.stderr());
    assert.match(hangMessage(hung) ?? '', /^The program hangs: Deadlock/);
    const problems = findingProblems(hung.findings);
    assert.ok(problems.some((problem) => problem.kind === 'lock-cycle' && problem.file.endsWith('hang_then_stop.py') && problem.line > 0), JSON.stringify(problems));
    assert.match(statusLine(hung, { events: 0, at: Date.now() - 1000 }, Date.now(), Date.now() - 5000), /^\d+ process(es)? · [\d,]+ events\/s · 5\.0 s$/);
    const pids = hung.processes.map((proc) => proc.pid);
    assert.ok(pids.length >= 3, 'main, child, grandchild');
    assert.equal(await run.client.send({ type: 'stop' }), true);
    await run.end;
    const status = await run.exit;
    assert.notEqual(status, 0);
    assert.match(run.stderr(), /stopped from the viewer/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(pids.filter(isProcessAlive), [], 'no process of the run is left');
    assert.ok(existsSync(run.tracePath));
  });
});

describe('a panel and its page', () => {
  it('sends the page nothing before it is ready, then the state and the last data on every ready (a reload loses nothing)', () => {
    const delivered: WireMessage[] = [];
    const opened: [string, number][] = [];
    let stops = 0;
    const channel = new PanelChannel({ deliver: (m) => delivered.push(m), open: (f, l) => opened.push([f, l]), stop: () => stops++ });
    const first = { type: 'data', data: { events: 1 } } as unknown as WireMessage;
    const second = { type: 'data', data: { events: 2 } } as unknown as WireMessage;
    channel.post({ type: 'persist', state: { tracePath: '/t.pvtrace' } });
    channel.post(first);
    channel.post(second);
    assert.deepEqual(delivered, []);
    channel.receive({ type: 'ready' });
    assert.deepEqual(delivered, [{ type: 'persist', state: { tracePath: '/t.pvtrace' } }, second]);
    channel.post({ type: 'select', finding: 0 });
    assert.deepEqual(delivered[2], { type: 'select', finding: 0 });
    channel.receive({ type: 'ready' });
    assert.deepEqual(delivered.slice(3), [{ type: 'persist', state: { tracePath: '/t.pvtrace' } }, second]);
    channel.receive({ type: 'open', file: 'a.py', line: 3 });
    channel.receive({ type: 'open', file: 'a.py', line: 1.5 });
    channel.receive({ type: 'stop' });
    assert.deepEqual(opened, [['a.py', 3]]);
    assert.equal(stops, 1);
  });

  it('gives a new page the last whole data and every update of it since, in order', () => {
    const delivered: WireMessage[] = [];
    const channel = new PanelChannel({ deliver: (m) => delivered.push(m), open: () => undefined, stop: () => undefined });
    const data = (seq: number, extendsSeq?: number): WireMessage => ({ type: 'data', data: { seq, extends: extendsSeq } }) as unknown as WireMessage;
    for (const message of [data(1), data(2, 1), data(3), data(4, 3), data(5, 4)]) channel.post(message);
    channel.receive({ type: 'ready' });
    assert.deepEqual(delivered, [data(3), data(4, 3), data(5, 4)]);
    channel.post({ type: 'error', message: 'gone' });
    channel.post(data(6, 5));
    delivered.length = 0;
    channel.receive({ type: 'ready' });
    assert.deepEqual(delivered, [{ type: 'error', message: 'gone' }, data(6, 5)], 'an error starts over, as whole data does');
  });
});
