# expect: error
# kinds: child-crashed
# lints:
# culprits: loader, reader
# lines: 16
# why: the reader thread of the loader child reads a freed (here: NULL) pointer through ctypes, and the whole loader process dies of SIGSEGV.
"""A child process whose helper thread crashes in native code."""

import ctypes
import multiprocessing as mp
import threading
import time


def read_header(address):
    return ctypes.string_at(address)  # the buffer's address came from C, and is not valid any more


def load(address):
    reader = threading.Thread(target=read_header, args=(address,), name="reader")
    reader.start()
    time.sleep(0.5)  # the main thread of the child goes on with other work meanwhile
    reader.join()


if __name__ == "__main__":
    p = mp.Process(target=load, name="loader", args=(0,))
    p.start()
    p.join()
    print("loader exit code:", p.exitcode)
