"""concurrent.futures: "download" pages on threads, then crunch them on processes.

What it demonstrates:

* ``ThreadPoolExecutor`` for work that waits (network, disk): one ``submit``
  per URL, a ``{future: url}`` dict, results collected with ``as_completed``
  in the order they finish;
* ``future.exception()`` to see a failed download without raising;
* ``ProcessPoolExecutor.map`` with a ``chunksize`` for work that computes
  (counting primes below a number taken from each page);
* ``with`` blocks: leaving one shuts the executor down and waits for it.

Downloads are simulated: each takes a few milliseconds and returns bytes made
from its URL, so the output is the same on every run. One URL is missing: its
download fails, and the program says so.

    python3 examples/executor_downloads.py [--threads 4] [--workers 2] [--pages 16]
"""

import argparse
import concurrent.futures as cf
import multiprocessing as mp
import time
import zlib

MISSING = "https://example.org/page/missing"


class NotFound(Exception):
    pass


def download(url):
    """Pretend to fetch ``url``: wait a little, return its "contents"."""
    if url == MISSING:
        time.sleep(0.002)
        raise NotFound(url)
    checksum = zlib.crc32(url.encode())
    time.sleep(0.002 + (checksum % 5) / 1000)
    return url.encode() * (1 + checksum % 40)


def count_primes(limit):
    """Primes below ``limit``, by a plain sieve: a little CPU work."""
    if limit < 3:
        return 0
    sieve = bytearray([1]) * limit
    sieve[0] = sieve[1] = 0
    for n in range(2, int(limit ** 0.5) + 1):
        if sieve[n]:
            sieve[n * n::n] = bytes(len(range(n * n, limit, n)))
    return sum(sieve)


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pages", type=int, default=16)
    parser.add_argument("--start-method", choices=mp.get_all_start_methods(),
                        help="multiprocessing start method (default: the platform's)")
    args = parser.parse_args()
    context = mp.get_context(args.start_method)

    urls = ["https://example.org/page/%d" % n for n in range(args.pages)] + [MISSING]
    pages, failed = {}, []
    with cf.ThreadPoolExecutor(max_workers=args.threads) as pool:
        future_to_url = {pool.submit(download, url): url for url in urls}
        for future in cf.as_completed(future_to_url):
            url = future_to_url[future]
            error = future.exception()
            if error is not None:
                failed.append("%s (%s)" % (url, type(error).__name__))
            else:
                pages[url] = future.result()
    total = sum(len(body) for body in pages.values())
    print("downloaded %d pages, %d bytes; failed: %s" % (len(pages), total, ", ".join(failed) or "none"))

    ordered = sorted(pages)
    limits = [1000 + len(pages[url]) for url in ordered]
    with cf.ProcessPoolExecutor(max_workers=args.workers, mp_context=context) as pool:
        primes = list(pool.map(count_primes, limits, chunksize=4))
    print("primes below each page's size + 1000: %d in all, at most %d" % (sum(primes), max(primes)))

    ok = (len(pages) == args.pages and failed == [MISSING + " (NotFound)"]
          and primes == [count_primes(limit) for limit in limits])
    print("executor_downloads: %s" % ("OK" if ok else "MISMATCH"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
