// `procview run --view` and `--serve FILE`: the viewer served while the
// program runs, fed from the live model. `--view` is for a person (the URL is
// printed, serving goes on after the run until Ctrl-C); `--serve` for a program
// such as the VS Code extension (the URL goes into a file, serving ends with
// the run, and the page may ask to stop the run). The view is projected again
// at intervals, each projection doing only what changed since the last
// (ProjectionMemory), and open pages are sent only what changed (wire.ts). A
// projection still looks over the run so far, so the interval grows with its
// cost (never more than a tenth of the CLI's CPU time goes to it).

import { renameSync, writeFileSync } from 'node:fs';
import type { Diagnosis } from '../core/diagnosis/findings';
import type { ViewerMessage } from '../core/view/view-data';
import type { RunModel } from '../core/model/run-model';
import { ProjectionMemory, projectModel } from '../core/view/project';
import { ViewServer } from './view-server';
import { untilInterrupted } from './view-command';
import { openRequestPrinter, viewerAssets } from './viewer-output';

const SHORTEST_INTERVAL_MS = 250;
/** Time between two publications, at least this many times what the last one took. */
const COST_FACTOR = 10;

export class LiveView {
  private timer: NodeJS.Timeout | null = null;
  private publishedEvents = -1;
  private nextAt = 0;
  private diagnosis: Diagnosis = { verdict: 'ok', at: null, findings: [] };
  /** One for the whole run: each projection does only what changed since the last. */
  private readonly memory = new ProjectionMemory();

  private constructor(
    private readonly server: ViewServer,
    private readonly model: RunModel,
    private readonly title: string,
    private readonly linger: boolean,
  ) {}

  /** `urlFile` null: `--view`. `stop`: the page asked to end the run. */
  static async start(model: RunModel, title: string, urlFile: string | null, stop: () => void): Promise<LiveView> {
    const onMessage = (message: ViewerMessage): void => {
      if (message.type === 'stop') stop();
      else openRequestPrinter(message);
    };
    const server = new ViewServer({ assets: viewerAssets(), title, onMessage });
    const url = await server.start();
    if (urlFile === null) process.stderr.write(`procview: watch the run live at ${url}\n`);
    else {
      // Whole or not at all: a reader polling for the file never sees half a URL.
      writeFileSync(`${urlFile}.part`, `${url}\n`, { mode: 0o600 });
      renameSync(`${urlFile}.part`, urlFile);
    }
    const live = new LiveView(server, model, title, urlFile === null);
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

  /** The run is over: show the final diagnosis; for `--view`, keep serving until Ctrl-C. */
  async finish(diagnosis: Diagnosis): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.diagnosis = diagnosis;
    this.publish(false);
    if (this.linger) {
      process.stderr.write(`procview: the viewer stays at ${this.server.url} until Ctrl-C\n`);
      await untilInterrupted();
    }
    await this.server.close();
  }

  /** The run could not start: stop serving. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.server.close();
  }

  private publish(live = true): void {
    // Its cost in CPU time, not wall time: on a busy machine a projection waits for a core as long
    // as it works, and the next one would be put off by that wait too (seconds, with nothing shown).
    const began = process.cpuUsage();
    this.publishedEvents = this.model.events;
    this.server.publish({ type: 'data', data: projectModel(this.model, { title: this.title, live, diagnosis: this.diagnosis, memory: this.memory }) });
    const spent = process.cpuUsage(began);
    this.nextAt = Date.now() + Math.max(SHORTEST_INTERVAL_MS, (COST_FACTOR * (spent.user + spent.system)) / 1000);
  }
}
