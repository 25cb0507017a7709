# expect: error
# kinds: task-error-unretrieved
# lints:
# culprits:
# lines: 19, 28
# why: a download task on the ThreadPoolExecutor raises ValueError for a malformed URL, but the futures are thrown away, so the failure is silent.
"""Simulated downloads on a ThreadPoolExecutor whose futures are never checked."""

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

URLS = ["https://example.org/a.zip", "htps//example.org/b.zip", "https://example.org/c.zip"]


def download(url, sink):
    parts = urlparse(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"unsupported URL: {url}")
    time.sleep(0.1)
    sink.append(parts.path)


if __name__ == "__main__":
    fetched = []
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="download") as pool:
        for url in URLS:
            pool.submit(download, url, fetched)
    print("downloaded", sorted(fetched))
