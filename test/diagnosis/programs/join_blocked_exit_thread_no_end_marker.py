# expect: hang
# kinds: get-starved, join-blocked
# lints:
# culprits: MainProcess, log-writer
# lines: 17, 24
# why: the log-writer thread is not a daemon and loops on get() waiting for lines, but the main code returns without sending it an end marker, so the interpreter waits at exit for a thread that never ends.
"""A background thread writes log lines that the main code hands it through a queue.Queue."""

import queue
import threading

written = []


def write_logs(lines):
    while True:
        line = lines.get()
        written.append(line.upper())


if __name__ == "__main__":
    lines = queue.Queue()
    writer = threading.Thread(target=write_logs, args=(lines,), name="log-writer")
    writer.start()
    for n in range(5):
        lines.put(f"request {n} served")
    print("served 5 requests")
