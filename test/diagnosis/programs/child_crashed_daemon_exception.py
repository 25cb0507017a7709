# expect: error
# kinds: child-crashed
# lints:
# culprits: thumbnailer
# lines: 20
# why: the thumbnailer daemon raises ValueError on an image whose size is not WIDTHxHEIGHT and dies with exit code 1; the main process stops waiting for thumbnails after a timeout, and the indexer daemon, still running at exit, is ended by multiprocessing as daemons are (that is no crash).
"""Make thumbnails in a daemon process while another daemon keeps a folder index fresh."""

import multiprocessing as mp
import os
import queue
import time

IMAGES = ["cat.png:640x480", "dog.png:800x600", "logo.svg:vector", "sun.png:1024x768"]


def make_thumbnails(images, thumbs):
    for image in images:
        name, size = image.split(":")
        width, height = (int(v) for v in size.split("x"))
        thumbs.put(f"{name} {width // 8}x{height // 8}")


def keep_index_fresh(folder):
    while True:
        os.listdir(folder)
        time.sleep(0.2)


if __name__ == "__main__":
    thumbs = mp.Queue()
    mp.Process(target=keep_index_fresh, name="indexer", args=(".",), daemon=True).start()
    mp.Process(target=make_thumbnails, name="thumbnailer", args=(IMAGES, thumbs), daemon=True).start()
    made = []
    try:
        for _ in IMAGES:
            made.append(thumbs.get(timeout=2))
    except queue.Empty:
        pass
    print("thumbnails:", made)
