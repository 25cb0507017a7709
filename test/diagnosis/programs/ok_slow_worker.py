# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: the reporter sleeps six seconds before it answers; the main process waits in get() all that time, but the reporter is alive and does answer, so this is slow, not hung.
"""A slow report generator: the main process waits for its answer on a Queue."""

import multiprocessing as mp
import time


def build_report(out):
    time.sleep(6)  # a slow database query
    out.put({"rows": 4821, "status": "complete"})


if __name__ == "__main__":
    out = mp.Queue()
    reporter = mp.Process(target=build_report, name="reporter", args=(out,))
    reporter.start()
    print("report:", out.get())
    reporter.join()
