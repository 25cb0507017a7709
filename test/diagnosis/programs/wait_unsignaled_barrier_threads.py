# expect: hang
# kinds: wait-unsignaled
# lints:
# culprits: sim-0, sim-1, sim-2
# lines: 18
# why: the time-step Barrier has one party more than there are simulation threads (the main thread was meant to take part but only joins), so the three threads wait at it forever.
"""A particle simulation whose worker threads meet at a barrier after each step."""

import threading

N_WORKERS = 3
STEPS = 4


def simulate(worker_id, positions, step_done):
    for step in range(STEPS):
        positions[worker_id] += 0.5 * (worker_id + 1)
        step_done.wait()


if __name__ == "__main__":
    positions = [0.0] * N_WORKERS
    step_done = threading.Barrier(N_WORKERS + 1)
    threads = [threading.Thread(target=simulate, name=f"sim-{i}", args=(i, positions, step_done))
               for i in range(N_WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("final positions:", positions)
