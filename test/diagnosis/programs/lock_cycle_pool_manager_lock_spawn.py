# expect: hang
# kinds: lock-cycle
# lints:
# culprits: MainThread
# lines: 13, 22, 23
# why: the main process holds a Manager lock while it waits on apply_async(...).get(), and the task, in a spawned Pool worker, waits for that same Manager lock.
"""Reserve a seat through a Pool worker while holding the seating chart's Manager lock."""

import multiprocessing as mp


def reserve(lock, seat):
    with lock:
        return "reserved " + seat


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        chart_lock = manager.Lock()
        with ctx.Pool(2) as pool:
            with chart_lock:
                print(pool.apply_async(reserve, (chart_lock, "12A")).get())
