# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: the prime-search child computes for about five seconds without touching any primitive while the main process waits in join(); the child is running, not blocked.
"""A CPU-bound search in a child process, bounded by a time budget."""

import multiprocessing as mp
import time


def search_primes(budget_s, out):
    deadline = time.monotonic() + budget_s
    n, found = 2, 0
    while time.monotonic() < deadline:
        if all(n % d for d in range(2, int(n ** 0.5) + 1)):
            found += 1
        n += 1
    out.put((found, n))


if __name__ == "__main__":
    out = mp.Queue()
    p = mp.Process(target=search_primes, name="prime-search", args=(5.0, out))
    p.start()
    found, upto = out.get()
    p.join()
    print(f"found {found} primes below {upto}")
