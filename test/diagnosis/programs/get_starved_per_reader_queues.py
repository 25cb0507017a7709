# expect: hang
# kinds: get-starved
# lints:
# culprits: reader-3
# lines: 17
# why: work and end markers are sent per chunk with zip(), and there are only two chunks for three readers, so reader-3 never gets anything, not even its None, and waits forever on its own empty queue.
"""Readers fed through their own queues, one chunk of items per reader."""

import multiprocessing as mp

CHUNK = 50


def read_worker(inbox, results):
    handled = 0
    while True:
        item = inbox.get()
        if item is None:
            break
        handled += 1
    results.put(handled)


if __name__ == "__main__":
    items = list(range(80))
    inboxes = [mp.Queue() for _ in range(3)]
    results = mp.Queue()
    readers = [mp.Process(target=read_worker, name=f"reader-{i + 1}", args=(inbox, results))
               for i, inbox in enumerate(inboxes)]
    for r in readers:
        r.start()
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    for inbox, chunk in zip(inboxes, chunks):
        for item in chunk:
            inbox.put(item)
        inbox.put(None)
    for r in readers:
        r.join()
    print("handled", sum(results.get() for _ in readers))
