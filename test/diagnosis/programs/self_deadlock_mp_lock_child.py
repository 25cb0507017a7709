# expect: hang
# kinds: self-deadlock
# lints:
# culprits: indexer
# lines: 16
# why: the indexer child acquires the output lock at the top of each loop turn but skips the release on the `continue` for an empty document, so the next turn waits for a multiprocessing.Lock it already holds.
"""An indexer process that appends to a shared output file under a lock."""

import multiprocessing as mp
import os
import tempfile


def index_documents(out_lock, docs, out_path):
    for number, doc in enumerate(docs):
        out_lock.acquire()
        if not doc.strip():
            print(f"document {number} is empty, skipping", flush=True)
            continue
        with open(out_path, "a") as out:
            out.write(f"{number}\t{len(doc.split())}\n")
        out_lock.release()


if __name__ == "__main__":
    out_lock = mp.Lock()
    docs = ["the quick brown fox", "   ", "jumps over", "the lazy dog"]
    fd, out_path = tempfile.mkstemp(suffix=".tsv")
    os.close(fd)
    try:
        p = mp.Process(target=index_documents, name="indexer", args=(out_lock, docs, out_path))
        p.start()
        p.join()
        with open(out_path) as f:
            print(f.read())
    finally:
        os.unlink(out_path)
