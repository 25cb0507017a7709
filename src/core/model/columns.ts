// Storage for the model's biggest tables, a queue's items and a lock's holds:
// hundreds of thousands of rows, alive to the end of the run. Kept as an
// object each (their times and thread idents, beyond small integers, boxed as
// a heap number each), they were most of what the garbage collector copied and
// marked while a trace was read. Here a table is a few typed arrays, a row is
// a number, and nothing of a row is an object of its own.

import { countAtOrBefore } from './sorted';

/** null, in a table of numbers that may be null (JSON has no NaN, so no value is taken from the events). */
const NULL = NaN;

/** Rows a block of NumberRows holds. */
const BLOCK_ROWS = 1024;
const BLOCK_SHIFT = 10;

/**
 * Rows of numbers, or nulls, `fields` of them a row, in blocks of typed
 * arrays (a row's numbers side by side). Blocks, not one array grown twice as
 * big when full: no row is ever copied, and no memory touched for rows that
 * never come (new memory is slow to touch on some machines, where first use of
 * a page costs some microseconds). Rows are numbered 0, 1, 2... as they are added.
 */
export class NumberRows {
  private readonly blocks: Float64Array[] = [];
  count = 0;

  constructor(private readonly fields: number) {}

  /** A new row, every field null; returns its number. */
  add(): number {
    const row = this.count++;
    const within = row & (BLOCK_ROWS - 1);
    if (within === 0) this.blocks.push(new Float64Array(BLOCK_ROWS * this.fields));
    const block = this.blocks[row >> BLOCK_SHIFT];
    if (block === undefined) throw new Error('a NumberRows row without its block');
    // A loop, not fill(NaN): V8's TypedArray fill with NaN takes a slow path (some 30 times slower).
    const start = within * this.fields;
    for (let i = start; i < start + this.fields; i++) block[i] = NULL;
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
}

/**
 * Times kept in order as they come (mostly appended, sometimes a few places
 * from the end: processes send their events in batches), each with the row it
 * is the time of. A time that ties goes after the times already there, so rows
 * with equal times stay in the order they came.
 */
export class TimeOrder {
  private times = new Float64Array(16);
  private rows = new Int32Array(16);
  length = 0;

  /** Inserts `t`, the time of `row`; returns where it went. */
  insert(t: number, row: number): number {
    let at = this.length;
    if (at === this.times.length) {
      this.times = grown(this.times, at);
      this.rows = grown(this.rows, at);
    }
    // Late: found by halves, not step by step from the end (a batch can be hundreds of events late).
    if (at > 0 && (this.times[at - 1] ?? t) > t) {
      at = this.countAtOrBefore(t);
      this.times.copyWithin(at + 1, at, this.length);
      this.rows.copyWithin(at + 1, at, this.length);
    }
    this.times[at] = t;
    this.rows[at] = row;
    this.length++;
    return at;
  }

  /** The number of times `<= t`. */
  countAtOrBefore(t: number): number {
    return countAtOrBefore(this.times, t, this.length);
  }

  timeAt(index: number): number {
    return this.times[index] ?? NULL;
  }

  rowAt(index: number): number {
    return this.rows[index] ?? -1;
  }

  /** The times in order (a view: valid until the next insert). */
  sortedTimes(): Float64Array {
    return this.times.subarray(0, this.length);
  }

  /** The rows in the order of their times (a copy). */
  sortedRows(): Int32Array {
    return this.rows.slice(0, this.length);
  }
}

/** `values` copied into an array at least twice as long, and long enough for index `needed`. */
function grown<A extends Float64Array | Int32Array>(values: A, needed: number): A {
  const bigger = new (values.constructor as new (length: number) => A)(Math.max(2 * values.length, needed + 1));
  bigger.set(values);
  return bigger;
}
