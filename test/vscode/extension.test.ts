// The extension in a real VS Code (code-server, driven by headless Chromium as
// the person at the keyboard): "Run with process view" on a pipeline shows a
// lane for every process in the panel; a hanging program brings the hang
// notification and its finding; Stop leaves no process behind; a saved
// .pvtrace opens again. Screenshots go to test-results/screenshots/.

import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readTraceFile } from '../../src/core/ingest/reader';
import { RunModel } from '../../src/core/model/run-model';
import { isProcessAlive } from '../../src/core/process-tree';
import { launchBrowser, openPage, type Locator, type Page } from '../browser/browser';
import { repoRoot, scratchDir } from '../helpers';
import { notifications, openWorkbench, pickQuickItem, runCommand, screenshot, startCodeServer, waitForNotification, waitForWebviewFrame, webviewFrames, type CodeServer } from './code-server';

/** Opens a workspace file in the editor through Quick Open. */
async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator(`.tab[aria-label^="${name}"]`).first().waitFor({ timeout: 30_000 });
}

/** The newest trace of `script` in the workspace's .procview, once its run is over. */
function tracesOf(workspace: string, script: string): string[] {
  const folder = path.join(workspace, '.procview');
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((file) => file.startsWith(`${script}-`) && file.endsWith('.pvtrace')).sort().map((file) => path.join(folder, file));
}

function traceOf(workspace: string, script: string): string {
  const newest = tracesOf(workspace, script).pop();
  assert.ok(newest, `a trace of ${script} in ${path.join(workspace, '.procview')}`);
  return newest;
}

/** Whether `condition` holds within `timeoutMs`, looked at every 100 ms. */
async function eventually(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** The titles of the run panels' tabs (the editor's webview tabs named "Process View: ..."). */
async function runPanelTabs(page: Page): Promise<string[]> {
  const labels = await page.locator('.tab[aria-label^="Process View: "]').evaluateAll((tabs) => tabs.map((tab) => tab.getAttribute('aria-label') ?? ''));
  return labels.map((label) => label.split(',')[0] ?? label).sort();
}

/**
 * Answers an open or save dialog as a person does in VS Code's web workbench, whose
 * dialogs are its own (a path typed into the quick input, titled as the
 * extension asked): the path, a moment for the dialog to take it in, Enter.
 */
async function answerFileDialog(page: Page, title: string, file: string): Promise<void> {
  const widget = page.locator('.quick-input-widget', { has: page.locator('.quick-input-title', { hasText: title }) });
  await widget.waitFor({ state: 'visible', timeout: 30_000 });
  const input = widget.locator('.quick-input-box input');
  // The dialog puts its suggested path in the box once it has looked at the folder, over whatever was typed before.
  for (let attempt = 0; (await input.inputValue()) !== file; attempt++) {
    if (attempt === 20) throw new Error(`the save dialog does not keep the path typed: it shows ${await input.inputValue()}`);
    await input.fill(file);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  // It lists the folder typed so far as it goes (busy meanwhile); Enter before it has caught up takes an older value.
  await page.waitForFunction(
    (typed) =>
      document.querySelector<HTMLInputElement>('.quick-input-widget .quick-input-box input')?.value === typed &&
      document.querySelector('.quick-input-widget .monaco-progress-container.active') === null,
    file,
    { timeout: 10_000 },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  await page.keyboard.press('Enter');
  try {
    await widget.waitFor({ state: 'hidden', timeout: 15_000 });
  } catch (cause) {
    throw new Error(`the save dialog stayed open: ${await widget.innerText()}`, { cause });
  }
}

/** Chooses `item` in the Explorer's context menu of the file `name`. */
async function explorerMenu(page: Page, name: string, item: string): Promise<void> {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click({ button: 'right' });
  // With the keyboard: the menu ignores a click that comes too soon after it opened.
  await page.locator('.context-view .monaco-menu .action-label', { hasText: new RegExp(`^${item.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first().hover();
  await page.keyboard.press('Enter');
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

async function processesIn(tracePath: string): Promise<{ pid: number; name: string; helper: boolean }[]> {
  const model = new RunModel();
  for (const event of (await readTraceFile(tracePath)).events) model.add(event);
  return [...model.processes.values()].map((proc) => ({ pid: proc.pid, name: proc.name, helper: proc.helper }));
}

describe('Process View in VS Code', () => {
  const scratch = scratchDir();
  const workspace = path.join(scratch, 'workspace');
  let server: CodeServer;
  let page: Page;

  before(async () => {
    mkdirSync(workspace);
    copyFileSync(path.join(repoRoot, 'examples', 'pipeline.py'), path.join(workspace, 'pipeline.py'));
    // The same deadlock the in-host suite runs.
    copyFileSync(path.join(repoRoot, 'test', 'vscode-host', 'deadlock.py'), path.join(workspace, 'deadlock.py'));
    writeFileSync(path.join(workspace, 'ask.py'), 'name = input("your name? ")\nopen("answer.txt", "w").write(name)\nprint("hello,", name)\n');
    server = await startCodeServer({ workspace, extensionPath: repoRoot, settings: { 'procview.hangTimeout': 1.5 } });
    page = await openWorkbench(await launchBrowser(), server.url);
  });

  after(async () => {
    await server.stop();
  });

  it('runs the pipeline from the command palette: the panel shows a lane named for every process', async () => {
    await openFile(page, 'pipeline.py');
    await runCommand(page, 'Process View: Run with process view');
    const frame = await waitForWebviewFrame(page, '#procview[data-state="ready"]', 60_000);
    // The run is over when the panel stops saying "live".
    await frame.waitForFunction(() => {
      const status = document.querySelector('.pv-status')?.textContent ?? '';
      return status.includes('processes') && !status.includes('live');
    }, undefined, { timeout: 60_000 });
    const tracePath = traceOf(workspace, 'pipeline');
    const processes = (await processesIn(tracePath)).filter((proc) => !proc.helper);
    assert.ok(processes.length >= 5, JSON.stringify(processes));
    const labels = await frame.locator('.pv-lane-label[data-kind="process"] .pv-name').allTextContents();
    for (const proc of processes) assert.ok(labels.includes(`${proc.name} (pid ${proc.pid})`), `${proc.name} in ${labels.join(', ')}`);
    assert.equal(await frame.locator('.pv-verdict').textContent(), 'No problem found');
    await screenshot(page, 'vscode-pipeline-panel');

    // A reloaded window restores the panel with the same run.
    await runCommand(page, 'Developer: Reload Window');
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    const restored = await waitForWebviewFrame(page, '#procview[data-state="ready"] .pv-lane-label[data-kind="process"]', 90_000);
    const again = await restored.locator('.pv-lane-label[data-kind="process"] .pv-name').allTextContents();
    for (const proc of processes) assert.ok(again.includes(`${proc.name} (pid ${proc.pid})`), `after the reload: ${proc.name} in ${again.join(', ')}`);
    await screenshot(page, 'vscode-pipeline-restored');
  });

  it('notices the hang: a notification names it, Show selects the finding, Stop ends every process', async () => {
    await openFile(page, 'deadlock.py');
    // From the editor's title bar, its run menu's button this time.
    const runButton = page.locator('.editor-actions .action-label[aria-label="Run with process view"]').first();
    await runButton.click();
    // A run writes its trace's first line as it starts. Once in CI no run started in 60 s: a click the
    // workbench did not take (the button is re-rendered as the editor settles). Then once more.
    if (!(await eventually(() => tracesOf(workspace, 'deadlock').length > 0, 20_000))) {
      await screenshot(page, 'vscode-hang-run-button-not-taken');
      await runButton.click();
    }
    const toast = await waitForNotification(page, /The program hangs/, 60_000);
    assert.match(toast, /Deadlock/);
    await screenshot(page, 'vscode-hang-notification');
    await page.locator('.notification-toast', { hasText: 'The program hangs' }).getByRole('button', { name: 'Show' }).click();
    const frame = await waitForWebviewFrame(page, '.pv-finding[aria-selected="true"][data-kind="lock-cycle"]', 30_000);
    const highlighted = await frame.locator('.pv-lane-label.pv-highlight .pv-name').allTextContents();
    assert.ok(highlighted.some((name) => name.startsWith('ab (pid')) && highlighted.some((name) => name.startsWith('ba (pid')), highlighted.join(', '));
    await screenshot(page, 'vscode-hang-finding');
    // A location in the finding opens the editor at that line.
    const link = frame.locator('.pv-finding[aria-selected="true"] .pv-link').first();
    const line = Number(await link.getAttribute('data-line'));
    assert.ok(line > 0);
    await link.click();
    await page.locator('.statusbar-item', { hasText: `Ln ${line},` }).first().waitFor({ timeout: 30_000 });
    assert.match((await page.locator('.tab.active').first().getAttribute('aria-label')) ?? '', /^deadlock\.py/);
    // The finding is also a problem on the lines involved.
    await page.keyboard.press('Control+Shift+M');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'Deadlock' }).first().waitFor({ timeout: 30_000 });

    await runCommand(page, 'Process View: Stop');
    await frame.waitForFunction(() => !(document.querySelector('.pv-status')?.textContent ?? 'live').includes('live'), undefined, { timeout: 60_000 });
    const tracePath = traceOf(workspace, 'deadlock');
    const pids = (await processesIn(tracePath)).map((proc) => proc.pid);
    assert.ok(pids.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(pids.filter(isProcessAlive), [], 'no process of the run is left');
    await screenshot(page, 'vscode-stopped');
  });

  it("gives the script the terminal: what the person types reaches the script's standard input", async () => {
    await openFile(page, 'ask.py');
    await runCommand(page, 'Process View: Run with process view');
    // The terminal's pty exists once the run has written its trace's first line; what is typed
    // before the script reads is kept by the terminal until it does.
    await eventually(() => tracesOf(workspace, 'ask').length > 0, 60_000);
    const terminal = page.locator('.terminal-wrapper.active .xterm');
    await terminal.waitFor({ timeout: 60_000 });
    await terminal.click();
    await page.keyboard.type('Ada Lovelace');
    await page.keyboard.press('Enter');
    const deadline = Date.now() + 30_000;
    while (!existsSync(path.join(workspace, 'answer.txt')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(readFileSync(path.join(workspace, 'answer.txt'), 'utf8'), 'Ada Lovelace');
    await screenshot(page, 'vscode-stdin');
    // Three runs so far, one panel (procview.reusePanel is on by default), titled after the last.
    assert.deepEqual(await runPanelTabs(page), ['Process View: ask.py']);
  });

  it('saves the trace, exports the Chrome/Perfetto JSON and the HTML report where the person says', async () => {
    const tracePath = traceOf(workspace, 'ask');
    const saved = path.join(workspace, 'saved-run.pvtrace');
    // From the editor: the run's terminal, focused, would take the focus back from the dialog.
    await openFile(page, 'ask.py');
    await runCommand(page, 'Process View: Save trace as…');
    await answerFileDialog(page, 'Save the trace', saved);
    await waitForNotification(page, `trace written to ${saved}`, 30_000);
    assert.deepEqual(readFileSync(saved), readFileSync(tracePath));

    const chrome = path.join(workspace, 'ask-chrome.json');
    await runCommand(page, 'Process View: Export Chrome/Perfetto trace…');
    await answerFileDialog(page, 'Save the Chrome/Perfetto trace', chrome);
    await waitForNotification(page, `Chrome/Perfetto trace written to ${chrome}`, 30_000);
    const exported = JSON.parse(readFileSync(chrome, 'utf8')) as { traceEvents: { ph: string; name: string; args?: { name?: string } }[] };
    const processNames = exported.traceEvents.filter((event) => event.ph === 'M' && event.name === 'process_name').map((event) => event.args?.name ?? '');
    assert.ok(processNames.some((name) => name.includes('MainProcess')), JSON.stringify(processNames));

    const report = path.join(workspace, 'ask-report.html');
    await runCommand(page, 'Process View: Export HTML report…');
    await answerFileDialog(page, 'Save the HTML report', report);
    await waitForNotification(page, `HTML report written to ${report}`, 30_000);
    // The report stands alone: a browser opens the file and draws the run.
    const browser = await launchBrowser();
    try {
      const { page: reportPage, errors } = await openPage(browser, report);
      await reportPage.waitForSelector('#procview[data-state="ready"] .pv-lane-label[data-kind="process"]', { timeout: 30_000 });
      const labels = await reportPage.locator('.pv-lane-label[data-kind="process"] .pv-name').allTextContents();
      assert.ok(labels.some((label) => label.startsWith('MainProcess (pid')), labels.join(', '));
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });

  it('opens a saved .pvtrace as a document, read-only, with the run inside', async () => {
    const tracePath = traceOf(workspace, 'pipeline');
    await openFile(page, path.basename(tracePath));
    const frame = await waitForWebviewFrame(page, '#procview[data-state="ready"] .pv-lane-label[data-kind="queue"]', 60_000);
    const labels = await frame.locator('.pv-lane-label[data-kind="process"] .pv-name').allTextContents();
    assert.ok(labels.some((label) => label.startsWith('MainProcess (pid')));
    assert.equal(await frame.locator('.pv-stop:not([hidden])').count(), 0, 'a saved run cannot be stopped');
    await screenshot(page, 'vscode-trace-editor');

    // "Open trace…" asks which, and opens it the same way.
    await runCommand(page, 'Process View: Open trace…');
    await answerFileDialog(page, 'Open a Process View trace', path.join(workspace, 'saved-run.pvtrace'));
    await page.locator('.tab.active[aria-label^="saved-run.pvtrace"]').first().waitFor({ timeout: 30_000 });
    // Its frame is the one whose run is ask.py's (the pipeline's trace is open too).
    const deadline = Date.now() + 60_000;
    for (;;) {
      const titles = await Promise.all(
        (await webviewFrames(page, '#procview[data-state="ready"] .pv-lane-label[data-kind="process"]')).map((frame) => frame.locator('.pv-title').textContent()),
      );
      if (titles.some((title) => title?.includes('ask.py'))) break;
      assert.ok(Date.now() < deadline, `no trace editor shows ask.py's run; titles: ${JSON.stringify(titles)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await screenshot(page, 'vscode-open-trace');
  });
});

describe("Process View with the Python extension's interpreter, arguments, Rerun and its own panel per run", () => {
  // The Python extension cannot be downloaded here: test/vscode/python-stand-in
  // is a stand-in with its id answering the calls Process View makes, whose
  // selected interpreter is the path in `selection` (none when it is absent).
  const scratch = scratchDir();
  const workspace = path.join(scratch, 'workspace');
  const selection = path.join(scratch, 'selected-interpreter');
  const used = path.join(workspace, 'interpreters-used.txt');
  const argvLog = path.join(workspace, 'argv.jsonl');
  const release = path.join(workspace, 'release');
  let server: CodeServer;
  let page: Page;

  /** An interpreter that notes its name in `used`, then is python3. */
  const wrapper = (name: string): string => {
    const file = path.join(scratch, `python-${name}`);
    writeFileSync(file, `#!/bin/sh\necho ${name} >> '${used}'\nexec python3 "$@"\n`);
    chmodSync(file, 0o755);
    return file;
  };
  const usedNames = (): string[] => (existsSync(used) ? readFileSync(used, 'utf8').split('\n').filter(Boolean) : []);
  interface ArgsRun {
    argv: string[];
    cwd: string;
    greeting: string | null;
  }
  const runsLogged = (): ArgsRun[] => (existsSync(argvLog) ? readFileSync(argvLog, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as ArgsRun) : []);
  const argvRuns = (): string[][] => runsLogged().map((run) => run.argv);
  const until = async (what: string, probe: () => boolean, timeoutMs = 60_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!probe()) {
      if (Date.now() > deadline) {
        await screenshot(page, 'vscode-settings-timed-out');
        throw new Error(`timed out waiting for ${what}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  /** The traces of args.py, oldest first. */
  const traces = (): string[] => tracesOf(workspace, 'args');
  const status = (): Locator => page.locator('.statusbar-item', { hasText: /\d+ process(es)? · [\d,]+ events\/s · \d+\.\d s/ }).first();
  /** Waits until `count` runs of args.py have written run.end, and the extension has seen the last end (its status item gone). */
  const runsOver = async (count: number) => {
    await until(`${count} finished runs of args.py`, () => {
      const all = traces();
      return all.length === count && all.every((file) => readFileSync(file, 'utf8').includes('"run.end"'));
    });
    await status().waitFor({ state: 'hidden', timeout: 30_000 });
  };

  before(async () => {
    mkdirSync(path.join(workspace, 'sub'), { recursive: true });
    // Its arguments, folder and $GREETING as JSON, a line a run; a child process keeps the run going until there is a file named release.
    writeFileSync(
      path.join(workspace, 'args.py'),
      [
        'import json, multiprocessing as mp, os, sys, time',
        '',
        'HERE = os.path.dirname(os.path.abspath(__file__))',
        '',
        'def linger():',
        '    while not os.path.exists(os.path.join(HERE, "release")):',
        '        time.sleep(0.05)',
        '',
        'if __name__ == "__main__":',
        '    with open(os.path.join(HERE, "argv.jsonl"), "a") as log:',
        '        log.write(json.dumps({"argv": sys.argv[1:], "cwd": os.getcwd(), "greeting": os.environ.get("GREETING")}) + "\\n")',
        '    child = mp.Process(target=linger, name="lingerer")',
        '    child.start()',
        '    child.join()',
        '',
      ].join('\n'),
    );
    server = await startCodeServer({
      workspace,
      extensionPath: repoRoot,
      settings: {
        'procview.reusePanel': false,
        'procview.pythonPath': '/nowhere/python3',
        'procview.cwd': '${workspaceFolder}/sub',
        'procview.env': { GREETING: 'hello from the settings' },
      },
      env: { PYTHON_STAND_IN_SELECTION: selection },
      installed: [path.join(repoRoot, 'test', 'vscode', 'python-stand-in')],
    });
    page = await openWorkbench(await launchBrowser(), server.url);
  });

  after(async () => {
    await server.stop();
  });

  it('with no interpreter selected and procview.pythonPath wrong: says so, and its button opens the setting', async () => {
    await openFile(page, 'args.py');
    await runCommand(page, 'Process View: Run with process view');
    const toast = await waitForNotification(page, 'procview.pythonPath is set to "/nowhere/python3"', 30_000);
    assert.match(toast, /no executable file there/);
    await screenshot(page, 'vscode-no-interpreter');
    await page.locator('.notification-toast', { hasText: 'procview.pythonPath is set to' }).getByRole('button', { name: 'Open Settings' }).click();
    await page.locator('.settings-editor .setting-item-contents', { hasText: 'Python Path' }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'vscode-no-interpreter-setting');
    assert.deepEqual(usedNames(), [], 'nothing ran');
    await runCommand(page, 'View: Close Editor');
  });

  it("runs with the Python extension's interpreter and the arguments typed; the status bar counts; Rerun repeats them with the interpreter now selected; each run has its panel", async () => {
    writeFileSync(selection, wrapper('first'));
    await openFile(page, 'args.py');
    await runCommand(page, 'Process View: Run with process view…');
    const box = page.locator('.quick-input-widget .quick-input-box input');
    await box.waitFor({ state: 'visible', timeout: 30_000 });
    await box.fill('--items 3 "two words" \'it is\'');
    await page.keyboard.press('Enter');
    await until('the first run to write its arguments', () => argvRuns().length === 1);
    assert.deepEqual(runsLogged()[0], { argv: ['--items', '3', 'two words', 'it is'], cwd: path.join(workspace, 'sub'), greeting: 'hello from the settings' });
    assert.ok(usedNames().includes('first'), `interpreters used: ${usedNames().join(', ')}`);

    // While it runs: processes alive, events per second, time; a click brings its panel to the front.
    await status().waitFor({ timeout: 30_000 });
    // Its panel closed while it runs, a click on the status item opens one again, with the run in it.
    await page.locator('.tab[aria-label^="Process View: args.py"] .tab-actions .action-label').first().click();
    await page.locator('.tab[aria-label^="Process View: args.py"]').first().waitFor({ state: 'detached', timeout: 10_000 });
    await status().click();
    const frame = await waitForWebviewFrame(page, '#procview[data-state="ready"] .pv-lane-label[data-kind="process"]', 30_000);
    const labels = await frame.locator('.pv-lane-label[data-kind="process"] .pv-name').allTextContents();
    assert.ok(labels.some((label) => label.startsWith('lingerer (pid')), labels.join(', '));
    await screenshot(page, 'vscode-status-bar');
    // The panel's Stop ends the run, its child too.
    await frame.locator('.pv-stop').click();
    await runsOver(1);
    const [firstTrace] = traces();
    assert.ok(firstTrace);
    const pids = (await processesIn(firstTrace)).map((proc) => proc.pid);
    assert.ok(pids.length >= 2, JSON.stringify(pids));
    await until('no process of the stopped run left', () => pids.filter(isProcessAlive).length === 0, 10_000);
    writeFileSync(release, '');

    // Another interpreter selected in the Python extension: the next run uses it.
    writeFileSync(selection, wrapper('second'));
    await runCommand(page, 'Process View: Rerun');
    await until('the rerun to write its arguments', () => argvRuns().length === 2);
    assert.deepEqual(argvRuns()[1], ['--items', '3', 'two words', 'it is']);
    assert.ok(usedNames().includes('second'), `interpreters used: ${usedNames().join(', ')}`);
    await runsOver(2);
    // procview.reusePanel is off: a panel each.
    assert.deepEqual(await runPanelTabs(page), ['Process View: args.py', 'Process View: args.py']);

    // Asked again (from the Explorer's context menu this time), the box offers the arguments this script ran with; Escape runs nothing.
    await explorerMenu(page, 'args.py', 'Run with process view…');
    await box.waitFor({ state: 'visible', timeout: 30_000 }).catch(async (error: unknown) => {
      await screenshot(page, 'vscode-args-box-missing');
      // What the extension and the workbench said, to tell why.
      const logFile = filesUnder(path.join(server.userDataDir, 'logs')).find((file) => file.endsWith('Process View.log'));
      throw new Error(`no arguments box; notifications ${JSON.stringify(await notifications(page))}; the extension's log:\n${logFile ? readFileSync(logFile, 'utf8') : '(none)'}`, { cause: error });
    });
    assert.equal(await box.inputValue(), '--items 3 "two words" "it is"');
    await page.keyboard.press('Escape');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal(argvRuns().length, 2, 'Escape ran nothing');
    await screenshot(page, 'vscode-rerun-panels');

    // The Explorer's context menu runs it too, with the arguments of the setting (none); the status bar's Stop ends it.
    rmSync(release);
    await explorerMenu(page, 'args.py', 'Run with process view');
    await until('the run from the Explorer to write its arguments', () => argvRuns().length === 3);
    assert.deepEqual(argvRuns()[2], []);
    await page.locator('[aria-label="Stop the run"]').first().click();
    await runsOver(3);

    // The extension's log, in its output channel, says which interpreter ran each time and who chose it.
    await runCommand(page, 'Output: Show Output Channels...');
    await pickQuickItem(page, 'Process View');
    await page.locator('.output-view .view-lines', { hasText: 'the Python extension now uses' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'vscode-output-channel');
    // All of it, from the file behind the channel (the view shows a screenful, wrapped).
    const logFile = filesUnder(path.join(server.userDataDir, 'logs')).find((file) => file.endsWith('Process View.log'));
    assert.ok(logFile, 'the output channel has a log file');
    const logText = readFileSync(logFile, 'utf8');
    for (const expected of [
      `args.py --items 3 "two words" "it is" with ${path.join(scratch, 'python-first')} (from python-extension)`,
      `the Python extension now uses ${path.join(scratch, 'python-second')}`,
      `args.py --items 3 "two words" "it is" with ${path.join(scratch, 'python-second')} (from python-extension)`,
      'procview.pythonPath is set to "/nowhere/python3"',
    ]) {
      assert.ok(logText.includes(expected), `the log says ${expected}:\n${logText}`);
    }
  });
});

describe('Process View in an untrusted workspace', () => {
  const scratch = scratchDir();
  const workspace = path.join(scratch, 'untrusted');
  let server: CodeServer;
  let page: Page;

  before(async () => {
    mkdirSync(workspace);
    writeFileSync(path.join(workspace, 'hello.py'), 'print("hello")\n');
    server = await startCodeServer({
      workspace,
      extensionPath: repoRoot,
      settings: { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' },
    });
    page = await openWorkbench(await launchBrowser(), server.url);
  });

  after(async () => {
    await server.stop();
  });

  it('offers no way to run (the workspace is in Restricted Mode) and still opens traces', async () => {
    await openFile(page, 'hello.py');
    // Opening traces works in Restricted Mode: its command is listed, which also shows the extension is up.
    await runCommand(page, 'Process View: Open trace…').catch((error: unknown) => {
      throw new Error(`Open trace is not offered: ${String(error)}`);
    });
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill('>Process View: Run with process view');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const rows = await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').allInnerTexts();
    await page.keyboard.press('Escape');
    assert.ok(!rows.some((row) => row.includes('Run with process view')), `offered in Restricted Mode: ${JSON.stringify(rows)}`);
    await screenshot(page, 'vscode-untrusted');
  });
});
