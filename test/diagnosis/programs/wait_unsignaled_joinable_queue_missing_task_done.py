# expect: hang
# kinds: wait-unsignaled
# lints:
# culprits: MainProcess
# lines: 31
# why: the thumbnail workers skip files that are not JPEGs with `continue` before calling task_done(), so the JoinableQueue counts one unfinished task forever and the main process waits in join() while both workers sit idle in get().
"""Thumbnail workers fed through a JoinableQueue; the main process waits until every file is handled."""

import multiprocessing as mp


def make_thumbnails(jobs, made):
    while True:
        path = jobs.get()
        if not path.endswith(".jpg"):
            print(f"skipping {path}", flush=True)
            continue
        made.put(path[:-4] + "_thumb.jpg")
        jobs.task_done()


if __name__ == "__main__":
    jobs = mp.JoinableQueue()
    made = mp.Queue()
    workers = [mp.Process(target=make_thumbnails, name=f"thumb-{i}", args=(jobs, made), daemon=True)
               for i in (1, 2)]
    for w in workers:
        w.start()
    for path in ["beach.jpg", "notes.txt", "dog.jpg", "sunset.jpg"]:
        jobs.put(path)
    jobs.join()
    print("thumbnails:", sorted(made.get() for _ in range(3)))
