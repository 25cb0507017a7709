# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: the main process waits in JoinableQueue.join() for four seconds while two daemon workers convert slow files, but every get() is matched by a task_done(), so the join ends and the program finishes.
"""Daemon converter workers fed through a JoinableQueue; the main process waits for the queue to be processed."""

import multiprocessing as mp
import time


def convert(jobs, results):
    while True:
        name, seconds = jobs.get()
        try:
            time.sleep(seconds)  # an external converter doing the work
            results.put(name.replace(".wav", ".mp3"))
        finally:
            jobs.task_done()


if __name__ == "__main__":
    jobs = mp.JoinableQueue()
    results = mp.Queue()
    workers = [mp.Process(target=convert, name=f"converter-{i}", args=(jobs, results), daemon=True)
               for i in (1, 2)]
    for w in workers:
        w.start()
    files = [("intro.wav", 2.0), ("talk.wav", 2.0), ("outro.wav", 2.0), ("jingle.wav", 1.5)]
    for job in files:
        jobs.put(job)
    jobs.join()
    print("converted:", sorted(results.get() for _ in files))
