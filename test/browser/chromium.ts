// Debian's Chromium and the flags every headless run here uses (the browser
// tests, the VS Code tests, the benchmarks). No test hooks: anything may import it.

export const chromiumPath = '/usr/bin/chromium';

/** Headless, no GPU, and nothing that reaches for the network on its own. */
export const chromiumArgs: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
