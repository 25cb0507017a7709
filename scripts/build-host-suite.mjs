// Bundles the host suite (test/vscode-host/suite.ts, the module VS Code's
// extension host loads as `extensionTestsPath`) into out/host-suite/index.js:
// Node, CommonJS, `vscode` left to the host. Test-only: out/ is neither linted
// nor packaged. Run by test/vscode/host-suite.test.ts and scripts/test-electron.mjs;
// by hand: `node scripts/build-host-suite.mjs`. Prints the bundle's folder.
import * as esbuild from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_BUNDLE } from './node-bundle.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The folder to pass as `extensionTestsPath` (VS Code requires its index.js). */
export const hostSuiteDir = path.join(root, 'out', 'host-suite');

export async function buildHostSuite() {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['test/vscode-host/suite.ts'],
    outfile: path.join(hostSuiteDir, 'index.js'),
    ...NODE_BUNDLE,
    // Given by the extension host at run time.
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return hostSuiteDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await buildHostSuite());
}
