# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: the main process polls join(timeout=1) while the backup child runs for five seconds; the child finishes and the poll loop ends.
"""Waiting for a child with a timeout loop and progress messages."""

import multiprocessing as mp
import time


def backup():
    time.sleep(5)


if __name__ == "__main__":
    p = mp.Process(target=backup, name="backup")
    p.start()
    waited = 0
    while p.is_alive():
        p.join(timeout=1)
        waited += 1
        print(f"still backing up after {waited} s", flush=True)
    print("backup exit code:", p.exitcode)
