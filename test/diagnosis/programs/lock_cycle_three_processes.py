# expect: hang
# kinds: lock-cycle
# lints:
# culprits: philosopher-0, philosopher-1, philosopher-2
# lines: 16, 19
# why: three processes each take their left fork lock and then wait for their right one, which the next process holds, closing a three-way cycle.
"""Dining philosophers with three processes and three multiprocessing locks."""

import multiprocessing as mp


def dine(seat, forks, seated):
    left = forks[seat]
    right = forks[(seat + 1) % len(forks)]
    for meal in range(3):
        left.acquire()
        if meal == 0:
            seated.wait()  # everyone picks up a fork before the first meal
        right.acquire()
        print(f"philosopher {seat} eats meal {meal}", flush=True)
        right.release()
        left.release()


if __name__ == "__main__":
    forks = [mp.Lock() for _ in range(3)]
    seated = mp.Barrier(3)
    table = [mp.Process(target=dine, name=f"philosopher-{seat}", args=(seat, forks, seated))
             for seat in range(3)]
    for p in table:
        p.start()
    for p in table:
        p.join()
    print("dinner is over")
