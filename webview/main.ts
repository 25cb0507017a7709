// The viewer's entry point: find the page's configuration, connect to the
// host it names, and start drawing.

import { hostFor, type PageConfig } from './host';
import { Viewer, type ViewerHooks } from './viewer';

declare global {
  interface Window {
    /** For tests and benchmarks: the visible range, the cursor, frame times. */
    procview?: ViewerHooks;
  }
}

function pageConfig(): PageConfig {
  const block = document.getElementById('pv-config');
  return block?.textContent ? (JSON.parse(block.textContent) as PageConfig) : { source: 'embedded' };
}

const root = document.getElementById('procview');
if (root) {
  const host = hostFor(pageConfig());
  const viewer = new Viewer(root, host);
  window.procview = viewer.hooks;
  host.connect((message) => {
    viewer.receive(message);
  });
}
