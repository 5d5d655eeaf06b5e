/**
 * Vanishing gradients and saturation. A deep network (`depth` hidden layers of `width`) per
 * activation and initialisation trains with SGD at one rate; at initialisation and at a few
 * points during training it is probed on the first `samples` training examples (evaluation
 * mode, no update): per hidden layer the weight-gradient norm, the RMS of the back-propagated
 * signal dL/dz, the fractions of saturated (derivative below 1% of the activation's maximum, not
 * zero) and zero-derivative units, the mean derivative, and histograms of z.
 */
import type { ActivationChoice } from '../activation.js';
import type { LabEnv } from '../env.js';
import type { InitName } from '../model.js';
import { derivativeProfile, type DerivativeProfile, type LayerProbe, type Probe } from '../probes.js';
import { mean, round4 } from '../stats.js';
import type { TrainConfig } from '../train.js';

export interface GradientsSettings {
  activations: ActivationChoice[];
  inits: InitName[];
  depth: number;
  width: number;
  seeds: number[];
  steps: number;
  lr: number;
  momentum: number;
  batch: number;
  window: number;
  samples: number;
}

export interface GradientsCell {
  label: string;
  act: ActivationChoice;
  init: InitName;
  /** Probes averaged over seeds (histograms: the first seed's). */
  probes: Probe[];
  /** deltaRms of the first hidden layer / deltaRms of the last, at each probe (input side against output side). */
  ratio: number[];
  finalLoss: (number | null)[];
  finalAcc: (number | null)[];
  diverged: (number | null)[];
  /** Every seed's probes. */
  perSeed: Probe[][];
}

export interface GradientsResult {
  probeSteps: number[];
  profiles: Record<string, DerivativeProfile>;
  cells: GradientsCell[];
}

export function probeSteps(steps: number): number[] {
  return [...new Set([0, Math.round(steps / 4), Math.round(steps / 2), steps])].filter((s) => s <= steps).sort((a, b) => a - b);
}

export function plannedSteps(s: GradientsSettings): number {
  return s.activations.length * s.inits.length * s.seeds.length * (s.steps + 10);
}

const KEYS: (keyof LayerProbe)[] = ['gradNorm', 'deltaRms', 'saturated', 'zero', 'meanDerivative', 'preMean', 'preVar', 'actMean', 'actVar'];

function averageProbes(perSeed: Probe[][]): Probe[] {
  const first = perSeed.reduce((a, b) => (b.length > a.length ? b : a), perSeed[0]!);
  return first.map((p, i) => {
    const at = perSeed.map((ps) => ps[i]).filter((q): q is Probe => q !== undefined);
    return {
      step: p.step,
      loss: round4(mean(at.map((q) => q.loss))),
      outputGradNorm: mean(at.map((q) => q.outputGradNorm)),
      layers: p.layers.map((l, k) => {
        const out: Record<string, unknown> = {};
        for (const key of KEYS) out[key] = mean(at.map((q) => q.layers[k]![key] as number));
        if (l.hist) out['hist'] = l.hist;
        return out as unknown as LayerProbe;
      }),
    };
  });
}

export async function runGradients(env: LabEnv, s: GradientsSettings): Promise<GradientsResult> {
  const at = probeSteps(s.steps);
  const hidden = new Array<number>(s.depth).fill(s.width);
  const histLayers = [...new Set([0, Math.floor((s.depth - 1) / 2), s.depth - 1])];
  const cells: { act: ActivationChoice; init: InitName }[] = [];
  for (const act of s.activations) for (const init of s.inits) cells.push({ act, init });
  env.progress.plan(plannedSteps(s));
  env.progress.stage(`gradients: ${cells.length} networks of ${s.depth} hidden layers × ${s.seeds.length} seed(s), probed at steps ${at.join(', ')}`);
  const configs: TrainConfig[] = cells.flatMap((c) =>
    s.seeds.map((seed) => ({
      act: c.act,
      net: `${s.width}x${s.depth}`,
      hidden,
      batchnorm: false,
      init: c.init,
      seed,
      lr: s.lr,
      momentum: s.momentum,
      batch: s.batch,
      steps: s.steps,
      window: s.window,
      targets: [],
      evalTest: false,
      probeAt: at,
      probeSamples: s.samples,
      histLayers,
    })),
  );
  const results = await env.train(configs, (c) => `gradients ${c.act.label} init=${c.init} seed ${c.seed}`);
  const profiles: Record<string, DerivativeProfile> = {};
  for (const a of s.activations) profiles[a.label] = derivativeProfile(a);
  return {
    probeSteps: at,
    profiles,
    cells: cells.map((c, i) => {
      const runs = results.slice(i * s.seeds.length, (i + 1) * s.seeds.length);
      const perSeed = runs.map((r) => r.probes ?? []);
      const probes = averageProbes(perSeed);
      return {
        label: c.act.label,
        act: c.act,
        init: c.init,
        probes,
        ratio: probes.map((p) => {
          const first = p.layers[0]!.deltaRms;
          const last = p.layers[p.layers.length - 1]!.deltaRms;
          return last > 0 ? first / last : NaN;
        }),
        finalLoss: runs.map((r) => r.finalLoss),
        finalAcc: runs.map((r) => r.finalAcc),
        diverged: runs.map((r) => r.diverged),
        perSeed,
      };
    }),
  };
}
