// Structural checks of a Chrome Trace Event Format object, independent of how
// procview builds it: what chrome://tracing and Perfetto need to read it right.
// Each check returns the problems it found, so tests can also show that a
// broken trace is caught.

import assert from 'node:assert/strict';

type Event = Record<string, unknown>;

const PHASES = new Set(['M', 'X', 'C', 'i', 's', 'f']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
/** Perfetto's view of a time in microseconds: whole nanoseconds. */
const nsOf = (us: number): number => Math.round(us * 1000);

export function chromeTraceProblems(trace: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(trace) || !Array.isArray(trace.traceEvents)) return ['not an object with a traceEvents array'];
  if (trace.displayTimeUnit !== 'ns') problems.push(`displayTimeUnit is ${JSON.stringify(trace.displayTimeUnit)}`);
  try {
    assert.deepEqual(JSON.parse(JSON.stringify(trace)), trace);
  } catch {
    problems.push('does not survive a JSON round trip');
  }
  const events = trace.traceEvents as unknown[];
  const good: Event[] = [];
  events.forEach((event, i) => {
    const found = eventProblems(event);
    if (found.length > 0) problems.push(...found.map((problem) => `event ${i} (${JSON.stringify(event)}): ${problem}`));
    else good.push(event as Event);
  });
  problems.push(...nestingProblems(good), ...flowProblems(good), ...bindProblems(good), ...namingProblems(good));
  return problems;
}

export function assertValidChromeTrace(trace: unknown): void {
  const problems = chromeTraceProblems(trace);
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
}

function eventProblems(event: unknown): string[] {
  if (!isObject(event)) return ['not an object'];
  const problems: string[] = [];
  const { ph, name, ts, pid, tid, args } = event;
  if (typeof ph !== 'string' || !PHASES.has(ph)) return [`unknown ph ${JSON.stringify(ph)}`];
  if (typeof name !== 'string' || name === '') problems.push('no name');
  if (!isTime(ts)) problems.push(`ts ${JSON.stringify(ts)} is not a finite time >= 0`);
  if (!isCount(pid) || pid === 0) problems.push(`pid ${JSON.stringify(pid)}`);
  if (!isCount(tid)) problems.push(`tid ${JSON.stringify(tid)}`);
  if (args !== undefined && !isObject(args)) problems.push('args is not an object');
  switch (ph) {
    case 'M':
      if (!isObject(args)) problems.push('metadata without args');
      else if (name === 'process_name' || name === 'thread_name') {
        if (typeof args.name !== 'string' || args.name === '') problems.push('metadata without a name');
      } else if (name === 'process_sort_index' || name === 'thread_sort_index') {
        if (typeof args.sort_index !== 'number' || !Number.isInteger(args.sort_index)) problems.push('sort index not an integer');
      } else problems.push(`unknown metadata ${String(name)}`);
      break;
    case 'X':
      if (!isTime(event.dur)) problems.push(`dur ${JSON.stringify(event.dur)}`);
      if (typeof event.cat !== 'string') problems.push('slice without cat');
      break;
    case 'C':
      if (!isObject(args) || Object.keys(args).length === 0) problems.push('counter without args');
      else if (!Object.values(args).every((value) => typeof value === 'number' && Number.isFinite(value))) problems.push('counter value not numeric');
      break;
    case 'i':
      if (event.s !== 'g' && event.s !== 'p' && event.s !== 't') problems.push(`instant scope ${JSON.stringify(event.s)}`);
      break;
    case 's':
    case 'f':
      if (!isCount(event.id)) problems.push(`flow id ${JSON.stringify(event.id)}`);
      if (typeof event.cat !== 'string') problems.push('flow without cat');
      if (ph === 'f' && event.bp !== 'e') problems.push('flow end not bound to its enclosing slice');
      break;
  }
  return problems;
}

/** X slices of one thread never overlap partly: sorted by start (longest first), each ends inside the one still open. */
export function nestingProblems(events: Event[]): string[] {
  const byThread = new Map<string, { start: number; end: number; name: string }[]>();
  for (const event of events) {
    if (event.ph !== 'X') continue;
    const key = `${String(event.pid)}:${String(event.tid)}`;
    const start = nsOf(event.ts as number);
    const list = byThread.get(key) ?? [];
    list.push({ start, end: start + nsOf(event.dur as number), name: event.name as string });
    byThread.set(key, list);
  }
  const problems: string[] = [];
  for (const [thread, slices] of byThread) {
    slices.sort((a, b) => a.start - b.start || b.end - a.end);
    const open: { start: number; end: number; name: string }[] = [];
    for (const slice of slices) {
      while (open.length > 0 && (open[open.length - 1]?.end ?? 0) <= slice.start) open.pop();
      const parent = open[open.length - 1];
      if (parent && slice.end > parent.end) {
        problems.push(`thread ${thread}: ${slice.name} [${slice.start}, ${slice.end}] overlaps ${parent.name} [${parent.start}, ${parent.end}] partly`);
      }
      open.push(slice);
    }
  }
  return problems;
}

/** Every legacy flow start has exactly one end, same id, category and name, not before it; and no end is alone. */
export function flowProblems(events: Event[]): string[] {
  const starts = new Map<number, Event[]>();
  const ends = new Map<number, Event[]>();
  for (const event of events) {
    if (event.ph !== 's' && event.ph !== 'f') continue;
    const map = event.ph === 's' ? starts : ends;
    const id = event.id as number;
    map.set(id, [...(map.get(id) ?? []), event]);
  }
  const problems: string[] = [];
  for (const [id, list] of starts) {
    const matching = ends.get(id) ?? [];
    const [start] = list;
    const [end] = matching;
    if (list.length !== 1 || matching.length !== 1 || !start || !end) {
      problems.push(`flow ${id}: ${list.length} starts, ${matching.length} ends`);
      continue;
    }
    if (end.cat !== start.cat || end.name !== start.name) problems.push(`flow ${id}: the end's cat or name differs`);
    if ((end.ts as number) < (start.ts as number)) problems.push(`flow ${id}: ends before it starts`);
  }
  for (const id of ends.keys()) if (!starts.has(id)) problems.push(`flow ${id}: an end without a start`);
  return problems;
}

/** Perfetto's flows on slices: each bind_id on exactly one flow_out slice and one flow_in slice, in that order. */
export function bindProblems(events: Event[]): string[] {
  const outs = new Map<number, Event[]>();
  const ins = new Map<number, Event[]>();
  for (const event of events) {
    if (event.bind_id === undefined) continue;
    if (event.ph !== 'X') return [`bind_id on a ${String(event.ph)} event`];
    const map = event.flow_out === true ? outs : event.flow_in === true ? ins : null;
    if (!map) return [`bind_id ${JSON.stringify(event.bind_id)} with no direction`];
    const id = event.bind_id as number;
    map.set(id, [...(map.get(id) ?? []), event]);
  }
  const problems: string[] = [];
  for (const id of new Set([...outs.keys(), ...ins.keys()])) {
    const out = outs.get(id) ?? [];
    const into = ins.get(id) ?? [];
    if (out.length !== 1 || into.length !== 1) problems.push(`bind_id ${id}: ${out.length} out, ${into.length} in`);
    else if ((into[0]?.ts as number) < (out[0]?.ts as number)) problems.push(`bind_id ${id}: in before out`);
  }
  return problems;
}

/** Metadata names every process and every thread that any event uses. */
export function namingProblems(events: Event[]): string[] {
  const processes = new Set<number>();
  const threads = new Set<string>();
  for (const event of events) {
    if (event.name === 'process_name' && event.ph === 'M') processes.add(event.pid as number);
    if (event.name === 'thread_name' && event.ph === 'M') threads.add(`${String(event.pid)}:${String(event.tid)}`);
  }
  const problems = new Set<string>();
  for (const event of events) {
    if (!processes.has(event.pid as number)) problems.add(`pid ${String(event.pid)} has no process_name`);
    const thread = `${String(event.pid)}:${String(event.tid)}`;
    if (event.ph !== 'M' && !threads.has(thread)) problems.add(`thread ${thread} has no thread_name`);
  }
  return [...problems];
}

/** The events of one phase (typed loosely: tests read their fields). */
export function eventsOf(trace: { traceEvents: readonly object[] }, ph: string): Event[] {
  return (trace.traceEvents as Event[]).filter((event) => event.ph === ph);
}
