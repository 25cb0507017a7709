"""Signals the user's code sends: everything recorded goes out first.

``os.kill(os.getpid(), signal.SIGKILL)``, ``os.abort()``, ``signal.raise_signal``
may end this very process on the spot, and events recorded but not sent die
with it (the lock it holds, the item it put). So when the user's code signals,
the buffer is sent before the signal is: one send, and nothing else changes
(the real function is called with the very same arguments, and raises as it
would). The library's own signals (``Process.terminate()``...) end other
processes and are left alone.
"""

import os
import sys

from .. import callsite, recorder
from ..impersonate import impersonate, replace_in


def _flushing(real):
    def signal_sender(*args, **kwargs):
        if callsite.user_site() is not None:
            recorder.flush()
        return real(*args, **kwargs)

    return impersonate(signal_sender, real)


def patch_os():
    # os re-exports these from posix (nt on Windows): both must hold the wrapper,
    # or pickling os.kill by reference would find two different objects.
    platform_module = sys.modules.get(os.name)
    for name in ("kill", "killpg", "abort"):
        real = getattr(os, name, None)
        if real is not None:
            replace_in((os, platform_module), name, _flushing(real))


def patch_signal(signal_module):
    # signal re-exports these from _signal, the module their __module__ names.
    inner = sys.modules.get("_signal")
    for name in ("raise_signal", "pthread_kill"):
        real = getattr(signal_module, name, None)
        if real is not None:
            replace_in((signal_module, inner), name, _flushing(real))
