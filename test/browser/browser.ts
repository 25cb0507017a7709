// The browser tests' harness: Debian's Chromium (scripts/ensure-chromium.sh
// installs it) driven by playwright-core, headless and offline.
//
//   let browser: Browser;
//   before(async () => { browser = await launchBrowser(); });
//
//   it('draws the run', async () => {
//     const { page, errors } = await openPage(browser, htmlFile);
//     await waitReady(page);
//     await saveScreenshot(page, 'pipeline');
//     assert.deepEqual(errors, []);
//   });
//
// Every browser launched is closed when the test file ends (tests may close it
// sooner themselves).

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../helpers';
import { chromiumArgs, chromiumPath } from './chromium';

export type { Browser, Locator, Page } from 'playwright-core';
export { chromiumArgs, chromiumPath };

export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

/** The viewer's root once its first complete frame is drawn (DESIGN.md, "readiness hook"). */
export const readySelector = '#procview[data-state="ready"]';

const openBrowsers = new Set<Browser>();

// Registered when a test file imports this module, so on the file's root: runs
// once the file's tests are over, whatever they did with their browsers.
after(async () => {
  await Promise.all([...openBrowsers].map((browser) => browser.close()));
});

/** Starts Chromium; a fresh profile each time (playwright-core makes it). */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs], timeout: 60_000 });
  openBrowsers.add(browser);
  browser.on('disconnected', () => openBrowsers.delete(browser));
  return browser;
}

export interface OpenedPage {
  page: Page;
  /**
   * What went wrong in the page, in order: console errors (CSP violations and
   * failed loads among them) and uncaught exceptions. A test asserts it is empty.
   */
  errors: string[];
}

const errorsOf = new WeakMap<Page, string[]>();

/**
 * Opens a URL, or a file (a path, absolute or from the current folder), in a
 * new page of its own context, once it has loaded. Errors are collected from
 * before the first request. `beforeLoad` runs on the page before it navigates
 * (to expose a function to the page, say).
 */
export async function openPage(browser: Browser, urlOrFile: string, beforeLoad?: (page: Page) => Promise<void>): Promise<OpenedPage> {
  const url = /^[a-z][a-z0-9+.-]*:/i.test(urlOrFile) ? urlOrFile : pathToFileURL(path.resolve(urlOrFile)).href;
  const page = await browser.newPage();
  const errors: string[] = [];
  errorsOf.set(page, errors);
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url: where, lineNumber } = message.location();
    errors.push(`console error${where ? ` at ${where}:${lineNumber + 1}` : ''}: ${message.text()}`);
  });
  page.on('pageerror', (error) => {
    errors.push(`uncaught ${error.name}: ${error.message}`);
  });
  await beforeLoad?.(page);
  await page.goto(url);
  return { page, errors };
}

/**
 * Waits (30 s unless told) for the viewer's root to say `data-state="ready"`.
 * On timeout the error says which state it was left in and what went wrong.
 */
export async function waitReady(page: Page, timeoutMs = 30_000): Promise<void> {
  try {
    await page.waitForSelector(readySelector, { state: 'attached', timeout: timeoutMs });
  } catch (cause) {
    const state = await page
      .evaluate(() => document.querySelector('#procview')?.getAttribute('data-state') ?? null)
      .catch(() => null);
    const errors = errorsOf.get(page) ?? [];
    throw new Error(
      `#procview did not reach data-state="ready" within ${timeoutMs / 1000} s ` +
        `(${state === null ? 'no #procview, or no data-state' : `data-state="${state}"`}); ` +
        `errors in the page: ${errors.length === 0 ? 'none' : errors.join('\n')}`,
      { cause },
    );
  }
}

/** Writes a full-page PNG to test-results/screenshots/NAME.png; returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name.replace(/\.png$/i, '').replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
