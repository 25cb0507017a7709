# expect: hang
# kinds: self-deadlock
# lints:
# culprits: stats-updater
# lines: 21, 28
# why: record() holds the stats lock and calls flush(), which tries to take the same non-reentrant threading.Lock again.
"""Request statistics with a flush helper that takes the lock its caller already holds."""

import threading


class RequestStats:
    def __init__(self, flush_every):
        self._lock = threading.Lock()
        self._counts = {}
        self._pending = 0
        self._flush_every = flush_every
        self.flushed = []

    def record(self, endpoint):
        with self._lock:
            self._counts[endpoint] = self._counts.get(endpoint, 0) + 1
            self._pending += 1
            if self._pending >= self._flush_every:
                self.flush()

    def flush(self):
        with self._lock:
            self.flushed.append(dict(self._counts))
            self._pending = 0


def replay(stats, log):
    for endpoint in log:
        stats.record(endpoint)


if __name__ == "__main__":
    stats = RequestStats(flush_every=3)
    log = ["/login", "/home", "/home", "/search", "/home", "/logout"]
    t = threading.Thread(target=replay, name="stats-updater", args=(stats, log))
    t.start()
    t.join()
    print("flushed", len(stats.flushed), "snapshots")
