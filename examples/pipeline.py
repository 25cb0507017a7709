"""Reader/writer pipeline: several readers, one writer, `None` as end marker.

What it demonstrates (the classic "many readers, one writer" layout):

* the main process feeds N reader processes round-robin, each through the
  reader's OWN bounded input ``multiprocessing.Queue``;
* every reader turns an ``(index, text)`` item into a small result and puts it
  on ONE shared output queue;
* one writer process drains the shared queue and writes the results to a file;
* ``None`` ends each reader; once all readers are joined, the main process puts
  a last ``None`` on the shared queue so the writer stops too.

The results reach the file in whatever order the readers finish them; only the
main process prints, after everything is joined, so the output (counts per
process and a checksum of the sorted results) is the same on every run.

    python3 examples/pipeline.py [--readers 3] [--items 600] [--start-method spawn]
"""

import argparse
import multiprocessing as mp
import os
import tempfile
import zlib

WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")


def make_text(index):
    """A small deterministic line of words for item ``index``."""
    count = 1 + index % 5
    return " ".join(WORDS[(index * 7 + k * 3) % len(WORDS)] for k in range(count))


def summarise(reader_no, index, text):
    """What a reader computes for one item: (index, reader, words, letters, crc32)."""
    words = text.split()
    return (index, reader_no, len(words), sum(len(w) for w in words),
            zlib.crc32(text.encode()))


def reader(reader_no, inbox, results):
    """Take items from this reader's own queue until ``None``; emit results."""
    while True:
        item = inbox.get()
        if item is None:
            break
        index, text = item
        results.put(summarise(reader_no, index, text))


def writer(results, path):
    """Drain the shared queue into ``path`` until the final ``None``."""
    with open(path, "w", encoding="utf-8") as out:
        while True:
            result = results.get()
            if result is None:
                break
            out.write("\t".join(map(str, result)) + "\n")


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--readers", type=int, default=3, help="reader processes (default 3)")
    parser.add_argument("--items", type=int, default=600, help="items to push through (default 600)")
    parser.add_argument("--start-method", choices=mp.get_all_start_methods(),
                        help="multiprocessing start method (default: the platform's)")
    args = parser.parse_args()
    if args.start_method:
        mp.set_start_method(args.start_method)

    fd, path = tempfile.mkstemp(prefix="pipeline-", suffix=".tsv")
    os.close(fd)
    try:
        inboxes = [mp.Queue(64) for _ in range(args.readers)]
        results = mp.Queue(256)

        readers = [
            mp.Process(target=reader, args=(n, inboxes[n], results), name=f"reader-{n}")
            for n in range(args.readers)
        ]
        for proc in readers:
            proc.start()
        write_proc = mp.Process(target=writer, args=(results, path), name="writer")
        write_proc.start()

        # Round-robin: item i goes to reader i % N, through that reader's own queue.
        for index in range(args.items):
            inboxes[index % args.readers].put((index, make_text(index)))
        for inbox in inboxes:
            inbox.put(None)  # one end marker per reader

        for proc in readers:
            proc.join()
        results.put(None)  # all readers are done: now the writer may stop
        write_proc.join()

        # Check the file against what the readers should have produced.
        with open(path, encoding="utf-8") as done:
            rows = [tuple(int(v) for v in line.split("\t")) for line in done]
        rows.sort()
        expected = [summarise(i % args.readers, i, make_text(i)) for i in range(args.items)]
        for n, proc in enumerate(readers):
            handled = sum(1 for r in rows if r[1] == n)
            print(f"{proc.name}: {handled} items, exit code {proc.exitcode}")
        print(f"{write_proc.name}: {len(rows)} lines written, exit code {write_proc.exitcode}")
        checksum = zlib.crc32(repr(rows).encode())
        ok = rows == expected and all(p.exitcode == 0 for p in readers + [write_proc])
        print(f"pipeline: {len(rows)} results, {sum(r[2] for r in rows)} words, "
              f"checksum {checksum:08x}: {'OK' if ok else 'MISMATCH'}")
        return 0 if ok else 1
    finally:
        os.unlink(path)


if __name__ == "__main__":
    raise SystemExit(main())
