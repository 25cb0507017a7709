"""Where a process died of a fault in native code (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT).

Nothing Python-level runs when a process crashes, but ``faulthandler`` writes
the Python stack of every thread from its signal handler, then lets the signal
end the process as it would have. So each process of the run has it write to a
file of its own, ``fault-<pid>.txt`` in the run's private folder (the Unix
socket's, mode 0700), and the listener reads that file when the process's
connection closes (see docs/trace-format.md, ``process.fault``). The file's
first line, written here, tells the listener how to tell the user's files from
the library's and ours (callsite's rule); a dump follows it only after a crash.

The program must not notice: ``faulthandler.is_enabled()`` answers what it would
without us, and the program's own ``enable()``/``disable()`` act exactly as
without us (its handler replaces ours; after its ``disable()`` ours comes back,
unseen). When the interpreter already dumps to stderr (``-X faulthandler``,
PYTHONFAULTHANDLER) we leave it alone, and that process's fault has no line.
"""

import json
import os

from .. import callsite, recorder
from ..impersonate import impersonate

_our_fd = None  # our fault file, while our handler is the one armed
_folder = None  # the run's private folder, once armed
_real_enable = None  # faulthandler.enable itself: the module's name for it is wrapped


def arm():
    """Have faulthandler dump this process's stack to its fault file on a fatal signal."""
    global _folder
    _folder = recorder.private_folder()
    if _folder is None:
        return  # TCP (Windows): no private folder to write in
    import faulthandler  # a built-in module: importing it costs nothing

    if faulthandler.is_enabled():
        return  # -X faulthandler or PYTHONFAULTHANDLER: the interpreter's dump to stderr stays
    _wrap(faulthandler)
    _enable_ours()


def after_fork_in_child():
    """A forked child inherits our handler writing to its parent's file: give it its own."""
    global _our_fd
    if _our_fd is None:
        return  # not armed, or the program armed its own (the child inherits that, as without us)
    inherited, _our_fd = _our_fd, None
    _enable_ours()
    os.close(inherited)


def _enable_ours():
    global _our_fd
    if _folder is None or _real_enable is None:
        return
    try:
        fd = os.open(os.path.join(_folder, "fault-%d.txt" % os.getpid()), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        fd = recorder.out_of_the_way(fd)  # not at a low number the program's next open() would take
    except OSError:
        return  # the run's folder is gone (the run is ending): nothing to record into
    try:
        os.write(fd, json.dumps(callsite.file_kinds()).encode() + b"\n")
        _real_enable(fd, all_threads=True)
    except OSError:
        os.close(fd)  # a full disk: this process's fault goes unrecorded
        return
    _our_fd = fd


def _disarm_ours():
    global _our_fd
    if _our_fd is not None:
        os.close(_our_fd)
        _our_fd = None


def _wrap(faulthandler):
    # Three functions of the module are wrapped, so the program sees faulthandler
    # as it would without us; the rest of it (dump_traceback, register...) is untouched.
    global _real_enable
    real_enable, real_disable, real_is_enabled = faulthandler.enable, faulthandler.disable, faulthandler.is_enabled
    _real_enable = real_enable

    def enable(*args, **kwargs):
        result = real_enable(*args, **kwargs)  # raises as it would; if not, the program's handler replaced ours
        _disarm_ours()
        return result

    def disable():
        was_enabled = is_enabled()  # what disable() returns: whether the program's handler was on
        real_disable()
        _disarm_ours()
        _enable_ours()  # back, unseen: is_enabled() says False, as the program expects
        return was_enabled

    def is_enabled():
        return False if _our_fd is not None else real_is_enabled()

    faulthandler.enable = impersonate(enable, real_enable)
    faulthandler.disable = impersonate(disable, real_disable)
    faulthandler.is_enabled = impersonate(is_enabled, real_is_enabled)
