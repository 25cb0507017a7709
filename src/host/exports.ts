// Saving a run in the other formats: the Chrome/Perfetto JSON and the
// standalone HTML report. The editor's export commands write them from a trace
// file; `procview export --html` and `run --html` use the same page.

import { writeFile } from 'node:fs/promises';
import type { Diagnosis } from '../core/diagnosis/findings';
import type { TraceHeader } from '../core/events';
import { writeChromeTrace } from '../core/export/chrome';
import type { RunModel } from '../core/model/run-model';
import { projectModel, runTitle } from '../core/view/project';
import { viewerPage } from '../core/view/report';
import { loadRun } from './trace-view';

/** The standalone report of a run: the viewer and the run's view data in one page. */
export function reportPage(
  run: { model: RunModel; diagnosis: Diagnosis; header: Pick<TraceHeader, 'argv'> | undefined },
  assets: { script: string; css: string },
  nonce: string,
): string {
  const title = runTitle(run.header);
  const data = projectModel(run.model, { title, live: false, diagnosis: run.diagnosis });
  return viewerPage({ ...assets, nonce, title, config: { source: 'embedded' }, message: { type: 'data', data } });
}

export async function exportChromeFile(tracePath: string, out: string): Promise<void> {
  const run = await loadRun(tracePath);
  await writeChromeTrace(out, run.model, run.diagnosis, run.header);
}

export async function exportHtmlFile(tracePath: string, out: string, assets: { script: string; css: string }, nonce: string): Promise<void> {
  await writeFile(out, reportPage(await loadRun(tracePath), assets, nonce));
}
