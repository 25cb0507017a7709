// Storage for the model's biggest tables, a queue's items and a lock's holds:
// hundreds of thousands of rows, alive to the end of the run. Kept as an
// object each (their times and thread idents, beyond small integers, boxed as
// a heap number each), they were most of what the garbage collector copied and
// marked while a trace was read. Here a table is a few typed arrays, a row is
// a number, and nothing of a row is an object of its own.

import type { ScannedText } from '../ingest/scan';
import { countAtOrBefore } from './sorted';

/** null, in a table of numbers that may be null (JSON has no NaN, so no value is taken from the events). */
const NULL = NaN;

/**
 * An empty list that holds objects from the start. A `[]` starts as a list of
 * small integers and changes kind at its first push of an object; V8's compiled
 * code for a push, made for the lists it saw, was thrown away (and the reading
 * loop compiled again) each time it met a list of the other kind.
 */
export function listOfObjects<T extends object>(): T[] {
  const list: T[] = [Object.prototype as T];
  list.pop();
  return list;
}

/** Rows a block of NumberRows holds. */
const BLOCK_ROWS = 1024;
const BLOCK_SHIFT = 10;

/** null, in a row's whole numbers (none of them, a pid, a count, an index, is this low). */
const INT_NULL = -0x80000000;

/**
 * Rows of numbers, or nulls, in blocks: `fields` numbers (doubles) and
 * `intFields` whole numbers (int32) a row, a block's doubles and int32s side by
 * side in one buffer. Blocks, not one array grown twice as big when full: no
 * row is ever copied, and no memory touched for rows that never come (new
 * memory is slow to touch on some machines, where first use of a page costs
 * some microseconds). Rows are numbered 0, 1, 2... as they are added.
 */
export class NumberRows {
  private readonly blocks = listOfObjects<Float64Array>();
  private readonly intBlocks = listOfObjects<Int32Array>();
  count = 0;

  constructor(private readonly fields: number, private readonly intFields = 0) {}

  /** A new row, every field null; returns its number. */
  add(): number {
    const row = this.count++;
    const within = row & (BLOCK_ROWS - 1);
    if (within === 0) {
      const buffer = new ArrayBuffer(BLOCK_ROWS * (8 * this.fields + 4 * this.intFields));
      this.blocks.push(new Float64Array(buffer, 0, BLOCK_ROWS * this.fields));
      this.intBlocks.push(new Int32Array(buffer, BLOCK_ROWS * 8 * this.fields, BLOCK_ROWS * this.intFields));
    }
    const block = this.blocks[row >> BLOCK_SHIFT];
    const ints = this.intBlocks[row >> BLOCK_SHIFT];
    if (block === undefined || ints === undefined) throw new Error('a NumberRows row without its block');
    // Loops, not fill(): V8's TypedArray fill with NaN takes a slow path (some 30 times slower).
    const start = within * this.fields;
    for (let i = start; i < start + this.fields; i++) block[i] = NULL;
    const intStart = within * this.intFields;
    for (let i = intStart; i < intStart + this.intFields; i++) ints[i] = INT_NULL;
    return row;
  }

  get(row: number, field: number): number | null {
    const value = this.blocks[row >> BLOCK_SHIFT]?.[(row & (BLOCK_ROWS - 1)) * this.fields + field] ?? NULL;
    return Number.isNaN(value) ? null : value;
  }

  /** A value that is not a number (a malformed event's field) is kept as null. */
  set(row: number, field: number, value: unknown): void {
    const block = this.blocks[row >> BLOCK_SHIFT];
    if (block) block[(row & (BLOCK_ROWS - 1)) * this.fields + field] = typeof value === 'number' ? value : NULL;
  }

  getInt(row: number, field: number): number | null {
    const value = this.intBlocks[row >> BLOCK_SHIFT]?.[(row & (BLOCK_ROWS - 1)) * this.intFields + field] ?? INT_NULL;
    return value === INT_NULL ? null : value;
  }

  /** A value that is not an int32 (a malformed event's field, or one too big) is kept as null. */
  setInt(row: number, field: number, value: unknown): void {
    const ints = this.intBlocks[row >> BLOCK_SHIFT];
    if (ints) ints[(row & (BLOCK_ROWS - 1)) * this.intFields + field] = typeof value === 'number' && (value | 0) === value ? value : INT_NULL;
  }
}

/** Entries a block of TimeOrder holds at most. */
const ORDER_BLOCK = 4096;

/** A table whose rows a TimeOrder keeps in the order of their times. */
export interface TimedRows {
  /** The time row `row` is ordered by; it must not change once the row is in an order. */
  timeOfRow(row: number): number;
}

/** A run of a TimeOrder's entries, in time order: times, or rows (whose times the order looks up). */
interface OrderBlock {
  times: Float64Array | null;
  rows: Int32Array | null;
  length: number;
}

/**
 * Times kept in order as they come (mostly appended, sometimes a few places
 * from the end: processes send their events in batches). A time that ties
 * goes after the times already there, so equal times stay in the order they came.
 *
 * It keeps either the times themselves, or the rows of a table that keeps
 * their times (TimedRows): a row is 4 bytes where a time is 8, and a queue's
 * items are hundreds of thousands (new memory is slow on some machines).
 *
 * In blocks of up to ORDER_BLOCK, not one array: one grown twice as big when
 * full copied every time again and touched twice the memory it kept, and a
 * late time moved every time after it (a batch of another process's puts,
 * hundreds of places late, moved the whole tail for each of its times). A
 * late time now moves the rest of its block.
 */
export class TimeOrder {
  private readonly blocks = listOfObjects<OrderBlock>();
  /** The number of entries in the blocks before each block. */
  private readonly before: number[] = [];
  length = 0;
  /** Where the last late entry went: its block, and its place in it (blocks split since: looked for again). */
  private lateBlock = -1;
  private lateAt = -1;

  /** @param table if given, the order keeps rows of this table; else times. */
  constructor(private readonly table?: TimedRows) {}

  /**
   * Inserts time `t`, or row `row` whose time is `t` (an order of rows);
   * returns where it went.
   */
  insert(t: number, row = -1): number {
    let block = this.blocks[this.blocks.length - 1];
    if (block !== undefined && block.length > 0 && this.timeIn(block, block.length - 1) > t) return this.insertLate(t, row);
    if (block === undefined || block.length === ORDER_BLOCK) {
      block = this.newBlock();
      this.before.push(this.length);
      this.blocks.push(block);
    }
    this.put(block, block.length, t, row);
    return this.length - 1;
  }

  /**
   * insert() of a time earlier than the last: into the first block that has a
   * later time. A method apart: V8 compiles the common case, appending, without
   * it, and need not compile that again when the first late time comes.
   */
  private insertLate(t: number, row: number): number {
    const blocks = this.blocks;
    let k = this.lateBlock;
    let block = blocks[k];
    let at = this.lateAt + 1;
    // Late times come in batches (another process's events, in order among themselves): most go
    // right after the one before, found without a search.
    if (
      block === undefined || block.length === ORDER_BLOCK || at >= block.length ||
      this.timeIn(block, at - 1) > t || this.timeIn(block, at) <= t
    ) {
      k = this.firstBlockAfter(t);
      if ((blocks[k]?.length ?? 0) === ORDER_BLOCK) {
        this.split(k);
        const full = blocks[k];
        if (full !== undefined && this.timeIn(full, full.length - 1) <= t) k++;
      }
      block = blocks[k];
      // There is one: the last block's last time is later.
      if (block === undefined) throw new Error('TimeOrder: no block for a late time');
      at = this.countInBlock(block, t);
    }
    block.times?.copyWithin(at + 1, at, block.length);
    block.rows?.copyWithin(at + 1, at, block.length);
    this.put(block, at, t, row);
    for (let j = k + 1; j < this.before.length; j++) this.before[j] = (this.before[j] ?? 0) + 1;
    this.lateBlock = k;
    this.lateAt = at;
    return (this.before[k] ?? 0) + at;
  }

  /** Writes the entry for time `t` (or `row`) at `at` of `block`, a place made free for it. */
  private put(block: OrderBlock, at: number, t: number, row: number): void {
    if (block.times) block.times[at] = t;
    else if (block.rows) block.rows[at] = row;
    block.length++;
    this.length++;
  }

  /** The number of entries whose time is `<= t`. */
  countAtOrBefore(t: number): number {
    const k = this.firstBlockAfter(t);
    const block = this.blocks[k];
    return block === undefined ? this.length : (this.before[k] ?? 0) + this.countInBlock(block, t);
  }

  timeAt(index: number): number {
    const k = this.blockOf(index);
    const block = this.blocks[k];
    return block === undefined ? NULL : this.timeIn(block, index - (this.before[k] ?? 0));
  }

  /** The row at `index`, or -1 (an order of times keeps no rows). */
  rowAt(index: number): number {
    const k = this.blockOf(index);
    return this.blocks[k]?.rows?.[index - (this.before[k] ?? 0)] ?? -1;
  }

  /** The times in order (a copy). */
  sortedTimes(): Float64Array {
    const out = new Float64Array(this.length);
    let index = 0;
    for (const block of this.blocks) {
      if (block.times) out.set(block.times.subarray(0, block.length), index);
      else for (let i = 0; i < block.length; i++) out[index + i] = this.timeIn(block, i);
      index += block.length;
    }
    return out;
  }

  /** The rows in the order of their times (a copy; -1s for an order of times). */
  sortedRows(): Int32Array {
    const out = new Int32Array(this.length).fill(-1);
    this.blocks.forEach((block, k) => {
      if (block.rows) out.set(block.rows.subarray(0, block.length), this.before[k]);
    });
    return out;
  }

  /** The time of entry `i` of `block`. */
  private timeIn(block: OrderBlock, i: number): number {
    if (block.times) return block.times[i] ?? NULL;
    return this.table?.timeOfRow(block.rows?.[i] ?? -1) ?? NULL;
  }

  /** The number of entries of `block` whose time is `<= t`. */
  private countInBlock(block: OrderBlock, t: number): number {
    let lo = 0;
    let hi = block.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeIn(block, mid) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private newBlock(): OrderBlock {
    return this.table
      ? { times: null, rows: new Int32Array(ORDER_BLOCK), length: 0 }
      : { times: new Float64Array(ORDER_BLOCK), rows: null, length: 0 };
  }

  /** The first block whose last time is later than `t` (the number of blocks if none is). */
  private firstBlockAfter(t: number): number {
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = this.blocks[mid];
      if (block !== undefined && this.timeIn(block, block.length - 1) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The block that holds entry `index`. */
  private blockOf(index: number): number {
    return countAtOrBefore(this.before, index) - 1;
  }

  /** Moves the second half of full block `k` into a new block after it. */
  private split(k: number): void {
    const block = this.blocks[k];
    if (block === undefined) return;
    const half = block.length >>> 1;
    const upper = this.newBlock();
    if (block.times && upper.times) upper.times.set(block.times.subarray(half, block.length));
    if (block.rows && upper.rows) upper.rows.set(block.rows.subarray(half, block.length));
    upper.length = block.length - half;
    block.length = half;
    this.blocks.splice(k + 1, 0, upper);
    this.before.splice(k + 1, 0, (this.before[k] ?? 0) + half);
  }
}

/** The fewest slots a PairIndex has. */
const MIN_SLOTS = 64;
/** A PairIndex slot that holds no key. */
const EMPTY = -1;

/**
 * Numbers waiting under a key of two int32s, first in first out: a queue's
 * items sent and not yet taken, by their bytes' (crc, size); its gets that
 * came before their item, by the same; its puts whose send has not come, by
 * (seq, pid). Nearly every key holds one value, for a moment: a Map of them
 * was a good part of what modelling a queue cost (a heap number a key, a
 * table rebuilt as entries came and went). Here nothing is made per value but
 * for a key that holds several at once. Values are non-negative integers.
 */
export class PairIndex {
  /** Values held. */
  size = 0;
  // Open addressing, linear probing: slot i holds key (keyA[i], keyB[i]) and the first and last of its values (first EMPTY: no key).
  private keyA = new Int32Array(MIN_SLOTS);
  private keyB = new Int32Array(MIN_SLOTS);
  private first = new Int32Array(MIN_SLOTS).fill(EMPTY);
  private last = new Int32Array(MIN_SLOTS);
  private keys = 0;
  /** The value after a value under the same key, for the keys that hold more than one. */
  private readonly next = new Map<number, number>();

  /** Adds `value` under (a, b), after the values already there. */
  add(a: number, b: number, value: number): void {
    this.size++;
    let slot = this.find(a, b);
    if (this.first[slot] !== EMPTY) {
      this.next.set(this.last[slot] ?? 0, value);
      this.last[slot] = value;
      return;
    }
    // Kept at most half full, so that a probe ends soon.
    if (2 * (this.keys + 1) > this.first.length) {
      this.resize(2 * this.first.length);
      slot = this.find(a, b);
    }
    this.keys++;
    this.keyA[slot] = a;
    this.keyB[slot] = b;
    this.first[slot] = value;
    this.last[slot] = value;
  }

  /** Removes and returns the first value under (a, b), or -1 if there is none. */
  take(a: number, b: number): number {
    if (this.size === 0) return -1;
    const slot = this.find(a, b);
    const value = this.first[slot] ?? EMPTY;
    if (value === EMPTY) return -1;
    this.size--;
    if (value === this.last[slot]) this.remove(slot);
    else {
      this.first[slot] = this.next.get(value) ?? EMPTY;
      this.next.delete(value);
    }
    return value;
  }

  /** The slot of (a, b), or the EMPTY slot where it would go. */
  private find(a: number, b: number): number {
    const mask = this.first.length - 1;
    let slot = home(a, b, mask);
    while (this.first[slot] !== EMPTY && (this.keyA[slot] !== a || this.keyB[slot] !== b)) slot = (slot + 1) & mask;
    return slot;
  }

  /** Empties `slot`, moving back the keys after it that a probe would no longer reach (no mark left behind). */
  private remove(slot: number): void {
    const mask = this.first.length - 1;
    let hole = slot;
    this.first[hole] = EMPTY;
    this.keys--;
    for (let at = (hole + 1) & mask; this.first[at] !== EMPTY; at = (at + 1) & mask) {
      const wanted = home(this.keyA[at] ?? 0, this.keyB[at] ?? 0, mask);
      // It stays if its home is after the hole, up to where it is (counted around the end of the table).
      if (((at - wanted) & mask) < ((at - hole) & mask)) continue;
      this.keyA[hole] = this.keyA[at] ?? 0;
      this.keyB[hole] = this.keyB[at] ?? 0;
      this.first[hole] = this.first[at] ?? EMPTY;
      this.last[hole] = this.last[at] ?? 0;
      this.first[at] = EMPTY;
      hole = at;
    }
  }

  private resize(capacity: number): void {
    const { keyA, keyB, first, last } = this;
    this.keyA = new Int32Array(capacity);
    this.keyB = new Int32Array(capacity);
    this.first = new Int32Array(capacity).fill(EMPTY);
    this.last = new Int32Array(capacity);
    for (let i = 0; i < first.length; i++) {
      const head = first[i] ?? EMPTY;
      if (head === EMPTY) continue;
      const slot = this.find(keyA[i] ?? 0, keyB[i] ?? 0);
      this.keyA[slot] = keyA[i] ?? 0;
      this.keyB[slot] = keyB[i] ?? 0;
      this.first[slot] = head;
      this.last[slot] = last[i] ?? 0;
    }
  }
}

/** Where a probe for (a, b) starts, in a table of `mask + 1` slots. */
function home(a: number, b: number, mask: number): number {
  const hash = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
  return (hash ^ (hash >>> 16)) & mask;
}

/** Bytes a block of Texts holds; a longer text is kept as a string of its own. */
const TEXT_BLOCK_BYTES = 1 << 15;
/** A text's place in its block and its length, in one int32: place * TEXT_PLACE + length. */
const TEXT_PLACE = 1 << 16;

/**
 * Texts (a queue's items' reprs: a string each, hundreds of thousands of them),
 * numbered 0, 1, 2... as they are added, kept as their UTF-8 bytes in blocks
 * outside the JavaScript heap. As strings, each was an object that the garbage
 * collector copied twice before it settled, and most are never looked at
 * again; a text is made a string only when asked for. A text the trace reader
 * left as its bytes (ScannedText) is copied as it is, never made a string. A
 * text costs 4 bytes beside its own: where it is in its block and its length,
 * in one int32 (its block is found from the first text of each block).
 */
export class Texts {
  private readonly blocks = listOfObjects<Buffer>();
  /** The number of the first text of each block. */
  private readonly firstTexts: number[] = [];
  private block: Buffer = Buffer.alloc(0);
  private used = 0;
  private readonly places = new NumberRows(0, 1);
  private readonly long = new Map<number, string>();

  get count(): number {
    return this.places.count;
  }

  add(text: string | ScannedText): number {
    const index = this.places.add();
    if (typeof text === 'string') {
      // At most 3 bytes a UTF-16 unit: written without being measured first when that surely fits.
      const most = 3 * text.length;
      if (most > TEXT_BLOCK_BYTES) this.long.set(index, text);
      else {
        this.room(most, index);
        this.placed(index, this.block.write(text, this.used, 'utf8'));
      }
    } else {
      const { bytes, start, end } = text;
      const length = end - start;
      if (length > TEXT_BLOCK_BYTES) this.long.set(index, bytes.toString('utf8', start, end));
      else {
        this.room(length, index);
        const block = this.block;
        // Most are a few dozen bytes: a loop costs less than a call into Buffer's copy.
        if (length < 64) for (let i = 0; i < length; i++) block[this.used + i] = bytes[start + i] ?? 0;
        else bytes.copy(block, this.used, start, end);
        this.placed(index, length);
      }
    }
    return index;
  }

  text(index: number): string {
    const place = this.places.getInt(index, 0);
    if (place === null) return this.long.get(index) ?? '';
    const within = Math.floor(place / TEXT_PLACE);
    const block = this.blocks[countAtOrBefore(this.firstTexts, index) - 1];
    return block?.toString('utf8', within, within + (place % TEXT_PLACE)) ?? '';
  }

  /** Makes sure the block has `bytes` free, for text `index`. */
  private room(bytes: number, index: number): void {
    if (this.used + bytes <= this.block.length) return;
    this.block = Buffer.alloc(TEXT_BLOCK_BYTES);
    this.blocks.push(this.block);
    this.firstTexts.push(index);
    this.used = 0;
  }

  private placed(index: number, length: number): void {
    this.places.setInt(index, 0, this.used * TEXT_PLACE + length);
    this.used += length;
  }
}
