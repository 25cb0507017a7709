// The wire from the runtime to the listener (docs/trace-format.md, "The wire"):
// a hello line of JSON, then frames: a 4-byte little-endian length and a batch
// in Python's marshal format, a list of `(dt, tid, kind, values)` tuples whose
// `values` follow the field order the hello's `kinds` table names.

import { timingSafeEqual } from 'node:crypto';
import { fieldsOf, isPlainObject, type RawEvent } from './event-record';
import { LineTooLongError } from './lines';
import { MarshalError, MarshalReader } from './marshal';

/** The wire version this listener speaks (the runtime's recorder.WIRE_VERSION). */
export const WIRE_VERSION = 2;

export interface Hello {
  pid: number;
  ppid: number;
  /** The process's wall clock at its clock pair, ns, exact. */
  wallNs: bigint;
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
  if (!Number.isSafeInteger(value.pid) || !Number.isSafeInteger(value.ppid) || wallNs === undefined) {
    return { ok: false, reason: 'hello without pid, ppid or wall' };
  }
  const kinds = readKinds(value.kinds);
  if (!kinds) return { ok: false, reason: 'hello without a valid kinds table' };
  return { ok: true, hello: { pid: value.pid as number, ppid: value.ppid as number, wallNs, v: value.v, kinds } };
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
}

/** The sending process, as a frame needs it: its pid, clock offset and field order. */
export interface FrameSource {
  pid: number;
  offsetNs: number;
  order: FieldOrder;
}

/** Decodes one frame's payload (the marshal bytes, without the length). */
export function decodeFrame(payload: Uint8Array, source: FrameSource): DecodedFrame {
  let batch: unknown;
  try {
    const reader = new MarshalReader(payload);
    batch = reader.read();
    if (!reader.atEnd) throw new MarshalError('bytes left after the batch');
  } catch (error) {
    if (error instanceof MarshalError) return { events: [], malformed: 1 };
    throw error;
  }
  if (!Array.isArray(batch)) return { events: [], malformed: 1 };
  const events: RawEvent[] = [];
  let malformed = 0;
  for (const item of batch) {
    const event = toRawEvent(item, source);
    if (event) events.push(event);
    else malformed++;
  }
  return { events, malformed };
}

function toRawEvent(item: unknown, source: FrameSource): RawEvent | undefined {
  if (!Array.isArray(item) || item.length !== 4) return undefined;
  const [dt, tid, kind, values] = item as unknown[];
  if (typeof dt !== 'number' || !Number.isFinite(dt) || !Number.isSafeInteger(tid)) return undefined;
  if (typeof kind !== 'string' || kind === '' || !Array.isArray(values)) return undefined;
  const order = source.order.get(kind);
  const event: RawEvent = [source.offsetNs + dt, source.pid, tid as number, kind];
  if (order === undefined) {
    const expected = fieldsOf(kind);
    if (expected !== undefined && expected.length !== values.length) return undefined;
    for (const value of values) event.push(value);
  } else {
    for (const at of order) event.push(at < 0 ? null : values[at]);
  }
  return event;
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
 * line (a string) and then its frames' payloads (Buffers).
 */
export class ConnectionSplitter {
  private pending: Buffer = EMPTY;
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
    let data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: (string | Buffer)[] = [];
    if (!this.helloSeen) {
      const newline = data.indexOf(NEWLINE);
      if (newline === -1) {
        if (data.length > this.maxHelloBytes) throw new LineTooLongError(this.maxHelloBytes);
        this.pending = data;
        return out;
      }
      out.push(data.subarray(0, newline).toString('utf8'));
      this.helloSeen = true;
      data = data.subarray(newline + 1);
    }
    let at = 0;
    while (data.length - at >= 4) {
      const size = data.readUInt32LE(at);
      if (size > this.maxFrameBytes) throw new FrameTooLargeError(this.maxFrameBytes);
      if (data.length - at - 4 < size) break;
      out.push(data.subarray(at + 4, at + 4 + size));
      at += 4 + size;
    }
    // Keep the rest in a copy of its own, so the chunk it came in can be freed.
    this.pending = at === data.length ? EMPTY : Buffer.from(data.subarray(at));
    return out;
  }
}
