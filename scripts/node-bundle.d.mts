// The types of scripts/node-bundle.mjs, for the TypeScript that imports it.
import type { BuildOptions } from 'esbuild';

export declare const NODE_BUNDLE: BuildOptions;
