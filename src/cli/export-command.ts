// `procview export TRACE --chrome FILE`: the run in the Chrome Trace Event
// Format, for chrome://tracing and ui.perfetto.dev. `--html` is in the design
// and not built yet: it is refused in words that say so.

import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { diagnose } from '../core/diagnosis/diagnose';
import type { Diagnosis } from '../core/diagnosis/findings';
import type { TraceHeader } from '../core/events';
import { writeChromeTrace } from '../core/export/chrome';
import { RunModel } from '../core/model/run-model';
import { UsageError } from './errors';
import { openTrace } from './summary-command';
import { USAGE } from './usage';

export const HTML_NOT_YET = '--html is not available yet (the HTML report is still to come); use --chrome FILE';

export async function exportCommand(argv: readonly string[]): Promise<number> {
  let chrome: string | undefined;
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const at = arg.indexOf('=');
    const [name, inlineValue] = arg.startsWith('--') && at !== -1 ? [arg.slice(0, at), arg.slice(at + 1)] : [arg, undefined];
    if (name === '-h' || name === '--help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (name === '--chrome') {
      const value = inlineValue ?? argv[++i];
      if (value === undefined || value === '') throw new UsageError('--chrome needs a value');
      chrome = value;
    } else if (name === '--html') throw new UsageError(HTML_NOT_YET);
    else if (arg.startsWith('-')) throw new UsageError(`unknown option for export: ${arg}`);
    else paths.push(arg);
  }
  const [tracePath] = paths;
  if (tracePath === undefined || paths.length > 1) throw new UsageError('export needs exactly one TRACE file');
  if (chrome === undefined) throw new UsageError('export needs --chrome FILE (the format to write)');
  if (path.resolve(chrome) === path.resolve(tracePath)) throw new UsageError(`--chrome ${chrome} would overwrite the trace it reads`);
  const trace = await openTrace(tracePath);
  const model = new RunModel();
  for (const event of trace.events) model.add(event);
  await exportChrome(chrome, model, diagnose(model), trace.header);
  process.stderr.write(`procview: Chrome trace written to ${chrome}\n`);
  return 0;
}

/** Makes the file's folder and creates the file now, so a path that cannot be written fails before anything else happens. */
export function prepareChromeFile(file: string): void {
  try {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    closeSync(openSync(file, 'w'));
  } catch (error) {
    throw new UsageError(`cannot write the Chrome trace ${file}: ${(error as Error).message}`);
  }
}

/** Writes the Chrome trace; every way that fails is one line for the user. */
export async function exportChrome(file: string, model: RunModel, diagnosis: Diagnosis, header?: TraceHeader): Promise<void> {
  prepareChromeFile(file);
  try {
    await writeChromeTrace(file, model, diagnosis, header);
  } catch (error) {
    // The file system's errors (a full disk...) are the user's to fix; anything else is a bug of ours.
    if ((error as NodeJS.ErrnoException).code === undefined) throw error;
    throw new UsageError(`cannot write the Chrome trace ${file}: ${(error as Error).message}`);
  }
}
