# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: a correct reader/writer pipeline with one None per reader and a final None for the writer; the source pauses four seconds between two batches, so everybody waits on empty queues for a while, but the source is alive and the markers all arrive.
"""A source, two readers and a writer, with proper end markers and a slow source."""

import multiprocessing as mp
import time


def read_worker(q_in, q_out):
    while True:
        item = q_in.get()
        if item is None:
            break
        q_out.put(item * 2)


def write_worker(q_out, total):
    acc = 0
    while True:
        value = q_out.get()
        if value is None:
            break
        acc += value
    total.value = acc


if __name__ == "__main__":
    q_in, q_out = mp.Queue(16), mp.Queue(16)
    total = mp.Value("q", 0)
    readers = [mp.Process(target=read_worker, name=f"reader-{i}", args=(q_in, q_out)) for i in (1, 2)]
    writer = mp.Process(target=write_worker, name="writer", args=(q_out, total))
    for p in readers + [writer]:
        p.start()
    for batch in range(2):
        for n in range(batch * 20, batch * 20 + 20):
            q_in.put(n)
        if batch == 0:
            time.sleep(4)  # waiting for the upstream system to export the next batch
    for _ in readers:
        q_in.put(None)
    for p in readers:
        p.join()
    q_out.put(None)
    writer.join()
    print("total:", total.value)
