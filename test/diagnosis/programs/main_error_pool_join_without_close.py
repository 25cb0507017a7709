# expect: error
# kinds:
# lints:
# culprits:
# lines:
# why: the search stops reading imap_unordered() at the first match and calls pool.join() without pool.close() first, which raises ValueError("Pool is still running") in the main process.
"""Search log files in parallel and stop at the first one that mentions the error."""

import multiprocessing as mp

LOGS = {f"app-{n}.log": ("disk full" if n == 3 else "all good") for n in range(8)}


def scan(name):
    return name, "disk full" in LOGS[name]


if __name__ == "__main__":
    pool = mp.Pool(2)
    for name, found in pool.imap_unordered(scan, sorted(LOGS)):
        if found:
            print("first log with the error:", name)
            break
    pool.join()
