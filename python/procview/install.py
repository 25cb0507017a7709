"""Arm the runtime in this interpreter: called from the boot ``sitecustomize``.

``threading`` is patched at once (it is cheap and already imported by nearly
everything). Every ``multiprocessing`` module is patched when the program first
imports it, through a meta-path finder, so a program that never uses
multiprocessing pays nothing for it.
"""

import atexit
import os
import sys

from . import recorder
from .hooks import faults
from .impersonate import impersonate, replace_in

# module name -> "package.module:function" (or several, run in order) that patch it right after it is executed
_PATCHES = {
    "multiprocessing.context": "procview.hooks.processes:patch_context",
    "multiprocessing.process": "procview.hooks.processes:patch_process",
    "multiprocessing.popen_fork": "procview.hooks.processes:patch_popen_fork",
    "multiprocessing.popen_forkserver": "procview.hooks.processes:patch_popen_forkserver",
    "multiprocessing.util": "procview.hooks.processes:patch_util",
    "multiprocessing.queues": "procview.hooks.queues:patch_queues",
    "multiprocessing.connection": "procview.hooks.pipes:patch_connection",
    "multiprocessing.synchronize": (
        "procview.hooks.locks:patch_synchronize",
        "procview.hooks.sync:patch_synchronize_sync",
        "procview.hooks.conditions:patch_process_condition",  # after sync: around its wrappers
    ),
    "multiprocessing.sharedctypes": ("procview.hooks.locks:patch_sharedctypes", "procview.hooks.shared_memory:patch_sharedctypes"),
    "multiprocessing.shared_memory": "procview.hooks.shared_memory:patch_shared_memory",
    "multiprocessing.pool": "procview.hooks.pools:patch_pool",
    "concurrent.futures._base": "procview.hooks.executors:patch_base",
    "concurrent.futures.process": "procview.hooks.executors:patch_process_executor",
    "concurrent.futures.thread": "procview.hooks.executors:patch_thread_executor",
    "multiprocessing.managers": ("procview.hooks.managers:patch_managers", "procview.hooks.shared_memory:patch_managers"),
    "traceback": ("procview.hooks.tracebacks:patch_traceback", "procview.hooks.processes:patch_print_exc"),
    "inspect": "procview.hooks.tracebacks:patch_inspect",
    "queue": "procview.hooks.thread_queues:patch_queue_module",
    "subprocess": "procview.hooks.subprocesses:patch_subprocess",
    "signal": "procview.hooks.signals:patch_signal",
}


def _run_patch(targets, module):
    import importlib

    for target in (targets,) if isinstance(targets, str) else targets:
        modname, _, funcname = target.partition(":")
        getattr(importlib.import_module(modname), funcname)(module)


class _PatchingLoader:
    """Delegates to the real loader, then patches the freshly executed module."""

    def __init__(self, loader, target):
        self._loader = loader
        self._target = target

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        try:
            _run_patch(self._target, module)
        except Exception:
            pass  # a patch that does not fit this Python leaves the module untraced, never broken

    def __getattr__(self, name):  # get_code, get_source, is_package, ...
        return getattr(self._loader, name)


class _PatchOnImport:
    """A meta-path finder that only intercepts the modules named in _PATCHES."""

    def find_spec(self, name, path=None, target=None):
        patch = _PATCHES.get(name)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchingLoader(spec.loader, patch)  # pyright: ignore[reportAttributeAccessIssue]
                return spec
        return None

    def invalidate_caches(self):
        pass


def _role_of_this_interpreter():
    """What started this interpreter, from its command line (3.10+: orig_argv)."""
    argv = getattr(sys, "orig_argv", None) or sys.argv
    joined = " ".join(argv)
    if "multiprocessing.resource_tracker" in joined:
        return "resource_tracker"
    if "multiprocessing.forkserver" in joined:
        return "forkserver"
    if "--multiprocessing-fork" in argv:
        return "process"
    return "python"


def _on_fork_in_child():
    recorder.after_fork_in_child()
    faults.after_fork_in_child()
    # The forked child may never run anything we wrap: announce it lazily.
    recorder.set_pending_begin((None, os.getppid(), "fork", "fork", None, None))


def _wrap_os_exits():
    # os re-exports these from posix (nt on Windows): both must hold the wrapper,
    # or pickling os._exit by reference would find two different objects.
    platform_module = sys.modules.get(os.name)
    real_exit = os._exit

    def _exit(code):
        recorder.exit_event(code, "os._exit")
        recorder.flush()  # events recorded after an earlier process.exit (atexit handlers) too
        return real_exit(code)

    replace_in((os, platform_module), "_exit", impersonate(_exit, real_exit))

    # os.execvp and its kin try execve once per PATH entry: only the outermost
    # call, the one the user made, is announced (once, whatever it tries).
    exec_depth = [0]

    def wrap_exec(real):
        def exec_wrapper(*args, **kwargs):
            if exec_depth[0] == 0:
                recorder.emit("process.exec", (str(args[0]) if args else None,))
                recorder.flush()
            exec_depth[0] += 1
            try:
                return real(*args, **kwargs)
            finally:
                exec_depth[0] -= 1

        return impersonate(exec_wrapper, real)

    for name in ("execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe"):
        if hasattr(os, name):
            replace_in((os, platform_module), name, wrap_exec(getattr(os, name)))


def _wrap_excepthook():
    real_hook = sys.excepthook

    def excepthook(exc_type, exc, tb):
        try:
            from .hooks.errors import error_values
            from .hooks.tracebacks import clean_exception, hide_runtime_frames

            clean_exception(exc)
            tb = hide_runtime_frames(tb)
            recorder.emit("process.error", error_values(exc_type, exc, tb))
            recorder.flush()
        except Exception:
            pass
        if exc_type is KeyboardInterrupt and sys._getframe().f_back is None:
            _die_of_sigint_at_exit()
        return real_hook(exc_type, exc, tb)

    sys.excepthook = impersonate(excepthook, real_hook)


def _die_of_sigint_at_exit():
    """Have the interpreter end by SIGINT, as it does after a Ctrl-C the program let through.

    The interpreter notes that the program ended by KeyboardInterrupt before it
    calls the excepthook from top level (no Python frame under it), and dies of
    SIGINT at exit if the note still stands. But running a string of code forgets
    it, and the hook's first import of ``traceback`` does (``tokenize`` builds a
    namedtuple with ``exec``): the process would exit 1. A string that raises
    KeyboardInterrupt notes it again.
    """
    try:
        exec("raise KeyboardInterrupt")
    except KeyboardInterrupt:
        pass


def install():
    if not recorder.configure_from_environment():
        return
    role = _role_of_this_interpreter()
    begin = ("MainProcess", os.getppid(), role, None, list(sys.argv), recorder.python_info())
    if role == "process":
        # A spawned child: _bootstrap will tell its name; until then, hold it.
        recorder.set_pending_begin(begin)
    else:
        recorder.begin(begin)
        recorder.flush()

    from .hooks import threads

    threads.patch_threading()
    import threading

    from .hooks import conditions

    conditions.patch_thread_condition(threading.Condition)  # after threads (and sync): around their wrappers
    _wrap_os_exits()
    from .hooks import signals

    signals.patch_os()
    _wrap_excepthook()
    faults.arm()
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_on_fork_in_child)
    # Registered first, so it runs last: after multiprocessing's own exit handler.
    atexit.register(recorder.flush)

    sys.meta_path.insert(0, _PatchOnImport())
    for name, target in _PATCHES.items():
        module = sys.modules.get(name)
        if module is not None:
            _run_patch(target, module)
