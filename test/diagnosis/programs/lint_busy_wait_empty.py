# expect: ok
# kinds:
# lints: busy-wait-empty
# culprits: poller
# lines: 23
# why: the poller process spins on q.empty() instead of blocking in get(), burning a core while the sensor produces readings slowly; the program still finishes.
"""A poller process that busy-waits on an empty queue for sensor readings."""

import multiprocessing as mp
import time


def sense(readings, n):
    for i in range(n):
        time.sleep(0.05)
        readings.put(20.0 + (i % 7) * 0.1)
    readings.put(None)


def poll(readings):
    total, count = 0.0, 0
    while True:
        if readings.empty():
            continue
        value = readings.get()
        if value is None:
            break
        total += value
        count += 1
    print(f"average of {count} readings: {total / count:.2f}", flush=True)


if __name__ == "__main__":
    readings = mp.Queue()
    sensor = mp.Process(target=sense, name="sensor", args=(readings, 20))
    poller = mp.Process(target=poll, name="poller", args=(readings,))
    sensor.start()
    poller.start()
    sensor.join()
    poller.join()
