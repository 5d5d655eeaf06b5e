/**
 * Signal propagation at initialisation: mean and variance of every hidden layer's input z and
 * output f(z) through a deep network, on the first `samples` training examples, per activation
 * and initialisation. SELU's claim is a fixed point at mean 0 and variance 1 (Klambauer et al.
 * derive it for LeCun-normal weights and standardised inputs); the experiment shows where the
 * activations stay near it and where they drift.
 */
import type { ActivationChoice } from '../activation.js';
import type { LabEnv } from '../env.js';
import type { PropagateConfig } from '../jobs.js';
import type { InitName } from '../model.js';
import type { Histogram } from '../probes.js';
import { mean } from '../stats.js';

export interface PropagationSettings {
  activations: ActivationChoice[];
  inits: InitName[];
  depth: number;
  width: number;
  samples: number;
  seeds: number[];
}

export interface PropagationLayer {
  preMean: number;
  preVar: number;
  actMean: number;
  actVar: number;
  hist?: Histogram;
}

/** Where the activations sit near the fixed point (mean 0, variance 1). */
export interface FixedPoint {
  /**
   * Every layer from the middle on stays within the loose band, and their averages are near the
   * fixed point: |mean| <= 0.1, variance in [0.75, 1.33]. (Single layers of a finite-width
   * network fluctuate: with 128 units a layer's mean wanders by about ±0.1 around the average.)
   */
  holds: boolean;
  /** The first layer (1-based) from which every later layer is within the loose band (null: none). */
  from: number | null;
  /** Averages over the second half of the layers. */
  halfMean: number;
  halfVar: number;
  lastMean: number;
  lastVar: number;
}

/** The fixed point's tolerances: `mean`, `varLow`, `varHigh` on averages; the `loose*` band per layer. */
export const FIXED_POINT = { mean: 0.1, varLow: 0.75, varHigh: 1.33, looseMean: 0.25, looseVarLow: 0.5, looseVarHigh: 2 } as const;

export interface PropagationCell {
  label: string;
  act: ActivationChoice;
  init: InitName;
  /** Per layer, averaged over seeds (histograms: the first seed's). */
  layers: PropagationLayer[];
  fixedPoint: FixedPoint;
  /** Mean over layers of |mean activation|. */
  meanAbsActMean: number;
  /**
   * Mean over layers of |mean| / RMS of the outputs: how far from zero-centred they are,
   * whatever their scale (0: centred; about 0.58 for ReLU of a centred Gaussian; 1: all one sign,
   * constant). A collapsing signal has a small mean but not a small ratio.
   */
  offCentre: number;
}

export interface PropagationResult {
  input: { mean: number; var: number };
  histLayers: number[];
  cells: PropagationCell[];
}

export function fixedPoint(layers: readonly PropagationLayer[]): FixedPoint {
  const near = (l: PropagationLayer): boolean => Math.abs(l.actMean) <= FIXED_POINT.looseMean && l.actVar >= FIXED_POINT.looseVarLow && l.actVar <= FIXED_POINT.looseVarHigh;
  let from: number | null = null;
  for (let i = layers.length - 1; i >= 0; i--) {
    if (near(layers[i]!)) from = i + 1;
    else break;
  }
  const last = layers[layers.length - 1]!;
  const start = Math.floor(layers.length / 2);
  const half = layers.slice(start);
  const halfMean = mean(half.map((l) => l.actMean));
  const halfVar = mean(half.map((l) => l.actVar));
  const averagesNear = Math.abs(halfMean) <= FIXED_POINT.mean && halfVar >= FIXED_POINT.varLow && halfVar <= FIXED_POINT.varHigh;
  return { holds: from !== null && from <= start + 1 && averagesNear, from, halfMean, halfVar, lastMean: last.actMean, lastVar: last.actVar };
}

export function plannedUnits(s: PropagationSettings): number {
  return s.activations.length * s.inits.length * s.seeds.length * 10;
}

export async function runPropagation(env: LabEnv, s: PropagationSettings): Promise<PropagationResult> {
  const histLayers = [...new Set([0, Math.floor((s.depth - 1) / 2), s.depth - 1])];
  const cells: { act: ActivationChoice; init: InitName }[] = [];
  for (const act of s.activations) for (const init of s.inits) cells.push({ act, init });
  env.progress.plan(plannedUnits(s));
  env.progress.stage(`propagation: ${cells.length} networks of ${s.depth} hidden layers of ${s.width} at initialisation × ${s.seeds.length} seed(s)`);
  const configs: PropagateConfig[] = cells.flatMap((c) => s.seeds.map((seed) => ({ act: c.act, init: c.init, seed, depth: s.depth, width: s.width, samples: s.samples, histLayers })));
  const results = await env.propagate(configs);
  return {
    input: results[0]!.input,
    histLayers,
    cells: cells.map((c, i) => {
      const rs = results.slice(i * s.seeds.length, (i + 1) * s.seeds.length);
      const layers: PropagationLayer[] = rs[0]!.layers.map((l, k) => ({
        preMean: mean(rs.map((r) => r.layers[k]!.preMean)),
        preVar: mean(rs.map((r) => r.layers[k]!.preVar)),
        actMean: mean(rs.map((r) => r.layers[k]!.actMean)),
        actVar: mean(rs.map((r) => r.layers[k]!.actVar)),
        ...(l.hist ? { hist: l.hist } : {}),
      }));
      return {
        label: c.act.label,
        act: c.act,
        init: c.init,
        layers,
        fixedPoint: fixedPoint(layers),
        meanAbsActMean: mean(layers.map((l) => Math.abs(l.actMean))),
        offCentre: mean(layers.map((l) => (l.actMean === 0 ? 0 : Math.abs(l.actMean) / Math.sqrt(l.actMean * l.actMean + l.actVar)))),
      };
    }),
  };
}
