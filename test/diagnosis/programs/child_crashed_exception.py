# expect: error
# kinds: child-crashed
# lints:
# culprits: parser
# lines: 17
# why: the parser child raises ValueError on a malformed date and dies with exit code 1, and the main process joins it without ever looking at its exit code.
"""Parse log timestamps in a child process."""

import multiprocessing as mp
from datetime import datetime

LINES = ["2024-03-01 12:00:01 start", "2024-03-01 12:00:07 ready", "2024-13-01 12:01:00 stop"]


def parse(lines):
    for line in lines:
        stamp = datetime.strptime(line[:19], "%Y-%m-%d %H:%M:%S")
        print(stamp.isoformat(), line[20:], flush=True)


if __name__ == "__main__":
    p = mp.Process(target=parse, name="parser", args=(LINES,))
    p.start()
    p.join()
    print("parsing finished")
