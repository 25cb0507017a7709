// The one place that turns decoded JSON into event objects, for the live wire
// and for .pvtrace files alike: `{t, pid, tid, kind, ...fields}`.

import { RESERVED_EVENT_KEYS, isKnownKind, type TraceEvent } from '../events';

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
