// Which Python runs the script: the one the Python extension chose for the
// file's workspace; else the `procview.pythonPath` setting; else python3 or
// python on the PATH. The editor supplies the first two; this decides, and
// says in words what is wrong when nothing will do.

import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { settingPath } from './run-spec';

export interface InterpreterChoices {
  /** From the Python extension, when it is installed and has chosen one. */
  selected: string | null;
  /** The `procview.pythonPath` setting ('' when unset). */
  setting: string;
  /** The PATH to search. */
  searchPath: string;
  /** The workspace folder: `${workspaceFolder}` in the setting, and what a relative setting is relative to. */
  folder: string;
}

export type InterpreterSource = 'python-extension' | 'setting' | 'path';

export type InterpreterChoice = { path: string; source: InterpreterSource } | { problem: string };

export function chooseInterpreter(choices: InterpreterChoices): InterpreterChoice {
  if (choices.selected) return { path: choices.selected, source: 'python-extension' };
  const setting = choices.setting.trim();
  if (setting !== '') return fromSetting(setting, choices);
  for (const name of ['python3', 'python']) {
    const found = findOnPath(name, { PATH: choices.searchPath, PATHEXT: process.env.PATHEXT });
    if (found) return { path: found, source: 'path' };
  }
  return {
    problem:
      'Process View found no Python interpreter: the Python extension has not chosen one, procview.pythonPath is not set, and neither python3 nor python is on the PATH.',
  };
}

/**
 * The setting as a person writes it: a path (absolute, relative to the
 * workspace folder, or with `${workspaceFolder}`), or a bare name such as
 * `python3.12` looked up on the PATH. Set but unusable is an error, not a
 * reason to quietly run another Python.
 */
function fromSetting(setting: string, choices: InterpreterChoices): InterpreterChoice {
  const isName = !setting.includes('/') && !setting.includes(path.sep);
  const asPath = settingPath(setting, choices.folder);
  const found = isName ? findOnPath(setting, { PATH: choices.searchPath, PATHEXT: process.env.PATHEXT }) : isExecutableFile(asPath) ? asPath : null;
  if (found) return { path: found, source: 'setting' };
  const where = isName ? 'no executable of that name is on the PATH' : 'there is no executable file there';
  return { problem: `procview.pythonPath is set to "${setting}", but ${where}.` };
}

/** `name` on `env.PATH` (with PATHEXT's extensions on Windows), or null. */
export function findOnPath(name: string, env: { PATH?: string; PATHEXT?: string }): string | null {
  const searchPath = env.PATH ?? '';
  const extensions = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE').split(';') : [''];
  for (const folder of searchPath.split(path.delimiter)) {
    if (folder === '') continue;
    for (const extension of extensions) {
      const candidate = path.join(folder, name + extension);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

function isExecutableFile(candidate: string): boolean {
  try {
    if (!statSync(candidate).isFile()) return false;
    accessSync(candidate, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
