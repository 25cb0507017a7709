# expect: hang
# kinds: get-starved
# lints:
# culprits: MainProcess
# lines: 35
# why: the main process expects one result per job, but a meter process returns without posting anything for a job with no samples, so after all meters exit the main process waits forever on an empty results queue.
"""Average sensor samples in spawned processes, one process per sensor."""

import multiprocessing as mp

JOBS = [
    ("boiler", [71.5, 72.0, 71.8]),
    ("attic", []),
    ("garage", [12.1, 11.9]),
]


def measure(job, results):
    name, samples = job
    if not samples:
        print(f"{name}: no samples", flush=True)
        return
    results.put((name, sum(samples) / len(samples)))


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    meters = [ctx.Process(target=measure, name=f"meter-{job[0]}", args=(job, results))
              for job in JOBS]
    for m in meters:
        m.start()
    averages = {}
    for _ in JOBS:
        name, average = results.get()
        averages[name] = average
    for m in meters:
        m.join()
    print(averages)
