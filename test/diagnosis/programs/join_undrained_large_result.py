# expect: hang
# kinds: join-undrained-queue
# lints:
# culprits: MainProcess, renderer
# lines: 17, 25
# why: the renderer puts a 4 MB frame on a multiprocessing.Queue and the main process joins it before getting the frame, so the child cannot flush the queue's pipe and never exits.
"""Render one frame in a child process and hand the pixels back through a Queue."""

import multiprocessing as mp

WIDTH, HEIGHT = 1280, 1024


def render(frames, width, height):
    row = bytes((x * 255 // width) for x in range(width)) * 3
    pixels = row * height
    frames.put(("frame-0", pixels))
    print("renderer: frame queued", flush=True)


if __name__ == "__main__":
    frames = mp.Queue()
    p = mp.Process(target=render, name="renderer", args=(frames, WIDTH, HEIGHT))
    p.start()
    p.join()
    name, pixels = frames.get()
    print(name, len(pixels), "bytes")
