// Reading and modelling a trace: events per second through the whole path a
// viewer or `procview diagnose` takes (readTraceModel: file → lines → model),
// and the memory the model keeps per event. Run by bench/run.mjs on the
// pipeline workload's trace; by hand: node --expose-gc --import tsx bench/model.ts TRACE

import { readTraceModel } from '../src/core/model/read-trace';

const TARGET_EVENTS_PER_S = 1_000_000;
const TARGET_BYTES_PER_EVENT = 200;

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

async function main(tracePath: string): Promise<void> {
  collect();
  const before = held();
  const started = performance.now();
  const { model } = await readTraceModel(tracePath);
  const seconds = (performance.now() - started) / 1000;
  collect();
  const kept = held() - before;
  const perSecond = model.events / seconds;
  const perEvent = kept / model.events;
  const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');
  console.log(
    `model:  ${model.events} events read and modelled in ${seconds.toFixed(2)} s: ` +
      `${Math.round(perSecond).toLocaleString('en')} events/s (target >= ${TARGET_EVENTS_PER_S.toLocaleString('en')}: ${verdict(perSecond >= TARGET_EVENTS_PER_S)}), ` +
      `${perEvent.toFixed(0)} bytes/event kept (target <= ${TARGET_BYTES_PER_EVENT}: ${verdict(perEvent <= TARGET_BYTES_PER_EVENT)}), ` +
      `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
  // Keep the model alive until it was measured.
  if (model.lanes.size < 0) console.log(model);
}

const [tracePath] = process.argv.slice(2);
if (tracePath === undefined) {
  console.error('usage: node --expose-gc --import tsx bench/model.ts TRACE');
  process.exit(2);
}
main(tracePath).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
