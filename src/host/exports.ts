// Saving a run in the other formats from the editor: the Chrome/Perfetto JSON
// and the standalone HTML report, written from its trace file.

import { writeFile } from 'node:fs/promises';
import { writeChromeTrace } from '../core/export/chrome';
import { runTitle } from '../core/view/project';
import { viewerPage } from '../core/view/report';
import { loadRun, viewOf } from './trace-view';

export async function exportChromeFile(tracePath: string, out: string): Promise<void> {
  const run = await loadRun(tracePath);
  await writeChromeTrace(out, run.model, run.diagnosis, run.header);
}

export async function exportHtmlFile(tracePath: string, out: string, assets: { script: string; css: string }, nonce: string): Promise<void> {
  const run = await loadRun(tracePath);
  const page = viewerPage({ ...assets, nonce, title: runTitle(run.header), config: { source: 'embedded' }, message: { type: 'data', data: viewOf(run) } });
  await writeFile(out, page);
}
