// `npm run package`: the extension as a .vsix (after `npm run build`), with
// @vscode/vsce. Everything the extension runs is bundled into dist/ (and the
// Python runtime is under python/), so no node_modules go in; .vscodeignore
// keeps sources, tests and caches out. Prints the file's size and what is in it.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { name, version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = path.join(root, `${name}-${version}.vsix`);
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out], {
  cwd: root,
  stdio: 'inherit',
});
const listing = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
const files = listing.trim().split('\n');
console.log(`package: ${out}: ${(statSync(out).size / 1024).toFixed(0)} KiB, ${files.length} files`);
