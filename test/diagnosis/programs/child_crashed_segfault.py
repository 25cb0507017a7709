# expect: error
# kinds: child-crashed
# lints:
# culprits: native-decoder
# lines: 14
# why: the native-decoder child dereferences a NULL pointer through ctypes and dies of SIGSEGV.
"""A child process that calls into C through ctypes with a bad pointer."""

import ctypes
import multiprocessing as mp


def decode(buffer_address, length):
    ctypes.c_uint32.from_address(buffer_address).value = length  # stamp the length into the native buffer
    print("decoded", length, "bytes", flush=True)


if __name__ == "__main__":
    p = mp.Process(target=decode, name="native-decoder", args=(0, 64))
    p.start()
    p.join()
    print("decoder exit code:", p.exitcode)
