// Bad input: one line on stderr starting with `procview: `, exit status 2, never a stack.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, scratchDir, type CliResult } from '../helpers';

const dir = scratchDir();
const file = (name: string, text: string): string => {
  const filePath = path.join(dir, name);
  writeFileSync(filePath, text);
  return filePath;
};
const script = file('ok.py', 'print("hi")\n');

function assertRefused(result: CliResult, message: RegExp): void {
  assert.equal(result.status, 2, result.stderr);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected:\n${result.stderr}`);
  assert.match(lines[0] ?? '', /^procview: /);
  assert.match(lines[0] ?? '', message);
}

describe('procview help', () => {
  for (const args of [['help'], ['--help'], ['-h'], ['run', '--help']]) {
    it(`prints the usage for ${args.join(' ')}`, () => {
      const result = runCli(args);
      assert.equal(result.status, 0);
      assert.match(result.stdout, /procview run \[options\] \[--\] SCRIPT/);
      assert.match(result.stdout, /procview summary TRACE \[--json\]/);
      assert.match(result.stdout, /procview export TRACE --chrome FILE/);
      assert.match(result.stdout, /--chrome FILE/);
    });
  }

  it('prints the usage to stderr and fails without a command', () => {
    const result = runCli([]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /Usage:/);
  });
});

describe('commands and options that do not exist yet are unknown', () => {
  for (const command of ['frobnicate']) {
    it(`refuses the command ${command}`, () => {
      assertRefused(runCli([command, 'x.pvtrace']), new RegExp(`unknown command: ${command}`));
    });
  }
  it('refuses run --json', () => {
    assertRefused(runCli(['run', '--json', 'x', script]), /unknown option for run: --json/);
  });
  it('refuses --html without a file, --view with a value, and a report that would overwrite the trace', () => {
    assertRefused(runCli(['run', '--html=', script]), /--html needs a value/);
    assertRefused(runCli(['run', '--view=yes', script]), /--view takes no value/);
    assertRefused(runCli(['export', 'a.pvtrace', '--html']), /--html needs a value/);
    assertRefused(runCli(['export', 'a.pvtrace', '--html', 'a.pvtrace']), /--html a.pvtrace would overwrite the trace it reads/);
    assertRefused(runCli(['export', 'a.pvtrace', '--html', 'x', '--chrome', 'x']), /--chrome and --html name the same file/);
  });
  it('refuses view without exactly one trace, and a bad --port', () => {
    assertRefused(runCli(['view']), /view needs exactly one TRACE file/);
    assertRefused(runCli(['view', 'a.pvtrace', '--port', 'http']), /--port needs a port number/);
    assertRefused(runCli(['view', path.join(dir, 'missing.pvtrace')]), /no such trace file/);
  });
  it('refuses a hang timeout that is not a positive number, and an unknown --on-hang', () => {
    assertRefused(runCli(['run', '--hang-timeout', 'soon', script]), /--hang-timeout needs a number of seconds greater than 0/);
    assertRefused(runCli(['run', '--hang-timeout=0', script]), /--hang-timeout needs a number of seconds greater than 0/);
    assertRefused(runCli(['run', '--on-hang', 'panic', script]), /--on-hang is report or kill, not "panic"/);
  });
  it('refuses diagnose without exactly one trace, and an unknown option of diagnose', () => {
    assertRefused(runCli(['diagnose']), /diagnose needs exactly one TRACE file/);
    assertRefused(runCli(['diagnose', '--chrome', 'a.pvtrace']), /unknown option for diagnose: --chrome/);
    assertRefused(runCli(['diagnose', path.join(dir, 'missing.pvtrace')]), /no such trace file/);
  });
  it('refuses an unknown option of summary and a top-level option', () => {
    assertRefused(runCli(['summary', '--chrome', 'x.json', 'a.pvtrace']), /unknown option for summary: --chrome/);
    assertRefused(runCli(['--version']), /unknown option: --version/);
  });
});

describe('procview run: bad input', () => {
  it('refuses a missing script', () => {
    assertRefused(runCli(['run', path.join(dir, 'missing.py')]), /no such script: .*missing\.py/);
  });

  it('refuses a file that is not Python', () => {
    assertRefused(runCli(['run', file('notes.txt', 'hello\n')]), /notes\.txt is not a Python file/);
  });

  it('refuses a folder without __main__.py', () => {
    const folder = path.join(dir, 'pkg');
    mkdirSync(folder, { recursive: true });
    assertRefused(runCli(['run', folder]), /pkg is a folder without __main__\.py/);
  });

  it('accepts a file with a python #! line (and then reports the missing interpreter)', () => {
    const tool = file('tool', '#!/usr/bin/env python3\nprint(1)\n');
    const out = path.join(dir, 'never.pvtrace');
    assertRefused(runCli(['run', '--out', out, '--python', '/nonexistent/python9', tool]), /interpreter not found: \/nonexistent\/python9/);
    assert.ok(!existsSync(out), 'no trace file is left behind');
  });

  it('reports a missing $PROCVIEW_PYTHON', () => {
    const result = runCli(['run', '--out', path.join(dir, 'x.pvtrace'), script], {
      env: { ...process.env, PROCVIEW_PYTHON: '/nonexistent/py' },
    });
    assertRefused(result, /interpreter not found: \/nonexistent\/py/);
  });

  it('needs a script or a module', () => {
    assertRefused(runCli(['run']), /run needs a SCRIPT or -m MODULE/);
    assertRefused(runCli(['run', '-m']), /-m needs a value/);
    assertRefused(runCli(['run', '--out']), /--out needs a value/);
    assertRefused(runCli(['run', '--chrome']), /--chrome needs a value/);
    assertRefused(runCli(['run', '--chrome=', script]), /--chrome needs a value/);
  });

  it('refuses a Chrome trace path it cannot write, before running anything', () => {
    const out = path.join(dir, 'not-run.pvtrace');
    const result = runCli(['run', '--out', out, '--chrome', dir, script]);
    assertRefused(result, /cannot write the Chrome trace .*: EISDIR/);
    assert.equal(result.stdout, '', 'the script did not run');
    const underFile = runCli(['run', '--out', out, '--chrome', path.join(script, 'x.json'), script]);
    assertRefused(underFile, /cannot write the Chrome trace .*ok\.py.x\.json/);
    assertRefused(runCli(['run', '--out', out, '--chrome', out, script]), /is also the trace file/);
  });
});

describe('procview summary: bad input', () => {
  it('refuses a missing trace file', () => {
    assertRefused(runCli(['summary', path.join(dir, 'gone.pvtrace')]), /no such trace file: .*gone\.pvtrace/);
  });

  it('refuses a file that is not a trace', () => {
    assertRefused(runCli(['summary', script]), /ok\.py is not a Process View trace/);
    assertRefused(runCli(['summary', dir]), /is a folder, not a trace file/);
  });

  it('refuses a trace of a newer format version', () => {
    const newer = file('newer.pvtrace', JSON.stringify({ format: 'pvtrace', version: 99 }) + '\n');
    assertRefused(runCli(['summary', newer]), /newer\.pvtrace was written in trace format version 99; this procview reads up to version 2/);
  });

  it('needs exactly one trace', () => {
    assertRefused(runCli(['summary']), /summary needs exactly one TRACE file/);
    assertRefused(runCli(['summary', 'a', 'b']), /summary needs exactly one TRACE file/);
  });
});

describe('procview export: bad input', () => {
  const trace = file('empty.pvtrace', JSON.stringify({ format: 'pvtrace', version: 2 }) + '\n');

  it('needs exactly one trace and --chrome FILE', () => {
    assertRefused(runCli(['export']), /export needs exactly one TRACE file/);
    assertRefused(runCli(['export', trace, trace, '--chrome', 'x.json']), /export needs exactly one TRACE file/);
    assertRefused(runCli(['export', trace]), /export needs --chrome FILE/);
    assertRefused(runCli(['export', trace, '--chrome']), /--chrome needs a value/);
    assertRefused(runCli(['export', trace, '--chrome=']), /--chrome needs a value/);
    assertRefused(runCli(['export', trace, '--json']), /unknown option for export: --json/);
  });

  it('refuses a missing trace, a file that is not a trace, and an output it cannot write', () => {
    const out = path.join(dir, 'out.json');
    assertRefused(runCli(['export', path.join(dir, 'gone.pvtrace'), '--chrome', out]), /no such trace file: .*gone\.pvtrace/);
    assertRefused(runCli(['export', script, '--chrome', out]), /ok\.py is not a Process View trace/);
    assertRefused(runCli(['export', trace, '--chrome', dir]), /cannot write the Chrome trace .*: EISDIR/);
    assertRefused(runCli(['export', trace, '--chrome', trace]), /would overwrite the trace it reads/);
  });

  it('exports a trace with no events to a valid, empty trace', () => {
    const out = path.join(dir, 'empty.json');
    const result = runCli(['export', trace, `--chrome=${out}`]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, `procview: Chrome trace written to ${out}\n`);
    const written = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: unknown[]; displayTimeUnit: string };
    assert.deepEqual(written.traceEvents, []);
    assert.equal(written.displayTimeUnit, 'ns');
  });
});
