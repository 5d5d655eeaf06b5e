/**
 * What each activation costs in paoding: forward and backward time on the tensor a hidden layer
 * of the shallow network sees ([batch, 128]) and throughput on a large one (2^20 elements), then
 * the time of a whole training step of the shallow network with that activation, split into
 * forward, backward, optimizer and data, and the activation's share of it. Everything here is
 * wall-clock time, measured in this thread with nothing else of the lab running; it varies from
 * run to run and is kept under `timing`.
 */
import type { ActivationChoice } from '../activation.js';
import { createModule } from '../activation.js';
import type { LabEnv } from '../env.js';
import { ones } from '../../ops/creation.js';
import { manualSeed, randn } from '../../ops/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { median, round4 } from '../stats.js';
import { train } from '../train.js';
import { crossEntropy } from '../../functional/nn.js';
import { SGD } from '../../optim/sgd.js';
import { buildNet } from '../model.js';
import type { LabData } from '../data.js';

export interface CostSettings {
  activations: ActivationChoice[];
  batch: number;
  hidden: number[];
  reps: number;
  steps: number;
}

export interface CostRow {
  label: string;
  /** Milliseconds per call on [batch, width]. */
  forwardMs: number;
  backwardMs: number;
  /** Millions of elements per second on 2^20 elements. */
  forwardMeps: number;
  backwardMeps: number;
  /** A training step of the shallow network with this activation (median), and its parts (means over a short run). */
  stepMs: number;
  parts: { forwardMs: number; backwardMs: number; optimizerMs: number; dataMs: number; otherMs: number };
  /** (forward + backward of the activation) x hidden layers / step time. */
  share: number;
}

export interface CostResult {
  shape: [number, number];
  large: number;
  timing: { rows: CostRow[]; backend: string };
}

export function plannedUnits(s: CostSettings): number {
  return s.activations.length * (s.steps + 3 + 20);
}

function timeIt(reps: number, f: () => void): number {
  f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

function fwdBwd(act: ActivationChoice, shape: number[], reps: number): { fwd: number; bwd: number } {
  const m = createModule(act);
  manualSeed(0);
  const x = randn(shape).requiresGrad_(true);
  const g = ones(shape);
  const fwd = timeIt(reps, () => {
    (m.forward as (t: Tensor) => Tensor)(x);
  });
  const y = (m.forward as (t: Tensor) => Tensor)(x);
  const bwd = timeIt(reps, () => {
    y.backward(g, { retainGraph: true });
  });
  return { fwd, bwd };
}

/** Median time of a training step on the first batch of the training data (after warm-up steps). */
function stepMedian(act: ActivationChoice, data: LabData, hidden: number[], batch: number, steps: number): number {
  manualSeed(0);
  const net = buildNet(data.features, hidden, data.classes, act);
  const opt = new SGD(net.model.parameters(), { lr: 0.01, momentum: 0.9 });
  const n = Math.min(batch, data.xTrain.shape[0]!);
  const x = data.xTrain.narrow(0, 0, n);
  const y = data.yTrain.narrow(0, 0, n);
  return timeIt(Math.max(3, steps), () => {
    const loss = crossEntropy(net.model.forward(x) as Tensor, y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    loss.item();
  });
}

export async function runCost(env: LabEnv, s: CostSettings): Promise<CostResult> {
  const width = s.hidden[0]!;
  const large = 1 << 20;
  env.progress.plan(plannedUnits(s));
  env.progress.stage(`cost: ${s.activations.length} activations, ${s.reps} repetitions, ${s.steps} training steps each (timed in this thread)`);
  const rows: CostRow[] = [];
  const trainCfg = (act: ActivationChoice, steps: number) =>
    ({ act, net: 'shallow', hidden: s.hidden, batchnorm: false, init: 'default', seed: 0, lr: 0.01, momentum: 0.9, batch: s.batch, steps, window: 1, targets: [], evalTest: false }) as const;
  // Warm up first (kernel compilation, JIT), untimed, so the first activation measured pays nothing extra.
  if (s.activations.length) {
    const first = s.activations[0]!;
    fwdBwd(first, [s.batch, width], 3);
    fwdBwd(first, [large], 2);
    await train({ ...trainCfg(first, 5), hidden: [...s.hidden], targets: [] }, env.data);
  }
  for (const act of s.activations) {
    env.progress.advance(0, `cost ${act.label}`);
    const small = fwdBwd(act, [s.batch, width], s.reps);
    const big = fwdBwd(act, [large], Math.max(3, Math.ceil(s.reps / 4)));
    env.progress.advance(20, `cost ${act.label}`);
    const r = await train(
      { ...trainCfg(act, s.steps + 3), hidden: [...s.hidden], targets: [] },
      env.data,
      { onStep: () => env.progress.advance(1, `cost ${act.label} training steps`), ...(env.yieldNow ? { yieldNow: env.yieldNow } : {}), ...(env.aborted ? { aborted: env.aborted } : {}) },
    );
    const t = r.timing;
    const step = stepMedian(act, env.data, s.hidden, s.batch, s.steps);
    const actMs = (small.fwd + small.bwd) * s.hidden.length;
    rows.push({
      label: act.label,
      forwardMs: round4(small.fwd),
      backwardMs: round4(small.bwd),
      forwardMeps: round4(large / big.fwd / 1000),
      backwardMeps: round4(large / big.bwd / 1000),
      stepMs: round4(step),
      parts: { forwardMs: round4(t.forwardMs), backwardMs: round4(t.backwardMs), optimizerMs: round4(t.optimizerMs), dataMs: round4(t.dataMs), otherMs: round4(t.otherMs) },
      share: round4(actMs / step),
    });
  }
  return { shape: [s.batch, width], large, timing: { rows, backend: env.backend } };
}
