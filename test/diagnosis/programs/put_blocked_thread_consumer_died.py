# expect: hang
# kinds: put-blocked
# lints:
# culprits: scanner, indexer
# lines: 17
# why: the indexer thread dies on an exception, so the scanner thread fills the bounded queue.Queue and waits forever in put().
"""A file scanner thread feeding an indexer thread through a bounded queue.Queue."""

import queue
import threading

PATHS = ["docs/readme.txt", "docs/caf\u00e9.txt"] + [f"src/module_{n}.py" for n in range(40)]


def scan(paths, pending):
    for path in paths:
        pending.put(path)
    pending.put(None)


def index(pending, catalogue):
    while True:
        path = pending.get()
        if path is None:
            break
        catalogue[path.encode("ascii")] = len(path)


if __name__ == "__main__":
    pending = queue.Queue(maxsize=5)
    catalogue = {}
    indexer = threading.Thread(target=index, name="indexer", args=(pending, catalogue))
    scanner = threading.Thread(target=scan, name="scanner", args=(PATHS, pending))
    indexer.start()
    scanner.start()
    scanner.join()
    indexer.join()
    print("indexed", len(catalogue), "files")
