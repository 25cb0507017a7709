// What the editor shows about a run besides the panel: the status bar's line,
// the hang notification's words, and the findings as problems on lines.

import type { Finding } from '../core/diagnosis/findings';
import type { ViewData } from '../core/view/view-data';

/** "3 processes · 1,200 events/s · 4.2 s", from two successive views `elapsedMs` apart. */
export function statusLine(data: Pick<ViewData, 'processes' | 'events'>, previous: { events: number; at: number } | null, now: number, startedAt: number): string {
  const alive = data.processes.filter((proc) => proc.end === null && !proc.helper).length;
  const rate = previous && now > previous.at ? ((data.events - previous.events) * 1000) / (now - previous.at) : 0;
  const seconds = (now - startedAt) / 1000;
  return `${alive} process${alive === 1 ? '' : 'es'} · ${Math.round(rate).toLocaleString('en')} events/s · ${seconds.toFixed(1)} s`;
}

/** The first finding's summary, as a notification says it. */
export function hangMessage(data: Pick<ViewData, 'verdict' | 'findings'>): string | null {
  if (data.verdict !== 'hang') return null;
  const finding = data.findings.find((candidate) => candidate.severity === 'error') ?? data.findings[0];
  return finding ? `The program hangs: ${finding.summary}` : 'The program hangs: every thread waits and nothing moves.';
}

export interface LineProblem {
  file: string;
  /** 1-based. */
  line: number;
  message: string;
  severity: 'error' | 'warning';
  kind: string;
}

/** Each finding on each of its lines: what the Problems view lists. */
export function findingProblems(findings: readonly Finding[]): LineProblem[] {
  const out: LineProblem[] = [];
  for (const finding of findings) {
    for (const location of new Set(finding.locations)) {
      const match = /^(.*):(\d+)$/.exec(location);
      if (!match?.[1] || !match[2]) continue;
      out.push({ file: match[1], line: Number(match[2]), message: `${finding.summary} Hint: ${finding.hint}`, severity: finding.severity, kind: finding.kind });
    }
  }
  return out;
}
