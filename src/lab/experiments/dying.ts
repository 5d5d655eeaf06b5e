/**
 * Dead units. A unit is dead when its derivative stays below 0.1% of the activation's maximum
 * on every training example (for ReLU: its input is never positive), so it receives (almost) no
 * gradient and cannot recover. Each activation trains at each of a range of learning rates;
 * dead units are counted on the training set before and after training. Runs that diverge (the
 * loss becomes non-finite or exceeds ten times chance level) are reported as such.
 */
import type { ActivationChoice } from '../activation.js';
import type { LabEnv } from '../env.js';
import { describeLayout, type InitName } from '../model.js';
import { mean, round4 } from '../stats.js';
import type { TrainConfig } from '../train.js';

export interface DyingSettings {
  activations: ActivationChoice[];
  lrs: number[];
  nets: { name: string; hidden: number[] }[];
  init: InitName;
  seeds: number[];
  steps: number;
  momentum: number;
  batch: number;
  window: number;
  targets: number[];
}

export interface DyingRun {
  seed: number;
  diverged: number | null;
  /** Dead units per hidden layer before and after (after: null when the run diverged). */
  before: number[];
  after: number[] | null;
  finalLoss: number | null;
  finalAcc: number | null;
  testAcc: number | null;
  loss: number[];
}

export interface DyingCell {
  net: string;
  label: string;
  act: ActivationChoice;
  lr: number;
  widths: number[];
  runs: DyingRun[];
  /** Dead fraction of all hidden units, mean over the seeds that did not diverge (null: all diverged). */
  deadBefore: number;
  deadAfter: number | null;
  diverged: number;
  testAcc: number | null;
}

export interface DyingResult {
  /** Examples the dead units were counted on (the whole training set used). */
  samples: number;
  layouts: Record<string, string>;
  cells: DyingCell[];
}

export function plannedSteps(s: DyingSettings): number {
  return s.activations.length * s.lrs.length * s.seeds.length * s.nets.length * s.steps;
}

export async function runDying(env: LabEnv, s: DyingSettings): Promise<DyingResult> {
  const cells: { net: { name: string; hidden: number[] }; act: ActivationChoice; lr: number }[] = [];
  for (const net of s.nets) for (const act of s.activations) for (const lr of s.lrs) cells.push({ net, act, lr });
  env.progress.plan(plannedSteps(s));
  env.progress.stage(`dying: ${s.activations.length} activations × learning rates ${s.lrs.join(', ')} × ${s.seeds.length} seed(s)`);
  const configs: TrainConfig[] = cells.flatMap((c) =>
    s.seeds.map((seed) => ({
      act: c.act,
      net: c.net.name,
      hidden: c.net.hidden,
      batchnorm: false,
      init: s.init,
      seed,
      lr: c.lr,
      momentum: s.momentum,
      batch: s.batch,
      steps: s.steps,
      window: s.window,
      targets: s.targets,
      evalTest: true,
      deadSamples: 0,
    })),
  );
  const results = await env.train(configs, (c) => `dying ${c.net} ${c.act.label} lr=${c.lr} seed ${c.seed}`);
  const layouts: Record<string, string> = {};
  for (const n of s.nets) layouts[n.name] = describeLayout(env.data.features, n.hidden, env.data.classes);
  return {
    samples: env.data.xTrain.shape[0]!,
    layouts,
    cells: cells.map((c, i) => {
      const rs = results.slice(i * s.seeds.length, (i + 1) * s.seeds.length);
      const widths = rs[0]!.dead!.widths;
      const total = widths.reduce((a, b) => a + b, 0);
      const runs: DyingRun[] = rs.map((r, k) => ({
        seed: s.seeds[k]!,
        diverged: r.diverged,
        before: r.dead!.before,
        after: r.dead!.after,
        finalLoss: r.finalLoss,
        finalAcc: r.finalAcc,
        testAcc: r.testAcc,
        loss: r.loss,
      }));
      const ok = runs.filter((r) => r.after !== null);
      const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
      return {
        net: c.net.name,
        label: c.act.label,
        act: c.act,
        lr: c.lr,
        widths,
        runs,
        deadBefore: round4(mean(runs.map((r) => sum(r.before) / total))),
        deadAfter: ok.length ? round4(mean(ok.map((r) => sum(r.after!) / total))) : null,
        diverged: runs.length - ok.length,
        testAcc: ok.length ? round4(mean(ok.map((r) => r.testAcc ?? NaN))) : null,
      };
    }),
  };
}
