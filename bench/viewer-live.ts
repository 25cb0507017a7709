// The viewer live: the issue's live target, measured on a real run in
// headless Chromium (1400 x 800).
//
//   Live, 50k events/s arriving keep the view above 30 frames per second.
//
// `procview run --view` runs bench/live_steady.py, which makes events at a
// steady rate (about 50,000 a second under procview) for --seconds. Chromium
// opens the URL the CLI prints as soon as it is printed and waits for
// data-state=ready. From then (or from the workload's start, if later) until
// it stops sending (it says both on stdout): the live period. A
// requestAnimationFrame loop in the page counts frames in each 1-second window
// and the gaps between them, takes the viewer's own draw times
// (window.procview.frames) and reads the status line (.pv-status: the event
// count) every frame, so each data message shows as a new count. The target
// is met when every live second has at least 30 frames.
//
// How fps is measured: rAF fires only when the page paints, and the viewer
// paints only when something changes, so the loop changes something every
// frame: it sets the view again (window.procview.setView) with the range it
// has (the whole run so far, the viewer's own live view; or, with --window S,
// the last S seconds, moved on by the clock each frame; the viewer re-anchors
// it at the present on each message). The viewer then redraws the whole chart
// every frame, like a chart that scrolls with a live run, and frames per second
// measure how much room the main thread leaves between data messages (parse,
// decode, rows, labels, overview) and draws. After the run, the same loop runs
// on the final picture (no more messages) for --after seconds: the control.
//
// Events arriving: the trace's events per second of run time (by the events'
// own timestamps) over the live period, and in the page the event count
// shown over time, which also says how far the view lags the run. CPU: from
// /proc, the whole machine's and each of our processes' (the CLI, the workload,
// Chromium) over the live period and second by second. Long animation frames (over 50 ms, Chrome's
// own attribution) say what held the main thread. Then (unless --no-profile)
// one more run, with the viewer unminified, the JSON.parse of each message
// timed, and V8's sampling profiler and Chrome's tracing on for the live
// period, says where the main thread's time goes.
//
// Numbers are printed, never asserted; the exit status is non-zero only when
// something fails to run.
//
// Run by bench/run.mjs (`npm run bench -- --only live`); by hand, after
// `npm run build`:
//
//   node --import tsx bench/viewer-live.ts [OPTIONS]
//
// Options:
//   --seconds N      how long the workload makes events (default 15)
//   --rate N         events per second it aims at (default 50000)
//   --window S       show the last S seconds of the run, moving with the clock
//                    (default 0: the whole run so far, as the viewer shows a live run)
//   --after N        seconds of the control after the run (default 2)
//   --runs N         measured runs (default 1; 0: the profiled run only)
//   --no-profile     skip the profiled run
//   --python PATH    interpreter (default: $PROCVIEW_PYTHON, then python3)
//   --tmp DIR        work here (kept); default: a temporary folder, removed after
//   --keep           keep the temporary folder (traces; the profiled run's Chrome trace)
//   -h, --help       this text

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser } from 'playwright-core';
import {
  CHROMIUM_ARGS, CHROMIUM_PATH, CLI, failWith, mainThreadTimes, mb, median, ms, profileTimes, quantile, readableViewer, REPO_ROOT, top,
  TRACE_CATEGORIES, usageOf, VIEWPORT, verdict, withViewerScript, type CpuProfile, type TraceEvent,
} from './chromium';

const TARGET_FPS = 30;
const WORKLOAD = path.join(__dirname, 'live_steady.py');
const URL_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 60_000;

interface Options {
  seconds: number;
  rate: number;
  window: number;
  after: number;
  runs: number;
  profile: boolean;
  python: string;
  tmp: string | undefined;
  keep: boolean;
}

function usage(): string {
  return usageOf(__filename);
}

function fail(message: string): never {
  return failWith('viewer-live', message);
}

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = {
    seconds: 15, rate: 50_000, window: 0, after: 2, runs: 1, profile: true,
    python: process.env.PROCVIEW_PYTHON ?? 'python3', tmp: undefined, keep: false,
  };
  const number = (flag: string, value: string | undefined, min: number): number => {
    if (value === undefined || !/^\d+(\.\d+)?$/.test(value) || Number(value) < min) fail(`${flag} needs a number >= ${min}`);
    return Number(value);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const [flag, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--seconds': opts.seconds = number(flag, value(), 1); break;
      case '--rate': opts.rate = number(flag, value(), 1); break;
      case '--window': opts.window = number(flag, value(), 0); break;
      case '--after': opts.after = number(flag, value(), 0); break;
      case '--runs': opts.runs = Math.round(number(flag, value(), 0)); break;
      case '--no-profile': opts.profile = false; break;
      case '--python': opts.python = value() ?? fail('--python needs a path'); break;
      case '--tmp': opts.tmp = value() ?? fail('--tmp needs a folder'); break;
      case '--keep': opts.keep = true; break;
      case '-h': case '--help': process.stdout.write(usage() + '\n'); process.exit(0); break;
      default: fail(`unknown argument ${JSON.stringify(arg)} (see --help)`);
    }
  }
  return opts;
}

function say(text: string): void {
  console.log(`live: ${text}`);
}

/** Wall clock in ms since the epoch, as the page's `performance.timeOrigin + performance.now()` is. */
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (msecs: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, msecs));
const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const thousands = (value: number): string => Math.round(value).toLocaleString('en');

function within<T>(promise: Promise<T>, msecs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => { timer = setTimeout(() => { reject(new Error(`${what}: not within ${msecs / 1000} s`)); }, msecs); }),
  ]).finally(() => { clearTimeout(timer); });
}

// ---------------------------------------------------------------------------
// The CLI: `procview run --view`, watched line by line.

interface Cli {
  child: ChildProcess;
  /** The URL from `procview: watch the run live at URL`. */
  url: Promise<string>;
  /** When the workload said it starts sending (stdout, flushed). */
  sending: Promise<number>;
  /** When it said it stopped sending. */
  stopped: Promise<number>;
  /** When its OK line arrived (it checked its work and is ending). */
  workloadDone: Promise<number>;
  /** When the CLI said it keeps serving the final picture (the run is over, the trace written). */
  lingering: Promise<number>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
}

function startCli(opts: Options, trace: string): Cli {
  const argv = [CLI, 'run', '--view', '--out', trace, '--python', opts.python, '--', WORKLOAD, '--seconds', String(opts.seconds), '--rate', String(opts.rate)];
  const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { test: (text: string) => string | null; resolve: (value: string) => void; reject: (error: Error) => void }[] = [];
  const wait = (test: (text: string) => string | null): Promise<string> => new Promise((resolve, reject) => { waiters.push({ test, resolve, reject }); });
  const check = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i];
      const found = waiter?.test(stdout + '\u0000' + stderr);
      if (waiter && found !== null && found !== undefined) {
        waiters.splice(i, 1);
        waiter.resolve(found);
      }
    }
  };
  child.stdout.on('data', (d: Buffer) => { stdout = (stdout + d.toString()).slice(-8000); check(); });
  child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8000); check(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      for (const waiter of waiters.splice(0)) {
        waiter.reject(new Error(`node ${argv.join(' ')}\n  exited with ${signal ? `signal ${signal}` : `status ${code}`} too early\n${stderr.trim()}\n${stdout.trim()}`));
      }
      resolve({ code, signal });
    });
  });
  child.on('error', (error) => { for (const waiter of waiters.splice(0)) waiter.reject(error); });
  const url = wait((text) => /procview: watch the run live at (\S+)/.exec(text)?.[1] ?? null);
  const out = (pattern: RegExp): Promise<number> => wait((text) => (pattern.test(text.split('\u0000')[0] ?? '') ? 'yes' : null)).then(() => now());
  const sending = out(/^live_steady: sending/m);
  const stopped = out(/^live_steady: stopped sending/m);
  const workloadDone = out(/: OK\s*$/m);
  const lingering = wait((text) => (text.includes('procview: the viewer stays at') ? 'yes' : null)).then(() => now());
  // Whoever does not wait for these must not turn them into unhandled rejections.
  for (const promise of [url, sending, stopped, workloadDone, lingering]) promise.catch(() => undefined);
  return { child, url, sending, stopped, workloadDone, lingering, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Ends the CLI: SIGINT (the way out of `--view` after the run), then harder if need be. */
async function stopCli(cli: Cli): Promise<void> {
  const pid = cli.child.pid;
  if (pid === undefined || cli.child.exitCode !== null || cli.child.signalCode !== null) return;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGINT', 'SIGKILL'] as const) {
    try { process.kill(pid, signal); } catch { return; }
    const ended = await Promise.race([cli.exited.then(() => true), sleep(5_000).then(() => false)]);
    if (ended) return;
  }
}

// ---------------------------------------------------------------------------
// CPU from /proc: the machine's, and each of our processes'.

const CLOCK_TICKS = ((): number => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(r.stdout.trim());
  return value > 0 ? value : 100;
})();

/** Chromium's processes by pid: browser, renderer, gpu-process, utility, zygote. */
const chromiumTypes = new Map<number, string>();

interface CpuSnapshot {
  at: number;
  machineBusy: number;
  machineTotal: number;
  procs: Map<number, { ppid: number; comm: string; ticks: number }>;
  /** CPU ticks of the main thread (CrRendererMain, the thread whose id is the pid) of each of our Chromium's renderers. */
  rendererMains: Map<number, number>;
}

function cpuSnapshot(): CpuSnapshot {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const procs = new Map<number, { ppid: number; comm: string; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try { stat = readFileSync(`/proc/${name}/stat`, 'utf8'); } catch { continue; }
    const close = stat.lastIndexOf(')');
    const rest = stat.slice(close + 2).split(' ');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    procs.set(Number(name), { ppid: Number(rest[1]), comm, ticks: Number(rest[11]) + Number(rest[12]) });
    // Chromium's process type, read while the process is there (a renderer is gone when its page closes).
    if (comm.startsWith('chrom') && !chromiumTypes.has(Number(name))) {
      try { chromiumTypes.set(Number(name), /--type=([\w-]+)/.exec(readFileSync(`/proc/${name}/cmdline`, 'utf8'))?.[1] ?? 'browser'); } catch { /* gone */ }
    }
  }
  const rendererMains = new Map<number, number>();
  for (const pid of procs.keys()) {
    if (chromiumTypes.get(pid) !== 'renderer' || !descends(pid, process.pid, procs)) continue;
    // The main thread is the one whose id is the process's (the renderer does not rename it).
    try {
      const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      rendererMains.set(pid, Number(rest[11]) + Number(rest[12]));
    } catch { /* gone */ }
  }
  return { at: now(), machineBusy: total - idle, machineTotal: total, procs, rendererMains };
}

function descends(pid: number, ancestor: number, procs: CpuSnapshot['procs']): boolean {
  for (let at = procs.get(pid)?.ppid, hops = 0; at !== undefined && at > 1 && hops < 20; at = procs.get(at)?.ppid, hops++) if (at === ancestor) return true;
  return false;
}

/** Which of ours a process is: the CLI, the workload (anything under the CLI), Chromium (by its --type), the bench. */
function whose(pid: number, snap: CpuSnapshot, cliPid: number): string | null {
  if (pid === cliPid) return 'procview CLI (node)';
  if (pid === process.pid) return 'bench (node, playwright)';
  for (let at = snap.procs.get(pid)?.ppid, hops = 0; at !== undefined && at > 1 && hops < 20; at = snap.procs.get(at)?.ppid, hops++) {
    if (at === cliPid) return 'workload (python)';
    if (at === process.pid) return chromiumTypes.get(pid) === 'renderer' ? 'Chromium renderer' : 'Chromium other';
  }
  return null;
}

const MAIN_THREAD = 'of which its main thread';

interface CpuInterval {
  /** Epoch ms. */
  from: number;
  to: number;
  /** CPU seconds in the interval: the machine's, and by whose. */
  machine: number;
  by: Map<string, number>;
}

/** CPU seconds between successive snapshots, by whose. */
function cpuIntervals(snaps: readonly CpuSnapshot[], cliPid: number): CpuInterval[] {
  const intervals: CpuInterval[] = [];
  for (let i = 1; i < snaps.length; i++) {
    const a = snaps[i - 1];
    const b = snaps[i];
    if (!a || !b) continue;
    const by = new Map<string, number>();
    for (const [pid, proc] of b.procs) {
      const before = a.procs.get(pid);
      const who = before ? whose(pid, b, cliPid) : null;
      if (who && before) by.set(who, (by.get(who) ?? 0) + (proc.ticks - before.ticks) / CLOCK_TICKS);
    }
    for (const [pid, ticks] of b.rendererMains) {
      const before = a.rendererMains.get(pid);
      if (before !== undefined) by.set(MAIN_THREAD, (by.get(MAIN_THREAD) ?? 0) + (ticks - before) / CLOCK_TICKS);
    }
    intervals.push({ from: a.at, to: b.at, machine: (b.machineBusy - a.machineBusy) / CLOCK_TICKS, by });
  }
  return intervals;
}

/** Cores used (CPU seconds per second) over [from, to) (epoch ms), each interval counted for its overlap: the machine's, and by whose. */
function cpuUse(intervals: readonly CpuInterval[], from: number, to: number): { seconds: number; machine: number; by: Map<string, number> } {
  const by = new Map<string, number>();
  let seconds = 0;
  let machine = 0;
  for (const interval of intervals) {
    const overlap = Math.min(to, interval.to) - Math.max(from, interval.from);
    if (overlap <= 0 || interval.to <= interval.from) continue;
    const share = overlap / (interval.to - interval.from);
    seconds += overlap / 1000;
    machine += interval.machine * share;
    for (const [who, cpu] of interval.by) by.set(who, (by.get(who) ?? 0) + cpu * share);
  }
  for (const [who, cpu] of by) by.set(who, seconds > 0 ? cpu / seconds : NaN);
  return { seconds, machine: seconds > 0 ? machine / seconds : NaN, by };
}

// ---------------------------------------------------------------------------
// The trace: events per second of run time.

interface TraceTimes {
  /** Epoch ns of the run's time 0. */
  wallNs: number;
  /** Every event's time, ns since the run's start, sorted. */
  times: Float64Array;
}

async function traceTimes(file: string): Promise<TraceTimes> {
  const times: number[] = [];
  let wallNs = NaN;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      wallNs = Number((JSON.parse(line) as { clockBase?: { wallNs?: string } }).clockBase?.wallNs);
      continue;
    }
    const comma = line.indexOf(',');
    if (line.startsWith('[') && comma > 1) times.push(Number(line.slice(1, comma)));
  }
  return { wallNs, times: Float64Array.from(times).sort() };
}

/** Events with a time in [from, to) ns. */
function eventsBetween(times: Float64Array, from: number, to: number): number {
  const at = (t: number): number => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((times[mid] ?? 0) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return at(to) - at(from);
}

// ---------------------------------------------------------------------------
// In the page.

/**
 * Before the viewer's script: a promise of data-state=ready, long animation
 * frames as Chrome attributes them, and (profiled run only) each JSON.parse of
 * a data message timed.
 */
function pageProbe(timeParses: boolean): string {
  return `(() => {
  let ready;
  const live = { readyAt: null, loaf: [], parses: [] };
  window.__pvLive = live;
  window.__pvLiveReady = new Promise((resolve) => { ready = resolve; });
  new MutationObserver(() => {
    if (live.readyAt !== null) return;
    const root = document.getElementById('procview');
    if (root && root.dataset.state === 'ready') { live.readyAt = performance.now(); ready(live.readyAt); }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        live.loaf.push({ start: e.startTime, duration: e.duration, renderStart: e.renderStart, styleAndLayoutStart: e.styleAndLayoutStart,
          scripts: e.scripts.map((s) => ({ invoker: s.invoker, type: s.invokerType, duration: s.duration, forced: s.forcedStyleAndLayoutDuration })) });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch (error) { live.loafError = String(error); }
  if (${timeParses}) {
    const parse = JSON.parse;
    JSON.parse = function benchJsonParse(text, reviver) {
      const t0 = performance.now();
      const result = parse.call(this, text, reviver);
      if (typeof text === 'string' && text.length > 1000) live.parses.push([t0, performance.now() - t0, text.length]);
      return result;
    };
  }
})();`;
}

/**
 * The frame loop: every animation frame, note its time, the status line's
 * event count when it changes (a data message was drawn), the viewer's draw
 * times, and set the view again so the next frame is drawn too.
 */
function samplerScript(windowNs: number): string {
  return `(() => {
  const live = window.__pvLive;
  const hooks = window.procview;
  const status = document.querySelector('.pv-status');
  live.frames = [];
  live.draws = [];
  live.counts = [];
  live.running = true;
  live.started = performance.now();
  let lastText = '';
  let lastKey = '';
  let previous = null;
  const windowNs = ${windowNs};
  const step = (ts) => {
    if (!live.running) return;
    live.frames.push(ts);
    const text = status ? status.textContent || '' : '';
    if (text !== lastText) {
      lastText = text;
      const m = /^([\\d,]+) events/.exec(text);
      const count = m ? Number(m[1].replace(/,/g, '')) : -1;
      const isLive = / · live/.test(text) ? 1 : 0;
      const key = count + ':' + isLive;
      if (key !== lastKey) { lastKey = key; live.counts.push([ts, count, isLive]); }
    }
    for (const ms of hooks.frames.splice(0)) live.draws.push([ts, ms]);
    const view = hooks.view();
    if (windowNs > 0) {
      if (previous === null) hooks.setView(view.end - windowNs, view.end);
      else { const dt = (ts - previous) * 1e6; hooks.setView(view.start + dt, view.end + dt); }
    } else hooks.setView(view.start, view.end);
    previous = ts;
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
  return { started: live.started, origin: performance.timeOrigin };
})()`;
}

interface LoafEntry {
  start: number;
  duration: number;
  renderStart: number;
  styleAndLayoutStart: number;
  scripts: { invoker: string; type: string; duration: number; forced: number }[];
}

interface PageLog {
  readyAt: number;
  started: number;
  origin: number;
  frames: number[];
  draws: [number, number][];
  counts: [number, number, number][];
  loaf: LoafEntry[];
  loafError?: string;
  parses: [number, number, number][];
}

// ---------------------------------------------------------------------------
// One live run.

interface RunResult {
  log: PageLog;
  /** Page times (ms) of the live period: from the first sample (or the workload's start, if later) until it stopped sending. */
  liveFrom: number;
  liveTo: number;
  urlAfterMs: number;
  readyAfterMs: number;
  sendingAfterMs: number;
  trace: TraceTimes;
  traceBytes: number;
  cpu: CpuInterval[];
  cpuTotals: { cli: number; workload: number } | null;
  errors: string[];
  profile?: { cpu: CpuProfile; chrome: Buffer; url: string; seconds: number };
}

async function liveRun(browser: Browser, opts: Options, tmp: string, name: string, profiled: boolean): Promise<RunResult> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => { errors.push(`uncaught ${error.name}: ${error.message}`); });
  await page.addInitScript(pageProbe(profiled));
  if (profiled) {
    // The served page with the viewer unminified, so the profile names its functions.
    const script = await readableViewer();
    await page.route(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]+\/$/, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: withViewerScript(await response.text(), script, route.request().url()) });
    });
  }
  const trace = path.join(tmp, `${name}.pvtrace`);
  const spawnedAt = now();
  const cli = startCli(opts, trace);
  const snaps: CpuSnapshot[] = [];
  const cliPid = cli.child.pid ?? -1;
  let cpuTotals: RunResult['cpuTotals'] = null;
  try {
    const url = await within(cli.url, URL_TIMEOUT_MS, 'the live URL');
    const urlAt = now();
    await page.goto(url, { waitUntil: 'commit' });
    // Awaiting the probe's promise, not polling for the selector: polling would take the page's main thread.
    await within(page.evaluate('window.__pvLiveReady'), READY_TIMEOUT_MS, 'data-state=ready');
    const readyAt = now();

    let stopProfile: (() => Promise<RunResult['profile']>) | null = null;
    if (profiled) {
      await browser.startTracing(page, { categories: TRACE_CATEGORIES });
      const cdp = await context.newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
      await cdp.send('Profiler.start');
      const began = now();
      stopProfile = async () => {
        const cpu = (await cdp.send('Profiler.stop')).profile as unknown as CpuProfile;
        const seconds = (now() - began) / 1000;
        return { cpu, chrome: await browser.stopTracing(), url, seconds };
      };
    }
    const started = await page.evaluate<{ started: number; origin: number }>(samplerScript(opts.window * 1e9));
    snaps.push(cpuSnapshot());
    const sampling = setInterval(() => { snaps.push(cpuSnapshot()); }, 1000);
    let stoppedAt: number;
    try {
      stoppedAt = await within(cli.stopped, (opts.seconds + 120) * 1000, 'the workload to stop sending');
      snaps.push(cpuSnapshot());
    } finally {
      clearInterval(sampling);
    }
    const profile = stopProfile ? await stopProfile() : undefined;
    const sendingAt = await cli.sending;
    await within(cli.workloadDone, 120_000, "the workload's OK line");
    await within(cli.lingering, 120_000, 'the end of the run (the viewer stays at ...)');
    // The final picture (not live) on the page, then the control.
    await page.waitForFunction(() => !(document.querySelector('.pv-status')?.textContent ?? ' · live').includes(' · live'), null, { polling: 200, timeout: 60_000 });
    await sleep(opts.after * 1000);
    const log = await page.evaluate<PageLog>('(() => { const l = window.__pvLive; l.running = false; return l; })()');
    log.started = started.started;
    log.origin = started.origin;
    const final = cpuSnapshot();
    const cliTicks = final.procs.get(cliPid);
    if (cliTicks) {
      // utime+stime of the CLI, and cutime+cstime: its reaped children (the workload).
      const stat = readFileSync(`/proc/${cliPid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuTotals = { cli: cliTicks.ticks / CLOCK_TICKS, workload: (Number(rest[13]) + Number(rest[14])) / CLOCK_TICKS };
    }
    await stopCli(cli);
    const exit = await cli.exited;
    if (exit.signal === null && exit.code !== 0 && exit.code !== 130) throw new Error(`procview run exited with status ${exit.code}\n${cli.stderr().trim()}`);
    await context.close();
    const liveFrom = Math.max(log.started, sendingAt - log.origin);
    const liveTo = stoppedAt - log.origin;
    return {
      log, liveFrom, liveTo, urlAfterMs: urlAt - spawnedAt, readyAfterMs: readyAt - urlAt, sendingAfterMs: sendingAt - spawnedAt,
      trace: await traceTimes(trace), traceBytes: statSync(trace).size,
      cpu: cpuIntervals(snaps, cliPid), cpuTotals, errors, ...(profile ? { profile } : {}),
    };
  } finally {
    await stopCli(cli);
    await context.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------
// Reports.

function report(result: RunResult, opts: Options, name: string): void {
  const { log, liveFrom, liveTo, trace } = result;
  // Complete 1-second windows of the live period.
  const windows = Math.max(0, Math.floor((liveTo - liveFrom) / 1000));
  const fps: number[] = [];
  for (let k = 0; k < windows; k++) {
    const a = liveFrom + k * 1000;
    fps.push(log.frames.filter((t) => t >= a && t < a + 1000).length);
  }
  const liveFrames = log.frames.filter((t) => t >= liveFrom && t < liveTo);
  const gaps = liveFrames.slice(1).map((t, i) => t - (liveFrames[i] ?? t));
  const draws = log.draws.filter(([t]) => t >= liveFrom && t < liveTo).map(([, d]) => d);

  // Arriving: the trace's events in the live period (page times to run times by the wall clock).
  const runNs = (pageMs: number): number => (log.origin + pageMs) * 1e6 - trace.wallNs;
  const liveEvents = eventsBetween(trace.times, runNs(liveFrom), runNs(liveTo));
  const liveSeconds = (liveTo - liveFrom) / 1000;
  const total = trace.times.length;
  const runSeconds = ((trace.times[total - 1] ?? 0) - (trace.times[0] ?? 0)) / 1e9;
  const perSecond: number[] = [];
  for (let k = 0; k < windows; k++) perSecond.push(eventsBetween(trace.times, runNs(liveFrom + k * 1000), runNs(liveFrom + (k + 1) * 1000)));

  // In the page: each new event count in the status line is a data message drawn.
  const counts = log.counts.filter(([, count]) => count >= 0);
  const liveCounts = counts.filter(([t, , isLive]) => t >= liveFrom && t < liveTo && isLive === 1);
  const firstShown = counts.filter(([t]) => t < liveFrom).at(-1) ?? liveCounts[0];
  const lastShown = liveCounts.at(-1);
  const intervals = liveCounts.slice(1).map(([t], i) => t - (liveCounts[i]?.[0] ?? t));
  // How far behind the run the picture is when each message is drawn: the run's
  // time then, against the run time by which the trace had as many events as shown.
  const lags = liveCounts.map(([t, count]) => (runNs(t) - (trace.times[Math.min(total, count) - 1] ?? 0)) / 1e9);

  say(`${name}: bench/live_steady.py --seconds ${opts.seconds} --rate ${opts.rate} under procview run --view: ${thousands(total)} events (${mb(result.traceBytes)}) ` +
    `over ${fixed(runSeconds)} s of run; URL printed ${fixed(result.urlAfterMs / 1000, 2)} s after spawn, page ready ${fixed(result.readyAfterMs / 1000, 2)} s after that; ` +
    `the workload started sending ${fixed(result.sendingAfterMs / 1000, 2)} s after spawn; live period (from the later of those to its stop): ${fixed((liveTo - liveFrom) / 1000)} s`);
  say(`  events arriving (the trace, by the events' own times) over the live period: ` +
    `${thousands(liveEvents / liveSeconds)} events/s; by live second: median ${thousands(median(perSecond))}, min ${thousands(Math.min(...perSecond))}, max ${thousands(Math.max(...perSecond))}`);
  if (firstShown && lastShown) {
    const shownRate = (lastShown[1] - firstShown[1]) / Math.max(0.001, (lastShown[0] - firstShown[0]) / 1000);
    say(`  in the page: ${liveCounts.length} data messages drawn while live (every ${fixed(median(intervals) / 1000, 2)} s median, longest ${fixed(Math.max(...intervals) / 1000, 2)} s); ` +
      `the event count shown went ${thousands(firstShown[1])} -> ${thousands(lastShown[1])}: ${thousands(shownRate)} events/s; ` +
      `the picture drawn was ${fixed(median(lags), 2)} s behind the run (median; max ${fixed(Math.max(...lags), 2)} s)`);
  } else say('  in the page: no data message drawn while live');
  const minFps = Math.min(...fps);
  say(`  frames per second over ${windows} live 1-s windows: median ${fixed(median(fps), 0)}, min ${fixed(minFps, 0)} ` +
    `(target: every live second >= ${TARGET_FPS} fps: ${verdict(windows > 0 && minFps >= TARGET_FPS)}; median ${verdict(median(fps) >= TARGET_FPS)}); by second: ${fps.join(' ')}`);
  say(`  frame gaps while live: median ${ms(median(gaps))}, p95 ${ms(quantile(gaps, 0.95))}, max ${ms(Math.max(...gaps))}; ` +
    `gaps over 100 ms: ${gaps.filter((g) => g > 100).length} (${fixed(gaps.filter((g) => g > 100).reduce((a, b) => a + b, 0) / 1000, 1)} s in all); ` +
    `viewer draw JS (window.procview.frames): ${draws.length} draws, median ${ms(median(draws))}, p95 ${ms(quantile(draws, 0.95))}, max ${ms(Math.max(...draws))}`);

  // The draw that first showed each message (the loop sees its count in the same frame as its draw time).
  const messageFrames = new Set(liveCounts.map(([t]) => t));
  const firstDraws = log.draws.filter(([t]) => messageFrames.has(t)).map(([, d]) => d);
  const otherDraws = log.draws.filter(([t]) => t >= liveFrom && t < liveTo && !messageFrames.has(t)).map(([, d]) => d);
  if (firstDraws.length) {
    say(`  the draw that first showed each message: ${firstDraws.map((d) => d.toFixed(0)).join(', ')} ms (other draws while live: median ${ms(median(otherDraws))}, p95 ${ms(quantile(otherDraws, 0.95))})`);
  }
  // Long animation frames: what held the main thread, by Chrome's attribution.
  const loaf = log.loaf.filter((f) => f.start >= liveFrom && f.start < liveTo);
  timeline(result, windows, perSecond, liveCounts);
  if (loaf.length || log.loafError === undefined) {
    const byInvoker = new Map<string, { n: number; ms: number }>();
    let rendering = 0;
    for (const frame of loaf) {
      for (const script of frame.scripts) {
        const key = script.invoker.replace(/\?.*$/, '');
        const entry = byInvoker.get(key) ?? { n: 0, ms: 0 };
        entry.n++;
        entry.ms += script.duration;
        byInvoker.set(key, entry);
      }
      if (frame.renderStart > 0) rendering += frame.start + frame.duration - frame.renderStart;
    }
    const scripts = [...byInvoker].sort((a, b) => b[1].ms - a[1].ms).slice(0, 5).map(([key, v]) => `${key} ${v.n}x ${v.ms.toFixed(0)} ms`).join(', ');
    say(`  long animation frames (over 50 ms) while live: ${loaf.length}, ${fixed(loaf.reduce((a, f) => a + f.duration, 0) / 1000, 2)} s of the ${fixed(liveSeconds)} s; ` +
      `longest ${ms(Math.max(0, ...loaf.map((f) => f.duration)))}; script in them by invoker: ${scripts || 'none'}; rendering (rAF callbacks, style, layout, paint) ${fixed(rendering, 0)} ms`);
  }

  // The control: the final picture, no more messages.
  const finalAt = counts.find(([, , isLive]) => isLive === 0)?.[0];
  if (finalAt !== undefined && opts.after > 0) {
    const from = finalAt + 250;
    const last = log.frames.at(-1) ?? from;
    const controlWindows = Math.floor((last - from) / 1000);
    const controlFps: number[] = [];
    for (let k = 0; k < controlWindows; k++) controlFps.push(log.frames.filter((t) => t >= from + k * 1000 && t < from + (k + 1) * 1000).length);
    const controlFrames = log.frames.filter((t) => t >= from);
    const controlGaps = controlFrames.slice(1).map((t, i) => t - (controlFrames[i] ?? t));
    const controlDraws = log.draws.filter(([t]) => t >= from).map(([, d]) => d);
    say(`  control, the final picture (${thousands(counts.at(-1)?.[1] ?? 0)} events) with no messages: ${controlFps.length ? controlFps.join(' ') : '-'} fps ` +
      `(gaps median ${ms(median(controlGaps))}, max ${ms(Math.max(...controlGaps))}; draw JS median ${ms(median(controlDraws))})`);
  }

  const cpu = cpuUse(result.cpu, log.origin + liveFrom, log.origin + liveTo);
  const cores = (who: string): string => fixed(cpu.by.get(who) ?? NaN, 2);
  say(`  CPU while live, in cores (of ${os.cpus().length}): the machine ${fixed(cpu.machine, 2)} (everything, other jobs too; load average now ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}); ` +
    `procview CLI (node) ${cores('procview CLI (node)')}, workload (python) ${cores('workload (python)')}, Chromium renderer ${cores('Chromium renderer')} ` +
    `(its main thread ${cores('of which its main thread')}), Chromium other ${cores('Chromium other')}, bench ${cores('bench (node, playwright)')}` +
    (result.cpuTotals ? `; whole run: CLI ${fixed(result.cpuTotals.cli)} s, workload ${fixed(result.cpuTotals.workload)} s of CPU` : ''));
  if (result.errors.length) say(`  errors in the page: ${result.errors.join(' | ')}`);
}

/** Second by second: frames, messages, events, what held the main thread, and who had the CPU. */
function timeline(result: RunResult, windows: number, perSecond: readonly number[], liveCounts: readonly [number, number, number][]): void {
  const { log, liveFrom } = result;
  const rows: string[][] = [['s', 'fps', 'max gap', 'msgs', 'shown', 'events/s', 'long frames', 'onmessage', 'rAF', 'main thr', 'renderer', 'CLI', 'python', 'machine']];
  const cores = (value: number | undefined): string => fixed(value ?? NaN, 2);
  for (let k = 0; k < windows; k++) {
    const a = liveFrom + k * 1000;
    const b = a + 1000;
    const frames = log.frames.filter((t) => t >= a && t < b);
    const before = log.frames.filter((t) => t < a).at(-1);
    const times = before === undefined ? frames : [before, ...frames];
    const maxGap = Math.max(0, ...times.slice(1).map((t, i) => t - (times[i] ?? t)));
    const shown = log.counts.filter(([t, count]) => t < b && count >= 0).at(-1)?.[1] ?? 0;
    const loaf = log.loaf.filter((f) => f.start >= a && f.start < b);
    const script = (what: string): number => loaf.reduce((sum, f) => sum + f.scripts.filter((x) => x.invoker.includes(what)).reduce((t, x) => t + x.duration, 0), 0);
    const cpu = cpuUse(result.cpu, log.origin + a, log.origin + b);
    rows.push([
      String(k + 1), String(frames.length), fixed(maxGap, 0), String(liveCounts.filter(([t]) => t >= a && t < b).length), thousands(shown), thousands(perSecond[k] ?? NaN),
      fixed(loaf.reduce((sum, f) => sum + f.duration, 0), 0), fixed(script('EventSource'), 0), fixed(script('FrameRequestCallback'), 0),
      cores(cpu.by.get(MAIN_THREAD)), cores(cpu.by.get('Chromium renderer')), cores(cpu.by.get('procview CLI (node)')), cores(cpu.by.get('workload (python)')), cores(cpu.machine),
    ]);
  }
  say('  by live second (ms; CPU in cores): frames, the longest gap, data messages drawn and the event count shown at its end, the trace\'s events in it; ' +
    'long animation frames (over 50 ms) starting in it, and the script in them run by EventSource.onmessage and by rAF callbacks (the draws); CPU of the renderer\'s main thread, the whole renderer, the CLI, the workload and the machine');
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  for (const row of rows) say(`    ${row.map((cell, c) => cell.padStart(widths[c] ?? 0)).join('  ')}`);
}

/** The profiled run: where the page's main thread spends the live period. */
function reportProfile(result: RunResult, name: string, tmp: string): void {
  const profile = result.profile;
  if (!profile) return;
  writeFileSync(path.join(tmp, `${name.replace(/\W+/g, '-')}.live-trace.json`), profile.chrome);
  const { self, total } = profileTimes(profile.cpu, profile.url);
  const blink = mainThreadTimes(JSON.parse(profile.chrome.toString('utf8')) as { traceEvents: TraceEvent[] });
  const internal = (fn: string): boolean => fn === '(idle)' || fn === '(root)';
  const { liveFrom, liveTo, log } = result;
  const windows = Math.max(0, Math.floor((liveTo - liveFrom) / 1000));
  const fps: number[] = [];
  for (let k = 0; k < windows; k++) fps.push(log.frames.filter((t) => t >= liveFrom + k * 1000 && t < liveFrom + (k + 1) * 1000).length);
  say(`${name}: the same with the viewer unminified, JSON.parse timed, profiler and tracing on for ${fixed(profile.seconds)} s of the live period ` +
    `(so slower: fps by second ${fps.join(' ')})`);
  say(`  main thread busy ${fixed(blink.busyCpu / 1000, 2)} s of CPU (${fixed(blink.busyWall / 1000, 2)} s wall) in ${fixed(blink.spanWall / 1000, 2)} s; ` +
    `self CPU ms (wall) by trace event: ${top(blink.cpu, 14, (event) => event === 'CpuProfiler::StartProfiling', (event) => ` (${(blink.wall.get(event) ?? 0).toFixed(0)})`)}`);
  // The data messages: their size, and JSON.parse of each.
  const parses = log.parses.filter(([t]) => t >= liveFrom && t < liveTo);
  if (parses.length) {
    const sizes = parses.map(([, , chars]) => chars);
    const times = parses.map(([, d]) => d);
    say(`  ${parses.length} data messages while live, ${mb(sizes[0] ?? 0)} -> ${mb(sizes.at(-1) ?? 0)} of JSON each; JSON.parse: median ${ms(median(times))}, max ${ms(Math.max(...times))}, ` +
      `${fixed(times.reduce((a, b) => a + b, 0) / 1000, 2)} s in all (${fixed(times.reduce((a, b) => a + b, 0) / Math.max(1, sizes.reduce((a, b) => a + b, 0) / 2 ** 20), 0)} ms per MB)`);
  }
  // The viewer's own steps, by function name (total ms: self and what they call).
  const byName = (fn: string): number => {
    let sum = 0;
    for (const [label, value] of total) if (label.startsWith(`${fn}:`) || label.startsWith(`${fn} [`)) sum += value;
    return sum;
  };
  const steps = ['source.onmessage', 'benchJsonParse', 'receive', 'decodeChart', 'decodeDetails', 'setData', 'rebuildRows', 'allRows', 'visibleRows', 'renderLabels', 'renderFindings', 'renderAt', 'drawOverview', 'draw', 'drawFrame', 'drawAxis', 'drawOverviewWindow'];
  say(`  JS, total ms of the viewer's steps: ${steps.map((fn) => `${fn} ${byName(fn).toFixed(0)}`).join(', ')}; (garbage collector) ${(self.get('(garbage collector)') ?? 0).toFixed(0)}`);
  // Per frame and per message, over the profiled period.
  const frames = log.frames.filter((t) => t >= liveFrom && t < liveTo).length;
  const messages = Math.max(1, parses.length);
  const cpuOf = (event: string): number => blink.cpu.get(event) ?? 0;
  say(`  per frame (${frames} frames while live), ms (JS: the sampling profile; the rest: CPU by the trace): draw JS ${fixed(byName('draw') / frames, 1)} (drawFrame ${fixed(byName('drawFrame') / frames, 1)}, ` +
    `drawAxis ${fixed(byName('drawAxis') / frames, 1)}, drawOverviewWindow ${fixed(byName('drawOverviewWindow') / frames, 1)}), layout ${fixed(cpuOf('LocalFrameView::performLayout') / frames, 1)}, ` +
    `style ${fixed(cpuOf('Document::recalcStyle') / frames, 1)}, paint ${fixed(cpuOf('Paint') / frames, 1)}, commit ${fixed(cpuOf('Commit') / frames, 1)}; ` +
    `per data message (${parses.length}): the stream's bytes in (Resource::appendData) ${fixed(cpuOf('Resource::appendData') / messages, 0)}, ` +
    `EventSource.onmessage ${fixed(byName('source.onmessage') / messages, 0)} (JSON.parse ${fixed(byName('benchJsonParse') / messages, 0)}, unpacking (decodeChart, decodeDetails) ${fixed((byName('decodeChart') + byName('decodeDetails')) / messages, 0)}, ` +
    `setData ${fixed(byName('setData') / messages, 0)})`);
  say(`    JS, total ms by function: ${top(total, 14, internal)}`);
  say(`    JS, self ms by function: ${top(self, 10, internal)}`);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const tmp = opts.tmp ?? mkdtempSync(path.join(os.tmpdir(), 'procview-live-bench-'));
  const cleanup = (): void => { if (opts.tmp === undefined && !opts.keep) rmSync(tmp, { recursive: true, force: true }); };
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 });
  say(`Chromium ${browser.version()}, headless, viewport ${VIEWPORT.width}x${VIEWPORT.height}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cpus`);
  say(`method: from data-state=ready (or the workload's start) until it stops sending, a requestAnimationFrame loop in the page counts frames per 1-s window; it sets the view again every frame ` +
    `(window.procview.setView: ${opts.window > 0 ? `the last ${opts.window} s of the run, moved on by the clock` : 'the same range, the whole run so far, as the viewer shows a live run'}), ` +
    `so the viewer redraws every frame and fps says how much room the main thread leaves; each new event count in .pv-status is a data message drawn; ` +
    `target met when every live second has >= ${TARGET_FPS} frames`);
  try {
    for (let i = 0; i < opts.runs; i++) {
      const name = opts.runs > 1 ? `run ${i + 1}` : 'run';
      report(await liveRun(browser, opts, tmp, `live-${i + 1}`, false), opts, name);
    }
    if (opts.profile) reportProfile(await liveRun(browser, opts, tmp, 'live-profiled', true), 'profiled run', tmp);
  } finally {
    await browser.close();
    if (opts.keep && opts.tmp === undefined) say(`files kept in ${tmp}`);
    cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(`bench viewer-live: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exit(1);
});
