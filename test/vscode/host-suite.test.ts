// The host suite (test/vscode-host/suite.ts: checks with the real `vscode` API
// inside the extension host) run in a real VS Code: code-server, with the
// extension under development and the suite as `extensionTestsPath` in the
// workbench's payload, and headless Chromium as the window (the extension host
// runs only while a window is open).
//
// At the end of the suite the workbench stops the extension host (its process
// exits) and, if the page defines `window.codeAutomationExit`, calls it with the
// exit code (0: run() resolved; 1: it rejected) and the window's logs; that is
// how VS Code's own browser integration tests learn the result. The window
// itself stays open (code-server has no process to exit). So the test exposes
// codeAutomationExit to the page, waits for the results file and for that call,
// and then stops the server.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, type Page } from '../browser/browser';
import { repoRoot, scratchDir } from '../helpers';
import { RESULTS_ENV, type SuiteResults } from '../vscode-host/results';
import { openWorkbench, remoteUri, screenshot, startCodeServer, type CodeServer } from './code-server';

/** How long the whole suite may take in the extension host (its own checks have limits too). */
const SUITE_TIMEOUT_MS = 6 * 60_000;

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/** The server's extension host processes (VS Code forks them with `--type=extensionHost`). */
function extensionHosts(server: CodeServer): number[] {
  return server.processes().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('--type=extensionHost');
    } catch {
      return false;
    }
  });
}

/** Resolves with the promise's value, or null after `ms` (the timer does not outlive it). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<null>((resolve) => (timer = setTimeout(resolve, ms, null)))]);
  } finally {
    clearTimeout(timer);
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe('the host suite in code-server (extensionTestsPath)', () => {
  const scratch = scratchDir();
  const workspace = path.join(scratch, 'workspace');
  const resultsFile = path.join(scratch, 'host-suite-results.json');
  let server: CodeServer;
  let page: Page;
  let exited: ((value: { code: number; logs: number; at: number }) => void) | undefined;
  const automationExit = new Promise<{ code: number; logs: number; at: number }>((resolve) => {
    exited = resolve;
  });
  let workbenchReady = 0;

  before(async () => {
    const begun = Date.now();
    const built = execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build-host-suite.mjs')], { encoding: 'utf8' }).trim();
    mkdirSync(workspace);
    copyFileSync(path.join(repoRoot, 'examples', 'pipeline.py'), path.join(workspace, 'pipeline.py'));
    copyFileSync(path.join(repoRoot, 'test', 'vscode-host', 'deadlock.py'), path.join(workspace, 'deadlock.py'));
    const builtAt = Date.now();
    server = await startCodeServer({
      workspace,
      extensionPath: repoRoot,
      // The extension host inherits the server's environment.
      env: { [RESULTS_ENV]: resultsFile },
      payload: (port) => [['extensionTestsPath', remoteUri(port, built)]],
    });
    const serverAt = Date.now();
    page = await openWorkbench(await launchBrowser(), server.url, 60_000, async (fresh) => {
      // What the workbench calls once the suite is over (after stopping the extension host).
      await fresh.exposeFunction('codeAutomationExit', (code: number, logs: unknown) => {
        exited?.({ code, logs: Array.isArray(logs) ? logs.length : 0, at: Date.now() });
      });
      // The suite's progress, as the extension host's console reaches the window's.
      fresh.on('console', (message) => {
        const text = message.text();
        const at = text.indexOf('host suite:');
        if (at >= 0) console.log(`[extension host] ${text.slice(at)}`);
      });
    });
    workbenchReady = Date.now();
    console.log(`bundle ${seconds(builtAt - begun)}, code-server up ${seconds(serverAt - builtAt)}, workbench ready ${seconds(workbenchReady - serverAt)}`);
  });

  after(async () => {
    await server.stop();
  });

  it('passes every check; then the extension host exits and the workbench reports the exit code', async () => {
    const deadline = workbenchReady + SUITE_TIMEOUT_MS;
    let hostsWhileRunning: number[] = [];
    while (!existsSync(resultsFile)) {
      if (Date.now() > deadline) {
        await screenshot(page, 'vscode-host-suite-timeout');
        assert.fail(`no results in ${resultsFile} after ${SUITE_TIMEOUT_MS / 1000} s; the extension host's log:\n${server.extensionHostLogs()}`);
      }
      hostsWhileRunning = extensionHosts(server);
      await sleep(250);
    }
    const resultsAt = Date.now();
    const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as SuiteResults;
    console.log(`host suite in ${results.host.appName} ${results.host.version} (${results.host.uiKind}, remote ${String(results.host.remoteName)}): ${seconds(results.ms)}, results ${seconds(resultsAt - workbenchReady)} after the workbench was ready`);
    for (const check of results.checks) console.log(`  ${check.ok ? 'ok  ' : 'FAIL'} ${seconds(check.ms).padStart(7)}  ${check.name}`);

    const exit = await within(automationExit, 60_000);
    console.log(exit === null ? 'codeAutomationExit: not called within 60 s' : `codeAutomationExit(${exit.code}, <${exit.logs} logs>) ${seconds(exit.at - resultsAt)} after the results`);
    // The extension host that ran the suite: gone (a few seconds at most after the call).
    const exitedAt = Date.now();
    let left = hostsWhileRunning.filter((pid) => extensionHosts(server).includes(pid));
    while (left.length > 0 && Date.now() - exitedAt < 20_000) {
      await sleep(250);
      left = hostsWhileRunning.filter((pid) => extensionHosts(server).includes(pid));
    }
    const now = extensionHosts(server);
    console.log(
      `after the suite: extension host ${JSON.stringify(hostsWhileRunning)} ${left.length === 0 ? `gone ${seconds(Date.now() - exitedAt)} after the call` : 'still alive after 20 s'}; ` +
        `extension hosts now ${JSON.stringify(now)}; window open ${!page.isClosed()}, title ${JSON.stringify(await page.title().catch(() => null))}`,
    );
    await screenshot(page, 'vscode-host-suite-end');

    const failed = results.checks.filter((check) => !check.ok);
    assert.deepEqual(failed, [], 'every check passes');
    assert.ok(results.checks.length >= 8, `${results.checks.length} checks ran`);
    assert.equal(results.ok, true);
    assert.notEqual(exit, null, 'the workbench calls codeAutomationExit at the end');
    assert.equal(exit?.code, 0, 'its exit code says the suite passed');
    assert.equal(hostsWhileRunning.length, 1, `one extension host ran the suite: ${JSON.stringify(hostsWhileRunning)}`);
    assert.deepEqual(left, [], 'the extension host that ran the suite exits');
  });
});
