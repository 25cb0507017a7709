// `procview run`: start the listener, run Python with the runtime on its path,
// write every event to the trace, and end with the script's own exit status.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { diagnose } from '../core/diagnosis/diagnose';
import type { Finding } from '../core/diagnosis/findings';
import { fileSourceLines, formatDiagnosis } from '../core/diagnosis/format';
import { HangWatch, type HangReport } from '../core/diagnosis/hang-watch';
import type { EventOf } from '../core/events';
import { fieldIndex, isTraceEvent, nameEvent, readyByPlace, RUN_KINDS } from '../core/ingest/event-record';
import { RunModel } from '../core/model/run-model';
import { killTree } from '../core/process-tree';
import { RunClock } from '../core/ingest/clock';
import { startListener } from '../core/listener';
import { signalNumber } from '../core/signals';
import { TraceWriter } from '../core/trace-writer';
import { UsageError } from './errors';
import { packageVersion, repoRoot } from './package-info';
import { checkScript, defaultTracePath, parseRunArgs, resolveInterpreter, type RunArgs } from './run-args';
import { printableLines } from './diagnose-command';
import { printable } from './text';
import { USAGE } from './usage';
import type { LiveView } from './live-view';
import { prepareOutputFile } from './viewer-output';
import { runTitle } from '../core/view/project';

const ROLE_OF_BEGIN = fieldIndex('process.begin', 'role');

/** How long helper processes (resource tracker...) get to finish after the main process exits. */
const GRACE_AFTER_MAIN_EXIT_MS = 2000;

/** Signals that end the script when they end us; SIGINT reaches the script from the terminal by itself. */
const FORWARDED_SIGNALS = ['SIGTERM', 'SIGHUP'] as const;

export async function runCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseRunArgs(argv);
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (parsed.view && parsed.serve !== undefined) throw new UsageError('--view and --serve: one or the other');
  if (parsed.target.kind === 'script') checkScript(parsed.target.path);
  const interpreter = resolveInterpreter(parsed.python, process.env);
  const tracePath = parsed.out ?? defaultTracePath(parsed.target, new Date());
  mkdirSync(path.dirname(path.resolve(tracePath)), { recursive: true });
  const outputs = [['--chrome', parsed.chrome, 'Chrome trace'], ['--html', parsed.html, 'HTML report']] as const;
  for (const [option, file, what] of outputs) {
    if (file === undefined) continue;
    if (path.resolve(file) === path.resolve(tracePath)) throw new UsageError(`${option} ${file} is also the trace file (--out)`);
    prepareOutputFile(file, what);
  }
  if (parsed.chrome !== undefined && parsed.html !== undefined && path.resolve(parsed.chrome) === path.resolve(parsed.html)) {
    throw new UsageError('--chrome and --html name the same file');
  }
  return traceRun(parsed, interpreter, tracePath);
}

async function traceRun(parsed: RunArgs, interpreter: string, tracePath: string): Promise<number> {
  const token = randomBytes(16).toString('hex');
  const pythonArgs = [...(parsed.target.kind === 'module' ? ['-m', parsed.target.name] : [parsed.target.path]), ...parsed.args];

  const clock = new RunClock();
  let writer: TraceWriter;
  try {
    writer = await TraceWriter.open({ path: tracePath, argv: pythonArgs, cwd: process.cwd(), clock, procviewVersion: packageVersion });
  } catch (error) {
    throw new UsageError(`cannot write the trace ${tracePath}: ${(error as Error).message}`);
  }
  // Kept to tell the user, after the run, why the script did not start.
  const syntaxErrorsByPid = new Map<number, EventOf<'process.error'>>();
  // Only we know which interpreter is the one we started: the runtime calls it "python".
  let mainPid = 0;
  // The live model: who waits on what, for hang detection and the verdict at the end.
  const model = new RunModel();
  const watch = new HangWatch(model, {
    timeoutMs: parsed.hangTimeout * 1000,
    onHang: (report) => {
      onHang(report);
    },
  });
  const listener = await startListener({
    token,
    clock,
    sink: (event, line) => {
      const [, pid, , kind] = event;
      if (kind === 'process.begin' && pid === mainPid) {
        event[ROLE_OF_BEGIN] = 'main';
        line = null; // written from the event, as changed
      }
      writer.append(event, line);
      watch.saw(kind);
      // Most of a run's events (puts, gets, acquires, releases) the model takes by place, with no event object made.
      if (readyByPlace(event, event.length, RUN_KINDS) && model.addRaw(event)) return;
      const named = nameEvent(event, RUN_KINDS);
      if (named && isTraceEvent(named)) {
        model.add(named);
        if (named.kind === 'process.error' && named.type === 'SyntaxError' && !syntaxErrorsByPid.has(pid)) syntaxErrorsByPid.set(pid, named);
      }
    },
    frameEnd: () => {
      writer.endOfLines();
    },
  });
  const source = fileSourceLines(process.cwd());
  const reported = new Set<string>();
  const hangState = { killed: false };
  let liveView: LiveView | null = null;
  const onHang = (report: HangReport): void => {
    listener.emit(0, 'run.hang', { stalled: Math.round(report.stalledMs * 1e6), action: parsed.onHang });
    const diagnosis = { verdict: 'hang' as const, at: model.hangs[model.hangs.length - 1] ?? report.at, findings: report.findings };
    liveView?.hang(diagnosis);
    for (const finding of report.findings) reported.add(findingKey(finding));
    const what = parsed.onHang === 'kill' ? 'ending the whole process tree' : 'still waiting (Ctrl-C to stop)';
    process.stderr.write(
      `procview: no progress for ${(report.stalledMs / 1000).toFixed(1)} s: ${what}\n` + printableLines(formatDiagnosis(diagnosis, source)),
    );
    if (parsed.onHang === 'kill') endTree();
  };
  /** Ends the whole process tree: every live process of the run, and what the main one left behind. */
  const endTree = (): void => {
    if (hangState.killed) return;
    hangState.killed = true;
    const live = [...model.processes.values()].filter((proc) => proc.end === null).map((proc) => proc.pid);
    for (const pid of live) model.process(pid, model.end).terminated ??= { t: model.end, loc: null, how: 'kill', atExit: false };
    killTree(mainPid, live);
  };
  const onStop = (): void => {
    process.stderr.write('procview: stopped from the viewer: ending the whole process tree\n');
    endTree();
  };

  // Served before the script starts (awaiting it later would miss the child's 'spawn' event).
  // Loaded only when asked for, as the exporters below: a plain run starts the script without them.
  if (parsed.view || parsed.serve !== undefined) liveView = await (await import('./live-view')).LiveView.start(model, runTitle({ argv: pythonArgs }), parsed.serve ?? null, onStop);
  const child = spawn(interpreter, pythonArgs, {
    stdio: 'inherit',
    env: {
      ...process.env,
      PROCVIEW_SOCKET: listener.address,
      PROCVIEW_TOKEN: token,
      PYTHONPATH: [path.join(repoRoot, 'python', 'procview', '_boot'), process.env.PYTHONPATH]
        .filter(Boolean)
        .join(path.delimiter),
    },
  });
  mainPid = child.pid ?? 0;
  watch.start();
  try {
    await spawned(child);
  } catch (error) {
    await liveView?.close();
    await listener.close();
    await writer.close(unknownPython(interpreter)).catch(() => undefined);
    rmSync(tracePath, { force: true });
    if (parsed.chrome !== undefined) rmSync(parsed.chrome, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' ? `interpreter not found: ${interpreter}` : `cannot start ${interpreter}: ${(error as Error).message}`,
    );
  }
  const { code, signal } = await exited(child);
  listener.emit(mainPid, 'process.exit', { code, signal, how: 'observed' });
  await listener.waitForConnectionsToClose(GRACE_AFTER_MAIN_EXIT_MS);
  watch.stop();
  if (hangState.killed) {
    // Whatever the main process left behind (a grandchild it never knew) goes too.
    killTree(mainPid, [...model.processes.values()].filter((proc) => proc.end === null).map((proc) => proc.pid));
  }
  await listener.close();
  listener.emit(0, 'run.end', { code, signal, refused: listener.refused });
  await writer.close(unknownPython(interpreter));

  const syntaxError = syntaxErrorsByPid.get(mainPid);
  const final = diagnose(model);
  if (!syntaxError) {
    // What the run's end tells that the hang report (if any) did not already say,
    // before the last line, so that one stays last.
    const fresh = final.findings.filter((finding) => !reported.has(findingKey(finding)));
    if (fresh.length > 0) {
      const text = formatDiagnosis({ ...final, findings: fresh }, source);
      // After a hang report, the verdict line would only repeat it.
      process.stderr.write('procview: ' + printableLines(reported.size > 0 ? `also:\n${text.slice(text.indexOf('\n') + 1)}` : text));
    }
  }
  if (parsed.chrome !== undefined) {
    try {
      const { exportChrome } = await import('./export-command');
      await exportChrome(parsed.chrome, model, final, writer.header);
      process.stderr.write(`procview: Chrome trace written to ${parsed.chrome}\n`);
    } catch (error) {
      // The run happened and its trace is written: say what went wrong, keep the script's status.
      process.stderr.write(`procview: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  if (parsed.html !== undefined) {
    try {
      const { writeReport } = await import('./viewer-output');
      await writeReport(parsed.html, model, final, writer.header);
      process.stderr.write(`procview: HTML report written to ${parsed.html}\n`);
    } catch (error) {
      process.stderr.write(`procview: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  const skipped = listener.malformed > 0 ? `, ${listener.malformed} malformed batch entries skipped` : '';
  process.stderr.write(`procview: trace written to ${tracePath} (${writer.eventCount} events${skipped})\n`);
  if (syntaxError) {
    const where = `${syntaxError.file ?? '?'}:${syntaxError.line ?? '?'}`;
    process.stderr.write(printable(`procview: ${where}: SyntaxError: ${syntaxError.message} (the script did not start)`) + '\n');
  }
  await liveView?.finish(final);
  if (parsed.hold) await waitForKey();
  if (hangState.killed) return signal !== null ? 128 + (signalNumber(signal) ?? 0) : code === 0 || code === null ? 1 : code;
  if (signal !== null) return 128 + (signalNumber(signal) ?? 0);
  return code ?? 1;
}

/** "Press any key": for a terminal that would close, and take the script's output with it, when we exit. */
async function waitForKey(): Promise<void> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return;
  process.stderr.write('procview: the run is over; press any key to close\n');
  stdin.setRawMode(true);
  await new Promise((resolve) => stdin.once('data', resolve));
  stdin.setRawMode(false);
  stdin.pause();
}

function findingKey(finding: Finding): string {
  return `${finding.kind}\n${finding.summary}`;
}

function spawned(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
}

/**
 * Waits for the main Python process to end. Meanwhile Ctrl-C is left to the
 * script (the terminal sends SIGINT to it as well as to us), and SIGTERM or
 * SIGHUP sent to us are passed on to it.
 */
function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const ignore = (): void => undefined;
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', ignore);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      for (const forwarded of FORWARDED_SIGNALS) process.off(forwarded, forward);
      resolve({ code, signal });
    });
  });
}

/** The header's interpreter when no process of the run said what it is. */
function unknownPython(interpreter: string): { executable: string; version: string; implementation: string } {
  return { executable: interpreter, version: 'unknown', implementation: 'unknown' };
}
