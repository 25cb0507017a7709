# expect: error
# kinds: child-crashed
# lints:
# culprits: checker
# lines: 16
# why: the checker child (spawn) calls the C library's abort() through ctypes, the way a failed assert() in a C extension does, and dies of SIGABRT.
"""A child process whose native code gives up with abort()."""

import ctypes
import multiprocessing as mp


def check(sizes):
    libc = ctypes.CDLL(None)
    if sum(sizes) != 64:
        libc.abort()  # what assert(total == 64) does in C
    print("sizes add up", flush=True)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    p = ctx.Process(target=check, name="checker", args=([16, 16, 16],))
    p.start()
    p.join()
    print("checker exit code:", p.exitcode)
