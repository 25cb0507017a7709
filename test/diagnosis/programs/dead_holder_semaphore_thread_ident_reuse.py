# expect: hang
# kinds: dead-holder, join-blocked
# lints:
# culprits: crawler-3, crawler-1, crawler-2
# lines: 16, 36
# why: crawler-1 and crawler-2 find their page in the cache and return without giving back their slot of the two-slot threading.Semaphore, so crawler-3 waits forever for a slot after they have exited.
"""Crawler threads limited to two concurrent downloads by a semaphore."""

import threading
import time

CACHE = {"https://example.org/a": "<cached a>", "https://example.org/b": "<cached b>"}


def crawl(url, slots, pages):
    slots.acquire()
    if url in CACHE:
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
    # Each page links to the next: one crawler at a time, started once the one before has
    # returned, so the threads may well run under one reused ident.
    urls = ["https://example.org/a", "https://example.org/b", "https://example.org/c"]
    for i, url in enumerate(urls, start=1):
        crawler = threading.Thread(target=crawl, name=f"crawler-{i}", args=(url, slots, pages))
        crawler.start()
        crawler.join()
    print(sorted(pages))
