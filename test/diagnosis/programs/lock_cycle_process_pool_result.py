# expect: hang
# kinds: lock-cycle
# lints:
# culprits: MainThread
# lines: 14, 27, 28
# why: the main process holds a multiprocessing lock while it waits for the result of a task on a process pool, and the task, in a worker process, needs that lock.
"""Write a report in a worker process while the main process holds the report file's lock."""

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor


def write_report(name):
    with report_lock:
        return "wrote " + name


def init(lock):
    global report_lock
    report_lock = lock


if __name__ == "__main__":
    fork = mp.get_context("fork")
    lock = fork.Lock()
    with ProcessPoolExecutor(max_workers=2, mp_context=fork, initializer=init, initargs=(lock,)) as pool:
        with lock:
            print(pool.submit(write_report, "q3").result())
