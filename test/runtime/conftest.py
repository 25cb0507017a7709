"""Shared helpers for the runtime tests: run a real script under `procview run`
(the real CLI, the real listener, real sockets) and read the `.pvtrace` it wrote.

    def test_x(procview):
        run = procview('''
            import sys
            print("hi")
        ''', "arg1")
        assert run.returncode == 0
        assert run.trace.by_kind("process.begin")

Scripts are written to ``tmp_path/prog.py`` and run with ``cwd=tmp_path``, so
``loc`` fields read ``prog.py:LINE``.
"""

import collections
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLI = REPO / "dist" / "cli.js"
TIMEOUT = 60
SCRIPT_NAME = "prog.py"

# The CLI's own last line on stderr, e.g. "procview: trace written to t.pvtrace (22 events)".
# Anchored at the end, not at a line start: when the script's stderr does not end
# in a newline, the CLI's line follows it on the same line. The diagnosis of the
# run's end (findings, lints), when there is one, comes just before it.
_CLI_LINE = re.compile(
    rb"(?:procview: (?:the program|also:|no problems)[\s\S]*?)?procview: trace written to [^\n]*\(\d+ events[^\n]*\)\n\Z"
)

START_METHODS = [m for m in ("fork", "spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]

# Roles of the interpreter's helper processes (not the program's own).
HELPER_ROLES = {"resource_tracker", "forkserver"}


def strip_cli_lines(stderr: bytes) -> bytes:
    return _CLI_LINE.sub(b"", stderr, count=1)


# ------------------------------------------------------------------ the trace


class Trace:
    """A parsed `.pvtrace`: the header and the events in file order, each named as a dict.

    Version 2 lines are positional arrays, named here by the header's `kinds`.
    """

    def __init__(self, path):
        self.path = Path(path)
        self.header = None
        self.events = []
        self.bad_lines = []
        with open(self.path, "rb") as f:
            for i, raw in enumerate(f):
                line = raw.decode("utf-8", "replace").strip()
                if not line:
                    continue
                try:
                    value = json.loads(line)
                except ValueError:
                    self.bad_lines.append(line)
                    continue
                if i == 0:
                    self.header = value
                elif isinstance(value, list):
                    self.events.append(self._named(value))
                else:
                    self.events.append(value)

    def _named(self, raw):
        t, pid, tid, kind, *values = raw
        names = (self.header or {}).get("kinds", {}).get(kind)
        event = {"t": t, "pid": pid, "tid": tid, "kind": kind}
        assert names is not None and len(names) == len(values), "event line does not fit its kind: %r" % (raw,)
        event.update(zip(names, values))
        return event

    # -- selection

    def by_kind(self, *kinds, pid=None):
        return [e for e in self.events if e["kind"] in kinds and (pid is None or e["pid"] == pid)]

    def kinds(self, pid=None):
        return [e["kind"] for e in self.events if pid is None or e["pid"] == pid]

    def sorted(self, events=None):
        """Events ordered by time (stable for equal `t`)."""
        return sorted(self.events if events is None else events, key=lambda e: e["t"])

    def one(self, kind, **match):
        found = [e for e in self.by_kind(kind) if all(e.get(k) == v for k, v in match.items())]
        assert len(found) == 1, "expected one %s %r, got %d: %r" % (kind, match, len(found), found)
        return found[0]

    # -- processes

    @property
    def processes(self):
        """pid -> the process's own ``process.begin`` event (first one)."""
        out = {}
        for e in self.by_kind("process.begin"):
            out.setdefault(e["pid"], e)
        return out

    def events_of(self, pid):
        return [e for e in self.events if e["pid"] == pid]

    @property
    def run_end(self):
        ends = self.by_kind("run.end")
        assert len(ends) == 1, ends
        return ends[0]

    @property
    def main_pid(self):
        """The main interpreter: the pid the listener wrote `process.exit` for (tid 0, how observed)."""
        observed = [e for e in self.by_kind("process.exit") if e["tid"] == 0 and e.get("how") == "observed"]
        assert len(observed) == 1, observed
        return observed[0]["pid"]

    def program_processes(self):
        """pid -> begin, without the interpreter's helpers (resource tracker, fork server)."""
        return {pid: b for pid, b in self.processes.items() if b.get("role") not in HELPER_ROLES}

    def own_exits(self, pid):
        """`process.exit` events the process sent itself (not the listener's)."""
        return [e for e in self.by_kind("process.exit", pid=pid) if e["tid"] != 0]

    def children_of(self, pid):
        return sorted(p for p, b in self.program_processes().items() if b.get("ppid") == pid)

    def by_name(self, name):
        found = [b for b in self.processes.values() if b.get("name") == name]
        assert len(found) == 1, (name, found)
        return found[0]

    # -- queues

    def match_queues(self):
        """Tie every queue.put to its queue.send (by pid, id, seq) and every
        send to its queue.get (by id, size, crc, in FIFO order).

        Returns a list of (put, send, get) triples, one per put, with send/get
        None where none was found. SimpleQueue puts carry size and crc
        themselves and have no send: for those, the put plays the send's part.
        """
        sends = {}
        for s in self.sorted(self.by_kind("queue.send")):
            key = (s["pid"], s["id"], s["seq"])
            assert key not in sends, "two sends for one put %r" % (key,)
            sends[key] = s
        # FIFO per (id, size, crc): sends (or SimpleQueue puts) ordered by time.
        pending = collections.defaultdict(collections.deque)
        triples = []
        for put in self.sorted([p for p in self.by_kind("queue.put") if p.get("outcome") == "ok"]):
            if "size" in put and put.get("size") is not None:  # SimpleQueue: the put wrote the bytes
                send = put
            else:
                send = sends.get((put["pid"], put["id"], put["seq"]))
            triples.append([put, send if send is not put else None, None])
            if send is not None:
                pending[(send["id"], send["size"], send["crc"])].append((send["t"], len(triples) - 1))
        for key in pending:
            pending[key] = collections.deque(sorted(pending[key]))
        for get in self.sorted([g for g in self.by_kind("queue.get") if g.get("outcome") == "ok"]):
            queue = pending.get((get["id"], get["size"], get["crc"]))
            if queue:
                _, index = queue.popleft()
                triples[index][2] = get
        return [tuple(t) for t in triples]

    def queue_ids(self):
        return {e["id"] for e in self.by_kind("queue.new")}

    # -- locks

    def lock_events(self, lock_id):
        return self.sorted([e for e in self.events if e["kind"].startswith("lock.") and e.get("id") == lock_id])


# ------------------------------------------------------------------ running


class Run:
    def __init__(self, args, proc, trace_path):
        self.args = args
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.raw_stderr = proc.stderr
        self.stderr = strip_cli_lines(proc.stderr)
        self.trace_path = trace_path
        self._trace = None

    @property
    def trace(self):
        if self._trace is None:
            assert self.trace_path.exists(), "no trace written; stderr:\n%s" % self.raw_stderr.decode(errors="replace")
            self._trace = Trace(self.trace_path)
        return self._trace

    @property
    def out(self):
        return self.stdout.decode()

    @property
    def err(self):
        return self.stderr.decode(errors="replace")

    def __repr__(self):
        return "<Run rc=%r stdout=%r stderr=%r>" % (self.returncode, self.stdout[-2000:], self.raw_stderr[-3000:])


def write_script(directory, source, name=SCRIPT_NAME):
    path = Path(directory) / name
    path.write_text(textwrap.dedent(source).lstrip("\n"))
    return path


def cli_command(script, args=(), out="t.pvtrace", python=None):
    return ["node", str(CLI), "run", "--out", str(out), "--python", python or sys.executable, "--", str(script), *map(str, args)]


def _env(extra):
    env = dict(os.environ)
    # Keep the test run's own variables from leaking into the script.
    for name in ("PROCVIEW_SOCKET", "PROCVIEW_TOKEN", "PYTHONPATH"):
        env.pop(name, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if extra:
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
    return env


def _run(cmd, cwd, stdin, env, timeout):
    """Run in a session of its own, so a hung run's whole tree (node, python,
    its children, a fork server) can be ended on timeout without orphans."""
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(env),
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(stdin if stdin is not None else b"", timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc.pid)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


def kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture
def sigint_not_ignored():
    """Programs started during the test take SIGINT as Python's default does (KeyboardInterrupt).

    A test run a shell without job control started in the background ignores
    SIGINT, and so would every program it starts: a Ctrl-C would go unseen.
    """
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    if ignored:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.fixture
def procview(tmp_path):
    """``procview(source, *args, stdin=None, env=None, timeout=60, python=None) -> Run`` through the real CLI."""
    counter = [0]

    def run(source, *args, stdin=None, env=None, timeout=TIMEOUT, name=SCRIPT_NAME, python=None):
        script = write_script(tmp_path, source, name)
        counter[0] += 1
        trace_path = tmp_path / ("t.pvtrace" if counter[0] == 1 else "t%d.pvtrace" % counter[0])
        cmd = cli_command(script.name, args, out=trace_path, python=python)
        proc = _run(cmd, tmp_path, stdin, env, timeout)
        return Run(cmd, proc, trace_path)

    return run


@pytest.fixture
def plain(tmp_path):
    """``plain(source, *args, ...) -> Run`` with plain python3 (no procview); ``.trace`` is unavailable."""

    def run(source, *args, stdin=None, env=None, timeout=TIMEOUT, name=SCRIPT_NAME, python=None):
        script = write_script(tmp_path, source, name)
        cmd = [python or sys.executable, script.name, *map(str, args)]
        proc = _run(cmd, tmp_path, stdin, env, timeout)
        return Run(cmd, proc, tmp_path / "no-trace")

    return run


@pytest.fixture(params=START_METHODS)
def method(request):
    return request.param


def check_well_formed(trace):
    """Properties every trace of a finished run has."""
    assert trace.header["format"] == "pvtrace"
    assert trace.header["version"] == 2
    assert not trace.bad_lines, trace.bad_lines[:3]
    for e in trace.events:
        assert {"t", "pid", "tid", "kind"} <= e.keys(), e
    assert trace.events[-1]["kind"] == "run.end"
