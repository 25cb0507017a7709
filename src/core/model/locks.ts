// One lock or semaphore over the whole run: who held it when (owner
// intervals), who waits for it now, and its value at any instant.

import { countAtOrBefore, insertAt, insertTime } from './sorted';

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
  /** Every hold, in order of acquisition. */
  readonly holds: Hold[] = [];
  /** The start of each hold in `holds`. */
  private readonly starts: number[] = [];
  private readonly open: Hold[] = [];
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

  /** Holds not released yet. */
  get held(): readonly Hold[] {
    return this.open;
  }

  acquire(t: number, pid: number, tid: number, lane: string, loc: string, waited: number): void {
    this.acquisitions++;
    if (waited > this.maxWait) this.maxWait = waited;
    if (this.reentrant) {
      const at = this.openIndexOf(lane);
      const mine = at < 0 ? undefined : this.open[at];
      if (mine) {
        mine.depth++;
        return;
      }
    }
    const hold: Hold = { pid, tid, lane, start: t, end: null, loc, depth: 1 };
    insertAt(this.holds, insertTime(this.starts, t), hold);
    this.open.push(hold);
  }

  /**
   * A release ends the releasing thread's own hold; a Lock or semaphore may be
   * released by another thread or process, which ends the oldest hold.
   */
  release(t: number, lane: string): void {
    const open = this.open;
    let at = this.openIndexOf(lane);
    if (at < 0) at = 0;
    const hold = open[at];
    if (!hold) return;
    if (--hold.depth > 0) return;
    hold.end = Math.max(t, hold.start);
    // Closed up in place: splice would make an array of the removed hold at every release.
    open.copyWithin(at, at + 1);
    open.pop();
  }

  /** Where `lane`'s open hold is in `open`, or -1 (a plain loop: no closure made per acquisition and release). */
  private openIndexOf(lane: string): number {
    const open = this.open;
    for (let i = 0; i < open.length; i++) if (open[i]?.lane === lane) return i;
    return -1;
  }

  /** A holder's thread or process ended: its hold stays open (nobody released it), but is marked. */
  holdersIn(pid: number): Hold[] {
    return this.open.filter((hold) => hold.pid === pid);
  }

  /** The holds at `t`. */
  holdersAt(t: number): Hold[] {
    const upTo = countAtOrBefore(this.starts, t);
    const found = new Set<Hold>();
    // A lock's holds do not overlap and a semaphore's overlap at most `value`
    // deep, so the holds just before `t` are the candidates; a hold never
    // released (its holder died) is in `open`, however long ago it began.
    const lookBack = Math.max(8, 4 * this.value);
    for (let i = upTo - 1; i >= 0 && i >= upTo - lookBack; i--) {
      const hold = this.holds[i];
      if (hold !== undefined && (hold.end === null || hold.end > t)) found.add(hold);
    }
    for (const hold of this.open) if (hold.start <= t) found.add(hold);
    return [...found].sort((a, b) => a.start - b.start);
  }
}
