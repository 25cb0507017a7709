// Signal names and numbers of the platform we run on (the same machine as the script).

import os from 'node:os';

const signalNumbers = os.constants.signals as Readonly<Partial<Record<string, number>>>;
const signalNames = new Map<number, string>(Object.entries(os.constants.signals).map(([name, signo]) => [signo, name]));

/** 9 → "SIGKILL", or null when this platform has no such signal. */
export function signalName(signo: number): string | null {
  return signalNames.get(signo) ?? null;
}

/** "SIGKILL" → 9, or null when this platform has no such signal. */
export function signalNumber(name: string): number | null {
  return signalNumbers[name] ?? null;
}
