# expect: error
# kinds: syntax-error
# lints:
# culprits:
# lines: 12
# why: the def line of the worker function has no colon, so Python cannot even compile the script.
"""A worker that squares numbers from a queue (does not compile)."""

import multiprocessing as mp


def square_worker(inbox, outbox)
    while True:
        n = inbox.get()
        if n is None:
            break
        outbox.put(n * n)


if __name__ == "__main__":
    inbox, outbox = mp.Queue(), mp.Queue()
    p = mp.Process(target=square_worker, name="squarer", args=(inbox, outbox))
    p.start()
    for n in range(5):
        inbox.put(n)
    inbox.put(None)
    print([outbox.get() for _ in range(5)])
    p.join()
