/**
 * The lab's decision logic on crafted numbers: steps to a target, censored ratios, the sweep's
 * choice and extension, the fixed point, and each verdict's criterion.
 */
import { describe, expect, it } from 'vitest';
import '../src/index.js';
import { resolveActivation, splitActivationList } from '../src/lab/activation.js';
import { checkRules } from '../src/lab/advise.js';
import { fixedPoint } from '../src/lab/experiments/propagation.js';
import { extendRate, pickBest, type RaceResult, type RaceSettings, type VariantResult } from '../src/lab/experiments/race.js';
import { ratio, summarizeSteps } from '../src/lab/stats.js';
import { stepsToTarget } from '../src/lab/train.js';
import { verdicts, type Evidence } from '../src/lab/verdicts.js';
import type { DyingResult, DyingSettings } from '../src/lab/experiments/dying.js';

describe('steps to a target', () => {
  it('is the first step where the running mean of the last window reaches it', () => {
    const acc = [0.1, 0.5, 0.7, 0.9, 0.9, 0.9];
    expect(stepsToTarget(acc, 2, 0.8)).toBe(4);
    expect(stepsToTarget(acc, 3, 0.8)).toBe(5);
    expect(stepsToTarget(acc, 1, 0.7)).toBe(3);
    expect(stepsToTarget(acc, 2, 0.95)).toBeNull();
    // Never before a full window.
    expect(stepsToTarget([1, 1, 1], 5, 0.5)).toBeNull();
  });

  it('bounds ratios when a target is not reached', () => {
    const fast = summarizeSteps([10, 14], 100);
    const slow = summarizeSteps([60, null], 100);
    expect(fast).toMatchObject({ reached: 2, censored: 0, mean: 12 });
    expect(slow).toMatchObject({ reached: 1, censored: 1, mean: 80 });
    expect(ratio(slow, fast)).toEqual({ value: 6.6667, kind: 'atLeast' });
    expect(ratio(fast, slow)).toEqual({ value: 0.15, kind: 'atMost' });
    expect(ratio(summarizeSteps([null], 50), summarizeSteps([null], 50))).toEqual({ value: null, kind: 'unknown' });
  });
});

describe('the learning-rate sweep', () => {
  const pt = (lr: number, finalLoss: number | null) => ({ lr, finalLoss, finalAcc: null, diverged: finalLoss === null ? 3 : null, stepsTo: [] });
  it('picks the lowest final loss, ties to the larger rate, diverged runs last', () => {
    expect(pickBest([pt(0.01, 0.5), pt(0.1, 0.4), pt(0.3, null)]).lr).toBe(0.1);
    expect(pickBest([pt(0.01, 0.4), pt(0.1, 0.4)]).lr).toBe(0.1);
    expect(pickBest([pt(0.01, null), pt(0.1, null)]).lr).toBe(0.1);
  });
  it('extends past an edge along the grid, staying on 1-3-10 ladders', () => {
    expect(extendRate([0.03, 0.1, 0.3], 'high')).toBe(1);
    expect(extendRate([0.03, 0.1, 0.3], 'low')).toBe(0.01);
    expect(extendRate([0.01, 0.03, 0.1, 0.3, 1], 'high')).toBe(3);
    expect(extendRate([0.05], 'high')).toBe(0.158);
    expect(extendRate([0.2, 0.4], 'high')).toBe(0.8);
    expect(extendRate([50, 100], 'high')).toBeNull();
  });
});

describe('activation lists', () => {
  it('keep parameters with their activation', () => {
    expect(splitActivationList('relu,leaky_relu:0.2,softplus:beta=2,threshold=10,hardtanh:-2,2,gelu:tanh,./a.js:beta=2,tanh')).toEqual([
      'relu',
      'leaky_relu:0.2',
      'softplus:beta=2,threshold=10',
      'hardtanh:-2,2',
      'gelu:tanh',
      './a.js:beta=2',
      'tanh',
    ]);
  });
  it('resolve to labels and module options', () => {
    expect(resolveActivation('leaky_relu:0.2')).toMatchObject({ id: 'leaky_relu', label: 'leaky_relu(0.2)', options: { negativeSlope: 0.2 } });
    expect(resolveActivation('softplus:beta=2,threshold=10')).toMatchObject({ label: 'softplus(beta=2, threshold=10)', options: { beta: 2, threshold: 10 } });
    expect(resolveActivation('prelu:init=0.1').options).toEqual({ init: 0.1 });
    expect(resolveActivation('gelu:tanh').options).toEqual({ approximate: 'tanh' });
    expect(() => resolveActivation('hardtanh:2,-2')).toThrow(/hardtanh/);
  });
});

// ---- crafted race results -----------------------------------------------------------------------

function variant(label: string, steps: (number | null)[], test: number, opts: { budget?: number; batchnorm?: boolean; sweep?: [number, number | null][] } = {}): VariantResult {
  const budget = opts.budget ?? 100;
  return {
    label: `${label}${opts.batchnorm ? '+BN' : ''}`,
    act: { token: label, id: label, label, options: {} },
    batchnorm: opts.batchnorm ?? false,
    sweep: (opts.sweep ?? [[0.1, 0.5]]).map(([lr, l]) => ({ lr, finalLoss: l, finalAcc: null, diverged: null, stepsTo: [] })),
    lr: 0.1,
    lrChosenBy: 'sweep',
    atEdge: null,
    runs: [],
    summary: {
      stepsTo: [summarizeSteps(steps, budget)],
      finalLoss: { mean: 0.5, sd: 0, values: [0.5] },
      testAcc: { mean: test, sd: 0, values: [test] },
      diverged: 0,
    },
    timing: { msPerStep: 1, forwardMs: 0, backwardMs: 0, optimizerMs: 0, dataMs: 0, otherMs: 0 },
  };
}

const settings = (over: Partial<RaceSettings> = {}): RaceSettings => ({
  activations: [],
  nets: [],
  batchnorm: [false],
  init: 'default',
  seeds: [0],
  lrs: [0.1],
  sharedLr: null,
  extend: 0,
  steps: 100,
  batch: 10,
  momentum: 0.9,
  window: 5,
  targets: [0.8],
  ...over,
});

function race(nets: Record<string, VariantResult[]>): Evidence['race'] {
  const result: RaceResult = { nets: Object.entries(nets).map(([name, variants]) => ({ name, layout: name, hidden: [], variants })) };
  return { settings: settings(), result };
}

const byId = (vs: ReturnType<typeof verdicts>, id: string) => vs.find((v) => v.id === id)!;

describe('the race verdicts', () => {
  it('6x held: both slower by at least 4x on every net', () => {
    const v = byId(verdicts({ race: race({ shallow: [variant('relu', [10], 0.8), variant('tanh', [45], 0.8), variant('sigmoid', [null], 0.7)] }) }), 'relu-6x');
    expect(v.verdict).toBe('held');
    expect(v.evidence.join('\n')).toMatch(/tanh takes 4\.50×/);
    expect(v.evidence.join('\n')).toMatch(/sigmoid takes ≥ 10\.00×/);
  });

  it('6x did not hold when the ratios are below 4', () => {
    const vs = verdicts({ race: race({ shallow: [variant('relu', [40], 0.8), variant('tanh', [42], 0.8), variant('sigmoid', [60], 0.8)] }) });
    expect(byId(vs, 'relu-6x').verdict).toBe('did not hold');
    expect(byId(vs, 'relu-faster')).toMatchObject({ verdict: 'held only under a condition', condition: 'shallow net vs sigmoid' });
  });

  it('held only under a condition, with the undecided settings named', () => {
    const vs = verdicts({
      race: race({
        shallow: [variant('relu', [10], 0.8), variant('tanh', [20], 0.8)],
        deep: [variant('relu', [10], 0.8), variant('tanh', [50], 0.8)],
        wide: [variant('relu', [null], 0.1), variant('tanh', [null], 0.1)],
      }),
    });
    expect(byId(vs, 'relu-6x')).toMatchObject({ verdict: 'held only under a condition', condition: 'deep net vs tanh', undecided: 'wide net vs tanh' });
  });

  it('inconclusive when a censored bound cannot decide', () => {
    // tanh did not reach the target in 100 steps, relu took 40: the ratio is at least 2.5, which neither meets 4 nor rules it out.
    const v = byId(verdicts({ race: race({ shallow: [variant('relu', [40], 0.8), variant('tanh', [null], 0.5)] }) }), 'relu-6x');
    expect(v.verdict).toBe('inconclusive');
  });

  it('uses the highest target ReLU reaches with every seed', () => {
    const r = race({ shallow: [variant('relu', [10], 0.8), variant('tanh', [60], 0.8)] })!;
    r.settings.targets = [0.7, 0.9];
    r.result.nets[0]!.variants[0]!.summary.stepsTo = [summarizeSteps([5], 100), summarizeSteps([10], 100)];
    r.result.nets[0]!.variants[1]!.summary.stepsTo = [summarizeSteps([7], 100), summarizeSteps([60], 100)];
    expect(byId(verdicts({ race: r }), 'relu-6x').evidence[0]).toMatch(/90% running training accuracy/);
  });
});

describe('the batchnorm verdict', () => {
  it('ELU stands in for BN only when within 1.25x the steps and 1 point of accuracy', () => {
    const ev = (eluSteps: number, eluAcc: number) =>
      byId(
        verdicts({
          batchnorm: {
            settings: settings({ batchnorm: [false, true] }),
            result: { nets: [{ name: 'deep', layout: 'deep', hidden: [], variants: [variant('relu', [80], 0.8), variant('relu', [40], 0.85, { batchnorm: true }), variant('elu', [eluSteps], eluAcc), variant('elu', [35], 0.86, { batchnorm: true })] }] },
          },
        }),
        'elu-instead-of-bn',
      ).verdict;
    expect(ev(48, 0.845)).toBe('held');
    expect(ev(52, 0.845)).toBe('did not hold');
    expect(ev(45, 0.83)).toBe('did not hold');
  });
});

describe('the dying verdicts', () => {
  const cell = (label: string, lr: number, after: number | null) => ({
    net: 'shallow',
    label,
    act: { token: label, id: label, label, options: {} },
    lr,
    widths: [10, 10],
    runs: [],
    deadBefore: 0,
    deadAfter: after,
    diverged: after === null ? 1 : 0,
    testAcc: after === null ? null : 0.8,
  });
  const dying = (cells: ReturnType<typeof cell>[]) => ({ settings: {} as DyingSettings, result: { samples: 100, layouts: {}, cells } as unknown as DyingResult });
  it('ReLU dies only at large rates: held under a condition', () => {
    const vs = verdicts({ dying: dying([cell('relu', 0.01, 0), cell('relu', 1, 0.4), cell('leaky_relu', 0.01, 0), cell('leaky_relu', 1, 0)]) });
    expect(byId(vs, 'relu-dies')).toMatchObject({ verdict: 'held only under a condition', condition: 'at learning rate 1' });
    expect(byId(vs, 'leaky-alive').verdict).toBe('held');
  });
  it('a fix that diverges decides nothing; one that loses units fails', () => {
    const vs = verdicts({ dying: dying([cell('relu', 1, 0.4), cell('leaky_relu', 1, null), cell('prelu', 1, 0.2)]) });
    expect(byId(vs, 'leaky-alive').verdict).toBe('did not hold');
    expect(byId(vs, 'leaky-alive').undecided).toBe('leaky_relu at lr 1');
  });
});

describe('the fixed point', () => {
  const layer = (actMean: number, actVar: number) => ({ preMean: 0, preVar: 1, actMean, actVar });
  it('holds when the second half averages near mean 0, variance 1, every layer within the band', () => {
    expect(fixedPoint([layer(0.5, 3), layer(0.05, 1.1), layer(0.02, 0.95), layer(0, 1)])).toMatchObject({ holds: true, from: 2 });
    // One layer's mean wanders past 0.1 (finite width): still holds on average.
    expect(fixedPoint([layer(0, 1), layer(0, 1), layer(0.15, 1), layer(-0.1, 0.9)]).holds).toBe(true);
    expect(fixedPoint([layer(0, 1), layer(0, 1), layer(0, 0.4), layer(0, 1)])).toMatchObject({ holds: false, from: 4 });
    expect(fixedPoint([layer(0, 1), layer(0, 1), layer(0.2, 1), layer(0.2, 1)]).holds).toBe(false);
    expect(fixedPoint([layer(0, 1), layer(0, 0.01)])).toMatchObject({ holds: false, from: null });
  });
});

describe('the rules of thumb', () => {
  it('are decided from the race numbers', () => {
    const r = race({
      shallow: [variant('relu', [20], 0.85, { sweep: [[0.01, 0.6], [0.1, 0.4], [1, null]] }), variant('elu', [15], 0.86), variant('tanh', [30], 0.83), variant('sigmoid', [50], 0.8)],
      deep: [variant('relu', [null], 0.2, { sweep: [[0.1, 2.0], [0.3, 2.1]] }), variant('elu', [60], 0.7), variant('tanh', [40], 0.75), variant('sigmoid', [null], 0.1)],
    })!;
    const rules = checkRules(r);
    const get = (id: string) => rules.find((x) => x.id === id)!;
    expect(get('start-relu')).toMatchObject({ verdict: 'partly supported', where: 'shallow net' });
    expect(get('tune-lr')).toMatchObject({ verdict: 'partly supported', where: 'shallow net' });
    expect(get('try-leaky-elu').verdict).toBe('supported');
    expect(get('tanh-no-hope')).toMatchObject({ verdict: 'partly supported', where: 'shallow net' });
    expect(get('never-sigmoid').verdict).toBe('supported');
    expect(checkRules(undefined).every((x) => x.verdict === 'no evidence')).toBe(true);
  });
});
