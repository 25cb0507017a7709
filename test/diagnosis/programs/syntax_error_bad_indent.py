# expect: error
# kinds: syntax-error
# lints:
# culprits:
# lines: 18
# why: one line inside the consumer loop is indented less than the block it belongs to (IndentationError, a kind of SyntaxError).
"""A consumer thread draining a queue.Queue (does not compile)."""

import queue
import threading


def consume(q, seen):
    while True:
        item = q.get()
        if item is None:
            break
      seen.append(item)


if __name__ == "__main__":
    q = queue.Queue()
    seen = []
    t = threading.Thread(target=consume, name="consumer", args=(q, seen))
    t.start()
    for i in range(3):
        q.put(i)
    q.put(None)
    t.join()
    print(seen)
