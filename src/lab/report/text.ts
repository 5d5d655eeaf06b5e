/** The terminal report: tables, charts and verdicts of a lab run. */
import type { CostResult } from '../experiments/cost.js';
import type { DyingResult, DyingSettings } from '../experiments/dying.js';
import type { GradientsResult, GradientsSettings } from '../experiments/gradients.js';
import type { PropagationResult, PropagationSettings } from '../experiments/propagation.js';
import type { RaceResult, RaceSettings, VariantResult } from '../experiments/race.js';
import type { LabReport } from '../lab.js';
import { fmt, pct } from '../stats.js';
import type { Verdict } from '../verdicts.js';
import { bars, lineChart, meanCurve, smooth, table } from './ascii.js';

const MARK: Record<Verdict['verdict'], string> = { held: '✔ held', 'did not hold': '✘ did not hold', 'held only under a condition': '◐ held only', inconclusive: '? inconclusive' };

function steps(v: VariantResult, k: number): string {
  const s = v.summary.stepsTo[k]!;
  if (s.reached === 0) return `>${s.budget}`;
  if (s.censored) return `≥${fmt(s.mean, 4)}`;
  return fmt(s.mean, 4);
}

function pm(mean: number | null, sd: number | null, f: (v: number) => string): string {
  if (mean === null) return '–';
  return sd ? `${f(mean)} ± ${f(sd)}` : f(mean);
}

export function raceText(title: string, s: RaceSettings, r: RaceResult, charts: boolean): string {
  const out: string[] = [];
  const mode = s.sharedLr === null ? `lr swept over ${s.lrs.join(', ')} on seed ${s.seeds[0]}` : `one shared lr ${s.sharedLr}`;
  out.push(`${title}: SGD momentum ${s.momentum}, batch ${s.batch}, ${s.steps} steps, ${s.init} init, seeds ${s.seeds.join(', ')}, ${mode}`);
  out.push(`  steps to a running training accuracy (mean of the last ${s.window} batches); '>N': not within the run, '≥': some seeds not within it`);
  for (const net of r.nets) {
    out.push('', `  ${net.name} net ${net.layout}`);
    const header = ['activation', 'lr', ...(s.sharedLr === null ? ['sweep: final loss by lr'] : []), ...s.targets.map((t) => `→${pct(t, 0)}`), 'final loss', 'test acc', 'ms/step'];
    const rows = net.variants.map((v) => [
      v.label,
      `${v.lr}${v.atEdge ? (v.atEdge === 'high' ? '↑' : '↓') : ''}`,
      ...(s.sharedLr === null ? [v.sweep.map((p) => `${p.lr}:${p.finalLoss === null ? 'div' : fmt(p.finalLoss)}`).join(' ')] : []),
      ...s.targets.map((_, k) => steps(v, k)),
      pm(v.summary.finalLoss.mean, v.summary.finalLoss.sd, (x) => fmt(x)),
      pm(v.summary.testAcc.mean, v.summary.testAcc.sd, (x) => pct(x)),
      fmt(v.timing.msPerStep),
    ]);
    out.push(table(header, rows));
    if (net.variants.some((v) => v.atEdge)) out.push('  ↑/↓: the best rate is still at the top/bottom edge of the grid after extending it; a better one may lie beyond');
    if (charts) {
      out.push('');
      out.push(
        lineChart(
          net.variants.map((v) => ({ name: v.label, ys: smooth(meanCurve(v.runs.map((x) => x.loss)), s.window) })),
          { title: `training loss (mean over seeds, moving average of ${s.window}), ${net.name} net`, xLabel: 'step', height: 10 },
        ),
      );
    }
  }
  return out.join('\n');
}

export function gradientsText(s: GradientsSettings, r: GradientsResult, charts: boolean): string {
  const out: string[] = [];
  out.push(`gradients: ${s.depth} hidden layers of ${s.width}, SGD lr ${s.lr} momentum ${s.momentum}, batch ${s.batch}, probed on ${s.samples} training examples at steps ${r.probeSteps.join(', ')}; seeds ${s.seeds.join(', ')}`);
  out.push('  ratio: RMS of dL/dz at the first hidden layer / at the last (input side against output side); <0.1: vanishing');
  out.push('  saturated: derivative below 1% of its maximum but not 0; zero: derivative exactly 0; mean f\': mean derivative over units and examples');
  const header = ['activation', 'init', 'ratio@0', `ratio@${s.steps}`, 'saturated@0', `saturated@${s.steps}`, 'zero@0', "mean f'@0", 'final loss'];
  const rows = r.cells.map((c) => {
    const p0 = c.probes[0]!;
    const pl = c.probes[c.probes.length - 1]!;
    const avg = (p: typeof p0, k: 'saturated' | 'zero' | 'meanDerivative'): number => p.layers.reduce((a, l) => a + l[k], 0) / p.layers.length;
    const fl = c.finalLoss.filter((v): v is number => v !== null);
    return [
      c.label,
      c.init,
      fmt(c.ratio[0]),
      c.probes.length === r.probeSteps.length ? fmt(c.ratio[c.ratio.length - 1]) : 'div',
      pct(avg(p0, 'saturated')),
      pct(avg(pl, 'saturated')),
      pct(avg(p0, 'zero')),
      fmt(avg(p0, 'meanDerivative')),
      fl.length ? fmt(fl.reduce((a, b) => a + b, 0) / fl.length) : 'div',
    ];
  });
  out.push(table(header, rows));
  out.push('', '  where the derivative is tiny (below 1% of its maximum):');
  out.push(
    table(
      ['activation', "max f'", 'tiny for x <', 'tiny for x >', "f'(±5)/max"],
      Object.entries(r.profiles).map(([k, p]) => [k, fmt(p.max), p.tinyBelow === null ? 'nowhere' : `${fmt(p.tinyBelow)}${p.zeroBelow ? ' (0)' : ''}`, p.tinyAbove === null ? 'nowhere' : `${fmt(p.tinyAbove)}${p.zeroAbove ? ' (0)' : ''}`, `${pct(p.at5[0])} / ${pct(p.at5[1])}`]),
    ),
  );
  if (charts) {
    const init = s.inits[0]!;
    out.push('', `  RMS of dL/dz per hidden layer at initialisation (${init} init), layer 1 = input side:`);
    for (const c of r.cells.filter((x) => x.init === init)) {
      out.push(`  ${c.label}`);
      out.push(bars(c.probes[0]!.layers.map((l, i) => ({ label: `  ${i + 1}`, value: l.deltaRms, text: fmt(l.deltaRms) })), { logY: true, width: 36 }));
    }
  }
  return out.join('\n');
}

export function dyingText(s: DyingSettings, r: DyingResult): string {
  const out: string[] = [];
  out.push(`dying: ${Object.entries(r.layouts).map(([k, v]) => `${k} ${v}`).join(', ')}, SGD momentum ${s.momentum}, batch ${s.batch}, ${s.steps} steps, ${s.init} init, seeds ${s.seeds.join(', ')}`);
  out.push(`  dead: derivative below 0.1% of its maximum on all ${r.samples} training examples; 'div': the run diverged`);
  const lrs = s.lrs;
  for (const net of s.nets) {
    const header = ['activation', ...lrs.map((lr) => `lr ${lr}: dead before→after`), ...lrs.map((lr) => `test@${lr}`)];
    const acts = [...new Set(r.cells.filter((c) => c.net === net.name).map((c) => c.label))];
    const rows = acts.map((a) => {
      const cs = lrs.map((lr) => r.cells.find((c) => c.net === net.name && c.label === a && c.lr === lr)!);
      return [
        a,
        ...cs.map((c) => `${pct(c.deadBefore)}→${c.deadAfter === null ? 'div' : pct(c.deadAfter)}${c.diverged && c.deadAfter !== null ? ` (${c.diverged} div)` : ''}`),
        ...cs.map((c) => (c.testAcc === null ? 'div' : pct(c.testAcc))),
      ];
    });
    out.push('', `  ${net.name} net`, table(header, rows));
  }
  return out.join('\n');
}

export function propagationText(s: PropagationSettings, r: PropagationResult, charts: boolean): string {
  const out: string[] = [];
  out.push(`propagation: ${s.depth} hidden layers of ${s.width} at initialisation, ${s.samples} training examples (input mean ${fmt(r.input.mean)}, variance ${fmt(r.input.var)}), seeds ${s.seeds.join(', ')}`);
  out.push('  fixed point: over the second half of the layers, mean within ±0.1 and variance in [0.75, 1.33] on average, each layer within ±0.25 and [0.5, 2]; "from": the layer from which every later layer stays within that band');
  out.push('  off-centre: |mean| / RMS of the outputs, averaged over layers (0: zero-centred; 1: all equal)');
  const header = ['activation', 'init', 'mean@1', 'var@1', `mean@${s.depth}`, `var@${s.depth}`, 'off-centre', 'fixed point'];
  const rows = r.cells.map((c) => [
    c.label,
    c.init,
    fmt(c.layers[0]!.actMean),
    fmt(c.layers[0]!.actVar),
    fmt(c.fixedPoint.lastMean),
    fmt(c.fixedPoint.lastVar),
    fmt(c.offCentre),
    c.fixedPoint.holds ? `holds from ${c.fixedPoint.from}` : c.fixedPoint.from ? `from ${c.fixedPoint.from} only` : 'no',
  ]);
  out.push(table(header, rows));
  if (charts) {
    const selu = r.cells.filter((c) => c.label === 'selu');
    if (selu.length) {
      out.push('');
      out.push(lineChart(selu.map((c) => ({ name: `selu ${c.init}`, ys: c.layers.map((l) => l.actVar) })), { title: 'variance of SELU outputs per layer', xLabel: 'layer', logY: true, height: 10, xs: [1, s.depth] }));
    }
    const init = s.inits.includes('lecun') ? 'lecun' : s.inits[0]!;
    const cells = r.cells.filter((c) => c.init === init);
    out.push('');
    out.push(lineChart(cells.map((c) => ({ name: c.label, ys: c.layers.map((l) => l.actVar) })), { title: `variance of outputs per layer, ${init} init`, xLabel: 'layer', logY: true, height: 10, xs: [1, s.depth] }));
  }
  return out.join('\n');
}

export function costText(r: CostResult): string {
  const out: string[] = [];
  const rows = r.timing.rows;
  out.push(`cost (${r.timing.backend} backend): per call on [${r.shape.join(', ')}], throughput on ${r.large} elements, training step of the shallow net`);
  out.push(
    table(
      ['activation', 'fwd ms', 'bwd ms', 'fwd Melem/s', 'bwd Melem/s', 'step ms', 'forward', 'backward', 'optimizer', 'data', 'other', 'act share'],
      rows.map((x) => [x.label, fmt(x.forwardMs), fmt(x.backwardMs), fmt(x.forwardMeps), fmt(x.backwardMeps), fmt(x.stepMs), fmt(x.parts.forwardMs), fmt(x.parts.backwardMs), fmt(x.parts.optimizerMs), fmt(x.parts.dataMs), fmt(x.parts.otherMs), pct(x.share)]),
    ),
  );
  return out.join('\n');
}

export function verdictsText(vs: readonly Verdict[]): string {
  if (!vs.length) return '';
  const out: string[] = ['verdicts (computed from the numbers above; criteria stated):'];
  for (const v of vs) {
    out.push('', `  ${MARK[v.verdict]}${v.condition ? ` (${v.condition})` : ''}: ${v.claim}`);
    if (v.undecided) out.push(`    undecided: ${v.undecided}`);
    out.push(`    criterion: ${v.criterion}`);
    for (const e of v.evidence) out.push(`    · ${e}`);
  }
  return out.join('\n');
}

/** The whole terminal report. */
export function reportText(rep: LabReport, charts = true): string {
  const parts: string[] = [];
  const e = rep.experiments;
  if (e.race) parts.push(raceText('race', e.race.settings, e.race.result, charts));
  if (e.gradients) parts.push(gradientsText(e.gradients.settings, e.gradients.result, charts));
  if (e.propagation) parts.push(propagationText(e.propagation.settings, e.propagation.result, charts));
  if (e.dying) parts.push(dyingText(e.dying.settings, e.dying.result));
  if (e.batchnorm) parts.push(raceText('batchnorm', e.batchnorm.settings, e.batchnorm.result, charts));
  if (e.cost) parts.push(costText(e.cost.result));
  parts.push(verdictsText(rep.verdicts));
  return parts.filter((p) => p).join('\n\n');
}
