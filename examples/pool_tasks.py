"""A process Pool: apply_async, map and imap, then close() and join().

What it demonstrates:

* a ``multiprocessing.Pool`` of a few worker processes;
* ``apply_async`` for single tasks, collected later with ``.get()``;
* ``map`` (all results at once, in order) and ``imap`` (results one by one,
  still in order, as they become ready);
* ``close()`` then ``join()`` to wait for the workers to exit.

Which worker runs which task varies; the results printed do not.

    python3 examples/pool_tasks.py [--workers 3] [--tasks 12]
"""

import argparse
import multiprocessing as mp
import time


def slow_square(n):
    """Pretend to work a little, then return n squared."""
    time.sleep(0.002 * (n % 4))
    return n * n


def word_stats(word):
    return word, len(word), sum(ord(c) for c in word) % 100


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=12)
    parser.add_argument("--start-method", choices=mp.get_all_start_methods(),
                        help="multiprocessing start method (default: the platform's)")
    args = parser.parse_args()
    if args.start_method:
        mp.set_start_method(args.start_method)

    pool = mp.Pool(args.workers)
    pending = [pool.apply_async(slow_square, (n,)) for n in range(args.tasks)]
    squares = [result.get(timeout=30) for result in pending]
    print(f"apply_async: squares of 0..{args.tasks - 1} sum to {sum(squares)}")

    mapped = pool.map(slow_square, range(args.tasks), chunksize=2)
    print(f"map: first five {mapped[:5]}, same as apply_async: {mapped == squares}")

    words = ["reader", "writer", "queue", "lock", "pool"]
    for word, length, code in pool.imap(word_stats, words):
        print(f"imap: {word:7} length {length} code {code}")

    pool.close()
    pool.join()
    ok = squares == [n * n for n in range(args.tasks)] and mapped == squares
    print(f"pool of {args.workers}: {'OK' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
