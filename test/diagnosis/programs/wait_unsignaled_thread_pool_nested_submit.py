# expect: hang
# kinds: wait-unsignaled
# lints:
# culprits: render_0, render_1
# lines: 25, 32
# why: a task on a two-thread pool submits its per-page subtasks to the same pool and waits for their results; with two such tasks running, both pool threads wait for subtasks that are queued behind them and can never start.
"""Documents are rendered on a thread pool; each document renders its pages on the same pool."""

import threading
from concurrent.futures import ThreadPoolExecutor

pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="render")
# Loaded by the main thread once every document is queued, so that both
# documents hold a pool thread before either submits its pages.
fonts_loaded = threading.Event()


def render_page(doc, page):
    return f"{doc}: page {page} rendered"


def render_document(doc, pages):
    fonts_loaded.wait()
    futures = [pool.submit(render_page, doc, page) for page in range(1, pages + 1)]
    return [f.result() for f in futures]


if __name__ == "__main__":
    docs = [pool.submit(render_document, name, 3) for name in ("invoice", "manual")]
    fonts_loaded.set()
    for d in docs:
        print(d.result())
    pool.shutdown()
