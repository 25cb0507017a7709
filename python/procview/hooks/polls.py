"""Busy polling: ``empty()``, ``qsize()`` and ``full()`` called over and over.

A loop that spins on ``q.empty()`` instead of blocking in ``get()`` burns a core;
each call is cheap and proves nothing, their number from one line does. Calls
are counted per queue and per line of the user's code, and the count so far is
sent (``queue.poll``) at the 1st, 10th, 100th and 1000th call from that line and
every 1000th after: a handful of events however long the loop spins.
"""

import itertools

from .. import recorder


def count_poll(polls, queue_id, op, loc):
    """One more ``op`` call on the queue from ``loc``; ``polls`` is the queue's own ``{loc: counter}``.

    Threads that poll from one line share its counter. ``next()`` of an
    ``itertools.count`` is one call into C, so no thread switch can fall inside
    it: a get, +1 and set could be split by one, and two threads then lost a
    count or sent one twice. Two threads may still send their counts out of
    order; the model keeps the highest.
    """
    counter = polls.get(loc)
    if counter is None:
        counter = polls.setdefault(loc, itertools.count(1))
    count = next(counter)
    if count % 1000 == 0 or count == 1 or count == 10 or count == 100:
        recorder.emit("queue.poll", (queue_id, op, loc, count))
