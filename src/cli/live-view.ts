// `procview run --view`: the viewer served while the program runs, fed from
// the live model. The whole view is sent again at intervals: a projection
// costs time proportional to the run so far, so the interval grows with it
// (never more than a tenth of the time goes to it).

import type { Diagnosis } from '../core/diagnosis/findings';
import type { RunModel } from '../core/model/run-model';
import { ViewServer } from './view-server';
import { untilInterrupted } from './view-command';
import { openRequestPrinter, viewData, viewerAssets } from './viewer-output';

const SHORTEST_INTERVAL_MS = 250;
/** Time between two publications, at least this many times what the last one took. */
const COST_FACTOR = 10;

export class LiveView {
  private timer: NodeJS.Timeout | null = null;
  private publishedEvents = -1;
  private nextAt = 0;
  private diagnosis: Diagnosis = { verdict: 'ok', at: null, findings: [] };

  private constructor(
    private readonly server: ViewServer,
    private readonly model: RunModel,
    private readonly title: string,
  ) {}

  static async start(model: RunModel, title: string): Promise<LiveView> {
    const server = new ViewServer({ assets: viewerAssets(), title, onMessage: openRequestPrinter });
    const url = await server.start();
    process.stderr.write(`procview: watch the run live at ${url}\n`);
    const live = new LiveView(server, model, title);
    live.publish();
    live.timer = setInterval(() => {
      if (live.model.events !== live.publishedEvents && Date.now() >= live.nextAt) live.publish();
    }, SHORTEST_INTERVAL_MS);
    live.timer.unref();
    return live;
  }

  get url(): string {
    return this.server.url;
  }

  /** A hang was seen: its findings show until the run ends. */
  hang(diagnosis: Diagnosis): void {
    this.diagnosis = diagnosis;
    this.publish();
  }

  /** The run is over: show the final diagnosis, keep serving until Ctrl-C. */
  async finish(diagnosis: Diagnosis): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.diagnosis = diagnosis;
    this.publish(false);
    process.stderr.write(`procview: the viewer stays at ${this.server.url} until Ctrl-C\n`);
    await untilInterrupted();
    await this.server.close();
  }

  /** The run could not start: stop serving. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.server.close();
  }

  private publish(live = true): void {
    const began = Date.now();
    this.publishedEvents = this.model.events;
    this.server.publish({ type: 'data', data: viewData(this.model, this.diagnosis, this.title, live) });
    this.nextAt = Date.now() + Math.max(SHORTEST_INTERVAL_MS, COST_FACTOR * (Date.now() - began));
  }
}
