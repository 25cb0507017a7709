"""Processes: start, the child's own begin and exit, join, terminate, kill, reaping."""

import atexit
import os
import sys

from .. import callsite, recorder
from ..impersonate import impersonate
from .behalf import may_block, wait_sending_first
from .waits import announce_wait, wait_in_two_steps


def signal_name(code):
    if code is None or code >= 0:
        return None
    import signal

    try:
        return signal.Signals(-code).name
    except ValueError:
        return "signal %d" % -code


def patch_context(context):
    # multiprocessing.Lock(), .Queue(), .Pipe(), .Value(), ... only pass the user's call on.
    callsite.add_transparent_class(context.BaseContext)


def patch_process(process):
    BaseProcess = process.BaseProcess
    original_start = BaseProcess.start
    original_join = BaseProcess.join
    original_terminate = BaseProcess.terminate
    original_kill = BaseProcess.kill
    original_bootstrap = BaseProcess._bootstrap

    def start(self):
        loc = callsite.first_user_site()
        original_start(self)
        recorder.emit("process.spawn", (self.pid, self.name, getattr(self._popen, "method", None), loc))

    def join(self, timeout=None):
        loc = callsite.user_site()
        if loc is None and may_block(timeout) and _joinable_and_running(self):
            # The library's join, on the user's behalf (Pool.join(), a manager's shutdown).
            def library_attempt(seconds):
                original_join(self, seconds)
                return (self._popen.returncode is not None, None)

            return wait_sending_first(library_attempt, timeout)
        if loc is None or self._popen is None or self._parent_pid != os.getpid() or self._popen.poll() is not None:
            # Not the user's, not ours to join, or cannot block: behaves (and raises) as usual.
            result = original_join(self, timeout)
            if loc is not None:
                recorder.emit("process.join", (self.pid, timeout, loc, 0, self.exitcode))
            return result

        def attempt(seconds):
            original_join(self, seconds)
            return (self._popen.returncode is not None, None)

        _, _, waited = wait_in_two_steps(attempt, timeout, "process.join.wait", (self.pid, timeout, loc))
        recorder.emit("process.join", (self.pid, timeout, loc, waited, self._popen.returncode))
        return None

    def terminate(self):
        if _can_signal(self):
            recorder.emit("process.terminate", (self._popen.pid, callsite.first_user_site(), "program"))
        return original_terminate(self)

    def kill(self):
        if _can_signal(self):
            recorder.emit("process.kill", (self._popen.pid, callsite.first_user_site()))
        return original_kill(self)

    def _bootstrap(self, parent_sentinel=None):
        method = self._start_method
        if method is None:
            import multiprocessing

            method = multiprocessing.get_start_method(allow_none=True)
        # Not os.getppid(): under forkserver that is the fork server, not the process that started us.
        parent = getattr(self, "_parent_pid", None) or os.getppid()
        recorder.begin((self.name, parent, "process", method, None, recorder.python_info()))
        recorder.flush()
        # What run() raises is recorded as _bootstrap prints it (see patch_print_exc).
        code = original_bootstrap(self, parent_sentinel)
        recorder.exit_event(code, "return")
        return code

    BaseProcess.start = start
    BaseProcess.join = join
    BaseProcess.terminate = terminate
    BaseProcess.kill = kill
    BaseProcess._bootstrap = _bootstrap
    global _bootstrap_code
    _bootstrap_code = original_bootstrap.__code__
    # A wait's stack in a child process begins at its target: what is outside
    # _bootstrap is how the process came to be (under fork, the parent's frames).
    callsite.add_stack_root(original_bootstrap)


def _joinable_and_running(process):
    # Anything else makes join() return at once or raise, as the library decides.
    popen = None if getattr(process, "_closed", False) else getattr(process, "_popen", None)
    return popen is not None and getattr(process, "_parent_pid", None) == os.getpid() and popen.poll() is None


def _children_awaited_at_exit():
    """Pids of the children multiprocessing's exit handler will join: started here, not daemons
    (those it terminates), not yet reaped. Nothing is polled: reaping them is the handler's business."""
    from multiprocessing import process

    awaited = []
    for child in list(getattr(process, "_children", ())):
        popen = getattr(child, "_popen", None)
        if popen is not None and popen.returncode is None and not child.daemon:
            awaited.append(popen.pid)
    return awaited


def _can_signal(process):
    # A closed or never started process makes terminate() and kill() raise, from
    # their own first line as without us: read nothing (self.pid checks too) before.
    return not getattr(process, "_closed", False) and getattr(process, "_popen", None) is not None


_bootstrap_code = None  # the code of multiprocessing's own BaseProcess._bootstrap, once patched
_exit_function_code = None  # the code of multiprocessing's own util._exit_function, once patched


def patch_print_exc(traceback):
    """Record what a process's run() raised (``process.error``) where _bootstrap prints it.

    _bootstrap catches it, writes "Process NAME:" and calls ``traceback.print_exc()``
    from its except clause, where the exception is the one being handled. Seen
    there, it needs no frame of ours between _bootstrap and run(): a wrapper
    around run() would be one more frame in the program's stack (a warning's
    ``stacklevel``, ``sys._getframe``, faulthandler's dumps) and in ``self.run``.
    """
    original = traceback.print_exc

    def print_exc(limit=None, file=None, chain=True):
        if _bootstrap_code is not None and sys._getframe(1).f_code is _bootstrap_code:
            exc_type, exc, tb = sys.exc_info()
            if exc_type is not None:
                from .errors import error_values

                try:
                    recorder.emit("process.error", error_values(exc_type, exc, tb))
                    recorder.flush()
                except Exception:
                    pass
        return original(limit, file, chain)

    traceback.print_exc = impersonate(print_exc, original)


def record_reaped(popen_class, method_name):
    """Wrap the method that sets a Popen's ``returncode``: the parent learns the
    child's exit status there, whoever asked (join, is_alive, wait, exit)."""
    original = getattr(popen_class, method_name)

    def reaping(self, *args, **kwargs):
        before = self.returncode
        result = original(self, *args, **kwargs)
        code = self.returncode
        if before is None and code is not None:
            recorder.emit("process.reaped", (self.pid, code, signal_name(code)))
        return result

    reaping.__name__ = original.__name__
    setattr(popen_class, method_name, reaping)


def record_terminated_at_exit(popen_class):
    """Record the terminations multiprocessing's exit handler makes itself.

    As a process exits, ``util._exit_function`` ends its daemon children still
    running with ``p._popen.terminate()`` (SIGTERM), not through
    ``Process.terminate``: without this, their deaths by SIGTERM would look like
    crashes. Only the handler's calls are recorded (``Process.terminate`` records
    its own), as ``process.terminate`` by ``exit``, with no line: none of the
    program's made the call. Sent at once, before the signal goes.
    """
    original = popen_class.terminate

    def terminate(self):
        code = _exit_function_code
        if code is not None and sys._getframe(1).f_code is code and getattr(self, "returncode", 0) is None:
            try:
                recorder.emit("process.terminate", (self.pid, None, "exit"))
                recorder.flush()
            except Exception:
                pass
        return original(self)

    popen_class.terminate = impersonate(terminate, original)


def patch_popen_fork(popen_fork):
    record_reaped(popen_fork.Popen, "poll")
    # Popen of spawn and forkserver inherit it.
    record_terminated_at_exit(popen_fork.Popen)


def patch_popen_forkserver(popen_forkserver):
    record_reaped(popen_forkserver.Popen, "poll")


def patch_util(util):
    """Before multiprocessing's exit handler joins children and feeder threads, say whom it waits
    for and what the feeders still hold: a child that never ends, or a buffer nobody reads, holds
    up the exit, and the wait is announced like any other."""
    original_exit_function = util._exit_function
    global _exit_function_code
    _exit_function_code = getattr(original_exit_function, "__code__", None)

    def report_before_exit():
        from . import queues

        children = _children_awaited_at_exit()
        if children:
            announce_wait("exit.wait", ([], children))
        queues.report_buffered()
        recorder.flush()

    def _exit_function(*args, **kwargs):
        report_before_exit()
        return original_exit_function(*args, **kwargs)

    util._exit_function = impersonate(_exit_function, original_exit_function)
    # The main process runs the original through atexit; registered after it, this runs first.
    atexit.register(report_before_exit)
