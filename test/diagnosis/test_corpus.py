"""Every program of the corpus (programs/, see its README) run for real under
`procview run --on-hang kill`, then `procview diagnose --json` on its trace:
the verdict, the finding kinds, the culprits and the lines its header names,
for some the words (SAYS), and nothing of the run left alive afterwards."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"
CLI = HERE.parent.parent / "dist" / "cli.js"
# Short enough to keep the corpus quick, long enough that a busy machine's
# scheduling gaps are not taken for a hang (a hang needs every thread waiting).
HANG_TIMEOUT_S = "1.5"
RUN_TIMEOUT_S = 90


def header(path):
    fields = {}
    for line in path.read_text().splitlines():
        match = re.match(r"#\s*(expect|kinds|lints|culprits|lines|why):\s*(.*)$", line)
        if match:
            fields[match.group(1)] = match.group(2).strip()
        elif fields and not line.startswith("#"):
            break
    listed = lambda key: [v.strip() for v in fields.get(key, "").split(",") if v.strip()]
    return {
        "expect": fields.get("expect", "ok"),
        "kinds": listed("kinds"),
        "lints": listed("lints"),
        "culprits": listed("culprits"),
        "lines": [int(v) for v in listed("lines")],
    }


# What the diagnosis cannot do yet, each named in docs/findings.md ("Known
# limits"). Strict: a program that starts passing fails here until it is taken
# off this list.
KNOWN_GAPS = {}


# What a finding must say, in words, where the explanation is the point of the
# program (the header pins kinds, culprits and lines, not the words): a regular
# expression one of the expected kinds' summaries must match.
SAYS = {
    "wait_unsignaled_joinable_queue_missing_task_done": r"4 items were put and all taken, but task_done\(\) was called 3 times",
    "wait_unsignaled_thread_pool_nested_submit": r"render_page, a task still queued in ThreadPoolExecutor@\S+, the pool it runs in",
    "get_starved_thread_pool_consumer_before_producer": r"behind it, extract waits in ThreadPoolExecutor@\S+'s queue",
    # A Manager queue's gets, from two processes, pair with their puts by item, not by arrival.
    "get_starved_manager_queue_one_marker_spawn": r"1 end marker None put for 2 consumers",
}


def programs():
    found = sorted(p for p in PROGRAMS.glob("*.py")) if PROGRAMS.is_dir() else []
    return [
        pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[p.stem])) if p.stem in KNOWN_GAPS else p
        for p in found
    ]


def run(cmd, cwd, timeout):
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("program", programs(), ids=lambda p: getattr(p, "stem", str(p)))
def test_program(program, tmp_path):
    want = header(program)
    trace = tmp_path / "t.pvtrace"
    cmd = [
        "node", str(CLI), "run", "--hang-timeout", HANG_TIMEOUT_S, "--on-hang", "kill", "--out", str(trace),
        "--python", sys.executable, "--", program.name,
    ]
    code, _, err = run(cmd, PROGRAMS, RUN_TIMEOUT_S)
    code_d, out_d, err_d = run(["node", str(CLI), "diagnose", "--json", str(trace)], PROGRAMS, 60)
    assert err_d == "", err_d
    diagnosis = json.loads(out_d)
    kinds = [f["kind"] for f in diagnosis["findings"]]
    context = "procview run exit %d; stderr:\n%s\nfindings: %s" % (code, err[-4000:], json.dumps(diagnosis["findings"], indent=1)[:6000])

    # Nothing of the run is left: every process the trace knows of is gone.
    summary = json.loads(subprocess.run(["node", str(CLI), "summary", "--json", str(trace)], capture_output=True, check=True).stdout)
    time.sleep(0.2)
    survivors = [p["pid"] for p in summary["processes"] + summary["helpers"] if alive(p["pid"])]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == [], "left running: %s\n%s" % (survivors, context)

    assert diagnosis["verdict"] == want["expect"], context
    assert (code_d == 0) == (want["expect"] == "ok"), context
    if want["expect"] == "hang":
        assert code != 0, context
    if want["expect"] == "ok":
        assert code == 0, context
    for kind in want["kinds"] + want["lints"]:
        assert kind in kinds, "%s not found\n%s" % (kind, context)
    relevant = [f for f in diagnosis["findings"] if f["kind"] in want["kinds"] + want["lints"]] or diagnosis["findings"]
    named = {p["name"] for f in relevant for p in f["processes"]} | {p["thread"] for f in relevant for p in f["processes"] if p["thread"]}
    for culprit in want["culprits"]:
        assert culprit in named, "culprit %s not named\n%s" % (culprit, context)
    pointed = {loc.rsplit(":", 1)[1] for f in relevant for loc in f["locations"] if loc.split(":")[0].endswith(program.name)}
    for line in want["lines"]:
        assert str(line) in pointed, "line %d not pointed at\n%s" % (line, context)
    if program.stem in SAYS:
        assert any(re.search(SAYS[program.stem], f["summary"]) for f in relevant), "does not say %r\n%s" % (SAYS[program.stem], context)
    for finding in diagnosis["findings"]:
        assert finding["summary"] and finding["hint"], finding
