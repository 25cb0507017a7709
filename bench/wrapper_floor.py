"""What any Python-level recording must cost, measured: the floor under the targets.

A runtime that records each acquire and release of a lock, from Python, must at
least: look up who called (one frame, a cached location), read the clock,
append one tuple per event, and call the real lock. This script times exactly
that, and nothing more (no sending, no encoding), against the bare lock, and
does the same for a queue put+get (the put also keeps a short repr of its item). It prints the cost per operation; set it
against the plain workloads of `npm run bench` to see what overhead ratio is
reachable at all.

    python3 bench/wrapper_floor.py [--n 200000] [--json]
"""

import argparse
import collections
import json
import multiprocessing as mp
import sys
import time
import _thread

_getframe = sys._getframe
_clock = time.perf_counter_ns
_ident = _thread.get_ident


def cached_sites():
    """``site(frame) -> "file:line"``, worked out once per place in the code."""
    sites = {}

    def site(frame):
        key = (frame.f_code, frame.f_lasti)
        loc = sites.get(key)
        if loc is None:
            loc = sites[key] = "%s:%d" % (frame.f_code.co_filename, frame.f_lineno)
        return loc

    return site


def floor_lock(lock):
    """The least a recording `with lock:` can do."""
    raw_acquire, raw_release = lock._semlock.acquire, lock._semlock.release
    events = []
    record = events.append
    site = cached_sites()

    class Recorded:
        def __enter__(self):
            loc = site(_getframe(1))
            raw_acquire()
            record((_clock(), _ident(), "lock.acquire", ("id", loc, 0, "ok")))
            if len(events) >= 256:
                del events[:]

        def __exit__(self, *exc):
            loc = site(_getframe(1))
            t = _clock()
            raw_release()
            record((t, _ident(), "lock.release", ("id", loc)))
            if len(events) >= 256:
                del events[:]

    return Recorded()


class LocalQueue:
    """put and get, as cheap as they come: what is left of a put+get pair is the recording's cost."""

    def __init__(self):
        self._items = collections.deque()
        self.put = self._items.append
        self.get = self._items.popleft


def floor_queue(queue):
    """The least a recording put and get can do: a put also keeps a short repr of its item and its number."""
    raw_put, raw_get = queue.put, queue.get
    events = []
    record = events.append
    site = cached_sites()
    seqs = [0]

    def put(item):
        loc = site(_getframe(1))
        seq = seqs[0]
        seqs[0] = seq + 1
        record((_clock(), _ident(), "queue.put", ("id", seq, loc, repr(item)[:80])))
        raw_put(item)
        if len(events) >= 256:
            del events[:]

    def get():
        loc = site(_getframe(1))
        item = raw_get()
        record((_clock(), _ident(), "queue.get", ("id", loc)))
        if len(events) >= 256:
            del events[:]
        return item

    return put, get


def per_op(n, body):
    t0 = time.perf_counter()
    body(n)
    return (time.perf_counter() - t0) / n * 1e6


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--n", type=int, default=200000)
    parser.add_argument("--json", action="store_true", help="one JSON line: microseconds per pair, bare and floor")
    args = parser.parse_args()
    lock = mp.Lock()
    recorded = floor_lock(lock)

    def bare(n):
        for _ in range(n):
            with lock:
                pass

    def floor(n):
        for _ in range(n):
            with recorded:
                pass

    # The recording is what is measured: around a queue of this process's own
    # (a deque), not a multiprocessing.Queue, whose put and get hand over to its
    # feeder thread and vary far more than the recording costs.
    queue = LocalQueue()
    put, get = floor_queue(queue)
    item = (12345, "item-12345")

    def bare_queue(n):
        for _ in range(n):
            queue.put(item)
            queue.get()

    def floor_q(n):
        for _ in range(n):
            put(item)
            get()

    lock_bare = min(per_op(args.n, bare) for _ in range(3))
    lock_floor = min(per_op(args.n, floor) for _ in range(3))
    queue_bare = min(per_op(args.n, bare_queue) for _ in range(3))
    queue_floor = min(per_op(args.n, floor_q) for _ in range(3))
    if args.json:
        print(json.dumps({"lock": {"bare": lock_bare, "floor": lock_floor},
                          "queue": {"bare": queue_bare, "floor": queue_floor}}))
        return
    for what, bare_us, floor_us in (("multiprocessing.Lock acquire+release", lock_bare, lock_floor),
                                    ("a queue's put+get", queue_bare, queue_floor)):
        print(f"{what}: bare {bare_us:.2f} us, with the least possible recording {floor_us:.2f} us "
              f"(+{floor_us - bare_us:.2f} us per pair, before any encoding or sending)")


if __name__ == "__main__":
    main()
