/**
 * Presets: fixed, named sizes and step budgets for every experiment. The numbers a run produces
 * depend only on the preset and the options, never on the machine's speed: a time budget may
 * only pick one of these presets at startup (the largest whose estimated time fits), and the
 * choice is printed and recorded. Options given on the command line override the preset.
 */
import type { ActivationChoice } from './activation.js';
import { defaultTargets } from './data.js';
import { LabError } from './errors.js';
import type { CostSettings } from './experiments/cost.js';
import type { DyingSettings } from './experiments/dying.js';
import type { GradientsSettings } from './experiments/gradients.js';
import type { PropagationSettings } from './experiments/propagation.js';
import type { RaceSettings } from './experiments/race.js';
import { INITS, type InitName } from './model.js';
import { parseNet, PRESETS, type ExperimentName, type LabOptions, type PresetName } from './options.js';

interface RacePreset {
  activations: string[];
  nets: string[];
  train: number;
  test: number;
  batch: number;
  steps: number;
  lrs: number[];
  extend: number;
  seeds: number;
  window: number;
}

/** What settings need to know of the data: its name, shape and training-set size. */
export interface DataInfo {
  name: string;
  features: number;
  classes: number;
  train: number;
}

/** Sizes of each preset, per experiment. */
export const PRESET_TABLE = {
  race: {
    tiny: { activations: ['relu', 'tanh', 'sigmoid'], nets: ['32-32', '16x4'], train: 600, test: 200, batch: 50, steps: 40, lrs: [0.1, 0.3], extend: 1, seeds: 1, window: 5 },
    lite: { activations: ['relu', 'leaky_relu', 'elu', 'tanh', 'sigmoid'], nets: ['shallow', 'deep'], train: 10000, test: 2000, batch: 100, steps: 100, lrs: [0.03, 0.1, 0.3], extend: 0, seeds: 1, window: 20 },
    quick: { activations: ['relu', 'leaky_relu', 'elu', 'tanh', 'sigmoid'], nets: ['shallow', 'deep'], train: 10000, test: 2000, batch: 100, steps: 150, lrs: [0.03, 0.1, 0.3], extend: 1, seeds: 2, window: 20 },
    standard: { activations: ['relu', 'leaky_relu', 'elu', 'selu', 'tanh', 'sigmoid'], nets: ['shallow', 'deep'], train: 20000, test: 5000, batch: 100, steps: 400, lrs: [0.01, 0.03, 0.1, 0.3], extend: 2, seeds: 3, window: 20 },
    full: { activations: ['relu', 'leaky_relu', 'prelu', 'elu', 'selu', 'gelu', 'tanh', 'sigmoid'], nets: ['shallow', 'deep'], train: 60000, test: 10000, batch: 100, steps: 1200, lrs: [0.003, 0.01, 0.03, 0.1, 0.3, 1], extend: 2, seeds: 5, window: 50 },
  } satisfies Record<PresetName, RacePreset>,
  batchnorm: {
    tiny: { activations: ['relu', 'elu'], nets: ['16x4'], train: 600, test: 200, batch: 50, steps: 40, lrs: [0.1, 0.3], extend: 1, seeds: 1, window: 5 },
    lite: { activations: ['relu', 'elu'], nets: ['deep'], train: 10000, test: 2000, batch: 100, steps: 100, lrs: [0.03, 0.1, 0.3], extend: 0, seeds: 1, window: 20 },
    quick: { activations: ['relu', 'elu'], nets: ['deep'], train: 10000, test: 2000, batch: 100, steps: 150, lrs: [0.03, 0.1, 0.3], extend: 1, seeds: 2, window: 20 },
    standard: { activations: ['relu', 'elu'], nets: ['deep', 'shallow'], train: 20000, test: 5000, batch: 100, steps: 400, lrs: [0.01, 0.03, 0.1, 0.3], extend: 2, seeds: 3, window: 20 },
    full: { activations: ['relu', 'elu'], nets: ['deep', 'shallow'], train: 60000, test: 10000, batch: 100, steps: 1200, lrs: [0.003, 0.01, 0.03, 0.1, 0.3, 1], extend: 2, seeds: 5, window: 50 },
  } satisfies Record<PresetName, RacePreset>,
  gradients: {
    tiny: { activations: ['relu', 'tanh', 'sigmoid'], inits: ['default', 'he'], depth: 4, width: 16, train: 600, test: 200, batch: 50, steps: 20, lr: 0.05, seeds: 1, samples: 100, window: 5 },
    lite: { activations: ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'selu'], inits: ['default', 'he', 'lecun'], depth: 8, width: 64, train: 10000, test: 2000, batch: 100, steps: 60, lr: 0.05, seeds: 1, samples: 500, window: 20 },
    quick: { activations: ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'selu'], inits: [...INITS], depth: 8, width: 64, train: 10000, test: 2000, batch: 100, steps: 100, lr: 0.05, seeds: 1, samples: 1000, window: 20 },
    standard: { activations: ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'selu'], inits: [...INITS], depth: 8, width: 64, train: 20000, test: 5000, batch: 100, steps: 300, lr: 0.05, seeds: 2, samples: 1000, window: 20 },
    full: { activations: ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'prelu', 'elu', 'selu', 'gelu'], inits: [...INITS], depth: 16, width: 64, train: 60000, test: 10000, batch: 100, steps: 1000, lr: 0.05, seeds: 3, samples: 2000, window: 50 },
  },
  dying: {
    tiny: { activations: ['relu', 'leaky_relu'], nets: ['32-32'], lrs: [0.1, 1], train: 600, test: 200, batch: 50, steps: 30, seeds: 1, window: 5 },
    lite: { activations: ['relu', 'leaky_relu', 'prelu', 'elu'], nets: ['shallow'], lrs: [0.01, 0.1, 0.3], train: 10000, test: 2000, batch: 100, steps: 100, seeds: 1, window: 20 },
    quick: { activations: ['relu', 'leaky_relu', 'prelu', 'elu'], nets: ['shallow'], lrs: [0.01, 0.03, 0.1, 0.3], train: 10000, test: 2000, batch: 100, steps: 150, seeds: 1, window: 20 },
    standard: { activations: ['relu', 'leaky_relu', 'prelu', 'elu'], nets: ['shallow', 'deep'], lrs: [0.01, 0.03, 0.1, 0.3, 1], train: 20000, test: 5000, batch: 100, steps: 400, seeds: 2, window: 20 },
    full: { activations: ['relu', 'leaky_relu', 'prelu', 'rrelu', 'elu', 'selu'], nets: ['shallow', 'deep'], lrs: [0.003, 0.01, 0.03, 0.1, 0.3, 1], train: 60000, test: 10000, batch: 100, steps: 1200, seeds: 3, window: 50 },
  },
  propagation: {
    tiny: { activations: ['relu', 'tanh', 'selu'], inits: ['default', 'lecun'], depth: 6, width: 16, train: 600, test: 200, samples: 100, seeds: 1 },
    lite: { activations: ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'selu', 'gelu'], inits: [...INITS], depth: 32, width: 64, train: 10000, test: 2000, samples: 300, seeds: 1 },
    quick: { activations: ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'selu', 'gelu'], inits: [...INITS], depth: 32, width: 128, train: 10000, test: 2000, samples: 500, seeds: 1 },
    standard: { activations: ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'selu', 'gelu', 'silu'], inits: [...INITS], depth: 32, width: 256, train: 20000, test: 5000, samples: 1000, seeds: 2 },
    full: { activations: ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'selu', 'gelu', 'silu', 'mish', 'softplus'], inits: [...INITS], depth: 64, width: 512, train: 60000, test: 10000, samples: 2000, seeds: 3 },
  },
  cost: {
    tiny: { activations: ['relu', 'sigmoid'], nets: ['32-32'], train: 600, test: 200, batch: 50, steps: 3, reps: 5 },
    lite: { activations: ['relu', 'leaky_relu', 'elu', 'selu', 'gelu', 'silu', 'tanh', 'sigmoid'], nets: ['shallow'], train: 10000, test: 2000, batch: 100, steps: 5, reps: 15 },
    quick: { activations: ['relu', 'leaky_relu', 'elu', 'selu', 'gelu', 'silu', 'tanh', 'sigmoid'], nets: ['shallow'], train: 10000, test: 2000, batch: 100, steps: 10, reps: 30 },
    standard: { activations: ['all'], nets: ['shallow'], train: 20000, test: 5000, batch: 100, steps: 20, reps: 50 },
    full: { activations: ['all'], nets: ['shallow'], train: 60000, test: 10000, batch: 100, steps: 50, reps: 100 },
  },
} as const;

export const MOMENTUM = 0.9;

/** Data sizes a preset needs (the largest over the experiments run). */
export function dataSizes(experiments: readonly ExperimentName[], preset: PresetName, opts: LabOptions): { train: number; test: number } {
  let train = 0;
  let test = 0;
  for (const e of experiments) {
    const p = PRESET_TABLE[e][preset];
    train = Math.max(train, p.train);
    test = Math.max(test, p.test);
  }
  return { train: opts.train ?? train, test: opts.test ?? test };
}

/** The activation tokens an experiment runs by default. */
export function defaultActivations(e: ExperimentName, preset: PresetName): string[] {
  return [...PRESET_TABLE[e][preset].activations];
}

function seedsOf(opts: LabOptions, n: number): number[] {
  return opts.seeds ?? Array.from({ length: n }, (_, i) => i);
}

function nets(opts: LabOptions, names: readonly string[]): { name: string; hidden: number[] }[] {
  return (opts.nets ?? names).map(parseNet);
}

function oneInit(opts: LabOptions, e: string): InitName {
  if (opts.init && opts.init.length > 1) throw new LabError(`${e} takes one --init, got ${opts.init.join(',')}`);
  return opts.init?.[0] ?? 'default';
}

function window(opts: LabOptions, w: number, steps: number): number {
  const v = opts.window ?? Math.min(w, Math.max(1, Math.floor(steps / 5)));
  if (v > steps) throw new LabError(`--window ${v} is longer than the run (--steps ${steps})`);
  return v;
}

function raceSettings(e: 'race' | 'batchnorm', preset: PresetName, opts: LabOptions, data: DataInfo, acts: ActivationChoice[]): RaceSettings {
  const p = PRESET_TABLE[e][preset];
  const steps = opts.steps ?? p.steps;
  return {
    activations: acts,
    nets: nets(opts, p.nets),
    batchnorm: e === 'race' ? [false] : [false, true],
    init: oneInit(opts, e),
    seeds: seedsOf(opts, p.seeds),
    lrs: opts.lrs ?? [...p.lrs],
    sharedLr: opts.lr ?? null,
    extend: opts.lrs ? 0 : p.extend,
    steps,
    batch: opts.batch ?? p.batch,
    momentum: opts.momentum ?? MOMENTUM,
    window: window(opts, p.window, steps),
    targets: opts.targets ?? defaultTargets(data),
  };
}

export type AnySettings = RaceSettings | GradientsSettings | DyingSettings | PropagationSettings | CostSettings;

/** The settings of one experiment under a preset, with the command line's overrides. */
export function resolveSettings(e: ExperimentName, preset: PresetName, opts: LabOptions, data: DataInfo, acts: ActivationChoice[]): AnySettings {
  switch (e) {
    case 'race':
    case 'batchnorm':
      return raceSettings(e, preset, opts, data, acts);
    case 'gradients': {
      const p = PRESET_TABLE.gradients[preset];
      const steps = opts.steps ?? p.steps;
      const s: GradientsSettings = {
        activations: acts,
        inits: opts.init ?? [...p.inits],
        depth: opts.depth ?? p.depth,
        width: opts.width ?? p.width,
        seeds: seedsOf(opts, p.seeds),
        steps,
        lr: opts.lr ?? p.lr,
        momentum: opts.momentum ?? MOMENTUM,
        batch: opts.batch ?? p.batch,
        window: window(opts, p.window, steps),
        samples: Math.min(opts.samples ?? p.samples, data.train),
      };
      return s;
    }
    case 'dying': {
      const p = PRESET_TABLE.dying[preset];
      const steps = opts.steps ?? p.steps;
      const s: DyingSettings = {
        activations: acts,
        lrs: opts.lrs ?? [...p.lrs],
        nets: nets(opts, p.nets),
        init: oneInit(opts, e),
        seeds: seedsOf(opts, p.seeds),
        steps,
        momentum: opts.momentum ?? MOMENTUM,
        batch: opts.batch ?? p.batch,
        window: window(opts, p.window, steps),
        targets: opts.targets ?? defaultTargets(data),
      };
      return s;
    }
    case 'propagation': {
      const p = PRESET_TABLE.propagation[preset];
      const s: PropagationSettings = {
        activations: acts,
        inits: opts.init ?? [...p.inits],
        depth: opts.depth ?? p.depth,
        width: opts.width ?? p.width,
        samples: Math.min(opts.samples ?? p.samples, data.train),
        seeds: seedsOf(opts, p.seeds),
      };
      return s;
    }
    case 'cost': {
      const p = PRESET_TABLE.cost[preset];
      const s: CostSettings = {
        activations: acts,
        batch: opts.batch ?? p.batch,
        hidden: nets(opts, p.nets)[0]!.hidden,
        reps: opts.reps ?? p.reps,
        steps: opts.steps ?? p.steps,
      };
      return s;
    }
  }
}

/** A step-time model fitted from calibration: ms per step = a * MACs per example * batch + b * layers. */
export interface SpeedModel {
  a: number;
  b: number;
  /** Measured layouts (hidden widths joined by '-') and their ms per step at `batch`: used as they are. */
  measured?: Record<string, number>;
  batch?: number;
}

export function macs(features: number, hidden: readonly number[], classes: number): number {
  const w = [features, ...hidden, classes];
  let s = 0;
  for (let i = 0; i + 1 < w.length; i++) s += w[i]! * w[i + 1]!;
  return s;
}

/** Fit the model from two measured layouts (ms per step at `batch`). */
export function fitSpeed(points: { macs: number; layers: number; batch: number; ms: number }[]): SpeedModel {
  const [p, q] = points as [(typeof points)[0], (typeof points)[0]];
  // Solve ms = a * macs * batch + b * layers for the two points; fall back to a pure MAC model.
  const det = p.macs * p.batch * q.layers - q.macs * q.batch * p.layers;
  if (points.length >= 2 && Math.abs(det) > 1e-9) {
    const a = (p.ms * q.layers - q.ms * p.layers) / det;
    const b = (p.macs * p.batch * q.ms - q.macs * q.batch * p.ms) / det;
    if (a > 0 && b >= 0) return { a, b };
  }
  return { a: p.ms / (p.macs * p.batch), b: 0 };
}

export function stepMs(m: SpeedModel, features: number, hidden: readonly number[], classes: number, batch: number): number {
  const direct = m.measured?.[hidden.join('-')];
  if (direct !== undefined && m.batch !== undefined) return direct * (batch / m.batch);
  return m.a * macs(features, hidden, classes) * batch + m.b * (hidden.length + 1);
}

/** Activations other than ReLU cost more per step (measured: about 1.1x on average for the defaults). */
const ACTIVATION_FACTOR = 1.1;

/**
 * Estimates are multiplied by this before they are compared with the budget: the machine's load
 * changes during a run (measured on the shared 2-core development machine: runs took up to 3x
 * the calibrated estimate when other processes started), and finishing early is better than late.
 */
export const SAFETY = 1.3;

/** Estimated seconds of an experiment under settings, with `jobs` runs in parallel (SAFETY included). */
export function estimateSeconds(e: ExperimentName, s: AnySettings, data: DataInfo, m: SpeedModel, jobs: number): number {
  return SAFETY * rawEstimate(e, s, data, m, jobs);
}

function rawEstimate(e: ExperimentName, s: AnySettings, data: DataInfo, m: SpeedModel, jobs: number): number {
  const f = data.features;
  const c = data.classes;
  const par = (n: number): number => (jobs > 1 ? n / (jobs * 0.9) : n);
  switch (e) {
    case 'race':
    case 'batchnorm': {
      const r = s as RaceSettings;
      let ms = 0;
      for (const net of r.nets) {
        const t = stepMs(m, f, net.hidden, c, r.batch) * ACTIVATION_FACTOR * (r.batchnorm.includes(true) ? 1.15 : 1);
        const runs = r.sharedLr !== null ? r.seeds.length : r.lrs.length + Math.min(r.extend, 1) * 0.5 + r.seeds.length - 1;
        const evalMs = stepMs(m, f, net.hidden, c, 2000) / 3;
        ms += (t * r.steps + evalMs) * runs * r.activations.length * r.batchnorm.length;
      }
      return par(ms) / 1000;
    }
    case 'gradients': {
      const g = s as GradientsSettings;
      const hidden = new Array<number>(g.depth).fill(g.width);
      const t = stepMs(m, f, hidden, c, g.batch) * ACTIVATION_FACTOR;
      const probe = stepMs(m, f, hidden, c, g.samples) * 1.5 * 4;
      return par((t * g.steps + probe) * g.activations.length * g.inits.length * g.seeds.length) / 1000;
    }
    case 'dying': {
      const d = s as DyingSettings;
      let ms = 0;
      for (const net of d.nets) {
        const t = stepMs(m, f, net.hidden, c, d.batch) * ACTIVATION_FACTOR;
        const count = (stepMs(m, f, net.hidden, c, data.train) / 3) * 2;
        ms += (t * d.steps + count) * d.activations.length * d.lrs.length * d.seeds.length;
      }
      return par(ms) / 1000;
    }
    case 'propagation': {
      const p = s as PropagationSettings;
      const hidden = new Array<number>(p.depth).fill(p.width);
      return par((stepMs(m, f, hidden, c, p.samples) / 3) * p.activations.length * p.inits.length * p.seeds.length) / 1000;
    }
    case 'cost': {
      const k = s as CostSettings;
      return (k.activations.length * ((stepMs(m, f, k.hidden, c, k.batch) * ACTIVATION_FACTOR) * (k.steps + 4) + 400 + k.reps * 10)) / 1000;
    }
  }
}

export { PRESETS };
