"""Wrappers that stand where library functions stood must pass for them.

A module-level function the runtime replaces (``os._exit``, ``threading.Lock``,
``multiprocessing.pool.worker``...) can be pickled by reference, looked up by
name, or introspected. The wrapper takes the original's name, qualified name,
module and docstring, so pickle finds the wrapper at the original's address and
the bytes on the wire do not change.
"""


def impersonate(wrapper, original):
    for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
        try:
            setattr(wrapper, attribute, getattr(original, attribute))
        except (AttributeError, TypeError):
            pass
    return wrapper


def replace_in(modules, name, wrapper):
    """Put ``wrapper`` at ``name`` in every module given (``os`` and ``posix`` share ``_exit``)."""
    for module in modules:
        if module is not None and hasattr(module, name):
            setattr(module, name, wrapper)
