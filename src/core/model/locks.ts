// One lock or semaphore over the whole run: who held it when (owner
// intervals), who waits for it now, and its value at any instant.

import { NumberColumn, TimeOrder } from './columns';

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

/** A lock's holds, a row each, numbered in the order they came (a row never moves: see columns.ts). */
class HoldTable {
  count = 0;
  readonly pid = new NumberColumn();
  readonly tid = new NumberColumn();
  readonly start = new NumberColumn();
  readonly end = new NumberColumn();
  readonly depth = new NumberColumn();
  readonly lane: string[] = [];
  readonly loc: string[] = [];

  /** A new hold, open; returns its row. */
  add(t: number, pid: number, tid: number, lane: string, loc: string): number {
    const row = this.count++;
    this.pid.set(row, pid);
    this.tid.set(row, tid);
    this.start.set(row, t);
    this.end.set(row, null);
    this.depth.set(row, 1);
    this.lane.push(lane);
    this.loc.push(loc);
    return row;
  }

  hold(row: number): Hold {
    return {
      pid: this.pid.get(row) ?? 0,
      tid: this.tid.get(row) ?? 0,
      lane: this.lane[row] ?? '',
      start: this.startOf(row),
      end: this.end.get(row),
      loc: this.loc[row] ?? '',
      depth: this.depth.get(row) ?? 0,
    };
  }

  startOf(row: number): number {
    return this.start.get(row) ?? 0;
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
  acquisitions = 0;
  contended = 0;
  maxWait = 0;
  /** Every hold, by row. */
  private readonly table = new HoldTable();
  /** The holds' rows in the order of their starts. */
  private readonly startOrder = new TimeOrder();
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
    return this.table.end.get(row);
  }

  /** Holds not released yet. */
  get held(): readonly Hold[] {
    return this.open.map((row) => this.table.hold(row));
  }

  acquire(t: number, pid: number, tid: number, lane: string, loc: string, waited: number): void {
    this.acquisitions++;
    if (waited > this.maxWait) this.maxWait = waited;
    if (this.reentrant) {
      const at = this.openIndexOf(lane);
      const mine = at < 0 ? undefined : this.open[at];
      if (mine !== undefined) {
        this.table.depth.set(mine, (this.table.depth.get(mine) ?? 0) + 1);
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
    const depth = (this.table.depth.get(row) ?? 0) - 1;
    this.table.depth.set(row, depth);
    if (depth > 0) return;
    this.table.end.set(row, Math.max(t, this.table.startOf(row)));
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
      const end = this.table.end.get(row);
      if (end === null || end > t) found.add(row);
    }
    for (const row of this.open) if (this.table.startOf(row) <= t) found.add(row);
    return [...found].sort((a, b) => this.table.startOf(a) - this.table.startOf(b)).map((row) => this.table.hold(row));
  }
}
