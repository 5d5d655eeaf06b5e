/**
 * The "Playground" view: train a small network in the page, a few steps per frame, and watch
 * the decision boundary, the loss and what each layer's activation receives.
 */
import type { App } from './app.js';
import { apply, complete, entry, properties } from './catalogue.js';
import { curve, formatNumber } from './compute.js';
import { paramControls } from './controls.js';
import { activationOptions } from './curves_view.js';
import { h, replace, svg } from './dom.js';
import { Trainer, type LayerStats } from './playground.js';
import { renderPlot, type Band } from './plot.js';
import { BATCH_SIZES, DATASETS, LEARNING_RATES, LIMITS, OPTIMIZERS, type PlaygroundState } from './state.js';

/** Milliseconds of training per chunk, between which the page handles input and draws. */
const CHUNK_MS = 12;
/** Redraw at most this often while training. */
const DRAW_MS = 120;
/** Decision-boundary resolution. */
const RES = 56;

const OPT_LABELS: Record<string, string> = { sgd: 'SGD', momentum: 'SGD, momentum 0.9', adam: 'Adam' };

/** What the test hook reads. */
export interface PlaygroundSnapshot {
  steps: number;
  /** The loss after every step. */
  losses: number[];
  loss: number | undefined;
  accuracy: number | undefined;
  running: boolean;
  stats: LayerStats[];
  histogram: { layer: number; edges: number[]; counts: number[] } | undefined;
  error: string | undefined;
}

function histogram(values: ArrayLike<number>, bins: number): { edges: number[]; counts: number[] } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!Number.isFinite(lo)) [lo, hi] = [-1, 1];
  const span = Math.max(hi - lo, 1e-3);
  lo -= span * 0.05;
  hi += span * 0.05;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)))]!++;
  }
  return { edges, counts };
}

export class PlaygroundView {
  trainer: Trainer | undefined;
  running = false;
  private error: string | undefined;
  private stats: LayerStats[] = [];
  private hist: PlaygroundSnapshot['histogram'];
  private lastDraw = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private key = '';
  private readonly sidebar = h('aside', { class: 'sidebar', 'aria-label': 'Playground settings' });
  private readonly main = h('div', { class: 'plots pg-main' });
  private readonly canvas = h('canvas', { id: 'boundary', width: '336', height: '336', role: 'img', 'aria-label': 'decision boundary' });
  private readonly lossFig = svg({ id: 'plot-loss' });
  private readonly histFig = svg({ id: 'plot-hist' });
  private readonly statsTable = h('table', { class: 'stats', id: 'layer-stats' });
  private readonly status = h('p', { class: 'status', id: 'pg-status', 'aria-live': 'polite' });
  private readonly layerPick = h('select', { id: 'pg-layer' });
  private readonly playButton = h('button', { type: 'button', id: 'pg-play', 'aria-pressed': 'false', class: 'primary' }, 'Train');

  constructor(
    private readonly app: App,
    root: HTMLElement,
  ) {
    root.append(h('div', { class: 'layout' }, this.sidebar, this.main));
    this.layerPick.addEventListener('change', () => {
      this.app.state.pg.layer = Number(this.layerPick.value);
      this.app.commit({ compute: false });
      this.draw(true);
    });
    replace(
      this.main,
      h(
        'div',
        { class: 'pg-top' },
        h(
          'figure',
          { class: 'boundary' },
          h('figcaption', {}, 'Decision boundary, training points on top'),
          this.canvas,
          h('ul', { class: 'legend classes' }, h('li', {}, h('span', { class: 'dot c0', 'aria-hidden': 'true' }), 'class 0'), h('li', {}, h('span', { class: 'dot c1', 'aria-hidden': 'true' }), 'class 1'), h('li', {}, 'shade: the model’s probability')),
        ),
        h('div', { class: 'pg-side' }, this.status, h('figure', {}, h('figcaption', {}, 'Training loss (cross-entropy)'), this.lossFig)),
      ),
      h('h2', { class: 'view-title' }, 'What the activations receive'),
      h('div', { class: 'table-wrap' }, this.statsTable),
      h('div', { class: 'ctl inline' }, h('label', { for: 'pg-layer' }, 'Pre-activations of hidden layer'), this.layerPick),
      h('figure', {}, h('figcaption', {}, 'Histogram of the inputs the layer’s activation receives on the training set, over the activation’s curve'), this.histFig),
    );
  }

  build(): void {
    const s = this.app.state;
    const pg = s.pg;
    const change = (f: (p: PlaygroundState) => void, rebuild = false) => {
      f(pg);
      this.app.commit({ rebuild });
    };
    const select = (id: string, label: string, options: [string, string][], value: string, on: (v: string) => void) => {
      const sel = h('select', { id, onchange: () => on(sel.value) }, ...options.map(([v, t]) => h('option', { value: v, selected: v === value }, t)));
      return h('div', { class: 'ctl' }, h('label', { for: id }, label), sel);
    };
    const slider = (id: string, label: string, lo: number, hi: number, step: number, value: number, on: (v: number) => void) => {
      const out = h('output', { for: id, id: `${id}-out` }, String(value));
      const input = h('input', { type: 'range', id, min: String(lo), max: String(hi), step: String(step), value: String(value) });
      input.addEventListener('input', () => (out.textContent = input.value));
      input.addEventListener('change', () => on(Number(input.value)));
      return h('div', { class: 'ctl' }, h('label', { for: id }, label), h('div', { class: 'slider-row' }, input, out));
    };
    const e = entry(pg.act);
    const act = h(
      'select',
      { id: 'pg-act', onchange: () => change((p) => ((p.act = act.value), (p.params = {})), true) },
      ...activationOptions((x) => x.trainable, pg.act),
    );
    const seed = h('input', { type: 'number', id: 'pg-seed', value: String(pg.seed), min: '0', step: '1', inputmode: 'numeric' });
    seed.addEventListener('change', () => {
      const v = Math.round(Number(seed.value));
      if (Number.isFinite(v) && v >= 0 && v <= LIMITS.seed[1]) change((p) => (p.seed = v));
    });
    this.playButton.onclick = () => this.toggle();
    replace(
      this.sidebar,
      select('pg-data', 'Data set', DATASETS.map((d) => [d, d]), pg.dataset, (v) => change((p) => (p.dataset = v as PlaygroundState['dataset']))),
      slider('pg-noise', 'Noise', 0, 0.5, 0.05, pg.noise, (v) => change((p) => (p.noise = v))),
      h('div', { class: 'ctl' }, h('label', { for: 'pg-act' }, 'Activation'), act),
      h(
        'div',
        { class: 'pg-params' },
        ...paramControls(e, complete(e, pg.params), 'pg-p', (key, v) => change((p) => (p.params = { ...p.params, [key]: v }))),
      ),
      slider('pg-depth', 'Hidden layers', LIMITS.depth[0], LIMITS.depth[1], 1, pg.depth, (v) => change((p) => ((p.depth = v), (p.layer = Math.min(p.layer, v - 1))))),
      slider('pg-width', 'Units per layer', LIMITS.width[0], LIMITS.width[1], 1, pg.width, (v) => change((p) => (p.width = v))),
      select('pg-opt', 'Optimizer', OPTIMIZERS.map((o) => [o, OPT_LABELS[o]!]), pg.optimizer, (v) => change((p) => (p.optimizer = v as PlaygroundState['optimizer']))),
      select('pg-lr', 'Learning rate', LEARNING_RATES.map((r) => [String(r), String(r)]), String(pg.lr), (v) => change((p) => (p.lr = Number(v)))),
      select('pg-batch', 'Batch size', BATCH_SIZES.map((b) => [String(b), b === 0 ? 'all 200 points' : String(b)]), String(pg.batch), (v) => change((p) => (p.batch = Number(v)))),
      h('div', { class: 'ctl' }, h('label', { for: 'pg-seed' }, 'Seed'), seed),
      h(
        'div',
        { class: 'buttons' },
        this.playButton,
        h('button', { type: 'button', id: 'pg-step', onclick: () => this.stepOnce() }, 'Step'),
        h('button', { type: 'button', id: 'pg-reset', onclick: () => this.reset(true) }, 'Reset'),
      ),
      h('p', { class: 'hint' }, 'Training runs in short chunks between frames, so the page stays responsive. The same seed gives the same run, and "Show code" gives it as a script for paoding and for PyTorch.'),
    );
    if (!LEARNING_RATES.includes(pg.lr)) (document.getElementById('pg-lr') as HTMLSelectElement).append(h('option', { value: String(pg.lr), selected: true }, String(pg.lr)));
    replace(this.layerPick, ...Array.from({ length: pg.depth }, (_, i) => h('option', { value: String(i), selected: i === pg.layer }, String(i + 1))));
  }

  /** Rebuild the model when the settings changed (a new run), else just redraw. */
  render(): void {
    const key = JSON.stringify(this.app.state.pg, (k, v) => (k === 'layer' ? undefined : v));
    if (key !== this.key || this.trainer === undefined) this.reset(true);
    else this.draw(true);
  }

  /** A fresh model from the settings. */
  reset(keepRunning: boolean): void {
    const wasRunning = this.running;
    this.pause();
    this.key = JSON.stringify(this.app.state.pg, (k, v) => (k === 'layer' ? undefined : v));
    try {
      this.trainer = new Trainer(this.app.state.pg);
      this.error = undefined;
    } catch (e) {
      this.trainer = undefined;
      this.error = e instanceof Error ? e.message : String(e);
    }
    this.draw(true);
    if (keepRunning && wasRunning) this.play();
  }

  private toggle(): void {
    if (this.running) this.pause();
    else this.play();
  }

  play(): void {
    if (this.trainer === undefined || this.running) return;
    this.running = true;
    this.playButton.textContent = 'Pause';
    this.playButton.setAttribute('aria-pressed', 'true');
    const tick = () => {
      if (!this.running || this.trainer === undefined) return;
      try {
        this.trainer.run(CHUNK_MS);
      } catch (e) {
        this.error = e instanceof Error ? e.message : String(e);
        this.pause();
      }
      if (performance.now() - this.lastDraw > DRAW_MS) this.draw(false);
      this.timer = setTimeout(tick, 0);
    };
    this.timer = setTimeout(tick, 0);
  }

  pause(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running) {
      this.running = false;
      this.playButton.textContent = 'Train';
      this.playButton.setAttribute('aria-pressed', 'false');
      this.draw(true);
      this.app.commit({ compute: false });
    }
  }

  /** Ten steps. */
  stepOnce(): void {
    if (this.trainer === undefined) return;
    try {
      for (let i = 0; i < 10; i++) this.trainer.step();
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
    this.draw(true);
    this.app.commit({ compute: false });
  }

  snapshot(): PlaygroundSnapshot {
    const t = this.trainer;
    return {
      steps: t?.steps ?? 0,
      losses: t ? [...t.losses] : [],
      loss: t?.losses[t.losses.length - 1],
      accuracy: t ? t.accuracy() : undefined,
      running: this.running,
      stats: this.stats,
      histogram: this.hist,
      error: this.error,
    };
  }

  /** Draw everything; `full` also when idle (the statistics cost a forward pass). */
  draw(full: boolean): void {
    this.lastDraw = performance.now();
    const t = this.trainer;
    if (t === undefined) {
      this.status.textContent = this.error ?? '';
      return;
    }
    this.drawBoundary(t);
    const losses = t.losses;
    const width = Math.max(240, Math.floor((this.lossFig.parentElement?.clientWidth ?? 320) || 320));
    const xs = losses.map((_, i) => i + 1);
    renderPlot(this.lossFig, {
      title: `training loss over ${losses.length} steps${losses.length ? `, now ${formatNumber(losses[losses.length - 1]!, 4)}` : ''}`,
      width,
      height: 180,
      x: [0, Math.max(10, losses.length)],
      logY: true,
      lines: [{ label: 'loss', color: '#0072B2', x: xs, y: losses, width: 1.5 }],
      xLabel: 'step',
    });
    const acc = t.accuracy();
    this.status.textContent = this.error
      ? this.error
      : `step ${t.steps} · loss ${losses.length ? formatNumber(losses[losses.length - 1]!, 4) : '–'} · training accuracy ${(acc * 100).toFixed(1)}%`;
    this.status.setAttribute('data-steps', String(t.steps));
    if (full || !this.running || t.steps % 5 === 0) this.drawLayers(t);
  }

  private drawBoundary(t: Trainer): void {
    const ctx = this.canvas.getContext('2d');
    if (ctx === null) return;
    const size = Math.min(336, Math.max(240, (this.canvas.parentElement?.clientWidth ?? 336) - 4));
    if (this.canvas.width !== size) {
      this.canvas.width = size;
      this.canvas.height = size;
    }
    const probs = t.probabilities(RES);
    const img = ctx.createImageData(RES, RES);
    // Class 0 blue (0, 114, 178), class 1 orange (230, 159, 0), through white.
    for (let i = 0; i < RES * RES; i++) {
      const p = probs[i]!;
      const w = Math.abs(p - 0.5) * 2 * 0.55;
      const [r, g, b] = p < 0.5 ? [0, 114, 178] : [230, 159, 0];
      img.data[4 * i] = 255 + (r - 255) * w;
      img.data[4 * i + 1] = 255 + (g - 255) * w;
      img.data[4 * i + 2] = 255 + (b - 255) * w;
      img.data[4 * i + 3] = 255;
    }
    const off = document.createElement('canvas');
    off.width = RES;
    off.height = RES;
    off.getContext('2d')!.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, 0, 0, size, size);
    const e = t.extent;
    const sx = (v: number) => ((v + e) / (2 * e)) * size;
    const sy = (v: number) => ((e - v) / (2 * e)) * size;
    // Axes.
    ctx.strokeStyle = 'rgba(0,0,0,0.25)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(sx(0), 0);
    ctx.lineTo(sx(0), size);
    ctx.moveTo(0, sy(0));
    ctx.lineTo(size, sy(0));
    ctx.stroke();
    for (let i = 0; i < t.labels.length; i++) {
      ctx.beginPath();
      ctx.arc(sx(t.points[2 * i]!), sy(t.points[2 * i + 1]!), 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = t.labels[i] === 0 ? '#0072B2' : '#E69F00';
      ctx.fill();
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
    this.canvas.setAttribute('aria-label', `decision boundary after ${t.steps} steps on ${t.config.dataset}, training accuracy ${(t.accuracy() * 100).toFixed(0)}%`);
  }

  private drawLayers(t: Trainer): void {
    const s = this.app.state;
    this.stats = t.layerStats(s.threshold);
    const head = h('tr', {}, ...['hidden layer', 'units', 'dead units', 'in dead zone', `saturated (|f′| < ${s.threshold})`, 'mean |f′|'].map((c) => h('th', { scope: 'col' }, c)));
    const rows = this.stats.map((st) =>
      h(
        'tr',
        { 'data-layer': String(st.layer) },
        h('th', { scope: 'row' }, String(st.layer + 1)),
        h('td', {}, String(st.units)),
        h('td', { class: st.dead > 0 ? 'warn' : '' }, `${st.dead} (${((st.dead / st.units) * 100).toFixed(0)}%)`),
        h('td', {}, `${(st.inDeadZone * 100).toFixed(1)}%`),
        h('td', { class: st.saturated > 0.5 ? 'warn' : '' }, `${(st.saturated * 100).toFixed(1)}%`),
        h('td', {}, formatNumber(st.meanSlope, 3)),
      ),
    );
    replace(this.statsTable, h('caption', {}, `Per layer, on the ${t.config.dataset} training set after ${t.steps} steps`), h('thead', {}, head), h('tbody', {}, ...rows));
    // Histogram of the chosen layer's pre-activations over the activation's curve.
    const layer = Math.min(s.pg.layer, t.config.depth - 1);
    const z = t.preactivations()[layer];
    if (z === undefined) return;
    const hist = histogram(z.contiguous().toTypedArray() as Float32Array, 36);
    this.hist = { layer, ...hist };
    const lo = hist.edges[0]!;
    const hi = hist.edges[hist.edges.length - 1]!;
    const c = curve(t.entry.id, t.entry.module, (x) => apply(t.entry, t.values, x), lo, hi, 201, 'float32');
    let ymin = Infinity;
    let ymax = -Infinity;
    for (const v of c.y) {
      if (Number.isFinite(v)) {
        ymin = Math.min(ymin, v);
        ymax = Math.max(ymax, v);
      }
    }
    if (!(ymax > ymin)) [ymin, ymax] = [ymin - 1, ymin + 1];
    const pad = (ymax - ymin) * 0.08;
    ymin -= pad;
    ymax += pad;
    const maxCount = Math.max(1, ...hist.counts);
    // Bars scaled into the curve's y range, from its bottom.
    const heights = hist.counts.map((n) => ymin + (n / maxCount) * (ymax - ymin) * 0.9);
    const props = properties(t.entry, t.values);
    const bands: Band[] = [];
    if (props.deadZone) bands.push({ x0: Math.max(lo, props.deadZone[0]), x1: Math.min(hi, props.deadZone[1]), fill: '', hatch: true, label: 'dead zone' });
    const width = Math.max(260, Math.floor(this.main.clientWidth || 600));
    renderPlot(this.histFig, {
      title: `histogram of the ${z.numel()} inputs of hidden layer ${layer + 1}'s ${t.entry.module}, between ${formatNumber(lo, 3)} and ${formatNumber(hi, 3)}, with the activation's curve`,
      width,
      height: width < 520 ? 200 : 240,
      x: [lo, hi],
      y: [ymin, ymax],
      bars: { edges: hist.edges, tops: heights, base: ymin, color: 'rgba(0, 114, 178, 0.28)' },
      lines: [{ label: t.entry.module, color: '#D55E00', x: c.x, y: c.y }],
      bands,
      marks: props.kinks.filter((k) => k > lo && k < hi).map((k) => ({ x: k, color: '#D55E00', label: `kink at ${formatNumber(k)}` })),
      xLabel: 'pre-activation z',
      yLabel: `${t.entry.module}(z)`,
    });
  }
}
