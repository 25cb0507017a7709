# expect: ok
# kinds:
# lints: uneven-work
# culprits:
# lines: 22
# why: the jobs are sorted by size and split into two big chunks, so one Pool worker gets all the large jobs and works about three times as long as the other.
"""Resize images of very different sizes on a Pool with a large chunksize."""

import time
from multiprocessing import Pool

SIZES = sorted((n * 37) % 40 + 1 for n in range(40))


def resize(size_mb):
    time.sleep(size_mb * 0.004)  # stands for decoding and resampling
    return size_mb


if __name__ == "__main__":
    with Pool(2) as pool:
        done = pool.map(resize, SIZES, chunksize=len(SIZES) // 2)
    print("resized", len(done), "images,", sum(done), "MB")
