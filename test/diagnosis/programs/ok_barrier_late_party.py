# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: two of three processes wait at a Barrier for five seconds until the slow third one arrives; all parties exist and reach it.
"""Three processes meet at a Barrier; one of them is slow."""

import multiprocessing as mp
import time


def stage(delay, barrier):
    time.sleep(delay)
    barrier.wait()


if __name__ == "__main__":
    barrier = mp.Barrier(3)
    procs = [mp.Process(target=stage, name=f"stage-{i}", args=(delay, barrier))
             for i, delay in enumerate((0.0, 0.1, 5.0))]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print("all stages met")
