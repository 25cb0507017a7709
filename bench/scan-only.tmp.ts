import { readFileSync } from 'node:fs';
import { LineScanner } from '../src/core/ingest/scan';
const buf = readFileSync(process.argv[2]!);
const times: number[] = [];
for (let round = 0; round < 9; round++) {
  const s = new LineScanner();
  let start = buf.indexOf(10) + 1, n = 0;
  const t0 = process.cpuUsage();
  while (start < buf.length) { let nl = s.read(buf, start); if (nl === -1) nl = buf.indexOf(10, start); n++; start = nl + 1; }
  const c = process.cpuUsage(t0); times.push((c.user + c.system) / 1000);
}
times.sort((a, b) => a - b);
console.log(`scan cpu ms: min ${times[0]!.toFixed(0)} med ${times[4]!.toFixed(0)}`);
