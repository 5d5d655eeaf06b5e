/**
 * The rules of thumb, checked against measured runs: "start with ReLU and tune the learning
 * rate, then try Leaky ReLU or ELU, try tanh without much hope, never use sigmoid". Each rule is
 * decided from race results (and the dying and batchnorm experiments where they add evidence)
 * by an explicit criterion, like the lab's verdicts.
 */
import type { DyingResult } from './experiments/dying.js';
import type { RaceResult, RaceSettings, VariantResult } from './experiments/race.js';
import { fmt, pct } from './stats.js';
import { primaryTarget } from './verdicts.js';

export type RuleVerdict = 'supported' | 'partly supported' | 'not supported' | 'no evidence';

export interface Rule {
  id: string;
  rule: string;
  verdict: RuleVerdict;
  /** Where it held, for 'partly supported'. */
  where?: string;
  criterion: string;
  evidence: string[];
  /** Which report the evidence came from. */
  source: string;
}

export const RULE_CRITERIA = {
  /** "as good": test accuracy within 1 point of the best, and steps within 1.5x of the fastest. */
  accTolerance: 0.01,
  stepsTolerance: 1.5,
  /** "the rate matters": the worst swept rate's final loss at least 1.2x the best's, or diverged. */
  lrSpread: 1.2,
  /** "helps": at least 0.5 point more test accuracy, or at most 0.8x the steps. */
  gainAcc: 0.005,
  gainSteps: 0.8,
  /** "fails": test accuracy within 5 points of chance. */
  failMargin: 0.05,
} as const;

interface NetView {
  name: string;
  layout: string;
  variants: VariantResult[];
  k: number;
  target: number;
}

function views(race: { settings: RaceSettings; result: RaceResult }): NetView[] {
  const out: NetView[] = [];
  for (const net of race.result.nets) {
    const variants = net.variants.filter((v) => !v.batchnorm);
    const relu = variants.find((v) => v.act.label === 'relu');
    const k = relu ? primaryTarget(race.settings.targets, relu) : 0;
    out.push({ name: net.name, layout: net.layout, variants, k, target: race.settings.targets[k]! });
  }
  return out;
}

/** Steps to the net's primary target, the budget when not reached. */
function stepsOf(v: VariantResult, k: number): number {
  return v.summary.stepsTo[k]!.mean;
}

function acc(v: VariantResult): number {
  return v.summary.testAcc.mean ?? 0;
}

function decide(parts: { where: string; ok: boolean }[]): { verdict: RuleVerdict; where?: string } {
  if (!parts.length) return { verdict: 'no evidence' };
  const yes = parts.filter((p) => p.ok);
  if (yes.length === parts.length) return { verdict: 'supported' };
  if (yes.length === 0) return { verdict: 'not supported' };
  return { verdict: 'partly supported', where: yes.map((p) => p.where).join('; ') };
}

function line(v: VariantResult, k: number, target: number): string {
  const s = v.summary.stepsTo[k]!;
  const st = s.reached === 0 ? `> ${s.budget}` : s.censored ? `≥ ${fmt(s.mean, 4)}` : fmt(s.mean, 4);
  return `${v.label}: ${st} steps to ${pct(target, 0)}, test ${pct(v.summary.testAcc.mean)} (lr ${v.lr})`;
}

/** Check the rules against a race (and optionally dying) result. */
export function checkRules(race: { settings: RaceSettings; result: RaceResult } | undefined, dying?: { result: DyingResult }, source = 'race', classes = 10): Rule[] {
  const rules: Rule[] = [];
  const nets = race ? views(race) : [];
  const chance = 1 / classes;
  const none = (id: string, rule: string, criterion: string): Rule => ({ id, rule, verdict: 'no evidence', criterion, evidence: ['the race did not include the activations this rule needs'], source });

  // 1. Start with ReLU.
  {
    const crit = `ReLU's test accuracy is within ${RULE_CRITERIA.accTolerance * 100} point of the best activation's and its steps to the target within ${RULE_CRITERIA.stepsTolerance}x the fastest's, on each network (each at its own best rate)`;
    const parts: { where: string; ok: boolean }[] = [];
    const evidence: string[] = [];
    for (const n of nets) {
      const relu = n.variants.find((v) => v.act.label === 'relu');
      if (!relu || n.variants.length < 2) continue;
      const bestAcc = Math.max(...n.variants.map(acc));
      const fastest = Math.min(...n.variants.map((v) => stepsOf(v, n.k)));
      const ok = acc(relu) >= bestAcc - RULE_CRITERIA.accTolerance && stepsOf(relu, n.k) <= RULE_CRITERIA.stepsTolerance * fastest;
      parts.push({ where: `${n.name} net`, ok });
      const best = n.variants.reduce((a, b) => (acc(b) > acc(a) ? b : a));
      evidence.push(`${n.name} (${n.layout}): ${line(relu, n.k, n.target)}; best ${line(best, n.k, n.target)}`);
    }
    rules.push(parts.length ? { id: 'start-relu', rule: 'Start with ReLU', ...decide(parts), criterion: crit, evidence, source } : none('start-relu', 'Start with ReLU', crit));
  }

  // 2. Tune the learning rate.
  {
    const crit = `in each network's sweep, ReLU's worst learning rate gives at least ${RULE_CRITERIA.lrSpread}x the final training loss of its best (or diverges): the rate matters`;
    const parts: { where: string; ok: boolean }[] = [];
    const evidence: string[] = [];
    for (const n of nets) {
      const relu = n.variants.find((v) => v.act.label === 'relu');
      if (!relu || relu.sweep.length < 2) continue;
      const losses = relu.sweep.map((p) => p.finalLoss ?? Infinity);
      const best = Math.min(...losses);
      const worst = Math.max(...losses);
      parts.push({ where: `${n.name} net`, ok: worst >= RULE_CRITERIA.lrSpread * best });
      const bests = n.variants.map((v) => `${v.label} ${v.lr}`).join(', ');
      evidence.push(`${n.name}: ReLU's final loss by rate ${relu.sweep.map((p) => `${p.lr}: ${p.finalLoss === null ? 'diverged' : fmt(p.finalLoss)}`).join(', ')}; best rates ${bests}`);
    }
    rules.push(parts.length ? { id: 'tune-lr', rule: 'Tune the learning rate', ...decide(parts), criterion: crit, evidence, source } : { ...none('tune-lr', 'Tune the learning rate', crit), evidence: ['no learning-rate sweep in the evidence (the race ran at one shared rate)'] });
  }

  // 3. Then try Leaky ReLU or ELU.
  {
    const crit = `Leaky ReLU or ELU gains on ReLU on a network: at least ${RULE_CRITERIA.gainAcc * 100} point more test accuracy or at most ${RULE_CRITERIA.gainSteps}x its steps to the target${dying ? '; and (dying experiment) they keep units alive where ReLU loses them' : ''}`;
    const parts: { where: string; ok: boolean }[] = [];
    const evidence: string[] = [];
    for (const n of nets) {
      const relu = n.variants.find((v) => v.act.label === 'relu');
      if (!relu) continue;
      for (const id of ['leaky_relu', 'elu']) {
        const v = n.variants.find((x) => x.act.label === id);
        if (!v) continue;
        const ok = acc(v) >= acc(relu) + RULE_CRITERIA.gainAcc || stepsOf(v, n.k) <= RULE_CRITERIA.gainSteps * stepsOf(relu, n.k);
        parts.push({ where: `${id} on the ${n.name} net`, ok });
        evidence.push(`${n.name}: ${line(v, n.k, n.target)} vs ${line(relu, n.k, n.target)}`);
      }
    }
    if (dying) {
      for (const c of dying.result.cells.filter((x) => x.act.label === 'relu' && x.deadAfter !== null && x.deadAfter >= 0.01)) {
        const fixes = dying.result.cells.filter((x) => (x.act.label === 'leaky_relu' || x.act.label === 'elu') && x.lr === c.lr && x.net === c.net);
        for (const f of fixes) {
          parts.push({ where: `${f.label} against dead units at lr ${f.lr}`, ok: f.deadAfter !== null && f.deadAfter < c.deadAfter! });
          evidence.push(`dying, lr ${c.lr}: ReLU ${pct(c.deadAfter)} dead, ${f.label} ${f.deadAfter === null ? 'diverged' : `${pct(f.deadAfter)} dead`}`);
        }
      }
    }
    const d = decide(parts);
    // Trying something is good advice when it helps somewhere: 'partly' means worth trying.
    rules.push(parts.length ? { id: 'try-leaky-elu', rule: 'Then try Leaky ReLU or ELU', ...d, criterion: crit, evidence, source } : none('try-leaky-elu', 'Then try Leaky ReLU or ELU', crit));
  }

  // 4. Try tanh without much hope.
  {
    const crit = `tanh does worse than ReLU on a network: at least ${RULE_CRITERIA.gainAcc * 100} point less test accuracy, or at least ${(1 / RULE_CRITERIA.gainSteps).toFixed(2)}x its steps to the target`;
    const parts: { where: string; ok: boolean }[] = [];
    const evidence: string[] = [];
    for (const n of nets) {
      const relu = n.variants.find((v) => v.act.label === 'relu');
      const tanh = n.variants.find((v) => v.act.label === 'tanh');
      if (!relu || !tanh) continue;
      const ok = acc(tanh) <= acc(relu) - RULE_CRITERIA.gainAcc || stepsOf(tanh, n.k) * RULE_CRITERIA.gainSteps >= stepsOf(relu, n.k);
      parts.push({ where: `${n.name} net`, ok });
      evidence.push(`${n.name}: ${line(tanh, n.k, n.target)} vs ${line(relu, n.k, n.target)}`);
    }
    rules.push(parts.length ? { id: 'tanh-no-hope', rule: 'Try tanh without much hope', ...decide(parts), criterion: crit, evidence, source } : none('tanh-no-hope', 'Try tanh without much hope', crit));
  }

  // 5. Never use sigmoid.
  {
    const crit = `sigmoid has the lowest test accuracy of the activations raced, or fails to learn (test accuracy within ${RULE_CRITERIA.failMargin * 100} points of chance), on each network`;
    const parts: { where: string; ok: boolean }[] = [];
    const evidence: string[] = [];
    for (const n of nets) {
      const sig = n.variants.find((v) => v.act.label === 'sigmoid');
      if (!sig || n.variants.length < 2) continue;
      const worst = Math.min(...n.variants.map(acc));
      const fails = acc(sig) <= chance + RULE_CRITERIA.failMargin;
      parts.push({ where: `${n.name} net`, ok: acc(sig) <= worst + 1e-12 || fails });
      evidence.push(`${n.name}: ${line(sig, n.k, n.target)}${fails ? ' (no better than chance)' : ''}; worst test accuracy of all ${pct(worst)}`);
    }
    rules.push(parts.length ? { id: 'never-sigmoid', rule: 'Never use sigmoid (in hidden layers)', ...decide(parts), criterion: crit, evidence, source } : none('never-sigmoid', 'Never use sigmoid (in hidden layers)', crit));
  }
  return rules;
}

const MARK: Record<RuleVerdict, string> = { supported: '✔ supported', 'partly supported': '◐ partly supported', 'not supported': '✘ not supported', 'no evidence': '? no evidence' };

export function rulesText(rules: readonly Rule[]): string {
  const out: string[] = [];
  for (const r of rules) {
    out.push(`${MARK[r.verdict]}${r.where ? ` (${r.where})` : ''}: ${r.rule}`);
    out.push(`  criterion: ${r.criterion}`);
    for (const e of r.evidence) out.push(`  · ${e}`);
    out.push('');
  }
  return out.join('\n');
}
