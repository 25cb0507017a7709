# expect: hang
# kinds: wait-unsignaled, join-blocked
# lints:
# culprits: MainProcess, watcher_0
# lines: 14, 21
# why: a task on a ThreadPoolExecutor waits for a reload Event that nothing sets; the main code ends without shutting the executor down, and its threads are not daemons, so the process waits at exit for a task that never ends.
"""Watch a configuration for reloads on a thread pool."""

import threading
from concurrent.futures import ThreadPoolExecutor


def watch(reload_requested):
    reload_requested.wait()
    return "reloaded"


if __name__ == "__main__":
    reload_requested = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="watcher")
    pool.submit(watch, reload_requested)
    print("configuration loaded")
