# expect: hang
# kinds: get-starved, join-blocked
# lints:
# culprits: encoder, MainProcess
# lines: 14, 28
# why: the main process puts the frames and the end marker on the results queue instead of the jobs queue, so the encoder waits forever on its empty jobs queue while the main process joins it.
"""An encoder process reads frames from a jobs queue and answers on a results queue."""

import multiprocessing as mp


def encode(jobs, results):
    while True:
        frame = jobs.get()
        if frame is None:
            break
        results.put(frame.hex())


if __name__ == "__main__":
    jobs, results = mp.Queue(), mp.Queue()
    encoder = mp.Process(target=encode, name="encoder", args=(jobs, results))
    encoder.start()
    frames = [bytes([n, n + 1, n + 2]) for n in range(0, 30, 3)]
    for frame in frames:
        results.put(frame)
    results.put(None)
    encoder.join()
    print("encoded:", [results.get() for _ in frames])
