# expect: hang
# kinds: dead-holder
# lints: terminate-with-resources
# culprits: MainProcess, slow-export
# lines: 14, 26, 28
# why: a watchdog terminate()s the export child while it holds the report lock, and then the main process waits forever for that lock.
"""A report export that a watchdog stops when it is too slow."""

import multiprocessing as mp
import time


def export_report(report_lock, rows):
    with report_lock:
        for row in range(rows):
            time.sleep(0.1)  # write one row to the slow network share


if __name__ == "__main__":
    report_lock = mp.Lock()
    export = mp.Process(target=export_report, name="slow-export", args=(report_lock, 100))
    export.start()
    export.join(timeout=0.5)
    if export.is_alive():
        print("export too slow, stopping it", flush=True)
        export.terminate()
        export.join()
    with report_lock:
        print("writing a placeholder report", flush=True)
