# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: spawned workers update a Manager dict under a Manager lock after four seconds of work each; the main process waits in join() and everything finishes.
"""Spawned workers sharing a Manager dict and lock."""

import multiprocessing as mp
import time


def tally(word, counts, lock):
    time.sleep(4)  # count occurrences in a big file
    with lock:
        counts[word] = counts.get(word, 0) + len(word)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        counts, lock = manager.dict(), manager.Lock()
        workers = [ctx.Process(target=tally, name=f"tally-{w}", args=(w, counts, lock))
                   for w in ("apple", "kiwi")]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        print(dict(counts))
