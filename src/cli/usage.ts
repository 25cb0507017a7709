export const USAGE = `Usage:
  procview run [options] [--] SCRIPT [ARGS...]   run a Python script under Process View
  procview run [options] -m MODULE [ARGS...]     run a module (python -m)
      --out FILE      write the trace here (default: .procview/<name>-<time>.pvtrace)
      --python PATH   interpreter (default: $PROCVIEW_PYTHON, then python3, then python)
      exit status: the script's own
  procview summary TRACE [--json]                processes, threads, queues, pipes, locks, event count
  procview help                                  this text
`;
