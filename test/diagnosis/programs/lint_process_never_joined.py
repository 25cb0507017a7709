# expect: ok
# kinds:
# lints: process-never-joined
# culprits: metrics-flusher
# lines: 22
# why: the metrics-flusher process is started and never joined (the program only ends cleanly because multiprocessing joins leftover children at exit).
"""Flush metrics in a background process and forget about it."""

import multiprocessing as mp
import time


def flush_metrics(metrics):
    time.sleep(0.3)  # wait for the metrics endpoint
    for key, value in metrics.items():
        print(f"metric {key}={value}", flush=True)


if __name__ == "__main__":
    metrics = {"requests": 1234, "errors": 7, "p99_ms": 180}
    flusher = mp.Process(target=flush_metrics, name="metrics-flusher", args=(metrics,))
    flusher.start()
    print("request handling finished")
