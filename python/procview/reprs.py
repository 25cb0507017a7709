"""Short, bounded reprs of the user's objects.

Built-in values go through ``reprlib`` with tight limits, so a 100 MB bytes
object costs as much as a short one. The user's own ``__repr__`` is never
called, at the top or inside a container: it may take a lock the caller holds,
talk to a server, or have side effects the program without us never had. Such
objects show as ``<module.Class object>``.
"""

import itertools
import reprlib
import threading

MAX_CHARS = 120


def _placeholder(kind):
    return "<%s.%s object>" % (kind.__module__, kind.__qualname__)


class _BuiltinsOnly(reprlib.Repr):
    """reprlib, but only ever for built-in values, and dicts in their own order."""

    def repr1(self, x, level):
        kind = type(x)
        if kind.__module__ != "builtins":
            return _placeholder(kind)
        return super().repr1(x, level)

    def repr_dict(self, x, level):
        # reprlib sorts the keys; a dict's order is part of what it says.
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        pieces = ["%s: %s" % (self.repr1(key, level - 1), self.repr1(value, level - 1)) for key, value in itertools.islice(x.items(), self.maxdict)]
        if len(x) > self.maxdict:
            pieces.append("...")
        return "{%s}" % ", ".join(pieces)


_limits = _BuiltinsOnly()
_limits.maxstring = 60
_limits.maxother = 60
_limits.maxlong = 40
_limits.maxlist = _limits.maxtuple = _limits.maxset = _limits.maxfrozenset = 6
_limits.maxdeque = _limits.maxarray = 6
_limits.maxdict = 4
_limits.maxlevel = 3

_BUILTIN_SCALARS = (str, bytes, bytearray, int, float, complex, bool, type(None))
_BUILTIN_CONTAINERS = (list, tuple, dict, set, frozenset)
_BUILTIN_REPRS = set(_BUILTIN_SCALARS) | set(_BUILTIN_CONTAINERS) | {range}

_inside = threading.local()

_SMALL_STR = 40
_SHORT_SCALARS = {int, float, bool, type(None)}


def _is_small(value):
    kind = type(value)
    if kind is str:
        return len(value) <= _SMALL_STR
    if kind is int:
        return -(1 << 64) < value < (1 << 64)
    return kind in _SHORT_SCALARS


def short_repr(obj):
    # The common items (numbers, short strings, small tuples of them) take the
    # plain repr: it is exact, bounded, and five times faster than reprlib.
    kind = type(obj)
    if kind is tuple or kind is list:
        if len(obj) <= 6:
            for item in obj:
                if not _is_small(item):
                    break
            else:
                return repr(obj)
    elif _is_small(obj):
        return repr(obj)
    if kind not in _BUILTIN_REPRS and kind.__module__ != "builtins":
        # The user's own __repr__ is never called: it may take a lock the caller holds,
        # talk to a server, or have side effects that the program without us never had.
        return _placeholder(kind)
    if kind in (bytes, bytearray, str):
        obj = obj[:200]  # reprlib would build the whole repr first
    return _bounded_repr(obj)


def _bounded_repr(obj):
    if getattr(_inside, "busy", False):
        return "<%s>" % type(obj).__name__
    _inside.busy = True
    try:
        if isinstance(obj, _BUILTIN_SCALARS) or type(obj) in _BUILTIN_CONTAINERS:
            text = _limits.repr(obj)
        else:
            text = repr(obj)
    except Exception as exc:  # a user __repr__ may raise anything
        text = "<%s, repr failed: %s>" % (type(obj).__name__, type(exc).__name__)
    finally:
        _inside.busy = False
    if not isinstance(text, str):
        text = "<%s>" % type(obj).__name__
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS - 3] + "..."
    return text
