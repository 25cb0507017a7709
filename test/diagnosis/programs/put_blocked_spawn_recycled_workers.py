# expect: hang
# kinds: put-blocked
# lints:
# culprits: MainProcess
# lines: 31
# why: both spawned workers retire after three jobs each (meant to be restarted, but nobody restarts them), so the main process fills the bounded job queue and waits forever in put().
"""Spawned workers that retire after a few jobs, fed through a bounded queue."""

import multiprocessing as mp

MAX_JOBS_PER_WORKER = 3


def work(jobs, done):
    for _ in range(MAX_JOBS_PER_WORKER):
        job = jobs.get()
        if job is None:
            return
        done.put(job * job)
    print("worker retiring after", MAX_JOBS_PER_WORKER, "jobs", flush=True)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    jobs = ctx.Queue(maxsize=4)
    done = ctx.Queue()
    workers = [ctx.Process(target=work, name=f"worker-{i}", args=(jobs, done)) for i in (1, 2)]
    for w in workers:
        w.start()
    for job in range(30):
        jobs.put(job)
    for _ in workers:
        jobs.put(None)
    print("squares:", sorted(done.get() for _ in range(30)))
    for w in workers:
        w.join()
