// The VS Code end-to-end tests' harness: a real VS Code (code-server 4.100.3,
// which is VS Code 1.100.3's server and web workbench, installed by
// scripts/ensure-code-server.sh) with the extension under development loaded,
// and Debian's headless Chromium (test/browser/browser.ts) at the keyboard.
//
//   let server: CodeServer;
//   let page: Page;
//   before(async () => {
//     server = await startCodeServer({ workspace, extensionPath: repoRoot });
//     page = await openWorkbench(await launchBrowser(), server.url);
//   });
//   after(() => server.stop());
//
//   it('says hello', async () => {
//     await runCommand(page, 'Smoke: Say Hello');
//     await waitForNotification(page, /Hello/);
//   });
//
// Every server started is stopped, with its whole process tree, when the test
// file ends (and, failing that, when the test process exits).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { isProcessAlive } from '../../src/core/process-tree';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { randomUUID } from 'node:crypto';
import type { Browser, Frame, Locator, Page } from 'playwright-core';
import { repoRoot } from '../helpers';
import { openPage, saveScreenshot } from '../browser/browser';

export const codeServerVersion = '4.100.3';

/** Where scripts/ensure-code-server.sh installs it (outside the repository). */
export const codeServerDir = path.join(
  process.env.PROCVIEW_CACHE ?? path.join(os.homedir(), '.cache', 'procview'),
  `code-server-${codeServerVersion}`,
);

const entryPoint = path.join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const installMarker = path.join(codeServerDir, '.procview-install-complete');

/** Settings written for every server; the caller's settings go over them. */
export const baseSettings: Readonly<Record<string, unknown>> = {
  'security.workspace.trust.enabled': false,
  // Nothing that opens on its own and takes the focus from the palette.
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
};

export interface CodeServerOptions {
  /** The folder the workbench opens. */
  workspace: string;
  /** Absolute path of the extension under development (the folder of its package.json). */
  extensionPath: string;
  /** User settings, over `baseSettings`. */
  settings?: Record<string, unknown>;
  /** More entries for the workbench URL's `payload` (e.g. `['extensionTestsPath', remoteUri(port, dir)]`). */
  payload?: (port: number) => [string, string][];
  /**
   * Extension folders (each with its package.json) installed for this server,
   * as if from the marketplace: the web workbench takes only one development
   * extension, the one under test.
   */
  installed?: string[];
  /** Extra environment for the server, and so for the extension host and terminals. */
  env?: Record<string, string>;
  /** How long to wait for the server to answer HTTP (default 60 s). */
  timeoutMs?: number;
}

export interface CodeServer {
  /** The workbench URL: the workspace folder, and the extension under development in `payload`. */
  url: string;
  port: number;
  /** The fresh user data folder (its `logs/` has the extension host's log); removed by stop(). */
  userDataDir: string;
  /** Ends the server and every process under it (terminals included); waits until they are gone. */
  stop(): Promise<void>;
  /** What the server printed so far (stdout and stderr, interleaved). */
  logs(): string;
  /** The extension host's log files (user data `logs/`), concatenated; as they were at stop() once stopped. */
  extensionHostLogs(): string;
  /** The live processes of this server: itself, everything under it (extension host, terminals...). */
  processes(): number[];
}

/** A `vscode-remote://` URI for a path on this server, as the workbench's payload wants it. */
export function remoteUri(port: number, absolutePath: string): string {
  return `vscode-remote://127.0.0.1:${port}${absolutePath}`;
}

/**
 * Installs code-server unless it is there (instant when it is); `npm run
 * test:vscode` has done it already, so this matters when a test file is run by
 * itself.
 */
export function ensureCodeServer(): string {
  if (!existsSync(installMarker) || !existsSync(entryPoint)) {
    execFileSync('bash', [path.join(repoRoot, 'scripts', 'ensure-code-server.sh')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return entryPoint;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

// --- Process trees ----------------------------------------------------------
// VS Code's pty host starts shells in sessions of their own, and a process whose
// parent died is adopted by init, so neither the process group nor the tree
// alone finds everything. Every process of a server carries its tag in the
// environment (the extension host and terminals inherit it); stop() kills what
// the tree and the tag find.

const tagVariable = 'PROCVIEW_E2E_SERVER';

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

function hasTag(pid: number, tag: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${tagVariable}=${tag}`);
  } catch {
    return false;
  }
}


/** The root, its descendants, and every process carrying the tag. */
function processesOf(rootPid: number | undefined, tag: string): Set<number> {
  const pids = allPids().filter((pid) => pid !== process.pid);
  const found = new Set<number>();
  if (rootPid !== undefined && isProcessAlive(rootPid)) found.add(rootPid);
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  const stack = rootPid === undefined ? [] : [rootPid];
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    for (const child of children.get(pid) ?? []) {
      if (!found.has(child)) {
        found.add(child);
        stack.push(child);
      }
    }
  }
  for (const pid of pids) if (hasTag(pid, tag)) found.add(pid);
  return new Set([...found].filter(isProcessAlive));
}

function signalAll(pids: Iterable<number>, signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/** SIGTERM to the whole tree, SIGKILL to what is left after `graceMs`; resolves once none is alive. */
async function killTree(rootPid: number | undefined, tag: string, graceMs = 3000): Promise<void> {
  signalAll(processesOf(rootPid, tag), 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (processesOf(rootPid, tag).size === 0) return;
    await sleep(100);
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const left = processesOf(rootPid, tag);
    if (left.size === 0) return;
    signalAll(left, 'SIGKILL');
    await sleep(100);
  }
  throw new Error(`processes of code-server still alive: ${[...processesOf(rootPid, tag)].join(' ')}`);
}

const running = new Map<string, { child: ChildProcess; stop: () => Promise<void> }>();

// On the test file's root: stops what the tests left running.
after(async () => {
  await Promise.all([...running.values()].map(({ stop }) => stop()));
});

// Should the file end without its `after` hooks (a crash, process.exit), still
// leave nothing behind.
process.on('exit', () => {
  for (const [tag, { child }] of running) signalAll(processesOf(child.pid, tag), 'SIGKILL');
});

// --- The server ----------------------------------------------------------------

/**
 * Starts code-server on 127.0.0.1 (a free port, no auth, fresh user data and
 * extensions folders, no telemetry, no update check) and resolves once it
 * answers HTTP. The workbench URL it returns loads `extensionPath` as the
 * extension under development: the window is an "[Extension Development Host]".
 */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const entry = ensureCodeServer();
  const workspace = path.resolve(options.workspace);
  const extensionPath = path.resolve(options.extensionPath);
  const port = await freePort();
  const tag = randomUUID();

  const scratch = mkdtempSync(path.join(os.tmpdir(), 'procview-code-server-'));
  const userDataDir = path.join(scratch, 'user-data');
  const extensionsDir = path.join(scratch, 'extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  for (const folder of options.installed ?? []) {
    const manifest = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
    cpSync(folder, path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`), { recursive: true });
  }
  writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...baseSettings, ...options.settings }, null, 2),
  );

  const args = [
    entry,
    // Its own config file: code-server otherwise reads (and creates) ~/.config/code-server/config.yaml.
    '--config',
    path.join(scratch, 'config.yaml'),
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    workspace,
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // No extension gallery (code-server's default is open-vsx.org, which these
    // machines cannot reach): nothing is looked up, nothing waits on it.
    EXTENSIONS_GALLERY: '{}',
    ...options.env,
    [tagVariable]: tag,
  };
  // The server would take these as its port or password.
  delete env.PORT;
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  const child = spawn(process.execPath, args, { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = signal === null ? `exit code ${code}` : `signal ${signal}`;
  });

  const logsDir = path.join(userDataDir, 'logs');
  let keptLogs: string | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        await killTree(child.pid, tag);
      } finally {
        running.delete(tag);
        keptLogs = extensionHostLogs(logsDir);
        rmSync(scratch, { recursive: true, force: true });
      }
    })();
    return stopping;
  };
  running.set(tag, { child, stop });

  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined) {
      await stop();
      throw new Error(`code-server ended (${exited}) before it answered; it printed:\n${output}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on port ${port} within ${timeoutMs / 1000} s; it printed:\n${output}`);
    }
    await sleep(100);
  }

  const payload: [string, string][] = [
    ['extensionDevelopmentPath', remoteUri(port, extensionPath)],
    ...(options.payload?.(port) ?? []),
  ];
  const url =
    `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}` +
    `&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  return {
    url,
    port,
    userDataDir,
    stop,
    logs: () => output,
    extensionHostLogs: () => keptLogs ?? extensionHostLogs(logsDir),
    processes: () => [...processesOf(child.pid, tag)],
  };
}

function extensionHostLogs(logsDir: string): string {
  const found: string[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/exthost/i.test(name) && name.endsWith('.log')) found.push(file);
    }
  };
  walk(logsDir);
  return found.map((file) => `==> ${file} <==\n${readFileSync(file, 'utf8')}`).join('\n');
}

// --- The workbench ---------------------------------------------------------------

const devHostTitle = '[Extension Development Host]';

const consoleOf = new WeakMap<Page, string[]>();

/**
 * What the workbench page logged to its console since openWorkbench, as
 * "type: text" lines. The extension host's console output (an extension's
 * console.log) arrives here too, marked "[Extension Host]".
 */
export function workbenchConsole(page: Page): string[] {
  return [...(consoleOf.get(page) ?? [])];
}

/**
 * Opens the workbench in a new page and resolves once it is ready: the
 * workbench is drawn, the title says "[Extension Development Host]" and the
 * status bar is there. Times out after `timeoutMs` (default 60 s). `beforeLoad`
 * runs on the page before it navigates (e.g. `page.exposeFunction`).
 */
export async function openWorkbench(browser: Browser, url: string, timeoutMs = 60_000, beforeLoad?: (page: Page) => Promise<void>): Promise<Page> {
  const { page } = await openPage(browser, url, beforeLoad);
  const lines: string[] = [];
  consoleOf.set(page, lines);
  page.on('console', (message) => lines.push(`${message.type()}: ${message.text()}`));
  await page.setViewportSize({ width: 1400, height: 900 });
  try {
    await page.waitForSelector('.monaco-workbench', { timeout: timeoutMs });
    await page.waitForFunction((title) => document.title.includes(title), devHostTitle, { timeout: timeoutMs });
    await page.waitForSelector('.part.statusbar', { timeout: timeoutMs });
  } catch (cause) {
    const title = await page.title().catch(() => '(no title)');
    throw new Error(`the workbench was not ready within ${timeoutMs / 1000} s (title "${title}")`, { cause });
  }
  return page;
}

const paletteInput = '.quick-input-widget .quick-input-box input';
const paletteRows = '.quick-input-widget .quick-input-list .monaco-list-row';

/**
 * Runs a command from the palette as a person does: F1, `>` and its title,
 * Enter. Waits (default 30 s) until the palette lists a command with exactly
 * that title, so a command whose extension is still starting is not missed;
 * when another command is listed first, clicks the right one instead of Enter.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await typeInPalette(page, `>${title}`, deadline);
  const exact = new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`);
  const row = page
    .locator(paletteRows)
    .filter({ has: page.locator('.quick-input-list-label .label-name', { hasText: exact }) })
    .first();
  while ((await row.count()) === 0) {
    if (Date.now() > deadline) {
      const rows = await page.locator(paletteRows).allInnerTexts();
      await page.keyboard.press('Escape');
      throw new Error(`the palette has no command "${title}"; it lists: ${JSON.stringify(rows)}`);
    }
    await sleep(200);
    // Typing again makes the palette list commands registered since.
    await typeInPalette(page, `>${title} `, deadline);
    await typeInPalette(page, `>${title}`, deadline);
  }
  await chooseRow(page, row, `>${title}`);
}

/** How long the palette may take to open before F1 is pressed again. */
const PALETTE_OPENS_MS = 5_000;

/**
 * Types `text` into the palette, opening it with F1 when it is not open, and
 * again when something closed it before the text was in (a terminal or an
 * editor a step before took the focus a moment late), until `deadline`.
 */
async function typeInPalette(page: Page, text: string, deadline: number): Promise<void> {
  const input = page.locator(paletteInput);
  for (;;) {
    if (!(await input.isVisible())) await page.keyboard.press('F1');
    try {
      await input.fill(text, { timeout: PALETTE_OPENS_MS });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

/**
 * Chooses the item labelled exactly `label` in the quick pick now open (one an
 * extension shows with `window.showQuickPick`, say), typing it into the filter
 * first. Waits (default 30 s) for the item to be listed.
 */
export async function pickQuickItem(page: Page, label: string, timeoutMs = 30_000): Promise<void> {
  const input = page.locator(paletteInput);
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(label);
  const exact = new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`);
  const row = page
    .locator(paletteRows)
    .filter({ has: page.locator('.quick-input-list-label .label-name', { hasText: exact }) })
    .first();
  try {
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
  } catch (cause) {
    const rows = await page.locator(paletteRows).allInnerTexts();
    throw new Error(`the quick pick has no item "${label}"; it lists: ${JSON.stringify(rows)}`, { cause });
  }
  await chooseRow(page, row, label);
}

/**
 * Enter when the row is the focused one, a click otherwise; then waits until
 * the quick input is closed or shows something else (a command may open a
 * quick pick of its own in the same widget).
 */
async function chooseRow(page: Page, row: Locator, typed: string): Promise<void> {
  if (await row.evaluate((element) => element.classList.contains('focused'))) await page.keyboard.press('Enter');
  else await row.click();
  await page.waitForFunction(
    ([selector, value]) => {
      const input = document.querySelector<HTMLInputElement>(selector);
      if (!input?.offsetParent) return true; // gone, or hidden
      return input.value !== value;
    },
    [paletteInput, typed] as const,
    { timeout: 10_000 },
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The frames holding a webview's own document that contain `selector`. VS Code
 * puts each webview in an iframe (`webview/pre/index.html`) whose inner iframe
 * (`#active-frame`) holds the extension's HTML; this looks at every frame of
 * the page, so it finds it at any depth.
 */
export async function webviewFrames(page: Page, selector: string): Promise<Frame[]> {
  const matches: Frame[] = [];
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    try {
      if ((await frame.$(selector)) !== null) matches.push(frame);
    } catch {
      // detached or navigating
    }
  }
  return matches;
}

/** Waits (default 30 s) for a webview frame containing `selector`; resolves with the first. */
export async function waitForWebviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [frame] = await webviewFrames(page, selector);
    if (frame !== undefined) return frame;
    if (Date.now() > deadline) {
      const urls = page.frames().map((f) => f.url());
      throw new Error(`no webview frame has ${selector} after ${timeoutMs / 1000} s; frames: ${JSON.stringify(urls)}`);
    }
    await sleep(100);
  }
}

/** The texts of the notification toasts now showing. */
export async function notifications(page: Page): Promise<string[]> {
  const texts = await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
  return texts.map((text) => text.trim());
}

/** Waits (default 30 s) for a notification toast whose text matches; resolves with its text. */
export async function waitForNotification(page: Page, text: string | RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await notifications(page)).find((t) => (typeof text === 'string' ? t.includes(text) : text.test(t)));
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      throw new Error(`no notification ${String(text)} after ${timeoutMs / 1000} s; showing: ${JSON.stringify(await notifications(page))}`);
    }
    await sleep(100);
  }
}

/** A screenshot of the page in test-results/screenshots/NAME.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  return saveScreenshot(page, name);
}
