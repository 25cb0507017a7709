// What the diagnosis reports (DESIGN.md, "Finding kinds"): stable kind names,
// and the shape `procview diagnose --json` prints.

/** Findings that explain a hang or a failure. Names are stable: add, never rename. */
export const FINDING_KINDS = [
  'lock-cycle',
  'self-deadlock',
  'dead-holder',
  'join-undrained-queue',
  'get-starved',
  'put-blocked',
  'wait-unsignaled',
  'join-blocked',
  'task-lost',
  'task-error-unretrieved',
  'child-crashed',
  'syntax-error',
] as const;

/** Warnings about a run that worked, or that hints at why it did not. */
export const LINT_KINDS = ['busy-wait-empty', 'process-never-joined', 'terminate-with-resources', 'uneven-work'] as const;

export type FindingKind = (typeof FINDING_KINDS)[number] | (typeof LINT_KINDS)[number];

export interface FindingProcess {
  pid: number;
  name: string;
  /** The thread's name (`MainThread` for a process's main thread); null when the finding is about the whole process. */
  thread: string | null;
}

export interface Finding {
  kind: FindingKind;
  severity: 'error' | 'warning';
  /** One sentence a person understands. */
  summary: string;
  processes: FindingProcess[];
  /** Names of the queues, locks, Events... involved. */
  primitives: string[];
  /** `file:line` of each wait, and of where a held lock was taken. */
  locations: string[];
  /** What to change. */
  hint: string;
  /** The chain, one step a line ("Worker-1 waits for Lock@a.py:3, held by Worker-2 since a.py:9"). */
  chain: string[];
}

export type Verdict = 'ok' | 'hang' | 'error';

export interface Diagnosis {
  verdict: Verdict;
  /** When the hang was seen (ns since the run's start), for a hang. */
  at: number | null;
  findings: Finding[];
  /**
   * Why the verdict is `error` when no finding of severity error says so: how
   * the main process ended (its exception is on the terminal already, so it is
   * no finding of its own). Absent otherwise.
   */
  mainEnd?: string;
}
