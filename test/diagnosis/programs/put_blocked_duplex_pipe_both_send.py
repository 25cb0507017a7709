# expect: hang
# kinds: put-blocked
# lints:
# culprits: MainProcess, resizer
# lines: 13, 22
# why: the parent sends a 2 MB image over a duplex Pipe while the resizer child sends its 2 MB calibration table first, and each side reads only after its send() is done, so both block in send() on a full pipe.
"""A parent and an image-resizer child exchange large buffers over a duplex Pipe."""

import multiprocessing as mp


def resizer(conn):
    conn.send(bytes(2_000_000))  # calibration table for the parent
    image = conn.recv()
    conn.send(image[::4])


if __name__ == "__main__":
    parent_end, child_end = mp.Pipe()
    child = mp.Process(target=resizer, name="resizer", args=(child_end,))
    child.start()
    parent_end.send(bytes(range(256)) * 8_000)
    table = parent_end.recv()
    small = parent_end.recv()
    print(len(table), len(small))
    child.join()
