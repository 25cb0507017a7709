# expect: error
# kinds: child-crashed
# lints:
# culprits: allocator
# lines: 17
# why: the allocator child is killed by SIGKILL (here it sends it to itself, the way the OOM killer would) and the main process carries on as if it had finished.
"""A memory-hungry child process that gets killed by a signal."""

import multiprocessing as mp
import os
import signal


def build_index(n_blocks):
    blocks = [bytearray(1 << 20) for _ in range(n_blocks)]
    print(f"allocated {len(blocks)} MiB", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    print("index built", flush=True)


if __name__ == "__main__":
    p = mp.Process(target=build_index, name="allocator", args=(16,))
    p.start()
    p.join()
    print("main process done")
