# expect: hang
# kinds: join-undrained-queue
# lints:
# culprits: MainProcess, summarizer
# lines: 16, 24
# why: the spawned summarizer puts a dictionary holding a quarter of a million floats on a Queue, and the main process joins it before reading the dictionary, so the child hangs at exit flushing the queue.
"""Summarise a long time series in a spawned process."""

import math
import multiprocessing as mp


def summarize(n_samples, out):
    series = [math.sin(i / 100.0) for i in range(n_samples)]
    smoothed = [(a + b) / 2 for a, b in zip(series, series[1:])]
    out.put({"count": len(series), "mean": sum(series) / len(series), "smoothed": smoothed})


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    p = ctx.Process(target=summarize, name="summarizer", args=(250_000, out))
    p.start()
    p.join()
    summary = out.get()
    print(summary["count"], round(summary["mean"], 4))
