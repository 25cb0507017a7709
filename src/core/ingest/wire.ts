// The wire from the runtime to the listener (docs/trace-format.md, "The wire"):
// a hello line of JSON, then frames: a 4-byte little-endian length and a batch
// in Python's marshal format, a list of `(dt, tid, kind, values)` tuples whose
// `values` follow the field order the hello's `kinds` table names.

import { timingSafeEqual } from 'node:crypto';
import { fieldsOf, isPlainObject, type RawEvent } from './event-record';
import { LineTooLongError } from './lines';
import type { JsonLineBuffer } from '../json-lines';
import { MarshalError, MarshalReader } from './marshal';

/** The wire version this listener speaks (the runtime's recorder.WIRE_VERSION). */
export const WIRE_VERSION = 2;

export interface Hello {
  pid: number;
  ppid: number;
  /** The process's wall clock at its clock pair, ns, exact. */
  wallNs: bigint;
  /** The process's monotonic clock at its clock pair, ns, exact. */
  monoNs: bigint;
  v: number;
  /** Field names of each event kind, in the order the process sends the values. */
  kinds: ReadonlyMap<string, readonly string[]>;
}

export type HelloCheck = { ok: true; hello: Hello } | { ok: false; reason: string };

/** Checks a connection's first line: a hello with the run's token (compared in constant time). */
export function checkHello(line: string, token: string): HelloCheck {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'first line is not JSON' };
  }
  if (!isPlainObject(value) || typeof value.token !== 'string') {
    return { ok: false, reason: 'first line is not a hello' };
  }
  if (!tokensEqual(value.token, token)) {
    return { ok: false, reason: 'wrong token' };
  }
  if (value.v !== WIRE_VERSION) {
    return { ok: false, reason: `unsupported wire version ${JSON.stringify(value.v)} (this procview speaks ${WIRE_VERSION})` };
  }
  const wallNs = exactInteger(line, 'wall', value.wall);
  const monoNs = exactInteger(line, 'mono', value.mono);
  if (!Number.isSafeInteger(value.pid) || !Number.isSafeInteger(value.ppid) || wallNs === undefined || monoNs === undefined) {
    return { ok: false, reason: 'hello without pid, ppid, wall or mono' };
  }
  const kinds = readKinds(value.kinds);
  if (!kinds) return { ok: false, reason: 'hello without a valid kinds table' };
  return { ok: true, hello: { pid: value.pid as number, ppid: value.ppid as number, wallNs, monoNs, v: value.v, kinds } };
}

function readKinds(value: unknown): Map<string, string[]> | undefined {
  if (!isPlainObject(value)) return undefined;
  const kinds = new Map<string, string[]>();
  for (const [kind, names] of Object.entries(value)) {
    if (!Array.isArray(names) || !names.every((name) => typeof name === 'string')) return undefined;
    kinds.set(kind, names);
  }
  return kinds;
}

function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // timingSafeEqual needs equal lengths; the length of the token is no secret.
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * An integer field read exactly. JSON.parse turns 1795000000000000000 into the
 * nearest double, so a numeric field is re-read from the line's own digits
 * (a decimal string is accepted too).
 */
function exactInteger(line: string, key: string, parsed: unknown): bigint | undefined {
  if (typeof parsed === 'string' && /^-?\d+$/.test(parsed)) return BigInt(parsed);
  if (typeof parsed !== 'number' || !Number.isInteger(parsed)) return undefined;
  const digits = new RegExp(`"${key}"\\s*:\\s*(-?\\d+)\\s*[,}]`).exec(line);
  return digits?.[1] === undefined ? BigInt(parsed) : BigInt(digits[1]);
}

/**
 * How to put one process's values in the run's field order (the run's table, KIND_FIELDS): for
 * each kind whose list differs, where each run field sits in the process's list
 * (-1: the process does not send it). Kinds that agree, and kinds the run does
 * not know, pass through as sent.
 */
export type FieldOrder = ReadonlyMap<string, readonly number[]>;

export function fieldOrderFor(kinds: ReadonlyMap<string, readonly string[]>): FieldOrder {
  const order = new Map<string, number[]>();
  for (const [kind, sent] of kinds) {
    const wanted = fieldsOf(kind);
    if (wanted === undefined || (wanted.length === sent.length && wanted.every((name, i) => sent[i] === name))) continue;
    order.set(
      kind,
      wanted.map((name) => sent.indexOf(name)),
    );
  }
  return order;
}

export interface DecodedFrame {
  events: RawEvent[];
  /** Events (or whole frames) that could not be decoded. */
  malformed: number;
  /** Where each event's line lies in the JSON buffer: event i's from `lineBounds[i]` to `lineBounds[i + 1]`. */
  lineBounds: number[];
}

/** The sending process, as a frame needs it: its pid, clock offset and field order. */
export interface FrameSource {
  pid: number;
  offsetNs: number;
  order: FieldOrder;
}

/**
 * Decodes one frame's payload (the marshal bytes, without the length), and
 * writes each event's line to `json` as the trace file keeps it
 * (`JSON.stringify(event)` and a newline) while the bytes are read.
 */
export function decodeFrame(payload: Uint8Array, source: FrameSource, json: JsonLineBuffer): DecodedFrame {
  const reader = new MarshalReader(payload);
  const frameStart = json.length;
  const events: RawEvent[] = [];
  const lineBounds: number[] = [frameStart];
  let malformed = 0;
  try {
    const count = reader.sequenceStart();
    if (count < 0) throw new MarshalError('the batch is not a list');
    for (let i = 0; i < count; i++) {
      const event = readEvent(reader, source, json);
      if (event === undefined) {
        malformed++;
        continue;
      }
      events.push(event);
      lineBounds.push(json.length);
    }
    if (!reader.atEnd) throw new MarshalError('bytes left after the batch');
  } catch (error) {
    if (error instanceof MarshalError) {
      json.truncate(frameStart);
      return { events: [], malformed: 1, lineBounds: [] };
    }
    throw error;
  }
  return { events, malformed, lineBounds };
}

/** One `(dt, tid, kind, values)` tuple of a batch, or undefined (read past) if it is not one. */
function readEvent(reader: MarshalReader, source: FrameSource, json: JsonLineBuffer): RawEvent | undefined {
  reader.json = null;
  const size = reader.sequenceStart();
  if (size !== 4) {
    skip(reader, size);
    return undefined;
  }
  const dt = reader.read();
  const tid = reader.read();
  const kind = reader.read();
  if (typeof dt !== 'number' || !Number.isFinite(dt) || !Number.isSafeInteger(tid) || typeof kind !== 'string' || kind === '') {
    reader.read();
    return undefined;
  }
  const event: RawEvent = [source.offsetNs + dt, source.pid, tid as number, kind];
  const order = source.order.get(kind);
  if (order !== undefined) {
    // A process that orders the kind's fields otherwise: its line is written from the values, put in the run's order.
    const values = reader.read();
    if (!Array.isArray(values)) return undefined;
    for (const at of order) event.push(at < 0 || at >= values.length ? null : values[at]);
    json.line(event);
    return event;
  }
  // The common case: the values in the run's order, their JSON written as they are read.
  const count = reader.sequenceStart();
  const expected = fieldsOf(kind);
  if (count < 0 || (expected !== undefined && expected.length !== count)) {
    skip(reader, count);
    return undefined;
  }
  json.byte(0x5b); // [
  json.number(event[0]);
  json.byte(0x2c); // ,
  json.number(event[1]);
  json.byte(0x2c);
  json.number(event[2]);
  json.byte(0x2c);
  json.value(kind);
  // A MarshalError on the way discards the whole frame, its lines too (decodeFrame).
  reader.json = json;
  for (let i = 0; i < count; i++) {
    json.byte(0x2c);
    event.push(reader.read());
  }
  reader.json = null;
  json.byte(0x5d); // ]
  json.byte(0x0a);
  return event;
}

/** Reads past a value that is not what was expected: a sequence's remaining `size` items (its head read), or the whole value (size -1). */
function skip(reader: MarshalReader, size: number): void {
  if (size < 0) reader.read();
  else for (let i = 0; i < size; i++) reader.read();
}

export class FrameTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`frame larger than ${limit} bytes`);
    this.name = new.target.name;
  }
}

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

/**
 * Splits a connection's bytes, arriving in arbitrary chunks, into its hello
 * line (a string) and then its frames' payloads (Buffers). A frame that lies
 * within one chunk is handed over as a view of it; only a frame that spans
 * chunks is copied, once, when its last byte has come.
 */
export class ConnectionSplitter {
  /** Bytes not handed over yet, in the order they came: the unread end of one chunk, then whole chunks. */
  private readonly parts: Buffer[] = [];
  private partsLength = 0;
  private helloSeen = false;

  /**
   * @param maxHelloBytes a first line longer than this throws LineTooLongError
   * @param maxFrameBytes a frame announcing more than this throws FrameTooLargeError
   */
  constructor(
    private readonly maxHelloBytes: number,
    private readonly maxFrameBytes: number,
  ) {}

  push(chunk: Buffer): (string | Buffer)[] {
    const out: (string | Buffer)[] = [];
    if (chunk.length === 0) return out;
    this.parts.push(chunk);
    this.partsLength += chunk.length;
    if (!this.helloSeen) {
      const data = this.joined(this.partsLength);
      const newline = data.indexOf(NEWLINE);
      if (newline === -1) {
        if (data.length > this.maxHelloBytes) throw new LineTooLongError(this.maxHelloBytes);
        return out;
      }
      out.push(data.subarray(0, newline).toString('utf8'));
      this.helloSeen = true;
      this.consume(newline + 1);
    }
    while (this.partsLength >= 4) {
      const size = this.joined(4).readUInt32LE(0);
      if (size > this.maxFrameBytes) throw new FrameTooLargeError(this.maxFrameBytes);
      if (this.partsLength < 4 + size) break;
      out.push(this.joined(4 + size).subarray(4));
      this.consume(4 + size);
    }
    return out;
  }

  /** The first `length` bytes not handed over (there are that many), in one Buffer: a view of the first part if it holds them, else a copy. */
  private joined(length: number): Buffer {
    const first = this.parts[0] ?? EMPTY;
    if (first.length >= length) return first.subarray(0, length);
    const whole = Buffer.allocUnsafe(length);
    let at = 0;
    let used = 0; // parts copied whole
    while (at < length) {
      const part = this.parts[used] ?? EMPTY;
      const taken = Math.min(part.length, length - at);
      part.copy(whole, at, 0, taken);
      at += taken;
      if (taken < part.length) {
        this.parts[used] = part.subarray(taken);
        break;
      }
      used++;
    }
    // The copy stands for the bytes it holds: they are not copied again at the next look.
    this.parts.splice(0, used, whole);
    return whole;
  }

  /** Drops the first `length` bytes (handed over). */
  private consume(length: number): void {
    this.partsLength -= length;
    while (length > 0 && this.parts.length > 0) {
      const first = this.parts[0] ?? EMPTY;
      if (first.length > length) {
        this.parts[0] = first.subarray(length);
        return;
      }
      length -= first.length;
      this.parts.shift();
    }
  }
}
