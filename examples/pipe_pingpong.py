"""Two processes playing ping-pong over a multiprocessing.Pipe().

What it demonstrates:

* a duplex ``Pipe()``: the main process keeps one end, a child process gets
  the other;
* ``send()`` / ``recv()`` in strict turns: every "ping" waits for its "pong";
* ``None`` sent as the end marker, after which the child returns its own tally
  over the same pipe and exits.

    python3 examples/pipe_pingpong.py [--rounds 50]
"""

import argparse
import multiprocessing as mp


def ponger(conn):
    """Answer every ("ping", n) with ("pong", n * n) until ``None``."""
    answered = 0
    while True:
        message = conn.recv()
        if message is None:
            break
        kind, n = message
        assert kind == "ping", message
        conn.send(("pong", n * n))
        answered += 1
    conn.send(("bye", answered))
    conn.close()


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--start-method", choices=mp.get_all_start_methods(),
                        help="multiprocessing start method (default: the platform's)")
    args = parser.parse_args()
    if args.start_method:
        mp.set_start_method(args.start_method)

    here, there = mp.Pipe()  # duplex by default
    child = mp.Process(target=ponger, args=(there,), name="ponger")
    child.start()
    there.close()  # the child holds its own copy of this end

    total = 0
    for n in range(args.rounds):
        here.send(("ping", n))
        kind, value = here.recv()
        if n < 3:
            print(f"ping {n} -> {kind} {value}")
        total += value
    here.send(None)
    kind, answered = here.recv()
    here.close()
    child.join()

    expected = sum(n * n for n in range(args.rounds))
    ok = (kind == "bye" and answered == args.rounds and total == expected
          and child.exitcode == 0)
    print(f"{answered} round trips, sum of pongs {total} (expected {expected}): "
          f"{'OK' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
