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

import { countAtOrBefore, countKeyAtOrBefore, insertByKey, insertTime } from './sorted';

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
  /** Every item put, in put-time order. */
  readonly items: QueueItem[] = [];
  private readonly putTimes: number[] = [];
  private readonly getTimes: number[] = [];
  puts = 0;
  gets = 0;
  lost = 0;
  /** Items a process still held in its feeder buffer as it began to exit. */
  buffered = 0;
  private readonly byPutSeq = new Map<string, QueueItem>();
  /** Sent, not yet taken, by `crc:size`, in send order. */
  private readonly sentWaiting = new Map<string, QueueItem[]>();
  /** Gets whose put (or send) has not arrived yet. */
  private readonly getsWaiting = new Map<string, PendingGet[]>();
  private readonly unpairedInOrder: QueueItem[] = [];
  private readonly getsInOrder: PendingGet[] = [];
  /** Processes that put (producers) and that got (consumers). */
  readonly putters = new Set<number>();
  readonly getters = new Set<number>();

  constructor(readonly id: string, loc: string | null) {
    this.name = loc ? `Queue@${loc}` : id;
  }

  get pairing(): QueuePairing {
    if (this.type === null) return this.id.startsWith('mgr:') ? 'order' : this.id.startsWith('tq') ? 'seq' : 'bytes';
    if (this.type.startsWith('Manager.')) return 'order';
    if (this.type.startsWith('queue.')) return 'seq';
    return 'bytes';
  }

  put(t: number, pid: number, tid: number, loc: string, repr: string, seq: number | null, size: number | null, crc: number | null): void {
    const item: QueueItem = {
      putT: t, putPid: pid, putTid: tid, putLoc: loc, repr, seq, size, crc,
      sendT: null, getT: null, getPid: null, getTid: null, getLoc: null, lost: null,
    };
    this.puts++;
    this.putters.add(pid);
    insertByKey(this.items, item, putTimeOf);
    insertTime(this.putTimes, t);
    if (seq !== null) this.byPutSeq.set(`${pid}:${seq}`, item);
    switch (this.pairing) {
      case 'bytes':
        // A SimpleQueue's put knows its bytes; a Queue's learns them at the send.
        if (size !== null && crc !== null) this.sent(item, t);
        break;
      case 'seq':
        this.takeWaitingGet(`${pid}:${seq ?? ''}`, item);
        break;
      case 'order':
        this.unpairedInOrder.push(item);
        this.pairInOrder();
        break;
    }
  }

  send(t: number, pid: number, seq: number | null, size: number, crc: number): void {
    const item = seq === null ? undefined : this.byPutSeq.get(`${pid}:${seq}`);
    if (!item) return;
    item.size = size;
    item.crc = crc;
    this.sent(item, t);
  }

  markLost(pid: number, seq: number | null, error: string): void {
    this.lost++;
    const item = seq === null ? undefined : this.byPutSeq.get(`${pid}:${seq}`);
    if (item) {
      item.lost = error;
      this.byPutSeq.delete(`${pid}:${seq}`);
    }
  }

  get(t: number, pid: number, tid: number, loc: string, size: number | null, crc: number | null, seq: number | null): void {
    this.gets++;
    this.getters.add(pid);
    insertTime(this.getTimes, t);
    const pending: PendingGet = { t, pid, tid, loc };
    switch (this.pairing) {
      case 'bytes': {
        if (size === null || crc === null) return;
        const key = `${crc}:${size}`;
        const waiting = this.sentWaiting.get(key);
        const item = waiting?.shift();
        if (item) {
          if (waiting?.length === 0) this.sentWaiting.delete(key);
          this.took(item, pending);
        } else getOrAdd(this.getsWaiting, key).push(pending);
        return;
      }
      case 'seq': {
        const key = `${pid}:${seq ?? ''}`;
        const item = this.byPutSeq.get(key);
        if (item) {
          this.byPutSeq.delete(key);
          this.took(item, pending);
        } else getOrAdd(this.getsWaiting, key).push(pending);
        return;
      }
      case 'order':
        this.getsInOrder.push(pending);
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

  /** The items in the queue at `t`, oldest first (at most MAX_LISTED_ITEMS of them). */
  contentsAt(t: number, limit = MAX_LISTED_ITEMS): QueueItem[] {
    const upTo = countKeyAtOrBefore(this.items, t, putTimeOf);
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

  /** Items put and never taken that could still be (not lost). */
  get waitingItems(): QueueItem[] {
    return this.items.filter((item) => item.getT === null && item.lost === null);
  }

  private sent(item: QueueItem, t: number): void {
    item.sendT = t;
    const key = `${item.crc ?? ''}:${item.size ?? ''}`;
    const waitingGets = this.getsWaiting.get(key);
    const get = waitingGets?.shift();
    if (get) {
      if (waitingGets?.length === 0) this.getsWaiting.delete(key);
      this.took(item, get);
    } else getOrAdd(this.sentWaiting, key).push(item);
  }

  private takeWaitingGet(key: string, item: QueueItem): void {
    const waitingGets = this.getsWaiting.get(key);
    const get = waitingGets?.shift();
    if (!get) return;
    if (waitingGets?.length === 0) this.getsWaiting.delete(key);
    this.byPutSeq.delete(key);
    this.took(item, get);
  }

  private pairInOrder(): void {
    while (this.unpairedInOrder.length > 0 && this.getsInOrder.length > 0) {
      const item = this.unpairedInOrder.shift();
      const get = this.getsInOrder.shift();
      if (item && get) this.took(item, get);
    }
  }

  private took(item: QueueItem, get: PendingGet): void {
    item.getT = get.t;
    item.getPid = get.pid;
    item.getTid = get.tid;
    item.getLoc = get.loc;
  }
}

function putTimeOf(item: QueueItem): number {
  return item.putT;
}

function isInAt(item: QueueItem, t: number): boolean {
  return item.putT <= t && (item.getT === null || item.getT > t);
}

function getOrAdd<V>(map: Map<string, V[]>, key: string): V[] {
  let list = map.get(key);
  if (!list) {
    list = [];
    map.set(key, list);
  }
  return list;
}
