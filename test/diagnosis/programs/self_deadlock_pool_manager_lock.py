# expect: hang
# kinds: self-deadlock
# lints:
# culprits:
# lines: 13, 19, 30
# why: a Pool task holds a Manager lock and calls a logging helper that takes the same (non-reentrant) Manager lock again, so that worker blocks itself and the other worker and pool.map() wait forever.
"""Pool workers updating Manager totals under a Manager lock, with a logging helper."""

import multiprocessing as mp


def log_progress(lock, log, message):
    with lock:
        log.append(message)


def add_sales(args):
    region, amounts, lock, totals, log = args
    with lock:
        totals[region] = totals.get(region, 0) + sum(amounts)
        log_progress(lock, log, f"{region}: {len(amounts)} sales")
    return region


if __name__ == "__main__":
    with mp.Manager() as manager:
        lock, totals, log = manager.Lock(), manager.dict(), manager.list()
        work = [("north", [10, 20]), ("south", [5]), ("east", [7, 7, 7]), ("west", [1])]
        with mp.Pool(2) as pool:
            done = pool.map(add_sales, [(r, a, lock, totals, log) for r, a in work])
        print(done, dict(totals), list(log))
