// A throwaway extension for the harness's own tests (workbench.test.ts): plain
// JavaScript, no build, written into a folder of its own.
//
// Its commands:
//   "Smoke: Say Hello"        an information message "Hello from the smoke extension"
//   "Smoke: Open Webview"     a WebviewPanel whose document is <div id="smoke">hi</div>
//   "Smoke: Pick a Letter"    a quick pick of alpha, beta, gamma; then "Picked <letter>"
//   "Smoke: Probe Terminals"  creates terminals whose process ends in different ways and
//                             writes what the API said about each to
//                             <workspace>/terminal-facts.json (TerminalFacts[])
//   "Smoke: Leave Processes"  a terminal left running, whose shell also starts a process in
//                             a session of its own; writes their pids to <workspace>/left.json

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const helloMessage = 'Hello from the smoke extension';

/** What the extension saw of one terminal (see extension.js below). */
export interface TerminalFacts {
  name: string;
  /** `await terminal.processId` while it ran; null when it had not resolved when the terminal closed (or within 20 s). */
  pid: number | null;
  /** `window.onDidCloseTerminal` for it, when it fired within 8 s. */
  closed: {
    /** ms after the terminal was created */
    afterMs: number;
    exitStatus: { code?: number; reason: number } | undefined;
    /** whether `window.terminals` still listed it inside the event */
    inTerminals: boolean;
  } | null;
  /** After the close (or the 8 s). A status without a code has no `code` key (JSON). */
  exitStatus: { code?: number; reason: number } | undefined;
  inTerminals: boolean;
  /** `await terminal.processId` again; null when it did not resolve within 3 s. */
  pidAfter: number | null;
  /** whether `pid` was still a live process, 3 s after the close at most */
  pidAlive: boolean;
}

const packageJson = {
  name: 'smoke',
  displayName: 'Smoke',
  publisher: 'procview-test',
  version: '0.0.1',
  engines: { vscode: '^1.100.0' },
  main: './extension.js',
  contributes: {
    commands: [
      { command: 'smoke.hello', title: 'Smoke: Say Hello' },
      { command: 'smoke.webview', title: 'Smoke: Open Webview' },
      { command: 'smoke.pick', title: 'Smoke: Pick a Letter' },
      { command: 'smoke.terminals', title: 'Smoke: Probe Terminals' },
      { command: 'smoke.leave', title: 'Smoke: Leave Processes' },
    ],
  },
};

const extensionJs = String.raw`'use strict';
const vscode = require('vscode');
const fs = require('fs');
const path = require('path');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const within = (promise, ms) => Promise.race([promise, sleep(ms).then(() => null)]);
function alive(pid) {
  try {
    const stat = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
const plain = (status) => (status === undefined ? undefined : { code: status.code, reason: status.reason });
const workspaceFile = (name) => path.join(vscode.workspace.workspaceFolders[0].uri.fsPath, name);

async function probe(name, options, meanwhile) {
  const started = Date.now();
  let closed = null;
  const terminal = vscode.window.createTerminal({ name, ...options });
  const closing = new Promise((resolve) => {
    const listener = vscode.window.onDidCloseTerminal((t) => {
      if (t !== terminal) return;
      closed = { afterMs: Date.now() - started, exitStatus: plain(t.exitStatus), inTerminals: vscode.window.terminals.includes(t) };
      listener.dispose();
      resolve();
    });
  });
  terminal.show();
  // The first terminal of a window waits for the pty host to start (seconds on
  // a busy machine); a shell that cannot start never gets a pid, but closes.
  const pid = await within(Promise.race([terminal.processId, closing.then(() => within(terminal.processId, 1000))]), 20000);
  if (meanwhile) await meanwhile(terminal);
  await within(closing, 8000);
  for (let i = 0; i < 30 && pid && alive(pid); i++) await sleep(100);
  return {
    name,
    pid: pid ?? null,
    closed,
    exitStatus: plain(terminal.exitStatus),
    inTerminals: vscode.window.terminals.includes(terminal),
    pidAfter: (await within(terminal.processId, 3000)) ?? null,
    pidAlive: Boolean(pid) && alive(pid),
  };
}

exports.activate = (context) => {
  console.log('smoke extension activated');
  context.subscriptions.push(
    vscode.commands.registerCommand('smoke.hello', () => {
      void vscode.window.showInformationMessage('Hello from the smoke extension');
    }),
    vscode.commands.registerCommand('smoke.webview', () => {
      const panel = vscode.window.createWebviewPanel('smoke', 'Smoke Webview', vscode.ViewColumn.One, {});
      panel.webview.html =
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\';">' +
        '</head><body><div id="smoke">hi</div></body></html>';
    }),
    vscode.commands.registerCommand('smoke.pick', async () => {
      const picked = await vscode.window.showQuickPick(['alpha', 'beta', 'gamma'], { placeHolder: 'A letter' });
      void vscode.window.showInformationMessage('Picked ' + picked);
    }),
    vscode.commands.registerCommand('smoke.terminals', async () => {
      const sh = (script) => ({ shellPath: '/bin/sh', shellArgs: ['-c', script] });
      const facts = [];
      facts.push(await probe('exit-0', sh('sleep 1; exit 0')));
      facts.push(await probe('exit-3', sh('sleep 1; exit 3')));
      facts.push(await probe('sigterm', sh('sleep 1; kill -TERM $$')));
      facts.push(await probe('missing-shell', { shellPath: '/nonexistent/shell' }));
      facts.push(await probe('disposed', sh('sleep 1000'), async (terminal) => {
        await sleep(500);
        terminal.dispose();
      }));
      fs.writeFileSync(workspaceFile('terminal-facts.json'), JSON.stringify(facts, null, 1));
    }),
    vscode.commands.registerCommand('smoke.leave', async () => {
      const terminal = vscode.window.createTerminal({
        name: 'left running',
        shellPath: '/bin/sh',
        shellArgs: ['-c', 'setsid sleep 1000 & echo $! > ' + JSON.stringify(workspaceFile('setsid.pid')) + '; sleep 1000'],
      });
      const shell = await terminal.processId;
      for (let i = 0; i < 50 && !fs.existsSync(workspaceFile('setsid.pid')); i++) await sleep(100);
      const setsid = Number(fs.readFileSync(workspaceFile('setsid.pid'), 'utf8'));
      fs.writeFileSync(workspaceFile('left.json'), JSON.stringify({ shell, setsid, extensionHost: process.pid }));
    }),
  );
};
`;

/** Writes the extension into `dir` (created); returns `dir`. */
export function writeSmokeExtension(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(packageJson, null, 2));
  writeFileSync(path.join(dir, 'extension.js'), extensionJs);
  return dir;
}
