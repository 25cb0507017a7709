"""Producers and consumers sharing ONE multiprocessing.Queue.

What it demonstrates:

* several producer processes put work items on one shared ``Queue``;
* several consumer processes take items from that same queue with a blocking
  ``get()`` (no polling of ``empty()``);
* after the producers are joined, the main process puts exactly ONE ``None``
  end marker per consumer, so every consumer stops;
* each consumer reports its tally on a second queue, which the main process
  reads BEFORE joining the consumers (joining first could hang: a process does
  not exit while data it put is still waiting in its queue's buffer).

Which consumer gets which item varies from run to run; the totals printed do not.

    python3 examples/producer_consumer.py [--producers 2] [--consumers 3] [--per-producer 200]
"""

import argparse
import multiprocessing as mp


def produce(producer_no, jobs, count):
    """Put ``count`` jobs, each a (producer, sequence, payload) tuple."""
    for seq in range(count):
        jobs.put((producer_no, seq, producer_no * 1000 + seq))


def consume(consumer_no, jobs, tallies):
    """Handle jobs until the end marker, then report (consumer, count, total)."""
    count = total = 0
    while True:
        job = jobs.get()
        if job is None:  # this consumer's end marker
            break
        _producer, _seq, payload = job
        total += payload * payload % 97
        count += 1
    tallies.put((consumer_no, count, total))


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--producers", type=int, default=2)
    parser.add_argument("--consumers", type=int, default=3)
    parser.add_argument("--per-producer", type=int, default=200, help="jobs each producer puts")
    parser.add_argument("--verbose", action="store_true",
                        help="also print each consumer's share (varies between runs)")
    parser.add_argument("--start-method", choices=mp.get_all_start_methods(),
                        help="multiprocessing start method (default: the platform's)")
    args = parser.parse_args()
    if args.start_method:
        mp.set_start_method(args.start_method)

    jobs = mp.Queue()
    tallies = mp.Queue()
    producers = [mp.Process(target=produce, args=(n, jobs, args.per_producer), name=f"producer-{n}")
                 for n in range(args.producers)]
    consumers = [mp.Process(target=consume, args=(n, jobs, tallies), name=f"consumer-{n}")
                 for n in range(args.consumers)]
    for proc in producers + consumers:
        proc.start()

    for proc in producers:
        proc.join()
    for _ in consumers:
        jobs.put(None)  # one end marker per consumer

    reports = sorted(tallies.get() for _ in consumers)  # drain before joining
    for proc in consumers:
        proc.join()

    if args.verbose:
        for consumer_no, count, total in reports:
            print(f"consumer-{consumer_no}: {count} jobs")
    expected_total = sum((p * 1000 + s) ** 2 % 97
                         for p in range(args.producers) for s in range(args.per_producer))
    jobs_done = sum(r[1] for r in reports)
    total = sum(r[2] for r in reports)
    ok = (jobs_done == args.producers * args.per_producer and total == expected_total
          and all(p.exitcode == 0 for p in producers + consumers))
    print(f"{args.producers} producers, {args.consumers} consumers: "
          f"{jobs_done} jobs consumed, total {total} (expected {expected_total}): "
          f"{'OK' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
