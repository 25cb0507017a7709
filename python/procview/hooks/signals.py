"""Signals the user's code sends: everything recorded goes out first.

``os.kill(os.getpid(), signal.SIGKILL)``, ``os.abort()``, ``signal.raise_signal``
may end this very process on the spot, and events recorded but not sent die
with it (the lock it holds, the item it put). So when the user's code signals,
it is recorded (``process.signal``: to whom, which, from which line: the line a
process that signals itself to death died at) and the buffer is sent before
the signal is: one send, and nothing else changes (the real function is called
with the very same arguments, and raises as it would). The library's own
signals (``Process.terminate()``...) end other processes and are left alone.
"""

import operator
import os
import sys

from .. import callsite, recorder
from ..impersonate import impersonate, replace_in


def _sending(real, sent):
    """``real``, recording (when the user's code calls it) which signal goes where.

    ``sent(args)`` is ``(target pid, signal number)``, from the arguments (all
    positional: these functions take no keywords); arguments it cannot read are
    the real function's to refuse, so nothing is recorded then.
    """

    def signal_sender(*args, **kwargs):
        site = callsite.user_site()
        if site is not None:
            try:
                target, signum = sent(args)
            except (TypeError, IndexError):
                pass
            else:
                recorder.emit("process.signal", (target, signum, site))
            recorder.flush()
        return real(*args, **kwargs)

    return impersonate(signal_sender, real)


def _to_pid(args):
    return operator.index(args[0]), operator.index(args[1])


def _to_group(args):
    return -operator.index(args[0]), operator.index(args[1])


def _to_self(at):
    return lambda args: (os.getpid(), operator.index(args[at]))


def _abort(args):
    import signal  # only now: the runtime imports nothing the program did not

    return os.getpid(), int(signal.SIGABRT)


def patch_os():
    # os re-exports these from posix (nt on Windows): both must hold the wrapper,
    # or pickling os.kill by reference would find two different objects.
    platform_module = sys.modules.get(os.name)
    for name, sent in (("kill", _to_pid), ("killpg", _to_group), ("abort", _abort)):
        real = getattr(os, name, None)
        if real is not None:
            replace_in((os, platform_module), name, _sending(real, sent))


def patch_signal(signal_module):
    # signal re-exports these from _signal, the module their __module__ names.
    inner = sys.modules.get("_signal")
    for name, sent in (("raise_signal", _to_self(0)), ("pthread_kill", _to_self(1))):
        real = getattr(signal_module, name, None)
        if real is not None:
            replace_in((signal_module, inner), name, _sending(real, sent))
