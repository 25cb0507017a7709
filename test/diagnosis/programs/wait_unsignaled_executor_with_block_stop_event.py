# expect: hang
# kinds: wait-unsignaled
# lints:
# culprits: poller_0, poller_1, MainThread
# lines: 15, 22
# why: the pollers run until a stop Event is set, but the main thread sets it only after the `with ThreadPoolExecutor` block, whose exit waits in shutdown() for those same pollers to finish.
"""Status pollers on a thread pool, stopped through an Event when the main work is done."""

import threading
from concurrent.futures import ThreadPoolExecutor


def poll(service, stop, seen):
    seen.append(service)
    stop.wait()
    return f"{service}: stopped"


if __name__ == "__main__":
    stop = threading.Event()
    seen = []
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="poller") as pool:
        futures = [pool.submit(poll, service, stop, seen) for service in ("db", "cache")]
        print("main work done")
    stop.set()
    print([f.result() for f in futures])
