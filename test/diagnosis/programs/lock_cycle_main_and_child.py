# expect: hang
# kinds: lock-cycle
# lints:
# culprits: MainProcess, log-rotator
# lines: 13, 16, 27, 31
# why: the main process holds the config lock and wants the log lock while the log-rotator child holds the log lock and wants the config lock.
"""A service whose main process and log rotator share a config lock and a log lock."""

import multiprocessing as mp


def rotate_logs(config_lock, log_lock, both_busy):
    with log_lock:
        both_busy.wait()
        # read the retention setting before deleting old files
        with config_lock:
            print("rotating with retention 7 days", flush=True)


if __name__ == "__main__":
    config_lock = mp.Lock()
    log_lock = mp.Lock()
    both_busy = mp.Barrier(2)
    rotator = mp.Process(target=rotate_logs, name="log-rotator",
                         args=(config_lock, log_lock, both_busy))
    rotator.start()
    with config_lock:
        print("reloading configuration", flush=True)
        both_busy.wait()
        # write the reload into the log
        with log_lock:
            print("configuration reloaded", flush=True)
    rotator.join()
