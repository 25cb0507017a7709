# expect: hang
# kinds: get-starved
# lints:
# culprits: etl_0, MainThread
# lines: 23, 34
# why: on a one-thread pool the load task is submitted before the extract task and waits in queue.Queue.get() for rows that only extract would put, but extract is queued behind it and never starts, while the main thread waits in as_completed().
"""Extract and load steps run as tasks on a thread pool, linked by a queue.Queue."""

import queue
from concurrent.futures import ThreadPoolExecutor, as_completed


def extract(rows):
    for n in range(5):
        rows.put({"id": n, "amount": n * 3.5})
    rows.put(None)
    return "extracted 5 rows"


def load(rows):
    loaded = 0
    while True:
        row = rows.get()
        if row is None:
            break
        loaded += 1
    return f"loaded {loaded} rows"


if __name__ == "__main__":
    rows = queue.Queue()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="etl") as pool:
        futures = [pool.submit(load, rows), pool.submit(extract, rows)]
        for done in as_completed(futures):
            print(done.result())
