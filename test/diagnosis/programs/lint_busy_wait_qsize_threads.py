# expect: ok
# kinds:
# lints: busy-wait-empty
# culprits: MainThread
# lines: 27
# why: the main thread waits for all fetch results by spinning on qsize() instead of calling get() or join(); the program finishes, but wastes CPU.
"""Fetch threads put results on a queue.Queue; main spins on qsize() until they are all in."""

import queue
import threading
import time

PAGES = ["/", "/pricing", "/docs", "/blog"]


def fetch(page, results):
    time.sleep(0.2 * (1 + len(page) % 3))  # network latency
    results.put((page, 200))


if __name__ == "__main__":
    results = queue.Queue()
    threads = [threading.Thread(target=fetch, name=f"fetch-{i}", args=(page, results))
               for i, page in enumerate(PAGES)]
    for t in threads:
        t.start()
    while results.qsize() < len(PAGES):
        pass
    print(sorted(results.get() for _ in PAGES))
    for t in threads:
        t.join()
