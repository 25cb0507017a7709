// Writes the .pvtrace file as events arrive: the header, then one event a line,
// each in its positional form `[t, pid, tid, kind, ...values]` (the header's
// `kinds` names the values).
//
// The header names the interpreter, which only the main process's
// `process.begin` tells (its `python` field). Events that arrive before it are
// held in memory and written right after the header; if it never comes (the
// runtime did not start), the header is written at close with the interpreter
// `procview run` resolved. Lines are buffered and written with a short delay or
// once enough piled up, and everything left is written at close.
//
// The writes are synchronous: a write of 256 kB into the page cache takes a
// fraction of a millisecond, and with writes in flight each flush needed a new
// buffer, whose fresh memory cost a page fault per 4 kB written: a third of
// the listener's time on a lock-heavy run.

import { closeSync, openSync, writeSync } from 'node:fs';
import { KIND_FIELDS, TRACE_FORMAT, TRACE_FORMAT_VERSION, type PythonInfo, type TraceHeader } from './events';
import type { RunClock } from './ingest/clock';
import { fieldIndex, type RawEvent } from './ingest/event-record';
import { JsonLineBuffer } from './json-lines';
import type { EncodedLine } from './listener';

const PYTHON_OF_BEGIN = fieldIndex('process.begin', 'python');

const FLUSH_DELAY_MS = 100;
const FLUSH_BYTES = 256 * 1024;

export interface TraceWriterOptions {
  path: string;
  /** The script's command line (what follows the interpreter). */
  argv: string[];
  cwd: string;
  clock: RunClock;
  procviewVersion: string;
}

export class TraceWriter {
  /** Events written or waiting to be written (the header not counted). */
  eventCount = 0;
  /** The header, once written (the main process said which interpreter it is, or the file was closed). */
  header: TraceHeader | undefined;
  private headerWritten = false;
  private readonly beforeHeader: RawEvent[] = [];
  private readonly pending = new JsonLineBuffer(2 * FLUSH_BYTES);
  /** Lines given with the events (appended in a row from one buffer), not copied yet. */
  private readonly lineRun: { bytes: Uint8Array | null; start: number; end: number } = { bytes: null, start: 0, end: 0 };
  private flushTimer: NodeJS.Timeout | undefined;
  private writeError: Error | undefined;

  private constructor(
    private readonly fd: number,
    private readonly options: TraceWriterOptions,
  ) {}

  /** Creates (or truncates) the file now, so a path that cannot be written fails before the run. */
  static open(options: TraceWriterOptions): Promise<TraceWriter> {
    try {
      return Promise.resolve(new TraceWriter(openSync(options.path, 'w'), options));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Writes `event`. `line`, if given, is its line already written (from the
   * wire): it is copied as it is, with the lines next to it in one piece, by
   * `endOfLines()` at the latest. Until then its bytes must stay as they are.
   */
  append(event: RawEvent, line: EncodedLine | null = null): void {
    this.eventCount++;
    if (this.headerWritten && line !== null) {
      const run = this.lineRun;
      if (run.bytes === line.bytes && run.end === line.start) run.end = line.end;
      else {
        this.endOfLines();
        run.bytes = line.bytes;
        run.start = line.start;
        run.end = line.end;
      }
      return;
    }
    this.endOfLines();
    if (this.headerWritten) {
      this.queueLine(event);
      return;
    }
    this.beforeHeader.push(event);
    const python = event[3] === 'process.begin' ? event[PYTHON_OF_BEGIN] : undefined;
    if (isPythonInfo(python)) this.writeHeader(python);
  }

  /** Copies the lines given with the events so far: their bytes may change from now on. */
  endOfLines(): void {
    const run = this.lineRun;
    if (run.bytes === null) return;
    this.pending.copyFrom(run.bytes, run.start, run.end);
    run.bytes = null;
    this.lineQueued();
  }

  /** Writes what is left and closes the file. Rejects with the first write error, if any. */
  close(fallbackPython: PythonInfo): Promise<void> {
    this.endOfLines();
    if (!this.headerWritten) this.writeHeader(fallbackPython);
    this.flush();
    closeSync(this.fd);
    if (this.writeError !== undefined) throw this.writeError;
    return Promise.resolve();
  }

  private writeHeader(python: PythonInfo): void {
    const header: TraceHeader = {
      format: TRACE_FORMAT,
      version: TRACE_FORMAT_VERSION,
      python,
      argv: this.options.argv,
      cwd: this.options.cwd,
      clockBase: this.options.clock.clockBase(),
      procview: this.options.procviewVersion,
      kinds: KIND_FIELDS,
    };
    this.headerWritten = true;
    this.header = header;
    this.queueLine(header);
    for (const event of this.beforeHeader.splice(0)) this.queueLine(event);
  }

  private queueLine(value: object): void {
    this.pending.line(value);
    this.lineQueued();
  }

  private lineQueued(): void {
    if (this.pending.length >= FLUSH_BYTES) this.flush();
    else
      this.flushTimer ??= setTimeout(() => {
        this.flush();
      }, FLUSH_DELAY_MS);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    // After a failed write nothing more is written: the file would have a hole.
    if (this.writeError === undefined) {
      try {
        const bytes = this.pending.bytes;
        for (let at = 0; at < this.pending.length; ) at += writeSync(this.fd, bytes, at, this.pending.length - at);
      } catch (error) {
        this.writeError = error instanceof Error ? error : new Error(String(error));
      }
    }
    this.pending.truncate(0);
  }
}

function isPythonInfo(value: unknown): value is PythonInfo {
  if (typeof value !== 'object' || value === null) return false;
  const info = value as Record<string, unknown>;
  return typeof info.executable === 'string' && typeof info.version === 'string' && typeof info.implementation === 'string';
}
