"""What an uncaught exception looked like, as event fields."""

import traceback

MAX_TRACEBACK_CHARS = 8000


def error_fields(exc_type, exc, tb):
    fields = {
        "type": getattr(exc_type, "__name__", str(exc_type)),
        "message": _safe_str(exc),
        "file": None,
        "line": None,
    }
    if isinstance(exc, SyntaxError):
        fields["file"] = exc.filename
        fields["line"] = exc.lineno
        fields["message"] = exc.msg
    elif tb is not None:
        last = traceback.extract_tb(tb)[-1]
        fields["file"] = last.filename
        fields["line"] = last.lineno
    try:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
    except Exception:
        text = ""
    fields["traceback"] = text[-MAX_TRACEBACK_CHARS:]
    return fields


def _safe_str(exc):
    try:
        return str(exc)[:500]
    except Exception:
        return "<unprintable %s>" % type(exc).__name__
