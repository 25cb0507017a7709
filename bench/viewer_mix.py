"""Benchmark workload for the viewer: queues, locks and threads, busy lanes.

The viewer bench (bench/viewer.ts) needs a real trace of about a million
events whose lanes are full of blocked spans, not just puts and gets. The
main process feeds ``--workers`` worker processes round-robin through small
bounded queues (so the main process often waits to put, and the workers to
get); each worker's main thread hands them on through a ``queue.Queue`` to
``--threads`` threads of its own, which count them under a ``threading.Lock``
of the worker and then take one ``multiprocessing.Lock`` shared by all the
workers (holding it for a moment of work, so the others queue up behind it)
before putting a small result on one shared result queue. One collector
process drains it; ``None`` ends each worker and its threads, and a last
``None`` ends the collector once the workers are joined.

About 12 events per item (a put and the feeder's send on each of two
multiprocessing queues, their two gets, a put and a get on the thread queue,
two locks taken and released), so ``--items 85000`` is about a million events
under ``procview run``.

    python3 bench/viewer_mix.py [--items 85000] [--workers 3] [--threads 2]
"""

import argparse
import multiprocessing as mp
import queue
import threading
import zlib


def work(text, rounds):
    crc = 0
    data = text.encode()
    for _ in range(rounds):
        crc = zlib.crc32(data, crc)
    return crc


def worker_thread(inbox, results, shared, local, counts):
    while True:
        item = inbox.get()
        if item is None:
            break
        index, text = item
        with local:
            counts[0] += 1
        # A moment of work under the shared lock: the other workers wait for it.
        with shared:
            crc = work(text, 20)
        results.put((index, crc))


def worker(inbox, results, shared, threads):
    local = threading.Lock()
    counts = [0]
    handoff = queue.Queue(16)
    pool = [threading.Thread(target=worker_thread, args=(handoff, results, shared, local, counts),
                             name=f"{mp.current_process().name}-t{n}")
            for n in range(threads)]
    for thread in pool:
        thread.start()
    while True:
        item = inbox.get()
        if item is None:
            break
        handoff.put(item)
    for _ in pool:
        handoff.put(None)
    for thread in pool:
        thread.join()


def collector(results, done):
    seen = 0
    while True:
        result = results.get()
        if result is None:
            break
        seen += 1
    done.value = seen


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--items", type=int, default=85000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="threads per worker process")
    parser.add_argument("--start-method", choices=mp.get_all_start_methods(),
                        help="multiprocessing start method (default: the platform's)")
    args = parser.parse_args()
    if args.start_method:
        mp.set_start_method(args.start_method)

    shared = mp.Lock()
    inboxes = [mp.Queue(64) for _ in range(args.workers)]
    results = mp.Queue(256)
    done = mp.RawValue("q", -1)
    workers = [mp.Process(target=worker, args=(q, results, shared, args.threads), name=f"worker-{n}")
               for n, q in enumerate(inboxes)]
    for proc in workers:
        proc.start()
    collect = mp.Process(target=collector, args=(results, done), name="collector")
    collect.start()

    for index in range(args.items):
        inboxes[index % args.workers].put((index, "item-%d" % index))
    for inbox in inboxes:
        inbox.put(None)
    for proc in workers:
        proc.join()
    results.put(None)
    collect.join()

    ok = done.value == args.items and all(p.exitcode == 0 for p in workers + [collect])
    print(f"viewer_mix: {done.value} items through {args.workers} workers x {args.threads} threads "
          f"and 1 collector: {'OK' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
