"""Who called us: the user's code, or the standard library's own machinery?

A call is recorded only when the user's code made it. The standard library uses
the same primitives internally (a Queue's read lock, a Pool's task queue, a
Condition's semaphores), and those uses are noise. Walking the stack we skip our
own frames and a short list of *transparent* library functions (thin factories
such as ``multiprocessing.Lock()`` or ``Queue.put_nowait``) that merely pass the
user's call on; the first frame after those decides.
"""

import os
import sys
import sysconfig

_getframe = sys._getframe

USER, LIBRARY, RUNTIME, GENERATED = 0, 1, 2, 3

_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _library_dirs():
    dirs = set()
    for key in ("stdlib", "platstdlib"):
        try:
            path = sysconfig.get_paths()[key]
        except (KeyError, OSError):
            continue
        if path:
            dirs.add(os.path.abspath(path) + os.sep)
    dirs.add(os.path.dirname(os.path.abspath(os.__file__)) + os.sep)
    return tuple(dirs)


_LIBRARY_DIRS = _library_dirs()
# CPython's own test suite ships inside the library, but it is a user of multiprocessing
# like any other program: running it under procview must exercise what users exercise.
_LIBRARY_TEST_DIRS = tuple(d + "test" + os.sep for d in _LIBRARY_DIRS)
_SITE_DIRS = ("site-packages", "dist-packages")

_kind_of_file = {}
_transparent = set()  # (co_filename, co_firstlineno) of pass-through library functions
_loc_prefix = {}  # co_filename -> the "path:" shown to people
_cwd = os.getcwd()


def _classify(filename):
    if filename.startswith(_RUNTIME_DIR):
        kind = RUNTIME
    elif filename.startswith("<frozen"):
        kind = LIBRARY
    elif filename == "<string>":
        kind = GENERATED  # python -c, or code the library exec()s (sharedctypes' accessors)
    elif filename.startswith(_LIBRARY_TEST_DIRS):
        kind = USER
    elif filename.startswith(_LIBRARY_DIRS) and not any(s in filename for s in _SITE_DIRS):
        kind = LIBRARY
    else:
        kind = USER
    _kind_of_file[filename] = kind
    return kind


def file_kinds():
    """What ``_classify`` goes by, for a reader of file names outside this process.

    The listener reads a crashed process's stack from faulthandler's dump and
    picks the user's frames by the same rule (src/core/ingest/fault-dump.ts):
    files of the runtime and of the library (but its tests, and packages
    installed in it) are not the user's, nor ``<frozen ...>``/``<string>``;
    locations are shown relative to ``cwd``; a stack ends at a stack root
    (``[file, function]``, see add_stack_root).
    """
    return {
        "cwd": _cwd,
        "runtime": _RUNTIME_DIR,
        "library": list(_LIBRARY_DIRS),
        "libraryTests": list(_LIBRARY_TEST_DIRS),
        "siteDirs": list(_SITE_DIRS),
        "stackRoots": [[code.co_filename, code.co_name] for code in _stack_roots],
    }


def add_transparent(*functions):
    """Declare library functions that only forward the user's call."""
    for fn in functions:
        code = getattr(fn, "__code__", None)
        if code is None:
            code = getattr(getattr(fn, "__func__", None), "__code__", None)
        if code is not None:
            _transparent.add((code.co_filename, code.co_firstlineno))
    _by_code.clear()  # a code judged before may be one of these


def add_transparent_class(cls):
    """Every function defined directly on ``cls`` forwards the user's call."""
    for value in vars(cls).values():
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if callable(value) and hasattr(value, "__code__"):
            add_transparent(value)


def _loc(filename, lineno):
    prefix = _loc_prefix.get(filename)
    if prefix is None:
        shown = filename
        if os.path.isabs(filename):
            try:
                rel = os.path.relpath(filename, _cwd)
                if not rel.startswith(".."):
                    shown = rel
            except ValueError:
                pass
        prefix = _loc_prefix[filename] = shown + ":"
    return prefix + str(lineno)


def user_site():
    """``file:line`` of the user's code that made the current call, or None.

    None means the call came from the library's own machinery (the first frame
    that is neither ours nor transparent belongs to the standard library).
    """
    return walk(_getframe(1), True)


def first_user_site():
    """``file:line`` of the innermost user frame on the stack, whoever called us."""
    return walk(_getframe(1), False)


# What a frame's code is, decided once per code object: for the user's code a
# dict of the ``file:line`` strings made so far (by instruction offset), for the
# rest one of these.
_SKIP, _STOP, _ASK_FRAME = 1, 2, 3
_by_code = {}
_MAX_CODES = 50_000  # code exec()'d in a loop makes new code objects: keep the cache bounded


def walk(frame, stop_at_library):
    """From ``frame`` outwards: the first user frame's ``file:line`` (None at library code if ``stop_at_library``)."""
    by_code = _by_code
    while frame is not None:
        code = frame.f_code
        seen = by_code.get(code)
        if seen is None:
            seen = _learn(code)
        if type(seen) is dict:
            # Keyed by the instruction, which is cheap to read (f_lineno is computed).
            at = frame.f_lasti
            loc = seen.get(at)
            if loc is None:
                loc = seen[at] = _loc(code.co_filename, frame.f_lineno)
            return loc
        if seen == _ASK_FRAME:
            if _kind_of_generated(frame) == USER:
                return _loc(code.co_filename, frame.f_lineno)
            seen = _STOP  # the library's exec()'d helpers are the library
        if seen == _STOP and stop_at_library:
            return None
        frame = frame.f_back
    return None


STACK_LIMIT = 32
_stack_roots = set()  # code objects where a thread's own stack begins (see add_stack_root)


def add_stack_root(*functions):
    """Declare library functions below which a stack is not the running code's own.

    A process started by ``multiprocessing`` runs its target under
    ``BaseProcess._bootstrap``; what lies outside it is how the process came to
    be (a forked child still has the frames of the parent's ``start()`` call, a
    spawned one ``spawn_main``), frames it never returns to.
    """
    for fn in functions:
        code = getattr(fn, "__code__", None)
        if code is not None:
            _stack_roots.add(code)


def user_stack(frame, limit=STACK_LIMIT):
    """The user's frames from ``frame`` outwards, as ``[(file:line, function), ...]``, outermost first.

    Classified as ``walk`` does (our frames and the library's are left out, the
    library's transparent ones too), at most ``limit`` of them (the innermost),
    None when there is none. For the slow path only: it walks the whole stack.
    """
    by_code = _by_code
    roots = _stack_roots
    found = []
    while frame is not None and len(found) < limit:
        code = frame.f_code
        if code in roots:
            break
        seen = by_code.get(code)
        if seen is None:
            seen = _learn(code)
        if type(seen) is dict:
            at = frame.f_lasti
            loc = seen.get(at)
            if loc is None:
                loc = seen[at] = _loc(code.co_filename, frame.f_lineno)
            found.append((loc, code.co_name))
        elif seen == _ASK_FRAME and _kind_of_generated(frame) == USER:
            found.append((_loc(code.co_filename, frame.f_lineno), code.co_name))
        frame = frame.f_back
    if not found:
        return None
    found.reverse()
    return found


def _learn(code):
    filename = code.co_filename
    kind = _kind_of_file.get(filename)
    if kind is None:
        kind = _classify(filename)
    if kind == USER:
        seen = {}
    elif kind == GENERATED:
        seen = _ASK_FRAME
    elif kind == LIBRARY and (filename, code.co_firstlineno) not in _transparent:
        seen = _STOP
    else:
        seen = _SKIP
    if len(_by_code) >= _MAX_CODES:
        _by_code.clear()
    _by_code[code] = seen
    return seen


def _kind_of_generated(frame):
    # Code run by `python -c` or the user's exec() has a module name; the
    # library's exec()'d helpers run in a bare namespace.
    return USER if "__name__" in frame.f_globals else LIBRARY


def short_name(kind, loc):
    """``Queue@pipeline.py:41``: a readable name from a kind and a location."""
    if not loc:
        return kind
    path, _, line = loc.rpartition(":")
    return "%s@%s:%s" % (kind, os.path.basename(path), line)


def is_runtime_file(filename):
    return filename.startswith(_RUNTIME_DIR)


_TRACEBACK_LINE = None


def _kind(filename):
    kind = _kind_of_file.get(filename)
    return _classify(filename) if kind is None else kind


def raise_site(error):
    """``file:line`` of the innermost user frame an exception went through, or None.

    A worker's error may have lost its traceback object on the way (a Pool or
    executor keeps only its text, to pickle it): then the text is read.
    For the slow path only (an error that ended a task or a process).
    """
    global _TRACEBACK_LINE
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        site = None
        tb = getattr(error, "__traceback__", None)
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if _kind(filename) == USER:
                site = _loc(filename, tb.tb_lineno)
            tb = tb.tb_next
        if site is None:
            text = getattr(error, "tb", None)
            if isinstance(text, str):
                if _TRACEBACK_LINE is None:
                    import re

                    _TRACEBACK_LINE = re.compile(r'^\s*File "(.+)", line (\d+)', re.M)
                for match in _TRACEBACK_LINE.finditer(text):
                    filename = match.group(1)
                    if _kind(filename) == USER:
                        site = _loc(filename, int(match.group(2)))
        if site is not None:
            return site
        # A Pool's ExceptionWithTraceback holds the error in .exc; an executor's, in the cause.
        error = getattr(error, "exc", None) or getattr(error, "__cause__", None)
    return None
