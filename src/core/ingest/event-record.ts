// The two shapes of an event, and the one place that converts between them,
// for the live wire and for .pvtrace files alike:
// - RawEvent, positional `[t, pid, tid, kind, ...values]`, as the wire and the
//   file carry it (cheap to decode and to write: the hot path of a run);
// - AnyEvent, named `{t, pid, tid, kind, ...fields}`, what readers work with.

import { KIND_FIELDS, RESERVED_EVENT_KEYS, isKnownKind, type EventFieldsByKind, type EventKind, type TraceEvent } from '../events';

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

/** How to name one kind's values: the raw event's length, and each field's name and place. */
interface Naming {
  /**
   * The kind, as the table's own key: every event of the kind gets this one
   * string, which V8 compares by identity (a kind read from a line is a string
   * of its own, compared letter by letter by every `switch (event.kind)`).
   */
  kind: string;
  /** The head and one value per field. */
  length: number;
  /** Without fields named like the head: a field must never change whose event it is. */
  fields: { name: string; at: number }[];
  /** The kind, when this version knows it and the table lists its fields as this version does: its values can be read by place. */
  placed: EventKind | undefined;
}

/**
 * Namings by kind, made once per kinds table (tables are never changed once
 * made: this version's, or a header's). Only kinds the table lists are kept,
 * so a file of made-up kinds cannot grow it.
 */
const namingsByTable = new WeakMap<KindTable, Map<string, Naming>>();
let lastTable: KindTable | undefined;
let lastNamings = new Map<string, Naming>();
// Events come in runs of a few kinds (a process's puts, its queue feeder's sends, another's
// gets): the namings of the last few kinds are at hand, found without a lookup.
const recentKinds = ['', '', '', ''];
const recentNamings: (Naming | undefined)[] = [undefined, undefined, undefined, undefined];
let recentNext = 0;

function namingOf(kind: string, kinds: KindTable): Naming | undefined {
  if (kinds === lastTable) {
    for (let i = 0; i < recentKinds.length; i++) if (recentKinds[i] === kind) return recentNamings[i];
  }
  const naming = namingInTable(kind, kinds);
  if (naming !== undefined) {
    recentKinds[recentNext] = kind;
    recentNamings[recentNext] = naming;
    recentNext = (recentNext + 1) % recentKinds.length;
  }
  return naming;
}

/**
 * namingOf for a kind not among the recent ones: found in the table's namings, or
 * made. Apart from namingOf so that V8's compiled code for the hot path (the
 * reading loop, namingOf inlined in it) does not carry this one along.
 */
function namingInTable(kind: string, kinds: KindTable): Naming | undefined {
  if (kinds !== lastTable) {
    let namings = namingsByTable.get(kinds);
    if (!namings) {
      namings = new Map();
      namingsByTable.set(kinds, namings);
    }
    lastTable = kinds;
    lastNamings = namings;
    recentKinds.fill('');
    recentNamings.fill(undefined);
  }
  const known = lastNamings.get(kind);
  if (known !== undefined) return known;
  const fields = fieldsOf(kind, kinds);
  if (fields === undefined) return undefined;
  const own = Object.keys(kinds).find((key) => key === kind) ?? kind;
  const runFields: readonly string[] | undefined = fieldsOf(kind, RUN_KINDS);
  const asRun = runFields?.length === fields.length && runFields.every((name, i) => name === fields[i]);
  const naming: Naming = {
    kind: own,
    length: 4 + fields.length,
    fields: fields.map((name, i) => ({ name, at: 4 + i })).filter(({ name }) => !reservedKeys.has(name)),
    placed: asRun && isKnownKind(own) ? own : undefined,
  };
  lastNamings.set(kind, naming);
  return naming;
}

/** Names a positional event after `kinds`; undefined when its values do not fit the kind's list. */
export function nameEvent(raw: readonly unknown[], kinds: KindTable): AnyEvent | undefined {
  return nameValues(raw, raw.length, kinds);
}

/** A positional event's head is well formed: a finite time, integer pid and tid, a kind. */
function hasHead(raw: readonly unknown[], count: number): boolean {
  const t = raw[0];
  const kind = raw[3];
  return (
    count >= 4 && typeof t === 'number' && Number.isFinite(t) && Number.isSafeInteger(raw[1]) && Number.isSafeInteger(raw[2]) &&
    typeof kind === 'string' && kind !== ''
  );
}

/**
 * The kind of the positional event `raw[0..count)` when its values can be
 * read by place, as a RawEvent of this version (KIND_FIELDS) has them: its
 * head well formed, its kind one this version knows, listed in `kinds` with
 * this version's fields, and one value for each. Undefined otherwise (name it).
 * The kind returned is the kind's own string (compared by identity).
 */
function placedKind(raw: readonly unknown[], count: number, kinds: KindTable): EventKind | undefined {
  if (!hasHead(raw, count)) return undefined;
  const naming = namingOf(raw[3] as string, kinds);
  return count === naming?.length ? naming.placed : undefined;
}

/**
 * Readies `raw[0..count)` to be read by place (RunModel.addRaw) when it can be
 * (placedKind), its kind made the kind's own string; false when it must be named.
 */
export function readyByPlace(raw: unknown[], count: number, kinds: KindTable): boolean {
  const kind = placedKind(raw, count, kinds);
  if (kind === undefined) return false;
  raw[3] = kind;
  return true;
}

/** nameEvent of the first `count` values of `raw` (a reader's array, reused line after line). */
export function nameValues(raw: readonly unknown[], count: number, kinds: KindTable): AnyEvent | undefined {
  // The hot path of every reader (a trace holds millions of these): one object, no intermediate,
  // and the kind's field list worked out once, not per event.
  if (!hasHead(raw, count)) return undefined;
  const kind = raw[3] as string;
  const naming = namingOf(kind, kinds);
  if (naming !== undefined && count !== naming.length) return undefined;
  // `t` and `tid` made -0 first, then set: laid out as doubles from the first event on. Laid out
  // by the first values, small integers, they changed layout when times passed 2^31 ns, or at the
  // first thread ident beyond int32, and the reading loop's compiled code was thrown away.
  const event: AnyEvent = { t: -0, pid: raw[1] as number, tid: -0, kind: naming?.kind ?? kind };
  event.t = raw[0] as number;
  event.tid = raw[2] as number;
  if (naming !== undefined) {
    for (const field of naming.fields) event[field.name] = raw[field.at];
  }
  return event;
}

/** The positional form of an event given by name (the listener's own events). Missing fields are null. */
export function rawEvent(t: number, pid: number, tid: number, kind: string, fields: Record<string, unknown>): RawEvent {
  const names = fieldsOf(kind) ?? Object.keys(fields);
  return [t, pid, tid, kind, ...names.map((name) => (name in fields ? fields[name] : null))];
}

/** Where each field of `kind` sits in a RawEvent of this version (KIND_FIELDS). */
export function placesOf<K extends EventKind>(kind: K): Readonly<Record<keyof EventFieldsByKind[K] & string, number>> {
  const fields: readonly string[] = KIND_FIELDS[kind];
  return Object.fromEntries(fields.map((name, i) => [name, 4 + i])) as Record<keyof EventFieldsByKind[K] & string, number>;
}

/** Where a kind's field sits in a RawEvent, or -1. */
export function fieldIndex(kind: string, field: string): number {
  const at = fieldsOf(kind)?.indexOf(field) ?? -1;
  return at < 0 ? -1 : 4 + at;
}
