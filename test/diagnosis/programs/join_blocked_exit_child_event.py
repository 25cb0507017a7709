# expect: hang
# kinds: wait-unsignaled, join-blocked
# lints: process-never-joined
# culprits: MainProcess, heartbeat
# lines: 13, 20
# why: the heartbeat process waits for a stop Event that the main process never sets, and it is not a daemon, so multiprocessing's exit handler waits at exit for a child that never ends.
"""A heartbeat process beats until it is told to stop."""

import multiprocessing as mp


def beat(stop):
    while not stop.wait():
        print("beat")


if __name__ == "__main__":
    stop = mp.Event()
    heartbeat = mp.Process(target=beat, args=(stop,), name="heartbeat")
    heartbeat.start()
    print("main work done")
