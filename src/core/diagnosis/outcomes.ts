// Findings about how the run ended, hang or not: processes that crashed, a
// script that could not start, task errors nobody saw.

import type { RunModel } from '../model/run-model';
import type { LaneModel, ProcessModel } from '../model/types';
import { signalNumber } from '../signals';
import type { Finding } from './findings';
import { exitWords } from './hang';
import { primitiveName, processLabel } from './names';

const TRACEBACK_LINES = 8;

const SYNTAX_ERRORS = new Set(['SyntaxError', 'IndentationError', 'TabError']);

/** Where a process that died of a signal it sent itself sent it (os.kill of its own pid, abort...). */
function selfSignalled(proc: ProcessModel): string | null {
  const sent = proc.signalledSelf;
  return sent && proc.signal !== null && signalNumber(proc.signal) === sent.signal ? sent.loc : null;
}

/** How a person names the fatal signals faulthandler reports. */
const FAULT_WORDS: Readonly<Record<string, string>> = {
  SIGSEGV: 'a segmentation fault',
  SIGBUS: 'a bus error',
  SIGFPE: 'a floating-point exception',
  SIGILL: 'an illegal instruction',
  SIGABRT: 'an abort',
};

/** The thread that faulted, when it is not the process's main thread. */
function faultingThread(model: RunModel, proc: ProcessModel): LaneModel | null {
  const tid = proc.fault?.thread ?? null;
  const lane = tid === null ? undefined : model.lane(proc.pid, tid);
  return lane && !lane.main ? lane : null;
}

function faultSummary(model: RunModel, proc: ProcessModel, fault: NonNullable<ProcessModel['fault']>): string {
  const signal = fault.signal ?? proc.signal;
  const what = signal ? `${FAULT_WORDS[signal] ?? 'a fatal signal'} (${signal})` : 'a fatal signal';
  const where = fault.loc ? ` in native code called at ${fault.loc}` : ' in native code';
  const thread = faultingThread(model, proc);
  return `${processLabel(proc)} died of ${what}${where}${thread ? `, in its thread "${thread.name}"` : ''}.`;
}

/**
 * A daemon child that multiprocessing's exit handler terminated as its parent exited ended as
 * daemons do: by that SIGTERM (or by what its own SIGTERM handler did), not by a crash. One that
 * failed on its own first (an exception, a fault, another signal: SIGKILL from outside) crashed.
 */
function endedAsDaemon(proc: ProcessModel): boolean {
  return proc.error === null && proc.fault === null && (proc.signal === null || proc.signal === 'SIGTERM');
}

export function outcomeFindings(model: RunModel): Finding[] {
  const findings: Finding[] = [];
  for (const proc of model.processes.values()) {
    if (proc.error && SYNTAX_ERRORS.has(proc.error.type)) {
      const where = `${proc.error.file ?? '?'}:${proc.error.line ?? '?'}`;
      findings.push({
        kind: 'syntax-error', severity: 'error',
        summary: `${proc.error.file ?? 'The script'} could not start: ${proc.error.type} at line ${proc.error.line ?? '?'}: ${proc.error.message}.`,
        processes: [{ pid: proc.pid, name: proc.name, thread: null }], primitives: [], locations: [where],
        hint: 'Fix the syntax error; nothing of the program ran.', chain: [],
      });
      continue;
    }
    if (proc.helper || proc.server || proc.role === 'program') continue;
    // The main process's exception is on the terminal already; a fault in native code leaves only "Segmentation fault" there.
    if (proc.role === 'main' && !proc.fault) continue;
    // A process the program (or its Pool) ended on purpose did not crash; one that faulted did,
    // whatever came after (an executor terminates the worker it found dead).
    if (proc.terminated && !proc.terminated.atExit && !proc.fault) continue;
    if (proc.terminated?.atExit && endedAsDaemon(proc)) continue;
    // A child's exception is caught by multiprocessing, which exits 1: any failing status counts.
    const crashed = proc.error !== null || proc.fault !== null || proc.signal !== null || (proc.exitcode !== null && proc.exitcode !== 0);
    if (!crashed) continue;
    const { error, fault } = proc;
    const where = error?.file && error.line ? `${error.file}:${error.line}` : (fault?.loc ?? selfSignalled(proc));
    let summary = `${processLabel(proc)} ${exitWords(proc)}.`;
    let hint = 'A process killed by a signal leaves what it held (locks, half-written queue items) behind; find out who sent the signal (the OOM killer, a terminate(), a crash in native code).';
    // The end of the traceback (where it was raised and what), or the user's frames the fault happened under.
    let chain: string[] = [];
    if (error) {
      summary = `${processLabel(proc)} ended by an exception: ${error.type}: ${error.message}${where ? ` (at ${where})` : ''}.`;
      hint = 'Handle the error in the child (and tell the parent: put the error on a result queue), or the parent waits for results that never come.';
      chain = error.traceback ? error.traceback.trimEnd().split('\n').slice(-TRACEBACK_LINES) : [];
    } else if (fault) {
      summary = faultSummary(model, proc, fault);
      hint = 'Native code (ctypes, a C extension, a library built on them) crashed the process: check what that line passes to it (pointers, buffer sizes, types, objects shared across threads or a fork).';
      chain = (fault.stack ?? []).map(([loc, func]) => `${loc} in ${func}`).slice(-TRACEBACK_LINES);
    }
    findings.push({
      kind: 'child-crashed', severity: 'error', summary,
      processes: [{ pid: proc.pid, name: proc.name, thread: faultingThread(model, proc)?.name ?? null }], primitives: [],
      locations: [where, proc.spawnLoc].filter((loc): loc is string => loc !== null),
      hint, chain,
    });
  }
  for (const job of model.jobs.values()) {
    // A callback of apply_async takes results only; errors go to an error_callback (unknown in older traces).
    if (job.fetched || job.cancelled || (job.errorCallback ?? job.callback)) continue;
    for (const key of job.tasks) {
      const task = model.tasks.get(key);
      if (task?.ok !== false) continue;
      const pool = primitiveName(model, task.pool);
      findings.push({
        kind: 'task-error-unretrieved', severity: 'error',
        summary: `${task.func}(${task.args}) raised ${task.result ?? 'an error'} in ${pool}, and nobody asked for its result, so the error went unnoticed.`,
        processes: [{ pid: task.worker, name: model.processes.get(task.worker)?.name ?? `pid ${task.worker}`, thread: null }],
        primitives: [pool], locations: [task.where, job.loc].filter((loc): loc is string => loc !== null),
        hint: 'Call .get() / .result() on every AsyncResult or Future (or pass an error_callback / add_done_callback) so errors surface.',
        chain: [],
      });
      break;
    }
  }
  return findings;
}
