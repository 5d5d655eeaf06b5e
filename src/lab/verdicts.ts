/**
 * The textbook claims, and how a run's numbers decide them. Every verdict is computed here from
 * measured numbers by an explicit criterion, stated next to the verdict in every report; none is
 * written by hand. A claim whose experiment did not run (or did not include the activations it
 * needs) gets no verdict.
 *
 * Verdicts: 'held' (the criterion is met everywhere it was tested), 'did not hold' (nowhere),
 * 'held only under a condition' (in some settings, named), 'inconclusive' (the run could not
 * decide, e.g. a target was reached by neither side within the step budget).
 */
import type { CostResult } from './experiments/cost.js';
import type { DyingResult, DyingSettings } from './experiments/dying.js';
import type { GradientsResult, GradientsSettings } from './experiments/gradients.js';
import type { PropagationResult, PropagationSettings } from './experiments/propagation.js';
import { FIXED_POINT } from './experiments/propagation.js';
import type { RaceResult, RaceSettings, VariantResult } from './experiments/race.js';
import { SATURATION_EPS } from './probes.js';
import { fmt, fmtRatio, pct, ratio, type Ratio } from './stats.js';

export type VerdictKind = 'held' | 'did not hold' | 'held only under a condition' | 'inconclusive';

export interface Verdict {
  id: string;
  /** The claim, as tutorials put it. */
  claim: string;
  /** The experiment whose numbers decide it. */
  experiment: string;
  verdict: VerdictKind;
  /** Where it held, for 'held only under a condition'. */
  condition?: string;
  /** Where the run could not decide (e.g. neither side reached the target within the budget). */
  undecided?: string;
  /** The rule that turns the numbers into the verdict. */
  criterion: string;
  /** The numbers behind it, one line each. */
  evidence: string[];
  /** Decided from wall-clock times (so it may change between runs). */
  fromTiming?: boolean;
}

/** The experiments' settings and results a verdict may read. */
export interface Evidence {
  race?: { settings: RaceSettings; result: RaceResult };
  gradients?: { settings: GradientsSettings; result: GradientsResult };
  dying?: { settings: DyingSettings; result: DyingResult };
  propagation?: { settings: PropagationSettings; result: PropagationResult };
  batchnorm?: { settings: RaceSettings; result: RaceResult };
  cost?: { result: CostResult };
}

/** The thresholds of the criteria, in one place (and in docs/lab.md). */
export const CRITERIA = {
  /** "about 6x": at least 4x (6 within a factor 1.5). */
  sixFold: 4,
  /** "faster": at least 1.25x fewer steps. */
  faster: 1.25,
  /** Saturation point "about 5": the 1%-derivative point within [4, 6.25] (5 within a factor 1.25). */
  saturationLow: 4,
  saturationHigh: 6.25,
  /** Vanishing: the first hidden layer's back-propagated signal below 10% of the last hidden layer's. */
  vanishing: 0.1,
  /** Saturation as the cause: at least 10% of hidden units saturated where the gradient vanishes. */
  saturatedShare: 0.1,
  /** Not zero-centred: |mean| / RMS of the outputs, averaged over layers, at least 0.5; zero-centred: at most 0.2. */
  offCentre: 0.5,
  centred: 0.2,
  /** A unit population has died when at least 1% of hidden units are dead after training. */
  dead: 0.01,
  /** ELU near zero: its |mean| / RMS at most half of ReLU's under the same initialisation. */
  eluVsRelu: 0.5,
  /** ELU instead of batch norm: at most 1.25x the steps of ReLU with BN, and test accuracy at most 1 point lower. */
  bnSteps: 1.25,
  bnAcc: 0.01,
  /** Cheap: forward + backward time within 5% of the fastest activation measured. */
  cheap: 1.05,
} as const;

/** Whether a choice is the plain built-in activation `id` (no parameters). */
function plain(label: string, id: string): boolean {
  return label === id;
}

function combine(parts: { where: string; ok: boolean | null }[]): { verdict: VerdictKind; condition?: string; undecided?: string } {
  const yes = parts.filter((p) => p.ok === true);
  const no = parts.filter((p) => p.ok === false);
  const unknown = parts.filter((p) => p.ok === null);
  const undecided = unknown.length ? { undecided: unknown.map((p) => p.where).join('; ') } : {};
  if (yes.length === 0 && no.length === 0) return { verdict: 'inconclusive', ...undecided };
  if (no.length === 0 && unknown.length === 0) return { verdict: 'held' };
  if (yes.length === 0) return { verdict: 'did not hold', ...undecided };
  return { verdict: 'held only under a condition', condition: yes.map((p) => p.where).join('; '), ...undecided };
}

// ---- race ---------------------------------------------------------------------------------------

/** The target a net's comparison uses: the highest one ReLU reached with every seed (else the lowest). */
export function primaryTarget(targets: readonly number[], relu: VariantResult): number {
  let k = -1;
  relu.summary.stepsTo.forEach((s, i) => {
    if (s.censored === 0) k = i;
  });
  return k >= 0 ? k : 0;
}

function raceVerdicts(race: { settings: RaceSettings; result: RaceResult }): Verdict[] {
  const out: Verdict[] = [];
  const s = race.settings;
  const lrMode = s.sharedLr === null ? "each at its own best learning rate (sweep)" : `all at one shared learning rate ${s.sharedLr}`;
  const sixParts: { where: string; ok: boolean | null }[] = [];
  const fastParts: { where: string; ok: boolean | null }[] = [];
  const evidence: string[] = [];
  for (const net of race.result.nets) {
    const relu = net.variants.find((v) => plain(v.act.label, 'relu') && !v.batchnorm);
    if (!relu) continue;
    const k = primaryTarget(s.targets, relu);
    const target = s.targets[k]!;
    for (const id of ['tanh', 'sigmoid']) {
      const other = net.variants.find((v) => plain(v.act.label, id) && !v.batchnorm);
      if (!other) continue;
      const r: Ratio = ratio(other.summary.stepsTo[k]!, relu.summary.stepsTo[k]!);
      const where = `${net.name} net vs ${id}`;
      const decide = (threshold: number): boolean | null => {
        if (r.value === null) return null;
        if (r.kind === 'exact') return r.value >= threshold;
        if (r.kind === 'atLeast') return r.value >= threshold ? true : null;
        return r.value < threshold ? false : null;
      };
      sixParts.push({ where, ok: decide(CRITERIA.sixFold) });
      fastParts.push({ where, ok: decide(CRITERIA.faster) });
      evidence.push(
        `${net.name} (${net.layout}), ${pct(target, 0)} running training accuracy: relu ${stepsText(relu, k)} steps at lr ${relu.lr}, ${id} ${stepsText(other, k)} at lr ${other.lr}: ${r.value === null ? `neither reached it within ${s.steps} steps` : `${id} takes ${fmtRatio(r)} relu's steps`}`,
      );
    }
  }
  if (sixParts.length === 0) return out;
  const crit = `for each network and each of tanh and sigmoid, the steps to the highest training-accuracy target ReLU reaches with every seed (mean over ${s.seeds.length} seed(s), ${lrMode}; a target not reached counts as the step budget ${s.steps}, giving a bound)`;
  const six = combine(sixParts);
  out.push({
    id: 'relu-6x',
    claim: 'ReLU converges about 6 times faster than sigmoid/tanh (Krizhevsky et al., 2012)',
    experiment: 'race',
    ...six,
    criterion: `held where the other needs at least ${CRITERIA.sixFold}x ReLU's steps (6 within a factor 1.5), ${crit}`,
    evidence,
  });
  const fast = combine(fastParts);
  out.push({
    id: 'relu-faster',
    claim: 'ReLU converges faster than sigmoid/tanh',
    experiment: 'race',
    ...fast,
    criterion: `held where the other needs at least ${CRITERIA.faster}x ReLU's steps, ${crit}`,
    evidence,
  });
  return out;
}

function stepsText(v: VariantResult, k: number): string {
  const s = v.summary.stepsTo[k]!;
  if (s.censored === s.values.length) return `> ${s.budget}`;
  const m = fmt(s.mean, 4);
  return s.censored ? `≥ ${m} (${s.censored}/${s.values.length} seeds not within ${s.budget})` : m;
}

// ---- gradients ----------------------------------------------------------------------------------

function gradientVerdicts(g: { settings: GradientsSettings; result: GradientsResult }): Verdict[] {
  const out: Verdict[] = [];
  const { result, settings } = g;
  const depthText = `${settings.depth} hidden layers of ${settings.width}`;
  const cellsOf = (id: string) => result.cells.filter((c) => plain(c.label, id));
  const vanishCrit = `the back-propagated signal dL/dz (RMS over the probe batch) at the first hidden layer is below ${CRITERIA.vanishing * 100}% of the last hidden layer's at initialisation (${depthText})`;

  const sig = cellsOf('sigmoid');
  const sigProfile = result.profiles['sigmoid'];
  if (sig.length && sigProfile) {
    const t = Math.max(Math.abs(sigProfile.tinyBelow ?? Infinity), Math.abs(sigProfile.tinyAbove ?? Infinity));
    const thresholdOk = t >= CRITERIA.saturationLow && t <= CRITERIA.saturationHigh;
    out.push({
      id: 'sigmoid-saturates',
      claim: 'Sigmoid saturates outside about [-5, 5]',
      experiment: 'gradients',
      verdict: thresholdOk ? 'held' : 'did not hold',
      criterion: `held when sigmoid's derivative is below ${SATURATION_EPS * 100}% of its maximum outside ±t with t in [${CRITERIA.saturationLow}, ${CRITERIA.saturationHigh}] ("about 5"), measured on a grid over [-20, 20]`,
      evidence: [`sigmoid's derivative is below ${SATURATION_EPS * 100}% of its maximum (${fmt(sigProfile.max)}) for |x| > ${fmt(t)}; at x = ±5 it is ${pct(sigProfile.at5[1])} of the maximum`],
    });
    out.push({
      id: 'sigmoid-vanishes',
      claim: "Sigmoid's gradients vanish in deep networks",
      experiment: 'gradients',
      ...combine(sig.map((c) => ({ where: `${c.init} initialisation`, ok: c.ratio[0]! < CRITERIA.vanishing }))),
      criterion: `held where ${vanishCrit}`,
      evidence: sig.map((c) => `${c.init}: first/last hidden layer signal ratio ${fmt(c.ratio[0])} at initialisation, ${fmt(c.ratio[c.ratio.length - 1])} after ${settings.steps} steps`),
    });
    const vanishing = sig.filter((c) => c.ratio[0]! < CRITERIA.vanishing);
    if (vanishing.length) {
      out.push({
        id: 'sigmoid-vanishes-by-saturation',
        claim: "Sigmoid's gradients vanish because its units saturate",
        experiment: 'gradients',
        ...combine(vanishing.map((c) => ({ where: `${c.init} initialisation`, ok: meanSat(c, 0) >= CRITERIA.saturatedShare }))),
        criterion: `where the gradient vanishes at initialisation (see above), held if at least ${CRITERIA.saturatedShare * 100}% of the hidden units are saturated there (derivative below ${SATURATION_EPS * 100}% of the maximum); otherwise the vanishing comes from the derivative being small everywhere (at most ${fmt(sigProfile.max)}) rather than from saturation`,
        evidence: vanishing.map((c) => `${c.init}: ${pct(meanSat(c, 0))} of units saturated at initialisation, mean derivative ${fmt(meanDeriv(c, 0))}; signal ratio ${fmt(c.ratio[0])}`),
      });
    }
  }

  const tanh = cellsOf('tanh');
  const tanhProfile = result.profiles['tanh'];
  if (tanh.length && tanhProfile) {
    const saturating = tanhProfile.tinyBelow !== null && tanhProfile.tinyAbove !== null && !tanhProfile.zeroBelow && !tanhProfile.zeroAbove;
    const parts = tanh.map((c) => ({ where: `${c.init} initialisation`, ok: saturating && (c.ratio[0]! < CRITERIA.vanishing || maxSat(c, 'saturated') >= 0.01) }));
    out.push({
      id: 'tanh-saturates',
      claim: 'tanh still saturates (like sigmoid)',
      experiment: 'gradients',
      ...combine(parts),
      criterion: `held where tanh's derivative falls below ${SATURATION_EPS * 100}% of its maximum on both sides (it has saturating tails) and, in the network, either ${vanishCrit}, or at least 1% of units are saturated at some probe`,
      evidence: [
        `tanh's derivative is below ${SATURATION_EPS * 100}% of its maximum for x < ${fmt(tanhProfile.tinyBelow)} and x > ${fmt(tanhProfile.tinyAbove)}`,
        ...tanh.map((c) => `${c.init}: signal ratio ${fmt(c.ratio[0])} at initialisation; saturated units ${pct(maxSat(c, 'saturated'))} at most over the probes`),
      ],
    });
  }

  const relu = cellsOf('relu');
  const reluProfile = result.profiles['relu'];
  if (relu.length && reluProfile) {
    const parts = relu.map((c) => ({ where: `${c.init} initialisation`, ok: reluProfile.tinyAbove === null && maxSat(c, 'saturated') === 0 }));
    out.push({
      id: 'relu-no-saturation',
      claim: 'ReLU does not saturate',
      experiment: 'gradients',
      ...combine(parts),
      criterion: `held where ReLU's derivative is never tiny for positive inputs and no unit is saturated (derivative below ${SATURATION_EPS * 100}% of the maximum but not exactly zero) at any probe; units in its zero region are counted apart as zero-derivative`,
      evidence: relu.map(
        (c) =>
          `${c.init}: saturated ${pct(maxSat(c, 'saturated'))}, zero-derivative ${pct(meanOver(c, 'zero'))} on average; first/last signal ratio ${fmt(c.ratio[0])} at initialisation${c.ratio[0]! < CRITERIA.vanishing ? ' (the gradient still vanishes: an initialisation effect, not saturation)' : ''}`,
      ),
    });
  }
  return out;
}

function meanSat(c: GradientsResult['cells'][number], probe: number): number {
  const p = c.probes[probe]!;
  return p.layers.reduce((a, l) => a + l.saturated, 0) / p.layers.length;
}

function meanDeriv(c: GradientsResult['cells'][number], probe: number): number {
  const p = c.probes[probe]!;
  return p.layers.reduce((a, l) => a + l.meanDerivative, 0) / p.layers.length;
}

function maxSat(c: GradientsResult['cells'][number], key: 'saturated' | 'zero'): number {
  let m = 0;
  for (const p of c.probes) for (const l of p.layers) m = Math.max(m, l[key]);
  return m;
}

function meanOver(c: GradientsResult['cells'][number], key: 'saturated' | 'zero'): number {
  let s = 0;
  let n = 0;
  for (const p of c.probes) for (const l of p.layers) (s += l[key]), n++;
  return n ? s / n : NaN;
}

// ---- dying --------------------------------------------------------------------------------------

function dyingVerdicts(d: { settings: DyingSettings; result: DyingResult }): Verdict[] {
  const out: Verdict[] = [];
  const cells = d.result.cells;
  const relu = cells.filter((c) => plain(c.label, 'relu'));
  const deadText = (c: DyingResult['cells'][number]): string =>
    `${c.net} ${c.label} lr ${c.lr}: dead ${pct(c.deadBefore)} before, ${c.deadAfter === null ? 'diverged' : pct(c.deadAfter)} after${c.diverged && c.deadAfter !== null ? ` (${c.diverged}/${c.runs.length} seeds diverged)` : ''}`;
  if (relu.length) {
    const trained = relu.filter((c) => c.deadAfter !== null);
    const died = trained.filter((c) => c.deadAfter! >= CRITERIA.dead);
    let verdict: VerdictKind;
    let condition: string | undefined;
    if (trained.length === 0) verdict = 'inconclusive';
    else if (died.length === 0) verdict = 'did not hold';
    else if (died.length === trained.length) verdict = 'held';
    else {
      verdict = 'held only under a condition';
      const lrs = died.map((c) => c.lr);
      condition = `at learning rate${lrs.length > 1 ? 's' : ''} ${lrs.join(', ')}`;
    }
    out.push({
      id: 'relu-dies',
      claim: 'ReLU units can die',
      experiment: 'dying',
      verdict,
      ...(condition ? { condition } : {}),
      criterion: `held at a learning rate where at least ${CRITERIA.dead * 100}% of ReLU's hidden units are dead after training (derivative below 0.1% of its maximum on every one of the ${d.result.samples} training examples), mean over seeds that did not diverge`,
      evidence: relu.map(deadText),
    });
  }
  const fixes = ['leaky_relu', 'prelu'].map((id) => cells.filter((c) => c.act.id === id)).filter((a) => a.length);
  if (fixes.length && relu.length) {
    const reluDied = new Set(relu.filter((c) => c.deadAfter !== null && c.deadAfter >= CRITERIA.dead).map((c) => `${c.net}|${c.lr}`));
    const parts: { where: string; ok: boolean | null }[] = [];
    for (const group of fixes) {
      for (const c of group) {
        if (reluDied.size && !reluDied.has(`${c.net}|${c.lr}`)) continue;
        parts.push({ where: `${c.label} at lr ${c.lr}`, ok: c.deadAfter === null ? null : c.deadAfter < CRITERIA.dead });
      }
    }
    out.push({
      id: 'leaky-alive',
      claim: 'Leaky ReLU and PReLU keep units alive',
      experiment: 'dying',
      ...combine(parts),
      criterion: `held where fewer than ${CRITERIA.dead * 100}% of the hidden units are dead after training, at every learning rate where ReLU lost units${reluDied.size ? '' : ' (ReLU lost none here, so at every rate)'}; a diverged run decides nothing`,
      evidence: fixes.flat().map(deadText),
    });
  }
  return out;
}

// ---- propagation --------------------------------------------------------------------------------

function propagationVerdicts(p: { settings: PropagationSettings; result: PropagationResult }): Verdict[] {
  const out: Verdict[] = [];
  const cells = p.result.cells;
  const depth = p.settings.depth;
  const of = (id: string) => cells.filter((c) => plain(c.label, id));
  const sig = of('sigmoid');
  const centreDef = `|mean| / RMS of a layer's outputs (scale-free: 0 when centred, about 0.58 for ReLU of a centred Gaussian, 1 when all outputs are equal), averaged over the ${depth} layers at initialisation`;
  if (sig.length) {
    out.push({
      id: 'sigmoid-not-centred',
      claim: "Sigmoid's output is not zero-centred",
      experiment: 'propagation',
      ...combine(sig.map((c) => ({ where: `${c.init} initialisation`, ok: c.offCentre >= CRITERIA.offCentre }))),
      criterion: `held where sigmoid's ${centreDef} is at least ${CRITERIA.offCentre}`,
      evidence: sig.map((c) => `${c.init}: |mean| / RMS ${fmt(c.offCentre)}; mean output ${fmt(c.meanAbsActMean)} on average`),
    });
  }
  const tanh = of('tanh');
  if (tanh.length) {
    out.push({
      id: 'tanh-centred',
      claim: 'tanh is zero-centred',
      experiment: 'propagation',
      ...combine(tanh.map((c) => ({ where: `${c.init} initialisation`, ok: c.offCentre <= CRITERIA.centred }))),
      criterion: `held where tanh's ${centreDef} is at most ${CRITERIA.centred}`,
      evidence: tanh.map((c) => `${c.init}: |mean| / RMS ${fmt(c.offCentre)}; |mean| ${fmt(c.meanAbsActMean)} on average`),
    });
  }
  const elu = of('elu');
  const relu = of('relu');
  if (elu.length && relu.length) {
    const parts = elu.map((c) => {
      const r = relu.find((q) => q.init === c.init);
      return { where: `${c.init} initialisation`, ok: r ? c.offCentre <= CRITERIA.eluVsRelu * r.offCentre : null };
    });
    out.push({
      id: 'elu-mean-zero',
      claim: 'ELU keeps mean activations near zero (closer than ReLU)',
      experiment: 'propagation',
      ...combine(parts),
      criterion: `held where ELU's ${centreDef} is at most ${CRITERIA.eluVsRelu} times ReLU's under the same initialisation`,
      evidence: elu.map((c) => {
        const r = relu.find((q) => q.init === c.init);
        return `${c.init}: |mean| / RMS ELU ${fmt(c.offCentre)}, ReLU ${fmt(r?.offCentre)} (|mean| ${fmt(c.meanAbsActMean)} and ${fmt(r?.meanAbsActMean)})`;
      }),
    });
  }
  const selu = of('selu');
  if (selu.length) {
    out.push({
      id: 'selu-self-normalises',
      claim: 'SELU self-normalises (activations converge to mean 0, variance 1)',
      experiment: 'propagation',
      ...combine(selu.map((c) => ({ where: `${c.init} initialisation`, ok: c.fixedPoint.holds }))),
      criterion: `held where, at initialisation, SELU's outputs averaged over the second half of the ${depth} layers have |mean| <= ${FIXED_POINT.mean} and variance in [${FIXED_POINT.varLow}, ${FIXED_POINT.varHigh}], and every one of those layers stays within |mean| <= ${FIXED_POINT.looseMean}, variance in [${FIXED_POINT.looseVarLow}, ${FIXED_POINT.looseVarHigh}]`,
      evidence: selu.map((c) => `${c.init}: second half mean ${fmt(c.fixedPoint.halfMean)}, variance ${fmt(c.fixedPoint.halfVar)}; last layer ${fmt(c.fixedPoint.lastMean)}, ${fmt(c.fixedPoint.lastVar)}; within the band ${c.fixedPoint.from === null ? 'at no layer up to the last' : `from layer ${c.fixedPoint.from} on`}`),
    });
  }
  return out;
}

// ---- batchnorm ----------------------------------------------------------------------------------

function batchnormVerdicts(b: { settings: RaceSettings; result: RaceResult }): Verdict[] {
  const parts: { where: string; ok: boolean | null }[] = [];
  const evidence: string[] = [];
  for (const net of b.result.nets) {
    const eluPlain = net.variants.find((v) => plain(v.act.label, 'elu') && !v.batchnorm);
    const reluBn = net.variants.find((v) => plain(v.act.label, 'relu') && v.batchnorm);
    if (!eluPlain || !reluBn) continue;
    const k = primaryTarget(b.settings.targets, reluBn);
    const r = ratio(eluPlain.summary.stepsTo[k]!, reluBn.summary.stepsTo[k]!);
    const accGap = (reluBn.summary.testAcc.mean ?? NaN) - (eluPlain.summary.testAcc.mean ?? NaN);
    // Steps: decided unless a censored bound straddles the threshold; accuracy: always decided.
    let stepsOk: boolean | null = null;
    if (r.value !== null) {
      if (r.kind === 'exact') stepsOk = r.value <= CRITERIA.bnSteps;
      else if (r.kind === 'atMost' && r.value <= CRITERIA.bnSteps) stepsOk = true;
      else if (r.kind === 'atLeast' && r.value > CRITERIA.bnSteps) stepsOk = false;
    }
    const accOk = Number.isNaN(accGap) ? null : accGap <= CRITERIA.bnAcc;
    const ok = accOk === false || stepsOk === false ? false : accOk === true && stepsOk === true ? true : null;
    parts.push({ where: `${net.name} net`, ok });
    evidence.push(
      `${net.name} (${net.layout}), ${pct(b.settings.targets[k], 0)} training accuracy: ELU without BN ${stepsText(eluPlain, k)} steps (lr ${eluPlain.lr}), ReLU with BN ${stepsText(reluBn, k)} (lr ${reluBn.lr}): ${fmtRatio(r)}; test accuracy ${pct(eluPlain.summary.testAcc.mean)} vs ${pct(reluBn.summary.testAcc.mean)}`,
    );
    const reluPlain = net.variants.find((v) => plain(v.act.label, 'relu') && !v.batchnorm);
    const eluBn = net.variants.find((v) => plain(v.act.label, 'elu') && v.batchnorm);
    if (reluPlain) evidence.push(`${net.name}: ReLU without BN ${stepsText(reluPlain, k)} steps, test ${pct(reluPlain.summary.testAcc.mean)}`);
    if (eluBn) evidence.push(`${net.name}: ELU with BN ${stepsText(eluBn, k)} steps, test ${pct(eluBn.summary.testAcc.mean)}`);
  }
  if (parts.length === 0) return [];
  return [
    {
      id: 'elu-instead-of-bn',
      claim: 'ELU can stand in for batch normalisation',
      experiment: 'batchnorm',
      ...combine(parts),
      criterion: `held where ELU without batch normalisation reaches the highest target ReLU with BN reaches with every seed in at most ${CRITERIA.bnSteps}x ReLU+BN's steps, with test accuracy at most ${CRITERIA.bnAcc * 100} point lower (each at its own best learning rate, mean over seeds)`,
      evidence,
    },
  ];
}

// ---- cost ---------------------------------------------------------------------------------------

function costVerdicts(c: { result: CostResult }): Verdict[] {
  const rows = c.result.timing.rows;
  const relu = rows.find((r) => plain(r.label, 'relu'));
  if (!relu || rows.length < 2) return [];
  const others = rows.filter((r) => r !== relu);
  const small = Math.min(...others.map((r) => r.forwardMs + r.backwardMs));
  const reluSmall = relu.forwardMs + relu.backwardMs;
  const bigOthers = Math.max(...others.map((r) => 1 / (1 / r.forwardMeps + 1 / r.backwardMeps)));
  const reluBig = 1 / (1 / relu.forwardMeps + 1 / relu.backwardMeps);
  const parts = [
    { where: `on the hidden layer's tensor [${c.result.shape.join(', ')}]`, ok: reluSmall <= CRITERIA.cheap * small },
    { where: `on ${c.result.large} elements`, ok: reluBig * CRITERIA.cheap >= bigOthers },
  ];
  return [
    {
      id: 'relu-cheap',
      claim: 'ReLU is cheap to compute',
      experiment: 'cost',
      ...combine(parts),
      criterion: `held where ReLU's forward + backward time is within ${Math.round((CRITERIA.cheap - 1) * 100)}% of the fastest activation measured (${rows.map((r) => r.label).join(', ')})`,
      evidence: [
        ...rows.map((r) => `${r.label}: forward ${fmt(r.forwardMs)} ms + backward ${fmt(r.backwardMs)} ms on [${c.result.shape.join(', ')}]; ${fmt(r.forwardMeps)} / ${fmt(r.backwardMeps)} M elements/s; ${pct(r.share)} of a ${fmt(r.stepMs)} ms training step`),
      ],
      fromTiming: true,
    },
  ];
}

/** Every verdict the evidence supports. */
export function verdicts(e: Evidence): Verdict[] {
  return [
    ...(e.race ? raceVerdicts(e.race) : []),
    ...(e.gradients ? gradientVerdicts(e.gradients) : []),
    ...(e.propagation ? propagationVerdicts(e.propagation) : []),
    ...(e.dying ? dyingVerdicts(e.dying) : []),
    ...(e.batchnorm ? batchnormVerdicts(e.batchnorm) : []),
    ...(e.cost ? costVerdicts(e.cost) : []),
  ];
}
