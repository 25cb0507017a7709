// The wire from the runtime to the listener (docs/trace-format.md, "The wire"):
// a hello line, then batch lines of `[dt, tid, kind, values]` arrays, where
// `values` lists the fields in the order the hello's `kinds` table names them.

import { timingSafeEqual } from 'node:crypto';
import { TRACE_FORMAT_VERSION } from '../events';
import { buildEvent, isPlainObject, type AnyEvent } from './event-record';

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
  if (typeof value.v !== 'number' || value.v > TRACE_FORMAT_VERSION) {
    return { ok: false, reason: `unsupported wire version ${JSON.stringify(value.v)}` };
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

/** Names positional values after the kind's field list; undefined when they do not fit it. */
function nameValues(names: readonly string[] | undefined, values: unknown[]): Record<string, unknown> | undefined {
  if (names?.length !== values.length) return undefined;
  const fields: Record<string, unknown> = {};
  names.forEach((name, i) => {
    fields[name] = values[i];
  });
  return fields;
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

export interface DecodedBatch {
  events: AnyEvent[];
  /** Events (or whole lines) that could not be decoded. */
  malformed: number;
}

/** Decodes one batch line of the process that said `hello`, whose clock offset is `offsetNs`. */
export function decodeBatch(line: string, hello: Pick<Hello, 'pid' | 'kinds'>, offsetNs: number): DecodedBatch {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { events: [], malformed: 1 };
  }
  if (!Array.isArray(value)) return { events: [], malformed: 1 };
  const events: AnyEvent[] = [];
  let malformed = 0;
  for (const item of value) {
    let event: AnyEvent | undefined;
    if (Array.isArray(item) && item.length === 4 && typeof item[0] === 'number' && typeof item[2] === 'string') {
      const values: unknown = item[3];
      const fields = Array.isArray(values) ? nameValues(hello.kinds.get(item[2]), values) : values;
      event = buildEvent(offsetNs + item[0], hello.pid, item[1], item[2], fields);
    }
    if (event) events.push(event);
    else malformed++;
  }
  return { events, malformed };
}
