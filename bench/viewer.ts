// The viewer at scale: the issue's targets for the standalone HTML report, on
// traces of real runs, in headless Chromium (1400 x 800).
//
//   A one-million-event trace: data-state=ready within 2 s; zoom and pan
//   frames at most 16 ms median; 1,000 process lanes stay usable.
//
// For each trace: `procview run` makes it (timed), `procview export --html`
// writes the report (timed, and its size), then Chromium opens the file
// `--loads` times (the median counts) and, on the last load, the chart is
// zoomed with the wheel, panned by dragging and (when the lanes do not fit)
// the lane list is scrolled, `--steps` times each; each phase reports the
// median and p95 of `window.procview.frames` (ms spent drawing each frame).
// "Usable" for the 1,000 lanes means the same targets hold there. One more
// load with V8's sampling profiler says where the time to ready goes.
// Numbers are printed, never asserted; the exit status is non-zero only when
// something fails to run.
//
// Run by bench/run.mjs (`npm run bench`, or `npm run bench -- --only viewer`);
// by hand, after `npm run build`:
//
//   node --import tsx bench/viewer.ts [OPTIONS]
//
// Options:
//   --only mix|lanes     one trace only (repeatable)
//   --items N            items through bench/viewer_mix.py (default: its own, ~1M events)
//   --processes N        children of bench/many_processes.py (default: its own, 1000)
//   --mix-trace FILE     use this trace instead of running viewer_mix.py
//   --lanes-trace FILE   use this trace instead of running many_processes.py
//   --loads N            timed page loads per trace (default 5)
//   --steps N            wheel steps, drags and scroll steps per phase (default 40)
//   --no-profile         skip the profiled load
//   --python PATH        interpreter (default: $PROCVIEW_PYTHON, then python3)
//   --tmp DIR            work here (kept); default: a temporary folder, removed after
//   --keep               keep the temporary folder (traces, reports)
//   -h, --help           this text

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  CHROMIUM_ARGS, CHROMIUM_PATH, CLI, failWith, countEvents, mainThreadTimes, mb, median, ms, profileTimes, quantile, READY, readableViewer,
  REPO_ROOT, top, TRACE_CATEGORIES, usageOf, VIEWPORT, verdict, withViewerScript, type CpuProfile, type MainThread, type TraceEvent,
} from './chromium';

const TARGET_READY_MS = 2_000;
const TARGET_FRAME_MS = 16;
const LOAD_TIMEOUT_MS = 120_000;
/** Where bench/viewer_mix.py's big load is, and where the 1,000 lanes come from. */
const WORKLOADS = {
  mix: { script: 'viewer_mix.py', sizeFlag: '--items' },
  lanes: { script: 'many_processes.py', sizeFlag: '--processes' },
} as const;
type WorkloadName = keyof typeof WORKLOADS;

interface Options {
  only: WorkloadName[];
  items: number | undefined;
  processes: number | undefined;
  traces: Partial<Record<WorkloadName, string>>;
  loads: number;
  steps: number;
  profile: boolean;
  python: string;
  tmp: string | undefined;
  keep: boolean;
}

function usage(): string {
  return usageOf(__filename);
}

function fail(message: string): never {
  return failWith('viewer', message);
}

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = {
    only: [], items: undefined, processes: undefined, traces: {}, loads: 5, steps: 40, profile: true,
    python: process.env.PROCVIEW_PYTHON ?? 'python3', tmp: undefined, keep: false,
  };
  const whole = (flag: string, value: string | undefined, min: number): number => {
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < min) fail(`${flag} needs a whole number >= ${min}`);
    return Number(value);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const [flag, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--only': {
        const name = value();
        if (name !== 'mix' && name !== 'lanes') fail('--only takes mix or lanes');
        opts.only.push(name);
        break;
      }
      case '--items': opts.items = whole(flag, value(), 1); break;
      case '--processes': opts.processes = whole(flag, value(), 1); break;
      case '--mix-trace': opts.traces.mix = value() ?? fail(`${flag} needs a file`); break;
      case '--lanes-trace': opts.traces.lanes = value() ?? fail(`${flag} needs a file`); break;
      case '--loads': opts.loads = whole(flag, value(), 1); break;
      case '--steps': opts.steps = whole(flag, value(), 1); break;
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

/** Runs a command to its end; resolves with the wall seconds and its output, rejects on failure. */
function timed(argv: readonly string[]): Promise<{ seconds: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(argv[0] ?? '', argv.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout = (stdout + d.toString()).slice(-4000); });
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolve({ seconds, stdout, stderr });
      else reject(new Error(`${argv.join(' ')}\n  exited with ${signal ? `signal ${signal}` : `status ${code}`}\n${stderr.trim()}\n${stdout.trim()}`));
    });
  });
}

function say(name: string, text: string): void {
  console.log(`viewer: ${name}: ${text}`);
}

// In the page, before any of its scripts: when #procview turns ready (and a
// promise of it, so the bench need not poll the page while it loads), when the
// viewer's hooks appear (its script has run up to connecting to its data), and
// the time spent in JSON.parse and in reading textContent (the embedded data).
const PAGE_PROBE = `(() => {
  let ready;
  const probe = { readyAt: null, hooksAt: null, parses: [], texts: [] };
  const whenReady = new Promise((resolve) => { ready = resolve; });
  window.__pvBench = probe;
  window.__pvBenchReady = whenReady;
  new MutationObserver(() => {
    if (probe.readyAt !== null) return;
    const root = document.getElementById('procview');
    if (root && root.dataset.state === 'ready') {
      probe.readyAt = performance.now();
      ready(probe.readyAt);
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  let hooks;
  Object.defineProperty(window, 'procview', {
    configurable: true,
    get() { return hooks; },
    set(value) { if (probe.hooksAt === null) probe.hooksAt = performance.now(); hooks = value; },
  });
  const parse = JSON.parse;
  JSON.parse = function (text, reviver) {
    const t0 = performance.now();
    const result = parse.call(this, text, reviver);
    probe.parses.push({ start: t0, ms: performance.now() - t0, chars: typeof text === 'string' ? text.length : 0 });
    return result;
  };
  // A script element has a textContent of its own (Trusted Types), other nodes Node's.
  for (const proto of [HTMLScriptElement.prototype, Node.prototype]) {
    const text = Object.getOwnPropertyDescriptor(proto, 'textContent');
    if (!text || !text.get) continue;
    Object.defineProperty(proto, 'textContent', {
      configurable: true,
      enumerable: text.enumerable,
      get() {
        const t0 = performance.now();
        const value = text.get.call(this);
        if (this instanceof HTMLScriptElement) probe.texts.push({ start: t0, ms: performance.now() - t0, chars: value ? value.length : 0 });
        return value;
      },
      set(value) { text.set.call(this, value); },
    });
  }
})();`;

interface Probe {
  readyAt: number | null;
  hooksAt: number | null;
  parses: { start: number; ms: number; chars: number }[];
  texts: { start: number; ms: number; chars: number }[];
}

interface LoadResult {
  /** performance.now() in the page when #procview turned ready: from navigation start. */
  readyMs: number;
  /** Wall clock from page.goto until the ready selector was seen. */
  wallMs: number;
  probe: Probe;
  nav: { responseEnd: number; domInteractive: number; domContentLoaded: number; load: number };
  firstFrameMs: number;
  /** The viewer's performance marks (procview:unpack, procview:unpacked, procview:set): their first time each. */
  marks: Record<string, number>;
  labels: number;
  errors: string[];
}

async function openReport(browser: Browser, html: string, before?: (page: Page) => Promise<void>): Promise<{ page: Page; errors: string[]; wallMs: number }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => { errors.push(`uncaught ${error.name}: ${error.message}`); });
  await page.addInitScript(PAGE_PROBE);
  if (before) await before(page);
  const started = performance.now();
  await page.goto(pathToFileURL(html).href, { waitUntil: 'commit', timeout: LOAD_TIMEOUT_MS });
  // Awaiting the probe's promise, not polling for the selector: polling would take the page's main thread.
  await page.evaluate((timeout) => Promise.race([
    (window as unknown as { __pvBenchReady: Promise<number> }).__pvBenchReady,
    new Promise((_, reject) => { setTimeout(() => { reject(new Error(`not ready within ${timeout / 1000} s`)); }, timeout); }),
  ]), LOAD_TIMEOUT_MS);
  // Only a confirmation (the probe saw it), but a loaded machine can take its time to answer.
  await page.waitForSelector(READY, { state: 'attached', timeout: 10_000 });
  return { page, errors, wallMs: performance.now() - started };
}

async function timedLoad(browser: Browser, html: string): Promise<{ result: LoadResult; page: Page }> {
  const { page, errors, wallMs } = await openReport(browser, html);
  await page.waitForFunction(() => document.readyState === 'complete');
  const inPage = await page.evaluate(() => {
    const probe = (window as unknown as { __pvBench: Probe }).__pvBench;
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return {
      probe,
      nav: {
        responseEnd: nav?.responseEnd ?? NaN,
        domInteractive: nav?.domInteractive ?? NaN,
        domContentLoaded: nav?.domContentLoadedEventEnd ?? NaN,
        load: nav?.loadEventEnd ?? NaN,
      },
      firstFrameMs: window.procview?.frames[0] ?? NaN,
      marks: Object.fromEntries(performance.getEntriesByType('mark').filter((mark) => mark.name.startsWith('procview:')).reverse().map((mark) => [mark.name, mark.startTime])),
      labels: document.querySelectorAll('.pv-lane-label').length,
    };
  });
  const readyMs = inPage.probe.readyAt ?? NaN;
  return { result: { readyMs, wallMs, ...inPage, errors }, page };
}

/** Two animation frames: whatever the last input asked to draw has been drawn. */
async function nextFrames(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => {
    requestAnimationFrame(() => { requestAnimationFrame(() => { resolve(); }); });
  }));
}

async function takeFrames(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const frames = window.procview?.frames ?? [];
    return frames.splice(0, frames.length);
  });
}

interface PhaseResult {
  frames: number[];
  median: number;
  p95: number;
  max: number;
}

function phase(frames: number[]): PhaseResult {
  return { frames, median: median(frames), p95: quantile(frames, 0.95), max: Math.max(...frames) };
}

async function interact(page: Page, steps: number): Promise<{ zoom: PhaseResult; pan: PhaseResult; scroll: PhaseResult | null; scrollable: number }> {
  const box = await page.locator('#pv-chart').boundingBox();
  if (!box) throw new Error('#pv-chart has no box');
  const cx = box.x + box.width / 2;
  const cy = box.y + Math.min(box.height, VIEWPORT.height - box.y) / 2;
  const whole = await page.evaluate(() => window.procview?.view() ?? { start: 0, end: 1 });

  // Zoom: the first half of the steps in (wheel up), the rest out again, about the chart's centre.
  await page.mouse.move(cx, cy);
  await nextFrames(page);
  await takeFrames(page);
  for (let i = 0; i < steps; i++) {
    await page.mouse.wheel(0, i < steps / 2 ? -100 : 100);
    await nextFrames(page);
  }
  const zoom = phase(await takeFrames(page));

  // Pan: from the first eighth of the run, drag the chart leftwards (later in time) 150 px at a time.
  const eighth = (whole.end - whole.start) / 8;
  await page.evaluate(([start, end]) => { window.procview?.setView(start, end); }, [whole.start, whole.start + eighth] as const);
  await nextFrames(page);
  await takeFrames(page);
  for (let i = 0; i < steps; i++) {
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx - 150, cy, { steps: 5 });
    await page.mouse.up();
    await nextFrames(page);
  }
  const pan = phase(await takeFrames(page));

  // Scroll the lane list (the whole run in view), when there is more than fits.
  await page.evaluate(([start, end]) => { window.procview?.setView(start, end); }, [whole.start, whole.end] as const);
  await nextFrames(page);
  const scrollable = await page.evaluate(() => {
    const body = document.querySelector<HTMLElement>('.pv-body');
    return body ? body.scrollHeight - body.clientHeight : 0;
  });
  let scroll: PhaseResult | null = null;
  if (scrollable > 0) {
    await takeFrames(page);
    const step = Math.max(1, Math.ceil(scrollable / steps));
    for (let i = 0; i < steps; i++) {
      await page.evaluate((by) => {
        const body = document.querySelector<HTMLElement>('.pv-body');
        if (body) body.scrollTop += by;
      }, step);
      await nextFrames(page);
    }
    scroll = phase(await takeFrames(page));
  }
  return { zoom, pan, scroll, scrollable };
}

/** The report again, with the viewer bundled unminified: the profile then names its functions. */
async function readableReport(html: string, out: string): Promise<void> {
  writeFileSync(out, withViewerScript(readFileSync(html, 'utf8'), await readableViewer(), html));
}

interface Profiled {
  self: Map<string, number>;
  total: Map<string, number>;
  blink: MainThread;
  readyMs: number;
}

async function profiledLoad(browser: Browser, html: string, traceFile: string): Promise<Profiled> {
  let stop: (() => Promise<CpuProfile>) | null = null;
  const { page } = await openReport(browser, html, async (p) => {
    await browser.startTracing(p, { categories: TRACE_CATEGORIES });
    const cdp = await p.context().newCDPSession(p);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
    await cdp.send('Profiler.start');
    stop = async () => (await cdp.send('Profiler.stop')).profile as unknown as CpuProfile;
  });
  await nextFrames(page);
  const readyMs = await page.evaluate(() => (window as unknown as { __pvBench: Probe }).__pvBench.readyAt ?? NaN);
  const profile = await (stop as (() => Promise<CpuProfile>) | null)?.();
  const raw = await browser.stopTracing();
  writeFileSync(traceFile, raw);
  const trace = JSON.parse(raw.toString('utf8')) as { traceEvents: TraceEvent[] };
  await page.context().close();
  if (!profile) throw new Error('no profile');
  return { ...profileTimes(profile, pathToFileURL(html).href), blink: mainThreadTimes(trace), readyMs };
}

async function benchTrace(browser: Browser, name: WorkloadName, opts: Options, tmp: string): Promise<void> {
  const workload = WORKLOADS[name];
  let trace = opts.traces[name];
  if (trace === undefined) {
    trace = path.join(tmp, `${name}.pvtrace`);
    const size = name === 'mix' ? opts.items : opts.processes;
    const args = size === undefined ? [] : [workload.sizeFlag, String(size)];
    const run = await timed([process.execPath, CLI, 'run', '--out', trace, '--python', opts.python, '--', path.join(__dirname, workload.script), ...args]);
    if (!/: OK\s*$/m.test(run.stdout)) throw new Error(`${workload.script} did not print its OK line:\n${run.stdout}`);
    const events = await countEvents(trace);
    say(name, `trace of ${workload.script}${args.length ? ` ${args.join(' ')}` : ''}: ${events.toLocaleString('en')} events, ${mb(statSync(trace).size)}, made by procview run in ${run.seconds.toFixed(1)} s`);
  } else {
    say(name, `trace ${trace}: ${(await countEvents(trace)).toLocaleString('en')} events, ${mb(statSync(trace).size)} (given)`);
  }

  const html = path.join(tmp, `${name}.html`);
  const exported = await timed([process.execPath, CLI, 'export', trace, '--html', html]);
  say(name, `export --html in ${exported.seconds.toFixed(2)} s, ${mb(statSync(html).size)}`);

  const loads: LoadResult[] = [];
  let last: Page | null = null;
  for (let i = 0; i < opts.loads; i++) {
    if (last) await last.context().close();
    const { result, page } = await timedLoad(browser, html);
    loads.push(result);
    last = page;
  }
  if (!last) return;
  const ready = median(loads.map((load) => load.readyMs));
  const at = loads.reduce((best, load) => (Math.abs(load.readyMs - ready) < Math.abs(best.readyMs - ready) ? load : best));
  const data = at.probe.parses.reduce((big, p) => (p.chars > big.chars ? p : big), { start: NaN, ms: NaN, chars: 0 });
  const text = at.probe.texts.reduce((big, p) => (p.chars > big.chars ? p : big), { start: NaN, ms: NaN, chars: 0 });
  say(name, `ready in ${ms(ready)} after navigation start (median of ${loads.length}: ${loads.map((load) => load.readyMs.toFixed(0)).join(', ')}; ` +
    `wall from goto ${loads.map((load) => load.wallMs.toFixed(0)).join(', ')}) (target <= ${TARGET_READY_MS} ms: ${verdict(ready <= TARGET_READY_MS)}; ` +
    `fastest load ${Math.min(...loads.map((load) => load.readyMs)).toFixed(0)} ms)`);
  const hooksAt = at.probe.hooksAt ?? NaN;
  const parsed = data.start + data.ms;
  const drawStart = at.readyMs - at.firstFrameMs;
  const mark = (name: string): number => at.marks[`procview:${name}`] ?? NaN;
  say(name, `  where, in the median load (ms): ${hooksAt.toFixed(0)} loading and parsing the HTML until the viewer's script has run its constructor ` +
    `(file read by ${at.nav.responseEnd.toFixed(0)}); ${(data.start - hooksAt).toFixed(0)} + ${text.ms.toFixed(0)} getting the data's text (${mb(text.chars)}); ` +
    `${data.ms.toFixed(0)} JSON.parse; ${(mark('unpacked') - mark('unpack')).toFixed(0)} unpacking the columns (from ${(mark('unpack') - parsed).toFixed(0)} after the parse); ` +
    `${(mark('set') - mark('unpacked')).toFixed(0)} setData (rows, lane labels, overview); ${(drawStart - mark('set')).toFixed(0)} layout and waiting for the animation frame; ` +
    `${at.firstFrameMs.toFixed(0)} first draw; ready at ${at.readyMs.toFixed(0)} (DOMContentLoaded at ${at.nav.domContentLoaded.toFixed(0)}); ${at.labels} lane labels in the DOM`);
  if (at.errors.length) say(name, `  errors in the page: ${at.errors.join(' | ')}`);

  const result = await interact(last, opts.steps);
  const line = (what: string, r: PhaseResult): void => {
    say(name, `${what}: ${r.frames.length} frames, median ${ms(r.median)}, p95 ${ms(r.p95)}, max ${ms(r.max)} (target median <= ${TARGET_FRAME_MS} ms: ${verdict(r.median <= TARGET_FRAME_MS)})`);
  };
  line(`zoom (${opts.steps} wheel steps)`, result.zoom);
  line(`pan (${opts.steps} drags of 150 px)`, result.pan);
  if (result.scroll) line(`scroll lanes (${opts.steps} steps over ${result.scrollable} px)`, result.scroll);
  else say(name, 'scroll lanes: all lanes fit, nothing to scroll');
  await last.context().close();

  if (opts.profile) {
    const readable = path.join(tmp, `${name}.readable.html`);
    await readableReport(html, readable);
    const prof = await profiledLoad(browser, readable, path.join(tmp, `${name}.load-trace.json`));
    const internal = (fn: string): boolean => fn === '(idle)' || fn === '(root)';
    say(name, `  profiled load (unminified viewer, tracing and profiler on: ready at ${prof.readyMs.toFixed(0)} ms)`);
    const { blink } = prof;
    say(name, `    main thread busy ${blink.busyCpu.toFixed(0)} ms of CPU (${blink.busyWall.toFixed(0)} ms wall); ` +
      `self CPU ms (wall) by trace event: ${top(blink.cpu, 14, (event) => event === 'CpuProfiler::StartProfiling', (event) => ` (${(blink.wall.get(event) ?? 0).toFixed(0)})`)}`);
    say(name, `    JS, total ms by function: ${top(prof.total, 14, internal)}`);
    say(name, `    JS, self ms by function: ${top(prof.self, 10, internal)}`);
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const tmp = opts.tmp ?? mkdtempSync(path.join(os.tmpdir(), 'procview-viewer-bench-'));
  const cleanup = (): void => { if (opts.tmp === undefined && !opts.keep) rmSync(tmp, { recursive: true, force: true }); };
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 });
  console.log(`viewer: Chromium ${browser.version()}, headless, viewport ${VIEWPORT.width}x${VIEWPORT.height}; ${opts.loads} timed loads per report; ` +
    `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cpus`);
  try {
    for (const name of Object.keys(WORKLOADS) as WorkloadName[]) {
      if (opts.only.length && !opts.only.includes(name)) continue;
      await benchTrace(browser, name, opts, tmp);
    }
  } finally {
    await browser.close();
    if (opts.keep && opts.tmp === undefined) console.log(`viewer: files kept in ${tmp}`);
    cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(`bench viewer: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exit(1);
});
