# expect: hang
# kinds: dead-holder, child-crashed, join-blocked
# lints:
# culprits: cache-reader, cache-warmer
# lines: 15, 18, 22, 34
# why: the spawned cache-warmer is SIGKILLed (as by the OOM killer) while it holds the cache lock, so the cache-reader process waits forever for that lock and the main process waits forever in join.
"""A cache warmer and a cache reader sharing a lock, started with spawn."""

import multiprocessing as mp
import os
import signal


def warm_cache(cache_lock):
    cache_lock.acquire()
    blocks = [bytearray(1 << 20) for _ in range(8)]
    print(f"warmer loaded {len(blocks)} MiB", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def read_cache(cache_lock):
    with cache_lock:
        print("reader sees a warm cache", flush=True)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    cache_lock = ctx.Lock()
    warmer = ctx.Process(target=warm_cache, name="cache-warmer", args=(cache_lock,))
    warmer.start()
    warmer.join()
    reader = ctx.Process(target=read_cache, name="cache-reader", args=(cache_lock,))
    reader.start()
    reader.join()
    print("done")
