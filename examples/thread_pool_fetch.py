"""A thread pool (``multiprocessing.dummy``) fetching pages, a lock around shared tallies.

What it demonstrates:

* ``multiprocessing.dummy.Pool``: the Pool API, on threads of one process,
  which suits work that waits (network, disk) rather than computes;
* ``imap_unordered`` handing back each page as soon as its thread is done;
* a ``threading.Lock`` guarding totals that every thread updates;
* ``with Pool(...)``: leaving the block terminates the pool's threads.

"Fetching" is simulated: each page takes a few milliseconds and a few bytes,
decided by its URL, so the output is the same on every run (the order of the
lines marked "done" is not).

    python3 examples/thread_pool_fetch.py [--threads 4] [--pages 24]
"""

import argparse
import threading
import time
import zlib
from multiprocessing.dummy import Pool

totals = {"pages": 0, "bytes": 0}
totals_lock = threading.Lock()


def fetch(url):
    """Pretend to download ``url``: wait a little, return its size."""
    checksum = zlib.crc32(url.encode())
    time.sleep(0.002 + (checksum % 7) / 1000)
    size = 500 + checksum % 1500
    with totals_lock:
        totals["pages"] += 1
        totals["bytes"] += size
    return url, size


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--pages", type=int, default=24)
    args = parser.parse_args()

    urls = ["https://example.org/page/%d" % n for n in range(args.pages)]
    sizes = {}
    with Pool(args.threads) as pool:
        for url, size in pool.imap_unordered(fetch, urls):
            sizes[url] = size
    expected = sum(500 + zlib.crc32(u.encode()) % 1500 for u in urls)
    ok = totals["pages"] == len(urls) == len(sizes) and totals["bytes"] == sum(sizes.values()) == expected
    print("thread_pool_fetch: %d pages, %d bytes over %d threads: %s"
          % (totals["pages"], totals["bytes"], args.threads, "OK" if ok else "MISMATCH"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
