"""What any Python-level recording must cost, measured: the floor under the targets.

A runtime that records each acquire and release of a lock, from Python, must at
least: look up who called (one frame, a cached location), read the clock,
append one tuple per event, and call the real lock. This script times exactly
that, and nothing more (no sending, no encoding), against the bare lock, and
does the same for a queue put+get. It prints the cost per operation; set it
against the plain workloads of `npm run bench` to see what overhead ratio is
reachable at all.

    python3 bench/wrapper_floor.py [--n 200000]
"""

import argparse
import multiprocessing as mp
import sys
import time
import _thread

_getframe = sys._getframe
_clock = time.perf_counter_ns
_ident = _thread.get_ident


def floor_lock(lock):
    """The least a recording `with lock:` can do."""
    raw_acquire, raw_release = lock._semlock.acquire, lock._semlock.release
    events = []
    record = events.append
    sites = {}

    def site(frame):
        key = (frame.f_code, frame.f_lasti)
        loc = sites.get(key)
        if loc is None:
            loc = sites[key] = "%s:%d" % (frame.f_code.co_filename, frame.f_lineno)
        return loc

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


def per_op(n, body):
    t0 = time.perf_counter()
    body(n)
    return (time.perf_counter() - t0) / n * 1e6


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--n", type=int, default=200000)
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

    best_bare = min(per_op(args.n, bare) for _ in range(3))
    best_floor = min(per_op(args.n, floor) for _ in range(3))
    print(f"multiprocessing.Lock acquire+release: bare {best_bare:.2f} us, "
          f"with the least possible recording {best_floor:.2f} us (+{best_floor - best_bare:.2f} us per pair, "
          f"before any encoding or sending)")


if __name__ == "__main__":
    main()
