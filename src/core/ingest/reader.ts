// Reads a .pvtrace file: the header, then events through the same
// event-object path as the live stream (nameEvent, buildEvent). Version 2 lines
// are positional arrays named by the header's `kinds`; version 1 lines were
// objects, and still read. A consumer that reads values by place (the run
// model's addRaw) can take the lines laid out as this version writes them
// before they are named: most of a trace then never becomes event objects.

import { open } from 'node:fs/promises';
import { TRACE_FORMAT, TRACE_FORMAT_VERSION, type TraceEvent, type TraceHeader } from '../events';
import { buildEvent, isPlainObject, isTraceEvent, nameValues, readyByPlace, RUN_KINDS, type AnyEvent, type KindTable } from './event-record';
import { LineSplitter, LineTooLongError } from './lines';
import { LineScanner } from './scan';

/** The file cannot be read as a trace; the message says why, for a person. */
export class TraceFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotATraceError extends TraceFileError {}

export class NewerTraceVersionError extends TraceFileError {
  constructor(readonly version: number) {
    super(`written in trace format version ${version}; this procview reads up to version ${TRACE_FORMAT_VERSION}`);
  }
}

const NEWLINE = 0x0a;

/** A header line is short; a first "line" longer than this is not a trace. */
const MAX_HEADER_BYTES = 1 << 20;

export class TraceReader {
  header: TraceHeader | undefined;
  /** Lines that are not events (a run killed mid-write ends in a partial line). */
  skippedLines = 0;
  /** Events of kinds this version does not know. */
  unknownEvents = 0;
  private readonly splitter = new LineSplitter(MAX_HEADER_BYTES);
  private kinds: KindTable = RUN_KINDS;
  private readonly scanner = new LineScanner();
  /** Reads a plain event line from its bytes; -1 leaves the line to `otherLine`. */
  private readonly plainLine = (bytes: Buffer, start: number): number => {
    const newline = this.scanner.read(bytes, start);
    if (newline !== -1) this.readScanned();
    return newline;
  };
  private readonly otherLine = (bytes: Buffer, start: number, end: number): void => {
    this.readLine(bytes.toString('utf8', start, end));
  };

  /**
   * @param onRaw if given, offered first each event that can be read by place
   *   (readyByPlace: laid out as a RawEvent of this version, its kind's own
   *   string in place), so that no object is made for it; it returns whether
   *   it took the event, which is otherwise named and given to `onEvent`. The
   *   array is the reader's, reused for the next line.
   * @param bytesPlaces values that `onRaw` takes as a ScannedText (scan.ts)
   *   rather than a string, where the line allows: by kind, the value's place.
   *   An event given to `onEvent` has strings only.
   */
  constructor(
    private readonly onEvent: (event: TraceEvent) => void,
    private readonly onRaw?: (raw: readonly unknown[]) => boolean,
    bytesPlaces: Readonly<Record<string, number>> = {},
  ) {
    if (onRaw) for (const [kind, place] of Object.entries(bytesPlaces)) this.scanner.leaveAsBytes(kind, place);
  }

  push(chunk: Buffer): void {
    // Past the header, events are read from the bytes (scan.ts); the header's line goes the plain way.
    if (!this.header) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) {
        this.pushLines(chunk);
        return;
      }
      // Read, or refused: nothing after a line that is no header is read.
      this.pushLines(chunk.subarray(0, newline + 1));
      chunk = chunk.subarray(newline + 1);
    }
    this.splitter.eachLineRead(chunk, this.plainLine, this.otherLine);
  }

  /** Each whole line of the chunk, as a string. */
  private pushLines(chunk: Buffer): void {
    let lines: string[];
    try {
      lines = this.splitter.push(chunk);
    } catch (error) {
      if (error instanceof LineTooLongError) throw new NotATraceError('no pvtrace header line');
      throw error;
    }
    for (const line of lines) this.readLine(line);
  }

  /** Call at the end of the input; throws if there was no header at all. */
  end(): TraceHeader {
    const rest = this.splitter.end();
    if (rest !== undefined) this.readLine(rest);
    if (!this.header) throw new NotATraceError('the file is empty');
    return this.header;
  }

  private readLine(line: string): void {
    if (!this.header) {
      this.header = parseHeader(line);
      if (this.header.kinds) this.kinds = this.header.kinds;
      this.splitter.maxLineBytes = Number.POSITIVE_INFINITY;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // A blank line is no event and no damage either (looked at only here: lines are rarely blank).
      if (line.trim() !== '') this.skippedLines++;
      return;
    }
    if (Array.isArray(value)) this.readValues(value, value.length);
    else {
      const { t, pid, tid, kind, ...fields } = isPlainObject(value) ? value : {};
      this.readEvent(buildEvent(t, pid, tid, kind, fields));
    }
  }

  private readScanned(): void {
    const { values, count } = this.scanner;
    if (this.onRaw && readyByPlace(values, count, this.kinds) && this.onRaw(values)) return;
    this.scanner.makeStrings();
    this.readEvent(nameValues(values, count, this.kinds));
  }

  private readValues(values: unknown[], count: number): void {
    if (this.onRaw && readyByPlace(values, count, this.kinds) && this.onRaw(values)) return;
    this.readEvent(nameValues(values, count, this.kinds));
  }

  private readEvent(event: AnyEvent | undefined): void {
    if (!event) this.skippedLines++;
    else if (!isTraceEvent(event)) this.unknownEvents++;
    else this.onEvent(event);
  }
}

function parseHeader(line: string): TraceHeader {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new NotATraceError('the first line is not a pvtrace header');
  }
  if (!isPlainObject(value) || value.format !== TRACE_FORMAT || typeof value.version !== 'number') {
    throw new NotATraceError('the first line is not a pvtrace header');
  }
  if (value.version > TRACE_FORMAT_VERSION) throw new NewerTraceVersionError(value.version);
  if (value.kinds !== undefined && !isKindTable(value.kinds)) throw new NotATraceError('the header\'s kinds table is not valid');
  return value as unknown as TraceHeader;
}

export interface TraceFile {
  header: TraceHeader;
  events: TraceEvent[];
  skippedLines: number;
  unknownEvents: number;
}

/** Reads a whole trace file. Errors: TraceFileError subclasses, or the file system's (ENOENT...). */
export async function readTraceFile(path: string): Promise<TraceFile> {
  const events: TraceEvent[] = [];
  const reader = new TraceReader((event) => events.push(event));
  const header = await readFileInto(path, reader);
  return { header, events, skippedLines: reader.skippedLines, unknownEvents: reader.unknownEvents };
}

/** Bytes read from a file at a time. */
const CHUNK_BYTES = 1 << 20;

/**
 * Pushes the file at `path` through `reader`, a chunk at a time, and ends it.
 * Two buffers, used in turn (the reader keeps no view of one): the next chunk
 * is read while this one is pushed, so the thread does not sit idle while the
 * file system copies each one (a tenth of the time, for a big trace). Not a new
 * buffer a chunk: memory never touched before is slow on some machines (on a
 * virtual machine seen here, 4.4 ms a MB), and a new buffer a chunk cost a
 * 67 MB trace 16,000 page faults, a quarter of the time it took to read and
 * model it.
 */
export async function readFileInto(path: string, reader: TraceReader): Promise<TraceHeader> {
  const file = await open(path, 'r');
  try {
    let next = Buffer.allocUnsafeSlow(CHUNK_BYTES);
    let reading = file.read(next, 0, CHUNK_BYTES, 0);
    let position = 0;
    let spare = Buffer.allocUnsafeSlow(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      const chunk = next;
      position += bytesRead;
      next = spare;
      spare = chunk;
      reading = file.read(next, 0, CHUNK_BYTES, position);
      reader.push(chunk.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
  return reader.end();
}

function isKindTable(value: unknown): value is KindTable {
  return isPlainObject(value) && Object.values(value).every((names) => Array.isArray(names) && names.every((name) => typeof name === 'string'));
}
