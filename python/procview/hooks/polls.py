"""Busy polling: ``empty()``, ``qsize()`` and ``full()`` called over and over.

A loop that spins on ``q.empty()`` instead of blocking in ``get()`` burns a core;
each call is cheap and proves nothing, their number from one line does. Calls
are counted per queue and per line of the user's code, and the count so far is
sent (``queue.poll``) at the 1st, 10th, 100th and 1000th call from that line and
every 1000th after: a handful of events however long the loop spins.
"""

from .. import recorder


def count_poll(polls, queue_id, op, loc):
    """One more ``op`` call on the queue from ``loc``; ``polls`` is the queue's own ``{loc: count}``."""
    count = polls.get(loc, 0) + 1
    polls[loc] = count
    if count % 1000 == 0 or count == 1 or count == 10 or count == 100:
        recorder.emit("queue.poll", (queue_id, op, loc, count))
