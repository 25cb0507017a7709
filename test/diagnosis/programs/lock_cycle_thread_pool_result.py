# expect: hang
# kinds: lock-cycle
# lints:
# culprits: MainThread, ledger_0
# lines: 17, 24, 25
# why: the main thread holds the ledger lock while it waits for the result of a task on a thread pool, and the task needs that same lock, so each waits for the other.
"""Post an entry to a ledger on a thread pool while holding the ledger's lock."""

import threading
from concurrent.futures import ThreadPoolExecutor

ledger_lock = threading.Lock()
ledger = []


def post(entry):
    with ledger_lock:
        ledger.append(entry)
        return len(ledger)


if __name__ == "__main__":
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="ledger") as pool:
        with ledger_lock:  # "keep the ledger consistent while we post"
            position = pool.submit(post, "rent").result()
    print("posted at", position)
