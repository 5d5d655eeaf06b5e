/**
 * The HTML report: one self-contained page (inline CSS and SVG, no scripts, nothing fetched)
 * with the verdicts and the plots behind them.
 */
import { createModule, type ActivationChoice } from '../activation.js';
import { linspace } from '../../ops/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { GradientsResult, GradientsSettings } from '../experiments/gradients.js';
import type { PropagationResult, PropagationSettings } from '../experiments/propagation.js';
import { FIXED_POINT } from '../experiments/propagation.js';
import type { RaceResult, RaceSettings, VariantResult } from '../experiments/race.js';
import type { DyingResult, DyingSettings } from '../experiments/dying.js';
import type { CostResult } from '../experiments/cost.js';
import type { LabReport } from '../lab.js';
import { derivativeAt, type Histogram } from '../probes.js';
import { fmt, pct } from '../stats.js';
import type { Verdict } from '../verdicts.js';
import { meanCurve, smooth } from './ascii.js';
import { barChart, esc, histogramOverCurve, lineChart, PALETTE } from './svg.js';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
main{max-width:1180px;margin:0 auto;padding:18px 24px 60px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:34px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px;margin:20px 0 6px}
.meta{color:#555;font-size:13px}.meta code{font-size:12px}
table{border-collapse:collapse;margin:8px 0 14px;font-size:13px;background:#fff}th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}
.verdict{background:#fff;border:1px solid #ddd;border-left:6px solid #999;border-radius:4px;padding:8px 12px;margin:10px 0}
.verdict.held{border-left-color:#2ca02c}.verdict.no{border-left-color:#d62728}.verdict.cond{border-left-color:#ff9f1c}.verdict.inc{border-left-color:#888}
.badge{display:inline-block;font-weight:600;font-size:12px;padding:1px 8px;border-radius:10px;color:#fff;margin-right:6px}
.held .badge{background:#2ca02c}.no .badge{background:#d62728}.cond .badge{background:#e88b00}.inc .badge{background:#888}
.crit{color:#444;font-size:12.5px;margin:4px 0}.verdict ul{margin:4px 0 0 18px;padding:0;font-size:12.5px}
.charts{display:flex;flex-wrap:wrap;gap:10px}.chart{background:#fff;border:1px solid #e3e3e3}
.chart .title{font-size:13px;font-weight:600}.chart .title.small{font-size:11.5px}.chart .ax{font-size:10.5px;fill:#444}
.chart .grid{stroke:#eee}.chart .frame{fill:none;stroke:#bbb}.chart .ref{stroke:#999;stroke-dasharray:3 3}
.note{color:#555;font-size:12.5px}
`;

const CLASS: Record<Verdict['verdict'], string> = { held: 'held', 'did not hold': 'no', 'held only under a condition': 'cond', inconclusive: 'inc' };

function tableHtml(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
}

function verdictHtml(v: Verdict): string {
  return `<div class="verdict ${CLASS[v.verdict]}"><span class="badge">${esc(v.verdict)}</span><b>${esc(v.claim)}</b>${v.condition ? ` <i>(${esc(v.condition)})</i>` : ''}${v.undecided ? `<div class="crit">undecided: ${esc(v.undecided)}</div>` : ''}
<div class="crit"><b>criterion</b> (${esc(v.experiment)}${v.fromTiming ? ', from wall-clock times' : ''}): ${esc(v.criterion)}</div><ul>${v.evidence.map((e) => `<li>${esc(e)}</li>`).join('')}</ul></div>`;
}

function stepsCell(v: VariantResult, k: number): string {
  const s = v.summary.stepsTo[k]!;
  if (s.reached === 0) return `>${s.budget}`;
  return s.censored ? `≥${fmt(s.mean, 4)}` : fmt(s.mean, 4);
}

function raceHtml(title: string, s: RaceSettings, r: RaceResult): string {
  const out: string[] = [`<h2>${esc(title)}</h2>`];
  out.push(
    `<p class="note">SGD momentum ${s.momentum}, batch ${s.batch}, ${s.steps} steps, ${esc(s.init)} initialisation, seeds ${s.seeds.join(', ')}; ${s.sharedLr === null ? `each activation at its own best learning rate from the sweep ${s.lrs.join(', ')} (lowest final training loss on seed ${s.seeds[0]}, extended past a winning edge)` : `all at one shared learning rate ${s.sharedLr}`}. Steps to a running training accuracy (mean of the last ${s.window} mini-batches); &gt;N: not reached within the run.</p>`,
  );
  for (const net of r.nets) {
    out.push(`<h3>${esc(net.name)} network ${esc(net.layout)}</h3>`);
    out.push(
      tableHtml(
        ['activation', 'lr', ...s.targets.map((t) => `steps to ${pct(t, 0)}`), 'final train loss', 'test accuracy', 'diverged', 'ms/step'],
        net.variants.map((v) => [
          v.label,
          `${v.lr}${v.atEdge ? ` (${v.atEdge} edge)` : ''}`,
          ...s.targets.map((_, k) => stepsCell(v, k)),
          v.summary.finalLoss.mean === null ? '–' : `${fmt(v.summary.finalLoss.mean)} ± ${fmt(v.summary.finalLoss.sd)}`,
          v.summary.testAcc.mean === null ? '–' : `${pct(v.summary.testAcc.mean)} ± ${pct(v.summary.testAcc.sd)}`,
          String(v.summary.diverged),
          fmt(v.timing.msPerStep),
        ]),
      ),
    );
    const charts: string[] = [];
    charts.push(lineChart(net.variants.map((v) => ({ name: v.label, ys: smooth(meanCurve(v.runs.map((x) => x.loss)), s.window) })), { title: `training loss (mean over seeds, moving average of ${s.window})`, xLabel: 'step', yLabel: 'loss' }));
    charts.push(
      lineChart(
        net.variants.map((v) => ({ name: v.label, ys: smooth(meanCurve(v.runs.map((x) => x.acc)), s.window) })),
        { title: 'running training accuracy', xLabel: 'step', yLabel: 'accuracy', hlines: s.targets.map((t) => ({ y: t, label: pct(t, 0) })) },
      ),
    );
    if (s.sharedLr === null) {
      charts.push(
        lineChart(
          net.variants.map((v) => ({ name: v.label, xs: v.sweep.map((p) => p.lr), ys: v.sweep.map((p) => p.finalLoss) })),
          { title: `learning-rate sweep (seed ${s.seeds[0]}); missing points diverged`, xLabel: 'learning rate', yLabel: 'final train loss', logX: true, markers: true },
        ),
      );
    }
    out.push(`<div class="charts">${charts.join('')}</div>`);
  }
  return out.join('\n');
}

/** f and f' of an activation on a grid (evaluation mode). */
function curveOf(act: ActivationChoice, lo: number, hi: number): { xs: number[]; f: number[]; d: number[] } {
  const m = createModule(act);
  m.eval();
  const x = linspace(lo, hi, 161);
  const f = (m.forward as (t: Tensor) => Tensor)(x);
  const d = derivativeAt(m, x);
  const arr = (t: Tensor): number[] => Array.from(t.toTypedArray() as ArrayLike<number>);
  return { xs: arr(x), f: arr(f), d: arr(d) };
}

function gradientsHtml(s: GradientsSettings, r: GradientsResult): string {
  const out: string[] = ['<h2>gradients: vanishing gradients and saturation</h2>'];
  out.push(
    `<p class="note">${s.depth} hidden layers of ${s.width}, SGD lr ${s.lr} momentum ${s.momentum}, batch ${s.batch}; probed (evaluation mode, no update) on ${s.samples} training examples at steps ${r.probeSteps.join(', ')}; seeds ${s.seeds.join(', ')}. Layer 1 is the input side. Saturated: derivative below 1% of the activation's maximum but not zero; zero: derivative exactly 0.</p>`,
  );
  out.push(
    tableHtml(
      ['activation', 'init', 'signal ratio first/last @0', `@${s.steps}`, 'saturated @0', `saturated @${s.steps}`, 'zero-derivative @0', "mean f' @0"],
      r.cells.map((c) => {
        const p0 = c.probes[0]!;
        const pl = c.probes[c.probes.length - 1]!;
        const avg = (p: typeof p0, k: 'saturated' | 'zero' | 'meanDerivative'): number => p.layers.reduce((a, l) => a + l[k], 0) / p.layers.length;
        return [c.label, c.init, fmt(c.ratio[0]), fmt(c.ratio[c.ratio.length - 1]), pct(avg(p0, 'saturated')), pct(avg(pl, 'saturated')), pct(avg(p0, 'zero')), fmt(avg(p0, 'meanDerivative'))];
      }),
    ),
  );
  const layers = Array.from({ length: s.depth }, (_, i) => i + 1);
  for (const init of s.inits) {
    const cells = r.cells.filter((c) => c.init === init);
    out.push(`<h3>${esc(init)} initialisation</h3><div class="charts">`);
    const last = r.probeSteps.length - 1;
    out.push(lineChart(cells.map((c) => ({ name: c.label, xs: layers, ys: c.probes[0]!.layers.map((l) => l.deltaRms) })), { title: 'RMS of dL/dz per layer at initialisation', xLabel: 'hidden layer', logY: true, markers: true }));
    out.push(lineChart(cells.map((c) => ({ name: c.label, xs: layers, ys: c.probes[last]?.layers.map((l) => l.deltaRms) ?? [] })), { title: `RMS of dL/dz per layer after ${r.probeSteps[last]} steps`, xLabel: 'hidden layer', logY: true, markers: true }));
    out.push(lineChart(cells.map((c) => ({ name: c.label, xs: layers, ys: c.probes[0]!.layers.map((l) => l.gradNorm) })), { title: '||dL/dW|| per layer at initialisation', xLabel: 'hidden layer', logY: true, markers: true }));
    out.push(
      barChart(
        layers.map(String),
        cells.map((c) => ({ name: c.label, values: (c.probes[last] ?? c.probes[0]!).layers.map((l) => l.saturated + l.zero) })),
        { title: `units with tiny or zero derivative per layer after ${r.probeSteps[last]} steps`, xLabel: 'hidden layer', yMax: 1 },
      ),
    );
    out.push(lineChart(cells.map((c) => ({ name: c.label, xs: r.probeSteps, ys: c.ratio })), { title: 'first/last layer signal ratio during training', xLabel: 'step', logY: true, markers: true, hlines: [{ y: 0.1, label: 'vanishing below 0.1' }] }));
    out.push('</div>');
  }
  // Histograms of each activation's inputs over its curve: first, middle and last hidden layer, at initialisation and at the end.
  out.push(`<h3>where the inputs fall on each activation's curve (${esc(s.inits[0]!)} initialisation, seed ${s.seeds[0]})</h3>`);
  out.push('<p class="note">Bars: histogram of the activation\'s inputs z on the probe batch; black: f(z); red dashed: f\'(z), on the same axis (right).</p>');
  for (const c of r.cells.filter((x) => x.init === s.inits[0])) {
    const first = c.perSeed[0] ?? c.probes;
    const p0 = first[0];
    const pl = first[first.length - 1];
    if (!p0) continue;
    const figs: string[] = [];
    for (const [p, when] of [[p0, 'init'], [pl, `step ${pl?.step}`]] as const) {
      if (!p) continue;
      p.layers.forEach((l, i) => {
        if (!l.hist) return;
        const curve = curveOf(c.act, l.hist.lo, l.hist.hi);
        figs.push(histogramOverCurve(l.hist as Histogram, curve, { title: `${c.label}, layer ${i + 1}, ${when}` }));
      });
    }
    out.push(`<div class="charts">${figs.join('')}</div>`);
  }
  return out.join('\n');
}

function propagationHtml(s: PropagationSettings, r: PropagationResult): string {
  const out: string[] = ['<h2>propagation: activations through a deep network at initialisation</h2>'];
  out.push(
    `<p class="note">${s.depth} hidden layers of ${s.width}, ${s.samples} training examples (input mean ${fmt(r.input.mean)}, variance ${fmt(r.input.var)}), seeds ${s.seeds.join(', ')}. Near SELU's fixed point: over the second half of the layers, |mean| ≤ ${FIXED_POINT.mean} and variance in [${FIXED_POINT.varLow}, ${FIXED_POINT.varHigh}] on average, every layer within |mean| ≤ ${FIXED_POINT.looseMean} and variance in [${FIXED_POINT.looseVarLow}, ${FIXED_POINT.looseVarHigh}].</p>`,
  );
  out.push(
    tableHtml(
      ['activation', 'init', 'mean @1', 'variance @1', `mean @${s.depth}`, `variance @${s.depth}`, 'off-centre (|mean| / RMS, over layers)', 'near the fixed point'],
      r.cells.map((c) => [c.label, c.init, fmt(c.layers[0]!.actMean), fmt(c.layers[0]!.actVar), fmt(c.fixedPoint.lastMean), fmt(c.fixedPoint.lastVar), fmt(c.offCentre), c.fixedPoint.from === null ? 'no' : `from layer ${c.fixedPoint.from}${c.fixedPoint.holds ? '' : ' (late)'}`]),
    ),
  );
  const layers = Array.from({ length: s.depth }, (_, i) => i + 1);
  for (const init of s.inits) {
    const cells = r.cells.filter((c) => c.init === init);
    out.push(`<h3>${esc(init)} initialisation</h3><div class="charts">`);
    out.push(lineChart(cells.map((c) => ({ name: c.label, xs: layers, ys: c.layers.map((l) => l.actVar) })), { title: 'variance of outputs per layer', xLabel: 'hidden layer', logY: true, hlines: [{ y: 1, label: 'variance 1' }] }));
    out.push(lineChart(cells.map((c) => ({ name: c.label, xs: layers, ys: c.layers.map((l) => l.actMean) })), { title: 'mean of outputs per layer', xLabel: 'hidden layer', hlines: [{ y: 0, label: '0' }] }));
    out.push('</div>');
  }
  const selu = r.cells.filter((c) => c.label === 'selu');
  if (selu.length) {
    out.push('<h3>SELU under each initialisation</h3><div class="charts">');
    out.push(lineChart(selu.map((c, k) => ({ name: c.init, color: PALETTE[k], xs: layers, ys: c.layers.map((l) => l.actVar) })), { title: 'SELU: variance per layer', xLabel: 'hidden layer', logY: true, hlines: [{ y: 1, label: 'fixed point' }] }));
    out.push(lineChart(selu.map((c, k) => ({ name: c.init, color: PALETTE[k], xs: layers, ys: c.layers.map((l) => l.actMean) })), { title: 'SELU: mean per layer', xLabel: 'hidden layer', hlines: [{ y: 0, label: 'fixed point' }] }));
    const figs: string[] = [];
    for (const c of selu) {
      c.layers.forEach((l, i) => {
        if (l.hist && i === c.layers.length - 1) figs.push(histogramOverCurve(l.hist, curveOf(c.act, l.hist.lo, l.hist.hi), { title: `SELU inputs at layer ${i + 1}, ${c.init}` }));
      });
    }
    out.push(figs.join(''), '</div>');
  }
  return out.join('\n');
}

function dyingHtml(s: DyingSettings, r: DyingResult): string {
  const out: string[] = ['<h2>dying: dead units</h2>'];
  out.push(`<p class="note">Dead: derivative below 0.1% of the activation's maximum on all ${r.samples} training examples. SGD momentum ${s.momentum}, batch ${s.batch}, ${s.steps} steps, seeds ${s.seeds.join(', ')}. A run diverges when its loss becomes non-finite or exceeds ten times chance level.</p>`);
  for (const net of s.nets) {
    const cells = r.cells.filter((c) => c.net === net.name);
    out.push(`<h3>${esc(net.name)} network ${esc(r.layouts[net.name] ?? '')}</h3>`);
    out.push(tableHtml(['activation', 'lr', 'dead before', 'dead after', 'diverged seeds', 'test accuracy'], cells.map((c) => [c.label, String(c.lr), pct(c.deadBefore), c.deadAfter === null ? 'diverged' : pct(c.deadAfter), `${c.diverged}/${c.runs.length}`, c.testAcc === null ? '–' : pct(c.testAcc)])));
    const acts = [...new Set(cells.map((c) => c.label))];
    out.push(
      `<div class="charts">${barChart(
        s.lrs.map(String),
        acts.map((a) => ({ name: a, values: s.lrs.map((lr) => cells.find((c) => c.label === a && c.lr === lr)?.deadAfter ?? null) })),
        { title: 'dead fraction of hidden units after training (missing: diverged)', xLabel: 'learning rate', yMax: 1 },
      )}</div>`,
    );
  }
  return out.join('\n');
}

function costHtml(r: CostResult): string {
  const rows = r.timing.rows;
  return [
    '<h2>cost</h2>',
    `<p class="note">Wall-clock times on this machine (${esc(r.timing.backend)} backend): per call on [${r.shape.join(', ')}], throughput on ${r.large} elements, and a training step of the shallow network split into its parts.</p>`,
    tableHtml(
      ['activation', 'forward ms', 'backward ms', 'forward M elem/s', 'backward M elem/s', 'step ms', 'forward', 'backward', 'optimizer', 'data', 'other', 'activation share'],
      rows.map((x) => [x.label, fmt(x.forwardMs), fmt(x.backwardMs), fmt(x.forwardMeps), fmt(x.backwardMeps), fmt(x.stepMs), fmt(x.parts.forwardMs), fmt(x.parts.backwardMs), fmt(x.parts.optimizerMs), fmt(x.parts.dataMs), fmt(x.parts.otherMs), pct(x.share)]),
    ),
    `<div class="charts">${barChart(
      rows.map((x) => x.label),
      [
        { name: 'forward ms', values: rows.map((x) => x.forwardMs) },
        { name: 'backward ms', values: rows.map((x) => x.backwardMs) },
      ],
      { title: `activation time per call on [${r.shape.join(', ')}]`, yLabel: 'ms', width: 700 },
    )}</div>`,
  ].join('\n');
}

/** The whole page. */
export function reportHtml(rep: LabReport): string {
  const e = rep.experiments;
  const body: string[] = [];
  body.push(`<h1>paoding lab: ${esc(rep.experiment)}</h1>`);
  body.push(
    `<p class="meta"><code>${esc(rep.command)}</code><br>${esc(rep.dataset.description)}${rep.dataset.fallback ? `<br><b>${esc(rep.dataset.fallback)}</b>` : ''}<br>preset <b>${esc(rep.preset.name)}</b> (${esc(rep.preset.chosenBy)}) · paoding ${esc(rep.paoding)} · ${esc(rep.backend)} backend · ${rep.jobs} job(s) · ${esc(rep.timing.startedAt)} · wall time ${fmt(rep.timing.wallSeconds)} s</p>`,
  );
  if (rep.verdicts.length) {
    body.push('<h2>verdicts</h2><p class="note">Each verdict is computed from this run\'s numbers by the criterion shown with it.</p>');
    body.push(...rep.verdicts.map(verdictHtml));
  }
  if (e.race) body.push(raceHtml('race: convergence', e.race.settings, e.race.result));
  if (e.gradients) body.push(gradientsHtml(e.gradients.settings, e.gradients.result));
  if (e.propagation) body.push(propagationHtml(e.propagation.settings, e.propagation.result));
  if (e.dying) body.push(dyingHtml(e.dying.settings, e.dying.result));
  if (e.batchnorm) body.push(raceHtml('batchnorm: ELU against batch normalisation', e.batchnorm.settings, e.batchnorm.result));
  if (e.cost) body.push(costHtml(e.cost.result));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>paoding lab: ${esc(rep.experiment)}</title><style>${CSS}</style></head>
<body><main>
${body.join('\n')}
</main></body></html>
`;
}
