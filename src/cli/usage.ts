export const USAGE = `Usage:
  procview run [options] [--] SCRIPT [ARGS...]   run a Python script under Process View
  procview run [options] -m MODULE [ARGS...]     run a module (python -m)
      --out FILE          write the trace here (default: .procview/<name>-<time>.pvtrace)
      --chrome FILE       also write the run as Chrome trace JSON (chrome://tracing, ui.perfetto.dev)
      --python PATH       interpreter (default: $PROCVIEW_PYTHON, then python3, then python)
      --hang-timeout SEC  no progress for this long, every thread waiting = a hang (default 3)
      --on-hang MODE      report: print why it hangs and keep waiting (default);
                          kill: print why, end the whole process tree, exit non-zero
      exit status: the script's own; non-zero after a hang kill
  procview summary TRACE [--json]                processes, threads, queues, pipes, locks, event count
  procview diagnose TRACE [--json]               verdict (ok, hang, error) and findings; exit 1 unless ok
  procview export TRACE --chrome FILE            write the run as Chrome trace JSON (--html: not available yet)
  procview help                                  this text
`;
