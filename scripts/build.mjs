// One build for every entry point of the package. Later issues add the VS Code
// extension host and the webview here, to this same list.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** @type {import('esbuild').BuildOptions[]} */
const entryPoints = [
  {
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
];

const shared = {
  absWorkingDir: root,
  bundle: true,
  sourcemap: true,
  logLevel: 'warning',
};

await Promise.all(entryPoints.map((options) => esbuild.build({ ...shared, ...options })));
