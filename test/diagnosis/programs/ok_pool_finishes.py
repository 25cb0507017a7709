# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: four tasks of 2.5 seconds each on a Pool of two take five seconds in all; the main process waits in map() the whole time and then gets every result.
"""A Pool whose tasks are slow but all finish."""

import time
from multiprocessing import Pool


def convert(video):
    time.sleep(2.5)  # transcoding
    return video.replace(".mov", ".mp4")


if __name__ == "__main__":
    with Pool(2) as pool:
        converted = pool.map(convert, ["a.mov", "b.mov", "c.mov", "d.mov"])
    print(converted)
