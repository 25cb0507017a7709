// `procview diagnose`: the verdict on a run and its findings, from the model.

import type { RunModel } from '../model/run-model';
import { blockedAt } from '../model/snapshot';
import type { LaneModel, ProcessModel, Wait } from '../model/types';
import type { Diagnosis, Finding } from './findings';
import { hangFindings } from './hang';
import { lintFindings } from './lints';
import { outcomeFindings } from './outcomes';
import { awaitedAtExit, isProcessAliveAt, isUserLane, pipeMovingAt } from './wait-graph';

export function diagnose(model: RunModel): Diagnosis {
  const at = hangMoment(model);
  const findings: Finding[] = [...(at === null ? [] : hangFindings(model, at)), ...outcomeFindings(model), ...lintFindings(model)];
  const main = [...model.processes.values()].find((proc) => proc.role === 'main');
  const failed = findings.some((finding) => finding.severity === 'error') || (main?.exitcode ?? 0) !== 0 || (main?.signal ?? null) !== null;
  const verdict = at !== null ? 'hang' : failed ? 'error' : 'ok';
  const unexplained = verdict === 'error' && main && !findings.some((finding) => finding.severity === 'error');
  return { verdict, at, findings, ...(unexplained ? { mainEnd: mainEndWords(main) } : {}) };
}

/** How the main process ended, in words: its exception and where it was raised, or its exit status or signal. */
function mainEndWords(main: ProcessModel): string {
  const error = main.error;
  if (error) {
    const where = error.file !== null && error.line !== null ? ` at ${error.file}:${error.line}` : '';
    return `the main process raised ${error.type}${error.message ? `: ${error.message}` : ''}${where}`;
  }
  if (main.signal) return `the main process was killed by ${main.signal}`;
  return `the main process exited with status ${main.exitcode ?? '?'}`;
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
    if (lane.start > t || (lane.end !== null && lane.end <= t) || !isUserLane(model, lane, t)) continue;
    const proc = model.processes.get(lane.pid);
    if (proc && proc.end !== null && proc.end <= t) continue;
    const blocking = blockedAt(lane, t);
    if (blocking && isBeingServed(model, blocking.wait, t)) return false;
    if (blocking) blocked++;
    else if (!isIdleWorker(model, lane)) return false;
  }
  return blocked > 0;
}

/**
 * A wait that is moving, though no event says so: a get on a queue that holds
 * (or is being sent) an item, or a process flushing its feeder into a queue
 * someone is reading (a big item takes a while to go through a pipe), or one
 * done with every exit wait, or a pipe's send or receive while another thread
 * is in the other one on the same pipe.
 */
function isBeingServed(model: RunModel, wait: Wait, t: number): boolean {
  if (wait.op === 'queue.get') {
    return model.queues.get(wait.target)?.hasTakeableAt(t, (pid) => isProcessAliveAt(model, pid, t)) ?? false;
  }
  if (wait.op === 'pipe.send' || wait.op === 'pipe.recv') return pipeMovingAt(model, wait, t);
  if (wait.op === 'exit') {
    const proc = model.processes.get(Number(wait.target));
    if (!proc) return false;
    // The threads and children it waited for have ended, and no feeder holds anything: it is running its last exit handlers.
    const { threads, children } = awaitedAtExit(model, proc, t);
    if (threads.length === 0 && children.length === 0 && proc.buffered.size === 0) return true;
    const readers = new Set(proc.buffered.keys());
    return [...model.lanes.values()].some((lane) => {
      const other = blockedAt(lane, t);
      return other?.wait.op === 'queue.get' && readers.has(other.wait.target);
    });
  }
  return false;
}

/** A Pool or executor worker between tasks: waiting for work, not working. */
function isIdleWorker(model: RunModel, lane: LaneModel): boolean {
  const workerOf = model.processes.get(lane.pid)?.workerOf ?? null;
  return lane.main && lane.task === null && workerOf !== null;
}
