// The human form of a diagnosis, read like a good compiler error: what is
// wrong in one sentence, the lines involved (with their source), the chain,
// and the fix.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnosis, Finding } from './findings';
import { countOf } from './names';

/** Reads line `line` of `file` (relative to `cwd`), or undefined. */
export type SourceLines = (file: string, line: number) => string | undefined;

export function fileSourceLines(cwd: string): SourceLines {
  const cache = new Map<string, string[] | null>();
  return (file, line) => {
    const full = path.resolve(cwd, file);
    let lines = cache.get(full);
    if (lines === undefined) {
      try {
        lines = readFileSync(full, 'utf8').split('\n');
      } catch {
        lines = null;
      }
      cache.set(full, lines);
    }
    return lines?.[line - 1];
  };
}

export function formatDiagnosis(diagnosis: Diagnosis, source: SourceLines): string {
  const out: string[] = [];
  const counts = countWords(diagnosis.findings);
  if (diagnosis.verdict === 'hang') out.push(`the program hangs${diagnosis.at === null ? '' : ` (seen ${(diagnosis.at / 1e9).toFixed(2)} s into the run)`}: ${counts}.`);
  else if (diagnosis.verdict === 'error') out.push(`the program failed${diagnosis.mainEnd ? ` (${diagnosis.mainEnd})` : ''}: ${counts}.`);
  else out.push(diagnosis.findings.length === 0 ? 'no problems found.' : `the program ran to its end: ${counts}.`);
  for (const finding of diagnosis.findings) out.push('', ...formatFinding(finding, source));
  return out.join('\n') + '\n';
}

function countWords(findings: readonly Finding[]): string {
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  const warnings = findings.length - errors;
  return `${countOf(errors, 'error')}, ${countOf(warnings, 'warning')}`;
}

function formatFinding(finding: Finding, source: SourceLines): string[] {
  const lines = [`${finding.severity}[${finding.kind}]: ${finding.summary}`];
  for (const location of finding.locations) {
    lines.push(`  --> ${location}`);
    const at = location.lastIndexOf(':');
    const lineNo = Number(location.slice(at + 1));
    const text = at > 0 && Number.isInteger(lineNo) ? source(location.slice(0, at), lineNo) : undefined;
    if (text !== undefined) lines.push(`${String(lineNo).padStart(6)} | ${text.trimEnd()}`);
  }
  if (finding.chain.length > 0) {
    lines.push('   |');
    for (const step of finding.chain) lines.push(`   | ${step}`);
  }
  if (finding.hint) lines.push(`   = hint: ${finding.hint}`);
  return lines;
}
