// `procview diagnose TRACE [--json]`: the verdict on a run (ok, hang, error)
// and its findings, as of the moment the run hung or its end.

import { diagnose } from '../core/diagnosis/diagnose';
import { fileSourceLines, formatDiagnosis } from '../core/diagnosis/format';
import { RunModel } from '../core/model/run-model';
import { UsageError } from './errors';
import { openTrace } from './summary-command';
import { printable } from './text';
import { USAGE } from './usage';

export async function diagnoseCommand(argv: readonly string[]): Promise<number> {
  let json = false;
  const paths: string[] = [];
  for (const arg of argv) {
    if (arg === '--json') json = true;
    else if (arg === '-h' || arg === '--help') {
      process.stdout.write(USAGE);
      return 0;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option for diagnose: ${arg}`);
    else paths.push(arg);
  }
  const [tracePath] = paths;
  if (tracePath === undefined || paths.length > 1) throw new UsageError('diagnose needs exactly one TRACE file');
  const trace = await openTrace(tracePath);
  const model = new RunModel();
  for (const event of trace.events) model.add(event);
  const diagnosis = diagnose(model);
  if (json) process.stdout.write(JSON.stringify(diagnosis, null, 2) + '\n');
  else process.stdout.write(printableLines(formatDiagnosis(diagnosis, fileSourceLines(trace.header.cwd))));
  return diagnosis.verdict === 'ok' ? 0 : 1;
}

/** Each line made safe for a terminal (strings from the program are data). */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}
