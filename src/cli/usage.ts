export const USAGE = `Usage:
  procview run [options] [--] SCRIPT [ARGS...]   run a Python script under Process View
  procview run [options] -m MODULE [ARGS...]     run a module (python -m)
      --out FILE          write the trace here (default: .procview/<name>-<time>.pvtrace)
      --chrome FILE       also write the run as Chrome trace JSON (chrome://tracing, ui.perfetto.dev)
      --html FILE         also write the standalone HTML report (the viewer, with the run inside)
      --view              serve the viewer live on 127.0.0.1 while the program runs (prints the URL;
                          after the run it keeps serving until Ctrl-C)
      --serve FILE        serve the live view for a program (the VS Code extension): the URL is
                          written into FILE, serving ends with the run, the page can stop the run
      --hold              after the run, wait for a key before exiting (in a terminal that closes
                          when its process ends)
      --python PATH       interpreter (default: $PROCVIEW_PYTHON, then python3, then python)
      --hang-timeout SEC  no progress for this long, every thread waiting = a hang (default 3)
      --on-hang MODE      report: print why it hangs and keep waiting (default);
                          kill: print why, end the whole process tree, exit non-zero
      exit status: the script's own; non-zero after a hang kill
  procview summary TRACE [--json]                processes, threads, queues, pipes, locks, event count
  procview diagnose TRACE [--json]               verdict (ok, hang, error) and findings; exit 1 unless ok
  procview export TRACE --chrome FILE            write the run as Chrome trace JSON
  procview export TRACE --html FILE              write the standalone HTML report (one file, opens in any browser)
  procview view TRACE [--port N]                 serve the viewer on 127.0.0.1 and print its URL (Ctrl-C to stop)
  procview help                                  this text
`;
