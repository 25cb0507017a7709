# expect: error
# kinds: child-crashed
# lints:
# culprits:
# lines: 16
# why: a task of a spawn ProcessPoolExecutor reads through a NULL pointer with ctypes; its worker dies of SIGSEGV and every pending future fails with BrokenProcessPool.
"""A process pool whose task crashes its worker in native code."""

import ctypes
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool


def checksum(address):
    return len(ctypes.string_at(address))  # a C string at address 0: nothing there


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("spawn")) as pool:
        futures = [pool.submit(checksum, address) for address in (0,)]
        try:
            print([f.result() for f in futures])
        except BrokenProcessPool as error:
            print("pool broken:", error)
