// The view data as it travels (a report's page, a server's stream, a webview
// message), and back. A big run's data is millions of numbers and a few
// hundred thousand strings; written as JSON they are tens of megabytes, and a
// browser's time to take in a page grows with its bytes (about 0.1 s a
// megabyte here, before any script runs). So the columns and the strings
// travel packed in two binary blocks, deflated, as base64 text; the rest
// (names, processes, findings) stays JSON, so a host can read it without
// unpacking. The chart block has what the chart draws from (times, states):
// the first frame needs only it. The details block has the references to
// strings (what a wait was, a location, an item's repr) and the strings, for
// tooltips and the panel; the viewer unpacks it after its first frame.
//
// A block, before deflating, is its columns in the order `tables` lists
// them (the details block then the strings). A column is sent as the steps
// between successive values (times go up by microseconds; a string reference
// repeats, or counts up as new reprs are met); an end first becomes its
// interval's length (-1, "still open", stays -1; a negative length, an end
// stamped a little before its start by another process's clock, is sent one
// lower so it never reads as -1). Each step is zigzagged (0, -1, 1, -2... as
// 0, 1, 2, 3...) and the column written as byte planes: its count (4 bytes),
// its width w (the bytes its largest step needs, 1 byte), then the w low
// bytes of every step, then the next bytes, and so on. Most steps are small,
// so the high planes are nearly all zeros and deflate to almost nothing; the
// noise of nanosecond clocks stays in the low planes. The strings are their
// lengths (a column as above, in UTF-16 units) and then all of them as one
// UTF-8 text. A queue's depth steps are as many as its puts and gets
// together: when they are exactly what its puts and gets count (every get
// paired with its item, the usual case), one byte says so and the other end
// counts them (in whole data; an update sends its depth's changes as it does
// any column's).
//
// A live run's view is sent again and again, each time a little longer: it
// travels as what changed since the one before (`extends` that one's `seq`).
// Every column then starts with how many of the earlier data's values it keeps
// (the longest prefix both share: spans, items and holds are appended, and
// only the open ones at the end change), and its rest follows, packed as
// above; the strings likewise, as the earlier strings kept and the new ones.
// A table (a lane's spans, a queue's items...) is matched by its owner's key,
// not its place: a lane that starts late may sort before others. The JSON rest
// (names, processes, findings) is whole in every message. The receiving end
// unpacks onto the data it has, which must be exactly that earlier one.
//
// Exact both ways: every value is a whole number (a time with a fraction of a
// nanosecond is rounded), of magnitude below 2^51 (26 days in nanoseconds).
// A string with a lone surrogate comes back with U+FFFD in its place.
//
// Deflating is the host's (node:zlib, wire-encode.ts); this module is imported
// by the webview too: no Node, only what browsers and Node both have.

import { stepCounts } from '../model/sorted';
import type { Column, HostMessage, ViewData } from './view-data';

/**
 * View data as it travels: `packed` holds the columns the chart draws from,
 * `details` the other columns (string references) and the strings; the
 * columns here are empty.
 */
export type WireViewData = Omit<ViewData, 'strings'> & {
  /** Base64 of the raw-deflated chart block. */
  packed: string;
  /**
   * Base64 of the raw-deflated details block: what tooltips and the panel
   * say. A report's page holds it apart, after the viewer's script, and
   * leaves this empty (report.ts).
   */
  details: string;
  /** Numbers this data among a stream's (a live run's); data that extends it names it. */
  seq?: number;
  /** Only what changed since the data numbered this (see above). */
  extends?: number;
};

/** A host's message as it travels. */
export type WireMessage = Exclude<HostMessage, { type: 'data' }> | { type: 'data'; data: WireViewData };

/** Columns of one object (a lane's spans, a queue...), by name, in the order they are packed. */
interface Table {
  /** The same table in another data of the same run: its kind and its owner's key. */
  id: string;
  owner: Record<string, Column>;
  /** What the chart draws from (and the lanes shown depend on): in the chart block. */
  keys: readonly string[];
  /** References to strings for tooltips and the panel: in the details block. */
  details: readonly string[];
  /** [start, end] pairs of `keys`: the end is sent as a length. */
  intervals: readonly (readonly [string, string])[];
  /**
   * The columns as the receiving end can make them from columns unpacked
   * before (a queue's depth from its puts and gets): when they come out the
   * same, exactly, only a byte says so.
   */
  derive?: () => Record<string, Column>;
}

function table<T extends object>(
  id: string,
  owner: T,
  keys: readonly (keyof T & string)[],
  details: readonly (keyof T & string)[],
  intervals: readonly (readonly [keyof T & string, keyof T & string])[],
  derive?: () => Partial<Record<keyof T, Column>>,
): Table {
  return { id, owner: owner as unknown as Record<string, Column>, keys, details, intervals, derive: derive as (() => Record<string, Column>) | undefined };
}

/** Every column of the view data, in the one order both ends know. */
function tables(data: Pick<ViewData, 'lanes' | 'queues' | 'locks'>): Table[] {
  const out: Table[] = [];
  for (const { key, spans, tasks } of data.lanes) {
    // A span's location decides whether a library thread shows (rows.ts): with the chart.
    out.push(table(`spans ${key}`, spans, ['start', 'end', 'state', 'loc'], ['what', 'target', 'outcome'], [['start', 'end']]));
    out.push(table(`tasks ${key}`, tasks, ['start', 'end', 'ok'], ['label', 'result'], [['start', 'end']]));
  }
  for (const queue of data.queues) {
    out.push(table(`items ${queue.id}`, queue.items, ['put', 'get'], ['repr', 'putLane', 'getLane', 'putLoc', 'getLoc'], [['put', 'get']]));
    out.push(table(`depth ${queue.id}`, queue, ['depthT', 'depth'], [], [], () => {
      // Every get of the queue paired with its item (the usual case): its depth is its puts' and gets' count.
      const { t, count } = stepCounts(queue.items.put, takenTimes(queue.items.get));
      return { depthT: t, depth: count };
    }));
  }
  for (const { id, holds } of data.locks) out.push(table(`holds ${id}`, holds, ['start', 'end'], ['lane', 'loc'], [['start', 'end']]));
  // Ids are unique in a run's data; made so anyway, since an update's column may be written on in
  // place, and two columns written onto the one they both matched would spoil each other.
  const seen = new Map<string, number>();
  for (const made of out) {
    const before = seen.get(made.id) ?? 0;
    seen.set(made.id, before + 1);
    if (before > 0) made.id = `${made.id} #${before}`;
  }
  return out;
}

/** Values beyond this magnitude would lose their last digits in a step's zigzag. */
const LIMIT = 2 ** 51;
const COUNT_BYTES = 4;

/**
 * The blocks of `data` (to be deflated): the chart's and the details', and
 * the rest of it: the same data with every column empty and without the
 * strings. Given `base`, only what changed since it (see above).
 */
export function packViewData(data: ViewData, base?: ViewData): { rest: Omit<ViewData, 'strings'>; chart: Uint8Array; details: Uint8Array } {
  const chart = new Writer();
  const details = new Writer();
  const packed = new Set<unknown>();
  const earlier = base ? columnsById(base) : null;
  for (const table of tables(data)) {
    const { owner, keys, intervals, derive } = table;
    const was = earlier?.get(table.id) ?? {};
    const keep = (key: string): number | null => (earlier ? sharedPrefix(was[key] ?? [], owner[key] ?? []) : null);
    for (const key of [...keys, ...table.details]) packed.add(owner[key]);
    for (const key of table.details) details.column(owner[key] ?? [], keep(key));
    // An update sends what changed of them instead (a little, at the end): no work per item at either end.
    if (derive && !earlier) {
      const derived = derive();
      const same = keys.every((key) => sameWholeValues(derived[key] ?? [], owner[key] ?? []));
      chart.flag(same);
      if (same) continue;
    }
    // An end's prefix is kept as the values it had (absolute); what follows travels as lengths.
    const lengths = new Map(intervals.map(([start, end]) => [end, intervalLengths(owner[start] ?? [], owner[end] ?? [])]));
    for (const key of keys) chart.column(lengths.get(key) ?? owner[key] ?? [], keep(key));
  }
  const keptStrings = base ? sharedPrefix(base.strings, data.strings) : null;
  const newStrings = data.strings.slice(keptStrings ?? 0);
  const text = new TextEncoder().encode(newStrings.join(''));
  if (keptStrings !== null) details.count(keptStrings);
  details.column(newStrings.map((s) => s.length), null);
  details.count(text.length);
  details.bytes(text);
  // The rest is small (names, processes, findings): a JSON copy without the columns.
  const rest = JSON.parse(JSON.stringify(data, function (this: unknown, key, value: unknown) {
    if (this === data && key === 'strings') return undefined;
    return packed.has(value) ? [] : value;
  })) as Omit<ViewData, 'strings'>;
  return { rest, chart: chart.finish(), details: details.finish() };
}

/**
 * The view data from the rest and the chart block (inflated): its chart
 * columns filled in, its details columns and strings still empty. `base`:
 * the data an update was made against; its columns are written on in place
 * where they have room (columnOnto), so it is not to be unpacked onto again.
 */
export function unpackChart(rest: Omit<ViewData, 'strings'>, bytes: Uint8Array, base?: ViewData): ViewData {
  const reader = new Reader(bytes);
  const earlier = base ? columnsById(base) : null;
  for (const { id, owner, keys, intervals, derive } of tables(rest)) {
    if (derive && !earlier && reader.flag()) {
      Object.assign(owner, derive());
      continue;
    }
    const was = earlier?.get(id) ?? {};
    const kept = new Map<string, number>();
    for (const key of keys) {
      const { values, keep } = reader.column(earlier ? (was[key] ?? []) : null);
      owner[key] = values;
      kept.set(key, keep);
    }
    for (const [start, end] of intervals) undoLengths(owner[start] ?? [], owner[end] as Float64Array, kept.get(end) ?? 0);
  }
  reader.end();
  return { ...rest, strings: [] };
}

/**
 * Fills in the details columns and the strings of `data` (from unpackChart)
 * from the details block (inflated); onto `base`'s for a delta.
 */
export function unpackDetails(data: ViewData, bytes: Uint8Array, base?: ViewData): ViewData {
  const reader = new Reader(bytes);
  const earlier = base ? columnsById(base) : null;
  for (const { id, owner, details } of tables(data)) {
    const was = earlier?.get(id) ?? {};
    for (const key of details) owner[key] = reader.column(earlier ? (was[key] ?? []) : null).values;
  }
  const keptStrings = base ? reader.count() : 0;
  if (base && keptStrings > base.strings.length) throw new Error('view data: keeps more strings than there were');
  const lengths = reader.column(null).values;
  const text = new TextDecoder().decode(reader.bytes(reader.count()));
  // Strings are only ever added: an update's go on the end of the list it keeps whole (as columns grow in place).
  const strings = base ? (keptStrings === base.strings.length ? base.strings : base.strings.slice(0, keptStrings)) : [];
  let at = 0;
  for (const length of lengths) {
    strings.push(text.slice(at, at + length));
    at += length;
  }
  reader.end();
  data.strings = strings;
  return data;
}

/** Unpacks data as it arrived (from JSON), chart then details: base64, inflate, columns. */
export async function decodeViewData(wire: WireViewData, details = wire.details, base?: ViewData): Promise<ViewData> {
  return decodeDetails(await decodeChart(wire, base), details, base);
}

/** The chart's part of data as it arrived: what the first frame needs. */
export async function decodeChart(wire: WireViewData, base?: ViewData): Promise<ViewData> {
  if (wire.extends !== undefined && !base) throw new Error('view data: an update came without the data it updates');
  return unpackChart(restOf(wire), await inflate(fromBase64(wire.packed)), wire.extends === undefined ? undefined : base);
}

/** The rest of it, into `data` (from decodeChart, given the same `base`). */
export async function decodeDetails(data: ViewData, details: string, base?: ViewData): Promise<ViewData> {
  return unpackDetails(data, await inflate(fromBase64(details)), base);
}

/**
 * What data as it arrives is to be unpacked onto: nothing for whole data,
 * `latest` (the data last unpacked, and its `seq`) for an update of it.
 * Throws for an update of any other: one was missed, and what it changed with it.
 */
export function baseFor(wire: WireViewData, latest: { data: ViewData; seq: number | undefined } | null): ViewData | undefined {
  if (wire.extends === undefined) return undefined;
  if (latest?.seq !== wire.extends) throw new Error(`view data: update ${wire.seq ?? '?'} is for data ${wire.extends}, and the data here is ${latest?.seq ?? 'none'}`);
  return latest.data;
}

/** Each table's columns by the table's id. */
function columnsById(data: Pick<ViewData, 'lanes' | 'queues' | 'locks'>): Map<string, Record<string, Column>> {
  return new Map(tables(data).map(({ id, owner }) => [id, owner]));
}

/** How many values at their start `a` and `b` share. */
function sharedPrefix<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** The JSON part of data as it arrived: without its blocks. */
function restOf(wire: WireViewData): Omit<ViewData, 'strings'> {
  const rest: Partial<WireViewData> = { ...wire };
  delete rest.packed;
  delete rest.details;
  delete rest.seq;
  delete rest.extends;
  return rest as Omit<ViewData, 'strings'>;
}

/** The times the items were taken (a get of -1: still in the queue), sorted. */
function takenTimes(get: Column): Float64Array {
  const out = new Float64Array(get.length);
  let n = 0;
  let sorted = true;
  for (const t of get) {
    if (t < 0) continue;
    if (n > 0 && t < (out[n - 1] ?? 0)) sorted = false;
    out[n++] = t;
  }
  // Items of a queue with one reader come out in order: no sort needed.
  return sorted ? out.subarray(0, n) : out.subarray(0, n).sort();
}

/**
 * `made` is `sent`, in whole numbers: a fraction (rounded when packed) could
 * make the other end, counting from rounded times, merge two instants.
 */
function sameWholeValues(made: Column, sent: Column): boolean {
  if (made.length !== sent.length) return false;
  for (let i = 0; i < made.length; i++) if (made[i] !== sent[i] || !Number.isInteger(made[i])) return false;
  return true;
}

function intervalLengths(start: Column, end: Column): number[] {
  return Array.from(end, (e, i) => {
    // Rounded as the writer rounds, so the end comes back as its own rounding.
    const length = Math.round(e) - Math.round(start[i] ?? 0);
    return e === -1 ? -1 : length >= 0 ? length : length - 1;
  });
}

/** Ends from lengths, from `from` on (the ends before it were kept as they were). */
function undoLengths(start: Column, end: Float64Array, from: number): void {
  const n = end.length;
  for (let i = from; i < n; i++) {
    const length = end[i] ?? -1;
    if (length !== -1) end[i] = (start[i] ?? 0) + (length >= 0 ? length : length + 1);
  }
}

class Writer {
  private readonly parts: Uint8Array[] = [];

  count(n: number): void {
    const bytes = new Uint8Array(COUNT_BYTES);
    new DataView(bytes.buffer).setUint32(0, n, true);
    this.parts.push(bytes);
  }

  bytes(bytes: Uint8Array): void {
    this.parts.push(bytes);
  }

  flag(on: boolean): void {
    this.parts.push(Uint8Array.of(on ? 1 : 0));
  }

  /**
   * A column as its zigzagged steps, in byte planes. `keep` (an update's):
   * how many of its first values the other end has, said first and not sent.
   */
  column(values: Column, keep: number | null): void {
    if (keep !== null) this.count(keep);
    const from = keep ?? 0;
    const n = values.length - from;
    const zigzag = new Float64Array(n);
    let previous = 0;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const value = Math.round(values[from + i] ?? 0);
      if (!(Math.abs(value) < LIMIT)) throw new RangeError(`a view data value out of range: ${values[from + i]}`);
      const step = value - previous;
      previous = value;
      const z = step >= 0 ? 2 * step : -2 * step - 1;
      zigzag[i] = z;
      if (z > max) max = z;
    }
    let width = 0;
    for (let rest = max; rest > 0; rest = Math.floor(rest / 256)) width++;
    this.count(n);
    this.parts.push(Uint8Array.of(width));
    const planes = new Uint8Array(n * width);
    for (let plane = 0, scale = 1; plane < width; plane++, scale *= 256) {
      const offset = plane * n;
      for (let i = 0; i < n; i++) planes[offset + i] = Math.floor((zigzag[i] ?? 0) / scale) % 256;
    }
    this.parts.push(planes);
  }

  finish(): Uint8Array {
    return concat(this.parts);
  }
}

class Reader {
  private at = 0;
  private readonly view: DataView;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  count(): number {
    const n = this.view.getUint32(this.need(COUNT_BYTES), true);
    this.at += COUNT_BYTES;
    return n;
  }

  bytes(n: number): Uint8Array {
    const from = this.need(n);
    this.at += n;
    return this.data.subarray(from, from + n);
  }

  flag(): boolean {
    return this.bytes(1)[0] === 1;
  }

  /**
   * A packed column's values. Runs over millions of values on a big report's
   * way in: plane by plane into a typed array, then the steps added up. An
   * update's column (`base` not null) is the values it keeps of `base`, then its own.
   */
  column(base: Column | null): { values: Float64Array; keep: number } {
    const keep = base === null ? 0 : this.count();
    if (base !== null && keep > base.length) throw new Error('view data: a column keeps more values than it had');
    const n = this.count();
    const width = this.bytes(1)[0] ?? 0;
    const planes = this.bytes(n * width);
    const values = columnOnto(base, keep, keep + n);
    const steps = values.subarray(keep);
    // The low plane is written, the others added: what was there before (an earlier update's rows) goes.
    if (width === 0) steps.fill(0);
    else for (let i = 0; i < n; i++) steps[i] = planes[i] ?? 0;
    for (let plane = 1, scale = 256; plane < width; plane++, scale *= 256) {
      const offset = plane * n;
      for (let i = 0; i < n; i++) steps[i] = (steps[i] ?? 0) + (planes[offset + i] ?? 0) * scale;
    }
    let value = 0;
    for (let i = 0; i < n; i++) {
      const z = steps[i] ?? 0;
      value += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      steps[i] = value;
    }
    return { values, keep };
  }

  end(): void {
    if (this.at !== this.data.length) throw new Error(`view data: ${this.data.length - this.at} bytes left over after unpacking`);
  }

  private need(n: number): number {
    if (this.at + n > this.data.length) throw new Error('view data: the packed block ends too soon');
    return this.at;
  }
}

/** Room to grow, as a share of an update's column: the next few updates are written on in place. */
const GROWTH = 2;
/** Buffers made here for updates' columns: they have room, and only their own column uses them. */
const growable = new WeakSet<ArrayBufferLike>();

/**
 * Where an unpacked column of `length` values goes, its first `keep` values
 * those of `base` (an update's; null: whole data, which gets an exact fit).
 * A live run's columns grow by a little at each update: written on in place
 * where the last one left room, they are not copied whole every time (tens
 * of megabytes a second, and the collector's work of freeing them). What
 * still shows the earlier data then sees its rows from `keep` on as the
 * update has them, each row whole (all its chart columns are written at once):
 * later rows of the same run, until the update is shown.
 */
function columnOnto(base: Column | null, keep: number, length: number): Float64Array {
  if (base === null) return new Float64Array(length);
  if (base instanceof Float64Array && base.byteOffset === 0 && growable.has(base.buffer) && base.buffer.byteLength >= length * 8) {
    return new Float64Array(base.buffer, 0, length);
  }
  const buffer = new ArrayBuffer(Math.ceil(length * GROWTH) * 8);
  growable.add(buffer);
  const values = new Float64Array(buffer, 0, length);
  if (base instanceof Float64Array) values.set(base.subarray(0, keep));
  else for (let i = 0; i < keep; i++) values[i] = base[i] ?? 0;
  return values;
}

function fromBase64(text: string): Uint8Array {
  // Native where there is one (recent browsers); else through atob (older webviews, Node 20).
  const native = Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array };
  if (native.fromBase64) return native.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new DecompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  // Written while read: the stream takes its input only as its output is taken.
  const written = writer.write(bytes as Uint8Array<ArrayBuffer>).then(() => writer.close());
  // Read chunk by chunk, not with Response.arrayBuffer(): two to three times quicker in Chromium.
  const read = (async () => {
    const chunks: Uint8Array[] = [];
    const reader = stream.readable.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value);
    return concat(chunks);
  })();
  return (await Promise.all([read, written]))[0];
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
