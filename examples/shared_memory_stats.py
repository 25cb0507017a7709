"""Workers fill slices of one shared_memory buffer; the main process reads the totals.

What it demonstrates:

* a ``shared_memory.SharedMemory`` segment created by the main process and
  used as an array of doubles without numpy: ``buf.cast("d")`` turns its
  bytes into a memoryview of floats;
* worker processes attaching to the segment by its name
  (``SharedMemory(name=...)``), each writing only its own slice, so no lock
  is needed for the data itself;
* releasing every view of the buffer before ``close()`` (a segment whose
  buffer is still exported cannot be closed), and ``unlink()`` exactly once,
  by the creator, when everyone is done;
* a ``ShareableList`` holding one small per-worker result (the sum of its
  slice), written by each worker at its own index;
* a ``Value`` counting finished workers, incremented under
  ``with done.get_lock():``, since ``+=`` is a read then a write.

The main process checks the grand total computed from the buffer against the
sum of the workers' partial sums and against a plain Python computation.

    python3 examples/shared_memory_stats.py [--workers 4] [--items 200000]
"""

import argparse
import multiprocessing as mp
from multiprocessing import shared_memory


def sample(i):
    """The value at index ``i``: cheap, deterministic, not all equal."""
    return (i % 97) * 0.5 + (i % 7)


def fill(segment_name, start, stop, index, partials, done):
    """Write samples into [start, stop) of the shared buffer, report the slice's sum."""
    shm = shared_memory.SharedMemory(name=segment_name)  # attach by name
    data = shm.buf.cast("d")
    try:
        subtotal = 0.0
        for i in range(start, stop):
            value = sample(i)
            data[i] = value
            subtotal += value
    finally:
        data.release()  # no view may outlive close()
        shm.close()  # this process's mapping; the segment itself stays
    partials[index] = subtotal  # each worker writes its own slot
    with done.get_lock():
        done.value += 1


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--items", type=int, default=200_000, help="doubles in the shared buffer")
    parser.add_argument("--start-method", choices=mp.get_all_start_methods(),
                        help="multiprocessing start method (default: the platform's)")
    args = parser.parse_args()
    if args.start_method:
        mp.set_start_method(args.start_method)

    itemsize = 8  # a C double
    shm = shared_memory.SharedMemory(create=True, size=args.items * itemsize)
    partials = shared_memory.ShareableList([0.0] * args.workers)
    done = mp.Value("i", 0)
    try:
        step = -(-args.items // args.workers)  # ceiling division: every item has an owner
        workers = [
            mp.Process(target=fill, name=f"filler-{n}",
                       args=(shm.name, n * step, min((n + 1) * step, args.items), n, partials, done))
            for n in range(args.workers)
        ]
        for proc in workers:
            proc.start()
        for proc in workers:
            proc.join()

        data = shm.buf.cast("d")
        try:
            total = sum(data)
            low, high = min(data), max(data)
        finally:
            data.release()
        from_workers = sum(partials)
        expected = sum(sample(i) for i in range(args.items))
    finally:
        partials.shm.close()
        partials.shm.unlink()
        shm.close()
        shm.unlink()  # once, by the creator: the segment is gone for everyone

    ok = (done.value == args.workers and all(p.exitcode == 0 for p in workers)
          and abs(total - expected) < 1e-6 * max(1.0, expected)
          and abs(from_workers - expected) < 1e-6 * max(1.0, expected))
    print(f"{done.value} of {args.workers} workers filled {args.items} doubles "
          f"({args.items * itemsize} bytes of shared memory)")
    print(f"mean {total / args.items:.4f}, min {low:.1f}, max {high:.1f}")
    print(f"total {total:.1f} (workers say {from_workers:.1f}, expected {expected:.1f}): "
          f"{'OK' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
