// `procview summary TRACE [--json]`: who ran, how it ended, what went through
// which queue, pipe and lock.

import { TraceFileError, NewerTraceVersionError } from '../core/ingest/reader';
import { readTraceModel, type TraceModel } from '../core/model/read-trace';
import { summarize, type ProcessSummary, type Summary, type TaskSummary } from '../core/summary';
import { UsageError } from './errors';
import { formatDuration, formatTable, printable } from './text';
import { USAGE } from './usage';

export async function summaryCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseTraceArgs('summary', argv);
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const { tracePath, json } = parsed;
  const trace = await openTrace(tracePath, readTraceModel);
  const summary = summarize(trace.model);
  process.stdout.write(json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(tracePath, trace, summary));
  return 0;
}

/** `TRACE [--json]`, the arguments of the commands that read one trace. */
export function parseTraceArgs(command: string, argv: readonly string[]): { tracePath: string; json: boolean } | 'help' {
  let json = false;
  const paths: string[] = [];
  for (const arg of argv) {
    if (arg === '--json') json = true;
    else if (arg === '-h' || arg === '--help') return 'help';
    else if (arg.startsWith('-')) throw new UsageError(`unknown option for ${command}: ${arg}`);
    else paths.push(arg);
  }
  const [tracePath] = paths;
  if (tracePath === undefined || paths.length > 1) throw new UsageError(`${command} needs exactly one TRACE file`);
  return { tracePath, json };
}

/** Reads a trace with `read` (its events, or its model), turning every way it can fail into one line for the user. */
export async function openTrace<T>(tracePath: string, read: (path: string) => Promise<T>): Promise<T> {
  try {
    return await read(tracePath);
  } catch (error) {
    if (error instanceof NewerTraceVersionError) {
      throw new UsageError(`${tracePath} was ${error.message}; update procview to read it`);
    }
    if (error instanceof TraceFileError) throw new UsageError(`${tracePath} is not a Process View trace (${error.message})`);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`no such trace file: ${tracePath}`);
    if (code === 'EISDIR') throw new UsageError(`${tracePath} is a folder, not a trace file`);
    throw new UsageError(`cannot read ${tracePath}: ${(error as Error).message}`);
  }
}

function formatSummary(tracePath: string, trace: TraceModel, summary: Summary): string {
  const { header } = trace;
  const sections: string[] = [
    `${tracePath}: Python ${header.python.version.split(' ')[0] ?? ''} (${header.python.executable}), ` +
      `${summary.events} events, started ${header.clockBase.iso}`,
  ];
  const section = (title: string, count: number, table: () => string): void => {
    sections.push(`\n${title} (${count})`, count === 0 ? '  none' : table());
  };
  const processColumns = [
    { title: 'PID', align: 'right' as const, value: (p: ProcessSummary) => String(p.pid) },
    { title: 'NAME', value: (p: ProcessSummary) => p.name },
    { title: 'ROLE', value: (p: ProcessSummary) => p.role ?? '?' },
    { title: 'EXIT', value: exitText },
    { title: 'START', align: 'right' as const, value: (p: ProcessSummary) => timeText(p.start) },
    { title: 'END', align: 'right' as const, value: (p: ProcessSummary) => timeText(p.end) },
  ];
  section('Processes', summary.processes.length, () => formatTable(summary.processes, processColumns));
  section('Helpers', summary.helpers.length, () => formatTable(summary.helpers, processColumns));
  section('Threads', summary.threads.length, () =>
    formatTable(summary.threads, [
      { title: 'PID', align: 'right', value: (t) => String(t.pid) },
      { title: 'NAME', value: (t) => t.name },
      { title: 'START', align: 'right', value: (t) => timeText(t.start) },
      { title: 'END', align: 'right', value: (t) => timeText(t.end) },
      { title: 'ERROR', value: (t) => t.error ?? '' },
    ]),
  );
  section('Queues', summary.queues.length, () =>
    formatTable(summary.queues, [
      { title: 'NAME', value: (q) => q.name },
      { title: 'TYPE', value: (q) => q.type ?? '?' },
      { title: 'PUTS', align: 'right', value: (q) => String(q.puts) },
      { title: 'GETS', align: 'right', value: (q) => String(q.gets) },
      { title: 'MAX DEPTH', align: 'right', value: (q) => String(q.maxDepth) },
      { title: 'LOST', align: 'right', value: (q) => String(q.lost) },
      { title: 'BUFFERED', align: 'right', value: (q) => String(q.buffered) },
    ]),
  );
  section('Pipes', summary.pipes.length, () =>
    formatTable(summary.pipes, [
      { title: 'NAME', value: (p) => p.name },
      { title: 'DUPLEX', value: (p) => (p.duplex === null ? '?' : p.duplex ? 'yes' : 'no') },
      { title: 'SENDS', align: 'right', value: (p) => String(p.sends) },
      { title: 'RECVS', align: 'right', value: (p) => String(p.recvs) },
    ]),
  );
  section('Locks', summary.locks.length, () =>
    formatTable(summary.locks, [
      { title: 'NAME', value: (l) => l.name },
      { title: 'TYPE', value: (l) => l.type ?? '?' },
      { title: 'ACQUIRED', align: 'right', value: (l) => String(l.acquisitions) },
      { title: 'CONTENDED', align: 'right', value: (l) => String(l.contended) },
      { title: 'MAX WAIT', align: 'right', value: (l) => formatDuration(l.maxWait) },
    ]),
  );
  section('Shared memory', summary.sharedMemory.length, () =>
    formatTable(summary.sharedMemory, [
      { title: 'NAME', value: (s) => s.name },
      { title: 'SEGMENT', value: (s) => s.segment },
      { title: 'TYPE', value: (s) => s.type ?? '?' },
      { title: 'SIZE', align: 'right', value: (s) => (s.size === null ? '?' : String(s.size)) },
      { title: 'CREATED', align: 'right', value: (s) => String(s.created) },
      { title: 'ATTACHED', align: 'right', value: (s) => String(s.attached) },
      { title: 'CLOSED', align: 'right', value: (s) => String(s.closed) },
      { title: 'UNLINKED', align: 'right', value: (s) => String(s.unlinked) },
      { title: 'LEAKED', value: (s) => (s.leaked ? 'yes' : 'no') },
    ]),
  );
  for (const leak of summary.sharedMemory.filter((s) => s.leaked)) {
    const where = leak.loc === null ? '' : ` at ${leak.loc}`;
    sections.push(printable(`  segment ${leak.segment} created${where} was never unlinked`));
  }
  const lockNames = new Map(summary.locks.map((l) => [l.id, l.name]));
  section('Shared values', summary.sharedValues.length, () =>
    formatTable(summary.sharedValues, [
      { title: 'NAME', value: (v) => v.name },
      { title: 'TYPECODE', value: (v) => v.typecode ?? '?' },
      { title: 'LENGTH', align: 'right', value: (v) => (v.length === null ? '' : String(v.length)) },
      { title: 'SIZE', align: 'right', value: (v) => String(v.size) },
      { title: 'LOCK', value: (v) => (v.lock !== null ? (lockNames.get(v.lock) ?? v.lock) : v.locked ? 'yes' : 'none') },
    ]),
  );
  section('Pools', summary.pools.length, () =>
    formatTable(summary.pools, [
      { title: 'NAME', value: (p) => p.name },
      { title: 'TYPE', value: (p) => p.type ?? '?' },
      { title: 'WORKERS', align: 'right', value: (p) => (p.workers === null ? '?' : String(p.workers)) },
      { title: 'JOBS', align: 'right', value: (p) => String(p.jobs) },
      { title: 'RAN', align: 'right', value: (p) => String(p.ran) },
      { title: 'FAILED', align: 'right', value: (p) => String(p.failed) },
      { title: 'UNFINISHED', align: 'right', value: (p) => String(p.unfinished) },
      { title: 'CANCELLED', align: 'right', value: (p) => String(p.cancelled) },
      { title: 'STATE', value: (p) => (p.broken !== null ? 'broken' : p.shutdown ? 'shut down' : '') },
    ]),
  );
  for (const broken of summary.pools.filter((p) => p.broken !== null)) {
    sections.push(printable(`  ${broken.name} broke: ${broken.broken ?? ''}`));
  }
  const poolNames = new Map(summary.pools.map((p) => [p.id, p.name]));
  section('Tasks', summary.tasks.length, () =>
    formatTable(summary.tasks, [
      { title: 'POOL', value: (t) => poolNames.get(t.pool) ?? t.pool },
      { title: 'JOB', align: 'right', value: (t) => `${t.job}.${t.index}` },
      { title: 'FUNCTION', value: (t) => t.func },
      { title: 'ITEMS', align: 'right', value: (t) => String(t.items ?? 1) },
      { title: 'WORKER', align: 'right', value: (t) => String(t.worker) },
      { title: 'TOOK', align: 'right', value: (t) => (t.end === null ? 'unfinished' : formatDuration(t.end - t.start)) },
      { title: 'RESULT', value: taskResultText },
      { title: 'FETCHED', value: (t) => (t.fetched ? 'yes' : 'no') },
    ]),
  );
  const notes = [`refused connections: ${summary.refused}`, `dropped events: ${summary.dropped}`];
  if (trace.skippedLines > 0) notes.push(`unreadable lines skipped: ${trace.skippedLines} (the trace was cut short?)`);
  if (trace.unknownEvents > 0) notes.push(`events of unknown kinds skipped: ${trace.unknownEvents}`);
  sections.push('', notes.join(', '));
  return printable(sections[0] ?? '') + '\n' + sections.slice(1).join('\n') + '\n';
}

function taskResultText(t: TaskSummary): string {
  if (t.ok !== null) return t.ok ? 'ok' : `error: ${t.result ?? ''}`;
  // Never ended (its worker died?): what the program got when it asked.
  return t.fetchError === null ? '?' : `none; fetch raised ${t.fetchError.split(':')[0] ?? ''}`;
}

function exitText(p: ProcessSummary): string {
  if (p.signal !== null) return p.exitcode === null ? p.signal : `${p.signal} (${p.exitcode})`;
  return p.exitcode === null ? '?' : String(p.exitcode);
}

function timeText(ns: number | null): string {
  return ns === null ? '?' : formatDuration(ns);
}
