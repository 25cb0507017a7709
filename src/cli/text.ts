// Plain-text output for a terminal. Strings from the user's program (names,
// messages, locations) are data: control characters are shown escaped, so a
// name cannot move the cursor or recolour the terminal.

export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export type Align = 'left' | 'right';

export interface Column<Row> {
  title: string;
  align?: Align;
  value: (row: Row) => string;
}

/** An aligned table: a title row, then one line per row, columns two spaces apart. */
export function formatTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], indent = '  '): string {
  const cells = rows.map((row) => columns.map((column) => printable(column.value(row))));
  const widths = columns.map((column, i) => Math.max(column.title.length, ...cells.map((line) => line[i]?.length ?? 0)));
  const formatLine = (line: readonly string[]): string =>
    indent +
    line
      .map((cell, i) => (columns[i]?.align === 'right' ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [formatLine(columns.map((column) => column.title)), ...cells.map(formatLine)].join('\n');
}

/** Nanoseconds as a short human duration: 850 ns, 12.3 µs, 4.56 ms, 1.234 s. */
export function formatDuration(ns: number): string {
  const magnitude = Math.abs(ns);
  if (magnitude < 1e3) return `${Math.round(ns)} ns`;
  if (magnitude < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (magnitude < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(3)} s`;
}
