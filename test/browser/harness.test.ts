// The harness itself, without the viewer: tiny pages served over real HTTP with
// a nonce-based CSP (as the viewer's will be), and one opened from a file.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '../helpers';
import { launchBrowser, openPage, saveScreenshot, waitReady, type Browser } from './browser';

/** A page whose nonce'd script runs BODY, with EXTRA markup before it and HEAD in its head. */
function page(nonce: string, body: string, extra = '', head = ''): string {
  return `<!doctype html>
<html><head><meta charset="utf-8">${head}<title>harness</title></head>
<body>
<div id="procview" data-state="loading"><p>Process View harness page</p></div>
${extra}
<script nonce="${nonce}">${body}</script>
</body></html>`;
}

const setReady = `document.getElementById('procview').dataset.state = 'ready';`;

/** Path → [body script, extra markup]; each response gets a fresh nonce. */
const routes: Record<string, [string, string?]> = {
  '/ready': [`requestAnimationFrame(() => { ${setReady} });`],
  // The script without the nonce must not run: the CSP blocks it and says so in the console.
  '/inline-blocked': [setReady, `<script>document.body.dataset.unnonced = 'ran';</script>`],
  '/throws': [`${setReady} throw new TypeError('boom from the page');`],
  '/never-ready': [''],
};

const server = http.createServer((request, response) => {
  const route = routes[request.url ?? ''];
  if (!route) {
    response.writeHead(404).end();
    return;
  }
  const nonce = randomBytes(16).toString('base64');
  response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'`,
  });
  response.end(page(nonce, ...route));
});

const dir = scratchDir();
let base = '';
let browser: Browser;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the browser harness', () => {
  it('waits for data-state="ready", collects no errors from a clean page, and saves a screenshot', async () => {
    const { page, errors } = await openPage(browser, `${base}/ready`);
    await waitReady(page);
    assert.equal(await page.textContent('#procview'), 'Process View harness page');
    const file = await saveScreenshot(page, 'harness ready');
    assert.equal(path.basename(file), 'harness-ready.png');
    assert.deepEqual([...readFileSync(file).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('collects the CSP violation of an inline script without the nonce, which does not run', async () => {
    const { page, errors } = await openPage(browser, `${base}/inline-blocked`);
    await waitReady(page);
    assert.equal(await page.getAttribute('body', 'data-unnonced'), null, 'the script without the nonce ran');
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0] ?? '', /^console error at http:\/\/127\.0\.0\.1:\d+\/inline-blocked.*Content Security Policy directive.*script-src/);
    await page.close();
  });

  it('collects an exception the page did not catch', async () => {
    const { page, errors } = await openPage(browser, `${base}/throws`);
    await waitReady(page);
    assert.deepEqual(errors, ['uncaught TypeError: boom from the page']);
    await page.close();
  });

  it('says which state the root was left in when it never gets ready', async () => {
    const { page } = await openPage(browser, `${base}/never-ready`);
    await assert.rejects(waitReady(page, 500), /#procview did not reach data-state="ready" within 0\.5 s \(data-state="loading"\); errors in the page: none/);
    await page.close();
  });

  it('opens a file by its path, its CSP in a meta tag', async () => {
    const file = path.join(dir, 'report.html');
    const nonce = randomBytes(16).toString('base64');
    const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'">`;
    writeFileSync(file, page(nonce, setReady, `<script>document.body.dataset.unnonced = 'ran';</script>`, csp));
    const { page: opened, errors } = await openPage(browser, path.relative(process.cwd(), file));
    assert.equal(opened.url(), `file://${file}`);
    await waitReady(opened);
    assert.equal(await opened.getAttribute('body', 'data-unnonced'), null);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0] ?? '', /Content Security Policy/);
    await opened.close();
  });
});
