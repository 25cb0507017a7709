# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: the server thread waits on an Event that the warmup thread sets after five seconds; the setter is alive the whole time.
"""A server thread that waits for a slow warmup thread."""

import threading
import time


def warm_up(ready):
    time.sleep(5)  # fill caches
    ready.set()


def serve(ready, log):
    ready.wait()
    log.append("serving")


if __name__ == "__main__":
    ready = threading.Event()
    log = []
    threads = [threading.Thread(target=serve, name="server", args=(ready, log)),
               threading.Thread(target=warm_up, name="warmup", args=(ready,))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(log)
