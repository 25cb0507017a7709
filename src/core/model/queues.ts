// One queue over the whole run: every item that went in, when and by whom, and
// when and by whom it came out (the put→get flows), its depth at any instant,
// and its exact contents at any instant.
//
// How a get finds its put depends on the queue (docs/trace-format.md):
// - multiprocessing Queue: put (pid, seq) → the feeder's send (pid, seq) gives
//   the pickled bytes' (crc, size) → the first get of the same (crc, size);
// - SimpleQueue: the put carries (crc, size) itself;
// - the `queue` module's queues: the get names its put's seq (same process);
// - a Manager's queue: neither; puts and gets pair in order.
// Processes send their events in batches, so a get can arrive before its put:
// whichever side comes second completes the pair.

import { NumberRows, TimeOrder } from './columns';
import { stepCounts } from './sorted';

/** One item, as the queries give it (a copy: the model keeps its items as columns, ItemTable). */
export interface QueueItem {
  putT: number;
  putPid: number;
  putTid: number;
  putLoc: string | null;
  repr: string;
  seq: number | null;
  size: number | null;
  crc: number | null;
  /** When the feeder wrote it into the pipe (multiprocessing Queue). */
  sendT: number | null;
  getT: number | null;
  getPid: number | null;
  getTid: number | null;
  getLoc: string | null;
  /** The feeder could not pickle it: it never reached the pipe. */
  lost: string | null;
}

// The numbers of an item, by field (ItemTable.numbers).
const PUT_T = 0;
const PUT_PID = 1;
const PUT_TID = 2;
const SEQ = 3;
const SIZE = 4;
const CRC = 5;
const SEND_T = 6;
const GET_T = 7;
const GET_PID = 8;
const GET_TID = 9;
const ITEM_NUMBERS = 10;

/** A queue's items, a row each, numbered as they are put (a row never moves: see columns.ts). */
class ItemTable {
  readonly numbers = new NumberRows(ITEM_NUMBERS);
  readonly repr: string[] = [];
  readonly putLoc: (string | null)[] = [];
  readonly getLoc: (string | null)[] = [];
  /** Why an item was lost, for the few that were. */
  readonly lost = new Map<number, string>();

  /** A new item, not yet sent nor taken; returns its row. */
  add(t: number, pid: number, tid: number, loc: string, repr: string, seq: number | null, size: number | null, crc: number | null): number {
    const numbers = this.numbers;
    const row = numbers.add();
    numbers.set(row, PUT_T, t);
    numbers.set(row, PUT_PID, pid);
    numbers.set(row, PUT_TID, tid);
    numbers.set(row, SEQ, seq);
    numbers.set(row, SIZE, size);
    numbers.set(row, CRC, crc);
    this.repr.push(repr);
    this.putLoc.push(loc);
    this.getLoc.push(null);
    return row;
  }

  sent(row: number, t: number, size: number, crc: number): void {
    this.numbers.set(row, SEND_T, t);
    this.numbers.set(row, SIZE, size);
    this.numbers.set(row, CRC, crc);
  }

  took(row: number, t: number, pid: number, tid: number, loc: string): void {
    this.numbers.set(row, GET_T, t);
    this.numbers.set(row, GET_PID, pid);
    this.numbers.set(row, GET_TID, tid);
    this.getLoc[row] = loc;
  }

  size(row: number): number | null {
    return this.numbers.get(row, SIZE);
  }

  crc(row: number): number | null {
    return this.numbers.get(row, CRC);
  }

  takenAt(row: number): number | null {
    return this.numbers.get(row, GET_T);
  }

  item(row: number): QueueItem {
    const numbers = this.numbers;
    return {
      putT: numbers.get(row, PUT_T) ?? 0,
      putPid: numbers.get(row, PUT_PID) ?? 0,
      putTid: numbers.get(row, PUT_TID) ?? 0,
      putLoc: this.putLoc[row] ?? null,
      repr: this.repr[row] ?? '',
      seq: numbers.get(row, SEQ),
      size: numbers.get(row, SIZE),
      crc: numbers.get(row, CRC),
      sendT: numbers.get(row, SEND_T),
      getT: numbers.get(row, GET_T),
      getPid: numbers.get(row, GET_PID),
      getTid: numbers.get(row, GET_TID),
      getLoc: this.getLoc[row] ?? null,
      lost: this.lost.get(row) ?? null,
    };
  }

  /** In the queue at `t`: put at or before it and not yet taken. */
  isInAt(row: number, t: number): boolean {
    const getT = this.takenAt(row);
    return (this.numbers.get(row, PUT_T) ?? 0) <= t && (getT === null || getT > t);
  }
}

interface PendingGet {
  /** The crc and size of what it got, or the seq of the put it names. */
  crc: number;
  size: number;
  t: number;
  pid: number;
  tid: number;
  loc: string;
}

export type QueuePairing = 'bytes' | 'seq' | 'order';

/** A get in order pairing that does not name its item's crc (a trace from before they did). */
const NO_CRC = -1;

/** The most items a contents query lists (the count is always exact). */
export const MAX_LISTED_ITEMS = 1000;

export class QueueModel {
  name: string;
  type: string | null = null;
  maxsize = 0;
  loc: string | null = null;
  creator: number | null = null;
  /** When it was made (its first sighting, if its creation was not seen). */
  made = 0;
  /** Every item put, by row. */
  private readonly table = new ItemTable();
  /** The items' rows in put-time order. */
  private readonly putOrder = new TimeOrder();
  /** The gets' times in order (each with its number among the gets). */
  private readonly getOrder = new TimeOrder();
  /** A JoinableQueue's task_done() calls: their times in order, and the lines that made them. */
  private readonly doneOrder = new TimeOrder();
  readonly taskDoneLocs = new Set<string>();
  puts = 0;
  gets = 0;
  lost = 0;
  /** Items a process still held in its feeder buffer as it began to exit. */
  buffered = 0;
  /** Rows of items by putter pid, indexed by their seq (a process numbers its puts on a queue 0, 1, 2...); -1 once done with. */
  private readonly bySeq = new Map<number, number[]>();
  private seqPid: number | null = null;
  private seqRows: number[] | undefined;
  /** Rows sent, not yet taken, by crc (then size), in send order. */
  private readonly sentWaiting = new Map<number, OneOrMore<number>>();
  /** Gets whose put (or send) has not arrived yet: by crc for pickled items, by seq for the queue module's. */
  private readonly getsWaiting = new Map<number, OneOrMore<PendingGet>>();
  private readonly unpairedInOrder: number[] = [];
  private readonly getsInOrder: PendingGet[] = [];
  /** Processes that put (producers) and that got (consumers). */
  readonly putters = new Set<number>();
  readonly getters = new Set<number>();
  // Asked at every put and get: worked out again only when the type changes.
  private pairingType: string | null | undefined = undefined;
  private pairingNow: QueuePairing = 'bytes';
  // Items come from a handful of lines: each item keeps the same string for the same line,
  // not a copy of its own (less memory, and less for the garbage collector to move).
  private putLoc = '';
  private getLoc = '';
  // Whoever put or got last is already in putters / getters.
  private lastPutter: number | null = null;
  private lastGetter: number | null = null;

  /** @param made when it was made (its first sighting, if its creation was not seen) */
  constructor(readonly id: string, loc: string | null, made = 0) {
    this.name = loc ? `Queue@${loc}` : id;
    this.made = made;
  }

  get pairing(): QueuePairing {
    if (this.type !== this.pairingType) {
      this.pairingNow = pairingOf(this.id, this.type);
      this.pairingType = this.type;
    }
    return this.pairingNow;
  }

  put(t: number, pid: number, tid: number, loc: string, repr: string, seq: number | null, size: number | null, crc: number | null): void {
    if (loc === this.putLoc) loc = this.putLoc;
    else this.putLoc = loc;
    const row = this.table.add(t, pid, tid, loc, repr, seq, size, crc);
    this.puts++;
    if (pid !== this.lastPutter) {
      this.putters.add(pid);
      this.lastPutter = pid;
    }
    this.putOrder.insert(t, row);
    if (seq !== null) this.remember(pid, seq, row);
    switch (this.pairing) {
      case 'bytes':
        // A SimpleQueue's put knows its bytes; a Queue's learns them at the send.
        if (size !== null && crc !== null) {
          this.table.sent(row, t, size, crc);
          this.sentWaits(row);
        }
        break;
      case 'seq':
        if (seq !== null) this.takeWaitingGet(pid, seq, row);
        break;
      case 'order':
        this.unpairedInOrder.push(row);
        this.pairInOrder();
        break;
    }
  }

  send(t: number, pid: number, seq: number | null, size: number, crc: number): void {
    if (seq === null) return;
    const row = this.recall(pid, seq);
    if (row === undefined) return;
    this.forget(pid, seq);
    this.table.sent(row, t, size, crc);
    this.sentWaits(row);
  }

  markLost(pid: number, seq: number | null, error: string): void {
    this.lost++;
    const row = seq === null ? undefined : this.recall(pid, seq);
    if (row !== undefined && seq !== null) {
      this.table.lost.set(row, error);
      this.forget(pid, seq);
    }
  }

  get(t: number, pid: number, tid: number, loc: string, size: number | null, crc: number | null, seq: number | null): void {
    if (loc === this.getLoc) loc = this.getLoc;
    else this.getLoc = loc;
    this.gets++;
    if (pid !== this.lastGetter) {
      this.getters.add(pid);
      this.lastGetter = pid;
    }
    this.getOrder.insert(t, this.gets);
    switch (this.pairing) {
      case 'bytes': {
        if (size === null || crc === null) return;
        // Usually its item was sent already: the get is kept only when it has to wait for it.
        const row = takeFirst(this.sentWaiting, crc, rowSizeIs, size, this.table);
        if (row !== undefined) this.table.took(row, t, pid, tid, loc);
        else addWaiting(this.getsWaiting, crc, { crc, size, t, pid, tid, loc });
        return;
      }
      case 'seq': {
        if (seq === null) return;
        const row = this.recall(pid, seq);
        if (row !== undefined) {
          this.forget(pid, seq);
          this.table.took(row, t, pid, tid, loc);
        } else addWaiting(this.getsWaiting, seq, { crc: seq, size: pid, t, pid, tid, loc });
        return;
      }
      case 'order':
        this.getsInOrder.push({ crc: crc ?? NO_CRC, size: 0, t, pid, tid, loc });
        this.pairInOrder();
        return;
    }
  }

  /** A JoinableQueue's task_done() at `t`, from `loc`. */
  taskDone(t: number, loc: string): void {
    this.doneOrder.insert(t, this.doneOrder.length);
    this.taskDoneLocs.add(loc);
  }

  /** What a JoinableQueue's join() waits on at `t`: items put, items taken, and task_done() calls so far. */
  joinCountsAt(t: number): { put: number; taken: number; done: number } {
    return { put: this.putOrder.countAtOrBefore(t), taken: this.getOrder.countAtOrBefore(t), done: this.doneOrder.countAtOrBefore(t) };
  }

  /** Items in the queue at `t`: put at or before it and not yet taken. */
  depthAt(t: number): number {
    return this.putOrder.countAtOrBefore(t) - this.getOrder.countAtOrBefore(t);
  }

  /** Depth now (after every event seen). */
  get depth(): number {
    return this.putOrder.length - this.getOrder.length;
  }

  /** The most items in the queue at once. */
  get maxDepth(): number {
    let depth = 0;
    let max = 0;
    let p = 0;
    let g = 0;
    const puts = this.putOrder.sortedTimes();
    const gets = this.getOrder.sortedTimes();
    while (p < puts.length) {
      if (g < gets.length && (gets[g] ?? 0) < (puts[p] ?? 0)) {
        depth--;
        g++;
      } else {
        depth++;
        p++;
        if (depth > max) max = depth;
      }
    }
    return max;
  }

  /** Depth over the whole run as a step function: `depth[i]` items from `t[i]` on. */
  depthSteps(): { t: Float64Array; depth: Float64Array } {
    const { t, count } = stepCounts(this.putOrder.sortedTimes(), this.getOrder.sortedTimes());
    return { t, depth: count };
  }

  /** Every item put, in put-time order (copies, made at each call: a loop over a big queue's items wants itemRows). */
  get items(): QueueItem[] {
    return Array.from(this.itemRows(), (row) => this.table.item(row));
  }

  /**
   * The rows of the items, in put-time order. A row names one item for good
   * (a late put moves the others' places in this order, not their rows).
   */
  itemRows(): Int32Array {
    return this.putOrder.sortedRows();
  }

  /** The item of `row` (itemRows), as it is now. */
  item(row: number): QueueItem {
    return this.table.item(row);
  }

  /** When the item of `row` was taken, or null: the part of an item that changes (with itemLost), read without copying it. */
  itemTakenAt(row: number): number | null {
    return this.table.takenAt(row);
  }

  /** Why the item of `row` was lost, or null. */
  itemLost(row: number): string | null {
    return this.table.lost.get(row) ?? null;
  }

  /** The items in the queue at `t`, oldest first (at most MAX_LISTED_ITEMS of them). */
  contentsAt(t: number, limit = MAX_LISTED_ITEMS): QueueItem[] {
    const order = this.putOrder;
    const upTo = order.countAtOrBefore(t);
    const out: QueueItem[] = [];
    // Items come out roughly in the order they went in: skip back only as far as needed.
    let from = upTo;
    let stillIn = 0;
    const wanted = this.depthAt(t);
    while (from > 0 && stillIn < wanted) {
      from--;
      if (this.table.isInAt(order.rowAt(from), t)) stillIn++;
    }
    for (let i = from; i < upTo && out.length < limit; i++) {
      const row = order.rowAt(i);
      if (this.table.isInAt(row, t)) out.push(this.table.item(row));
    }
    return out;
  }

  /**
   * Items in the queue at `t` that a get can still take: not lost, and for a
   * multiprocessing Queue either written to the pipe already or still in the
   * feeder buffer of a putter that is alive (`alive(pid)`) to write it.
   */
  hasTakeableAt(t: number, alive: (pid: number) => boolean): boolean {
    // By count first: a pairing that failed (an event lost) must not leave a ghost item in.
    if (this.depthAt(t) <= 0) return false;
    return this.contentsAt(t).some(
      (item) => item.lost === null && (this.pairing !== 'bytes' || item.sendT !== null || alive(item.putPid)),
    );
  }

  /** Items put and never taken that could still be (not lost). */
  get waitingItems(): QueueItem[] {
    return this.items.filter((item) => item.getT === null && item.lost === null);
  }

  /** The item of `row` was sent (its bytes known): it goes to the get that waits for it, or waits for its get. */
  private sentWaits(row: number): void {
    const crc = this.table.crc(row) ?? 0;
    const get = takeFirst(this.getsWaiting, crc, sizeIs, this.table.size(row));
    if (get) this.table.took(row, get.t, get.pid, get.tid, get.loc);
    else addWaiting(this.sentWaiting, crc, row);
  }

  private takeWaitingGet(pid: number, seq: number, row: number): void {
    const get = takeFirst(this.getsWaiting, seq, pidIs, pid);
    if (!get) return;
    this.forget(pid, seq);
    this.table.took(row, get.t, get.pid, get.tid, get.loc);
  }

  /** A putter's rows by seq; the last one asked for is at hand (puts and sends come in runs from one process). */
  private seqsOf(pid: number): number[] | undefined {
    if (pid !== this.seqPid) {
      this.seqPid = pid;
      this.seqRows = this.bySeq.get(pid);
    }
    return this.seqRows;
  }

  private remember(pid: number, seq: number, row: number): void {
    let rows = this.seqsOf(pid);
    if (!rows) {
      rows = [];
      this.bySeq.set(pid, rows);
      this.seqRows = rows;
    }
    rows[seq] = row;
  }

  private recall(pid: number, seq: number): number | undefined {
    const row = this.seqsOf(pid)?.[seq];
    return row === undefined || row < 0 ? undefined : row;
  }

  /** Done with the seq: the item is kept in the table; this index needs it no more. */
  private forget(pid: number, seq: number): void {
    const rows = this.seqsOf(pid);
    if (rows) rows[seq] = -1;
  }

  /**
   * Pairs gets and puts of a queue whose events name no item (a Manager's): in
   * order, except that a get that knows its item's crc (of its repr, see
   * docs/trace-format.md) takes the first put of that crc. Gets from two
   * processes reach the listener in another order than the server served them;
   * in order alone, one consumer's end marker could be paired with another's item.
   */
  private pairInOrder(): void {
    for (let g = 0; g < this.getsInOrder.length && this.unpairedInOrder.length > 0; ) {
      const get = this.getsInOrder[g];
      if (get === undefined) break;
      const at = get.crc === NO_CRC ? 0 : this.unpairedInOrder.findIndex((row) => this.table.crc(row) === get.crc);
      if (at < 0) {
        g++; // its put has not come yet
        continue;
      }
      const [row] = this.unpairedInOrder.splice(at, 1);
      this.getsInOrder.splice(g, 1);
      if (row !== undefined) this.table.took(row, get.t, get.pid, get.tid, get.loc);
    }
  }
}

function pairingOf(id: string, type: string | null): QueuePairing {
  if (type === null) return id.startsWith('mgr:') ? 'order' : id.startsWith('tq') ? 'seq' : 'bytes';
  if (type.startsWith('Manager.')) return 'order';
  if (type.startsWith('queue.')) return 'seq';
  return 'bytes';
}

// What takeFirst looks for, as plain functions with an argument: no closure made per call.
function sizeIs(value: PendingGet, size: number | null): boolean {
  return value.size === size;
}

function pidIs(value: PendingGet, pid: number): boolean {
  return value.pid === pid;
}

function rowSizeIs(row: number, size: number | null, table: ItemTable | undefined): boolean {
  return table?.size(row) === size;
}

/**
 * Values waiting under a key: almost always one (a crc names one item), so
 * one is kept as it is and a list is made only for the rare second.
 */
type OneOrMore<V> = V | V[];

/** Removes and returns the first value under `key` that `fits` (given `arg`, and the `table` of a row). */
function takeFirst<V, A>(
  map: Map<number, OneOrMore<V>>, key: number, fits: (value: V, arg: A, table: ItemTable | undefined) => boolean, arg: A, table?: ItemTable,
): V | undefined {
  // Mostly nothing waits on one side (gets come after the sends, or before): no lookup then.
  if (map.size === 0) return undefined;
  const waiting = map.get(key);
  if (waiting === undefined) return undefined;
  if (!Array.isArray(waiting)) {
    if (!fits(waiting, arg, table)) return undefined;
    map.delete(key);
    return waiting;
  }
  const at = waiting.findIndex((value) => fits(value, arg, table));
  if (at < 0) return undefined;
  const [value] = waiting.splice(at, 1);
  if (waiting.length === 0) map.delete(key);
  return value;
}

function addWaiting<V>(map: Map<number, OneOrMore<V>>, key: number, value: V): void {
  const waiting = map.get(key);
  if (waiting === undefined) map.set(key, value);
  else if (Array.isArray(waiting)) waiting.push(value);
  else map.set(key, [waiting, value]);
}
