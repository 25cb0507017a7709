// How the package's Node code is bundled: the CLI and the extension
// (scripts/build.mjs), and the bundles tests and benchmarks make to run code as
// the package ships it (scripts/build-host-suite.mjs, bench/model.ts).

/** @type {import('esbuild').BuildOptions} */
export const NODE_BUNDLE = { bundle: true, platform: 'node', format: 'cjs', target: 'node20' };
