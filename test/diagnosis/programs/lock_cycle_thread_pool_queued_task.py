# expect: hang
# kinds: lock-cycle
# lints:
# culprits: MainThread, cache_0
# lines: 17, 27, 30
# why: the only pool thread is stuck in refresh(), waiting for the cache lock the main thread holds, while the main thread waits for the result of lookup(), which is queued behind refresh() and never starts.
"""A one-thread pool refreshes a cache and answers lookups."""

import threading
from concurrent.futures import ThreadPoolExecutor

cache_lock = threading.Lock()
cache = {"eur": 1.0}


def refresh():
    with cache_lock:
        cache["usd"] = 1.08


def lookup(key):
    return cache.get(key)


if __name__ == "__main__":
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache")
    with cache_lock:
        pool.submit(refresh)
        answer = pool.submit(lookup, "eur")
        print("eur:", answer.result())
    pool.shutdown()
