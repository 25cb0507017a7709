import path from 'node:path';
import packageJson from '../../package.json';

export const packageVersion: string = packageJson.version;

/**
 * The repository (or installed package) root, found from the bundle's own
 * place: dist/cli.js → the folder above. The Python runtime lives under it.
 */
export const repoRoot: string = path.resolve(__dirname, '..');
