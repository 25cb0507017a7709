# expect: hang
# kinds: wait-unsignaled
# lints:
# culprits: merger
# lines: 25
# why: the merger process waits on a multiprocessing.Condition until three parts are written, but the splitter skips an empty part, writes two and exits, so the condition is never notified again.
"""A splitter process writes parts, a merger process waits until all parts are there."""

import multiprocessing as mp

PARTS = ["alpha beta", "", "gamma delta"]


def split(parts, written, cond):
    for text in parts:
        if not text:
            continue
        with cond:
            written.value += 1
            cond.notify_all()


def merge(written, cond, expected):
    with cond:
        cond.wait_for(lambda: written.value >= expected)
    print("merging", expected, "parts", flush=True)


if __name__ == "__main__":
    cond = mp.Condition()
    written = mp.Value("i", 0, lock=False)
    merger = mp.Process(target=merge, name="merger", args=(written, cond, len(PARTS)))
    splitter = mp.Process(target=split, name="splitter", args=(PARTS, written, cond))
    merger.start()
    splitter.start()
    splitter.join()
    merger.join()
