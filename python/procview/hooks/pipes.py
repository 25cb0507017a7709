"""``multiprocessing.Pipe`` connections: send and recv made by the user's code.

Connections are also the transport under queues, Pools and Managers; those uses
come from the library and are skipped, except that a queue operation of the
user's asks for the size and CRC-32 of the bytes it moved (see queues.py).
"""

import os
import threading
import zlib

from .. import callsite, recorder
from ..reprs import short_repr
from . import queues
from .waits import wait_in_two_steps

_tls = threading.local()  # the repr of the object the user's send() is sending


def end_id(connection):
    """The identity of the file under a connection end: the same in every process holding it."""
    cached = connection.__dict__.get("_pv_end")
    if cached is None:
        st = os.fstat(connection.fileno())
        cached = connection.__dict__["_pv_end"] = "p:%d:%d" % (st.st_dev, st.st_ino)
    return cached


def patch_connection(connection):
    Connection = connection.Connection
    original_pipe = connection.Pipe
    original_send = Connection.send
    original_send_bytes = Connection._send_bytes
    original_recv_bytes = Connection._recv_bytes

    def Pipe(duplex=True):
        ends = original_pipe(duplex)
        loc = callsite.user_site()
        if loc is not None:
            ids = [end_id(ends[0]), end_id(ends[1])]
            recorder.emit(
                "pipe.new",
                {"id": ids[0], "ends": ids, "duplex": bool(duplex), "name": callsite.short_name("Pipe", loc), "loc": loc},
            )
        return ends

    def send(self, obj):
        if callsite.user_site() is not None:
            _tls.repr = short_repr(obj)
        return original_send(self, obj)

    def _send_bytes(self, buf):
        if queues.wants_wire():
            queues.capture_wire(buf)
            return original_send_bytes(self, buf)
        loc = callsite.user_site()
        if loc is None:
            return original_send_bytes(self, buf)
        shown, _tls.repr = getattr(_tls, "repr", None), None
        original_send_bytes(self, buf)
        recorder.emit("pipe.send", {"end": end_id(self), "size": len(buf), "crc": zlib.crc32(buf), "repr": shown, "loc": loc})
        return None

    def _recv_bytes(self, maxsize=None):
        if queues.wants_wire():
            received = original_recv_bytes(self, maxsize)
            with received.getbuffer() as view:
                queues.capture_wire(view)
            return received
        loc = callsite.user_site()
        if loc is None:
            return original_recv_bytes(self, maxsize)
        end = end_id(self)
        waited = 0
        if not self._poll(0.0):
            _, _, waited = wait_in_two_steps(
                lambda seconds: (self._poll(seconds), None), None, "pipe.recv.wait", {"end": end, "loc": loc}
            )
        try:
            received = original_recv_bytes(self, maxsize)
        except EOFError:
            recorder.emit("pipe.recv", {"end": end, "size": None, "crc": None, "waited": waited, "outcome": "eof", "loc": loc})
            raise
        with received.getbuffer() as view:
            size, crc = len(view), zlib.crc32(view)
        recorder.emit("pipe.recv", {"end": end, "size": size, "crc": crc, "waited": waited, "outcome": "ok", "loc": loc})
        return received

    connection.Pipe = Pipe
    Connection.send = send
    Connection._send_bytes = _send_bytes
    Connection._recv_bytes = _recv_bytes
    callsite.add_transparent(
        connection._ConnectionBase.send,
        connection._ConnectionBase.send_bytes,
        connection._ConnectionBase.recv,
        connection._ConnectionBase.recv_bytes,
        connection._ConnectionBase.recv_bytes_into,
    )
