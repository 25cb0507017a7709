#!/usr/bin/env node
// Process View benchmark: plain `python3 WORKLOAD` against `procview run WORKLOAD`,
// then the viewer at scale (bench/viewer.ts: the HTML report of a ~1M-event
// trace and of a 1,000-process trace in headless Chromium), then the viewer
// live (bench/viewer-live.ts: frames per second while ~50k events/s arrive).
//
//   npm run bench [-- OPTIONS]        (same as: node bench/run.mjs [OPTIONS])
//
// For each workload the two commands run INTERLEAVED (plain, traced, plain,
// traced, ...), so drift in machine load hits both alike; each run is timed
// wall-clock with process.hrtime from spawn until the process has exited and
// closed its output. The table shows the medians, their ratio, the target and
// the number of events in the trace (lines of the .pvtrace minus its header).
// The exit status is 0 whether targets are met or not (this is a benchmark, not
// a test); it is non-zero when a run fails or the harness is misused.
//
// Options:
//   --runs N           measured pairs per workload (default 5, at least 1)
//   --warmup N         unmeasured pairs before them (default 1)
//   --only NAME        run only this workload (pipeline | locks | viewer | live); repeatable
//   --items N          passed to pipeline_heavy.py (default: its own, 100000)
//   --n N              passed to lock_pingpong.py (default: its own, 100000)
//   --viewer-items N   passed to viewer_mix.py for the viewer's big trace
//                      (default: its own, 85000 items: about 1M events)
//   --viewer-processes N  passed to many_processes.py (default: its own, 1000)
//   --viewer-loads N   timed page loads per report (default 5)
//   --live-seconds N   how long bench/live_steady.py sends events (default 15)
//   --live-rate N      events per second it aims at (default 50000)
//   --live-runs N      measured live runs, before the profiled one (default 1)
//   --python PATH      interpreter (default: $PROCVIEW_PYTHON, then python3); the
//                      interpreter it starts (sys.executable) is what runs, not a
//                      launcher in front of it (a pyenv shim adds 0.4 s a start here)
//   --traced-cmd TPL   command used for the traced runs instead of the CLI,
//                      also read from $PROCVIEW_BENCH_TRACED_CMD. A template,
//                      split on spaces, then each word's placeholders filled:
//                        {node} this node   {cli} <repo>/dist/cli.js
//                        {python} the interpreter   {out} the trace file
//                        {script} the workload path  {args} its arguments (own words)
//                      default: "{node} {cli} run --out {out} --python {python} -- {script} {args}"
//                      e.g. to test the harness before the CLI exists:
//                        node bench/run.mjs --traced-cmd "{python} {script} {args}"
//                      A template without {out} writes no trace: the events column
//                      shows "-". With {out}, a run that leaves no trace fails.
// After the table: what each target leaves for recording once a traced run's fixed cost
// (an empty script, plain against traced) is paid, set against the least any
// recording from Python costs (bench/wrapper_floor.py).
// Every run, plain or traced, must exit 0 and print the workload's "...: OK"
// line, so a traced command that does not really run the script is caught.
//   --keep             keep the temporary folder with the last trace of each workload
//                      (and the viewer's traces and reports, under viewer/; the live
//                      runs' traces and Chrome trace, under live/)
//   -h, --help         this text

import { spawn, spawnSync } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, "..");
const CLI = path.join(REPO_ROOT, "dist", "cli.js");
const DEFAULT_TRACED =
  "{node} {cli} run --out {out} --python {python} -- {script} {args}";

// `pairs`: the recorded operations the workload does, as pairs bench/wrapper_floor.py
// measures (`floor`: a queue's put+get, or a lock's acquire+release), given its size flag.
const WORKLOADS = [
  { name: "pipeline", script: "pipeline_heavy.py", sizeFlag: "--items", target: 1.15, floor: "queue", pairs: (items = 100000) => 2 * items },
  { name: "locks", script: "lock_pingpong.py", sizeFlag: "--n", target: 1.5, floor: "lock", pairs: (n = 100000) => 2 * n },
];
/** Not plain-against-traced workloads: bench/viewer.ts and bench/viewer-live.ts, after the others. */
const VIEWER = "viewer";
const LIVE = "live";

function usage() {
  const text = [];
  for (const line of readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n")) {
    if (line.startsWith("import")) break;
    if (line.startsWith("//")) text.push(line.replace(/^\/\/ ?/, ""));
  }
  return text.join("\n");
}

function fail(message, code = 2) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const opts = {
    runs: 5,
    warmup: 1,
    only: [],
    items: undefined,
    n: undefined,
    viewer: [],
    live: [],
    python: process.env.PROCVIEW_PYTHON || "python3",
    tracedCmd: process.env.PROCVIEW_BENCH_TRACED_CMD || "",
    keep: false,
  };
  const intArg = (flag, value, min) => {
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < min) {
      fail(`${flag} needs a whole number >= ${min}`);
    }
    return Number(value);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const [flag, inline] = arg.startsWith("--") && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case "--runs": opts.runs = intArg(flag, value(), 1); break;
      case "--warmup": opts.warmup = intArg(flag, value(), 0); break;
      case "--items": opts.items = intArg(flag, value(), 1); break;
      case "--n": opts.n = intArg(flag, value(), 1); break;
      case "--viewer-items": opts.viewer.push("--items", String(intArg(flag, value(), 1))); break;
      case "--viewer-processes": opts.viewer.push("--processes", String(intArg(flag, value(), 1))); break;
      case "--viewer-loads": opts.viewer.push("--loads", String(intArg(flag, value(), 1))); break;
      case "--live-seconds": opts.live.push("--seconds", String(intArg(flag, value(), 1))); break;
      case "--live-rate": opts.live.push("--rate", String(intArg(flag, value(), 1))); break;
      case "--live-runs": opts.live.push("--runs", String(intArg(flag, value(), 0))); break;
      case "--only": {
        const name = value();
        if (name !== VIEWER && name !== LIVE && !WORKLOADS.some((w) => w.name === name)) {
          fail(`--only takes one of: ${[...WORKLOADS.map((w) => w.name), VIEWER, LIVE].join(", ")}`);
        }
        opts.only.push(name);
        break;
      }
      case "--python": opts.python = value() ?? fail("--python needs a path"); break;
      case "--traced-cmd": opts.tracedCmd = value() ?? fail("--traced-cmd needs a template"); break;
      case "--keep": opts.keep = true; break;
      case "-h": case "--help": process.stdout.write(usage() + "\n"); process.exit(0); break;
      default: fail(`unknown argument ${JSON.stringify(arg)} (see --help)`);
    }
  }
  return opts;
}

/** Fill a command template; {args} expands to zero or more words. */
function expand(template, vars, args) {
  const words = template.trim().split(/\s+/).filter(Boolean);
  const out = [];
  for (const word of words) {
    if (word === "{args}") { out.push(...args); continue; }
    out.push(word.replace(/\{(\w+)\}/g, (m, key) => (key in vars ? vars[key] : m)));
  }
  return out;
}

/** Run a command; resolve with wall seconds, or reject with its output tail. */
function timed(argv, cwd) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => { stdout = (stdout + d).slice(-4000); });
    child.stderr.on("data", (d) => { stderr = (stderr + d).slice(-4000); });
    child.on("error", (err) => reject(new Error(`${argv.join(" ")}: ${err.message}`)));
    child.on("close", (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code === 0) resolve({ seconds, stdout });
      else reject(new Error(`${argv.join(" ")}\n  exited with ${signal ? "signal " + signal : "status " + code}` +
        (stderr.trim() ? `\n  stderr (end):\n${indent(stderr)}` : "") +
        (stdout.trim() ? `\n  stdout (end):\n${indent(stdout)}` : "")));
    });
  });
}

/**
 * What each target leaves for recording, against what recording costs at the
 * least. A traced run pays a fixed cost first (node's own start, the CLI, the
 * runtime's import: an empty script, plain against traced), then the workload's
 * operations, each recorded from Python (bench/wrapper_floor.py: the least a
 * recording can do, before any encoding, sending, writing or modelling).
 */
async function printWhatTargetsLeave(measured, opts, template, tmp) {
  const empty = path.join(tmp, "empty.py");
  writeFileSync(empty, 'print("empty: OK")\n');
  const out = path.join(tmp, "empty.pvtrace");
  const tracedCmd = expand(template, { node: process.execPath, cli: CLI, python: opts.python, out, script: empty }, []);
  const plainCmd = [opts.python, empty];
  const nodeCmd = [process.execPath, "-e", 'console.log("node: OK")'];
  const plain = [];
  const traced = [];
  const node = [];
  for (let i = 0; i < 6; i++) {
    plain.push(checked(await timed(plainCmd, tmp), plainCmd).seconds);
    traced.push(checked(await timed(tracedCmd, tmp), tracedCmd).seconds);
    node.push(checked(await timed(nodeCmd, tmp), nodeCmd).seconds);
  }
  const fixed = median(traced) - median(plain);
  const floors = spawnSync(opts.python, [path.join(BENCH_DIR, "wrapper_floor.py"), "--json"], { encoding: "utf8" });
  if (floors.status !== 0) {
    console.log(`\nfloor:  bench/wrapper_floor.py failed: ${floors.stderr.trim()}`);
    return;
  }
  const floor = JSON.parse(floors.stdout);
  const us = (seconds) => `${(seconds * 1e6).toFixed(2)} us`;
  console.log("\nWhat each target leaves for recording, and what recording costs at the least:");
  console.log(`  fixed cost of a traced run: ${median(traced).toFixed(3)} s for an empty script, against ${median(plain).toFixed(3)} s plain: ` +
    `${fixed.toFixed(3)} s (of it, node's own start: ${median(node).toFixed(3)} s)`);
  for (const kind of ["lock", "queue"]) {
    const { bare, floor: least } = floor[kind];
    console.log(`  ${kind === "lock" ? "a multiprocessing.Lock's acquire+release" : "a queue's put+get"}: ` +
      `${bare.toFixed(2)} us bare, ${least.toFixed(2)} us with the least possible recording (bench/wrapper_floor.py)`);
  }
  const leftAfter = (budget, cost, pairs) =>
    budget > cost ? `${(budget - cost).toFixed(3)} s, ${us((budget - cost) / pairs)} a pair` : "nothing";
  for (const { workload, plain: plainSeconds, pairs } of measured) {
    const budget = plainSeconds * (workload.target - 1);
    const perPair = (floor[workload.floor].floor - floor[workload.floor].bare) / 1e6;
    console.log(`  ${workload.name}: ${workload.target}x of ${plainSeconds.toFixed(3)} s allows ${budget.toFixed(3)} s more for ${pairs} recorded pairs. ` +
      `Left after the fixed cost: ${leftAfter(budget, fixed, pairs)}; after node's own start alone: ${leftAfter(budget, median(node), pairs)}. ` +
      `Recording alone costs ${us(perPair)} a pair of CPU (${(perPair * pairs).toFixed(3)} s in all)`);
  }
}

/** Each workload ends with a line "...: OK"; a run without it did not do the work. */
function checked(result, argv) {
  if (!/: OK\s*$/m.test(result.stdout)) {
    throw new Error(`${argv.join(" ")}\n  exited with status 0 but did not print the workload's OK line; stdout (end):\n${indent(result.stdout || "(empty)")}`);
  }
  return result;
}

function indent(text) {
  return text.trimEnd().split("\n").slice(-15).map((l) => "    " + l).join("\n");
}

/** Events in a .pvtrace: its lines (a last line without newline counts) minus the header. */
function countEvents(file) {
  return new Promise((resolve, reject) => {
    let lines = 0;
    let last = 0x0a;
    createReadStream(file)
      .on("data", (chunk) => {
        for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) lines++;
        if (chunk.length) last = chunk[chunk.length - 1];
      })
      .on("end", () => resolve(Math.max(0, lines + (last !== 0x0a ? 1 : 0) - 1)))
      .on("error", reject);
  });
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * The interpreter behind `python` and a line describing it. What is measured is
 * the interpreter itself: a launcher in front of it (a pyenv shim is a shell
 * script taking 0.4 s to start here) would add its start-up to plain and traced
 * runs alike, and so flatter the ratio.
 */
function resolvePython(python) {
  const r = spawnSync(python, ["-c", "import sys, multiprocessing as m; print(sys.version.split()[0], sys.implementation.name, m.get_start_method()); print(sys.executable)"],
    { encoding: "utf8" });
  if (r.error || r.status !== 0) fail(`cannot run the interpreter ${JSON.stringify(python)}: ${r.error ? r.error.message : r.stderr.trim()}`);
  const [about, executable] = r.stdout.trim().split("\n");
  const [version, impl, method] = (about ?? "").split(" ");
  const resolved = executable || python;
  const from = resolved === python ? "" : `, resolved from ${python}`;
  return { python: resolved, description: `${impl} ${version} (${resolved}${from}), default start method ${method}` };
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r, i) => {
    const line = r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join("  ");
    return i === 0 ? `${line}\n${widths.map((w) => "-".repeat(w)).join("  ")}` : line;
  }).join("\n");
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const fake = Boolean(opts.tracedCmd);
  const template = opts.tracedCmd || DEFAULT_TRACED;
  const workloads = WORKLOADS.filter((w) => !opts.only.length || opts.only.includes(w.name));
  const viewer = !opts.only.length || opts.only.includes(VIEWER);
  const live = !opts.only.length || opts.only.includes(LIVE);
  if (!fake && !existsSync(CLI)) {
    fail(`${path.relative(process.cwd(), CLI) || CLI} not found: build the CLI first, or pass --traced-cmd (see --help)`);
  }
  if ((viewer || live) && !existsSync(CLI)) {
    fail(`${path.relative(process.cwd(), CLI) || CLI} not found: the viewer benches need the built CLI and viewer (npm run build), whatever --traced-cmd says`);
  }
  // A template that names {out} promises a trace file; one that does not (a
  // plain-python stand-in) has no events to count.
  const expectTrace = template.includes("{out}");
  const cpus = os.cpus();
  console.log(`machine: ${cpus.length} x ${cpus[0]?.model?.trim() ?? "unknown cpu"}, ${os.platform()} ${os.release()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
  const interpreter = resolvePython(opts.python);
  opts.python = interpreter.python;
  console.log(`python:  ${interpreter.description}`);
  console.log(`node:    ${process.version}`);
  if (workloads.length) {
    console.log(`traced:  ${template}${fake ? "   (from --traced-cmd or $PROCVIEW_BENCH_TRACED_CMD)" : ""}`);
    console.log(`runs:    ${opts.runs} interleaved pairs per workload, after ${opts.warmup} warm-up pair(s)`);
  }
  console.log("");

  const tmp = mkdtempSync(path.join(os.tmpdir(), "procview-bench-"));
  const rows = [["workload", "plain s", "traced s", "ratio", "target", "result", "events", "trace MB"]];
  const measuredRows = [];
  const cleanup = () => { if (!opts.keep) rmSync(tmp, { recursive: true, force: true }); };
  process.on("SIGINT", () => { cleanup(); process.exit(130); });
  try {
    for (const w of workloads) {
      const script = path.join(BENCH_DIR, w.script);
      const size = w.name === "pipeline" ? opts.items : opts.n;
      const args = size === undefined ? [] : [w.sizeFlag, String(size)];
      const plainCmd = [opts.python, script, ...args];
      const out = path.join(tmp, `${w.name}.pvtrace`);
      const tracedCmd = expand(template, { node: process.execPath, cli: CLI, python: opts.python, out, script }, args);
      const plain = [];
      const traced = [];
      const events = [];
      let bytes = 0;
      process.stdout.write(`${w.name} (${w.script}${args.length ? " " + args.join(" ") : ""}): `);
      for (let i = 0; i < opts.warmup + opts.runs; i++) {
        const measured = i >= opts.warmup;
        const p = checked(await timed(plainCmd, REPO_ROOT), plainCmd);
        rmSync(out, { force: true });
        const t = checked(await timed(tracedCmd, REPO_ROOT), tracedCmd);
        if (expectTrace && !existsSync(out)) {
          throw new Error(`${tracedCmd.join(" ")}\n  exited with status 0 but wrote no trace file ${out}`);
        }
        if (measured) {
          plain.push(p.seconds);
          traced.push(t.seconds);
          if (expectTrace) {
            events.push(await countEvents(out));
            bytes = statSync(out).size;
          }
        }
        process.stdout.write(measured ? "." : "w");
      }
      process.stdout.write("\n");
      const mp = median(plain);
      const mt = median(traced);
      const ratio = mt / mp;
      measuredRows.push({ workload: w, plain: mp, pairs: w.pairs(size) });
      rows.push([
        w.name, mp.toFixed(3), mt.toFixed(3), ratio.toFixed(2) + "x", "<= " + w.target.toFixed(2) + "x",
        ratio <= w.target ? "met" : "MISSED",
        events.length ? String(Math.round(median(events))) : "-",
        events.length ? (bytes / 2 ** 20).toFixed(1) : "-",
      ]);
      console.log(`  plain:  ${plain.map((s) => s.toFixed(3)).join(" ")}`);
      console.log(`  traced: ${traced.map((s) => s.toFixed(3)).join(" ")}`);
    }
    if (workloads.length) {
      console.log("\n" + table(rows));
      if (!fake) await printWhatTargetsLeave(measuredRows, opts, template, tmp);
    }
    // Reading and modelling the pipeline's trace (issue: the model, at least 500k events).
    const pipelineTrace = path.join(tmp, "pipeline.pvtrace");
    if (existsSync(pipelineTrace)) {
      const model = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", path.join(BENCH_DIR, "model.ts"), pipelineTrace], {
        encoding: "utf8", cwd: REPO_ROOT,
      });
      console.log(model.status === 0 ? model.stdout.trim() : `model:  failed: ${model.stderr.trim()}`);
    }
    // The viewer at scale (issue: a 1M-event trace ready within 2 s, 16 ms frames, 1,000 lanes).
    if (viewer) {
      if (workloads.length) console.log("");
      const dir = path.join(tmp, "viewer");
      mkdirSync(dir);
      const args = ["--import", "tsx", path.join(BENCH_DIR, "viewer.ts"), "--tmp", dir, "--python", opts.python, ...opts.viewer];
      const run = spawnSync(process.execPath, args, { cwd: REPO_ROOT, stdio: "inherit" });
      if (run.status !== 0) {
        throw new Error(`node ${args.join(" ")}\n  exited with ${run.signal ? "signal " + run.signal : "status " + run.status}`);
      }
    }
    // The viewer live (issue: 50k events/s arriving keep the view above 30 frames per second).
    if (live) {
      if (workloads.length || viewer) console.log("");
      const dir = path.join(tmp, "live");
      mkdirSync(dir);
      const args = ["--import", "tsx", path.join(BENCH_DIR, "viewer-live.ts"), "--tmp", dir, "--python", opts.python, ...opts.live];
      const run = spawnSync(process.execPath, args, { cwd: REPO_ROOT, stdio: "inherit" });
      if (run.status !== 0) {
        throw new Error(`node ${args.join(" ")}\n  exited with ${run.signal ? "signal " + run.signal : "status " + run.status}`);
      }
    }
    if (opts.keep) console.log(`\ntraces kept in ${tmp}`);
  } catch (err) {
    process.stdout.write("\n");
    process.stderr.write(`bench: a run failed:\n  ${err.message}\n`);
    cleanup();
    process.exit(1);
  }
  cleanup();
}

main();
