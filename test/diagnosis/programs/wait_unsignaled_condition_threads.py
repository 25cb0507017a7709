# expect: hang
# kinds: wait-unsignaled
# lints:
# culprits: reporter
# lines: 26
# why: the reporter thread waits on a Condition until five results are in, but the collector thread drops an invalid result, stores only four and exits, so nobody will ever notify again.
"""A collector thread hands results to a reporter thread under a threading.Condition."""

import threading

RAW = ["12", "7", "oops", "30", "5"]


def collect(raw, results, cond):
    for text in raw:
        if not text.isdigit():
            print(f"dropping invalid value {text!r}")
            continue
        with cond:
            results.append(int(text))
            cond.notify_all()


def report(results, cond, expected):
    with cond:
        cond.wait_for(lambda: len(results) >= expected)
        print("sum of results:", sum(results))


if __name__ == "__main__":
    cond = threading.Condition()
    results = []
    reporter = threading.Thread(target=report, name="reporter", args=(results, cond, len(RAW)))
    collector = threading.Thread(target=collect, name="collector", args=(RAW, results, cond))
    reporter.start()
    collector.start()
    collector.join()
    reporter.join()
