// `procview view TRACE [--port N]`: serve the viewer on 127.0.0.1 with the
// run inside, print its URL, and keep serving until Ctrl-C.

import { diagnose } from '../core/diagnosis/diagnose';
import { readTraceModel } from '../core/model/read-trace';
import { UsageError } from './errors';
import { openTrace } from './summary-command';
import { USAGE } from './usage';
import { ViewServer } from './view-server';
import { openRequestPrinter, parsePort, viewerAssets } from './viewer-output';
import { projectModel, runTitle } from '../core/view/project';

export async function viewCommand(argv: readonly string[]): Promise<number> {
  const paths: string[] = [];
  let port = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (arg === '--port' || arg.startsWith('--port=')) {
      port = parsePort(arg.startsWith('--port=') ? arg.slice('--port='.length) : argv[++i]);
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option for view: ${arg}`);
    else paths.push(arg);
  }
  const [tracePath] = paths;
  if (tracePath === undefined || paths.length > 1) throw new UsageError('view needs exactly one TRACE file');
  const assets = viewerAssets();
  const { header, model } = await openTrace(tracePath, readTraceModel);
  const title = runTitle(header);
  const server = new ViewServer({ assets, title, onMessage: openRequestPrinter });
  server.publish({ type: 'data', data: projectModel(model, { title, live: false, diagnosis: diagnose(model) }) });
  const url = await server.start(port).catch((error: unknown) => {
    throw new UsageError(`cannot serve the viewer on 127.0.0.1${port ? `:${port}` : ''}: ${(error as Error).message}`);
  });
  process.stdout.write(`${url}\n`);
  process.stderr.write('procview: serving the viewer on 127.0.0.1 (only this machine, only with the URL); Ctrl-C to stop\n');
  await untilInterrupted();
  await server.close();
  return 0;
}

/** Resolves on SIGINT or SIGTERM. */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
