# expect: hang
# kinds: wait-unsignaled
# lints:
# culprits: MainProcess, loader
# lines: 30
# why: the loader child returns early on a cache hit without setting the ready Event, so the main process waits forever for an Event that no live process can set.
"""A model loader process that signals readiness through a multiprocessing.Event."""

import multiprocessing as mp
import os
import tempfile


def load_model(cache_path, ready):
    if os.path.exists(cache_path):
        print("model found in cache", flush=True)
        return
    with open(cache_path, "w") as f:
        f.write("weights")
    ready.set()


if __name__ == "__main__":
    ready = mp.Event()
    fd, cache_path = tempfile.mkstemp(suffix=".model")
    os.close(fd)
    try:
        loader = mp.Process(target=load_model, name="loader", args=(cache_path, ready))
        loader.start()
        ready.wait()
        print("serving requests", flush=True)
        loader.join()
    finally:
        os.unlink(cache_path)
