/**
 * The numbers behind the curves: f, f' and f'' by paoding's autograd (the second derivative
 * through `createGraph`), finite differences beside them, and the regions to shade. No DOM.
 */
import { autograd, linspace, onesLike, tensor, type Tensor } from '../index.js';
import { apply, properties, type Entry, type ParamValue } from './catalogue.js';

/** The dtypes the curves can be computed in. */
export type CurveDtype = 'float32' | 'float64';

/** One plotted function with its derivatives and their finite-difference checks. */
export interface Curve {
  /** Activation id, or variant key (`gelu:tanh`). */
  key: string;
  label: string;
  x: number[];
  /** f(x), by the library. */
  y: number[];
  /** f'(x), by autograd. */
  dy: number[];
  /** f''(x), by autograd of the first derivative's graph (`createGraph: true`). */
  d2y: number[];
  /** (f(x + h) - f(x - h)) / 2h, from the library's f. */
  fd1: number[];
  /** (f'(x + h) - f'(x - h)) / 2h, from autograd's f'. */
  fd2: number[];
  /** Why nothing could be computed (an invalid parameter combination, say), if so. */
  error?: string;
}

/** The grid of a curve: the library's `linspace(lo, hi, n)` in `dtype`, as numbers. */
export function grid(lo: number, hi: number, n: number, dtype: CurveDtype): number[] {
  return Array.from(linspace(lo, hi, n, { dtype }).toTypedArray() as Float32Array | Float64Array);
}

function values(t: Tensor | null | undefined, n: number): number[] {
  if (t === null || t === undefined) return new Array<number>(n).fill(0);
  return Array.from(t.toTypedArray() as Float32Array | Float64Array);
}

/** f and f' by autograd at the points of `x` (a leaf is made of them). */
function firstOrder(f: (x: Tensor) => Tensor, xs: readonly number[], dtype: CurveDtype): { y: number[]; dy: number[] } {
  const x = tensor(xs as number[], { dtype, requiresGrad: true });
  const y = f(x);
  const [dy] = autograd.grad(y, x, { gradOutputs: onesLike(y), allowUnused: true });
  return { y: values(y.detach(), xs.length), dy: values(dy, xs.length) };
}

/**
 * The finite-difference step at x: the cube root of the dtype's epsilon (the step that balances
 * truncation against rounding for central differences), relative for |x| > 1.
 */
export function fdStep(x: number, dtype: CurveDtype): number {
  const eps = dtype === 'float64' ? 2 ** -52 : 2 ** -23;
  return Math.cbrt(eps) * Math.max(1, Math.abs(x));
}

/**
 * f, f', f'' of `f` on `linspace(lo, hi, n)` by autograd, with central differences of f and of
 * f' beside them. `f` must map a 1-D tensor elementwise (element i of the result depending on
 * element i of the input only).
 */
export function curve(key: string, label: string, f: (x: Tensor) => Tensor, lo: number, hi: number, n: number, dtype: CurveDtype): Curve {
  const x = linspace(lo, hi, n, { dtype, requiresGrad: true });
  const xs = values(x.detach(), n);
  const empty: Curve = { key, label, x: xs, y: [], dy: [], d2y: [], fd1: [], fd2: [] };
  try {
    const y = f(x);
    // NOTE: explicit ones as the output gradients (the elementwise derivatives), rather than
    // `y.sum()`, whose implicit gradient is NaN as soon as one value is NaN or infinite.
    const [dy] = autograd.grad(y, x, { gradOutputs: onesLike(y), createGraph: true, allowUnused: true });
    let d2y: Tensor | null = null;
    if (dy !== null && dy !== undefined && dy.requiresGrad) [d2y] = autograd.grad(dy, x, { gradOutputs: onesLike(dy), allowUnused: true }) as [Tensor | null];
    // Central differences: the steps are the differences of the rounded points x ± h.
    const plus = xs.map((v) => v + fdStep(v, dtype));
    const minus = xs.map((v) => v - fdStep(v, dtype));
    const round = dtype === 'float32' ? Math.fround : (v: number) => v;
    const hp = plus.map(round);
    const hm = minus.map(round);
    const p = firstOrder(f, hp, dtype);
    const m = firstOrder(f, hm, dtype);
    const fd1 = xs.map((_, i) => (p.y[i]! - m.y[i]!) / (hp[i]! - hm[i]!));
    const fd2 = xs.map((_, i) => (p.dy[i]! - m.dy[i]!) / (hp[i]! - hm[i]!));
    return { key, label, x: xs, y: values(y.detach(), n), dy: values(dy?.detach(), n), d2y: values(d2y?.detach(), n), fd1, fd2 };
  } catch (e) {
    return { ...empty, error: e instanceof Error ? e.message : String(e) };
  }
}

/** The curve of an activation for these control values. */
export function activationCurve(e: Entry, params: Readonly<Record<string, ParamValue>>, lo: number, hi: number, n: number, dtype: CurveDtype): Curve {
  return curve(e.id, e.module, (x) => apply(e, params, x), lo, hi, n, dtype);
}

/** Where to shade: kinks (lines), the dead zone, and the saturated stretches. */
export interface Regions {
  kinks: number[];
  /** The declared dead zone, clipped to the plotted range. */
  deadZone: [number, number] | undefined;
  /**
   * The saturated tails: from an end of the range on a side the declaration says saturates, the
   * stretch where |f'| < threshold (outside the dead zone).
   */
  saturated: [number, number][];
}

/** The regions of an activation's curve, from its declared properties and its derivative. */
export function regions(e: Entry, params: Readonly<Record<string, ParamValue>>, c: Curve, threshold: number): Regions {
  const props = properties(e, params);
  const lo = c.x[0] ?? 0;
  const hi = c.x[c.x.length - 1] ?? 0;
  const kinks = props.kinks.filter((k) => k >= lo && k <= hi);
  let deadZone: [number, number] | undefined;
  if (props.deadZone && props.deadZone[1] > props.deadZone[0]) {
    const a = Math.max(lo, props.deadZone[0]);
    const b = Math.min(hi, props.deadZone[1]);
    if (b > a) deadZone = [a, b];
  }
  // Saturation is a tail: from the end of the range on a side the declaration says saturates,
  // the stretch over which |f'| stays below the threshold (a stationary point in the middle,
  // GELU's minimum say, is not saturation).
  const side = props.saturates;
  const inDead = (x: number) => props.deadZone !== undefined && x >= props.deadZone[0] && x <= props.deadZone[1];
  const flat = (i: number) => Math.abs(c.dy[i]!) < threshold || inDead(c.x[i]!);
  const saturated: [number, number][] = [];
  const n = c.x.length;
  if (n > 1 && c.dy.length === n) {
    const half = (hi - lo) / (n - 1) / 2;
    if ((side === 'negative' || side === 'both') && c.x[0]! < 0) {
      let i = 0;
      while (i < n && c.x[i]! < 0 && flat(i)) i++;
      if (i > 0) saturated.push([lo, Math.min(hi, c.x[i - 1]! + half)]);
    }
    if ((side === 'positive' || side === 'both') && c.x[n - 1]! > 0) {
      let i = n - 1;
      while (i >= 0 && c.x[i]! > 0 && flat(i)) i--;
      if (i < n - 1) saturated.push([Math.max(lo, c.x[i + 1]! - half), hi]);
    }
  }
  // The dead zone is shaded on its own.
  const clipped = saturated
    .flatMap(([a, b]): [number, number][] => {
      if (deadZone === undefined || b <= deadZone[0] || a >= deadZone[1]) return [[a, b]];
      const parts: [number, number][] = [];
      if (a < deadZone[0]) parts.push([a, deadZone[0]]);
      if (b > deadZone[1]) parts.push([deadZone[1], b]);
      return parts;
    })
    .filter(([a, b]) => b > a);
  return { kinks, deadZone, saturated: clipped };
}

/** The index of the grid point nearest to `x`. */
export function nearest(xs: readonly number[], x: number): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (Math.abs(xs[i]! - x) < Math.abs(xs[best]! - x)) best = i;
  return best;
}

/** A number for reading: 6 significant digits, signed zeros, infinities and NaN spelled out. */
export function formatNumber(v: number, digits = 6): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+∞';
  if (v === -Infinity) return '−∞';
  if (v === 0) return Object.is(v, -0) ? '−0' : '0';
  const a = Math.abs(v);
  const s = a >= 1e-4 && a < 1e6 ? String(Number(v.toPrecision(digits))) : v.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return s.replace('-', '−');
}
