// Warnings about a run: things that worked this time, or that make a hang
// likely (DESIGN.md, "Lints").

import type { RunModel } from '../model/run-model';
import { blockedAt } from '../model/snapshot';
import type { ProcessModel } from '../model/types';
import type { Finding } from './findings';
import { findingProcess, laneLabel, primitiveName, processLabel } from './names';

/** Non-blocking gets that found the queue empty, from one line, that make a busy wait. */
const BUSY_POLLS = 1000;
/** A worker busier than this many times the average of its pool's workers. */
const UNEVEN_FACTOR = 2;

export function lintFindings(model: RunModel): Finding[] {
  return [...busyWaits(model), ...neverJoined(model), ...terminatedWithResources(model), ...unevenWork(model)];
}

function busyWaits(model: RunModel): Finding[] {
  const findings: Finding[] = [];
  for (const [loc, { count, queue, pid, lane: laneKey }] of model.emptyPolls) {
    if (count < BUSY_POLLS) continue;
    const proc = model.processes.get(pid);
    const lane = laneKey === null ? undefined : model.lanes.get(laneKey);
    const name = primitiveName(model, queue);
    const who = lane ? laneLabel(model, lane) : proc ? processLabel(proc) : `pid ${pid}`;
    findings.push({
      kind: 'busy-wait-empty', severity: 'warning',
      summary: `${who} polled ${name} ${count} times at ${loc} without blocking: a busy wait that burns a core.`,
      processes: lane ? [findingProcess(model, lane)] : proc ? [{ pid, name: proc.name, thread: null }] : [], primitives: [name], locations: [loc],
      hint: 'Block in get() (with a timeout if you must do something else meanwhile) instead of looping on empty(), qsize() or get_nowait().',
      chain: [],
    });
  }
  return findings;
}

function neverJoined(model: RunModel): Finding[] {
  const findings: Finding[] = [];
  const hungAt = model.hangs[0];
  for (const proc of model.processes.values()) {
    // A process the run ended (a hang kill, terminate(), multiprocessing's exit handler ending a daemon
    // child still running) had no chance to be joined: not this lint's business.
    if (proc.spawnLoc === null || proc.joined || proc.terminated || proc.helper || proc.server || proc.workerOf !== null) continue;
    if (proc.role === 'program') continue;
    // Still alive when the run hung, its parent stuck before its main code was done (in the join
    // itself, or before it): it had no chance to be joined. (The trace of a run killed for the hang
    // does not say so; a parent that was already exiting without the join is this lint's case.)
    if (hungAt !== undefined && (proc.end === null || proc.end >= hungAt) && !parentExitingAt(model, proc, hungAt)) continue;
    if (proc.method === 'subprocess') continue;
    findings.push({
      kind: 'process-never-joined', severity: 'warning',
      summary: `${processLabel(proc)}, started at ${proc.spawnLoc}, was never joined.`,
      processes: [{ pid: proc.pid, name: proc.name, thread: null }], primitives: [], locations: [proc.spawnLoc],
      hint: 'join() every process you start (after reading what it sends you), so errors and exit codes are not lost and no zombie is left.',
      chain: [],
    });
  }
  return findings;
}

/** The parent of `proc` was waiting at its exit at `t` (its main code done). */
function parentExitingAt(model: RunModel, proc: ProcessModel, t: number): boolean {
  const parent = proc.ppid === null ? undefined : model.processes.get(proc.ppid);
  return parent !== undefined && model.lanesOf(parent).some((lane) => blockedAt(lane, t)?.wait.op === 'exit');
}

function terminatedWithResources(model: RunModel): Finding[] {
  const findings: Finding[] = [];
  for (const proc of model.processes.values()) {
    // A daemon child multiprocessing ended at exit: no terminate() of the program, no line to point at.
    if (!proc.terminated || proc.terminated.atExit || proc.workerOf !== null || proc.terminated.loc === null) continue;
    const shared = [...sharedResourcesOf(model, proc)];
    if (shared.length === 0) continue;
    const names = shared.map((id) => primitiveName(model, id));
    findings.push({
      kind: 'terminate-with-resources', severity: 'warning',
      summary: `${processLabel(proc)} was ${proc.terminated.how === 'kill' ? 'killed' : 'terminated'} at ${proc.terminated.loc} while it used (or could use) ${names.join(', ')}: a lock it held stays held, and queue items it was writing may be lost or corrupt the queue.`,
      processes: [{ pid: proc.pid, name: proc.name, thread: null }], primitives: names, locations: [proc.terminated.loc],
      hint: 'Ask the process to stop (an end marker, an Event) and join it, instead of terminate().',
      chain: [],
    });
  }
  return findings;
}

/** Where the pool's work was submitted (map, apply_async, submit). */
function jobLocs(model: RunModel, poolId: string): string[] {
  return [...model.jobs.values()].flatMap((job) => (job.pool === poolId && job.loc !== null ? [job.loc] : []));
}

/**
 * The queues, locks and pipes a process used; for one that died before it
 * could send everything (terminate() gives it no chance), also those its parent
 * made before starting it, which it may have been handed.
 */
function sharedResourcesOf(model: RunModel, proc: ProcessModel): Set<string> {
  const isShared = (id: string): boolean => model.queues.has(id) || model.locks.has(id) || model.pipes.has(id);
  const found = new Set([...proc.used].filter(isShared));
  if (proc.reported || proc.ppid === null) return found;
  const parent = model.processes.get(proc.ppid);
  const madeBefore = (made: number | null): boolean => made !== null && made <= proc.start;
  for (const id of parent?.used ?? []) {
    if (!isShared(id)) continue;
    const made = model.queues.get(id)?.made ?? model.locks.get(id)?.made ?? null;
    if (madeBefore(made) || model.pipes.has(id)) found.add(id);
  }
  return found;
}

function unevenWork(model: RunModel): Finding[] {
  const findings: Finding[] = [];
  const busyByPool = new Map<string, Map<string, number>>();
  for (const task of model.tasks.values()) {
    if (task.end === null) continue;
    const busy = busyByPool.get(task.pool) ?? new Map<string, number>();
    busy.set(task.lane, (busy.get(task.lane) ?? 0) + (task.end - task.start));
    busyByPool.set(task.pool, busy);
  }
  for (const [poolId, busy] of busyByPool) {
    const pool = model.pools.get(poolId);
    const workers = Math.max(pool?.workers ?? busy.size, busy.size);
    if (workers < 2) continue;
    // Workers that got no task at all are a pool bigger than its work, not uneven work.
    const times = [...busy.values()].sort((a, b) => b - a);
    const [max = 0, ...rest] = times;
    if (rest.length === 0) continue;
    const mean = rest.reduce((sum, t) => sum + t, 0) / rest.length;
    // Short pools are noise: only a pool that kept a worker busy for a while.
    if (max < 50_000_000 || max <= UNEVEN_FACTOR * mean) continue;
    const name = primitiveName(model, poolId);
    findings.push({
      kind: 'uneven-work', severity: 'warning',
      summary: `${name}: one worker was busy ${(max / 1e6).toFixed(0)} ms, ${(max / Math.max(mean, 1)).toFixed(1)} times as long as the others on average (${workers} workers); they sat idle meanwhile.`,
      processes: [], primitives: [name], locations: [...new Set([...jobLocs(model, poolId), ...(pool?.loc ? [pool.loc] : [])])],
      hint: 'Split the work into more, smaller tasks (a smaller chunksize, imap_unordered), so no worker is left with the long ones.',
      chain: [],
    });
  }
  return findings;
}
