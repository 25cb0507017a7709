"""``subprocess``: the processes a program starts that are not multiprocessing's.

A Python started by ``subprocess`` inherits the run's environment, loads the
runtime and reports for itself (role ``python``); any other program does not.
Either way the parent knows two facts no child can tell: that it started the
child (``process.spawn``, method ``subprocess``) and how it ended
(``process.reaped``, when the parent collects its status).
"""

import os

from .. import callsite, recorder
from .processes import record_reaped


def _program_name(args):
    """The file name of the program a Popen runs (the first word of a shell command)."""
    if isinstance(args, (str, bytes, os.PathLike)):
        words = os.fsdecode(args).split(None, 1)
    else:
        try:
            words = [os.fsdecode(next(iter(args)))]
        except (StopIteration, TypeError):
            words = []
    return os.path.basename(words[0]) if words else "?"


def patch_subprocess(subprocess):
    Popen = subprocess.Popen
    original_init = Popen.__init__

    def __init__(self, *args, **kwargs):
        t = recorder.now()  # before the child can say hello
        original_init(self, *args, **kwargs)
        program = _program_name(self.args)
        recorder.emit_at(t, "process.spawn", (self.pid, program, "subprocess", callsite.first_user_site()))

    Popen.__init__ = __init__

    if hasattr(Popen, "_handle_exitstatus"):  # POSIX; Windows sets returncode elsewhere
        record_reaped(Popen, "_handle_exitstatus")
