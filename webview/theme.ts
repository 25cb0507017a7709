// The chart's colours come from CSS custom properties (media/viewer.css), so a
// VS Code theme (its --vscode-* variables), a browser's light or dark scheme,
// and high contrast all reach the canvas. Read again whenever the theme changes.

import { LANE_STATES, type LaneState } from '../src/core/view/view-data';

export interface Palette {
  state: Record<LaneState, string>;
  background: string;
  foreground: string;
  muted: string;
  grid: string;
  rowAlt: string;
  error: string;
  task: string;
  taskError: string;
  queue: string;
  lock: string;
  arrow: string;
  cursor: string;
  highlight: string;
  /** Dims what lies outside the view on the overview. */
  shade: string;
  font: string;
}

export function readPalette(root: Element): Palette {
  const style = getComputedStyle(root);
  const read = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  const state = {} as Record<LaneState, string>;
  for (const name of LANE_STATES) state[name] = read(`--pv-state-${name}`, '#888');
  return {
    state,
    background: read('--pv-background', '#fff'),
    foreground: read('--pv-foreground', '#222'),
    muted: read('--pv-muted', '#888'),
    grid: read('--pv-grid', '#ddd'),
    rowAlt: read('--pv-row-alt', 'rgba(0,0,0,0.03)'),
    error: read('--pv-error', '#d33'),
    task: read('--pv-task', '#6a5acd'),
    taskError: read('--pv-task-error', '#d33'),
    queue: read('--pv-queue', '#3a8'),
    lock: read('--pv-lock', '#c80'),
    arrow: read('--pv-arrow', 'rgba(60,60,200,0.6)'),
    cursor: read('--pv-cursor', '#e11'),
    highlight: read('--pv-highlight', 'rgba(255,200,0,0.25)'),
    shade: read('--pv-shade', 'rgba(128,128,128,0.45)'),
    font: `${read('--pv-font-size', '12px')} ${read('--pv-font-family', 'sans-serif')}`,
  };
}

/** Calls `changed` when the VS Code theme (body class) or the browser's colour scheme changes. */
export function watchTheme(changed: () => void): void {
  new MutationObserver(changed).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', changed);
}
