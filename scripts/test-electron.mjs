// `npm run test:electron`: the host suite (test/vscode-host/suite.ts) in the
// desktop VS Code, by @vscode/test-electron, for machines that can download it
// (from update.code.visualstudio.com, into .vscode-test/). Where they cannot,
// `npm run test:vscode` runs the same suite in code-server
// (test/vscode/host-suite.test.ts).
//
// The VS Code version is the newest stable one that package.json's
// engines.vscode allows, unless VSCODE_TEST_VERSION says otherwise ("stable",
// "insiders", "1.100.3"...). VSCODE_EXECUTABLE_PATH runs a VS Code already on
// the machine instead of downloading one. On Linux without a display, run it
// under a virtual one: `xvfb-run -a npm run test:electron`.
//
// Needs dist/ built (the npm script builds it). Exit status: 0 when every check
// passed; 1 when a check failed or VS Code could not be had.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadAndUnzipVSCode, runTests, TestRunFailedError } from '@vscode/test-electron';
import { buildHostSuite } from './build-host-suite.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// As in test/vscode-host/results.ts.
const RESULTS_ENV = 'PROCVIEW_HOST_SUITE_RESULTS';

const say = (text) => console.log(`test-electron: ${text}`);
const fail = (text) => {
  console.error(`test-electron: ${text}`);
  process.exitCode = 1;
};

async function main() {
  if (!existsSync(path.join(root, 'dist', 'extension.js'))) {
    fail('dist/extension.js is missing: run `npm run build` first (`npm run test:electron` does).');
    return;
  }
  const extensionTestsPath = await buildHostSuite();

  let vscodeExecutablePath = process.env.VSCODE_EXECUTABLE_PATH;
  if (!vscodeExecutablePath) {
    const version = process.env.VSCODE_TEST_VERSION;
    say(`getting VS Code ${version ?? `(the newest stable one for engines.vscode)`} into .vscode-test/`);
    try {
      vscodeExecutablePath = await downloadAndUnzipVSCode({
        ...(version ? { version } : {}),
        // For the version that package.json's engines.vscode allows.
        extensionDevelopmentPath: root,
        timeout: 30_000,
      });
    } catch (error) {
      fail(
        `could not download VS Code: ${error instanceof Error ? error.message : String(error)}\n` +
          '  This machine cannot reach update.code.visualstudio.com (or its download failed).\n' +
          '  Run the same suite in code-server instead: `npm run test:vscode` (test/vscode/host-suite.test.ts),\n' +
          '  or point VSCODE_EXECUTABLE_PATH at a VS Code already installed.',
      );
      return;
    }
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    say('warning: no DISPLAY; VS Code will not start without one: run this under `xvfb-run -a`');
  }

  const scratch = mkdtempSync(path.join(os.tmpdir(), 'procview-electron-'));
  const workspace = path.join(scratch, 'workspace');
  const resultsFile = path.join(scratch, 'results.json');
  mkdirSync(workspace);
  cpSync(path.join(root, 'examples', 'pipeline.py'), path.join(workspace, 'pipeline.py'));
  cpSync(path.join(root, 'test', 'vscode-host', 'deadlock.py'), path.join(workspace, 'deadlock.py'));
  try {
    say(`running the host suite in ${vscodeExecutablePath}`);
    let runError;
    try {
      // VS Code exits when run() settles: status 0 when it resolved.
      await runTests({
        vscodeExecutablePath,
        extensionDevelopmentPath: root,
        extensionTestsPath,
        extensionTestsEnv: { [RESULTS_ENV]: resultsFile },
        // The folder to open first; then no other extension than ours.
        launchArgs: [workspace, '--disable-extensions'],
      });
    } catch (error) {
      runError = error;
    }
    if (existsSync(resultsFile)) {
      const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
      say(`${results.host.appName} ${results.host.version}: ${results.checks.filter((c) => c.ok).length} of ${results.checks.length} checks passed in ${(results.ms / 1000).toFixed(1)} s`);
      for (const check of results.checks) {
        console.log(`  ${check.ok ? 'ok  ' : 'FAIL'} ${(check.ms / 1000).toFixed(1).padStart(5)} s  ${check.name}${check.ok ? '' : `\n${check.error}`}`);
      }
      if (!results.ok) fail('some checks failed');
    } else {
      fail(`the suite wrote no results (${resultsFile})`);
    }
    if (runError instanceof TestRunFailedError) fail(`VS Code ended with ${runError.code ?? runError.signal}`);
    else if (runError) fail(`could not run VS Code: ${runError instanceof Error ? runError.message : String(runError)}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
