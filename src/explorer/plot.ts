/**
 * Hand-written SVG line plots: axes with round ticks, lines, dots, shaded bands, vertical marks
 * and histogram bars. Sized in real pixels (the caller passes the width), so text stays
 * readable at phone width.
 */

const SVG = 'http://www.w3.org/2000/svg';

export interface Line {
  label: string;
  color: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  style?: 'solid' | 'dashed' | 'dots';
  width?: number;
  /** Whether the y range is fitted to this line (finite-difference dots are not). */
  fit?: boolean;
}

export interface Band {
  x0: number;
  x1: number;
  fill: string;
  /** A fill pattern id defined by `renderPlot` (`hatch`) instead of a flat fill. */
  hatch?: boolean;
  label: string;
}

export interface Mark {
  x: number;
  color: string;
  label: string;
  dash?: boolean;
}

export interface HLine {
  y: number;
  color: string;
  label: string;
}

export interface Bars {
  /** Bin edges (n + 1). */
  edges: ArrayLike<number>;
  /** The y of each bar's top. */
  tops: ArrayLike<number>;
  /** The y the bars stand on (default 0, or the bottom of the plot when 0 is below it). */
  base?: number;
  color: string;
}

export interface PlotSpec {
  /** The accessible name. */
  title: string;
  width: number;
  height: number;
  x: readonly [number, number];
  /** Fixed y range; fitted to the lines marked `fit` (default) otherwise. */
  y?: readonly [number, number];
  logY?: boolean;
  lines: Line[];
  bands?: Band[];
  marks?: Mark[];
  hlines?: HLine[];
  bars?: Bars;
  xLabel?: string;
  yLabel?: string;
  /** A vertical probe line. */
  probe?: number;
}

/** Round tick values covering [lo, hi], about `count` of them. */
export function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  const step = (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** A tick label: short, with a real minus sign. */
export function tickLabel(v: number, log = false): string {
  if (log) return `1e${Math.round(v)}`.replace('-', '−');
  const a = Math.abs(v);
  const s = a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(0) : String(Number(v.toPrecision(6)));
  return s.replace('-', '−');
}

/** The y range fitted to finite values (padded), or [-1, 1] around a constant. */
export function fitRange(lines: readonly Line[], log: boolean): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const l of lines) {
    if (l.fit === false) continue;
    for (let i = 0; i < l.y.length; i++) {
      let v = l.y[i]!;
      if (log) v = v > 0 ? Math.log10(v) : NaN;
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (!Number.isFinite(lo)) return log ? [-17, 0] : [-1, 1];
  if (log) return [Math.floor(lo), Math.max(Math.ceil(hi), Math.floor(lo) + 1)];
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(lo))) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.08;
  return [lo - pad, hi + pad];
}

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

let clipCounter = 0;

/** Draw `spec` into `svg` (replacing its content). */
export function renderPlot(svg: SVGSVGElement, spec: PlotSpec): void {
  const { width: W, height: H } = spec;
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  svg.setAttribute('width', String(W));
  svg.setAttribute('height', String(H));
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', spec.title);
  const m = { left: 52, right: 10, top: 10, bottom: spec.xLabel ? 34 : 22 };
  const pw = Math.max(10, W - m.left - m.right);
  const ph = Math.max(10, H - m.top - m.bottom);
  const log = spec.logY === true;
  const [x0, x1] = spec.x;
  const [y0, y1] = spec.y ?? fitRange(spec.lines, log);
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const ty = (y: number) => (log ? (y > 0 ? Math.log10(y) : -Infinity) : y);
  const sy = (y: number) => {
    const v = ty(y);
    const clamped = Math.max(y0 - (y1 - y0) * 2, Math.min(y1 + (y1 - y0) * 2, v));
    return m.top + (1 - (clamped - y0) / (y1 - y0)) * ph;
  };
  const title = el('title', {}, svg);
  title.textContent = spec.title;
  const defs = el('defs', {}, svg);
  const id = `clip${++clipCounter}`;
  const cp = el('clipPath', { id }, defs);
  el('rect', { x: m.left, y: m.top, width: pw, height: ph }, cp);
  const hatch = el('pattern', { id: `${id}h`, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, defs);
  el('rect', { width: 6, height: 6, fill: 'rgba(120,120,120,0.10)' }, hatch);
  el('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: 'rgba(90,90,90,0.45)', 'stroke-width': 2 }, hatch);
  el('rect', { x: m.left, y: m.top, width: pw, height: ph, class: 'plot-bg' }, svg);
  const body = el('g', { 'clip-path': `url(#${id})` }, svg);
  for (const b of spec.bands ?? []) {
    const a = sx(Math.max(x0, b.x0));
    const c = sx(Math.min(x1, b.x1));
    if (c <= a) continue;
    const r = el('rect', { x: a, y: m.top, width: c - a, height: ph, fill: b.hatch ? `url(#${id}h)` : b.fill, class: 'band' }, body);
    el('title', {}, r).textContent = b.label;
  }
  // Grid and axes.
  const grid = el('g', { class: 'grid' }, svg);
  const xt = ticks(x0, x1, Math.max(2, Math.floor(pw / 70)));
  const yt = log ? ticks(y0, y1, Math.max(2, Math.floor(ph / 28))).filter((v) => Number.isInteger(v)) : ticks(y0, y1, Math.max(2, Math.floor(ph / 40)));
  for (const t of xt) {
    el('line', { x1: sx(t), x2: sx(t), y1: m.top, y2: m.top + ph, class: t === 0 ? 'axis-zero' : 'grid-line' }, grid);
    const label = el('text', { x: sx(t), y: m.top + ph + 14, 'text-anchor': 'middle', class: 'tick' }, grid);
    label.textContent = tickLabel(t);
  }
  for (const t of yt) {
    const y = m.top + (1 - (t - y0) / (y1 - y0)) * ph;
    el('line', { x1: m.left, x2: m.left + pw, y1: y, y2: y, class: !log && t === 0 ? 'axis-zero' : 'grid-line' }, grid);
    const label = el('text', { x: m.left - 5, y: y + 4, 'text-anchor': 'end', class: 'tick' }, grid);
    label.textContent = tickLabel(t, log);
  }
  if (spec.xLabel) {
    const t = el('text', { x: m.left + pw / 2, y: H - 4, 'text-anchor': 'middle', class: 'axis-label' }, svg);
    t.textContent = spec.xLabel;
  }
  if (spec.yLabel) {
    const t = el('text', { x: 12, y: m.top + ph / 2, 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 12 ${m.top + ph / 2})` }, svg);
    t.textContent = spec.yLabel;
  }
  if (spec.bars) {
    const { edges, tops, color } = spec.bars;
    const baseY = spec.bars.base ?? (log ? 10 ** y0 : Math.max(y0, 0));
    const base = sy(baseY);
    for (let i = 0; i < tops.length; i++) {
      const a = sx(edges[i]!);
      const b = sx(edges[i + 1]!);
      if (!(tops[i]! > baseY)) continue;
      const top = sy(tops[i]!);
      el('rect', { x: a + 0.5, y: Math.min(top, base), width: Math.max(0.5, b - a - 1), height: Math.abs(base - top), fill: color, class: 'bar' }, body);
    }
  }
  for (const h of spec.hlines ?? []) {
    const y = sy(h.y);
    const line = el('line', { x1: m.left, x2: m.left + pw, y1: y, y2: y, stroke: h.color, 'stroke-dasharray': '2 3', 'stroke-width': 1 }, body);
    el('title', {}, line).textContent = h.label;
  }
  for (const k of spec.marks ?? []) {
    const line = el('line', { x1: sx(k.x), x2: sx(k.x), y1: m.top, y2: m.top + ph, stroke: k.color, 'stroke-width': 1.5, 'stroke-dasharray': k.dash === false ? '' : '5 3', class: 'mark' }, body);
    el('title', {}, line).textContent = k.label;
  }
  for (const l of spec.lines) {
    if (l.style === 'dots') {
      const g = el('g', { fill: l.color, class: 'dots' }, body);
      const step = Math.max(1, Math.floor(l.x.length / Math.max(20, pw / 9)));
      for (let i = 0; i < l.x.length; i += step) {
        const y = l.y[i]!;
        if (!Number.isFinite(ty(y))) continue;
        el('circle', { cx: sx(l.x[i]!), cy: sy(y), r: 2.2 }, g);
      }
      continue;
    }
    let d = '';
    let pen = false;
    for (let i = 0; i < l.x.length; i++) {
      const y = l.y[i]!;
      if (!Number.isFinite(ty(y))) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(l.x[i]!).toFixed(1)},${sy(y).toFixed(1)}`;
      pen = true;
    }
    el('path', { d, fill: 'none', stroke: l.color, 'stroke-width': l.width ?? 2, 'stroke-dasharray': l.style === 'dashed' ? '7 4' : '', 'stroke-linejoin': 'round', class: 'line' }, body);
  }
  if (spec.probe !== undefined && spec.probe >= x0 && spec.probe <= x1) {
    el('line', { x1: sx(spec.probe), x2: sx(spec.probe), y1: m.top, y2: m.top + ph, class: 'probe' }, svg);
  }
  el('rect', { x: m.left, y: m.top, width: pw, height: ph, class: 'plot-frame', fill: 'none' }, svg);
}
