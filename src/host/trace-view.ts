// A saved run, read by the same code that reads the live stream: its model,
// its diagnosis, and the viewer's data projected from them.

import { diagnose } from '../core/diagnosis/diagnose';
import type { Diagnosis } from '../core/diagnosis/findings';
import type { TraceHeader } from '../core/events';
import { readTraceModel } from '../core/model/read-trace';
import type { RunModel } from '../core/model/run-model';
import { projectModel, runTitle } from '../core/view/project';
import type { ViewData } from '../core/view/view-data';

export interface LoadedRun {
  header: TraceHeader;
  model: RunModel;
  diagnosis: Diagnosis;
}

export async function loadRun(tracePath: string): Promise<LoadedRun> {
  const { header, model } = await readTraceModel(tracePath);
  return { header, model, diagnosis: diagnose(model) };
}

export function viewOf(run: LoadedRun, live = false): ViewData {
  return projectModel(run.model, { title: runTitle(run.header), live, diagnosis: run.diagnosis });
}

export async function loadTraceView(tracePath: string): Promise<ViewData> {
  return viewOf(await loadRun(tracePath));
}
