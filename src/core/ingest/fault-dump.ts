// A process's fault file (python/procview/hooks/faults.py): a first line of
// JSON, how to tell the user's files from the library's (callsite.file_kinds),
// then, only if the process died of a fatal signal, faulthandler's dump:
//
//   Fatal Python error: Segmentation fault
//
//   Thread 0x00007f... (most recent call first):
//     File "/x/worker.py", line 6 in side
//
//   Current thread 0x00007f... (most recent call first):
//     File "/usr/lib/python3.11/ctypes/__init__.py", line 519 in string_at
//     File "/x/worker.py", line 14 in decode
//
// Every thread is listed (all_threads), innermost frame first; the one that
// faulted is the "Current thread", wherever it comes in the list.

import path from 'node:path';
import type { EventFieldsByKind } from '../events';

/** What python/procview/callsite.py's `_classify` goes by, as `file_kinds()` writes it. */
interface FileKinds {
  cwd: string;
  runtime: string;
  library: string[];
  libraryTests: string[];
  siteDirs: string[];
  /** `[file, function]` of the frames where a process's own stack begins (a forked child's dump goes on into its parent's `start()`). */
  stackRoots?: [string, string][];
}

/** faulthandler's words for the signals it handles. */
const SIGNAL_OF_WORDS: Readonly<Record<string, string>> = {
  'Segmentation fault': 'SIGSEGV',
  'Bus error': 'SIGBUS',
  'Floating point exception': 'SIGFPE',
  'Illegal instruction': 'SIGILL',
  Aborted: 'SIGABRT',
};

/** As many of the user's frames as a wait announcement's `stack` keeps (callsite.STACK_LIMIT). */
const STACK_LIMIT = 32;

const FATAL_LINE = /^Fatal Python error: (.*)$/;
const CURRENT_THREAD_LINE = /^Current thread (0x[0-9a-f]+) \(most recent call first\):$/;
const FRAME_LINE = /^ {2}File "(.*)", line (\d+) in (.*)$/;

/** The `process.fault` a fault file tells of, or null when it holds no dump (the process did not crash). */
export function readFaultFile(text: string): EventFieldsByKind['process.fault'] | null {
  const lines = text.split('\n');
  const fatal = lines.findIndex((line) => FATAL_LINE.test(line));
  if (fatal < 1) return null;
  let kinds: FileKinds;
  try {
    kinds = JSON.parse(lines[0] ?? '') as FileKinds;
  } catch {
    return null;
  }
  const words = FATAL_LINE.exec(lines[fatal] ?? '')?.[1] ?? '';
  const current = currentThread(lines.slice(fatal + 1));
  const stack = userFrames(ownFrames(current.frames, kinds.stackRoots ?? []), kinds);
  return { signal: SIGNAL_OF_WORDS[words] ?? null, thread: current.ident, loc: stack?.[stack.length - 1]?.[0] ?? null, stack };
}

/** The faulting thread: its ident (threading.get_ident(), the events' tid) and its frames as `[file, line, function]`, innermost first. */
function currentThread(lines: string[]): { ident: number | null; frames: [string, number, string][] } {
  const start = lines.findIndex((line) => CURRENT_THREAD_LINE.test(line));
  const frames: [string, number, string][] = [];
  if (start < 0) return { ident: null, frames }; // a thread Python does not know (native) faulted
  for (const line of lines.slice(start + 1)) {
    const match = FRAME_LINE.exec(line);
    if (!match) break; // a blank line ends the thread's block ("  ..." a stack cut short)
    frames.push([match[1] ?? '', Number(match[2]), match[3] ?? '']);
  }
  return { ident: Number(CURRENT_THREAD_LINE.exec(lines[start] ?? '')?.[1]), frames };
}

/** The frames inside the innermost stack root: the ones the process ran itself. */
function ownFrames(frames: [string, number, string][], roots: [string, string][]): [string, number, string][] {
  const root = frames.findIndex(([file, , func]) => roots.some(([rootFile, rootFunc]) => file === rootFile && func === rootFunc));
  return root < 0 ? frames : frames.slice(0, root);
}

/** The user's frames, as `[file:line, function]` outermost first (as a wait's `stack`), null when none. */
function userFrames(frames: [string, number, string][], kinds: FileKinds): [string, string][] | null {
  const found: [string, string][] = [];
  for (const [file, line, func] of frames) {
    if (found.length === STACK_LIMIT) break;
    if (isUserFile(file, kinds)) found.push([`${shownPath(file, kinds.cwd)}:${line}`, func]);
  }
  return found.length > 0 ? found.reverse() : null;
}

/** callsite._classify's rule: the runtime's files and the library's are not the user's (its tests and installed packages are). */
function isUserFile(file: string, kinds: FileKinds): boolean {
  if (file.startsWith('<') || file.startsWith(kinds.runtime)) return false; // <frozen ...>, <string>: no file to point at
  if (kinds.libraryTests.some((dir) => file.startsWith(dir))) return true;
  const inLibrary = kinds.library.some((dir) => file.startsWith(dir));
  return !inLibrary || kinds.siteDirs.some((dir) => file.includes(dir));
}

/** As callsite._loc shows a file: relative to the process's starting folder when inside it. */
function shownPath(file: string, cwd: string): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(cwd, file);
  return relative.startsWith('..') ? file : relative;
}
