export const USAGE = `Usage:
  procview run [options] [--] SCRIPT [ARGS...]   run a Python script under Process View
  procview run [options] -m MODULE [ARGS...]     run a module (python -m)
      --out FILE      write the trace here (default: .procview/<name>-<time>.pvtrace)
      --chrome FILE   also write the run as Chrome trace JSON (chrome://tracing, ui.perfetto.dev)
      --python PATH   interpreter (default: $PROCVIEW_PYTHON, then python3, then python)
      exit status: the script's own
  procview summary TRACE [--json]                processes, threads, queues, pipes, locks, event count
  procview export TRACE --chrome FILE            write the run as Chrome trace JSON (--html: not available yet)
  procview help                                  this text
`;
