// `procview run` arguments: what to run, with which interpreter, where the trace goes.

import { openSync, readSync, closeSync, statSync } from 'node:fs';
import path from 'node:path';
import { findOnPath } from '../host/interpreter';
import { traceFileFor } from '../host/run-spec';
import { UsageError } from './errors';

export type RunTarget = { kind: 'script'; path: string } | { kind: 'module'; name: string };

export interface RunArgs {
  target: RunTarget;
  /** Arguments for the script or module. */
  args: string[];
  out: string | undefined;
  /** Also write the run as Chrome trace JSON here. */
  chrome: string | undefined;
  /** Also write the standalone HTML report here. */
  html: string | undefined;
  /** Serve the viewer on 127.0.0.1 while the program runs, and after it until Ctrl-C. */
  view: boolean;
  /** After the run, wait for a key before exiting (a terminal that closes with its process keeps the output until then). */
  hold: boolean;
  /** Serve the live view for another program (the VS Code extension): its URL goes into this file; serving ends with the run. */
  serve: string | undefined;
  python: string | undefined;
  /** Seconds without progress, every thread waiting, that make a hang. */
  hangTimeout: number;
  onHang: OnHang;
}

export type OnHang = 'report' | 'kill';

export const DEFAULT_HANG_TIMEOUT_S = 3;

/** Options go before the script; everything after the script or module is the script's. */
export function parseRunArgs(argv: readonly string[]): RunArgs | 'help' {
  let out: string | undefined;
  let chrome: string | undefined;
  let html: string | undefined;
  let view = false;
  let serve: string | undefined;
  let hold = false;
  let python: string | undefined;
  let hangTimeout = DEFAULT_HANG_TIMEOUT_S;
  let onHang: OnHang = 'report';
  const optionValue = (name: string, i: number): string => {
    const value = argv[i + 1];
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [name, inlineValue] = arg.startsWith('--') ? splitOnce(arg, '=') : [arg, undefined];
    switch (name) {
      case '-h':
      case '--help':
        return 'help';
      case '--view':
      case '--hold':
        if (inlineValue !== undefined) throw new UsageError(`${name} takes no value`);
        if (name === '--view') view = true;
        else hold = true;
        break;
      case '--out':
      case '--chrome':
      case '--html':
      case '--serve':
      case '--python':
      case '--hang-timeout':
      case '--on-hang': {
        const value = inlineValue ?? optionValue(name, i);
        if (inlineValue === undefined) i++;
        if (name === '--out') out = value;
        else if (name === '--chrome' || name === '--html' || name === '--serve') {
          if (value === '') throw new UsageError(`${name} needs a value`);
          if (name === '--chrome') chrome = value;
          else if (name === '--html') html = value;
          else serve = value;
        } else if (name === '--python') python = value;
        else if (name === '--hang-timeout') hangTimeout = parseHangTimeout(value);
        else onHang = parseOnHang(value);
        break;
      }
      case '-m': {
        const module = optionValue('-m', i);
        return { target: { kind: 'module', name: module }, args: argv.slice(i + 2), out, chrome, html, view, serve, hold, python, hangTimeout, onHang };
      }
      case '--': {
        const script = argv[i + 1];
        if (script === undefined) throw new UsageError('run needs a SCRIPT or -m MODULE');
        return { target: { kind: 'script', path: script }, args: argv.slice(i + 2), out, chrome, html, view, serve, hold, python, hangTimeout, onHang };
      }
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option for run: ${arg}`);
        return { target: { kind: 'script', path: arg }, args: argv.slice(i + 1), out, chrome, html, view, serve, hold, python, hangTimeout, onHang };
    }
  }
  throw new UsageError('run needs a SCRIPT or -m MODULE');
}

function parseHangTimeout(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--hang-timeout needs a number of seconds greater than 0, not ${JSON.stringify(value)}`);
  }
  return seconds;
}

function parseOnHang(value: string): OnHang {
  if (value === 'report' || value === 'kill') return value;
  throw new UsageError(`--on-hang is report or kill, not ${JSON.stringify(value)}`);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

const PYTHON_EXTENSIONS = new Set(['.py', '.pyw', '.pyz']);

/** Refuses what Python could not run as a script: a missing path, a folder without __main__.py, a non-Python file. */
export function checkScript(scriptPath: string): void {
  let stats;
  try {
    stats = statSync(scriptPath);
  } catch {
    throw new UsageError(`no such script: ${scriptPath}`);
  }
  if (stats.isDirectory()) {
    if (!isFile(path.join(scriptPath, '__main__.py'))) {
      throw new UsageError(`${scriptPath} is a folder without __main__.py`);
    }
    return;
  }
  if (PYTHON_EXTENSIONS.has(path.extname(scriptPath).toLowerCase())) return;
  if (!/^#!.*python/.test(firstLine(scriptPath))) {
    throw new UsageError(`${scriptPath} is not a Python file (expected .py, .pyw, .pyz, a folder with __main__.py, or a python #! line)`);
  }
}

function isFile(filePath: string): boolean {
  try {
    return statSync(filePath).isFile();
  } catch {
    return false;
  }
}

function firstLine(filePath: string): string {
  const buffer = Buffer.alloc(256);
  let fd: number | undefined;
  try {
    fd = openSync(filePath, 'r');
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('utf8').split('\n', 1)[0] ?? '';
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** --python, then $PROCVIEW_PYTHON, then python3 or python found on PATH. */
export function resolveInterpreter(option: string | undefined, env: NodeJS.ProcessEnv): string {
  if (option) return option;
  if (env.PROCVIEW_PYTHON) return env.PROCVIEW_PYTHON;
  for (const name of ['python3', 'python']) {
    const found = findOnPath(name, env);
    if (found) return found;
  }
  throw new UsageError('no Python interpreter found (tried python3 and python on PATH); use --python PATH');
}

/** `.procview/<name>-<YYYYmmdd-HHMMSS>.pvtrace`, relative to the current folder. */
export function defaultTracePath(target: RunTarget, now: Date): string {
  return traceFileFor('.', target.kind === 'module' ? target.name : target.path, now);
}
