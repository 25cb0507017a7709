"""A counter in shared memory, incremented by several processes under one Lock.

What it demonstrates:

* a ``multiprocessing.Value`` shared by several worker processes;
* one ``multiprocessing.Lock`` guarding every read-modify-write of it, taken
  with ``with lock:`` in the hot loop;
* the same lock taken explicitly with ``lock.acquire()`` / ``lock.release()``
  (in ``try``/``finally``) where each worker signs off in a second shared value;
* the final count checked against the expected one.

The values are made with ``lock=False`` on purpose: by default a ``Value``
carries its own hidden reentrant lock and takes it on every access; here the
explicit ``Lock`` is the only guard, so it is the one lock you see.
``counter.value += 1`` is a read then a write, so without the lock updates
would be lost.

    python3 examples/locked_counter.py [--workers 4] [--increments 2000]
"""

import argparse
import multiprocessing as mp


def work(lock, counter, finished, increments):
    """Add ``increments`` to the counter, one locked step at a time."""
    for _ in range(increments):
        with lock:
            counter.value += 1
    lock.acquire()  # the explicit form of the same thing
    try:
        finished.value += 1
    finally:
        lock.release()


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--increments", type=int, default=2000, help="increments per worker")
    parser.add_argument("--start-method", choices=mp.get_all_start_methods(),
                        help="multiprocessing start method (default: the platform's)")
    args = parser.parse_args()
    if args.start_method:
        mp.set_start_method(args.start_method)

    lock = mp.Lock()
    counter = mp.Value("i", 0, lock=False)
    finished = mp.Value("i", 0, lock=False)
    workers = [mp.Process(target=work, args=(lock, counter, finished, args.increments),
                          name=f"worker-{n}")
               for n in range(args.workers)]
    for proc in workers:
        proc.start()
    for proc in workers:
        proc.join()

    expected = args.workers * args.increments
    ok = (counter.value == expected and finished.value == args.workers
          and all(p.exitcode == 0 for p in workers))
    print(f"{finished.value} of {args.workers} workers finished")
    print(f"final count: {counter.value} (expected {expected}): {'OK' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
