// What the viewer benches share (bench/viewer.ts, bench/viewer-live.ts): the
// Chromium they drive, a few statistics and formats, the viewer bundled
// unminified (so a profile names its functions), and reading V8's sampling
// profile and Chrome's trace of the page's main thread.

import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { chromiumArgs, chromiumPath } from '../test/browser/chromium';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
export const VIEWPORT = { width: 1400, height: 800 };
export const READY = '#procview[data-state="ready"]';

// The same Chromium and flags as the browser tests.
export const CHROMIUM_PATH = chromiumPath;
export const CHROMIUM_ARGS = [...chromiumArgs];

/** Chrome tracing categories for the page's main thread: tasks, script, style, layout, paint, GC. */
export const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink', 'loading'];

/** A bench's --help: the comment at the top of its file, up to its imports. */
export function usageOf(file: string): string {
  const lines: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('import')) break;
    if (line.startsWith('//')) lines.push(line.replace(/^\/\/ ?/, ''));
  }
  return lines.join('\n');
}

/** Says what is wrong with a bench's arguments and exits 2. */
export function failWith(bench: string, message: string): never {
  process.stderr.write(`bench ${bench}: ${message}\n`);
  process.exit(2);
}

/** Events in a .pvtrace: its lines minus the header. */
export function countEvents(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let lines = 0;
    let last = 0x0a;
    createReadStream(file)
      .on('data', (chunk) => {
        const bytes = chunk as Buffer;
        for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) lines++;
        if (bytes.length) last = bytes[bytes.length - 1] ?? 0x0a;
      })
      .on('end', () => { resolve(Math.max(0, lines + (last !== 0x0a ? 1 : 0) - 1)); })
      .on('error', reject);
  });
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (s[lo] ?? 0) + ((s[hi] ?? 0) - (s[lo] ?? 0)) * (at - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);
export const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');
export const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
export const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** The viewer (webview/main.ts) bundled unminified, ready to sit inside a script element. */
export async function readableViewer(): Promise<string> {
  const bundle = await build({
    entryPoints: [path.join(REPO_ROOT, 'webview', 'main.ts')], bundle: true, write: false, platform: 'browser',
    format: 'iife', target: 'es2022', minify: false, sourcemap: false, logLevel: 'warning',
  });
  return (bundle.outputFiles[0]?.text ?? '').replace(/<\/script/gi, '<\\/script');
}

/** A viewer page (report or served) with its last script, the viewer's, replaced by `script` (same nonce). */
export function withViewerScript(page: string, script: string, what: string): string {
  const open = page.lastIndexOf('<script nonce="');
  const body = page.indexOf('>', open) + 1;
  const close = page.lastIndexOf('</script>');
  if (open < 0 || close < body) throw new Error(`cannot find the viewer's script in ${what}`);
  return `${page.slice(0, body)}\n${script}\n${page.slice(close)}`;
}

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self and total ms per function, from V8's sampling profile. */
export function profileTimes(profile: CpuProfile, pageUrl: string): { self: Map<string, number>; total: Map<string, number> } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // The page's own code by name and line (of the HTML file).
  const label = (node: ProfileNode): string => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName.startsWith('(')) return functionName;
    // The probe's wrappers (JSON.parse among them) and playwright's utility scripts have no url.
    if (url !== pageUrl) return `${functionName || '(anonymous)'} [${url === '' ? 'no url' : url}]`;
    return `${functionName || '(anonymous)'}:${lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node) return;
    self.set(label(node), (self.get(label(node)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(byId.get(at) ?? node);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + dt);
    }
  });
  return { self, total };
}

export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** The thread's CPU time, µs: what the event cost, however busy the machine. */
  tdur?: number;
  args?: { name?: string };
}

export interface MainThread {
  /** Self CPU ms per trace event name. */
  cpu: Map<string, number>;
  /** Self wall ms per trace event name. */
  wall: Map<string, number>;
  /** CPU and wall ms of the top-level tasks: how long the thread was busy. */
  busyCpu: number;
  busyWall: number;
  /** Wall ms from the first to the last event on the thread. */
  spanWall: number;
}

/**
 * Self ms per trace event name on the page's main thread (CrRendererMain),
 * from Chrome's own tracing: HTML parsing, script, style, layout, paint. The
 * page's thread is the renderer main thread that spent the longest parsing
 * HTML or, when the trace began after the page loaded, the busiest one.
 */
export function mainThreadTimes(trace: { traceEvents: TraceEvent[] }): MainThread {
  const events = trace.traceEvents;
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const parsing = new Map<string, number>();
  const busy = new Map<string, number>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (!mains.has(key)) continue;
    if (e.name === 'ParseHTML') parsing.set(key, (parsing.get(key) ?? 0) + (e.dur ?? 0));
    if (e.name === 'RunTask' && e.ph === 'X') busy.set(key, (busy.get(key) ?? 0) + (e.dur ?? 0));
  }
  const busiest = (map: Map<string, number>): string | undefined => [...map].sort((a, b) => b[1] - a[1])[0]?.[0];
  const thread = busiest(parsing) ?? busiest(busy);
  const spans = events.filter((e) => e.ph === 'X' && e.dur !== undefined && `${e.pid}:${e.tid}` === thread)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const result: MainThread = { cpu: new Map(), wall: new Map(), busyCpu: 0, busyWall: 0, spanWall: 0 };
  const add = (map: Map<string, number>, name: string, us: number): void => { map.set(name, (map.get(name) ?? 0) + us / 1000); };
  const stack: { end: number; name: string }[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (const span of spans) {
    const end = span.ts + (span.dur ?? 0);
    first = Math.min(first, span.ts);
    last = Math.max(last, end);
    while (stack.length && (stack[stack.length - 1]?.end ?? 0) <= span.ts) stack.pop();
    const parent = stack[stack.length - 1];
    const wall = span.dur ?? 0;
    const cpu = span.tdur ?? wall;
    if (parent) {
      add(result.wall, parent.name, -wall);
      add(result.cpu, parent.name, -cpu);
    } else {
      result.busyWall += wall / 1000;
      result.busyCpu += cpu / 1000;
    }
    add(result.wall, span.name, wall);
    add(result.cpu, span.name, cpu);
    stack.push({ end, name: span.name });
  }
  result.spanWall = spans.length ? (last - first) / 1000 : 0;
  return result;
}

export function top(map: Map<string, number>, n: number, skip: (name: string) => boolean = () => false, more: (name: string) => string = () => ''): string {
  return [...map].filter(([name]) => !skip(name)).sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([name, value]) => `${name} ${value.toFixed(0)}${more(name)}`).join(', ');
}
