/**
 * One training run, exactly as a plain PyTorch script does it (examples/pytorch/lab/common.py):
 *
 *     torch.manual_seed(seed)
 *     model = Sequential(Linear, [BatchNorm1d,] act, ..., Linear)   # then the chosen init
 *     opt = SGD(model.parameters(), lr=lr, momentum=momentum)
 *     loader = DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=True)
 *     for each batch, epoch after epoch, until `steps` updates:
 *         loss = cross_entropy(model(x), y); opt.zero_grad(); loss.backward(); opt.step()
 *
 * Training accuracy is the running accuracy of the last `window` mini-batches, each measured on
 * its own batch before its update (free to compute, and what a training log shows). A run
 * diverges when the loss becomes non-finite or exceeds 10 ln(classes) (ten times chance level);
 * it then stops.
 */
import { crossEntropy } from '../functional/nn.js';
import { noGrad } from '../autograd/grad_mode.js';
import { DataLoader, TensorDataset } from '../data/loader.js';
import { manualSeed } from '../ops/random.js';
import { SGD } from '../optim/sgd.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ActivationChoice } from './activation.js';
import type { LabData } from './data.js';
import { buildNet, type InitName, type LabNet } from './model.js';
import { deadUnits, derivativeProfile, probe, type Probe } from './probes.js';
import { LabInterrupted } from './errors.js';

/** Everything that defines a run (plain data: runs are sent to workers). */
export interface TrainConfig {
  act: ActivationChoice;
  /** The network's name in reports (`shallow`, `deep`). */
  net: string;
  hidden: number[];
  batchnorm: boolean;
  init: InitName;
  seed: number;
  lr: number;
  momentum: number;
  batch: number;
  steps: number;
  /** Mini-batches in the running training accuracy and the final training loss. */
  window: number;
  /** Training-accuracy targets: the steps to reach each are reported. */
  targets: number[];
  /** Evaluate on the test set at the end. */
  evalTest: boolean;
  /** Probe the network (gradients experiment) after these numbers of updates (0: at initialisation). */
  probeAt?: number[];
  /** Examples of the training set the probes use (the first ones). */
  probeSamples?: number;
  /** Hidden layers to histogram at each probe. */
  histLayers?: number[];
  /** Count dead units on the first `deadSamples` training examples before and after (0: all). */
  deadSamples?: number;
}

/** Wall-clock measurements of a run (not part of the deterministic numbers). */
export interface RunTiming {
  totalMs: number;
  msPerStep: number;
  /** Per step: forward and loss, zero_grad and backward, optimizer step, fetching the batch, the rest (metrics). */
  forwardMs: number;
  backwardMs: number;
  optimizerMs: number;
  dataMs: number;
  otherMs: number;
  /** Outside the steps: building the model, evaluation, probes. */
  setupMs: number;
  evalMs: number;
  probeMs: number;
}

/** What a run measured. */
export interface RunResult {
  stepsDone: number;
  /** The step at which the run diverged, or null. */
  diverged: number | null;
  /** Training loss of every step (6 significant digits). */
  loss: number[];
  /** Accuracy of every step's batch, before its update. */
  acc: number[];
  /** Steps to reach each target running accuracy (null: not within the run). */
  stepsTo: (number | null)[];
  /** Mean training loss and running accuracy over the last `window` steps (null if diverged). */
  finalLoss: number | null;
  finalAcc: number | null;
  testAcc: number | null;
  testLoss: number | null;
  probes?: Probe[];
  dead?: { before: number[]; after: number[] | null; widths: number[]; samples: number };
  timing: RunTiming;
}

/** Hooks the caller may give: progress, and a chance to yield (so an interrupt can be handled). */
export interface RunHooks {
  /** Called after every step with the number of steps done. */
  onStep?: (done: number) => void;
  /** Awaited every `yieldEveryMs` milliseconds (e.g. a setImmediate on Node). */
  yieldNow?: () => Promise<void>;
  yieldEveryMs?: number;
  /** Checked after each yield: true stops the run with LabInterrupted. */
  aborted?: () => boolean;
}

/** Round to 6 significant digits (curves in reports). */
export function sig6(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : v;
}

/** First step (1-based) at which the mean of the last `window` values reaches `target`. */
export function stepsToTarget(acc: readonly number[], window: number, target: number): number | null {
  let sum = 0;
  for (let i = 0; i < acc.length; i++) {
    sum += acc[i]!;
    if (i >= window) sum -= acc[i - window]!;
    // A small epsilon absorbs the rounding of the running sum (accuracies are multiples of 1/batch).
    if (i + 1 >= window && sum / window >= target - 1e-9) return i + 1;
  }
  return null;
}

function mean(a: readonly number[]): number {
  return a.reduce((s, v) => s + v, 0) / a.length;
}

/** Evaluate accuracy and mean loss on (x, y) in evaluation mode, in chunks. */
export function evaluate(net: LabNet, x: Tensor, y: Tensor, chunk = 2000): { acc: number; loss: number } {
  const wasTraining = net.model.training;
  net.model.eval();
  try {
    let correct = 0;
    let lossSum = 0;
    const n = x.shape[0]!;
    noGrad(() => {
      for (let s = 0; s < n; s += chunk) {
        const k = Math.min(chunk, n - s);
        const logits = net.model.forward(x.narrow(0, s, k)) as Tensor;
        const yb = y.narrow(0, s, k);
        correct += Number(logits.argmax(1).eq(yb).sum().item());
        lossSum += crossEntropy(logits, yb, { reduction: 'sum' }).item();
      }
    });
    return { acc: correct / n, loss: lossSum / n };
  } finally {
    net.model.train(wasTraining);
  }
}

/** Train one network as the config says, measuring as it goes. */
export async function train(cfg: TrainConfig, data: LabData, hooks: RunHooks = {}): Promise<RunResult> {
  const t0 = performance.now();
  manualSeed(cfg.seed);
  const net = buildNet(data.features, cfg.hidden, data.classes, cfg.act, { init: cfg.init, batchnorm: cfg.batchnorm });
  const opt = new SGD(net.model.parameters(), { lr: cfg.lr, momentum: cfg.momentum });
  const loader = new DataLoader(new TensorDataset(data.xTrain, data.yTrain), { batchSize: cfg.batch, shuffle: true });
  const timing: RunTiming = { totalMs: 0, msPerStep: 0, forwardMs: 0, backwardMs: 0, optimizerMs: 0, dataMs: 0, otherMs: 0, setupMs: 0, evalMs: 0, probeMs: 0 };
  const needsProfile = (cfg.probeAt?.length ?? 0) > 0 || cfg.deadSamples !== undefined;
  const maxDerivative = needsProfile ? derivativeProfile(cfg.act).max : 1;
  const probeX = cfg.probeAt?.length ? data.xTrain.narrow(0, 0, Math.min(cfg.probeSamples ?? 1000, data.xTrain.shape[0]!)) : undefined;
  const probeY = probeX ? data.yTrain.narrow(0, 0, probeX.shape[0]!) : undefined;
  const probes: Probe[] = [];
  const deadX = cfg.deadSamples !== undefined ? (cfg.deadSamples > 0 ? data.xTrain.narrow(0, 0, Math.min(cfg.deadSamples, data.xTrain.shape[0]!)) : data.xTrain) : undefined;
  const widths = net.acts.map((_, l) => net.linears[l]!.outFeatures);
  timing.setupMs = performance.now() - t0;

  const tp = performance.now();
  const deadBefore = deadX ? deadUnits(net, deadX, maxDerivative) : undefined;
  const doProbe = (step: number): void => {
    if (probeX && cfg.probeAt!.includes(step)) {
      probes.push(probe(net, probeX, probeY!, step, { maxDerivative, histLayers: cfg.histLayers ?? [] }));
    }
  };
  doProbe(0);
  timing.probeMs += performance.now() - tp;

  const limit = 10 * Math.log(data.classes);
  const loss: number[] = [];
  const acc: number[] = [];
  let diverged: number | null = null;
  let step = 0;
  let lastYield = performance.now();
  const tStart = performance.now();
  training: while (step < cfg.steps) {
    const it = loader[Symbol.iterator]();
    for (;;) {
      const a = performance.now();
      const next = it.next();
      if (next.done) break;
      const [xb, yb] = next.value as [Tensor, Tensor];
      const b = performance.now();
      const logits = net.model.forward(xb) as Tensor;
      const l = crossEntropy(logits, yb);
      const c = performance.now();
      opt.zeroGrad();
      l.backward();
      const d = performance.now();
      opt.step();
      const e = performance.now();
      const lv = l.item();
      const correct = Number(noGrad(() => logits.argmax(1).eq(yb).sum().item()));
      step++;
      loss.push(sig6(lv));
      acc.push(correct / yb.shape[0]!);
      const f = performance.now();
      timing.dataMs += b - a;
      timing.forwardMs += c - b;
      timing.backwardMs += d - c;
      timing.optimizerMs += e - d;
      timing.otherMs += f - e;
      hooks.onStep?.(step);
      if (!Number.isFinite(lv) || lv > limit) {
        diverged = step;
        break training;
      }
      if (cfg.probeAt?.includes(step)) {
        const tq = performance.now();
        doProbe(step);
        timing.probeMs += performance.now() - tq;
      }
      if (hooks.yieldNow && f - lastYield > (hooks.yieldEveryMs ?? 100)) {
        await hooks.yieldNow();
        lastYield = performance.now();
        if (hooks.aborted?.()) throw new LabInterrupted();
      }
      if (step >= cfg.steps) break training;
    }
  }
  const trainMs = performance.now() - tStart;
  const te = performance.now();
  const test = cfg.evalTest && diverged === null ? evaluate(net, data.xTest, data.yTest) : null;
  timing.evalMs = performance.now() - te;
  const tq = performance.now();
  const deadAfter = deadX && diverged === null ? deadUnits(net, deadX, maxDerivative) : undefined;
  timing.probeMs += performance.now() - tq;
  const w = Math.min(cfg.window, loss.length);
  const result: RunResult = {
    stepsDone: step,
    diverged,
    loss,
    acc,
    stepsTo: cfg.targets.map((t) => stepsToTarget(acc, cfg.window, t)),
    finalLoss: diverged === null && w > 0 ? sig6(mean(loss.slice(-w))) : null,
    finalAcc: diverged === null && w > 0 ? sig6(mean(acc.slice(-w))) : null,
    testAcc: test ? test.acc : null,
    testLoss: test ? sig6(test.loss) : null,
    timing,
  };
  if (probes.length) result.probes = probes;
  if (deadBefore) result.dead = { before: deadBefore, after: deadAfter ?? null, widths, samples: deadX!.shape[0]! };
  timing.totalMs = performance.now() - t0;
  timing.msPerStep = step > 0 ? trainMs / step : 0;
  for (const k of ['forwardMs', 'backwardMs', 'optimizerMs', 'dataMs', 'otherMs'] as const) timing[k] = step > 0 ? timing[k] / step : 0;
  return result;
}
