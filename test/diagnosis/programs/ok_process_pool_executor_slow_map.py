# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: four checksum tasks of about two seconds each (an external command) on a two-worker ProcessPoolExecutor keep the main process waiting in map() for about four seconds, but every worker is busy, not blocked, and all results arrive.
"""Checksums of large files computed on a process pool."""

import subprocess
from concurrent.futures import ProcessPoolExecutor


def checksum(name):
    subprocess.run(["sleep", "2"], check=True)  # stands for sha256sum on a big file
    return name, sum(name.encode()) % 65536


if __name__ == "__main__":
    files = ["a.iso", "b.iso", "c.iso", "d.iso"]
    with ProcessPoolExecutor(max_workers=2) as pool:
        for name, digest in pool.map(checksum, files):
            print(name, digest)
