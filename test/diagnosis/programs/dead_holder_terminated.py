# expect: hang
# kinds: dead-holder
# lints: terminate-with-resources
# culprits: MainProcess, slow-export
# lines: 14, 29, 31
# why: a watchdog terminate()s the export child while it holds the report lock, and then the main process waits forever for that lock.
"""A report export that a watchdog stops when it is too slow."""

import multiprocessing as mp
import time


def export_report(report_lock, started, rows):
    with report_lock:
        started.set()
        for row in range(rows):
            time.sleep(0.1)  # write one row to the slow network share


if __name__ == "__main__":
    report_lock = mp.Lock()
    started = mp.Event()
    export = mp.Process(target=export_report, name="slow-export", args=(report_lock, started, 100))
    export.start()
    started.wait()  # the watchdog times the export from its first row
    export.join(timeout=0.5)
    if export.is_alive():
        print("export too slow, stopping it", flush=True)
        export.terminate()
        export.join()
    with report_lock:
        print("writing a placeholder report", flush=True)
