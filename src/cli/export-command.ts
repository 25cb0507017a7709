// `procview export TRACE (--chrome FILE | --html FILE)`: the run in the Chrome
// Trace Event Format (chrome://tracing, ui.perfetto.dev), and/or as the
// standalone HTML report (the viewer with the run inside, one file).

import path from 'node:path';
import { diagnose } from '../core/diagnosis/diagnose';
import type { Diagnosis } from '../core/diagnosis/findings';
import type { TraceHeader } from '../core/events';
import { writeChromeTrace } from '../core/export/chrome';
import { readTraceModel } from '../core/model/read-trace';
import type { RunModel } from '../core/model/run-model';
import { UsageError } from './errors';
import { openTrace } from './summary-command';
import { USAGE } from './usage';
import { prepareOutputFile, writeReport } from './viewer-output';

export async function exportCommand(argv: readonly string[]): Promise<number> {
  const outputs: { chrome?: string; html?: string } = {};
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const at = arg.indexOf('=');
    const [name, inlineValue] = arg.startsWith('--') && at !== -1 ? [arg.slice(0, at), arg.slice(at + 1)] : [arg, undefined];
    if (name === '-h' || name === '--help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (name === '--chrome' || name === '--html') {
      const value = inlineValue ?? argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      outputs[name === '--chrome' ? 'chrome' : 'html'] = value;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option for export: ${arg}`);
    else paths.push(arg);
  }
  const [tracePath] = paths;
  if (tracePath === undefined || paths.length > 1) throw new UsageError('export needs exactly one TRACE file');
  const { chrome, html } = outputs;
  if (chrome === undefined && html === undefined) throw new UsageError('export needs --chrome FILE or --html FILE (the format to write)');
  for (const [option, file] of [['--chrome', chrome], ['--html', html]] as const) {
    if (file !== undefined && path.resolve(file) === path.resolve(tracePath)) throw new UsageError(`${option} ${file} would overwrite the trace it reads`);
  }
  if (chrome !== undefined && html !== undefined && path.resolve(chrome) === path.resolve(html)) throw new UsageError('--chrome and --html name the same file');
  const { header, model } = await openTrace(tracePath, readTraceModel);
  const diagnosis = diagnose(model);
  if (chrome !== undefined) {
    await exportChrome(chrome, model, diagnosis, header);
    process.stderr.write(`procview: Chrome trace written to ${chrome}\n`);
  }
  if (html !== undefined) {
    prepareOutputFile(html, 'HTML report');
    await writeReport(html, model, diagnosis, header);
    process.stderr.write(`procview: HTML report written to ${html}\n`);
  }
  return 0;
}

/** Writes the Chrome trace; every way that fails is one line for the user. */
export async function exportChrome(file: string, model: RunModel, diagnosis: Diagnosis, header?: TraceHeader): Promise<void> {
  prepareOutputFile(file, 'Chrome trace');
  try {
    await writeChromeTrace(file, model, diagnosis, header);
  } catch (error) {
    // The file system's errors (a full disk...) are the user's to fix; anything else is a bug of ours.
    if ((error as NodeJS.ErrnoException).code === undefined) throw error;
    throw new UsageError(`cannot write the Chrome trace ${file}: ${(error as Error).message}`);
  }
}
