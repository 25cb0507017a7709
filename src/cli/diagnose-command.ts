// `procview diagnose TRACE [--json]`: the verdict on a run (ok, hang, error)
// and its findings, as of the moment the run hung or its end.

import { diagnose } from '../core/diagnosis/diagnose';
import { fileSourceLines, formatDiagnosis } from '../core/diagnosis/format';
import { readTraceModel } from '../core/model/read-trace';
import { openTrace, parseTraceArgs } from './summary-command';
import { printable } from './text';
import { USAGE } from './usage';

export async function diagnoseCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseTraceArgs('diagnose', argv);
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const { tracePath, json } = parsed;
  const { header, model } = await openTrace(tracePath, readTraceModel);
  const diagnosis = diagnose(model);
  if (json) process.stdout.write(JSON.stringify(diagnosis, null, 2) + '\n');
  else process.stdout.write(printableLines(formatDiagnosis(diagnosis, fileSourceLines(header.cwd))));
  return diagnosis.verdict === 'ok' ? 0 : 1;
}

/** Each line made safe for a terminal (strings from the program are data). */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}
