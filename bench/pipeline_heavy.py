"""Benchmark workload: a queue-heavy reader/writer pipeline.

The shape of examples/pipeline.py, scaled up: the main process feeds two
reader processes round-robin through their own bounded queues, both readers
put small results on one shared queue, one writer process drains it into a
temporary file; ``None`` ends each reader, and a last ``None`` ends the writer
once the readers are joined. Every item crosses two queues, so ``--items N``
means 2N puts and 2N gets (plus the end markers).

    python3 bench/pipeline_heavy.py [--items 100000] [--readers 2] [--start-method NAME]
"""

import argparse
import multiprocessing as mp
import os
import tempfile
import zlib


def reader(inbox, results):
    while True:
        item = inbox.get()
        if item is None:
            break
        index, text = item
        results.put((index, len(text), zlib.crc32(text.encode())))


def writer(results, path):
    with open(path, "w", encoding="utf-8") as out:
        while True:
            result = results.get()
            if result is None:
                break
            out.write("%d\t%d\t%d\n" % result)


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--items", type=int, default=100000)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--start-method", choices=mp.get_all_start_methods(),
                        help="multiprocessing start method (default: the platform's)")
    args = parser.parse_args()
    if args.start_method:
        mp.set_start_method(args.start_method)

    fd, path = tempfile.mkstemp(prefix="pipeline-heavy-", suffix=".tsv")
    os.close(fd)
    try:
        inboxes = [mp.Queue(1024) for _ in range(args.readers)]
        results = mp.Queue(1024)
        readers = [mp.Process(target=reader, args=(q, results), name=f"reader-{n}")
                   for n, q in enumerate(inboxes)]
        for proc in readers:
            proc.start()
        write_proc = mp.Process(target=writer, args=(results, path), name="writer")
        write_proc.start()

        for index in range(args.items):
            inboxes[index % args.readers].put((index, "item-%d" % index))
        for inbox in inboxes:
            inbox.put(None)
        for proc in readers:
            proc.join()
        results.put(None)
        write_proc.join()

        with open(path, encoding="utf-8") as done:
            lines = sum(1 for _ in done)
        ok = lines == args.items and all(p.exitcode == 0 for p in readers + [write_proc])
        print(f"pipeline_heavy: {lines} items through {args.readers} readers and 1 writer: "
              f"{'OK' if ok else 'MISMATCH'}")
        return 0 if ok else 1
    finally:
        os.unlink(path)


if __name__ == "__main__":
    raise SystemExit(main())
