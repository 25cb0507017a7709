// What the host suite (suite.ts, run inside VS Code's extension host) writes
// when it is done, and where: shared by the suite and the harnesses that read
// it (test/vscode/host-suite.test.ts; scripts/test-electron.mjs repeats the two
// names). Nothing here imports `vscode`.

/** An absolute path for the results file; without it, RESULTS_FILE in the workspace folder. */
export const RESULTS_ENV = 'PROCVIEW_HOST_SUITE_RESULTS';

/** The results file's name in the workspace folder, when RESULTS_ENV is not set. */
export const RESULTS_FILE = '.procview-test-results.json';

export interface CheckResult {
  name: string;
  ok: boolean;
  /** The failure's stack (or message); absent when ok. */
  error?: string;
  /** How long the check took, in milliseconds. */
  ms: number;
}

export interface SuiteResults {
  /** Every check passed. */
  ok: boolean;
  /** The whole suite, in milliseconds. */
  ms: number;
  /** The editor it ran in: `vscode.version`, `env.appName`, `env.uiKind` ("desktop" or "web"), `env.remoteName`. */
  host: { version: string; appName: string; uiKind: string; remoteName: string | null };
  checks: CheckResult[];
}
