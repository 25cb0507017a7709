# expect: hang
# kinds: get-starved
# lints:
# culprits: writer
# lines: 26
# why: the readers stop on their own None markers, but after joining them the main process never puts the final None on the output queue, so the writer waits forever on an empty queue that nobody can fill.
"""Many readers, one writer: readers score lines, the writer saves the results."""

import multiprocessing as mp
import os
import tempfile


def read_worker(q_in, q_out):
    while True:
        item = q_in.get()
        if item is None:
            break
        index, line = item
        q_out.put((index, line.upper(), len(line)))


def write_worker(q_out, path):
    with open(path, "w") as out:
        while True:
            result = q_out.get()
            if result is None:
                break
            out.write("\t".join(map(str, result)) + "\n")


if __name__ == "__main__":
    lines = [f"line number {i}" for i in range(200)]
    fd, path = tempfile.mkstemp(suffix=".tsv")
    os.close(fd)
    q_in = mp.Queue(64)
    q_out = mp.Queue(64)
    readers = [mp.Process(target=read_worker, name=f"reader-{i}", args=(q_in, q_out))
               for i in range(1, 3)]
    writer = mp.Process(target=write_worker, name="writer", args=(q_out, path))
    for p in readers:
        p.start()
    writer.start()
    for item in enumerate(lines):
        q_in.put(item)
    for _ in readers:
        q_in.put(None)
    for p in readers:
        p.join()
    writer.join()
    os.unlink(path)
    print("wrote", len(lines), "results")
