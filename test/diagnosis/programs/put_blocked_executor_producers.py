# expect: hang
# kinds: put-blocked
# lints:
# culprits: producer_0, producer_1
# lines: 18
# why: the consumer thread stops after its first batch of ten rows, so both executor threads that produce rows fill the bounded queue.Queue and wait forever in put().
"""Two executor tasks export table rows into a bounded queue drained by one writer thread."""

import queue
import threading
from concurrent.futures import ThreadPoolExecutor

BATCH = 10


def export_table(table, rows, out):
    for n in range(rows):
        out.put((table, n))
    out.put((table, None))


def write_first_batch(out, written):
    while len(written) < BATCH:
        table, row = out.get()
        if row is not None:
            written.append((table, row))
    print("batch of", len(written), "rows written; writer done")


if __name__ == "__main__":
    out = queue.Queue(maxsize=20)
    written = []
    writer = threading.Thread(target=write_first_batch, name="writer", args=(out, written))
    writer.start()
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="producer") as pool:
        jobs = [pool.submit(export_table, table, 100, out) for table in ("users", "orders")]
        for job in jobs:
            job.result()
    writer.join()
