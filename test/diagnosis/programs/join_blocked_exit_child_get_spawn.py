# expect: hang
# kinds: get-starved, join-blocked
# lints: process-never-joined
# culprits: MainProcess, resizer
# lines: 14, 25
# why: the spawned resizer expects one more job than the main process sends and has no end marker; the main code collects its three results and ends without joining it, so multiprocessing's exit handler waits for that child forever.
"""Resize images in a spawned process fed through a queue."""

import multiprocessing as mp


def resize(jobs, done, expected):
    for _ in range(expected):
        name = jobs.get()
        done.put("resized " + name)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    jobs = ctx.Queue()
    done = ctx.Queue()
    names = ["a.png", "b.png", "c.png"]
    # Off by one: the resizer is told to expect a thumbnail job that is never sent.
    resizer = ctx.Process(target=resize, args=(jobs, done, len(names) + 1), name="resizer")
    resizer.start()
    for name in names:
        jobs.put(name)
    for _ in names:
        print(done.get())
