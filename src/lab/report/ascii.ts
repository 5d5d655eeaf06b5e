/** Terminal tables and charts, in plain text (no dependencies, no colour codes). */

/** A table with a header row; columns are left-aligned for text, right-aligned for numbers. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], indent = 2): string {
  const widths = header.map((h, i) => Math.max(len(h), ...rows.map((r) => len(r[i] ?? ''))));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-+≥≤>< ]*[\d.]+(e[-+]?\d+)?[%×]?( ?±.*)?$|^–$/.test((r[i] ?? '').trim())));
  const line = (cells: readonly string[]): string =>
    ' '.repeat(indent) +
    cells
      .map((c, i) => (numeric[i] ? pad(c, widths[i]!, true) : pad(c, widths[i]!, false)))
      .join('  ')
      .trimEnd();
  const sep = ' '.repeat(indent) + widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(header), sep, ...rows.map(line)].join('\n');
}

function len(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number, right: boolean): string {
  const p = ' '.repeat(Math.max(0, w - len(s)));
  return right ? p + s : s + p;
}

const MARKS = ['*', 'o', '+', 'x', '#', '@', '%', '&', '=', '~', '$', '^'];

export interface AsciiSeries {
  name: string;
  ys: readonly (number | null)[];
}

/**
 * A line chart on a character grid: one mark per series, x from 0 to the longest series, an
 * optional log y axis, a legend under it.
 */
export function lineChart(series: readonly AsciiSeries[], opts: { width?: number; height?: number; logY?: boolean; title?: string; xLabel?: string; yLabel?: string; xs?: readonly number[] } = {}): string {
  const width = opts.width ?? 64;
  const height = opts.height ?? 12;
  const tf = (v: number): number => (opts.logY ? Math.log10(v) : v);
  const vals = series.flatMap((s) => s.ys.filter((v): v is number => v !== null && Number.isFinite(v) && (!opts.logY || v > 0)).map(tf));
  if (vals.length === 0) return opts.title ? `${opts.title}\n  (no finite values)` : '  (no finite values)';
  let lo = Math.min(...vals);
  let hi = Math.max(...vals);
  if (hi === lo) {
    hi += 0.5;
    lo -= 0.5;
  }
  const n = Math.max(...series.map((s) => s.ys.length));
  const grid = Array.from({ length: height }, () => new Array<string>(width).fill(' '));
  series.forEach((s, k) => {
    const mark = MARKS[k % MARKS.length]!;
    for (let c = 0; c < width; c++) {
      // Average the values falling in this column.
      const a = Math.floor((c * n) / width);
      const b = Math.max(a + 1, Math.floor(((c + 1) * n) / width));
      let sum = 0;
      let cnt = 0;
      for (let i = a; i < b && i < s.ys.length; i++) {
        const v = s.ys[i];
        if (v !== null && v !== undefined && Number.isFinite(v) && (!opts.logY || v > 0)) {
          sum += tf(v);
          cnt++;
        }
      }
      if (!cnt) continue;
      const r = Math.round(((hi - sum / cnt) / (hi - lo)) * (height - 1));
      grid[Math.min(height - 1, Math.max(0, r))]![c] = mark;
    }
  });
  const label = (v: number): string => {
    const x = opts.logY ? 10 ** v : v;
    return Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-2 && x !== 0) ? x.toExponential(1) : Number(x.toPrecision(3)).toString();
  };
  const labels = grid.map((_, r) => (r === 0 ? label(hi) : r === height - 1 ? label(lo) : r === Math.floor((height - 1) / 2) ? label(hi - ((hi - lo) * r) / (height - 1)) : ''));
  const lw = Math.max(...labels.map((l) => l.length));
  const lines: string[] = [];
  if (opts.title) lines.push(`  ${opts.title}`);
  grid.forEach((row, r) => lines.push(`  ${labels[r]!.padStart(lw)} ┤${row.join('')}`));
  const xs = opts.xs;
  const x0 = xs ? String(xs[0]) : '0';
  const x1 = xs ? String(xs[xs.length - 1]) : String(n);
  lines.push(`  ${' '.repeat(lw)} └${'─'.repeat(width)}`);
  lines.push(`  ${' '.repeat(lw)}  ${x0}${(opts.xLabel ? ` ${opts.xLabel} ` : '').padStart(Math.floor(width / 2)).padEnd(width - x0.length - x1.length)}${x1}`);
  lines.push(`  ${series.map((s, k) => `${MARKS[k % MARKS.length]} ${s.name}`).join('   ')}${opts.logY ? '   (log scale)' : ''}`);
  return lines.join('\n');
}

/** Horizontal bars, one per row, scaled to the largest (log scale optional). */
export function bars(rows: readonly { label: string; value: number | null; text?: string }[], opts: { width?: number; logY?: boolean } = {}): string {
  const width = opts.width ?? 40;
  const finite = rows.map((r) => r.value).filter((v): v is number => v !== null && Number.isFinite(v) && (!opts.logY || v > 0));
  if (!finite.length) return rows.map((r) => `  ${r.label}  –`).join('\n');
  const tf = (v: number): number => (opts.logY ? Math.log10(v) : v);
  const hi = Math.max(...finite.map(tf));
  const lo = opts.logY ? Math.min(...finite.map(tf)) - 1 : Math.min(0, ...finite);
  const lw = Math.max(...rows.map((r) => len(r.label)));
  return rows
    .map((r) => {
      const v = r.value;
      const n = v === null || !Number.isFinite(v) || (opts.logY && v <= 0) ? 0 : Math.max(1, Math.round(((tf(v) - lo) / (hi - lo || 1)) * width));
      return `  ${pad(r.label, lw, false)} ${'█'.repeat(n)}${' '.repeat(width - n)} ${r.text ?? ''}`.trimEnd();
    })
    .join('\n');
}

/** Smooth a curve with a trailing moving average (for loss curves). */
export function smooth(ys: readonly number[], w: number): (number | null)[] {
  const out: (number | null)[] = [];
  let s = 0;
  let k = 0;
  for (let i = 0; i < ys.length; i++) {
    const v = ys[i]!;
    s += v;
    k++;
    if (i >= w) {
      s -= ys[i - w]!;
      k--;
    }
    out.push(Number.isFinite(s) ? s / k : null);
  }
  return out;
}

/** The pointwise mean of curves of possibly different lengths (a diverged run is shorter). */
export function meanCurve(curves: readonly (readonly number[])[]): number[] {
  const n = Math.max(0, ...curves.map((c) => c.length));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const vs = curves.filter((c) => i < c.length).map((c) => c[i]!);
    out.push(vs.reduce((a, b) => a + b, 0) / vs.length);
  }
  return out;
}
