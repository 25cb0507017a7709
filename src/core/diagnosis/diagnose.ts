// `procview diagnose`: the verdict on a run and its findings, from the model.

import type { RunModel } from '../model/run-model';
import { blockedAt } from '../model/snapshot';
import type { LaneModel } from '../model/types';
import type { Diagnosis, Finding } from './findings';
import { hangFindings } from './hang';
import { lintFindings } from './lints';
import { outcomeFindings } from './outcomes';
import { isUserLane } from './wait-graph';

export function diagnose(model: RunModel): Diagnosis {
  const at = hangMoment(model);
  const findings: Finding[] = [...(at === null ? [] : hangFindings(model, at)), ...outcomeFindings(model), ...lintFindings(model)];
  const main = [...model.processes.values()].find((proc) => proc.role === 'main');
  const failed = findings.some((finding) => finding.severity === 'error') || (main?.exitcode ?? 0) !== 0 || (main?.signal ?? null) !== null;
  return { verdict: at !== null ? 'hang' : failed ? 'error' : 'ok', at, findings };
}

/**
 * When the run hung: the last time `procview run` said so; or, for a trace cut
 * short (procview itself killed), its end, if every thread still there waits.
 */
export function hangMoment(model: RunModel): number | null {
  const said = model.hangs[model.hangs.length - 1];
  if (said !== undefined) return said;
  if (model.runEnd !== null) return null;
  return everyoneWaits(model, model.end) ? model.end : null;
}

/** Every live thread that could make progress is blocked at `t` (and at least one is). */
export function everyoneWaits(model: RunModel, t: number): boolean {
  let blocked = 0;
  for (const lane of model.lanes.values()) {
    if (lane.start > t || (lane.end !== null && lane.end <= t) || !isUserLane(model, lane)) continue;
    const proc = model.processes.get(lane.pid);
    if (proc && proc.end !== null && proc.end <= t) continue;
    if (blockedAt(lane, t)) blocked++;
    else if (!isIdleWorker(model, lane)) return false;
  }
  return blocked > 0;
}

/** A Pool or executor worker between tasks: waiting for work, not working. */
function isIdleWorker(model: RunModel, lane: LaneModel): boolean {
  const workerOf = model.processes.get(lane.pid)?.workerOf ?? null;
  return lane.main && lane.task === null && workerOf !== null;
}
