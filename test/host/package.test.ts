// `npm run package`: the .vsix holds what the extension runs (the bundles, the
// Python runtime, the stylesheet) and none of the sources, tests or caches.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers';

describe('npm run package', () => {
  it('writes a small .vsix with the bundles and the runtime, and says its size', () => {
    const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const vsix = path.join(repoRoot, `procview-${version}.vsix`);
    rmSync(vsix, { force: true });
    const run = spawnSync('npm', ['run', 'package'], { cwd: repoRoot, encoding: 'utf8', timeout: 180_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(existsSync(vsix));
    assert.match(run.stdout, /package: .*\.vsix: \d+ KiB, \d+ files/);
    const listing = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], { cwd: repoRoot, encoding: 'utf8' });
    const files = listing.stdout.trim().split('\n');
    for (const needed of ['package.json', 'dist/extension.js', 'dist/cli.js', 'dist/webview.js', 'media/viewer.css', 'python/procview/recorder.py', 'python/procview/_boot/sitecustomize.py']) {
      assert.ok(files.includes(needed), `${needed} is in the package`);
    }
    assert.deepEqual(files.filter((file) => /^(src|test|webview|bench|scratch|node_modules|\.pytest_cache)\/|\.map$|__pycache__/.test(file)), []);
    rmSync(vsix, { force: true });
  });
});
