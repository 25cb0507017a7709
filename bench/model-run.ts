// One run of bench/model.ts, in a fresh process: reads and models the trace
// once and prints a RunResult as JSON. bench/model.ts bundles this file as the
// package's Node code is bundled and runs it with plain node; by hand:
//
//   node --expose-gc --import tsx bench/model-run.ts TRACE

import { readTraceModel } from '../src/core/model/read-trace';

export interface RunResult {
  events: number;
  seconds: number;
  bytesPerEvent: number;
  peakRssMb: number;
  pageFaults: number;
}

/** The memory JavaScript holds: the heap, and the typed arrays' buffers outside it (the model keeps its biggest tables there). */
function held(): number {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
}

/** One run, in this process: prints its RunResult as JSON. */
async function runOnce(tracePath: string): Promise<void> {
  collect();
  const before = held();
  const faultsBefore = process.resourceUsage().minorPageFault;
  const started = performance.now();
  const { model } = await readTraceModel(tracePath);
  const seconds = (performance.now() - started) / 1000;
  const pageFaults = process.resourceUsage().minorPageFault - faultsBefore;
  collect();
  const result: RunResult = {
    events: model.events,
    seconds,
    bytesPerEvent: (held() - before) / model.events,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    pageFaults,
  };
  console.log(JSON.stringify(result));
}

const tracePath = process.argv[2];
if (tracePath === undefined) {
  console.error('usage: node --expose-gc --import tsx bench/model-run.ts TRACE');
  process.exit(2);
}
runOnce(tracePath).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
