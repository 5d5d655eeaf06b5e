/**
 * Measurements inside a network: per-layer gradients, derivatives, saturation, activation
 * statistics and histograms, dead units. All are taken in evaluation mode on fixed inputs, through
 * autograd, so they draw no random numbers and leave the parameters' `.grad` alone: probing a run
 * does not change its trajectory.
 */
import { grad } from '../autograd/engine.js';
import { noGrad } from '../autograd/grad_mode.js';
import { crossEntropy } from '../functional/nn.js';
import { linspace } from '../ops/creation.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { createModule, type ActivationChoice } from './activation.js';
import type { LabNet } from './model.js';

/** A derivative is "tiny" below this fraction of the activation's largest derivative. */
export const SATURATION_EPS = 0.01;
/** A unit is dead when its derivative stays below this fraction of the maximum on every example. */
export const DEAD_EPS = 1e-3;
/**
 * The thresholds are compared with a relative slack of 1e-6, so that a derivative of exactly 1%
 * (Leaky ReLU's default slope, 0.01 rounded to float32) is not "below 1%" by a rounding.
 */
const SLACK = 1 - 1e-6;

/** The derivative magnitude below which a unit counts as saturated, for an activation whose largest derivative is `max`. */
export function tinyBelow(max: number): number {
  return SATURATION_EPS * max * SLACK;
}

/** The derivative magnitude below which a unit counts as dead (on every example). */
export function deadBelow(max: number): number {
  return DEAD_EPS * max * SLACK;
}

/** Where an activation's derivative is tiny, found on a grid over [-20, 20]. */
export interface DerivativeProfile {
  /** The largest |f'(x)| on the grid. */
  max: number;
  /** f'(x) / max at x = -5 and x = 5 (the textbook's saturation points). */
  at5: [number, number];
  /** The derivative is below SATURATION_EPS * max for all x below this (null: nowhere on the grid). */
  tinyBelow: number | null;
  /** ... and for all x above this. */
  tinyAbove: number | null;
  /** Whether the tiny region is exactly zero (a dead zone, as ReLU's negative side). */
  zeroBelow: boolean;
  zeroAbove: boolean;
}

/** The derivative of an activation module at the points x (float32), through autograd. */
export function derivativeAt(act: Module, x: Tensor): Tensor {
  const u = x.detach().requiresGrad_(true);
  const y = (act.forward as (t: Tensor) => Tensor)(u);
  return grad(y.sum(), u)[0]!;
}

/** The derivative profile of an activation (evaluation mode). */
export function derivativeProfile(choice: ActivationChoice): DerivativeProfile {
  const act = createModule(choice);
  act.eval();
  const n = 4001;
  const xs = linspace(-20, 20, n);
  const d = Array.from(derivativeAt(act, xs).toTypedArray() as ArrayLike<number>);
  const x = Array.from(xs.toTypedArray() as ArrayLike<number>);
  const max = d.reduce((m, v) => (Math.abs(v) > m ? Math.abs(v) : m), 0);
  const tiny = (v: number): boolean => Math.abs(v) < tinyBelow(max);
  // Walk in from each end while the derivative stays tiny.
  let lo = -1;
  while (lo + 1 < n && tiny(d[lo + 1]!)) lo++;
  let hi = n;
  while (hi - 1 >= 0 && tiny(d[hi - 1]!)) hi--;
  const at = (v: number): number => {
    const i = Math.round(((v + 20) / 40) * (n - 1));
    return max === 0 ? 0 : d[i]! / max;
  };
  return {
    max,
    at5: [at(-5), at(5)],
    tinyBelow: lo >= 0 ? x[lo]! : null,
    tinyAbove: hi < n ? x[hi]! : null,
    zeroBelow: lo >= 0 && d.slice(0, lo + 1).every((v) => v === 0),
    zeroAbove: hi < n && d.slice(hi).every((v) => v === 0),
  };
}

/** A histogram of values over a fixed range. */
export interface Histogram {
  lo: number;
  hi: number;
  counts: number[];
  below: number;
  above: number;
}

export function histogram(values: ArrayLike<number>, lo: number, hi: number, bins: number): Histogram {
  const counts = new Array<number>(bins).fill(0);
  let below = 0;
  let above = 0;
  const w = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) below++;
    else if (v >= hi) above++;
    else counts[Math.min(bins - 1, Math.floor((v - lo) / w))]!++;
  }
  return { lo, hi, counts, below, above };
}

/** Per-layer measurements of one hidden layer. */
export interface LayerProbe {
  /** ||dL/dW|| (Frobenius) of the layer's Linear weight. */
  gradNorm: number;
  /** RMS of dL/dz over the batch, z the activation's input: the back-propagated signal. */
  deltaRms: number;
  /** Fraction of (example, unit) pairs whose derivative is tiny but not zero (saturated). */
  saturated: number;
  /** Fraction whose derivative is exactly zero (a dead zone, as ReLU's negative side). */
  zero: number;
  /** Mean derivative f'(z). */
  meanDerivative: number;
  /** Mean and variance of the activation's input z and output f(z). */
  preMean: number;
  preVar: number;
  actMean: number;
  actVar: number;
  /** Histogram of z, for the layers asked for. */
  hist?: Histogram;
}

/** One probe of a network: hidden layers input side first, plus the output layer's weight gradient. */
export interface Probe {
  step: number;
  loss: number;
  layers: LayerProbe[];
  outputGradNorm: number;
}

function meanVar(a: ArrayLike<number>): [number, number] {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  const m = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i]! - m) ** 2;
  return [m, v / a.length];
}

function values(t: Tensor): ArrayLike<number> {
  return t.contiguous().toTypedArray() as ArrayLike<number>;
}

function frob(t: Tensor): number {
  const a = values(t);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

/** Run the hidden layers by hand, returning each activation input z and output a, and the logits. */
function forwardLayers(net: LabNet, x: Tensor, keep: boolean): { zs: Tensor[]; as: Tensor[]; logits: Tensor } {
  const zs: Tensor[] = [];
  const as: Tensor[] = [];
  let h = x;
  for (let l = 0; l < net.acts.length; l++) {
    let z = net.linears[l]!.forward(h);
    if (net.norms.length) z = net.norms[l]!.forward(z);
    if (keep) z.retainGrad();
    const a = (net.acts[l]!.forward as (t: Tensor) => Tensor)(z);
    zs.push(z);
    as.push(a);
    h = a;
  }
  return { zs, as, logits: net.linears[net.linears.length - 1]!.forward(h) };
}

/** Options of {@link probe}. */
export interface ProbeOptions {
  /** The activation's largest derivative (from its profile). */
  maxDerivative: number;
  /** Hidden layers (0-based) to histogram, over [lo, hi) in `bins` bins. */
  histLayers?: readonly number[];
  histRange?: readonly [number, number];
  histBins?: number;
}

/** Probe a network on a fixed batch (evaluation mode; training mode restored after). */
export function probe(net: LabNet, x: Tensor, y: Tensor, step: number, opts: ProbeOptions): Probe {
  const wasTraining = net.model.training;
  net.model.eval();
  try {
    const { zs, as, logits } = forwardLayers(net, x, false);
    const loss = crossEntropy(logits, y);
    const weights = net.linears.map((l) => l.weight);
    const grads = grad(loss, [...weights, ...zs]);
    const wg = grads.slice(0, weights.length);
    const dz = grads.slice(weights.length);
    const layers: LayerProbe[] = zs.map((z, l) => {
      const d = values(derivativeAt(net.acts[l]!, z));
      const zv = values(z);
      const av = values(as[l]!);
      const eps = tinyBelow(opts.maxDerivative);
      let sat = 0;
      let zero = 0;
      let sumD = 0;
      for (let i = 0; i < d.length; i++) {
        const v = d[i]!;
        sumD += v;
        if (v === 0) zero++;
        else if (Math.abs(v) < eps) sat++;
      }
      const [preMean, preVar] = meanVar(zv);
      const [actMean, actVar] = meanVar(av);
      const g = values(dz[l]!);
      let sq = 0;
      for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
      const out: LayerProbe = {
        gradNorm: frob(wg[l]!),
        deltaRms: Math.sqrt(sq / g.length),
        saturated: sat / d.length,
        zero: zero / d.length,
        meanDerivative: sumD / d.length,
        preMean,
        preVar,
        actMean,
        actVar,
      };
      if (opts.histLayers?.includes(l)) {
        const [lo, hi] = opts.histRange ?? [-8, 8];
        out.hist = histogram(zv, lo, hi, opts.histBins ?? 48);
      }
      return out;
    });
    return { step, loss: loss.item(), layers, outputGradNorm: frob(wg[wg.length - 1]!) };
  } finally {
    net.model.train(wasTraining);
  }
}

/** Dead units per hidden layer: the derivative stays below DEAD_EPS * max on every example of x. */
export function deadUnits(net: LabNet, x: Tensor, maxDerivative: number, chunk = 1000): number[] {
  const wasTraining = net.model.training;
  net.model.eval();
  try {
    const widths = net.acts.map((_, l) => net.linears[l]!.outFeatures);
    const alive = widths.map((w) => new Uint8Array(w));
    const n = x.shape[0]!;
    const eps = deadBelow(maxDerivative);
    for (let s = 0; s < n; s += chunk) {
      const xb = x.narrow(0, s, Math.min(chunk, n - s));
      const zs = noGrad(() => forwardLayers(net, xb, false).zs);
      zs.forEach((z, l) => {
        const d = values(derivativeAt(net.acts[l]!, z));
        const w = widths[l]!;
        const a = alive[l]!;
        for (let i = 0; i < d.length; i++) if (Math.abs(d[i]!) >= eps) a[i % w] = 1;
      });
    }
    return alive.map((a) => a.length - a.reduce((s, v) => s + v, 0));
  } finally {
    net.model.train(wasTraining);
  }
}

/** Mean and variance of each hidden layer's input and output on x, forward only. */
export function propagate(net: LabNet, x: Tensor, histLayers: readonly number[] = [], histRange: readonly [number, number] = [-6, 6], bins = 48): { preMean: number; preVar: number; actMean: number; actVar: number; hist?: Histogram }[] {
  const wasTraining = net.model.training;
  net.model.eval();
  try {
    const { zs, as } = noGrad(() => forwardLayers(net, x, false));
    return zs.map((z, l) => {
      const zv = values(z);
      const [preMean, preVar] = meanVar(zv);
      const [actMean, actVar] = meanVar(values(as[l]!));
      return { preMean, preVar, actMean, actVar, ...(histLayers.includes(l) ? { hist: histogram(zv, histRange[0], histRange[1], bins) } : {}) };
    });
  } finally {
    net.model.train(wasTraining);
  }
}
