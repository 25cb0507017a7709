"""Benchmark workload: two processes ping-ponging one multiprocessing.Lock.

Both processes wait on a start ``Event`` so that their loops overlap, then each
takes the SAME ``multiprocessing.Lock`` ``--n`` times, incrementing a shared
``RawValue`` counter inside it (``with lock: counter.value += 1``). The counter
is a RawValue so that the explicit Lock is the only lock involved. While both
loops run, the lock keeps changing hands between the two processes; the number
of hand-overs is counted (in shared memory, under the lock) and printed.

    python3 bench/lock_pingpong.py [--n 100000] [--start-method NAME]
"""

import argparse
import multiprocessing as mp


def hammer(me, n, lock, counter, last_owner, handovers, go):
    go.wait()
    for _ in range(n):
        with lock:
            counter.value += 1
            if last_owner.value != me:
                last_owner.value = me
                handovers.value += 1


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--n", type=int, default=100000, help="acquisitions per process")
    parser.add_argument("--start-method", choices=mp.get_all_start_methods(),
                        help="multiprocessing start method (default: the platform's)")
    args = parser.parse_args()
    if args.start_method:
        mp.set_start_method(args.start_method)

    lock = mp.Lock()
    counter = mp.RawValue("q", 0)
    last_owner = mp.RawValue("i", -1)
    handovers = mp.RawValue("q", 0)
    go = mp.Event()
    procs = [mp.Process(target=hammer, name=f"hammer-{me}",
                        args=(me, args.n, lock, counter, last_owner, handovers, go))
             for me in (0, 1)]
    for proc in procs:
        proc.start()
    go.set()
    for proc in procs:
        proc.join()

    ok = counter.value == 2 * args.n and all(p.exitcode == 0 for p in procs)
    print(f"lock_pingpong: {counter.value} acquisitions by 2 processes, "
          f"{handovers.value} hand-overs: {'OK' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
