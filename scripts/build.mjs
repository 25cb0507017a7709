// One build for every entry point of the package: the CLI (Node) and the
// viewer (a browser bundle, inlined into reports and webviews). The VS Code
// extension host joins this same list.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { NODE_BUNDLE } from './node-bundle.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** @type {import('esbuild').BuildOptions[]} */
const entryPoints = [
  {
    ...NODE_BUNDLE,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
  },
  {
    ...NODE_BUNDLE,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    // Given by the editor at run time.
    external: ['vscode'],
  },
  {
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    // Inlined into pages: a sourcemap comment would point at a file that is not there.
    sourcemap: false,
  },
];

const shared = {
  absWorkingDir: root,
  bundle: true,
  sourcemap: true,
  logLevel: 'warning',
};

await Promise.all(entryPoints.map((options) => esbuild.build({ ...shared, ...options })));
