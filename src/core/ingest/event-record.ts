// The two shapes of an event, and the one place that converts between them,
// for the live wire and for .pvtrace files alike:
// - RawEvent, positional `[t, pid, tid, kind, ...values]`, as the wire and the
//   file carry it (cheap to decode and to write: the hot path of a run);
// - AnyEvent, named `{t, pid, tid, kind, ...fields}`, what readers work with.

import { KIND_FIELDS, RESERVED_EVENT_KEYS, isKnownKind, type TraceEvent } from '../events';

/** `[t, pid, tid, kind, ...values]`, the values in the order of the kind's field list. */
export type RawEvent = [number, number, number, string, ...unknown[]];

/** Field names by kind: KIND_FIELDS, or a trace header's `kinds`. */
export type KindTable = Readonly<Record<string, readonly string[] | undefined>>;

export const RUN_KINDS: KindTable = KIND_FIELDS;

/** A kind's field list in `kinds` (own entries only: a kind named `constructor` is just unknown). */
export function fieldsOf(kind: string, kinds: KindTable = RUN_KINDS): readonly string[] | undefined {
  return Object.prototype.hasOwnProperty.call(kinds, kind) ? kinds[kind] : undefined;
}

/** An event whose kind may be one this version does not know (it is kept, and written through). */
export interface AnyEvent {
  t: number;
  pid: number;
  tid: number;
  kind: string;
  [field: string]: unknown;
}

const reservedKeys = new Set<string>(RESERVED_EVENT_KEYS);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds the event object, or returns undefined when the head is malformed.
 * Fields named like the head (`t`, `pid`, `tid`, `kind`) are dropped: a field
 * must never be able to change whose event it is.
 */
export function buildEvent(t: unknown, pid: unknown, tid: unknown, kind: unknown, fields: unknown): AnyEvent | undefined {
  if (typeof t !== 'number' || !Number.isFinite(t)) return undefined;
  if (!Number.isSafeInteger(pid) || !Number.isSafeInteger(tid)) return undefined;
  if (typeof kind !== 'string' || kind === '') return undefined;
  if (!isPlainObject(fields)) return undefined;
  const event: AnyEvent = { t, pid: pid as number, tid: tid as number, kind };
  for (const [key, value] of Object.entries(fields)) {
    if (!reservedKeys.has(key)) event[key] = value;
  }
  return event;
}

/** Narrows to the kinds this version knows; readers skip the others. */
export function isTraceEvent(event: AnyEvent): event is AnyEvent & TraceEvent {
  return isKnownKind(event.kind);
}

/** Names a positional event after `kinds`; undefined when its values do not fit the kind's list. */
export function nameEvent(raw: readonly unknown[], kinds: KindTable): AnyEvent | undefined {
  // The hot path of every reader (a trace holds millions of these): one object, no intermediate.
  const t = raw[0];
  const pid = raw[1];
  const tid = raw[2];
  const kind = raw[3];
  if (typeof t !== 'number' || !Number.isFinite(t) || !Number.isSafeInteger(pid) || !Number.isSafeInteger(tid)) return undefined;
  if (typeof kind !== 'string' || kind === '') return undefined;
  const names = fieldsOf(kind, kinds);
  if (names !== undefined && raw.length - 4 !== names.length) return undefined;
  const event: AnyEvent = { t, pid: pid as number, tid: tid as number, kind };
  if (names !== undefined) {
    names.forEach((name, i) => {
      if (!reservedKeys.has(name)) event[name] = raw[4 + i];
    });
  }
  return event;
}

/** The positional form of an event given by name (the listener's own events). Missing fields are null. */
export function rawEvent(t: number, pid: number, tid: number, kind: string, fields: Record<string, unknown>): RawEvent {
  const names = fieldsOf(kind) ?? Object.keys(fields);
  return [t, pid, tid, kind, ...names.map((name) => (name in fields ? fields[name] : null))];
}

/** Where a kind's field sits in a RawEvent, or -1. */
export function fieldIndex(kind: string, field: string): number {
  const at = fieldsOf(kind)?.indexOf(field) ?? -1;
  return at < 0 ? -1 : 4 + at;
}
