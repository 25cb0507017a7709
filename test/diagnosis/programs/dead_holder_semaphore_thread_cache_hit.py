# expect: hang
# kinds: dead-holder, join-blocked
# lints:
# culprits: crawler-3, crawler-1, crawler-2
# lines: 16, 42
# why: crawler-1 and crawler-2 find their page in the cache and return without giving back their slot of the two-slot threading.Semaphore, so crawler-3 waits forever for a slot after they have exited.
"""Crawler threads limited to two concurrent downloads by a semaphore."""

import threading
import time

CACHE = {"https://example.org/a": "<cached a>", "https://example.org/b": "<cached b>"}


def crawl(url, slots, pages):
    slots.acquire()
    if url in CACHE:
        time.sleep(0.05)  # decompress the cached copy
        pages[url] = CACHE[url]
        return
    try:
        time.sleep(0.05)  # the download
        pages[url] = f"<html of {url}>"
    finally:
        slots.release()


if __name__ == "__main__":
    slots = threading.Semaphore(2)
    pages = {}
    # The front page's links first, then the page they lead to.
    waves = [["https://example.org/a", "https://example.org/b"], ["https://example.org/c"]]
    started = 0
    for wave in waves:
        crawlers = []
        for url in wave:
            started += 1
            crawlers.append(threading.Thread(target=crawl, name=f"crawler-{started}", args=(url, slots, pages)))
        for t in crawlers:
            t.start()
        for t in crawlers:
            t.join()
    print(sorted(pages))
