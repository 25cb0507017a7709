// One lock or semaphore over the whole run: who held it when (owner
// intervals), who waits for it now, and its value at any instant.

import { NumberRows, TimeOrder, type TimedRows } from './columns';

/** One hold, as the queries give it (a copy: the model keeps its holds as columns, HoldTable). */
export interface Hold {
  pid: number;
  tid: number;
  lane: string;
  start: number;
  /** null: still held. */
  end: number | null;
  loc: string;
  /** Acquisitions by the same thread still to be released (an RLock taken again). */
  depth: number;
}

const REENTRANT_TYPES = new Set(['RLock', 'threading.RLock', 'Manager.RLock']);

// The numbers of a hold, by field (HoldTable.numbers).
const PID = 0;
const TID = 1;
const START = 2;
const END = 3;
const DEPTH = 4;
const HOLD_NUMBERS = 5;

/** A lock's holds, a row each, numbered in the order they came (a row never moves: see columns.ts). */
class HoldTable implements TimedRows {
  readonly numbers = new NumberRows(HOLD_NUMBERS);
  readonly lane: string[] = [];
  readonly loc: string[] = [];

  /** A new hold, open; returns its row. */
  add(t: number, pid: number, tid: number, lane: string, loc: string): number {
    const numbers = this.numbers;
    const row = numbers.add();
    numbers.set(row, PID, pid);
    numbers.set(row, TID, tid);
    numbers.set(row, START, t);
    numbers.set(row, DEPTH, 1);
    this.lane.push(lane);
    this.loc.push(loc);
    return row;
  }

  hold(row: number): Hold {
    return {
      pid: this.numbers.get(row, PID) ?? 0,
      tid: this.numbers.get(row, TID) ?? 0,
      lane: this.lane[row] ?? '',
      start: this.start(row),
      end: this.end(row),
      loc: this.loc[row] ?? '',
      depth: this.depth(row),
    };
  }

  start(row: number): number {
    return this.numbers.get(row, START) ?? 0;
  }

  /** A hold is ordered by its start (TimedRows). */
  timeOfRow(row: number): number {
    return this.start(row);
  }

  /** null: still held. */
  end(row: number): number | null {
    return this.numbers.get(row, END);
  }

  depth(row: number): number {
    return this.numbers.get(row, DEPTH) ?? 0;
  }

  /** One acquisition more (`by` 1) or fewer (-1) by the holding thread; returns the new depth. */
  deepen(row: number, by: number): number {
    const depth = this.depth(row) + by;
    this.numbers.set(row, DEPTH, depth);
    return depth;
  }

  released(row: number, t: number): void {
    this.numbers.set(row, END, Math.max(t, this.start(row)));
  }
}

export class LockModel {
  name: string;
  type: string | null = null;
  scope: string | null = null;
  /** The initial value: 1 for a lock, n for a semaphore. */
  value = 1;
  loc: string | null = null;
  creator: number | null = null;
  /** When it was made (its first sighting, if its creation was not seen). */
  made = 0;
  /** Successful acquisitions. */
  acquisitions = 0;
  /** Acquire calls that had to block (announced their wait). */
  contended = 0;
  /** Longest time an acquire call was blocked, ns, whether it got the lock or not. */
  maxWait = 0;
  /** Every hold, by row. */
  private readonly table = new HoldTable();
  /** The holds' rows in the order of their starts. */
  private readonly startOrder = new TimeOrder(this.table);
  /** The rows of the holds not released yet. */
  private readonly open: number[] = [];
  // Asked at every acquisition: worked out again only when the type changes.
  private reentrantType: string | null | undefined = undefined;
  private reentrantNow = false;

  /** @param made when it was made (its first sighting, if its creation was not seen) */
  constructor(readonly id: string, loc: string | null, made = 0) {
    this.name = loc ? `Lock@${loc}` : id;
    this.made = made;
  }

  get reentrant(): boolean {
    if (this.type !== this.reentrantType) {
      this.reentrantNow = this.type !== null && REENTRANT_TYPES.has(this.type);
      this.reentrantType = this.type;
    }
    return this.reentrantNow;
  }

  /** Every hold, in order of acquisition (copies, made at each call). */
  get holds(): Hold[] {
    return Array.from(this.holdRows(), (row) => this.table.hold(row));
  }

  /** The rows of the holds in order of acquisition. A row names one hold for good (a late one moves the others' places, not their rows). */
  holdRows(): Int32Array {
    return this.startOrder.sortedRows();
  }

  /** The hold of `row` (holdRows), as it is now. */
  hold(row: number): Hold {
    return this.table.hold(row);
  }

  /** When the hold of `row` was released, or null: the part of a hold that changes, read without copying it. */
  holdEnd(row: number): number | null {
    return this.table.end(row);
  }

  /** Holds not released yet. */
  get held(): readonly Hold[] {
    return this.open.map((row) => this.table.hold(row));
  }

  /** An acquire call returned after blocking `waited` ns, whether it got the lock or not. */
  returned(waited: number): void {
    if (waited > this.maxWait) this.maxWait = waited;
  }

  acquire(t: number, pid: number, tid: number, lane: string, loc: string): void {
    this.acquisitions++;
    if (this.reentrant) {
      const at = this.openIndexOf(lane);
      const mine = at < 0 ? undefined : this.open[at];
      if (mine !== undefined) {
        this.table.deepen(mine, 1);
        return;
      }
    }
    const row = this.table.add(t, pid, tid, lane, loc);
    this.startOrder.insert(t, row);
    this.open.push(row);
  }

  /**
   * A release ends the releasing thread's own hold; a Lock or semaphore may be
   * released by another thread or process, which ends the oldest hold.
   */
  release(t: number, lane: string): void {
    const open = this.open;
    let at = this.openIndexOf(lane);
    if (at < 0) at = 0;
    const row = open[at];
    if (row === undefined) return;
    if (this.table.deepen(row, -1) > 0) return;
    this.table.released(row, t);
    // Closed up in place: splice would make an array of the removed row at every release.
    open.copyWithin(at, at + 1);
    open.pop();
  }

  /** Where `lane`'s open hold is in `open`, or -1 (a plain loop: no closure made per acquisition and release). */
  private openIndexOf(lane: string): number {
    const open = this.open;
    const lanes = this.table.lane;
    for (let i = 0; i < open.length; i++) if (lanes[open[i] ?? -1] === lane) return i;
    return -1;
  }

  /** A holder's thread or process ended: its hold stays open (nobody released it), but is marked. */
  holdersIn(pid: number): Hold[] {
    return this.held.filter((hold) => hold.pid === pid);
  }

  /** The holds at `t`. */
  holdersAt(t: number): Hold[] {
    const upTo = this.startOrder.countAtOrBefore(t);
    const found = new Set<number>();
    // A lock's holds do not overlap and a semaphore's overlap at most `value`
    // deep, so the holds just before `t` are the candidates; a hold never
    // released (its holder died) is in `open`, however long ago it began.
    const lookBack = Math.max(8, 4 * this.value);
    for (let i = upTo - 1; i >= 0 && i >= upTo - lookBack; i--) {
      const row = this.startOrder.rowAt(i);
      const end = this.table.end(row);
      if (end === null || end > t) found.add(row);
    }
    for (const row of this.open) if (this.table.start(row) <= t) found.add(row);
    return [...found].sort((a, b) => this.table.start(a) - this.table.start(b)).map((row) => this.table.hold(row));
  }
}
