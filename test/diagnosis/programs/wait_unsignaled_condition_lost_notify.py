# expect: hang
# kinds: wait-unsignaled
# lints:
# culprits: printer
# lines: 22
# why: the spooler notifies the Condition before the printer thread has started waiting on it, and the printer calls wait() without checking whether a job is already there, so the one notification is lost and the printer waits forever.
"""A spooler thread hands print jobs to a printer thread through a Condition."""

import threading
import time


def spool(jobs, cond):
    with cond:
        jobs.append("report.pdf")
        cond.notify()


def print_jobs(jobs, cond):
    time.sleep(0.2)  # warm up the printer
    with cond:
        cond.wait()
        while jobs:
            print("printing", jobs.pop(0))


if __name__ == "__main__":
    cond = threading.Condition()
    jobs = []
    printer = threading.Thread(target=print_jobs, name="printer", args=(jobs, cond))
    spooler = threading.Thread(target=spool, name="spooler", args=(jobs, cond))
    spooler.start()
    spooler.join()  # the job is spooled before the printer is switched on
    printer.start()
    printer.join()
