"""``subprocess``: the processes a program starts that are not multiprocessing's.

A Python started by ``subprocess`` inherits the run's environment, loads the
runtime and reports for itself (role ``python``); any other program does not.
Either way the parent knows two facts no child can tell: that it started the
child (``process.spawn``, method ``subprocess``) and how it ended
(``process.reaped``, when the parent collects its status).
"""

import os

from .. import callsite, recorder
from .processes import signal_name


def _program_name(args):
    if isinstance(args, (str, bytes, os.PathLike)):
        first = os.fsdecode(args).split(None, 1)[0] if os.fsdecode(args).strip() else ""
    else:
        try:
            first = os.fsdecode(list(args)[0])
        except (IndexError, TypeError):
            first = ""
    return os.path.basename(first) or "?"


def patch_subprocess(subprocess):
    Popen = subprocess.Popen
    original_init = Popen.__init__

    def __init__(self, *args, **kwargs):
        t = recorder.now()  # before the child can say hello
        original_init(self, *args, **kwargs)
        program = _program_name(self.args)
        recorder.emit_at(t, "process.spawn", (self.pid, program, "subprocess", callsite.first_user_site()))

    Popen.__init__ = __init__

    original_handle = getattr(Popen, "_handle_exitstatus", None)
    if original_handle is None:  # Windows sets returncode elsewhere
        return

    def _handle_exitstatus(self, *args, **kwargs):
        before = self.returncode
        result = original_handle(self, *args, **kwargs)
        code = self.returncode
        if before is None and code is not None:
            recorder.emit("process.reaped", (self.pid, code, signal_name(code)))
        return result

    Popen._handle_exitstatus = _handle_exitstatus
