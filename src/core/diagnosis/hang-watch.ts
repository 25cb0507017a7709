// Hang detection for a live run: when no process has made progress for the
// hang timeout (a re-announced wait is not progress) and every thread that
// could act is waiting, the run hangs. The watch asks the model, never the
// events: the model is the one place that knows who waits on what.

import type { RunModel } from '../model/run-model';
import { everyoneWaits } from './diagnose';
import type { Finding } from './findings';
import { hangFindings } from './hang';

export interface HangReport {
  /** Model time of the hang (ns since the run's start). */
  at: number;
  /** Wall time without progress, ms. */
  stalledMs: number;
  findings: Finding[];
}

export interface HangWatchOptions {
  timeoutMs: number;
  /** Called for each new hang picture (again only if the picture changes). */
  onHang: (report: HangReport) => void;
  /** Milliseconds, monotonic. */
  now?: () => number;
  /** How often to look, ms. */
  intervalMs?: number;
}

/** Kinds that only say "still the same": not progress. */
const NOT_PROGRESS = new Set(['wait.still', 'run.hang']);

export class HangWatch {
  /** When a look last found progress: up to one interval after it came, which the timeout can spare. */
  private lastProgress: number;
  /** Progress arrived since the last look. Its time is taken then: a clock read per event was a cost of its own. */
  private progressed = false;
  private changedSinceCheck = true;
  private lastPicture = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly model: RunModel, private readonly options: HangWatchOptions) {
    this.now = options.now ?? (() => performance.now());
    this.lastProgress = this.now();
  }

  /** Tell the watch an event of `kind` arrived. */
  saw(kind: string): void {
    if (!NOT_PROGRESS.has(kind)) this.progressed = true;
  }

  start(): void {
    const interval = this.options.intervalMs ?? Math.min(250, Math.max(20, this.options.timeoutMs / 4));
    this.timer = setInterval(() => {
      this.check();
    }, interval);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Looks once; returns the report when it found a new hang. */
  check(): HangReport | null {
    const now = this.now();
    if (this.progressed) {
      this.progressed = false;
      this.lastProgress = now;
      this.changedSinceCheck = true;
    }
    const stalledMs = now - this.lastProgress;
    if (stalledMs < this.options.timeoutMs || !this.changedSinceCheck) return null;
    this.changedSinceCheck = false;
    const at = this.model.end;
    if (!everyoneWaits(this.model, at)) return null;
    const findings = hangFindings(this.model, at);
    const picture = findings.map((finding) => `${finding.kind}:${finding.chain.join('|')}`).join('\n');
    if (picture === this.lastPicture) return null;
    this.lastPicture = picture;
    const report = { at, stalledMs, findings };
    this.options.onHang(report);
    return report;
  }
}
