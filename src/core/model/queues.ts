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

import { countAtOrBefore, insertAt, insertTime, stepCounts } from './sorted';

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
  /** Every item put, in put-time order. */
  readonly items: QueueItem[] = [];
  /** The put time of each item in `items`, in the same order. */
  private readonly putTimes: number[] = [];
  private readonly getTimes: number[] = [];
  puts = 0;
  gets = 0;
  lost = 0;
  /** Items a process still held in its feeder buffer as it began to exit. */
  buffered = 0;
  /** Items by putter pid, indexed by their seq (a process numbers its puts on a queue 0, 1, 2...). */
  private readonly bySeq = new Map<number, (QueueItem | undefined)[]>();
  private seqPid: number | null = null;
  private seqItems: (QueueItem | undefined)[] | undefined;
  /** Sent, not yet taken, by crc (then size), in send order. */
  private readonly sentWaiting = new Map<number, OneOrMore<QueueItem>>();
  /** Gets whose put (or send) has not arrived yet: by crc for pickled items, by seq for the queue module's. */
  private readonly getsWaiting = new Map<number, OneOrMore<PendingGet>>();
  private readonly unpairedInOrder: QueueItem[] = [];
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
    const item: QueueItem = {
      putT: t, putPid: pid, putTid: tid, putLoc: loc, repr, seq, size, crc,
      sendT: null, getT: null, getPid: null, getTid: null, getLoc: null, lost: null,
    };
    this.puts++;
    if (pid !== this.lastPutter) {
      this.putters.add(pid);
      this.lastPutter = pid;
    }
    insertAt(this.items, insertTime(this.putTimes, t), item);
    if (seq !== null) this.remember(pid, seq, item);
    switch (this.pairing) {
      case 'bytes':
        // A SimpleQueue's put knows its bytes; a Queue's learns them at the send.
        if (size !== null && crc !== null) this.sent(item, t);
        break;
      case 'seq':
        if (seq !== null) this.takeWaitingGet(pid, seq, item);
        break;
      case 'order':
        this.unpairedInOrder.push(item);
        this.pairInOrder();
        break;
    }
  }

  send(t: number, pid: number, seq: number | null, size: number, crc: number): void {
    if (seq === null) return;
    const item = this.recall(pid, seq);
    if (!item) return;
    this.forget(pid, seq);
    item.size = size;
    item.crc = crc;
    this.sent(item, t);
  }

  markLost(pid: number, seq: number | null, error: string): void {
    this.lost++;
    const item = seq === null ? undefined : this.recall(pid, seq);
    if (item && seq !== null) {
      item.lost = error;
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
    insertTime(this.getTimes, t);
    switch (this.pairing) {
      case 'bytes': {
        if (size === null || crc === null) return;
        // Usually its item was sent already: the get is kept only when it has to wait for it.
        const item = takeFirst(this.sentWaiting, crc, sizeIs, size);
        if (item) this.took(item, t, pid, tid, loc);
        else addWaiting(this.getsWaiting, crc, { crc, size, t, pid, tid, loc });
        return;
      }
      case 'seq': {
        if (seq === null) return;
        const item = this.recall(pid, seq);
        if (item) {
          this.forget(pid, seq);
          this.took(item, t, pid, tid, loc);
        } else addWaiting(this.getsWaiting, seq, { crc: seq, size: pid, t, pid, tid, loc });
        return;
      }
      case 'order':
        this.getsInOrder.push({ crc: 0, size: 0, t, pid, tid, loc });
        this.pairInOrder();
        return;
    }
  }

  /** Items in the queue at `t`: put at or before it and not yet taken. */
  depthAt(t: number): number {
    return countAtOrBefore(this.putTimes, t) - countAtOrBefore(this.getTimes, t);
  }

  /** Depth now (after every event seen). */
  get depth(): number {
    return this.putTimes.length - this.getTimes.length;
  }

  /** The most items in the queue at once. */
  get maxDepth(): number {
    let depth = 0;
    let max = 0;
    let p = 0;
    let g = 0;
    const puts = this.putTimes;
    const gets = this.getTimes;
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
    const { t, count } = stepCounts(this.putTimes, this.getTimes);
    return { t, depth: count };
  }

  /** The items in the queue at `t`, oldest first (at most MAX_LISTED_ITEMS of them). */
  contentsAt(t: number, limit = MAX_LISTED_ITEMS): QueueItem[] {
    const upTo = countAtOrBefore(this.putTimes, t);
    const out: QueueItem[] = [];
    // Items come out roughly in the order they went in: skip back only as far as needed.
    let from = upTo;
    let stillIn = 0;
    const wanted = this.depthAt(t);
    while (from > 0 && stillIn < wanted) {
      from--;
      const item = this.items[from];
      if (item && isInAt(item, t)) stillIn++;
    }
    for (let i = from; i < upTo && out.length < limit; i++) {
      const item = this.items[i];
      if (item && isInAt(item, t)) out.push(item);
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

  private sent(item: QueueItem, t: number): void {
    item.sendT = t;
    const crc = item.crc ?? 0;
    const get = takeFirst(this.getsWaiting, crc, sizeIs, item.size);
    if (get) this.took(item, get.t, get.pid, get.tid, get.loc);
    else addWaiting(this.sentWaiting, crc, item);
  }

  private takeWaitingGet(pid: number, seq: number, item: QueueItem): void {
    const get = takeFirst(this.getsWaiting, seq, pidIs, pid);
    if (!get) return;
    this.forget(pid, seq);
    this.took(item, get.t, get.pid, get.tid, get.loc);
  }

  /** A putter's items by seq; the last one asked for is at hand (puts and sends come in runs from one process). */
  private seqsOf(pid: number): (QueueItem | undefined)[] | undefined {
    if (pid !== this.seqPid) {
      this.seqPid = pid;
      this.seqItems = this.bySeq.get(pid);
    }
    return this.seqItems;
  }

  private remember(pid: number, seq: number, item: QueueItem): void {
    let items = this.seqsOf(pid);
    if (!items) {
      items = [];
      this.bySeq.set(pid, items);
      this.seqItems = items;
    }
    items[seq] = item;
  }

  private recall(pid: number, seq: number): QueueItem | undefined {
    return this.seqsOf(pid)?.[seq];
  }

  /** Done with the seq: the item is kept in `items`; this index needs it no more. */
  private forget(pid: number, seq: number): void {
    const items = this.seqsOf(pid);
    if (items) items[seq] = undefined;
  }

  private pairInOrder(): void {
    while (this.unpairedInOrder.length > 0 && this.getsInOrder.length > 0) {
      const item = this.unpairedInOrder.shift();
      const get = this.getsInOrder.shift();
      if (item && get) this.took(item, get.t, get.pid, get.tid, get.loc);
    }
  }

  private took(item: QueueItem, t: number, pid: number, tid: number, loc: string): void {
    item.getT = t;
    item.getPid = pid;
    item.getTid = tid;
    item.getLoc = loc;
  }
}

function pairingOf(id: string, type: string | null): QueuePairing {
  if (type === null) return id.startsWith('mgr:') ? 'order' : id.startsWith('tq') ? 'seq' : 'bytes';
  if (type.startsWith('Manager.')) return 'order';
  if (type.startsWith('queue.')) return 'seq';
  return 'bytes';
}

// What takeFirst looks for, as plain functions with an argument: no closure made per call.
function sizeIs(value: { size: number | null }, size: number | null): boolean {
  return value.size === size;
}

function pidIs(value: PendingGet, pid: number): boolean {
  return value.pid === pid;
}

function isInAt(item: QueueItem, t: number): boolean {
  return item.putT <= t && (item.getT === null || item.getT > t);
}

/**
 * Values waiting under a key: almost always one (a crc names one item), so
 * one is kept as it is and a list is made only for the rare second.
 */
type OneOrMore<V> = V | V[];

/** Removes and returns the first value under `key` that `fits` (given `arg`). */
function takeFirst<V extends object, A>(map: Map<number, OneOrMore<V>>, key: number, fits: (value: V, arg: A) => boolean, arg: A): V | undefined {
  // Mostly nothing waits on one side (gets come after the sends, or before): no lookup then.
  if (map.size === 0) return undefined;
  const waiting = map.get(key);
  if (waiting === undefined) return undefined;
  if (!Array.isArray(waiting)) {
    if (!fits(waiting, arg)) return undefined;
    map.delete(key);
    return waiting;
  }
  const at = waiting.findIndex((value) => fits(value, arg));
  if (at < 0) return undefined;
  const [value] = waiting.splice(at, 1);
  if (waiting.length === 0) map.delete(key);
  return value;
}

function addWaiting<V extends object>(map: Map<number, OneOrMore<V>>, key: number, value: V): void {
  const waiting = map.get(key);
  if (waiting === undefined) map.set(key, value);
  else if (Array.isArray(waiting)) waiting.push(value);
  else map.set(key, [waiting, value]);
}
