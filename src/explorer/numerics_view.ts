/** The "Numerics" view: float32 against float64, naive against stable, and special values. */
import type { App } from './app.js';
import { entry } from './catalogue.js';
import { formatNumber } from './compute.js';
import { activationOptions } from './curves_view.js';
import { h, replace, svg } from './dom.js';
import { errorProfile, SPECIAL_INPUTS, specialValues, type ErrorProfile, type SpecialValue } from './numerics.js';
import { renderPlot, type Line } from './plot.js';
import { paramsOf } from './state.js';

/** Points of the error profile. */
export const NUMERIC_POINTS = 801;

const SERIES_STYLE: Record<string, { color: string; style: Line['style'] }> = {
  paoding32: { color: '#0072B2', style: 'solid' },
  formula32: { color: '#009E73', style: 'dashed' },
  naive64: { color: '#CC79A7', style: 'solid' },
  naive32: { color: '#D55E00', style: 'solid' },
};

const FLOOR = 1e-18;

export class NumericsView {
  profile: ErrorProfile | undefined;
  specials: Record<string, SpecialValue[] | string> = {};
  private readonly sidebar = h('aside', { class: 'sidebar', 'aria-label': 'Numerics options' });
  private readonly main = h('div', { class: 'plots' });
  private readonly fig = svg({ id: 'plot-error' });
  private readonly summary = h('div', { id: 'num-summary' });
  private readonly naive = h('div', { id: 'num-naive' });
  private readonly table = h('table', { class: 'specials', id: 'specials' });
  private readonly legend = h('ul', { class: 'legend' });

  constructor(
    private readonly app: App,
    root: HTMLElement,
  ) {
    root.append(h('div', { class: 'layout' }, this.sidebar, this.main));
    replace(
      this.main,
      h('h2', { class: 'view-title' }, 'Relative error against paoding’s float64 result'),
      this.legend,
      h('figure', {}, h('figcaption', {}, 'relative error (log scale); below the dotted lines: float32’s and float64’s half-ulp'), this.fig),
      this.summary,
      this.naive,
      h('h2', { class: 'view-title' }, 'NaN, infinities and signed zeros, at a glance'),
      h('p', { class: 'hint' }, 'float32, through the library; f′ by autograd. Each cell reads f(x) / f′(x).'),
      h('div', { class: 'table-wrap' }, this.table),
    );
  }

  build(): void {
    const s = this.app.state;
    const pick = h(
      'select',
      {
        id: 'num-act',
        onchange: () => {
          const id = pick.value;
          if (!s.acts.includes(id)) s.acts.push(id);
          s.focus = id;
          this.app.commit({ rebuild: true });
        },
      },
      ...activationOptions(() => true, s.focus),
    );
    const lo = h('input', { type: 'number', id: 'num-lo', value: String(s.nlo), step: '1', inputmode: 'decimal' });
    const hi = h('input', { type: 'number', id: 'num-hi', value: String(s.nhi), step: '1', inputmode: 'decimal' });
    const onRange = () => {
      const a = Number(lo.value);
      const b = Number(hi.value);
      if (lo.value !== '' && hi.value !== '' && Number.isFinite(a) && Number.isFinite(b) && b > a) {
        s.nlo = a;
        s.nhi = b;
        this.app.commit();
      }
    };
    lo.addEventListener('change', onRange);
    hi.addEventListener('change', onRange);
    const e = entry(s.focus);
    replace(
      this.sidebar,
      h('div', { class: 'ctl' }, h('label', { for: 'num-act' }, 'Activation'), pick, h('small', { class: 'doc' }, 'Its parameters are set in the Curves view.')),
      h('div', { class: 'range-row' }, h('label', { for: 'num-lo' }, 'x from'), lo, h('label', { for: 'num-hi' }, 'to'), hi),
      h('p', { class: 'formula' }, h('code', {}, e.formula)),
      h(
        'div',
        { class: 'explain' },
        h('p', {}, h('strong', {}, 'paoding float32'), ': the library in float32. Its kernels compute in float64 and round once, so this stays within half an ulp of float32 (2⁻²⁴ ≈ 6e−8), except where a parameter or constant rounded to float32 (as PyTorch rounds it) moves the result: GELU’s 1/√2 in its far tail, a leaky slope of 0.01.'),
        h('p', {}, h('strong', {}, 'declared formula, op by op'), ': the same formula with every operation rounded to float32, as a kernel that rounds each step would compute it.'),
        h('p', {}, h('strong', {}, 'naive formula'), ': the textbook formula, where it differs from the stable form paoding uses (softplus, logsigmoid, GELU’s tail, ELU near 0, ...), in float64 and op by op in float32.'),
        h('p', {}, 'Errors are relative, measured absolutely below the smallest normal number of the dtype (an underflow to 0 is not an error).'),
      ),
    );
  }

  render(): void {
    const s = this.app.state;
    const e = entry(s.focus);
    const values = paramsOf(s, e.id);
    const p = errorProfile(e, values, s.nlo, s.nhi, NUMERIC_POINTS);
    this.profile = p;
    const lines: Line[] = p.series.map((sr) => ({
      label: sr.label,
      color: SERIES_STYLE[sr.key]!.color,
      style: SERIES_STYLE[sr.key]!.style,
      x: p.x,
      y: sr.rel.map((r) => (Number.isFinite(r) ? Math.max(r, FLOOR) : 10)),
      width: sr.key === 'formula32' ? 1.5 : 2,
    }));
    const width = Math.max(260, Math.floor(this.main.clientWidth || 600));
    renderPlot(this.fig, {
      title: `relative error of ${e.module}: ${p.series.map((sr) => `${sr.label} up to ${formatNumber(sr.max, 2)}`).join('; ')}`,
      width,
      height: width < 520 ? 240 : 300,
      x: [s.nlo, s.nhi],
      y: [-18.6, 1],
      logY: true,
      lines,
      hlines: [
        { y: 2 ** -24, color: '#0072B2', label: 'float32 half-ulp, 2⁻²⁴' },
        { y: 2 ** -53, color: '#CC79A7', label: 'float64 half-ulp, 2⁻⁵³' },
      ],
      xLabel: 'x',
    });
    replace(this.legend, ...p.series.map((sr) => h('li', {}, h('span', { class: `key ${SERIES_STYLE[sr.key]!.style === 'dashed' ? 'dashed' : ''}`, style: `--c: ${SERIES_STYLE[sr.key]!.color}`, 'aria-hidden': 'true' }), sr.label)));
    if (p.error !== undefined) replace(this.summary, h('p', { class: 'error', role: 'alert' }, p.error));
    else {
      replace(
        this.summary,
        h(
          'table',
          { class: 'summary', id: 'num-max' },
          h('caption', {}, `Largest relative error of ${e.module} on [${formatNumber(s.nlo)}, ${formatNumber(s.nhi)}]`),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'computed as'), h('th', { scope: 'col' }, 'max error'), h('th', { scope: 'col' }, 'at x'))),
          h('tbody', {}, ...p.series.map((sr) => h('tr', { 'data-series': sr.key }, h('th', { scope: 'row' }, sr.label), h('td', {}, sr.max === 0 ? '0 (exact)' : formatNumber(sr.max, 3)), h('td', {}, sr.max === 0 ? '–' : formatNumber(p.x[sr.argmax]!, 5))))),
        ),
      );
    }
    replace(
      this.naive,
      p.naive
        ? h('div', { class: 'naive' }, h('p', {}, h('strong', {}, 'Naive: '), h('code', {}, p.naive.text)), h('p', {}, p.naive.why))
        : h('p', { class: 'hint' }, `${e.module} has no separate naive formula here: its declared formula is the textbook one, or it is not elementwise.`),
    );
    this.renderSpecials();
  }

  private renderSpecials(): void {
    const s = this.app.state;
    const ids = s.acts.includes(s.focus) ? s.acts : [s.focus, ...s.acts];
    this.specials = {};
    const head = h('tr', {}, h('th', { scope: 'col' }, 'x'), ...SPECIAL_INPUTS.map((x) => h('th', { scope: 'col' }, formatNumber(x))));
    const rows = ids.map((id) => {
      const e = entry(id);
      const sv = specialValues(e, paramsOf(s, id));
      this.specials[id] = sv;
      if (typeof sv === 'string') return h('tr', {}, h('th', { scope: 'row' }, e.module), h('td', { colspan: String(SPECIAL_INPUTS.length) }, sv));
      return h(
        'tr',
        { 'data-id': id },
        h('th', { scope: 'row' }, e.module),
        ...sv.map((v) => h('td', { class: Number.isNaN(v.y) ? 'nan' : '' }, h('span', { class: 'fy' }, formatNumber(v.y, 5)), ' / ', h('span', { class: 'fdy' }, formatNumber(v.dy, 5)))),
      );
    });
    replace(this.table, h('caption', {}, 'f(x) / f′(x) at special inputs (float32)'), h('thead', {}, head), h('tbody', {}, ...rows));
  }
}
