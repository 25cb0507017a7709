// Shared by the Node tests: run the built command for real, make scratch folders, compare view data.

import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import type { TraceEvent } from '../src/core/events';
import { RunModel } from '../src/core/model/run-model';

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

/**
 * Python literals (or expressions) marshalled by the real interpreter, as the
 * runtime writes them: what the listener must read is what CPython produces.
 */
export function pythonMarshal<T extends readonly string[]>(expressions: readonly [...T]): { [K in keyof T]: Buffer } {
  const python = process.env.PROCVIEW_PYTHON ?? 'python3';
  const program = 'import json, marshal, sys\nfor e in json.load(sys.stdin): print(marshal.dumps(eval(e), 4).hex())';
  const result = spawnSync(python, ['-c', program], { input: JSON.stringify(expressions), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
  return result.stdout.trim().split('\n').map((hex) => Buffer.from(hex, 'hex')) as { [K in keyof T]: Buffer };
}

/** A wire frame: the 4-byte little-endian length, then the payload. */
export function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32LE(payload.length);
  return Buffer.concat([size, payload]);
}

/** Unpacked view data (typed-array columns) with plain arrays again, to compare with what the host built. */
export function withArrays<T>(data: T): T {
  return JSON.parse(JSON.stringify(data, (_key, value: unknown) => (value instanceof Float64Array ? Array.from(value) : value))) as T;
}

/** The run model of `events`, added in the order given (the order they arrive in). */
export function modelOf(events: readonly TraceEvent[]): RunModel {
  const model = new RunModel();
  for (const event of events) model.add(event);
  return model;
}
