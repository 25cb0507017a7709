// The command line the extension runs in a terminal: `procview run` on the
// person's script with the chosen interpreter and settings, serving its live
// view for the panel. Plain data in, plain data out.

import { existsSync } from 'node:fs';
import path from 'node:path';

export type OnHangSetting = 'report' | 'kill';

export interface RunRequest {
  /** The extension's own folder: dist/cli.js and the Python runtime are inside. */
  extensionPath: string;
  /** The Node that runs the CLI (the extension host's own executable). */
  nodePath: string;
  script: string;
  args: readonly string[];
  cwd: string;
  python: string;
  hangTimeout: number;
  onHang: OnHangSetting;
  /** Extra environment for the script, from the settings. */
  env: Readonly<Record<string, string>>;
  tracePath: string;
  urlFile: string;
}

export interface RunSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/**
 * A path from a setting as a person writes it in VS Code: absolute, relative to
 * the workspace folder, or with `${workspaceFolder}` in it.
 */
export function settingPath(setting: string, workspaceFolder: string): string {
  return path.resolve(workspaceFolder, setting.trim().replaceAll('${workspaceFolder}', workspaceFolder));
}

/** Where the script runs: the `procview.cwd` setting, else the workspace folder. */
export function runFolder(cwdSetting: string, workspaceFolder: string): string {
  return cwdSetting.trim() === '' ? workspaceFolder : settingPath(cwdSetting, workspaceFolder);
}

export function runSpec(request: RunRequest): RunSpec {
  return {
    command: request.nodePath,
    args: [
      path.join(request.extensionPath, 'dist', 'cli.js'),
      'run',
      '--out', request.tracePath,
      '--serve', request.urlFile,
      '--python', request.python,
      '--hang-timeout', String(request.hangTimeout),
      '--on-hang', request.onHang,
      // VS Code closes a terminal when its process ends: keep the script's output on screen until a key.
      '--hold',
      '--',
      request.script,
      ...request.args,
    ],
    cwd: request.cwd,
    // Inside Electron (desktop VS Code) the executable is Node only when told so.
    env: { ...request.env, ELECTRON_RUN_AS_NODE: '1' },
  };
}

/** "pipeline.py" → `.procview/pipeline-20261129-171500.pvtrace` under `folder`, in local time (a module: its name). */
export function traceFileFor(folder: string, script: string, now: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}-${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  const name = `${path.basename(script).replace(/\.py$/, '')}-${stamp}`;
  // Two runs in one second (Rerun, pressed quickly) keep both traces.
  for (let n = 1; ; n++) {
    const candidate = path.join(folder, '.procview', `${name}${n === 1 ? '' : `-${n}`}.pvtrace`);
    if (!existsSync(candidate)) return candidate;
  }
}

/** Arguments typed in one line, split as a shell would on spaces, with quotes kept together. */
export function splitArguments(line: string): string[] {
  const out: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(line)) !== null) out.push(match[1]?.replace(/\\(.)/g, '$1') ?? match[2] ?? match[3] ?? '');
  return out;
}

/** The inverse of splitArguments: what to show in the box for arguments already chosen. */
export function joinArguments(args: readonly string[]): string {
  return args.map((arg) => (/^[^\s"'\\]+$/.test(arg) ? arg : `"${arg.replace(/["\\]/g, '\\$&')}"`)).join(' ');
}
