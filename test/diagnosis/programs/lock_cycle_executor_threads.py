# expect: hang
# kinds: lock-cycle
# lints:
# culprits: cache_0, cache_1
# lines: 23, 26, 30, 33
# why: on a thread pool, put() takes the store lock then the index lock while evict() takes the index lock then the store lock, so the two pool threads deadlock.
"""An in-memory cache whose two locks are taken in different orders by put and evict."""

import threading
from concurrent.futures import ThreadPoolExecutor


class Cache:
    def __init__(self):
        self.store_lock = threading.Lock()
        self.index_lock = threading.Lock()
        self.store = {"a": 1, "b": 2}
        self.index = {"a": 0, "b": 1}
        # put and evict write the journal together: each waits for the other.
        self.journal = threading.Barrier(2)

    def put(self, key, value):
        with self.store_lock:
            self.store[key] = value
            self.journal.wait()
            with self.index_lock:
                self.index[key] = len(self.index)

    def evict(self, key):
        with self.index_lock:
            self.index.pop(key, None)
            self.journal.wait()
            with self.store_lock:
                self.store.pop(key, None)


if __name__ == "__main__":
    cache = Cache()
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="cache") as pool:
        added = pool.submit(cache.put, "c", 3)
        evicted = pool.submit(cache.evict, "a")
        added.result()
        evicted.result()
    print(sorted(cache.store))
