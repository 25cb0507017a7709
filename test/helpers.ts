// Shared by the Node tests: run the built command for real, make scratch folders.

import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

export const repoRoot = path.resolve(__dirname, '..');
export const cliPath = path.join(repoRoot, 'dist', 'cli.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli.js ARGS` (built by `npm run build`) and waits for it. */
export function runCli(args: readonly string[], options: SpawnSyncOptions = {}): CliResult {
  const result = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 60_000, ...options });
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** A fresh folder, removed when the test file ends. */
export function scratchDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'procview-test-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
