"""``multiprocessing.Pipe`` connections: send and recv made by the user's code.

Connections are also the transport under queues, Pools and Managers, where
they carry a lot of traffic. So the class is left alone and only the user's
pipe ends are traced: ``Pipe()`` called by the user's code wraps both ends (as
instance attributes, which a forked child inherits), and a connection rebuilt
from a pickle in a spawned child is wrapped too (its origin is unknown there;
queues put their own wrappers in place, see ``capturing_connection``).
"""

import errno
import os
import sys
import threading
import weakref
import zlib
from typing import Optional, Tuple, Union

from .. import callsite, recorder
from ..impersonate import impersonate
from ..reprs import short_repr
from .behalf import may_block, wait_sending_first
from .waits import WriteWait, readiness, wait_until_readable


class _PerThread(threading.local):
    """``repr``: the repr of the object the user's send() is sending. ``sending``: during the user's
    send, its wait values ``(end, size, loc)``, or its WriteWait once it found the pipe full."""

    repr: Optional[str] = None
    sending: Union[Tuple[str, int, str], WriteWait, None] = None


_tls = _PerThread()

# A write that never blocks (Linux 4.14+): it moves what fits, or raises BlockingIOError. Per call, not a
# flag on the file, which the other processes holding the same end share.
_HAVE_NOWAIT = hasattr(os, "pwritev") and hasattr(os, "RWF_NOWAIT")
_RWF_NOWAIT = getattr(os, "RWF_NOWAIT", 0)

_write = os.write
# What a kernel says when it cannot write this file without blocking (an older kernel, a pipe before 5.x).
_NOWAIT_REFUSED = {errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS, errno.ESPIPE}
# A queue operation's request for the size and CRC of its bytes (.on, .taken),
# and what to do once an item is pickled, just before its bytes go (.before).
wire = threading.local()


def before_send(callback):
    """Have ``callback()`` run once the next item this thread puts on a SimpleQueue is pickled, before its bytes go.

    Returns a function that disarms it and tells whether it ran: an item that
    cannot be pickled never reaches the pipe, and the callback does not run.
    """
    wire.before = callback

    def disarm():
        ran = getattr(wire, "before", None) is not callback
        if not ran:
            wire.before = None
        return ran

    return disarm


def begin_capture():
    wire.taken = None
    wire.on = True


def end_capture():
    """``(size, crc)`` of the bytes moved since ``begin_capture()``, or ``(None, None)``."""
    wire.on = False
    taken, wire.taken = getattr(wire, "taken", None), None
    return taken if taken is not None else (None, None)


def capturing_connection(connection):
    """A queue's own connection end: hand the bytes of the user's queue operations to queues.py.

    The wrappers reach the connection through a weak reference: a cycle would
    keep it (and its file) alive past its last use, and the peer would miss EOF.
    """
    ref = weakref.ref(connection)
    cls = type(connection)

    def _send_bytes(buf):
        if getattr(wire, "on", False):
            wire.taken = (len(buf), zlib.crc32(buf))
        before = getattr(wire, "before", None)
        if before is not None:
            wire.before = None
            before()
        return cls._send_bytes(ref() or _finalized_caller(cls), buf)

    def _recv_bytes(maxsize=None):
        received = cls._recv_bytes(ref() or _finalized_caller(cls), maxsize)
        if getattr(wire, "on", False):
            with received.getbuffer() as view:
                wire.taken = (len(view), zlib.crc32(view))
        return received

    connection.__dict__.pop("send", None)
    connection._send_bytes = _send_bytes
    connection._recv_bytes = _recv_bytes


def _finalized_caller(cls):
    """The connection whose method called a wrapper of its ``_send_bytes``/``_recv_bytes``, its weak reference cleared.

    The garbage collector clears the weak references to a cycle before it runs
    the cycle's finalizers, and one may still use the connection: ``Pool.__del__``
    tells the pool's change notifier (at exit after an uncaught exception, or
    when the pool was dropped unclosed). The connection is then the ``self`` of
    its own method that called the wrapper (``send_bytes``, ``recv``...).
    """
    caller = sys._getframe(2).f_locals.get("self")
    return caller if type(caller) is cls else None


def end_id(connection):
    """The identity of the file under a connection end: the same in every process holding it."""
    cached = connection.__dict__.get("_pv_end")
    if cached is None:
        st = os.fstat(connection.fileno())
        cached = connection.__dict__["_pv_end"] = "p:%d:%d" % (st.st_dev, st.st_ino)
    return cached


def traced_connection(connection):
    """Record the user's send and recv on this connection end (weakly held, as above)."""
    ref = weakref.ref(connection)
    cls = type(connection)
    ready = readiness(connection.fileno()) if connection.readable else None

    def send(obj):
        if callsite.user_site() is not None:
            _tls.repr = short_repr(obj)
        return cls.send(ref(), obj)

    # The user's sends go through ``_send`` below, which writes without blocking first: a send that
    # finds the pipe full announces its wait (pipe.send.wait). Not where the library has no such
    # ``_send`` (Windows), nor where the kernel cannot write without blocking (found at the first try).
    nowait = [_HAVE_NOWAIT and hasattr(cls, "_send")]
    writable = []  # readiness(fd, for_writing=True), made the first time a send waits

    def _send_bytes(buf):
        connection = ref() or _finalized_caller(cls)
        loc = callsite.user_site()
        if loc is None:
            return cls._send_bytes(connection, buf)
        shown, _tls.repr = _tls.repr, None
        end = end_id(connection)
        if not nowait[0]:
            cls._send_bytes(connection, buf)
        else:
            outer, _tls.sending = _tls.sending, (end, len(buf), loc)
            try:
                cls._send_bytes(connection, buf)
            except BaseException as exc:
                waited, _tls.sending = _tls.sending, outer
                if type(waited) is WriteWait:
                    waited.raised(exc)
                raise
            waited, _tls.sending = _tls.sending, outer
            if type(waited) is WriteWait:
                waited.ended()
        recorder.emit("pipe.send", (end, len(buf), zlib.crc32(buf), shown, loc))
        return None

    def _send(buf, write=None):
        # Called by the library's _send_bytes only: the user's send writes with write_or_wait.
        connection = ref() or _finalized_caller(cls)
        if _tls.sending is not None and nowait[0]:
            return cls._send(connection, buf, write_or_wait)
        return cls._send(connection, buf) if write is None else cls._send(connection, buf, write)

    def write_or_wait(fd, data):
        """``os.write`` for the user's send: without blocking first, then a wait for room, announced if it lasts.

        Like the library's blocking write, it returns once all of ``data`` is
        written, or with the count written so far when the write fails after
        some of it went (the error comes at the next write, as it does there:
        a reader gone with the pipe full is ``ConnectionResetError`` once, then
        ``BrokenPipeError``).
        """
        sending = _tls.sending
        if type(sending) is WriteWait and sending.blocking:
            return _write(fd, data)
        # Only called where _HAVE_NOWAIT (see nowait): os.pwritev is there.
        try:
            written = os.pwritev(fd, (data,), -1, _RWF_NOWAIT)
        except BlockingIOError:
            written = 0
        except OSError as exc:
            if exc.errno not in _NOWAIT_REFUSED:
                raise
            # This kernel cannot: the library's write, as without procview, for this send and the next.
            nowait[0] = False
            return _write(fd, data)
        size = len(data)
        if written == size:
            return written
        # The pipe is full. An end the program made non-blocking itself does not wait, as without procview.
        if not os.get_blocking(fd):
            return written or _write(fd, data)
        if type(sending) is not WriteWait:
            sending = _tls.sending = WriteWait("pipe.send.wait", sending)
        if not writable:
            writable.append(readiness(fd, for_writing=True))
        rest = memoryview(data)
        try:
            while sending.room(writable[0]):
                try:
                    written += os.pwritev(fd, (rest[written:],), -1, _RWF_NOWAIT)
                except BlockingIOError:
                    continue
                if written == size:
                    return written
            # The rest of the wait is the library's write.
            return written + _write(fd, rest[written:])
        except OSError:
            if written:
                return written
            raise

    def _recv_bytes(maxsize=None):
        connection = ref() or _finalized_caller(cls)
        loc = callsite.user_site()
        if loc is None or connection is None:
            return cls._recv_bytes(connection, maxsize)
        end = end_id(connection)
        t0 = recorder.now()
        waited = wait_until_readable(ready, None, "pipe.recv.wait", (end, loc))
        try:
            received = cls._recv_bytes(connection, maxsize)
        except EOFError:
            if waited is not None:
                waited.ended()
            recorder.emit("pipe.recv", (end, None, None, recorder.now() - t0, "eof", loc))
            raise
        except BaseException as exc:
            if waited is not None:
                waited.raised(exc)
            raise
        if waited is not None:
            waited.ended()
        with received.getbuffer() as view:
            size, crc = len(view), zlib.crc32(view)
        recorder.emit("pipe.recv", (end, size, crc, recorder.now() - t0, "ok", loc))
        return received

    connection.send = send
    connection._send_bytes = _send_bytes
    if nowait[0]:
        connection._send = _send
    connection._recv_bytes = _recv_bytes
    return connection


def patch_connection(connection):
    original_pipe = connection.Pipe
    original_rebuild = getattr(connection, "rebuild_connection", None)
    original_wait = connection.wait

    def wait(object_list, timeout=None):
        # The library's own waits (Connection.poll, Queue.get's, a join's) come here too.
        if type(object_list) not in (list, tuple) or not may_block(timeout):
            return original_wait(object_list, timeout)

        def attempt(seconds):
            ready = original_wait(object_list, seconds)
            return bool(ready), ready

        return wait_sending_first(attempt, timeout)

    # Replaced before the modules that import it by name (pool, concurrent.futures.process) do.
    connection.wait = impersonate(wait, original_wait)

    def Pipe(duplex=True):
        ends = original_pipe(duplex)
        loc = callsite.user_site()
        if loc is not None:
            ids = [end_id(ends[0]), end_id(ends[1])]
            recorder.emit("pipe.new", (ids[0], ids, bool(duplex), callsite.short_name("Pipe", loc), loc))
            for end in ends:
                traced_connection(end)
        return ends

    connection.Pipe = impersonate(Pipe, original_pipe)
    if original_rebuild is not None:

        def rebuild_connection(*args):
            return traced_connection(original_rebuild(*args))

        # Pickled by reference: it must keep the name it replaces, so the bytes do not change.
        connection.rebuild_connection = impersonate(rebuild_connection, original_rebuild)
    callsite.add_transparent(
        connection._ConnectionBase.send,
        connection._ConnectionBase.send_bytes,
        connection._ConnectionBase.recv,
        connection._ConnectionBase.recv_bytes,
        connection._ConnectionBase.recv_bytes_into,
    )
