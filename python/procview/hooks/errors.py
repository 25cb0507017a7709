"""What an uncaught exception looked like, as event fields."""

import traceback

from .. import callsite

MAX_TRACEBACK_CHARS = 8000


def error_values(exc_type, exc, tb):
    """The values of a ``process.error`` event: type, message, file, line, traceback."""
    message = _safe_str(exc)
    file = line = None
    if isinstance(exc, SyntaxError):
        file, line, message = exc.filename, exc.lineno, exc.msg
    else:
        # Where the user's code raised it (or let it through), not the library's innermost frame.
        site = callsite.raise_site(exc)
        if site is not None:
            file, _, at = site.rpartition(":")
            line = int(at)
        elif tb is not None:
            last = traceback.extract_tb(tb)[-1]
            file, line = last.filename, last.lineno
    try:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
    except Exception:
        text = ""
    return (getattr(exc_type, "__name__", str(exc_type)), message, file, line, text[-MAX_TRACEBACK_CHARS:])


def _safe_str(exc):
    try:
        return str(exc)[:500]
    except Exception:
        return "<unprintable %s>" % type(exc).__name__
