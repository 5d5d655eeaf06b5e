/** Inline SVG plots for the HTML report: line charts, grouped bars and histograms, no dependencies. */

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22', '#393b79', '#ad494a'];

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface Series {
  name: string;
  xs?: readonly number[];
  ys: readonly (number | null)[];
  color?: string;
  dash?: boolean;
}

export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  logX?: boolean;
  logY?: boolean;
  width?: number;
  height?: number;
  /** Horizontal reference lines. */
  hlines?: { y: number; label: string }[];
  yMin?: number;
  yMax?: number;
  markers?: boolean;
}

function ticks(lo: number, hi: number, n: number): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const step0 = span / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= n) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function label(v: number, log: boolean): string {
  const x = log ? 10 ** v : v;
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e4 || a < 1e-3) return x.toExponential(0);
  return Number(x.toPrecision(3)).toString();
}

/** A line chart with axes, ticks, legend; null values break the line. */
export function lineChart(series: readonly Series[], o: ChartOptions = {}): string {
  const W = o.width ?? 560;
  const H = o.height ?? 300;
  const m = { l: 58, r: 12, t: o.title ? 26 : 10, b: 40 };
  const legendRows = Math.ceil(series.length / 4);
  const h = H + legendRows * 16;
  const fx = (x: number): number => (o.logX ? Math.log10(x) : x);
  const fy = (y: number): number => (o.logY ? Math.log10(y) : y);
  const ok = (v: number | null | undefined, log?: boolean): v is number => v !== null && v !== undefined && Number.isFinite(v) && (!log || v > 0);
  const pts = series.map((s) => s.ys.map((y, i) => ({ x: s.xs ? s.xs[i]! : i, y })));
  const xsAll = pts.flat().filter((p) => ok(p.x, o.logX) && ok(p.y, o.logY)).map((p) => fx(p.x));
  const ysAll = pts.flat().filter((p) => ok(p.x, o.logX) && ok(p.y, o.logY)).map((p) => fy(p.y as number));
  if (!xsAll.length) return `<svg width="${W}" height="40" role="img"><text x="8" y="24" class="ax">${esc(o.title ?? '')}: no finite values</text></svg>`;
  let x0 = Math.min(...xsAll);
  let x1 = Math.max(...xsAll);
  let y0 = o.yMin !== undefined ? fy(o.yMin) : Math.min(...ysAll);
  let y1 = o.yMax !== undefined ? fy(o.yMax) : Math.max(...ysAll);
  for (const hl of o.hlines ?? []) {
    if (ok(hl.y, o.logY)) {
      y0 = Math.min(y0, fy(hl.y));
      y1 = Math.max(y1, fy(hl.y));
    }
  }
  if (x1 === x0) (x0 -= 0.5), (x1 += 0.5);
  if (y1 === y0) (y0 -= 0.5), (y1 += 0.5);
  const pad = (y1 - y0) * 0.04;
  y0 -= pad;
  y1 += pad;
  const px = (x: number): number => m.l + ((fx(x) - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number): number => m.t + (1 - (fy(y) - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [`<svg viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" class="chart">`];
  if (o.title) parts.push(`<text x="${m.l}" y="16" class="title">${esc(o.title)}</text>`);
  // Axes and grid.
  const xt = o.logX ? ticks(Math.floor(x0), Math.ceil(x1), 6).filter((v) => Number.isInteger(v) && v >= x0 - 1e-9 && v <= x1 + 1e-9) : ticks(x0, x1, 6);
  const yt = o.logY ? ticks(Math.floor(y0), Math.ceil(y1), 6).filter((v) => Number.isInteger(v) && v >= y0 && v <= y1) : ticks(y0, y1, 5);
  for (const v of yt) {
    const y = m.t + (1 - (v - y0) / (y1 - y0)) * (H - m.t - m.b);
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" class="grid"/><text x="${m.l - 4}" y="${(y + 3).toFixed(1)}" class="ax" text-anchor="end">${label(v, Boolean(o.logY))}</text>`);
  }
  for (const v of xt) {
    const x = m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
    parts.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${m.t}" y2="${H - m.b}" class="grid"/><text x="${x.toFixed(1)}" y="${H - m.b + 14}" class="ax" text-anchor="middle">${label(v, Boolean(o.logX))}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" class="frame"/>`);
  if (o.xLabel) parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" class="ax" text-anchor="middle">${esc(o.xLabel)}${o.logX ? ' (log)' : ''}</text>`);
  if (o.yLabel) parts.push(`<text transform="translate(12 ${(m.t + H - m.b) / 2}) rotate(-90)" class="ax" text-anchor="middle">${esc(o.yLabel)}${o.logY ? ' (log)' : ''}</text>`);
  for (const hl of o.hlines ?? []) {
    if (!ok(hl.y, o.logY)) continue;
    const y = py(hl.y).toFixed(1);
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" class="ref"/><text x="${W - m.r - 2}" y="${Number(y) - 3}" class="ax" text-anchor="end">${esc(hl.label)}</text>`);
  }
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length]!;
    let d = '';
    let pen = false;
    const dots: string[] = [];
    pts[k]!.forEach((p) => {
      if (!ok(p.x, o.logX) || !ok(p.y, o.logY)) {
        pen = false;
        return;
      }
      const X = px(p.x).toFixed(1);
      const Y = py(p.y).toFixed(1);
      d += `${pen ? 'L' : 'M'}${X} ${Y}`;
      pen = true;
      if (o.markers) dots.push(`<circle cx="${X}" cy="${Y}" r="2.5" fill="${color}"/>`);
    });
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"${s.dash ? ' stroke-dasharray="5 3"' : ''}/>`, ...dots);
  });
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length]!;
    const x = m.l + (k % 4) * ((W - m.l) / 4);
    const y = H + 4 + Math.floor(k / 4) * 16;
    parts.push(`<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2"${s.dash ? ' stroke-dasharray="5 3"' : ''}/><text x="${x + 22}" y="${y + 4}" class="ax">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Grouped vertical bars: one group per category, one bar per series. */
export function barChart(categories: readonly string[], series: readonly { name: string; values: readonly (number | null)[]; color?: string }[], o: ChartOptions = {}): string {
  const W = o.width ?? 560;
  const H = o.height ?? 260;
  const m = { l: 58, r: 12, t: o.title ? 26 : 10, b: 40 };
  const legendRows = Math.ceil(series.length / 4);
  const h = H + legendRows * 16;
  const fy = (y: number): number => (o.logY ? Math.log10(y) : y);
  const vals = series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v) && (!o.logY || v > 0)).map(fy);
  if (!vals.length) return '';
  let y1 = o.yMax !== undefined ? fy(o.yMax) : Math.max(...vals);
  let y0 = o.logY ? Math.floor(Math.min(...vals)) : Math.min(0, ...vals);
  if (y1 === y0) y1 = y0 + 1;
  y1 += (y1 - y0) * 0.04;
  const parts: string[] = [`<svg viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" class="chart">`];
  if (o.title) parts.push(`<text x="${m.l}" y="16" class="title">${esc(o.title)}</text>`);
  const py = (v: number): number => m.t + (1 - (v - y0) / (y1 - y0)) * (H - m.t - m.b);
  for (const v of o.logY ? ticks(y0, Math.ceil(y1), 6).filter(Number.isInteger) : ticks(y0, y1, 5)) {
    const y = py(v);
    if (y < m.t - 1) continue;
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" class="grid"/><text x="${m.l - 4}" y="${(y + 3).toFixed(1)}" class="ax" text-anchor="end">${label(v, Boolean(o.logY))}</text>`);
  }
  const gw = (W - m.l - m.r) / categories.length;
  const bw = Math.max(1, (gw * 0.8) / series.length);
  categories.forEach((c, i) => {
    const gx = m.l + i * gw + gw * 0.1;
    series.forEach((s, k) => {
      const v = s.values[i];
      if (v === null || v === undefined || !Number.isFinite(v) || (o.logY && v <= 0)) return;
      const top = py(fy(v));
      const base = py(Math.max(y0, Math.min(0, y1)));
      const y = Math.min(top, base);
      parts.push(`<rect x="${(gx + k * bw).toFixed(1)}" y="${y.toFixed(1)}" width="${(bw * 0.9).toFixed(1)}" height="${Math.max(0.5, Math.abs(base - top)).toFixed(1)}" fill="${s.color ?? PALETTE[k % PALETTE.length]}"><title>${esc(`${s.name} ${c}: ${v}`)}</title></rect>`);
    });
    if (categories.length <= 40) parts.push(`<text x="${(m.l + i * gw + gw / 2).toFixed(1)}" y="${H - m.b + 14}" class="ax" text-anchor="middle">${esc(c)}</text>`);
  });
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" class="frame"/>`);
  if (o.xLabel) parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" class="ax" text-anchor="middle">${esc(o.xLabel)}</text>`);
  if (o.yLabel) parts.push(`<text transform="translate(12 ${(m.t + H - m.b) / 2}) rotate(-90)" class="ax" text-anchor="middle">${esc(o.yLabel)}${o.logY ? ' (log)' : ''}</text>`);
  series.forEach((s, k) => {
    const x = m.l + (k % 4) * ((W - m.l) / 4);
    const y = H + 4 + Math.floor(k / 4) * 16;
    parts.push(`<rect x="${x}" y="${y - 5}" width="12" height="10" fill="${s.color ?? PALETTE[k % PALETTE.length]}"/><text x="${x + 16}" y="${y + 4}" class="ax">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * A histogram of an activation's inputs drawn under the activation's curve: bars on a density
 * axis, the curve f(x) (and f'(x), dashed) scaled into the same box, with the curve's range on
 * the right-hand axis.
 */
export function histogramOverCurve(
  hist: { lo: number; hi: number; counts: readonly number[]; below: number; above: number },
  curve: { xs: readonly number[]; f: readonly number[]; d: readonly number[] },
  o: { title?: string; width?: number; height?: number; color?: string } = {},
): string {
  const W = o.width ?? 270;
  const H = o.height ?? 170;
  const m = { l: 8, r: 34, t: o.title ? 22 : 8, b: 30 };
  const total = hist.counts.reduce((a, b) => a + b, 0) + hist.below + hist.above;
  const maxC = Math.max(1, ...hist.counts);
  const px = (x: number): number => m.l + ((x - hist.lo) / (hist.hi - hist.lo)) * (W - m.l - m.r);
  const fin = curve.f.filter(Number.isFinite);
  let f0 = Math.min(...fin, 0);
  let f1 = Math.max(...fin, 0);
  if (f1 === f0) f1 = f0 + 1;
  const pad = (f1 - f0) * 0.05;
  f0 -= pad;
  f1 += pad;
  const pf = (v: number): number => m.t + (1 - (v - f0) / (f1 - f0)) * (H - m.t - m.b);
  const parts: string[] = [`<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" class="chart">`];
  if (o.title) parts.push(`<text x="${m.l}" y="14" class="title small">${esc(o.title)}</text>`);
  const bw = (W - m.l - m.r) / hist.counts.length;
  hist.counts.forEach((c, i) => {
    const hgt = (c / maxC) * (H - m.t - m.b);
    parts.push(`<rect x="${(m.l + i * bw).toFixed(1)}" y="${(H - m.b - hgt).toFixed(1)}" width="${Math.max(0.5, bw - 0.3).toFixed(1)}" height="${hgt.toFixed(1)}" fill="${o.color ?? '#9ecae1'}"/>`);
  });
  const path = (ys: readonly number[]): string =>
    curve.xs
      .map((x, i) => (Number.isFinite(ys[i]!) ? `${i === 0 ? 'M' : 'L'}${px(x).toFixed(1)} ${pf(Math.max(f0, Math.min(f1, ys[i]!))).toFixed(1)}` : ''))
      .join('');
  parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${pf(0).toFixed(1)}" y2="${pf(0).toFixed(1)}" class="grid"/>`);
  parts.push(`<path d="${path(curve.f)}" fill="none" stroke="#222" stroke-width="1.6"/><path d="${path(curve.d)}" fill="none" stroke="#d62728" stroke-width="1.2" stroke-dasharray="4 2"/>`);
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" class="frame"/>`);
  for (const v of ticks(hist.lo, hist.hi, 4)) parts.push(`<text x="${px(v).toFixed(1)}" y="${H - m.b + 12}" class="ax" text-anchor="middle">${label(v, false)}</text>`);
  for (const v of ticks(f0, f1, 3)) parts.push(`<text x="${W - m.r + 3}" y="${(pf(v) + 3).toFixed(1)}" class="ax">${label(v, false)}</text>`);
  const outside = total ? (hist.below + hist.above) / total : 0;
  parts.push(`<text x="${m.l}" y="${H - 4}" class="ax">${outside > 0 ? `${(outside * 100).toFixed(1)}% outside [${hist.lo}, ${hist.hi}]` : ''}</text>`);
  parts.push('</svg>');
  return parts.join('');
}
