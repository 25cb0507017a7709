# expect: error
# kinds: task-error-unretrieved
# lints:
# culprits:
# lines: 17, 22
# why: a ProcessPoolExecutor task raises KeyError for an unknown currency; the main process waits for the futures and counts them as done, but never calls result() or exception(), so the error is silent.
"""Currency conversion on a spawn-based ProcessPoolExecutor."""

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor, wait

RATES = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17}
PAYMENTS = [(120, "USD"), (80, "GBP"), (45, "CHF"), (300, "EUR")]


def to_euro(amount, currency):
    return round(amount * RATES[currency], 2)


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("spawn")) as pool:
        futures = [pool.submit(to_euro, amount, cur) for amount, cur in PAYMENTS]
        finished, _ = wait(futures)
    print(f"{len(finished)} of {len(PAYMENTS)} conversions done")
