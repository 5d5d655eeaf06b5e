/** The "Curves" view: f, f', f'' of the selected activations, their controls and variants. */
import { POINTS, type App } from './app.js';
import { catalogue, entry, GROUPS, properties, variant, variantsOf, type Entry } from './catalogue.js';
import { activationCurve, curve, formatNumber, nearest, regions, type Curve } from './compute.js';
import { paramControls } from './controls.js';
import { byId, h, replace, svg } from './dom.js';
import { renderPlot, type Band, type Line, type Mark } from './plot.js';
import { paramsOf } from './state.js';

/** Options of the activation pickers, grouped as the catalogue is. */
export function activationOptions(filter: (e: Entry) => boolean, selected?: string): HTMLOptGroupElement[] {
  const all = catalogue().filter(filter);
  const groups = new Map<string, Entry[]>();
  for (const [name] of GROUPS) groups.set(name, []);
  for (const e of all) {
    if (!groups.has(e.group)) groups.set(e.group, []);
    groups.get(e.group)!.push(e);
  }
  return [...groups]
    .filter(([, es]) => es.length > 0)
    .map(([name, es]) => h('optgroup', { label: name }, ...es.map((e) => h('option', { value: e.id, selected: e.id === selected }, `${e.module} (${e.id})`))));
}

function propertyList(e: Entry, values: Record<string, unknown>): HTMLElement {
  const p = properties(e, values as never);
  const range = p.range ? `[${formatNumber(p.range[0], 4)}, ${formatNumber(p.range[1], 4)}]` : 'depends on the parameters';
  const rows: [string, string][] = [
    ['range', range],
    ['monotonic', p.monotonic === undefined ? '?' : p.monotonic ? 'yes' : 'no'],
    ['zero-centred', p.zeroCentered ? 'yes' : 'no'],
    ['saturates', p.saturates],
    ['kinks', p.kinks.length ? p.kinks.map((k) => formatNumber(k, 4)).join(', ') : 'none'],
    ['dead zone', p.deadZone ? `[${formatNumber(p.deadZone[0], 4)}, ${formatNumber(p.deadZone[1], 4)}]` : 'none'],
  ];
  return h('dl', { class: 'props' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export class CurvesView {
  /** What was last plotted (the test hook reads it). */
  curves: Curve[] = [];
  private readonly sidebar: HTMLElement;
  private readonly plots: HTMLElement;
  private readonly figF = svg({ id: 'plot-f' });
  private readonly figD1 = svg({ id: 'plot-d1' });
  private readonly figD2 = svg({ id: 'plot-d2' });
  private readonly legend = h('ul', { class: 'legend', id: 'legend' });
  private readonly readout = h('table', { class: 'readout', id: 'readout' });
  private readonly probeOut = h('output', { id: 'probe-out', for: 'probe' });
  private probe!: HTMLInputElement;

  constructor(
    private readonly app: App,
    root: HTMLElement,
  ) {
    this.sidebar = h('aside', { class: 'sidebar', 'aria-label': 'Activations and plot options' });
    this.plots = h('div', { class: 'plots' });
    root.append(h('div', { class: 'layout' }, this.sidebar, this.plots));
    this.buildPlots();
  }

  /** Rebuild the controls (after an activation was added or removed, or on load). */
  build(): void {
    const s = this.app.state;
    const add = h(
      'select',
      {
        id: 'add-act',
        onchange: () => {
          const id = add.value;
          if (id && !s.acts.includes(id)) {
            s.acts.push(id);
            if (s.acts.length === 1) s.focus = id;
            this.app.commit({ rebuild: true });
            document.getElementById(`card-${id}`)?.querySelector<HTMLElement>('h2')?.focus();
          }
        },
      },
      h('option', { value: '' }, 'Choose one to overlay…'),
      ...activationOptions((e) => !s.acts.includes(e.id)),
    );
    const cards = h('ol', { class: 'cards', id: 'cards', 'aria-label': 'Selected activations' }, ...s.acts.map((id) => this.card(entry(id))));
    replace(
      this.sidebar,
      h('div', { class: 'ctl add' }, h('label', { for: 'add-act' }, 'Add an activation'), add),
      s.acts.length === 0 ? h('p', { class: 'hint' }, 'No activation selected: add one above.') : null,
      cards,
      this.options(),
    );
  }

  private card(e: Entry): HTMLElement {
    const s = this.app.state;
    const values = paramsOf(s, e.id);
    const color = this.app.colorOf(e.id);
    const remove = h(
      'button',
      {
        class: 'remove',
        type: 'button',
        'aria-label': `Remove ${e.module}`,
        title: `Remove ${e.module}`,
        onclick: () => {
          s.acts = s.acts.filter((a) => a !== e.id);
          s.variants = s.variants.filter((k) => variant(k)?.base !== e.id);
          if (s.focus === e.id) s.focus = s.acts[0] ?? s.focus;
          this.app.commit({ rebuild: true });
          byId('add-act').focus();
        },
      },
      '×',
    );
    const controls = paramControls(e, values, `p-${e.id}`, (key, v) => {
      (s.params[e.id] ??= {})[key] = v;
      this.app.commit();
      const dl = document.getElementById(`props-${e.id}`);
      if (dl) replace(dl, propertyList(e, paramsOf(s, e.id)));
    });
    const variants = variantsOf(e.id);
    const variantBox =
      variants.length === 0
        ? null
        : h(
            'fieldset',
            { class: 'variants' },
            h('legend', {}, 'As other frameworks define it'),
            ...variants.map((v) => {
              const id = `var-${v.key.replace(/[^a-z0-9]/gi, '-')}`;
              const box = h('input', {
                type: 'checkbox',
                id,
                'data-variant': v.key,
                checked: s.variants.includes(v.key),
                'aria-describedby': `${id}-note`,
                onchange: () => {
                  s.variants = box.checked ? [...s.variants, v.key] : s.variants.filter((k) => k !== v.key);
                  this.app.commit();
                },
              });
              return h('div', { class: 'ctl ctl-bool' }, h('label', { for: id }, box, ` ${v.label}`), h('small', { id: `${id}-note`, class: 'doc' }, v.note));
            }),
          );
    return h(
      'li',
      { class: 'card', id: `card-${e.id}`, style: `--c: ${color}`, 'data-id': e.id },
      h('div', { class: 'card-head' }, h('span', { class: 'swatch', 'aria-hidden': 'true' }), h('h2', { tabindex: '-1' }, e.module), h('code', {}, e.id), remove),
      h('p', { class: 'summary' }, e.summary),
      h('p', { class: 'formula' }, h('code', {}, e.formula)),
      e.form === 'elementwise' || e.form === 'weight' ? null : h('p', { class: 'note' }, sliceNote(e)),
      e.random ? h('p', { class: 'note' }, 'Random: drawn with seed 0 at every call, so the curve (and its finite differences) are reproducible.') : null,
      ...controls,
      variantBox,
      h('p', { class: 'error', role: 'alert', id: `err-${e.id}`, hidden: true }),
      h('details', {}, h('summary', {}, 'Declared properties'), h('div', { id: `props-${e.id}` }, propertyList(e, values)), e.source ? h('p', { class: 'source' }, e.source) : null),
    );
  }

  private options(): HTMLElement {
    const s = this.app.state;
    const lo = h('input', { type: 'number', id: 'range-lo', value: String(s.lo), step: '1', inputmode: 'decimal' });
    const hi = h('input', { type: 'number', id: 'range-hi', value: String(s.hi), step: '1', inputmode: 'decimal' });
    const onRange = () => {
      const a = Number(lo.value);
      const b = Number(hi.value);
      if (Number.isFinite(a) && Number.isFinite(b) && b > a && lo.value !== '' && hi.value !== '') {
        s.lo = a;
        s.hi = b;
        s.probe = Math.min(b, Math.max(a, s.probe));
        this.app.commit();
      }
    };
    lo.addEventListener('change', onRange);
    hi.addEventListener('change', onRange);
    const dtype = h(
      'select',
      { id: 'dtype', onchange: () => ((s.dtype = dtype.value as 'float32'), this.app.commit()) },
      h('option', { value: 'float64', selected: s.dtype === 'float64' }, 'float64'),
      h('option', { value: 'float32', selected: s.dtype === 'float32' }, 'float32'),
    );
    const thr = h('select', { id: 'threshold', 'aria-describedby': 'threshold-doc', onchange: () => ((s.threshold = Number(thr.value)), this.app.commit()) });
    for (const t of [0.1, 0.05, 0.01, 0.001, 1e-4, 1e-6]) thr.append(h('option', { value: String(t), selected: t === s.threshold }, String(t)));
    if (![0.1, 0.05, 0.01, 0.001, 1e-4, 1e-6].includes(s.threshold)) thr.append(h('option', { value: String(s.threshold), selected: true }, String(s.threshold)));
    const fd = h('input', { type: 'checkbox', id: 'show-fd', checked: s.showFd, onchange: () => ((s.showFd = fd.checked), this.app.commit()) });
    const rg = h('input', { type: 'checkbox', id: 'show-regions', checked: s.showRegions, onchange: () => ((s.showRegions = rg.checked), this.app.commit()) });
    const focus = h('select', { id: 'focus', onchange: () => ((s.focus = focus.value), this.app.commit()) }, ...s.acts.map((id) => h('option', { value: id, selected: id === s.focus }, entry(id).module)));
    return h(
      'fieldset',
      { class: 'options' },
      h('legend', {}, 'Plot'),
      h('div', { class: 'range-row' }, h('label', { for: 'range-lo' }, 'x from'), lo, h('label', { for: 'range-hi' }, 'to'), hi),
      h('div', { class: 'ctl' }, h('label', { for: 'dtype' }, 'dtype'), dtype),
      h('div', { class: 'ctl ctl-bool' }, h('label', { for: 'show-fd' }, fd, ' finite-difference check (dots)')),
      h('div', { class: 'ctl ctl-bool' }, h('label', { for: 'show-regions' }, rg, ' shade kinks, dead zone and saturation')),
      s.acts.length > 1 ? h('div', { class: 'ctl' }, h('label', { for: 'focus' }, 'Shade the regions of'), focus) : null,
      h('div', { class: 'ctl' }, h('label', { for: 'threshold' }, "saturated where |f′| <"), thr, h('small', { id: 'threshold-doc', class: 'doc' }, 'Saturated: on the side(s) the declaration says saturate, the derivative is below this.')),
    );
  }

  private buildPlots(): void {
    this.probe = h('input', { type: 'range', id: 'probe', min: '-6', max: '6', step: '0.01', 'aria-describedby': 'probe-out' });
    this.probe.addEventListener('input', () => {
      this.app.state.probe = Number(this.probe.value);
      this.renderReadout();
      this.app.commit({ compute: false });
    });
    replace(
      this.plots,
      this.legend,
      h('figure', {}, h('figcaption', {}, 'f(x)'), this.figF),
      h('figure', {}, h('figcaption', {}, 'f′(x), by autograd'), this.figD1),
      h('figure', {}, h('figcaption', {}, 'f″(x), by autograd of the first derivative (createGraph)'), this.figD2),
      h('div', { class: 'probe-row' }, h('label', { for: 'probe' }, 'Read the values at x ='), this.probe, this.probeOut),
      h('div', { class: 'table-wrap' }, this.readout),
      h(
        'p',
        { class: 'hint' },
        'Solid lines: the library’s values and autograd’s derivatives. Dots: central finite differences (of f for f′, of autograd’s f′ for f″). Dashed: variants. ',
        'At a kink the finite difference averages the two slopes while autograd takes PyTorch’s choice.',
      ),
    );
  }

  /** Compute and draw. */
  render(): void {
    const s = this.app.state;
    const out: Curve[] = [];
    for (const id of s.acts) {
      const e = entry(id);
      const c = activationCurve(e, paramsOf(s, id), s.lo, s.hi, POINTS, s.dtype);
      out.push(c);
      const err = document.getElementById(`err-${id}`);
      if (err) {
        err.hidden = c.error === undefined;
        err.textContent = c.error ?? '';
      }
    }
    for (const key of s.variants) {
      const v = variant(key);
      if (v === undefined || !s.acts.includes(v.base)) continue;
      out.push(curve(key, v.label, (x) => v.apply(x), s.lo, s.hi, POINTS, s.dtype));
    }
    this.curves = out;
    this.draw();
  }

  /** Redraw from the last computed curves (on resize). */
  draw(): void {
    const s = this.app.state;
    const width = Math.max(260, Math.floor(this.plots.clientWidth || 600));
    const narrow = width < 520;
    const lines = (pick: (c: Curve) => number[], fdPick?: (c: Curve) => number[]): Line[] => {
      const ls: Line[] = [];
      for (const c of this.curves) {
        if (c.error !== undefined) continue;
        const base = variant(c.key)?.base ?? c.key;
        const color = this.app.colorOf(base);
        const isVariant = base !== c.key;
        ls.push({ label: c.label, color, x: c.x, y: pick(c), style: isVariant ? 'dashed' : 'solid' });
        if (fdPick && s.showFd && !isVariant) ls.push({ label: `${c.label} finite differences`, color, x: c.x, y: fdPick(c), style: 'dots', fit: false });
      }
      return ls;
    };
    let bands: Band[] = [];
    let marks: Mark[] = [];
    const focus = this.curves.find((c) => c.key === s.focus && c.error === undefined);
    if (s.showRegions && focus) {
      const e = entry(focus.key);
      const r = regions(e, paramsOf(s, focus.key), focus, s.threshold);
      const color = this.app.colorOf(focus.key);
      bands = [
        ...(r.deadZone ? [{ x0: r.deadZone[0], x1: r.deadZone[1], fill: '', hatch: true, label: `${e.module}: dead zone (derivative exactly 0)` }] : []),
        ...r.saturated.map(([a, b]) => ({ x0: a, x1: b, fill: 'rgba(230, 159, 0, 0.16)', label: `${e.module}: saturated (|f′| < ${s.threshold})` })),
      ];
      marks = r.kinks.map((k) => ({ x: k, color, label: `${e.module}: kink at x = ${formatNumber(k)}` }));
    }
    const hF = narrow ? 210 : 250;
    const hD = narrow ? 160 : 190;
    const x: [number, number] = [s.lo, s.hi];
    const names = this.curves.map((c) => c.label).join(', ') || 'nothing';
    renderPlot(this.figF, { title: `f(x) of ${names}`, width, height: hF, x, lines: lines((c) => c.y), bands, marks, probe: s.probe });
    renderPlot(this.figD1, { title: `first derivatives of ${names}`, width, height: hD, x, lines: lines((c) => c.dy, (c) => c.fd1), bands, marks, probe: s.probe });
    renderPlot(this.figD2, { title: `second derivatives of ${names}`, width, height: hD, x, lines: lines((c) => c.d2y, (c) => c.fd2), bands, marks, probe: s.probe, xLabel: 'x' });
    for (const f of [this.figF, this.figD1, this.figD2]) f.setAttribute('data-points', String(POINTS));
    this.renderLegend(bands.some((b) => !b.hatch), bands.some((b) => b.hatch === true), marks.length > 0);
    this.probe.min = String(s.lo);
    this.probe.max = String(s.hi);
    this.probe.step = String((s.hi - s.lo) / (POINTS - 1));
    this.probe.value = String(s.probe);
    this.renderReadout();
  }

  private renderLegend(saturated: boolean, dead: boolean, marks: boolean): void {
    const s = this.app.state;
    const items: HTMLElement[] = [];
    for (const c of this.curves) {
      if (c.error !== undefined) continue;
      const base = variant(c.key)?.base ?? c.key;
      const dashed = base !== c.key;
      items.push(h('li', {}, h('span', { class: `key ${dashed ? 'dashed' : ''}`, style: `--c: ${this.app.colorOf(base)}`, 'aria-hidden': 'true' }), c.label));
    }
    if (s.showFd && this.curves.some((c) => c.error === undefined)) items.push(h('li', {}, h('span', { class: 'key dots', 'aria-hidden': 'true' }), 'finite differences'));
    if (saturated) items.push(h('li', {}, h('span', { class: 'key sat', 'aria-hidden': 'true' }), 'saturated'));
    if (dead) items.push(h('li', {}, h('span', { class: 'key dead', 'aria-hidden': 'true' }), 'dead zone'));
    if (marks) items.push(h('li', {}, h('span', { class: 'key kink', 'aria-hidden': 'true' }), 'kink'));
    replace(this.legend, ...items);
  }

  renderReadout(): void {
    const s = this.app.state;
    const first = this.curves.find((c) => c.x.length > 0);
    if (!first) {
      replace(this.readout);
      return;
    }
    const i = nearest(first.x, s.probe);
    const xv = first.x[i]!;
    this.probeOut.textContent = formatNumber(xv);
    this.readout.setAttribute('data-x', String(xv));
    const head = h('tr', {}, ...['', 'f', 'f′', 'f′ (fin. diff.)', 'f″', 'f″ (fin. diff.)'].map((t) => h('th', { scope: 'col' }, t)));
    const rows = this.curves.map((c) =>
      h(
        'tr',
        { 'data-key': c.key },
        h('th', { scope: 'row' }, h('span', { class: 'swatch', style: `--c: ${this.app.colorOf(variant(c.key)?.base ?? c.key)}`, 'aria-hidden': 'true' }), c.label),
        ...(c.error !== undefined ? [h('td', { colspan: '5' }, c.error)] : [c.y, c.dy, c.fd1, c.d2y, c.fd2].map((a) => h('td', {}, formatNumber(a[i]!)))),
      ),
    );
    replace(this.readout, h('caption', {}, `Values at x = ${formatNumber(xv)}`), h('thead', {}, head), h('tbody', {}, ...rows));
  }
}

/** How a non-elementwise activation is drawn as a curve. */
function sliceNote(e: Entry): string {
  switch (e.form) {
    case 'pair-zero':
      return `Drawn along dim 1 of the rows (x, 0), first output: ${e.id}([x, 0])[0].`;
    case 'pair-same':
      return `Drawn along dim 1 of the rows (x, x): ${e.id}([x, x]) = x · sigmoid(x).`;
    case 'image-pair':
      return 'Drawn on the channels (x, 0) of a [N, 2, 1, 1] batch, first channel.';
    default:
      return '';
  }
}
