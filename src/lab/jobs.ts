/**
 * The units of work the lab hands to workers: training runs, propagation measurements and
 * speed calibrations. Each is a pure function of its (plain-data) config and the data set, so
 * running it here or in a worker gives the same numbers.
 */
import { crossEntropy } from '../functional/nn.js';
import { manualSeed, randint, randn } from '../ops/random.js';
import { SGD } from '../optim/sgd.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ActivationChoice } from './activation.js';
import type { LabData } from './data.js';
import { buildNet, type InitName } from './model.js';
import { propagate, type Histogram } from './probes.js';
import { train, type RunHooks, type RunResult, type TrainConfig } from './train.js';

/** A forward-only measurement of activation statistics through a deep network at initialisation. */
export interface PropagateConfig {
  act: ActivationChoice;
  init: InitName;
  seed: number;
  depth: number;
  width: number;
  samples: number;
  histLayers: number[];
}

export interface PropagateResult {
  layers: { preMean: number; preVar: number; actMean: number; actVar: number; hist?: Histogram }[];
  /** Mean and variance of the network's input. */
  input: { mean: number; var: number };
  ms: number;
}

export function runPropagate(cfg: PropagateConfig, data: LabData): PropagateResult {
  const t0 = performance.now();
  manualSeed(cfg.seed);
  const net = buildNet(data.features, new Array<number>(cfg.depth).fill(cfg.width), data.classes, cfg.act, { init: cfg.init });
  const x = data.xTrain.narrow(0, 0, Math.min(cfg.samples, data.xTrain.shape[0]!));
  const xs = x.contiguous().toTypedArray() as ArrayLike<number>;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  const m = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i]! - m) ** 2;
  const layers = propagate(net, x, cfg.histLayers);
  return { layers, input: { mean: m, var: v / xs.length }, ms: performance.now() - t0 };
}

/** Time a few training steps of each layout on random data: milliseconds per step. */
export interface CalibrateConfig {
  features: number;
  classes: number;
  batch: number;
  layouts: number[][];
  act: ActivationChoice;
  steps: number;
}

export function runCalibrate(cfg: CalibrateConfig): number[] {
  // Build every layout and warm each up before timing any, then time them in turns, so that a
  // change of load during calibration affects all layouts alike.
  const steps = cfg.layouts.map((hidden) => {
    manualSeed(0);
    const net = buildNet(cfg.features, hidden, cfg.classes, cfg.act);
    const opt = new SGD(net.model.parameters(), { lr: 0.01, momentum: 0.9 });
    const x = randn([cfg.batch, cfg.features]);
    const y = randint(0, cfg.classes, [cfg.batch]);
    return (): void => {
      const loss = crossEntropy(net.model.forward(x) as Tensor, y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      loss.item();
    };
  });
  for (let i = 0; i < 3; i++) for (const step of steps) step();
  const times: number[][] = steps.map(() => []);
  for (let i = 0; i < cfg.steps; i++) {
    steps.forEach((step, k) => {
      const t = performance.now();
      step();
      times[k]!.push(performance.now() - t);
    });
  }
  return times.map((ts) => {
    ts.sort((a, b) => a - b);
    return ts[Math.floor(ts.length / 2)]!;
  });
}

/** A job as sent to a worker. */
export type Job =
  | { kind: 'train'; config: TrainConfig }
  | { kind: 'propagate'; config: PropagateConfig }
  | { kind: 'calibrate'; config: CalibrateConfig };

export type JobResult = RunResult | PropagateResult | number[];

/** Run a job here. */
export async function runJob(job: Job, data: LabData, hooks: RunHooks = {}): Promise<JobResult> {
  switch (job.kind) {
    case 'train':
      return train(job.config, data, hooks);
    case 'propagate':
      return runPropagate(job.config, data);
    case 'calibrate':
      return runCalibrate(job.config);
  }
}
