# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: the child puts a 4 MB result after four seconds of work, and the main process gets it before joining, which is the right order.
"""A large result passed back through a Queue and read before join()."""

import multiprocessing as mp
import time


def render(out):
    time.sleep(4)  # rendering
    out.put(b"\x7f" * (4 << 20))


if __name__ == "__main__":
    out = mp.Queue()
    p = mp.Process(target=render, name="renderer", args=(out,))
    p.start()
    frame = out.get()
    p.join()
    print("frame of", len(frame), "bytes")
