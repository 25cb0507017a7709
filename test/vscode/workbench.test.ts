// The harness proves itself on a throwaway extension (smoke-extension.ts) in a
// real VS Code: commands from the palette, a notification, a webview's
// document, what the terminal API tells an extension when a terminal's process
// ends, and a stop that leaves no process behind.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isProcessAlive } from '../../src/core/process-tree';
import { launchBrowser, type Page } from '../browser/browser';
import { scratchDir } from '../helpers';
import {
  notifications,
  openWorkbench,
  pickQuickItem,
  runCommand,
  screenshot,
  startCodeServer,
  waitForNotification,
  waitForWebviewFrame,
  workbenchConsole,
  type CodeServer,
} from './code-server';
import { helloMessage, writeSmokeExtension, type TerminalFacts } from './smoke-extension';

/** `vscode.TerminalExitReason` */
const exitReason = { process: 2, extension: 4 } as const;

function timed(): (what: string) => void {
  let last = Date.now();
  return (what) => {
    const now = Date.now();
    console.log(`vscode-e2e timing: ${what}: ${((now - last) / 1000).toFixed(1)} s`);
    last = now;
  };
}

async function waitForFile(file: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} was not written within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Written in one call; a read that races the write finds it complete or empty.
  for (;;) {
    const text = readFileSync(file, 'utf8');
    if (text !== '') return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}


describe('VS Code (code-server) with an extension under development', () => {
  const scratch = scratchDir();
  const workspace = path.join(scratch, 'workspace');
  const extensionPath = writeSmokeExtension(path.join(scratch, 'smoke-extension'));
  let server: CodeServer;
  let page: Page;

  before(async () => {
    const lap = timed();
    mkdirSync(workspace);
    writeFileSync(path.join(workspace, 'hello.py'), 'print("hello")\n');
    server = await startCodeServer({ workspace, extensionPath });
    lap('code-server answers HTTP');
    const browser = await launchBrowser();
    lap('Chromium started');
    page = await openWorkbench(browser, server.url);
    lap('workbench ready ([Extension Development Host] in the title)');
  });

  after(async () => {
    await server.stop();
  });

  it('runs a command from the palette, which shows a notification', async () => {
    const lap = timed();
    try {
      await runCommand(page, 'Smoke: Say Hello');
      lap('"Smoke: Say Hello" run (the palette listed it)');
      assert.equal(await waitForNotification(page, helloMessage), helloMessage);
      lap('its notification shown');
      assert.ok((await notifications(page)).includes(helloMessage));
      assert.ok(workbenchConsole(page).some((line) => line.includes('smoke extension activated')));
    } finally {
      await screenshot(page, 'vscode-smoke-notification');
    }
  });

  it("finds a webview panel's own document among the page's frames", async () => {
    const lap = timed();
    try {
      await runCommand(page, 'Smoke: Open Webview');
      const frame = await waitForWebviewFrame(page, '#smoke');
      lap('webview document with #smoke found');
      assert.equal(await frame.locator('#smoke').innerText(), 'hi');
      assert.notEqual(frame, page.mainFrame());
    } finally {
      await screenshot(page, 'vscode-smoke-webview');
    }
  });

  it('picks an item in the quick pick a command opens', async () => {
    const lap = timed();
    await runCommand(page, 'Smoke: Pick a Letter');
    await pickQuickItem(page, 'beta');
    assert.equal(await waitForNotification(page, 'Picked'), 'Picked beta');
    lap('quick pick answered');
  });

  it('shows how VS Code tells an extension that a terminal process ended', async () => {
    const lap = timed();
    await runCommand(page, 'Smoke: Probe Terminals');
    const facts = JSON.parse(await waitForFile(path.join(workspace, 'terminal-facts.json'), 120_000)) as TerminalFacts[];
    lap('five terminals probed');
    await screenshot(page, 'vscode-smoke-terminals');
    const byName = new Map(facts.map((f) => [f.name, f]));
    const fact = (name: string): TerminalFacts => {
      const found = byName.get(name);
      assert.ok(found, `no facts for ${name}`);
      return found;
    };

    // A process that exits closes its terminal: onDidCloseTerminal fires (the
    // terminal already gone from window.terminals) with exitStatus
    // { code, reason: Process }; processId keeps resolving to the old pid.
    for (const [name, code] of [
      ['exit-0', 0],
      ['exit-3', 3],
    ] as const) {
      const f = fact(name);
      assert.ok(f.pid !== null, `${name}: processId resolved`);
      assert.deepEqual(f.closed?.exitStatus, { code, reason: exitReason.process }, name);
      assert.equal(f.closed.inTerminals, false, name);
      assert.deepEqual(f.exitStatus, { code, reason: exitReason.process }, name);
      assert.equal(f.inTerminals, false, name);
      assert.equal(f.pidAfter, f.pid, name);
      assert.equal(f.pidAlive, false, name);
    }
    // A process ended by a signal is reported as exit code 0.
    assert.deepEqual(fact('sigterm').closed?.exitStatus, { code: 0, reason: exitReason.process });
    // A shell that cannot start: the terminal closes with no code, and
    // processId never resolves.
    const missing = fact('missing-shell');
    assert.deepEqual(missing.closed?.exitStatus, { reason: exitReason.process });
    assert.equal(missing.pid, null);
    assert.equal(missing.pidAfter, null);
    // dispose(): closes at once with reason Extension and no code, and the process is ended.
    const disposed = fact('disposed');
    assert.deepEqual(disposed.closed?.exitStatus, { reason: exitReason.extension });
    assert.equal(disposed.pidAlive, false);

    // A non-zero exit and a failed launch also show an error notification; exit 0 and the signal do not.
    const toasts = await notifications(page);
    assert.ok(toasts.some((t) => t.includes("'sleep 1; exit 3'") && t.includes('terminated with exit code: 3')), JSON.stringify(toasts));
    assert.ok(toasts.some((t) => t.includes('failed to launch') && t.includes('/nonexistent/shell')), JSON.stringify(toasts));
    assert.ok(!toasts.some((t) => t.includes('exit 0') || t.includes('kill -TERM')), JSON.stringify(toasts));
  });

  it('stop() ends every process of the server, terminals and their detached children too', async () => {
    const lap = timed();
    await runCommand(page, 'Smoke: Leave Processes');
    const left = JSON.parse(await waitForFile(path.join(workspace, 'left.json'), 30_000)) as Record<string, number>;
    const pids = Object.values(left);
    assert.equal(pids.length, 3);
    for (const pid of pids) assert.ok(isProcessAlive(pid), `${pid} runs before stop()`);
    for (const pid of pids) assert.ok(server.processes().includes(pid), `${pid} is one of the server's processes`);
    await page.close();
    await server.stop();
    lap('code-server stopped');
    assert.deepEqual(pids.filter(isProcessAlive), []);
    assert.deepEqual(server.processes(), []);
  });
});
