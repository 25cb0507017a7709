# expect: hang
# kinds: lock-cycle
# lints:
# culprits: cache_0, cache_1
# lines: 22, 25, 29, 32
# why: on a thread pool, put() takes the store lock then the index lock while evict() takes the index lock then the store lock, so the two pool threads deadlock.
"""An in-memory cache whose two locks are taken in different orders by put and evict."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor


class Cache:
    def __init__(self):
        self.store_lock = threading.Lock()
        self.index_lock = threading.Lock()
        self.store = {"a": 1, "b": 2}
        self.index = {"a": 0, "b": 1}

    def put(self, key, value):
        with self.store_lock:
            self.store[key] = value
            time.sleep(0.2)  # serialise the value to disk
            with self.index_lock:
                self.index[key] = len(self.index)

    def evict(self, key):
        with self.index_lock:
            self.index.pop(key, None)
            time.sleep(0.2)  # rewrite the index file
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
