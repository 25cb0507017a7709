"""The fields of every event kind, in the order the runtime sends them.

On the wire an event's fields travel as a positional array (encoding a dict per
event costs twice as much); this table goes to the listener in each process's
hello, so it can name them. It is the single source of the field order: every
``recorder.emit(kind, values)`` passes its values in this order.
See docs/trace-format.md for what each field means.
"""

KINDS = {
    "process.begin": ("name", "ppid", "role", "method", "argv", "python"),
    "process.exit": ("code", "signal", "how", "dropped"),
    "process.error": ("type", "message", "file", "line", "traceback"),
    "process.exec": ("path",),
    "process.spawn": ("child", "name", "method", "loc"),
    "process.reaped": ("child", "code", "signal"),
    "process.join.wait": ("target", "timeout", "loc"),
    "process.join": ("target", "timeout", "loc", "waited", "code"),
    "process.terminate": ("target", "loc"),
    "process.kill": ("target", "loc"),
    "thread.start": ("target", "name", "daemon", "loc", "internal"),
    "thread.begin": ("name", "native", "daemon"),
    "thread.exit": ("error",),
    "thread.join.wait": ("target", "timeout", "loc"),
    "thread.join": ("target", "timeout", "loc", "waited", "alive"),
    "queue.new": ("id", "type", "maxsize", "name", "loc"),
    "queue.put.wait": ("id", "loc"),
    "queue.put": ("id", "seq", "loc", "repr", "block", "waited", "outcome", "size", "crc"),
    "queue.send": ("id", "seq", "size", "crc"),
    "queue.lost": ("id", "seq", "error"),
    "queue.get.wait": ("id", "loc"),
    "queue.get": ("id", "loc", "block", "waited", "outcome", "size", "crc", "seq"),
    "queue.buffered": ("id", "count"),
    "queue.task_done": ("id", "loc"),
    "queue.join.wait": ("id", "loc"),
    "queue.join": ("id", "loc", "waited"),
    "pipe.new": ("id", "ends", "duplex", "name", "loc"),
    "pipe.send": ("end", "size", "crc", "repr", "loc"),
    "pipe.recv.wait": ("end", "loc"),
    "pipe.recv": ("end", "size", "crc", "waited", "outcome", "loc"),
    "lock.new": ("id", "type", "value", "scope", "name", "loc"),
    "lock.wait": ("id", "loc"),
    "lock.acquire": ("id", "loc", "waited", "outcome"),
    "lock.release": ("id", "loc"),
    "pool.new": ("id", "type", "processes", "name", "loc"),
    "task.submit": ("pool", "job", "func", "count", "chunksize", "args", "callback", "loc"),
    "task.begin": ("pool", "job", "index", "func", "args", "items"),
    "task.end": ("pool", "job", "index", "ok", "result"),
    "task.fetch.wait": ("pool", "job", "loc"),
    "task.fetch": ("pool", "job", "ready", "loc"),
    "sync.new": ("id", "type", "scope", "value", "name", "loc"),
    "sync.wait.wait": ("id", "op", "loc"),
    "sync.wait": ("id", "op", "loc", "waited", "outcome"),
    "sync.signal": ("id", "op", "loc", "n"),
    "wait.abort": ("wait", "waited", "error"),
}
