/**
 * The convergence race (and, with batch-normalised variants, the batchnorm experiment).
 *
 * For each network and activation (variant), a small learning-rate sweep on the first seed picks
 * the rate with the lowest final training loss (mean of the last `window` steps; a diverged run
 * counts as infinitely bad; ties go to the larger rate), as Krizhevsky et al. picked each
 * network's rate for their "6x" figure. When the winner sits at an edge of the grid, the grid
 * is extended one step past it (up to `extend` times). Then every other seed trains at the
 * chosen rate; the sweep's run at that rate is the first seed's. With `--lr`, every variant
 * trains at that one shared rate instead.
 */
import type { ActivationChoice } from '../activation.js';
import type { LabEnv } from '../env.js';
import { describeLayout, type InitName } from '../model.js';
import { mean, round4, sd, summarizeSteps, type StepsSummary } from '../stats.js';
import type { RunResult, TrainConfig } from '../train.js';

export interface RaceSettings {
  activations: ActivationChoice[];
  nets: { name: string; hidden: number[] }[];
  /** Variants per activation: without (false) and/or with (true) batch normalisation. */
  batchnorm: boolean[];
  init: InitName;
  seeds: number[];
  /** The sweep grid. */
  lrs: number[];
  /** One rate for everyone instead of a sweep. */
  sharedLr: number | null;
  /** How many times the grid may be extended past a winning edge. */
  extend: number;
  steps: number;
  batch: number;
  momentum: number;
  window: number;
  targets: number[];
}

/** One point of a sweep. */
export interface SweepPoint {
  lr: number;
  finalLoss: number | null;
  finalAcc: number | null;
  diverged: number | null;
  stepsTo: (number | null)[];
}

/** One seed's run at the chosen rate. */
export interface SeedRun extends RunResult {
  seed: number;
  lr: number;
}

export interface VariantResult {
  /** `relu`, `relu+BN` */
  label: string;
  act: ActivationChoice;
  batchnorm: boolean;
  sweep: SweepPoint[];
  lr: number;
  lrChosenBy: 'sweep' | 'shared';
  /** Whether the chosen rate is still at an edge of the (extended) grid: the best may lie beyond. */
  atEdge: 'low' | 'high' | null;
  runs: SeedRun[];
  summary: {
    stepsTo: StepsSummary[];
    finalLoss: { mean: number | null; sd: number | null; values: (number | null)[] };
    testAcc: { mean: number | null; sd: number | null; values: (number | null)[] };
    diverged: number;
  };
  timing: { msPerStep: number; forwardMs: number; backwardMs: number; optimizerMs: number; dataMs: number; otherMs: number };
}

export interface RaceNet {
  name: string;
  layout: string;
  hidden: number[];
  variants: VariantResult[];
}

export interface RaceResult {
  nets: RaceNet[];
}

const LADDER_MIN = 1e-5;
const LADDER_MAX = 100;

/** The next rate past an edge: the grid's own spacing (half a decade for a single rate), 3 significant digits. */
export function extendRate(grid: readonly number[], edge: 'low' | 'high'): number | null {
  const g = [...grid].sort((a, b) => a - b);
  const step = g.length > 1 ? (edge === 'high' ? g[g.length - 1]! / g[g.length - 2]! : g[1]! / g[0]!) : Math.sqrt(10);
  const v = edge === 'high' ? g[g.length - 1]! * step : g[0]! / step;
  const r = Number(v.toPrecision(3));
  // 1-3-10 ladders stay on the ladder: 0.3 * (0.3 / 0.1) = 0.9 -> 1, 0.03 / (0.1 / 0.03) = 0.009 -> 0.01.
  const nice = [1, 3, 10].map((m) => m * 10 ** Math.floor(Math.log10(r))).find((c) => Math.abs(Math.log10(c / r)) < 0.06);
  const out = nice !== undefined ? Number(nice.toPrecision(3)) : r;
  return out >= LADDER_MIN && out <= LADDER_MAX ? out : null;
}

/** The best sweep point: lowest final loss (diverged: worst), ties to the larger rate. */
export function pickBest(points: readonly SweepPoint[]): SweepPoint {
  let best = points[0]!;
  for (const p of points) {
    const a = p.finalLoss ?? Infinity;
    const b = best.finalLoss ?? Infinity;
    if (a < b || (a === b && p.lr > best.lr)) best = p;
  }
  return best;
}

function edgeOf(points: readonly SweepPoint[], best: SweepPoint): 'low' | 'high' | null {
  if (points.length < 2 || best.finalLoss === null) return null;
  const lrs = points.map((p) => p.lr).sort((a, b) => a - b);
  if (best.lr === lrs[lrs.length - 1]) return 'high';
  if (best.lr === lrs[0]) return 'low';
  return null;
}

interface Pair {
  net: { name: string; hidden: number[] };
  act: ActivationChoice;
  batchnorm: boolean;
  label: string;
}

function config(s: RaceSettings, p: Pair, lr: number, seed: number): TrainConfig {
  return {
    act: p.act,
    net: p.net.name,
    hidden: p.net.hidden,
    batchnorm: p.batchnorm,
    init: s.init,
    seed,
    lr,
    momentum: s.momentum,
    batch: s.batch,
    steps: s.steps,
    window: s.window,
    targets: s.targets,
    evalTest: true,
  };
}

function point(lr: number, r: RunResult): SweepPoint {
  return { lr, finalLoss: r.finalLoss, finalAcc: r.finalAcc, diverged: r.diverged, stepsTo: r.stepsTo };
}

const runLabel = (c: TrainConfig): string => `${c.net} ${c.act.label}${c.batchnorm ? '+BN' : ''} lr=${c.lr} seed ${c.seed}`;

/** Steps the race will train, before any grid extension (for progress and time estimates). */
export function plannedSteps(s: RaceSettings): number {
  const pairs = s.nets.length * s.activations.length * s.batchnorm.length;
  const runs = s.sharedLr !== null ? s.seeds.length : s.lrs.length + s.seeds.length - 1;
  return pairs * runs * s.steps;
}

export async function runRace(env: LabEnv, s: RaceSettings, stage = 'race'): Promise<RaceResult> {
  const pairs: Pair[] = [];
  for (const net of s.nets) {
    for (const act of s.activations) {
      for (const bn of s.batchnorm) pairs.push({ net, act, batchnorm: bn, label: `${act.label}${bn ? '+BN' : ''}` });
    }
  }
  env.progress.plan(plannedSteps(s));
  const sweeps = new Map<Pair, { points: SweepPoint[]; runs: Map<number, RunResult>; extensions: number }>();
  const chosen = new Map<Pair, number>();
  if (s.sharedLr === null) {
    env.progress.stage(`${stage}: learning-rate sweep (${s.lrs.join(', ')}) on seed ${s.seeds[0]}`);
    let todo: [Pair, number][] = pairs.flatMap((p) => s.lrs.map((lr) => [p, lr] as [Pair, number]));
    for (const p of pairs) sweeps.set(p, { points: [], runs: new Map(), extensions: 0 });
    while (todo.length) {
      const results = await env.train(
        todo.map(([p, lr]) => config(s, p, lr, s.seeds[0]!)),
        runLabel,
      );
      todo.forEach(([p, lr], i) => {
        const sw = sweeps.get(p)!;
        sw.points.push(point(lr, results[i]!));
        sw.runs.set(lr, results[i]!);
      });
      const next: [Pair, number][] = [];
      for (const p of pairs) {
        const sw = sweeps.get(p)!;
        sw.points.sort((a, b) => a.lr - b.lr);
        const best = pickBest(sw.points);
        const edge = edgeOf(sw.points, best);
        if (edge && sw.extensions < s.extend) {
          const lr = extendRate(sw.points.map((q) => q.lr), edge);
          if (lr !== null && !sw.points.some((q) => q.lr === lr)) {
            sw.extensions++;
            next.push([p, lr]);
          }
        }
      }
      if (next.length) {
        env.progress.plan(next.length * s.steps);
        env.progress.note(`${stage}: extending the sweep past a winning edge: ${next.map(([p, lr]) => `${p.net.name} ${p.label} lr=${lr}`).join(', ')}`);
      }
      todo = next;
    }
    for (const p of pairs) chosen.set(p, pickBest(sweeps.get(p)!.points).lr);
  } else {
    for (const p of pairs) chosen.set(p, s.sharedLr);
  }

  const rest: [Pair, number][] = [];
  for (const p of pairs) {
    for (const seed of s.sharedLr === null ? s.seeds.slice(1) : s.seeds) rest.push([p, seed]);
  }
  if (rest.length) {
    env.progress.stage(s.sharedLr === null ? `${stage}: ${s.seeds.length > 1 ? `seeds ${s.seeds.slice(1).join(', ')}` : ''} at each one's best rate` : `${stage}: every activation at lr ${s.sharedLr}`);
  }
  const restResults = await env.train(
    rest.map(([p, seed]) => config(s, p, chosen.get(p)!, seed)),
    runLabel,
  );

  const nets: RaceNet[] = s.nets.map((net) => ({ name: net.name, layout: '', hidden: net.hidden, variants: [] }));
  for (const p of pairs) {
    const lr = chosen.get(p)!;
    const runs: SeedRun[] = [];
    for (const seed of s.seeds) {
      let r: RunResult | undefined;
      if (s.sharedLr === null && seed === s.seeds[0]) r = sweeps.get(p)!.runs.get(lr);
      else r = restResults[rest.findIndex(([q, s2]) => q === p && s2 === seed)];
      runs.push({ seed, lr, ...r! });
    }
    const sw = sweeps.get(p);
    const best = sw ? pickBest(sw.points) : undefined;
    const finals = runs.map((r) => r.finalLoss);
    const tests = runs.map((r) => r.testAcc);
    const ok = (a: (number | null)[]): number[] => a.filter((v): v is number => v !== null);
    const avg = (k: 'msPerStep' | 'forwardMs' | 'backwardMs' | 'optimizerMs' | 'dataMs' | 'otherMs'): number => round4(mean(runs.map((r) => r.timing[k])));
    const variant: VariantResult = {
      label: p.label,
      act: p.act,
      batchnorm: p.batchnorm,
      sweep: sw ? sw.points : [],
      lr,
      lrChosenBy: s.sharedLr === null ? 'sweep' : 'shared',
      atEdge: sw && best ? edgeOf(sw.points, best) : null,
      runs,
      summary: {
        stepsTo: s.targets.map((_, k) => summarizeSteps(runs.map((r) => r.stepsTo[k]!), s.steps)),
        finalLoss: { mean: ok(finals).length ? round4(mean(ok(finals))) : null, sd: ok(finals).length ? round4(sd(ok(finals))) : null, values: finals },
        testAcc: { mean: ok(tests).length ? round4(mean(ok(tests))) : null, sd: ok(tests).length ? round4(sd(ok(tests))) : null, values: tests },
        diverged: runs.filter((r) => r.diverged !== null).length,
      },
      timing: { msPerStep: avg('msPerStep'), forwardMs: avg('forwardMs'), backwardMs: avg('backwardMs'), optimizerMs: avg('optimizerMs'), dataMs: avg('dataMs'), otherMs: avg('otherMs') },
    };
    const n = nets.find((q) => q.name === p.net.name)!;
    n.layout = describeLayout(env.data.features, p.net.hidden, env.data.classes);
    n.variants.push(variant);
  }
  return { nets };
}
