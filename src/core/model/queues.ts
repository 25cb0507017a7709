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

import type { ScannedText } from '../ingest/scan';
import { NumberRows, PairIndex, Texts, TimeOrder, type TimedRows } from './columns';
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

// The numbers of an item, by field (ItemTable.numbers): doubles (times, and a crc, up to 2^32)...
const PUT_T = 0;
const SEND_T = 1;
const GET_T = 2;
const CRC = 3;
const ITEM_NUMBERS = 4;
// ...and int32s (a thread is a number from ItemTable.threadNumber, a line one from lineNumber).
const PUT_THREAD = 0;
const PUT_LOC = 1;
const SEQ = 2;
const SIZE = 3;
const GET_THREAD = 4;
const GET_LOC = 5;
const ITEM_INTS = 6;

/**
 * A queue's items, a row each, numbered as they are put (a row never moves:
 * see columns.ts). Nothing of an item is an object of its own: its numbers are
 * in NumberRows, its repr in Texts (row n is text n), its threads (pid and
 * ident) and lines are numbers into lists of the few distinct ones.
 */
class ItemTable implements TimedRows {
  private readonly numbers = new NumberRows(ITEM_NUMBERS, ITEM_INTS);
  private readonly reprs = new Texts();
  /** Each thread's pid and ident, by its number. */
  private readonly pids: number[] = [];
  private readonly tids: number[] = [];
  /** The numbers of the threads of each ident (an ident can be another process's too). */
  private readonly threadsOfTid = new Map<number, number[]>();
  private readonly lines: string[] = [];
  private readonly lineNumbers = new Map<string, number>();
  // A queue's puts come from a thread or two, its gets from another few, each from a line or two:
  // the last thread and line of a put, and of a get, are at hand.
  private readonly lastPut = { pid: -1, tid: -1, thread: -1, loc: '', line: -1 };
  private readonly lastGet = { pid: -1, tid: -1, thread: -1, loc: '', line: -1 };
  /** Why an item was lost, for the few that were. */
  readonly lost = new Map<number, string>();

  /** A new item, not yet sent nor taken; returns its row. */
  add(t: number, pid: number, tid: number, loc: string, repr: string | ScannedText, seq: number | null, size: number | null, crc: number | null): number {
    const numbers = this.numbers;
    const row = numbers.add();
    numbers.set(row, PUT_T, t);
    const last = this.lastPut;
    numbers.setInt(row, PUT_THREAD, pid === last.pid && tid === last.tid ? last.thread : this.threadNumber(pid, tid, last));
    numbers.setInt(row, PUT_LOC, loc === last.loc ? last.line : this.lineNumber(loc, last));
    numbers.setInt(row, SEQ, seq);
    numbers.setInt(row, SIZE, size);
    numbers.set(row, CRC, crc);
    this.reprs.add(repr);
    return row;
  }

  sent(row: number, t: number, size: number, crc: number): void {
    this.numbers.set(row, SEND_T, t);
    this.numbers.setInt(row, SIZE, size);
    this.numbers.set(row, CRC, crc);
  }

  took(row: number, t: number, pid: number, tid: number, loc: string): void {
    this.numbers.set(row, GET_T, t);
    const last = this.lastGet;
    this.numbers.setInt(row, GET_THREAD, pid === last.pid && tid === last.tid ? last.thread : this.threadNumber(pid, tid, last));
    this.numbers.setInt(row, GET_LOC, loc === last.loc ? last.line : this.lineNumber(loc, last));
  }

  size(row: number): number | null {
    return this.numbers.getInt(row, SIZE);
  }

  crc(row: number): number | null {
    return this.numbers.get(row, CRC);
  }

  /** When the item of `row` was put: the time its row is ordered by (TimedRows). */
  timeOfRow(row: number): number {
    return this.numbers.get(row, PUT_T) ?? 0;
  }

  takenAt(row: number): number | null {
    return this.numbers.get(row, GET_T);
  }

  item(row: number): QueueItem {
    const numbers = this.numbers;
    const putThread = numbers.getInt(row, PUT_THREAD) ?? -1;
    const getThread = numbers.getInt(row, GET_THREAD);
    const getLoc = numbers.getInt(row, GET_LOC);
    return {
      putT: numbers.get(row, PUT_T) ?? 0,
      putPid: this.pids[putThread] ?? 0,
      putTid: this.tids[putThread] ?? 0,
      putLoc: this.lines[numbers.getInt(row, PUT_LOC) ?? -1] ?? null,
      repr: this.reprs.text(row),
      seq: numbers.getInt(row, SEQ),
      size: numbers.getInt(row, SIZE),
      crc: numbers.get(row, CRC),
      sendT: numbers.get(row, SEND_T),
      getT: numbers.get(row, GET_T),
      getPid: getThread === null ? null : (this.pids[getThread] ?? null),
      getTid: getThread === null ? null : (this.tids[getThread] ?? null),
      getLoc: getLoc === null ? null : (this.lines[getLoc] ?? null),
      lost: this.lost.get(row) ?? null,
    };
  }

  /** In the queue at `t`: put at or before it and not yet taken. */
  isInAt(row: number, t: number): boolean {
    const getT = this.takenAt(row);
    return this.timeOfRow(row) <= t && (getT === null || getT > t);
  }

  /** The number of thread (pid, tid), made the `last` one looked up. */
  private threadNumber(pid: number, tid: number, last: LastLookup): number {
    let threads = this.threadsOfTid.get(tid);
    if (!threads) {
      threads = [];
      this.threadsOfTid.set(tid, threads);
    }
    let thread = threads.find((number) => this.pids[number] === pid);
    if (thread === undefined) {
      thread = this.pids.push(pid) - 1;
      this.tids.push(tid);
      threads.push(thread);
    }
    last.pid = pid;
    last.tid = tid;
    last.thread = thread;
    return thread;
  }

  /** The number of line `loc`, made the `last` one looked up. */
  private lineNumber(loc: string, last: LastLookup): number {
    let line = this.lineNumbers.get(loc);
    if (line === undefined) {
      line = this.lines.push(loc) - 1;
      this.lineNumbers.set(loc, line);
    }
    last.loc = loc;
    last.line = line;
    return line;
  }
}

/** The thread and line an ItemTable looked up last for a put, or for a get. */
interface LastLookup {
  pid: number;
  tid: number;
  thread: number;
  loc: string;
  line: number;
}

// A get that came before its item (PendingGets), by field: its time (a double)...
const PENDING_T = 0;
// ...and its pid (an int32).
const PENDING_PID = 0;

/** Gets that came before the put (or send) of their item, a row each; a row is used again once its get found its item. */
class PendingGets {
  private readonly numbers = new NumberRows(1, 1);
  private readonly tids: number[] = [];
  private readonly locs: string[] = [];
  private readonly free: number[] = [];

  add(t: number, pid: number, tid: number, loc: string): number {
    const row = this.free.pop() ?? this.numbers.add();
    this.numbers.set(row, PENDING_T, t);
    this.numbers.setInt(row, PENDING_PID, pid);
    this.tids[row] = tid;
    this.locs[row] = loc;
    return row;
  }

  /** Gives the get of `row` its item's `row` in `table`, and frees it. */
  giveTo(row: number, table: ItemTable, item: number): void {
    table.took(item, this.numbers.get(row, PENDING_T) ?? 0, this.numbers.getInt(row, PENDING_PID) ?? 0, this.tids[row] ?? 0, this.locs[row] ?? '');
    this.free.push(row);
  }
}

/** A get of a queue paired in order (a Manager's), waiting for its put. */
interface OrderedGet {
  /** The crc of its item's repr, or NO_CRC. */
  crc: number;
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
  private readonly putOrder = new TimeOrder(this.table);
  /** The gets' times in order. */
  private readonly getOrder = new TimeOrder();
  /** A JoinableQueue's task_done() calls: their times in order, and the lines that made them. */
  private readonly doneOrder = new TimeOrder();
  readonly taskDoneLocs = new Set<string>();
  puts = 0;
  gets = 0;
  lost = 0;
  /** Items a process still held in its feeder buffer as it began to exit. */
  buffered = 0;
  /** Items put and not yet sent, by (seq, putter pid): a multiprocessing Queue's, until the feeder sends them; the queue module's, until taken. */
  private readonly unsent = new PairIndex();
  /** Items sent and not yet taken, by (crc, size) of their bytes, in send order. */
  private readonly sent = new PairIndex();
  /** Gets whose put (or send) has not arrived yet: by (crc, size) for pickled items, by (seq, pid) for the queue module's. */
  private readonly waitingGets = new PairIndex();
  private readonly pendingGets = new PendingGets();
  private readonly unpairedInOrder: number[] = [];
  private readonly getsInOrder: OrderedGet[] = [];
  /** Processes that put (producers) and that got (consumers). */
  readonly putters = new Set<number>();
  readonly getters = new Set<number>();
  // Asked at every put and get: worked out again only when the type changes.
  private pairingType: string | null | undefined = undefined;
  private pairingNow: QueuePairing = 'bytes';
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

  put(t: number, pid: number, tid: number, loc: string, repr: string | ScannedText, seq: number | null, size: number | null, crc: number | null): void {
    const row = this.table.add(t, pid, tid, loc, repr, seq, size, crc);
    this.puts++;
    if (pid !== this.lastPutter) {
      this.putters.add(pid);
      this.lastPutter = pid;
    }
    this.putOrder.insert(t, row);
    switch (this.pairing) {
      case 'bytes':
        // A SimpleQueue's put knows its bytes; a Queue's learns them at the send.
        if (size !== null && crc !== null) {
          this.table.sent(row, t, size, crc);
          this.sentWaits(row, size, crc);
        } else if (seq !== null) this.unsent.add(seq, pid, row);
        break;
      case 'seq':
        if (seq !== null) {
          const get = this.waitingGets.take(seq, pid);
          if (get >= 0) this.pendingGets.giveTo(get, this.table, row);
          else this.unsent.add(seq, pid, row);
        }
        break;
      case 'order':
        this.unpairedInOrder.push(row);
        this.pairInOrder();
        break;
    }
  }

  send(t: number, pid: number, seq: number | null, size: number, crc: number): void {
    if (seq === null) return;
    const row = this.unsent.take(seq, pid);
    if (row < 0) return;
    this.table.sent(row, t, size, crc);
    this.sentWaits(row, size, crc);
  }

  markLost(pid: number, seq: number | null, error: string): void {
    this.lost++;
    const row = seq === null ? -1 : this.unsent.take(seq, pid);
    if (row >= 0) this.table.lost.set(row, error);
  }

  get(t: number, pid: number, tid: number, loc: string, size: number | null, crc: number | null, seq: number | null): void {
    this.gets++;
    if (pid !== this.lastGetter) {
      this.getters.add(pid);
      this.lastGetter = pid;
    }
    this.getOrder.insert(t);
    switch (this.pairing) {
      case 'bytes': {
        if (size === null || crc === null) return;
        // Usually its item was sent already: the get is kept only when it has to wait for it.
        const row = this.sent.take(crc | 0, size);
        if (row >= 0) this.table.took(row, t, pid, tid, loc);
        else this.waitingGets.add(crc | 0, size, this.pendingGets.add(t, pid, tid, loc));
        return;
      }
      case 'seq': {
        if (seq === null) return;
        const row = this.unsent.take(seq, pid);
        if (row >= 0) this.table.took(row, t, pid, tid, loc);
        else this.waitingGets.add(seq, pid, this.pendingGets.add(t, pid, tid, loc));
        return;
      }
      case 'order':
        this.getsInOrder.push({ crc: crc ?? NO_CRC, t, pid, tid, loc });
        this.pairInOrder();
        return;
    }
  }

  /** A JoinableQueue's task_done() at `t`, from `loc`. */
  taskDone(t: number, loc: string): void {
    this.doneOrder.insert(t);
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
  private sentWaits(row: number, size: number, crc: number): void {
    const get = this.waitingGets.take(crc | 0, size);
    if (get >= 0) this.pendingGets.giveTo(get, this.table, row);
    else this.sent.add(crc | 0, size, row);
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
