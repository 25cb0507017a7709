// The viewer: a Gantt chart of a run's processes, threads, queues and locks,
// with a time cursor and the diagnosis beside it. It draws the view data the
// host sends (src/core/view/view-data.ts) and re-derives nothing: states,
// pairs and holds come from the model.
//
// Layout: toolbar and legend; an overview of the whole run; the time axis;
// the body (lane names as DOM on the left, the canvas on the right); the side
// panel (at the cursor / findings); a status line.

import { axisTop, scaleLinear, select, zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3';
import { LANE_STATES, STATE_LABELS, type ViewData } from '../src/core/view/view-data';
import { baseFor, decodeChart, decodeDetails, type WireMessage, type WireViewData } from '../src/core/view/wire';
import { clear, el } from './dom';
import { drawFrame, MAX_ARROWS, pixelOf } from './draw';
import { formatDuration, formatTime } from './format';
import type { Host } from './host';
import { findingRows, locationButton, renderAtCursor, renderFindings, type PanelContext } from './panels';
import { countAtOrBefore } from '../src/core/model/sorted';
import { depthAt, holdsAt, laneAt, laneEventTimes, lockWaitersAt, stepFrom, taskAt } from './query';
import { allRows, laneOf, layout, visibleRows, type Row } from './rows';
import { readPalette, watchTheme, type Palette } from './theme';

/** The narrowest view: one microsecond across the chart. */
const MIN_VIEW_NS = 1_000;
/** How often a live run's present moves on between two arrivals of data. */
const PRESENT_TICK_MS = 250;
const OVERVIEW_HEIGHT = 36;
/** Draw times of the last frames, in ms (for `npm run bench` and the curious). */
const KEPT_FRAME_TIMES = 2_000;

export interface ViewerHooks {
  /** The visible time range. */
  view(): { start: number; end: number };
  setView(start: number, end: number): void;
  setCursor(t: number): void;
  /** x (in page pixels) of instant t on the chart. */
  pageX(t: number): number;
  frames: number[];
}

export class Viewer {
  private data: ViewData | null = null;
  /** Messages from the host not yet handled, in order (receive). */
  private inbox: Promise<void> = Promise.resolve();
  /** Data messages received so far: the last one is the one to show. */
  private dataSent = 0;
  /** The data last unpacked (shown or not) and its number in the host's stream: what an update is unpacked onto. */
  private unpacked: { data: ViewData; seq: number | undefined } | null = null;
  private rows: Row[] = [];
  private shown: Row[] = [];
  private tops: number[] = [];
  private readonly collapsed = new Set<string>();
  private readonly hidden = new Set<string>();
  private filter = '';
  private showHelpers = false;
  private showLibrary = false;
  private arrows = true;
  private follow = true;
  private cursor: number | null = null;
  private selectedLane: string | null = null;
  private selectedFinding: number | null = null;
  private highlighted = new Set<string>();
  private palette: Palette;
  private transform: ZoomTransform = zoomIdentity;
  private drawPending = false;
  private labelsWidth = 0;
  private axisDrawn = '';
  /** What the lane names now in the DOM show (labelSignature). */
  private labelsDrawn = '';
  private drawnOnce = false;
  /**
   * While the run is live: the run's clock at the last data, and the page's
   * clock then. Nothing may happen for seconds (every thread blocked, a child
   * sleeping) and no data comes, yet its waits grow: the present moves on by
   * the page's clock.
   */
  private present: { end: number; at: number } | null = null;
  private presentTimer: number | null = null;
  private width = 0;
  private height = 0;
  readonly hooks: ViewerHooks;

  private readonly toolbar: HTMLElement;
  private readonly titleText: HTMLElement;
  private readonly followButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly hiddenButton: HTMLButtonElement;
  private readonly overview: HTMLCanvasElement;
  private readonly axis: SVGSVGElement;
  private readonly axisGroup: SVGGElement;
  private readonly body: HTMLElement;
  private readonly labels: HTMLElement;
  private readonly chartColumn: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly spacer: HTMLElement;
  private readonly atPanel: HTMLElement;
  private readonly findingsPanel: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly status: HTMLElement;
  private readonly zoomBehavior: ZoomBehavior<HTMLCanvasElement, unknown>;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: Host,
  ) {
    root.dataset.state = 'loading';
    document.documentElement.dataset.state = 'loading';
    this.titleText = el('span', { class: 'pv-title', text: 'Process View' });
    const search = el('input', { type: 'search', class: 'pv-search', placeholder: 'Filter lanes', 'aria-label': 'Filter lanes by name' });
    search.addEventListener('input', () => {
      this.filter = search.value;
      this.rebuildRows();
    });
    const fit = button('Fit all', 'Show the whole run (0)', () => {
      this.fitAll();
    });
    this.followButton = button('Follow', 'Follow the present (F)', () => {
      this.setFollow(true);
    });
    this.followButton.hidden = true;
    this.stopButton = button('Stop', 'End the run: its whole process tree', () => {
      this.host.send({ type: 'stop' });
      this.stopButton.disabled = true;
    });
    this.stopButton.classList.add('pv-stop');
    this.stopButton.hidden = true;
    this.hiddenButton = button('', 'Show the hidden lanes again', () => {
      this.hidden.clear();
      this.rebuildRows();
    });
    this.hiddenButton.hidden = true;
    this.toolbar = el('div', { class: 'pv-toolbar', role: 'toolbar' },
      this.titleText, this.stopButton, search, fit, this.followButton, this.hiddenButton,
      toggle('Arrows', this.arrows, (on) => { this.arrows = on; this.requestDraw(); }),
      toggle('Helpers', this.showHelpers, (on) => { this.showHelpers = on; this.rebuildRows(); }),
      toggle('Library threads', this.showLibrary, (on) => { this.showLibrary = on; this.rebuildRows(); }));
    const legend = el('div', { class: 'pv-legend', 'aria-label': 'Legend' });
    for (const state of LANE_STATES) legend.append(el('span', { class: 'pv-legend-item' }, el('span', { class: 'pv-swatch', 'data-state': state }), STATE_LABELS[state]));
    legend.append(el('span', { class: 'pv-legend-item' }, el('span', { class: 'pv-swatch', 'data-state': 'task' }), 'task'));
    legend.append(el('span', { class: 'pv-legend-item' }, el('span', { class: 'pv-swatch', 'data-state': 'exited-error' }), 'exited with an error'));

    this.overview = el('canvas', { class: 'pv-overview', height: OVERVIEW_HEIGHT, 'aria-label': 'Overview of the whole run' });
    this.axis = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.axis.classList.add('pv-axis');
    this.axisGroup = document.createElementNS('http://www.w3.org/2000/svg', 'g');
    this.axis.append(this.axisGroup);
    this.labels = el('div', { class: 'pv-labels', role: 'list', 'aria-label': 'Lanes' });
    this.canvas = el('canvas', { class: 'pv-chart', id: 'pv-chart', tabindex: 0, 'aria-label': 'Timeline' });
    this.spacer = el('div', { class: 'pv-spacer' });
    this.chartColumn = el('div', { class: 'pv-chart-column' }, this.canvas, this.spacer);
    this.body = el('div', { class: 'pv-body' }, this.labels, this.chartColumn);
    this.atPanel = el('section', { class: 'pv-at', id: 'pv-at', 'aria-label': 'At the cursor' },
      el('p', { class: 'pv-muted', text: 'Click the chart to see what everything was doing at that instant.' }));
    this.findingsPanel = el('section', { class: 'pv-findings', id: 'pv-findings', 'aria-label': 'Findings' });
    const side = el('aside', { class: 'pv-side' }, this.findingsPanel, this.atPanel);
    this.tooltip = el('div', { class: 'pv-tooltip', role: 'tooltip' });
    this.tooltip.hidden = true;
    this.status = el('div', { class: 'pv-status', role: 'status' });
    const main = el('div', { class: 'pv-main' }, el('div', { class: 'pv-timeline' }, this.overview, this.axis, this.body), side);
    root.append(this.toolbar, legend, main, this.status, this.tooltip);

    this.palette = readPalette(root);
    watchTheme(() => {
      this.palette = readPalette(root);
      this.drawOverview();
      this.requestDraw();
    });

    this.zoomBehavior = zoom<HTMLCanvasElement, unknown>()
      // The wheel zooms; shift+wheel scrolls the lanes; a sideways swipe pans (handled below).
      .filter((event: Event) => {
        if (event instanceof WheelEvent) return !event.shiftKey && Math.abs(event.deltaX) <= Math.abs(event.deltaY);
        return !(event instanceof MouseEvent) || event.button === 0;
      })
      .on('zoom', (event: { transform: ZoomTransform; sourceEvent: unknown }) => {
        this.transform = event.transform;
        if (event.sourceEvent) this.setFollow(this.viewEnd() >= (this.data?.end ?? 0));
        this.requestDraw();
      });
    select(this.canvas).call(this.zoomBehavior).on('dblclick.zoom', null);
    this.canvas.addEventListener('wheel', (event) => {
      if (event.shiftKey) {
        this.body.scrollTop += event.deltaY;
        event.preventDefault();
      } else if (Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
        this.panBy(event.deltaX);
        event.preventDefault();
      }
    }, { passive: false });
    this.canvas.addEventListener('click', (event) => {
      this.setCursor(this.timeAtClientX(event.clientX));
      this.canvas.focus();
    });
    this.canvas.addEventListener('mousemove', (event) => {
      this.showTooltip(event);
    });
    this.canvas.addEventListener('mouseleave', () => {
      this.tooltip.hidden = true;
    });
    this.overview.addEventListener('mousedown', (event) => {
      const move = (e: MouseEvent): void => {
        this.centreOn(e.clientX);
      };
      move(event);
      const up = (): void => {
        window.removeEventListener('mousemove', move);
        window.removeEventListener('mouseup', up);
      };
      window.addEventListener('mousemove', move);
      window.addEventListener('mouseup', up);
    });
    this.body.addEventListener('scroll', () => {
      this.requestDraw();
    });
    this.labels.addEventListener('click', (event) => {
      this.onLabelClick(event);
    });
    root.addEventListener('click', (event) => {
      const target = event.target instanceof Element ? event.target.closest<HTMLElement>('.pv-link') : null;
      if (target?.dataset.file) this.host.send({ type: 'open', file: target.dataset.file, line: Number(target.dataset.line) });
    });
    root.addEventListener('keydown', (event) => {
      this.onKey(event);
    });
    new ResizeObserver(() => {
      this.resize();
    }).observe(this.chartColumn);

    this.hooks = {
      view: () => ({ start: this.viewStart(), end: this.viewEnd() }),
      setView: (start, end) => {
        this.setView(start, end);
      },
      setCursor: (t) => {
        this.setCursor(t);
      },
      pageX: (t) => this.canvas.getBoundingClientRect().left + this.x(t),
      frames: [],
    };
  }

  /**
   * Takes the host's messages in order. Data is unpacked first, which takes a
   * moment (asynchronously), and every data is unpacked, for an update that
   * follows is made against it; data that a newer one replaces meanwhile is
   * not shown. Messages after it wait for it.
   */
  receive(message: WireMessage): void {
    const ticket = message.type === 'data' ? ++this.dataSent : this.dataSent;
    this.inbox = this.inbox
      .then(async () => {
        if (message.type !== 'data') this.handle(message);
        else await this.receiveData(message.data, () => ticket === this.dataSent);
      })
      .catch((error: unknown) => {
        this.handle({ type: 'error', message: `Cannot read the run's data: ${error instanceof Error ? error.message : String(error)}` });
      });
  }

  /**
   * The first data shows as soon as its chart is unpacked: its details (the
   * strings of tooltips and the panel) are unpacked after the first frame,
   * and the panel and chart drawn again with them. Later data (a live run's)
   * is shown whole, so nothing the person reads blinks.
   */
  private async receiveData(wire: WireViewData, current: () => boolean): Promise<void> {
    const base = baseFor(wire, this.unpacked);
    const early = this.data === null && current();
    // Asked now: a report's details block may still be on its way into the page.
    const details = this.host.details(wire);
    // A failure is reported where it is awaited (or not at all, for data replaced meanwhile).
    details.catch(() => undefined);
    // Marks for `npm run bench`: where a big report's time to ready goes.
    performance.mark('procview:unpack');
    const data = await decodeChart(wire, base);
    if (!early) await decodeDetails(data, await details, base);
    this.unpacked = { data, seq: wire.seq };
    performance.mark('procview:unpacked');
    if (!current()) return;
    this.setData(data);
    performance.mark('procview:set');
    if (!early) return;
    await afterNextFrame();
    await decodeDetails(data, await details, base);
    if (this.data !== data) return;
    // Lock holders' colours and put→get arrows need the strings (the overview draws neither).
    this.renderAt();
    this.requestDraw();
    this.root.dataset.details = 'ready';
  }

  private handle(message: Exclude<WireMessage, { type: 'data' }>): void {
    switch (message.type) {
      case 'error':
        this.status.textContent = message.message;
        this.root.dataset.state = 'error';
        break;
      case 'select':
        if (this.data?.findings[message.finding]) this.selectFinding(message.finding);
        break;
      case 'persist':
        break;
    }
  }

  private trackPresent(data: ViewData): void {
    if (!data.live) {
      this.present = null;
      if (this.presentTimer !== null) window.clearInterval(this.presentTimer);
      this.presentTimer = null;
      return;
    }
    this.present = { end: data.end, at: performance.now() };
    this.presentTimer ??= window.setInterval(() => {
      this.advancePresent();
    }, PRESENT_TICK_MS);
  }

  /**
   * The view after the run's end moved to `end` (new data, or the present
   * moving on): a fitted view fits again by itself; else it follows the
   * present at the same width, or stays where the person put it.
   */
  private holdView(kept: { start: number; end: number }, end: number): void {
    if (this.isFit()) return;
    if (this.follow) this.setView(end - (kept.end - kept.start), end);
    else this.setView(kept.start, kept.end);
  }

  /** Moves a live run's end to now (never back), keeping the view as setData does. */
  private advancePresent(): void {
    const data = this.data;
    if (!data?.live || !this.present) return;
    const now = this.present.end + (performance.now() - this.present.at) * 1e6;
    if (now <= data.end) return;
    const kept = { start: this.viewStart(), end: this.viewEnd() };
    data.end = now;
    this.holdView(kept, now);
    this.renderAt();
    this.drawOverview();
    this.requestDraw();
  }

  private setData(data: ViewData): void {
    const before = this.data;
    const keptView = before ? { start: this.viewStart(), end: this.viewEnd() } : null;
    // The present already moved on past the newest event (advancePresent): it does not go back.
    if (data.live && before?.live && before.end > data.end) data.end = before.end;
    this.data = data;
    this.titleText.textContent = data.title;
    if (before === null && !data.live) this.follow = false;
    this.rebuildRows();
    if (keptView) this.holdView(keptView, data.end);
    if (data.hangAt !== null && this.cursor === null) this.cursor = data.hangAt;
    this.trackPresent(data);
    this.followButton.hidden = !data.live || this.follow;
    this.stopButton.hidden = !data.live || !this.host.canStop;
    this.renderFindings();
    this.renderAt();
    this.drawOverview();
  }

  private rebuildRows(): void {
    const data = this.data;
    if (!data) return;
    this.rows = allRows(data, { showHelpers: this.showHelpers, showLibrary: this.showLibrary });
    this.shown = visibleRows(this.rows, {
      collapsed: this.collapsed, hidden: this.hidden, filter: this.filter, showHelpers: this.showHelpers, showLibrary: this.showLibrary,
    });
    const { tops, height } = layout(this.shown);
    this.tops = tops;
    this.spacer.style.height = `${height}px`;
    // Live data comes several times a second; the names change far more rarely.
    const signature = labelSignature(this.shown, this.highlighted, this.selectedLane, this.collapsed);
    if (signature !== this.labelsDrawn) this.renderLabels();
    this.hiddenButton.hidden = this.hidden.size === 0;
    this.hiddenButton.textContent = `Show ${this.hidden.size} hidden`;
    this.requestDraw();
  }

  private renderLabels(): void {
    this.labelsDrawn = labelSignature(this.shown, this.highlighted, this.selectedLane, this.collapsed);
    const fragment = document.createDocumentFragment();
    this.shown.forEach((row, index) => {
      const firstOfKind = (row.kind === 'queue' || row.kind === 'lock') && this.shown[index - 1]?.kind !== row.kind;
      const label = el('div', {
        class: `pv-lane-label pv-row-${row.kind}${firstOfKind ? ` pv-first-${row.kind}` : ''}${this.highlighted.has(row.key) ? ' pv-highlight' : ''}${row.key === this.selectedLane ? ' pv-selected' : ''}`,
        role: 'listitem',
        'data-row-key': row.key,
        'data-kind': row.kind,
        'data-pid': row.kind === 'process' || row.kind === 'thread' ? row.process.pid : null,
      });
      label.style.height = `${row.height}px`;
      label.style.top = `${this.tops[index] ?? 0}px`;
      if (row.kind === 'process' && row.children > 0) {
        const open = !this.collapsed.has(row.key);
        label.append(el('button', { type: 'button', class: 'pv-disclosure', 'aria-expanded': open ? 'true' : 'false', 'aria-label': open ? 'Collapse threads' : 'Expand threads', text: open ? '▾' : '▸' }));
      } else label.append(el('span', { class: 'pv-disclosure-space' }));
      label.append(el('span', { class: 'pv-name', title: row.label, text: row.label }));
      if (row.kind === 'process' && (row.process.signal !== null || (row.process.exitcode ?? 0) !== 0)) {
        label.classList.add('pv-failed');
        label.title = row.process.error ?? (row.process.signal ? `killed by ${row.process.signal}` : `exit code ${row.process.exitcode}`);
      }
      label.append(el('button', { type: 'button', class: 'pv-hide', 'aria-label': `Hide ${row.label}`, title: 'Hide this lane', text: '×' }));
      fragment.append(label);
    });
    clear(this.labels);
    this.labels.append(fragment);
    this.labels.style.height = this.spacer.style.height;
  }

  private onLabelClick(event: MouseEvent): void {
    const target = event.target instanceof Element ? event.target : null;
    const label = target?.closest<HTMLElement>('.pv-lane-label');
    const key = label?.dataset.rowKey;
    if (!key) return;
    if (target?.closest('.pv-hide')) {
      this.hidden.add(key);
      this.rebuildRows();
    } else if (target?.closest('.pv-disclosure')) {
      this.toggleCollapsed(key);
    } else {
      this.selectedLane = key;
      this.renderLabels();
      this.renderAt();
    }
  }

  // The time scale: x0 maps the whole run onto the chart's width; the zoom transform narrows it.
  private baseScale(): ReturnType<typeof scaleLinear<number, number>> {
    const data = this.data;
    const start = data?.start ?? 0;
    const end = Math.max(data?.end ?? 1, start + MIN_VIEW_NS);
    return scaleLinear().domain([start, end]).range([0, Math.max(1, this.width)]);
  }

  private scale(): ReturnType<typeof scaleLinear<number, number>> {
    return this.transform.rescaleX(this.baseScale());
  }

  private viewStart(): number {
    return this.scale().domain()[0] ?? 0;
  }

  private viewEnd(): number {
    return this.scale().domain()[1] ?? 0;
  }

  private x(t: number): number {
    return this.scale()(t);
  }

  private timeAtClientX(clientX: number): number {
    return this.scale().invert(clientX - this.canvas.getBoundingClientRect().left);
  }

  private isFit(): boolean {
    return this.transform.k === 1 && this.transform.x === 0;
  }

  private setView(start: number, end: number): void {
    const base = this.baseScale();
    const span = Math.max(MIN_VIEW_NS, end - start);
    const [d0 = 0, d1 = 1] = base.domain();
    const k = (d1 - d0) / span;
    const transform = zoomIdentity.scale(k).translate(-base(start), 0);
    this.transform = transform;
    this.zoomBehavior.transform(select(this.canvas), transform);
    this.requestDraw();
  }

  private fitAll(): void {
    this.transform = zoomIdentity;
    this.zoomBehavior.transform(select(this.canvas), zoomIdentity);
    this.setFollow(true);
    this.requestDraw();
  }

  private panBy(pixels: number): void {
    this.zoomBehavior.translateBy(select(this.canvas), -pixels / this.transform.k, 0);
  }

  private zoomBy(factor: number, atX = this.width / 2): void {
    this.zoomBehavior.scaleBy(select(this.canvas), factor, [atX, 0]);
  }

  private centreOn(clientX: number): void {
    const data = this.data;
    if (!data) return;
    const rect = this.overview.getBoundingClientRect();
    const t = data.start + ((clientX - rect.left) / Math.max(1, rect.width)) * (data.end - data.start);
    const half = (this.viewEnd() - this.viewStart()) / 2;
    this.setView(t - half, t + half);
    this.setFollow(false);
  }

  private setFollow(on: boolean): void {
    this.follow = on;
    this.followButton.hidden = !this.data?.live || on;
    if (on && this.data?.live && !this.isFit()) {
      const width = this.viewEnd() - this.viewStart();
      this.setView(this.data.end - width, this.data.end);
    }
  }

  private setCursor(t: number): void {
    this.cursor = t;
    this.renderAt();
    this.requestDraw();
  }

  private panelContext(): PanelContext | null {
    const data = this.data;
    if (!data) return null;
    const lanes = new Map(data.lanes.map((lane) => [lane.key, lane]));
    const processes = new Map(data.processes.map((process) => [process.pid, process]));
    return {
      data,
      rows: this.shown,
      laneName: (key) => {
        const lane = lanes.get(key);
        const process = processes.get(lane?.pid ?? Number(key.split(':')[0]));
        if (!lane) return process ? process.name : key;
        return lane.main ? lane.name : `${lane.name} (${process?.name ?? lane.pid})`;
      },
      location: (loc) => locationButton(loc, this.host.canOpen),
    };
  }

  private renderAt(): void {
    const context = this.panelContext();
    if (!context || this.cursor === null) return;
    renderAtCursor(this.atPanel, context, this.cursor);
    // Stepping through the selected lane's events, for the mouse too (the keys are [ and ]).
    const lane = this.shown.find((row) => row.key === this.selectedLane);
    const heading = this.atPanel.querySelector('h2');
    if (lane && laneOf(lane) && heading) {
      const previous = button('◀', `Previous event of ${lane.label} ([)`, () => {
        this.stepLane(-1);
      });
      const next = button('▶', `Next event of ${lane.label} (])`, () => {
        this.stepLane(1);
      });
      previous.classList.add('pv-step');
      next.classList.add('pv-step');
      heading.append(' ', previous, next);
    }
  }

  private renderFindings(): void {
    const context = this.panelContext();
    if (!context) return;
    renderFindings(this.findingsPanel, context, this.selectedFinding, (index) => {
      this.selectFinding(index);
    });
  }

  private selectFinding(index: number | null): void {
    const data = this.data;
    if (!data) return;
    this.selectedFinding = index;
    const finding = index === null ? undefined : data.findings[index];
    this.highlighted = finding ? findingRows(finding, data) : new Set();
    // Culprits inside a collapsed process or hidden must be seen.
    for (const key of this.highlighted) {
      this.hidden.delete(key);
      if (key.startsWith('t:')) this.collapsed.delete(`p:${key.slice(2).split(':')[0] ?? ''}`);
    }
    this.renderFindings();
    this.rebuildRows();
    const first = this.shown.findIndex((row) => this.highlighted.has(row.key));
    if (first >= 0) this.body.scrollTop = Math.max(0, (this.tops[first] ?? 0) - 20);
    if (finding && data.hangAt !== null) this.setCursor(data.hangAt);
  }

  private onKey(event: KeyboardEvent): void {
    if (event.target instanceof HTMLInputElement) return;
    const span = this.viewEnd() - this.viewStart();
    switch (event.key) {
      case '+':
      case '=':
        this.zoomBy(1.5);
        break;
      case '-':
      case '_':
        this.zoomBy(1 / 1.5);
        break;
      case '0':
        this.fitAll();
        break;
      case 'ArrowLeft':
        this.setView(this.viewStart() - span / 10, this.viewEnd() - span / 10);
        this.setFollow(false);
        break;
      case 'ArrowRight':
        this.setView(this.viewStart() + span / 10, this.viewEnd() + span / 10);
        break;
      case 'f':
        this.setFollow(true);
        break;
      case '[':
      case ']':
        this.stepLane(event.key === ']' ? 1 : -1);
        break;
      case '/':
        this.toolbar.querySelector<HTMLInputElement>('.pv-search')?.focus();
        break;
      case 'ArrowUp':
      case 'ArrowDown':
        this.selectNextLane(event.key === 'ArrowDown' ? 1 : -1);
        break;
      case 'Enter':
        if (this.selectedLane?.startsWith('p:')) this.toggleCollapsed(this.selectedLane);
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  /** Selects the lane above or below the selected one, and scrolls it into view. */
  private selectNextLane(direction: 1 | -1): void {
    const at = this.shown.findIndex((row) => row.key === this.selectedLane);
    const next = Math.min(this.shown.length - 1, Math.max(0, at < 0 ? 0 : at + direction));
    const row = this.shown[next];
    if (!row) return;
    this.selectedLane = row.key;
    this.renderLabels();
    const top = this.tops[next] ?? 0;
    if (top < this.body.scrollTop) this.body.scrollTop = top;
    else if (top + row.height > this.body.scrollTop + this.body.clientHeight) this.body.scrollTop = top + row.height - this.body.clientHeight;
    this.renderAt();
  }

  private toggleCollapsed(key: string): void {
    if (this.collapsed.has(key)) this.collapsed.delete(key);
    else this.collapsed.add(key);
    this.rebuildRows();
  }

  /** Moves the cursor to the previous or next change on the selected lane (or the first lane). */
  private stepLane(direction: 1 | -1): void {
    const row = this.shown.find((candidate) => candidate.key === this.selectedLane) ?? this.shown.find((candidate) => laneOf(candidate) !== null);
    const lane = row ? laneOf(row) : null;
    if (!lane) return;
    const next = stepFrom(laneEventTimes(lane), this.cursor ?? this.viewStart(), direction);
    if (next === null) return;
    this.setCursor(next);
    const span = this.viewEnd() - this.viewStart();
    if (next < this.viewStart() || next > this.viewEnd()) this.setView(next - span / 2, next + span / 2);
  }

  private resize(): void {
    const ratio = window.devicePixelRatio || 1;
    this.width = this.chartColumn.clientWidth;
    this.height = this.body.clientHeight;
    this.canvas.width = Math.max(1, Math.floor(this.width * ratio));
    this.canvas.height = Math.max(1, Math.floor(this.height * ratio));
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
    this.overview.width = Math.max(1, Math.floor(this.width * ratio));
    this.overview.style.width = `${this.width}px`;
    // Read here, on resize, not in every frame: reading a layout value after a DOM write forces a layout.
    this.labelsWidth = this.labels.offsetWidth;
    this.overview.style.marginLeft = `${this.labelsWidth}px`;
    this.zoomBehavior.extent([[0, 0], [Math.max(1, this.width), Math.max(1, this.height)]]);
    this.zoomBehavior.scaleExtent([1, Math.max(1, ((this.data?.end ?? 1) - (this.data?.start ?? 0)) / MIN_VIEW_NS)]);
    this.drawOverview();
    this.requestDraw();
  }

  private requestDraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  private draw(): void {
    const data = this.data;
    if (!data || this.width <= 0) return;
    const began = performance.now();
    const ratio = window.devicePixelRatio || 1;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const scale = this.scale();
    const ticks = scale.ticks(Math.max(2, Math.floor(this.width / 110)));
    const [t0 = 0, t1 = 1] = scale.domain();
    const result = drawFrame({
      ctx, width: this.width, height: this.height, palette: this.palette, data, rows: this.shown, tops: this.tops,
      scrollTop: this.body.scrollTop, t0, t1, cursor: this.cursor, highlighted: this.highlighted, arrows: this.arrows, ticks, labels: true,
    });
    this.drawAxis(scale, ticks);
    this.drawOverviewWindow();
    this.labels.style.transform = '';
    this.root.dataset.viewStart = String(Math.round(t0));
    this.root.dataset.viewEnd = String(Math.round(t1));
    const arrowsNote = !this.arrows ? '' : result.arrows > MAX_ARROWS ? ' · too many put→get arrows here to draw; zoom in' : '';
    const status = `${data.events.toLocaleString('en')} events · ${data.processes.length} processes · ${data.lanes.length} threads · ${data.queues.length} queues · ${data.locks.length} locks · view ${formatTime(t0, t1 - t0)} – ${formatTime(t1, t1 - t0)} (${formatDuration(t1 - t0)})${data.dropped > 0 ? ` · ${data.dropped} events dropped` : ''}${data.live ? ' · live' : ''}${arrowsNote}`;
    if (this.status.textContent !== status) this.status.textContent = status;
    const frames = this.hooks.frames;
    frames.push(performance.now() - began);
    if (frames.length > KEPT_FRAME_TIMES) frames.splice(0, frames.length - KEPT_FRAME_TIMES);
    if (!this.drawnOnce) {
      this.drawnOnce = true;
      this.root.dataset.state = 'ready';
      document.documentElement.dataset.state = 'ready';
    }
  }

  private drawAxis(scale: ReturnType<typeof scaleLinear<number, number>>, ticks: number[]): void {
    const [t0 = 0, t1 = 1] = scale.domain();
    const axis = axisTop(scale).tickValues(ticks).tickFormat((t) => formatTime(Number(t), t1 - t0));
    // The same range and width draw the same axis: skip the DOM work.
    const key = `${t0}|${t1}|${this.width}|${this.labelsWidth}`;
    if (key === this.axisDrawn) return;
    this.axisDrawn = key;
    select(this.axis).attr('width', this.width + this.labelsWidth).attr('height', 22);
    select(this.axisGroup).attr('transform', `translate(${this.labelsWidth},21)`).call(axis);
  }

  /** The whole run, small: each lane a strip, drawn again only when the data changes. */
  private overviewImage: ImageData | null = null;

  private drawOverview(): void {
    const data = this.data;
    const ctx = this.overview.getContext('2d');
    if (!data || !ctx || this.width <= 0) return;
    const ratio = window.devicePixelRatio || 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const lanes = this.shown.filter((row) => laneOf(row) !== null);
    const strip = Math.max(1, Math.floor(OVERVIEW_HEIGHT / Math.max(1, lanes.length)));
    const tops: number[] = [];
    const rows = lanes.slice(0, OVERVIEW_HEIGHT).map((row, index) => {
      tops.push(index * strip);
      return { ...row, height: strip };
    });
    drawFrame({
      ctx, width: this.width, height: OVERVIEW_HEIGHT, palette: { ...this.palette, rowAlt: this.palette.background }, data, rows, tops,
      scrollTop: 0, t0: data.start, t1: Math.max(data.end, data.start + MIN_VIEW_NS), cursor: null, highlighted: new Set(), arrows: false, ticks: [], labels: false,
    });
    this.overviewImage = ctx.getImageData(0, 0, this.overview.width, this.overview.height);
  }

  private drawOverviewWindow(): void {
    const data = this.data;
    const ctx = this.overview.getContext('2d');
    if (!data || !ctx || !this.overviewImage) return;
    ctx.putImageData(this.overviewImage, 0, 0);
    const whole = pixelOf({ t0: data.start, t1: Math.max(data.end, data.start + MIN_VIEW_NS), width: this.width });
    const xa = Math.max(0, whole(this.viewStart()));
    const xb = Math.min(this.width, whole(this.viewEnd()));
    // Dim what is outside the view; the view itself stays as drawn.
    ctx.fillStyle = this.palette.shade;
    ctx.fillRect(0, 0, xa, OVERVIEW_HEIGHT);
    ctx.fillRect(xb, 0, this.width - xb, OVERVIEW_HEIGHT);
    ctx.strokeStyle = this.palette.foreground;
    ctx.strokeRect(xa + 0.5, 0.5, Math.max(2, xb - xa) - 1, OVERVIEW_HEIGHT - 1);
  }

  private showTooltip(event: MouseEvent): void {
    const data = this.data;
    if (!data) return;
    const rect = this.canvas.getBoundingClientRect();
    const y = event.clientY - rect.top + this.body.scrollTop;
    const index = countAtOrBefore(this.tops, y) - 1;
    const row = this.shown[index];
    if (!row) {
      this.tooltip.hidden = true;
      return;
    }
    const t = this.timeAtClientX(event.clientX);
    const lines = tooltipLines(data, row, t, this.panelContext()?.laneName ?? ((key) => key));
    if (lines.length === 0) {
      this.tooltip.hidden = true;
      return;
    }
    clear(this.tooltip);
    for (const line of lines) this.tooltip.append(el('div', { text: line }));
    this.tooltip.hidden = false;
    this.tooltip.style.left = `${Math.min(event.clientX + 12, window.innerWidth - 320)}px`;
    this.tooltip.style.top = `${event.clientY + 14}px`;
  }
}

/** Everything a lane name shows, in one string: equal signatures, same DOM. */
function labelSignature(rows: readonly Row[], highlighted: ReadonlySet<string>, selected: string | null, collapsed: ReadonlySet<string>): string {
  const parts = rows.map((row) => {
    const failed = row.kind === 'process' && (row.process.signal !== null || (row.process.exitcode ?? 0) !== 0);
    const children = row.kind === 'process' ? row.children : 0;
    return `${row.key}|${row.label}|${row.height}|${failed ? 1 : 0}|${children}|${highlighted.has(row.key) ? 1 : 0}|${collapsed.has(row.key) ? 1 : 0}`;
  });
  return `${selected ?? ''}\n${parts.join('\n')}`;
}

/** What the tooltip says about `row` at instant `t`. */
export function tooltipLines(data: ViewData, row: Row, t: number, laneName: (key: string) => string): string[] {
  const span = data.end - data.start;
  const lane = laneOf(row);
  if (lane) {
    const now = laneAt(lane, t, data.end);
    const lines = [row.label];
    switch (now.state) {
      case 'not-started':
        return [];
      case 'ended': {
        const process = row.kind === 'process' ? row.process : null;
        lines.push(`ended at ${formatTime(now.at, span)}`);
        if (process?.signal) lines.push(`killed by ${process.signal}`);
        else if (process?.exitcode !== null && process?.exitcode !== undefined) lines.push(`exit code ${process.exitcode}`);
        if (process?.error) lines.push(process.error);
        return lines;
      }
      case 'running':
        lines.push(`running since ${formatTime(now.since, span)} (${formatDuration(t - now.since)})`);
        break;
      default: {
        const i = now.span;
        const end = lane.spans.end[i] ?? -1;
        lines.push(data.strings[lane.spans.what[i] ?? -1] ?? STATE_LABELS[now.state]);
        lines.push(`since ${formatTime(now.since, span)}, ${end < 0 ? `still waiting (${formatDuration(data.end - now.since)} so far)` : `for ${formatDuration(end - now.since)}`}`);
        const loc = data.strings[lane.spans.loc[i] ?? -1];
        if (loc) lines.push(`at ${loc}`);
        const outcome = data.strings[lane.spans.outcome[i] ?? -1];
        if (outcome && outcome !== 'ok') lines.push(`outcome: ${outcome}`);
      }
    }
    const task = taskAt(lane, t);
    if (task >= 0) {
      const end = lane.tasks.end[task] ?? -1;
      lines.push(`task ${data.strings[lane.tasks.label[task] ?? -1] ?? ''}${end >= 0 ? ` (${formatDuration(end - (lane.tasks.start[task] ?? 0))})` : ''}`);
      const result = data.strings[lane.tasks.result[task] ?? -1];
      if (result) lines.push(`${lane.tasks.ok[task] === 0 ? 'raised' : 'returned'} ${result}`);
    }
    return lines;
  }
  if (row.kind === 'queue') return [row.label, `${depthAt(row.queue, t)} items at ${formatTime(t, span)}`, `${row.queue.puts} puts, ${row.queue.gets} gets, at most ${row.queue.maxDepth} at once`];
  if (row.kind === 'lock') {
    const holds = holdsAt(row.lock, t, data.end);
    const waiting = lockWaitersAt(data, row.lock.id, t).map(laneName);
    const waiters = waiting.length > 0 ? [`waiting: ${waiting.join(', ')}`] : [];
    if (holds.length === 0) return [row.label, 'free', ...waiters];
    return [row.label, ...waiters, ...holds.map((hold) => `held by ${laneName(data.strings[row.lock.holds.lane[hold] ?? -1] ?? '?')} since ${formatTime(row.lock.holds.start[hold] ?? 0, span)} at ${data.strings[row.lock.holds.loc[hold] ?? -1] ?? '?'}`)];
  }
  return [];
}

/** Resolves once the frame now pending has been drawn. */
function afterNextFrame(): Promise<void> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      setTimeout(resolve, 0);
    });
  });
}

function button(text: string, title: string, onClick: () => void): HTMLButtonElement {
  const node = el('button', { type: 'button', title, text });
  node.addEventListener('click', onClick);
  return node;
}

function toggle(text: string, on: boolean, changed: (on: boolean) => void): HTMLElement {
  const input = el('input', { type: 'checkbox', checked: on });
  input.addEventListener('change', () => {
    changed(input.checked);
  });
  return el('label', { class: 'pv-toggle' }, input, text);
}
