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

import { open, type FileHandle } from 'node:fs/promises';
import { KIND_FIELDS, TRACE_FORMAT, TRACE_FORMAT_VERSION, type PythonInfo, type TraceHeader } from './events';
import type { RunClock } from './ingest/clock';
import { fieldIndex, type RawEvent } from './ingest/event-record';
import { JsonLineBuffer } from './json-lines';

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
  private flushTimer: NodeJS.Timeout | undefined;
  /** Writes happen one after another, in order, on this chain. */
  private writing: Promise<void> = Promise.resolve();
  private writeError: Error | undefined;

  private constructor(
    private readonly file: FileHandle,
    private readonly options: TraceWriterOptions,
  ) {}

  /** Creates (or truncates) the file now, so a path that cannot be written fails before the run. */
  static async open(options: TraceWriterOptions): Promise<TraceWriter> {
    return new TraceWriter(await open(options.path, 'w'), options);
  }

  append(event: RawEvent): void {
    this.eventCount++;
    if (this.headerWritten) {
      this.queueLine(event);
      return;
    }
    this.beforeHeader.push(event);
    const python = event[3] === 'process.begin' ? event[PYTHON_OF_BEGIN] : undefined;
    if (isPythonInfo(python)) this.writeHeader(python);
  }

  /** Writes what is left and closes the file. Rejects with the first write error, if any. */
  async close(fallbackPython: PythonInfo): Promise<void> {
    if (!this.headerWritten) this.writeHeader(fallbackPython);
    this.flush();
    await this.writing;
    await this.file.close();
    if (this.writeError !== undefined) throw this.writeError;
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
    const text = this.pending.take();
    this.writing = this.writing.then(async () => {
      if (this.writeError !== undefined) return;
      try {
        await this.file.write(text);
      } catch (error) {
        this.writeError = error instanceof Error ? error : new Error(String(error));
      }
    });
  }
}

function isPythonInfo(value: unknown): value is PythonInfo {
  if (typeof value !== 'object' || value === null) return false;
  const info = value as Record<string, unknown>;
  return typeof info.executable === 'string' && typeof info.version === 'string' && typeof info.implementation === 'string';
}
