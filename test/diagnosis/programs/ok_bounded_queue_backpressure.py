# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: the producer blocks in put() on a full bounded queue for four seconds while the consumer warms up, but the consumer is alive and then drains everything.
"""Back-pressure from a bounded Queue while a slow consumer starts up."""

import multiprocessing as mp
import time


def consume(jobs, done):
    time.sleep(4)  # load the model
    count = 0
    while jobs.get() is not None:
        count += 1
    done.put(count)


if __name__ == "__main__":
    jobs, done = mp.Queue(maxsize=3), mp.Queue()
    consumer = mp.Process(target=consume, name="consumer", args=(jobs, done))
    consumer.start()
    for n in range(20):
        jobs.put(n)
    jobs.put(None)
    print("consumed", done.get())
    consumer.join()
