# expect: ok
# kinds:
# lints: process-never-joined
# culprits: archiver
# lines: 21
# why: the archiver process is never joined, so multiprocessing's exit handler waits for it at exit; it is busy for about three seconds and then ends by itself, so the program is slow to exit, not hung.
"""Archive old logs in a child process and let the program end."""

import multiprocessing as mp
import time


def archive(names):
    for name in names:
        time.sleep(1)  # compressing
        print("archived", name)


if __name__ == "__main__":
    archiver = mp.Process(target=archive, args=(["mon.log", "tue.log", "wed.log"],), name="archiver")
    archiver.start()
    print("main code done")
