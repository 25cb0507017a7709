"""Benchmark workload for the viewer: a thousand short-lived processes.

The viewer bench (bench/viewer.ts) needs a real trace with 1,000 process
lanes. The main process starts ``--processes`` children in batches of
``--batch`` (start a batch, join it, start the next); each child takes one
shared ``multiprocessing.Lock`` for a moment, puts one result on a shared
queue, and ends. The main process collects every result.

    python3 bench/many_processes.py [--processes 1000] [--batch 50] [--start-method NAME]
"""

import argparse
import multiprocessing as mp
import zlib


def child(index, lock, results):
    with lock:
        crc = zlib.crc32(b"child-%d" % index)
    results.put((index, crc))


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--processes", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50, help="children alive at once (at most)")
    parser.add_argument("--start-method", choices=mp.get_all_start_methods(),
                        help="multiprocessing start method (default: the platform's)")
    args = parser.parse_args()
    if args.start_method:
        mp.set_start_method(args.start_method)

    lock = mp.Lock()
    results = mp.Queue()
    seen = set()
    failed = 0
    for first in range(0, args.processes, args.batch):
        batch = [mp.Process(target=child, args=(index, lock, results), name=f"child-{index}")
                 for index in range(first, min(first + args.batch, args.processes))]
        for proc in batch:
            proc.start()
        # Take the batch's results before joining it: a child exits once its item is read.
        for _ in batch:
            seen.add(results.get()[0])
        for proc in batch:
            proc.join()
            failed += proc.exitcode != 0

    ok = len(seen) == args.processes and failed == 0
    print(f"many_processes: {len(seen)} processes in batches of {args.batch}, {failed} failed: "
          f"{'OK' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
