// The integration suite that runs inside VS Code's extension host, with the
// real `vscode` API: the module given as `extensionTestsPath`. VS Code loads it
// once the extension under development is loaded and calls `run()`; the
// promise rejecting is the run failing.
//
// Bundled by scripts/build-host-suite.mjs into out/host-suite/index.js, and run
//   - in code-server (VS Code's server and web workbench) with headless Chromium
//     as the window: test/vscode/host-suite.test.ts (`npm run test:vscode`);
//   - in the desktop VS Code by @vscode/test-electron: scripts/test-electron.mjs
//     (`npm run test:electron`), where the desktop build can be downloaded.
//
// The workspace folder must hold a copy of examples/pipeline.py and of
// deadlock.py (beside this file). No mocha: a list of checks, run in order, each
// timed and given a time limit; the results go as JSON (results.ts) to the file
// named by PROCVIEW_HOST_SUITE_RESULTS, else to .procview-test-results.json in
// the workspace folder.

import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { RESULTS_ENV, RESULTS_FILE, type CheckResult, type SuiteResults } from './results';

const EXTENSION_ID = 'procview.procview';
const TRACE_VIEW_TYPE = 'procview.trace';
const PANEL_VIEW_TYPE = 'procview.run';
/** Commands the suite relies on, whatever package.json says. */
const REQUIRED_COMMANDS = ['procview.run', 'procview.runWithArgs', 'procview.rerun', 'procview.stop', 'procview.showPanel', 'procview.openTrace', 'procview.saveTrace', 'procview.exportChrome', 'procview.exportHtml'];

interface Check {
  name: string;
  timeoutMs: number;
  run: () => Promise<void>;
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/** Polls `probe` every `everyMs` until it returns something other than undefined. */
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`the check took longer than its ${ms / 1000} s`));
    }, ms);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

// --- Traces -----------------------------------------------------------------------

type TraceLine = [number, number, number, string, ...unknown[]];

function tracesOf(folder: string, script: string): string[] {
  const dir = path.join(folder, '.procview');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith(`${script}-`) && name.endsWith('.pvtrace'))
    .sort()
    .map((name) => path.join(dir, name));
}

/** The trace of `script` that was not there `before`, once it exists. */
function newTrace(folder: string, script: string, before: readonly string[], timeoutMs: number): Promise<string> {
  return until(`a new ${script}-*.pvtrace in ${path.join(folder, '.procview')}`, () => tracesOf(folder, script).find((file) => !before.includes(file)), timeoutMs);
}

/** The events of a trace file (its header left out); the last line may be partial while it is written. */
function readEvents(file: string): TraceLine[] {
  const lines = readFileSync(file, 'utf8').split('\n').slice(1);
  const events: TraceLine[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (Array.isArray(value) && typeof value[3] === 'string') events.push(value as TraceLine);
    } catch {
      // a partial last line
    }
  }
  return events;
}

/**
 * Polls the trace until its last event is `run.end` (the listener's last line);
 * resolves with its events and how many the file held at each look (it grows).
 */
async function finishedTrace(file: string, timeoutMs: number): Promise<{ events: TraceLine[]; seen: number[] }> {
  const seen: number[] = [];
  const events = await until(
    `${path.basename(file)} to end with run.end`,
    () => {
      const now = readEvents(file);
      if (seen[seen.length - 1] !== now.length) seen.push(now.length);
      return now[now.length - 1]?.[3] === 'run.end' ? now : undefined;
    },
    timeoutMs,
  );
  return { events, seen };
}

/** The last terminal named `name` (the extension's run terminals are "Process View: <script>"). */
function terminalNamed(name: string): vscode.Terminal | undefined {
  return vscode.window.terminals.filter((terminal) => terminal.name === name).pop();
}

/**
 * A run's terminal stays open after the run (`--hold`) until a key is pressed:
 * presses one (again every half second: a key typed before the prompt may wait
 * in the line buffer) and resolves with its exit status once it has closed. The
 * CLI reaches that prompt only after its live view has said its last word, so a
 * closed terminal is a run the extension saw end.
 */
async function closeRunTerminal(name: string, timeoutMs: number): Promise<vscode.TerminalExitStatus | undefined> {
  const terminal = await until(`the terminal "${name}"`, () => terminalNamed(name), 10_000);
  let closed = false;
  const subscription = vscode.window.onDidCloseTerminal((which) => {
    if (which === terminal) closed = true;
  });
  try {
    await until(
      `the terminal "${name}" to close after a key`,
      () => {
        if (closed || !vscode.window.terminals.includes(terminal)) return true;
        terminal.sendText('q', false);
        return undefined;
      },
      timeoutMs,
      500,
    );
  } finally {
    subscription.dispose();
  }
  return terminal.exitStatus;
}

function tabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs);
}

// --- The checks ---------------------------------------------------------------------

function checks(): Check[] {
  let folder = '';
  let pipelineTrace: string | undefined;

  return [
    {
      name: 'a workspace folder holding pipeline.py and deadlock.py is open',
      timeoutMs: 5_000,
      run: () => {
        const first = vscode.workspace.workspaceFolders?.[0];
        assert(first, `no workspace folder is open (workspaceFolders: ${JSON.stringify(vscode.workspace.workspaceFolders)})`);
        folder = first.uri.fsPath;
        for (const name of ['pipeline.py', 'deadlock.py']) assert(existsSync(path.join(folder, name)), `${name} is not in ${folder}`);
        return Promise.resolve();
      },
    },
    {
      name: `the extension ${EXTENSION_ID} is present and activates`,
      timeoutMs: 30_000,
      run: async () => {
        const extension = vscode.extensions.getExtension(EXTENSION_ID);
        assert(extension, `getExtension('${EXTENSION_ID}') found nothing; extensions: ${vscode.extensions.all.map((e) => e.id).join(', ')}`);
        await extension.activate();
        assert(extension.isActive, 'the extension is not active after activate()');
      },
    },
    {
      name: 'its commands are registered (every one package.json contributes)',
      timeoutMs: 10_000,
      run: async () => {
        const extension = vscode.extensions.getExtension(EXTENSION_ID);
        const contributed = ((extension?.packageJSON as { contributes?: { commands?: { command: string }[] } } | undefined)?.contributes?.commands ?? []).map(
          (entry) => entry.command,
        );
        const registered = new Set(await vscode.commands.getCommands(true));
        const missing = [...new Set([...REQUIRED_COMMANDS, ...contributed])].filter((id) => !registered.has(id));
        assert(missing.length === 0, `not registered: ${missing.join(', ')}`);
      },
    },
    {
      name: "procview.run runs pipeline.py: its .pvtrace appears in .procview/ and grows until run.end (exit code 0)",
      timeoutMs: 120_000,
      run: async () => {
        const before = tracesOf(folder, 'pipeline');
        await vscode.commands.executeCommand('procview.run', vscode.Uri.file(path.join(folder, 'pipeline.py')));
        pipelineTrace = await newTrace(folder, 'pipeline', before, 30_000);
        const { events, seen } = await finishedTrace(pipelineTrace, 90_000);
        console.log(`host suite: ${path.basename(pipelineTrace)}: events seen at each look: ${seen.join(' ')}`);
        const end = events[events.length - 1];
        assert(end?.[4] === 0 && end[5] === null, `run.end says code ${String(end?.[4])}, signal ${String(end?.[5])}`);
        const pids = new Set(events.filter((event) => event[3] === 'process.begin').map((event) => event[1]));
        // The main process, three readers and the writer (and the resource tracker, maybe).
        assert(pids.size >= 5, `process.begin from ${pids.size} processes`);
      },
    },
    {
      name: "the run's panel is open (a webview tab of type procview.run)",
      timeoutMs: 10_000,
      run: async () => {
        await until(
          'a procview.run webview tab',
          () => tabs().find((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(PANEL_VIEW_TYPE)),
          10_000,
        );
      },
    },
    {
      name: "the run's terminal closes after a key (--hold), exit code 0",
      timeoutMs: 30_000,
      run: async () => {
        const status = await closeRunTerminal('Process View: pipeline.py', 25_000);
        assert(status?.code === 0, `exit status ${JSON.stringify(status)}`);
      },
    },
    {
      name: 'vscode.openWith opens the trace in the procview.trace custom editor',
      timeoutMs: 30_000,
      run: async () => {
        assert(pipelineTrace, 'no trace: the pipeline check failed');
        const uri = vscode.Uri.file(pipelineTrace);
        await vscode.commands.executeCommand('vscode.openWith', uri, TRACE_VIEW_TYPE);
        await until(
          `a tab with a TabInputCustom of ${TRACE_VIEW_TYPE} for ${path.basename(pipelineTrace)}`,
          () => tabs().find((tab) => tab.input instanceof vscode.TabInputCustom && tab.input.viewType === TRACE_VIEW_TYPE && tab.input.uri.fsPath === uri.fsPath),
          25_000,
        );
      },
    },
    {
      name: "a deadlock (hangTimeout 1, onHang 'kill'): a lock-cycle problem from 'Process View' on deadlock.py, the run killed",
      timeoutMs: 120_000,
      run: async () => {
        const settings = vscode.workspace.getConfiguration('procview');
        await settings.update('hangTimeout', 1, vscode.ConfigurationTarget.Workspace);
        await settings.update('onHang', 'kill', vscode.ConfigurationTarget.Workspace);
        try {
          const script = vscode.Uri.file(path.join(folder, 'deadlock.py'));
          const before = tracesOf(folder, 'deadlock');
          await vscode.commands.executeCommand('procview.run', script);
          const trace = await newTrace(folder, 'deadlock', before, 30_000);
          const problems = await until(
            "a diagnostic with source 'Process View' and code 'lock-cycle' on deadlock.py",
            () => {
              const found = vscode.languages.getDiagnostics(script).filter((d) => d.source === 'Process View' && d.code === 'lock-cycle');
              return found.length > 0 ? found : undefined;
            },
            60_000,
          );
          // On the lines where the locks are taken, as errors.
          const lines = readFileSync(script.fsPath, 'utf8').split('\n');
          for (const problem of problems) {
            const line = lines[problem.range.start.line] ?? '';
            assert(/with (first|second)/.test(line), `a lock-cycle problem on line ${problem.range.start.line + 1}: ${JSON.stringify(line)}`);
            assert(problem.severity === vscode.DiagnosticSeverity.Error, `a lock-cycle problem of severity ${problem.severity}`);
          }
          const { events } = await finishedTrace(trace, 30_000);
          const hang = events.find((event) => event[3] === 'run.hang');
          assert(hang?.[5] === 'kill', `run.hang: ${JSON.stringify(hang)}`);
          await closeRunTerminal('Process View: deadlock.py', 25_000);
        } finally {
          await settings.update('hangTimeout', undefined, vscode.ConfigurationTarget.Workspace);
          await settings.update('onHang', undefined, vscode.ConfigurationTarget.Workspace);
        }
      },
    },
  ];
}

// --- The runner ---------------------------------------------------------------------

function resultsPath(): string {
  const fromEnv = process.env[RESULTS_ENV];
  if (fromEnv) return fromEnv;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return path.join(folder ?? process.cwd(), RESULTS_FILE);
}

/** Called by VS Code's extension host (it also passes the tests' path and a callback, unused: the promise says it all). */
export async function run(): Promise<void> {
  const started = Date.now();
  const results: CheckResult[] = [];
  for (const check of checks()) {
    const begun = Date.now();
    let error: string | undefined;
    try {
      await withTimeout(check.run(), check.timeoutMs);
    } catch (failure) {
      error = failure instanceof Error ? (failure.stack ?? failure.message) : String(failure);
    }
    const ms = Date.now() - begun;
    results.push(error === undefined ? { name: check.name, ok: true, ms } : { name: check.name, ok: false, error, ms });
    console.log(`host suite: ${error === undefined ? 'ok' : 'FAILED'} (${ms} ms) ${check.name}${error === undefined ? '' : `\n${error}`}`);
  }
  const failed = results.filter((result) => !result.ok);
  const summary: SuiteResults = {
    ok: failed.length === 0,
    ms: Date.now() - started,
    host: {
      version: vscode.version,
      appName: vscode.env.appName,
      uiKind: vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop',
      remoteName: vscode.env.remoteName ?? null,
    },
    checks: results,
  };
  // Written whole, then renamed: a reader never sees half of it.
  const file = resultsPath();
  writeFileSync(`${file}.tmp`, JSON.stringify(summary, null, 2));
  renameSync(`${file}.tmp`, file);
  console.log(`host suite: ${results.length - failed.length} of ${results.length} checks passed in ${summary.ms} ms; results in ${file}`);
  if (failed.length > 0) throw new Error(`${failed.length} of ${results.length} checks failed: ${failed.map((result) => result.name).join('; ')}`);
}
