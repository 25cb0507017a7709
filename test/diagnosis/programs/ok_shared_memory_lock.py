# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: workers add into a shared-memory counter under a lock, with a four second pause, and every lock is released; the main process joins them and reads the total.
"""Workers accumulating into shared memory under a multiprocessing.Lock."""

import multiprocessing as mp
import time
from multiprocessing import shared_memory


def add_up(lock, shm, values, pause):
    total = shm.buf.cast("q")
    for i, v in enumerate(values):
        with lock:
            total[0] += v
        if i == 0:
            time.sleep(pause)
    total.release()


if __name__ == "__main__":
    lock = mp.Lock()
    shm = shared_memory.SharedMemory(create=True, size=8)
    try:
        shm.buf[:8] = bytes(8)
        workers = [mp.Process(target=add_up, name=f"adder-{i}", args=(lock, shm, range(i * 100, i * 100 + 100), 4))
                   for i in (1, 2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        view = shm.buf.cast("q")
        print("total:", view[0])
        view.release()
    finally:
        shm.close()
        shm.unlink()
