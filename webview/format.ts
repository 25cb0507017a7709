// Times and durations as people read them. The run's clock is nanoseconds
// since it started.

/** `1.250 s`, `12.5 ms`, `40 µs`: the unit that suits the magnitude. */
export function formatDuration(ns: number): string {
  const abs = Math.abs(ns);
  if (abs >= 1e9) return `${trim((ns / 1e9).toFixed(3))} s`;
  if (abs >= 1e6) return `${trim((ns / 1e6).toFixed(abs >= 1e8 ? 0 : 2))} ms`;
  if (abs >= 1e3) return `${trim((ns / 1e3).toFixed(abs >= 1e5 ? 0 : 1))} µs`;
  return `${Math.round(ns)} ns`;
}

/** An instant on the run's clock, with as many digits as the visible span (`span` ns) needs. */
export function formatTime(ns: number, span: number): string {
  if (span >= 5e9) return `${(ns / 1e9).toFixed(1)} s`;
  if (span >= 5e8) return `${(ns / 1e9).toFixed(2)} s`;
  if (span >= 5e7) return `${(ns / 1e9).toFixed(3)} s`;
  if (span >= 5e5) return `${(ns / 1e6).toFixed(span >= 5e6 ? 1 : 2)} ms`;
  return `${(ns / 1e3).toFixed(span >= 5e3 ? 1 : 2)} µs`;
}

function trim(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** `file.py:12` → the file and the line, for "open in the editor". */
export function parseLocation(location: string): { file: string; line: number } | null {
  const match = /^(.*):(\d+)$/.exec(location);
  if (!match?.[1] || !match[2]) return null;
  return { file: match[1], line: Number(match[2]) };
}
