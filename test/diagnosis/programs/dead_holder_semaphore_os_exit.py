# expect: hang
# kinds: dead-holder
# lints:
# culprits: gpu-job-3, gpu-job-1, gpu-job-2
# lines: 14
# why: gpu-job-1 and gpu-job-2 each take one of the two slots of a multiprocessing.Semaphore and leave with os._exit() without releasing it, so gpu-job-3 waits forever for a slot.
"""GPU jobs limited to two at a time by a semaphore; a lost device ends a job abruptly."""

import multiprocessing as mp
import os


def run_job(slots, job_id, device_ok):
    slots.acquire()
    print(f"job {job_id} got a device slot", flush=True)
    if not device_ok:
        print(f"job {job_id}: device lost, aborting", flush=True)
        os._exit(2)
    print(f"job {job_id} done", flush=True)
    slots.release()


if __name__ == "__main__":
    slots = mp.Semaphore(2)
    first_batch = [mp.Process(target=run_job, name=f"gpu-job-{i}", args=(slots, i, False))
                   for i in (1, 2)]
    for p in first_batch:
        p.start()
    for p in first_batch:
        p.join()
    print("first batch exit codes:", [p.exitcode for p in first_batch], flush=True)
    third = mp.Process(target=run_job, name="gpu-job-3", args=(slots, 3, True))
    third.start()
    third.join()
    print("all jobs finished")
