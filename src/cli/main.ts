// The `procview` command: subcommand dispatch and the one place errors become
// a line on stderr and an exit status (never a stack trace for bad input).
// Each command's module is loaded when it is the one asked for: `run` starts
// the script sooner without the viewer's server and the exporters loaded first.

import { USAGE_ERROR_STATUS, UsageError } from './errors';
import { USAGE } from './usage';

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return (await import('./run-command')).runCommand(rest);
    case 'summary':
      return (await import('./summary-command')).summaryCommand(rest);
    case 'diagnose':
      return (await import('./diagnose-command')).diagnoseCommand(rest);
    case 'export':
      return (await import('./export-command')).exportCommand(rest);
    case 'view':
      return (await import('./view-command')).viewCommand(rest);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    case undefined:
      process.stderr.write(USAGE);
      return USAGE_ERROR_STATUS;
    default:
      throw new UsageError(
        command.startsWith('-') ? `unknown option: ${command}` : `unknown command: ${command} (try: procview help)`,
      );
  }
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`procview: ${error.message}\n`);
      process.exitCode = USAGE_ERROR_STATUS;
    } else {
      // A bug of ours, not the user's input: still one line, and a distinct status.
      process.stderr.write(`procview: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
