"""Two processes take two locks in opposite order: a deadlock (a lock cycle).

The host suite (test/vscode-host/suite.ts) runs it with procview.onHang 'kill'
and waits for the lock-cycle problem on its lines.
"""

import multiprocessing as mp
import time


def worker(first, second):
    with first:
        time.sleep(0.3)
        with second:
            pass


if __name__ == "__main__":
    a, b = mp.Lock(), mp.Lock()
    ab = mp.Process(target=worker, args=(a, b), name="ab")
    ba = mp.Process(target=worker, args=(b, a), name="ba")
    ab.start()
    ba.start()
    ab.join()
    ba.join()
