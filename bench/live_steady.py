"""Benchmark workload for the live viewer: a steady stream of events for a while.

The live bench (bench/viewer-live.ts) watches a run in the viewer while it
runs, and needs one that produces events at a steady rate (the issue's target
speaks of 50k events/s arriving) for long enough to measure frames per second
over many one-second windows. The main process paces itself: every ``TICK``
it puts on the workers' bounded queues as many items as the schedule
(``--rate`` events per second, ``EVENTS_PER_ITEM`` events each) says should
have been sent by now, round-robin, then sleeps until the next tick; after
``--seconds`` it stops. Each of ``--workers`` worker processes hands its items
through a ``queue.Queue`` to ``--threads`` threads of its own, which count each
item twice under a ``threading.Lock`` of the worker, then take one
``multiprocessing.Lock`` shared by all the workers for a moment of work, and
put a small result on one shared result queue; a thread of the main process
drains it. ``None`` ends each worker and its threads, and a last ``None`` the
main process's collector thread. The clock starts once every worker has
said it is ready; a line on standard output (flushed) says when sending
starts and another when it stops, for the bench to time the live period.

Events per item, under ``procview run``: a put, the feeder's send and a get on
each of the two multiprocessing queues (6), a put and a get on the thread
queue (2), two acquire/release pairs of the worker's lock (4) and one of the
shared lock (2): 14 (measured: 14.1, with the odd wait). If the machine
cannot keep up, the rate falls short (the bench measures what it got, from
the trace): the schedule never catches up by more than ``BURST`` seconds'
worth of items.

    python3 bench/live_steady.py [--rate 50000] [--seconds 15] [--workers 2] [--threads 2]
"""

import argparse
import multiprocessing as mp
import queue
import threading
import time
import zlib

EVENTS_PER_ITEM = 14
TICK = 0.01
BURST = 0.05


def worker_thread(inbox, results, shared, local, counts):
    while True:
        item = inbox.get()
        if item is None:
            break
        index, text = item
        with local:
            counts[0] += 1
        with local:
            counts[1] += len(text)
        with shared:
            crc = zlib.crc32(text.encode())
        results.put((index, crc))


def worker(inbox, results, shared, threads, ready):
    local = threading.Lock()
    counts = [0, 0]
    handoff = queue.Queue(64)
    pool = [threading.Thread(target=worker_thread, args=(handoff, results, shared, local, counts),
                             name=f"{mp.current_process().name}-t{n}")
            for n in range(threads)]
    for thread in pool:
        thread.start()
    ready.put(mp.current_process().name)
    while True:
        item = inbox.get()
        if item is None:
            break
        handoff.put(item)
    for _ in pool:
        handoff.put(None)
    for thread in pool:
        thread.join()


def collect(results, seen):
    while True:
        result = results.get()
        if result is None:
            break
        seen[0] += 1


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--rate", type=float, default=50000, help="events per second to aim for (under procview run)")
    parser.add_argument("--seconds", type=float, default=15, help="how long to keep sending")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="threads per worker process")
    parser.add_argument("--start-method", choices=mp.get_all_start_methods(),
                        help="multiprocessing start method (default: the platform's)")
    args = parser.parse_args()
    if args.start_method:
        mp.set_start_method(args.start_method)

    shared = mp.Lock()
    inboxes = [mp.Queue(256) for _ in range(args.workers)]
    results = mp.Queue(1024)
    ready = mp.Queue()
    workers = [mp.Process(target=worker, args=(q, results, shared, args.threads, ready), name=f"worker-{n}")
               for n, q in enumerate(inboxes)]
    for proc in workers:
        proc.start()
    seen = [0]
    collector = threading.Thread(target=collect, args=(results, seen), name="collector")
    collector.start()

    for _ in workers:
        ready.get()

    # A token bucket: credit for items accrues with time, never more than
    # BURST seconds' worth, so a late tick sends a little more but a machine
    # that cannot keep up sees the rate fall, not bursts.
    per_second = args.rate / EVENTS_PER_ITEM
    print(f"live_steady: sending {per_second:.0f} items/s for {args.seconds:g} s", flush=True)
    sent = 0
    credit = 0.0
    began = last = time.monotonic()
    stop = began + args.seconds
    next_tick = began
    while True:
        now = time.monotonic()
        if now >= stop:
            break
        credit = min(credit + (now - last) * per_second, per_second * BURST)
        last = now
        while credit >= 1:
            inboxes[sent % args.workers].put((sent, "item-%d" % sent))
            sent += 1
            credit -= 1
        next_tick += TICK
        pause = next_tick - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        else:
            next_tick = time.monotonic()
    elapsed = time.monotonic() - began
    print(f"live_steady: stopped sending after {elapsed:.1f} s", flush=True)
    for inbox in inboxes:
        inbox.put(None)
    for proc in workers:
        proc.join()
    results.put(None)
    collector.join()

    ok = seen[0] == sent and all(p.exitcode == 0 for p in workers)
    print(f"live_steady: {sent} items in {elapsed:.1f} s ({sent / elapsed:.0f} items/s, aiming at {per_second:.0f}) "
          f"through {args.workers} workers x {args.threads} threads: {'OK' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
