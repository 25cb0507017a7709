# expect: hang
# kinds: dead-holder, child-crashed
# lints:
# culprits: hist-1, hist-2, hist-3
# lines: 19, 20
# why: hist-1 raises ValueError on a bad reading while it holds the lock that guards a shared-memory histogram, so hist-2 and hist-3 wait forever for that lock.
"""Workers filling one histogram in shared memory, each bucket update under a lock."""

import multiprocessing as mp
import time
from multiprocessing import shared_memory

BUCKETS = 10


def accumulate(lock, shm, readings):
    counts = shm.buf.cast("q")
    for reading in readings:
        lock.acquire()
        bucket = min(int(reading) // 10, BUCKETS - 1)
        counts[bucket] += 1
        lock.release()
        time.sleep(0.05)  # next sensor sample


if __name__ == "__main__":
    lock = mp.Lock()
    shm = shared_memory.SharedMemory(create=True, size=8 * BUCKETS)
    try:
        shm.buf[:] = bytes(8 * BUCKETS)
        batches = {
            "hist-1": ["12", "47", "n/a", "88"],
            "hist-2": [str(v % 100) for v in range(0, 300, 5)],
            "hist-3": [str(v % 100) for v in range(3, 300, 5)],
        }
        workers = [mp.Process(target=accumulate, name=name, args=(lock, shm, readings))
                   for name, readings in batches.items()]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        print("histogram:", list(shm.buf.cast("q")))
    finally:
        shm.close()
        shm.unlink()
