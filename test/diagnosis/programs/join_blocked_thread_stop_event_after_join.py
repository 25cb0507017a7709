# expect: hang
# kinds: wait-unsignaled, join-blocked
# lints:
# culprits: MainThread, heartbeat
# lines: 14, 25
# why: the heartbeat thread waits on the stop Event, and the main thread joins it before it sets that Event, so the main thread waits for a thread that waits for the main thread.
"""A heartbeat thread that runs until the application shuts down."""

import threading


def heartbeat(stop, beats):
    beats.append("started")
    stop.wait()
    beats.append("stopped")


if __name__ == "__main__":
    stop = threading.Event()
    beats = []
    hb = threading.Thread(target=heartbeat, name="heartbeat", args=(stop, beats))
    hb.start()
    total = sum(i * i for i in range(10_000))
    print("work done:", total)
    hb.join()
    stop.set()
    print(beats)
