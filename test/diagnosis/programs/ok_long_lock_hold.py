# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: the compactor holds the table lock for five seconds, so the query process waits that long for it, but the holder is alive and releases it.
"""A compaction that holds a table lock for a long but finite time."""

import multiprocessing as mp
import time


def compact(table_lock, started):
    with table_lock:
        started.set()
        time.sleep(5)  # rewrite the table files
    print("compaction finished", flush=True)


def query(table_lock, started):
    started.wait()
    with table_lock:
        print("query sees the compacted table", flush=True)


if __name__ == "__main__":
    table_lock = mp.Lock()
    started = mp.Event()
    compactor = mp.Process(target=compact, name="compactor", args=(table_lock, started))
    querier = mp.Process(target=query, name="query", args=(table_lock, started))
    compactor.start()
    querier.start()
    compactor.join()
    querier.join()
