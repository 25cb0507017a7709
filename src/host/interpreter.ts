// Which Python runs the script: the one the Python extension chose for the
// file's workspace; else the `procview.pythonPath` setting; else python3 or
// python on the PATH. The editor supplies the first two; this decides.

import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export interface InterpreterChoices {
  /** From the Python extension, when it is installed and has chosen one. */
  selected: string | null;
  /** The `procview.pythonPath` setting ('' when unset). */
  setting: string;
  /** The PATH to search. */
  searchPath: string;
}

export type InterpreterSource = 'python-extension' | 'setting' | 'path';

export function chooseInterpreter(choices: InterpreterChoices): { path: string; source: InterpreterSource } | null {
  if (choices.selected) return { path: choices.selected, source: 'python-extension' };
  if (choices.setting.trim() !== '') return { path: choices.setting.trim(), source: 'setting' };
  for (const name of ['python3', 'python']) {
    const found = findOnPath(name, choices.searchPath);
    if (found) return { path: found, source: 'path' };
  }
  return null;
}

export function findOnPath(name: string, searchPath: string): string | null {
  for (const folder of searchPath.split(path.delimiter)) {
    if (folder === '') continue;
    const candidate = path.join(folder, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}
