"""procview's entry into every interpreter of a run (this folder is first on PYTHONPATH).

It arms the runtime, then hands over to whatever ``sitecustomize`` the
interpreter would have imported without us (Debian ships one), and finally
takes its own traces out of ``sys.path`` and ``sys.modules`` so the program sees
the interpreter as it would be without procview.
"""


def _boot():
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    runtime_parent = os.path.dirname(os.path.dirname(here))

    def is_boot_dir(entry):
        return os.path.abspath(entry or os.curdir) == here

    ours = sys.modules.pop("sitecustomize", None)
    sys.path[:] = [entry for entry in sys.path if not is_boot_dir(entry)]

    sys.path.insert(0, runtime_parent)
    try:
        from procview import install

        install.install()
    except Exception:
        pass  # never let the runtime keep a program from starting
    finally:
        if sys.path and sys.path[0] == runtime_parent:
            del sys.path[0]

    # Chain the sitecustomize we shadowed. Its errors surface exactly as they would
    # without us ("Error in sitecustomize"), because site.py catches them around us.
    import importlib

    try:
        importlib.import_module("sitecustomize")
    except ImportError as exc:
        if exc.name != "sitecustomize":
            raise
        # None to chain: the import system expects to find the module it is running.
        if ours is not None:
            sys.modules["sitecustomize"] = ours


_boot()
del _boot
