"""The event writer: one buffer and one connection per process.

Events are tuples ``(dt, tid, kind, values)`` (``values`` in the order
``schema.KINDS`` gives for the kind) appended to a list under the GIL (no lock
on the hot path). ``flush()`` sends whatever is there as one frame: a 4-byte
little-endian length, then the batch in ``marshal`` format, which the
interpreter writes five times faster than JSON. The wire format is documented in
docs/trace-format.md; the listener turns each event into one JSON line.

The recorder never raises into the program: if the listener is gone, it turns
itself off and the program carries on.
"""

import marshal
import os
import sys
import time
import _thread

BATCH_SIZE = 256
FLUSH_INTERVAL_NS = 50_000_000
PROMPT_INTERVAL_NS = 1_000_000  # see emit_prompt
WIRE_VERSION = 2
MARSHAL_VERSION = 4

_perf_ns = time.perf_counter_ns
_get_ident = _thread.get_ident

# Module-level state, read on the hot path without attribute lookups on an object.
_on = False
_buf = []  # emptied in place, never replaced: the hot path holds its append
_append = _buf.append
_mono0 = 0
_wall0 = 0
_next_flush = 0
_next_prompt = 0  # emit_prompt sends at once from this time on
_pending_begin = None  # fields of a process.begin not yet emitted (see set_pending_begin)
_exited = False
_dropped = 0
_pid = 0
_fd = None  # the connection to the listener, a bare file descriptor once connected
_send_lock = _thread.allocate_lock()
_sender = None  # ident of the thread inside flush(), to skip re-entry from a signal handler
_address = None
_token = None


def configure_from_environment():
    """Arm the recorder if this interpreter belongs to a procview run."""
    global _address, _token
    _address = os.environ.get("PROCVIEW_SOCKET")
    _token = os.environ.get("PROCVIEW_TOKEN")
    if _address and _token:
        _start_fresh()
    return _on


def _start_fresh():
    """(Re)initialise per-process state: at start-up and in a forked child."""
    global _on, _mono0, _wall0, _next_flush, _next_prompt, _pid, _fd, _send_lock, _exited, _dropped, _pending_begin
    del _buf[:]
    _mono0 = _perf_ns()
    _wall0 = time.time_ns()
    _next_flush = _mono0 + FLUSH_INTERVAL_NS
    _next_prompt = 0
    _pid = os.getpid()
    _fd = None
    _send_lock = _thread.allocate_lock()
    _exited = False
    _dropped = 0
    _pending_begin = None
    _on = True


def after_fork_in_child():
    """A forked child inherits the parent's buffer and socket: drop both.

    The inherited socket is closed, never shut down, so the parent's connection
    stays intact and the listener sees EOF only when the parent's copy closes.
    """
    global _on
    if not _on:
        return
    old = _fd
    _start_fresh()
    if old is not None:
        try:
            os.close(old)
        except OSError:
            pass


def private_folder():
    """The run's private folder (mode 0700, the Unix socket's), or None over TCP."""
    kind, _, path = (_address or "").partition(":")
    return os.path.dirname(path) if kind == "unix" else None


def pid():
    return _pid


def is_on():
    return _on


def set_pending_begin(values):
    """Remember this process's ``process.begin``; it goes out before any other event.

    A spawned child learns its name only when ``_bootstrap`` runs; a forked one
    may never run anything we wrap. Holding the begin back lets the richer
    version replace the first guess without sending two.
    """
    global _pending_begin
    _pending_begin = (_perf_ns(), _get_ident(), values)


def begin(values):
    """This process's final ``process.begin``: it replaces a pending one, and still goes out first."""
    set_pending_begin(values)


def _emit_pending_begin():
    # Ahead of everything buffered: no event of a process may come before its begin.
    global _pending_begin
    pending, _pending_begin = _pending_begin, None
    if pending is not None:
        _buf.insert(0, (pending[0] - _mono0, pending[1], "process.begin", pending[2]))


def emit(kind, values):
    """Record one event. The hot path: keep it short."""
    if _on:
        t = _perf_ns()
        _append((t - _mono0, _get_ident(), kind, values))
        if t >= _next_flush or len(_buf) >= BATCH_SIZE:
            flush()


def emit_prompt(kind, values):
    """Record an event that must not die with this process, and send it soon.

    For a process-shared lock or semaphore just taken: the process may be killed
    while it holds it (SIGKILL, terminate()), and a holder nobody heard of cannot
    be named. The buffer is sent at once unless an event of this sort sent it
    less than ``PROMPT_INTERVAL_NS`` ago: a loop taking a lock thousands of times
    a second sends at most once a millisecond, while a lock taken once and held
    (the case that matters) is always sent, even right after another send.
    """
    global _next_prompt
    if _on:
        t = _perf_ns()
        _append((t - _mono0, _get_ident(), kind, values))
        if t >= _next_prompt:
            _next_prompt = t + PROMPT_INTERVAL_NS
            flush()
        elif t >= _next_flush or len(_buf) >= BATCH_SIZE:
            flush()


def emit_at(t, kind, values):
    """Record an event that happened at ``t`` (a ``perf_counter_ns`` reading)."""
    if _on:
        _append((t - _mono0, _get_ident(), kind, values))
        if t >= _next_flush or len(_buf) >= BATCH_SIZE:
            flush()


def now():
    return _perf_ns()


def send_with_next():
    """Send the buffer with the next event recorded (the end of an announced wait).

    The listener believes an announced wait lasts until it hears of its end; a
    thread that then sleeps or computes must not look blocked meanwhile. Setting
    the flush deadline to zero costs the hot path nothing.
    """
    global _next_flush
    _next_flush = 0


def buffered():
    """Is anything recorded and not sent yet?"""
    return _on and len(_buf) > 0


def exit_event(code, how):
    """Emit ``process.exit`` once per process, then flush."""
    global _exited
    if not _on or _exited:
        return
    _exited = True
    emit("process.exit", (code, None, how, _dropped))
    flush()


def flush():
    """Send everything buffered. Safe to call from any thread, any time."""
    global _next_flush, _sender
    if not _on:
        return
    if _pending_begin is not None:
        _emit_pending_begin()
    _next_flush = _perf_ns() + FLUSH_INTERVAL_NS
    me = _get_ident()
    if _sender == me or not _send_lock.acquire(True, 5.0):
        return
    _sender = me
    try:
        buf = _buf
        n = len(buf)
        if n == 0:
            return
        # Take exactly the first n: appends racing with us land after them and stay.
        batch = buf[:n]
        del buf[:n]
        _send(batch)
    finally:
        _sender = None
        _send_lock.release()


def _send(batch):
    global _fd, _on, _dropped
    try:
        if _fd is None:
            _fd = _connect()
        try:
            data = marshal.dumps(batch, MARSHAL_VERSION)
        except ValueError:  # a value marshal cannot write: send its repr instead
            data = marshal.dumps(_marshallable(batch), MARSHAL_VERSION)
        _write_all(_fd, len(data).to_bytes(4, "little") + data)
    except Exception:
        # Listener gone or refused us: go quiet, never disturb the program.
        _dropped += len(batch)
        _on = False
        if _fd is not None:
            try:
                os.close(_fd)
            except OSError:
                pass
            _fd = None


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


_EXACT = {str: str.__str__, int: int.__int__, float: float.__float__}


def _marshallable(value):
    """``value`` as plain data marshal can write: a str subclass becomes a str, an unknown object its type's name."""
    kind = type(value)
    if kind in _EXACT or value is None or kind is bool:
        return value
    if kind in (list, tuple):
        return kind(_marshallable(item) for item in value)
    if kind is dict:
        return {str(key): _marshallable(item) for key, item in value.items()}
    if kind in (bytes, bytearray):
        return value.hex()
    for base, exact in _EXACT.items():
        if isinstance(value, base):
            return exact(value)
    return "<%s>" % kind.__name__


def _connect():
    import json
    import socket

    kind, _, rest = (_address or "").partition(":")
    if kind == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = rest
    elif kind == "tcp":
        host, _, port = rest.rpartition(":")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        target = (host, int(port))
    else:
        raise ValueError("bad PROCVIEW_SOCKET")
    sock.settimeout(10.0)
    sock.connect(target)
    sock.settimeout(None)
    from .schema import KINDS

    hello = {
        "v": WIRE_VERSION,
        "token": _token,
        "pid": _pid,
        "ppid": os.getppid(),
        "mono": _mono0,
        "wall": _wall0,
        "kinds": KINDS,
    }
    sock.sendall(json.dumps(hello).encode() + b"\n")
    # Kept as a bare descriptor, written with os.write: a socket object left open
    # at exit (it must stay open to the very end) would print a ResourceWarning
    # under -W error or -X dev, and the program's output must not change.
    return out_of_the_way(sock.detach())


_HIGH_FD = 1000  # where our descriptors go (see out_of_the_way), when the limit allows


def out_of_the_way(fd):
    """``fd`` moved up among the high descriptor numbers, where the program's own do not land.

    The kernel gives a new descriptor the lowest free number. One of ours left
    at 3 or 4 would shift every file, pipe and socket the program opens: a
    program printing ``open(...).fileno()``, or passing a descriptor on by its
    number, would see another one than without us. The copy is close-on-exec,
    as the original was.
    """
    try:
        import fcntl

        limit = os.sysconf("SC_OPEN_MAX")
    except (ImportError, ValueError, OSError):
        return fd  # not a POSIX system: left where it is
    floor = min(_HIGH_FD, limit - 16)
    if fd >= floor:
        return fd
    try:
        high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, floor)
    except (AttributeError, OSError):
        return fd  # no room up there (or no F_DUPFD_CLOEXEC): a shifted number beats no trace
    os.close(fd)
    return high


def python_info():
    return {
        "executable": sys.executable,
        "version": sys.version,
        "implementation": sys.implementation.name,
    }
