// Reading and modelling a trace: events per second through the whole path a
// viewer or `procview diagnose` takes (readTraceModel: file → lines → model),
// and the memory the model keeps per event. Each run is a fresh process, as a
// `procview diagnose` is (a warm one would hide the compiler's warm-up, a good
// part of the time); the verdict is on the median of the runs. The runs time
// the code as procview ships it: bundled by esbuild and run by plain node. The
// TypeScript run through tsx's loader, a module a file, read this trace some
// 10% slower (bench/README.md). Run by bench/run.mjs on the pipeline
// workload's trace; by hand:
//
//   node --expose-gc --import tsx bench/model.ts TRACE [--runs N]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { NODE_BUNDLE } from '../scripts/node-bundle.mjs';
import type { RunResult } from './model-run';

const TARGET_EVENTS_PER_S = 1_000_000;
const TARGET_BYTES_PER_EVENT = 200;
const DEFAULT_RUNS = 9;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** bench/model-run.ts bundled into `dir` as the package's Node code is (scripts/build.mjs); returns the bundle's path. */
function bundleRun(dir: string): string {
  const outfile = path.join(dir, 'model-run.cjs');
  buildSync({ ...NODE_BUNDLE, entryPoints: [path.join(__dirname, 'model-run.ts')], outfile, logLevel: 'warning' });
  return outfile;
}

/** `runs` runs, each in a fresh process; prints each, then the medians and the verdicts. */
function runAll(tracePath: string, runs: number): number {
  const dir = mkdtempSync(path.join(tmpdir(), 'procview-model-bench-'));
  try {
    return runBundled(bundleRun(dir), tracePath, runs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runBundled(bundle: string, tracePath: string, runs: number): number {
  const results: RunResult[] = [];
  for (let run = 0; run < runs; run++) {
    const child = spawnSync(process.execPath, ['--expose-gc', bundle, tracePath], { encoding: 'utf8' });
    if (child.status !== 0) {
      console.error(`model:  run ${run + 1} failed: ${child.stderr.trim()}`);
      return 1;
    }
    results.push(JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as RunResult);
  }
  const events = results[0]?.events ?? 0;
  const seconds = median(results.map((result) => result.seconds));
  const perSecond = events / seconds;
  const perEvent = median(results.map((result) => result.bytesPerEvent));
  const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');
  console.log(`model:  runs ${results.map((result) => result.seconds.toFixed(2)).join(' ')} s (each a fresh process)`);
  console.log(
    `model:  ${events} events read and modelled in ${seconds.toFixed(2)} s (median of ${runs}): ` +
      `${Math.round(perSecond).toLocaleString('en')} events/s (target >= ${TARGET_EVENTS_PER_S.toLocaleString('en')}: ${verdict(perSecond >= TARGET_EVENTS_PER_S)}), ` +
      `${perEvent.toFixed(0)} bytes/event kept (target <= ${TARGET_BYTES_PER_EVENT}: ${verdict(perEvent <= TARGET_BYTES_PER_EVENT)}), ` +
      `peak RSS ${median(results.map((result) => result.peakRssMb)).toFixed(0)} MB, ` +
      `${Math.round(median(results.map((result) => result.pageFaults))).toLocaleString('en')} page faults`,
  );
  return 0;
}

const args = process.argv.slice(2);
const tracePath = args.find((arg) => !arg.startsWith('--') && !/^\d+$/.test(arg));
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : DEFAULT_RUNS;
if (tracePath === undefined || !Number.isInteger(runs) || runs < 1) {
  console.error('usage: node --expose-gc --import tsx bench/model.ts TRACE [--runs N]');
  process.exit(2);
}
process.exitCode = runAll(tracePath, runs);
