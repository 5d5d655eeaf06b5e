/**
 * Controls built from an activation's declared parameters: a slider with a number box for
 * floats and ints (the declared range, PyTorch's default), a list for choices, a checkbox for
 * flags. Every control has a visible label and its one-line doc as description.
 */
import type { Control, Entry, ParamValue } from './catalogue.js';
import { h } from './dom.js';

function defaultText(c: Control): string {
  if (c.required) return `no default in PyTorch; example ${String(c.default)}`;
  return `default ${typeof c.default === 'string' ? `'${c.default}'` : String(c.default)}`;
}

/** One control. `onChange` receives valid values only. */
export function paramControl(c: Control, value: ParamValue, idPrefix: string, onChange: (v: ParamValue) => void): HTMLElement {
  const id = `${idPrefix}-${c.key}`;
  const docId = `${id}-doc`;
  const doc = h('small', { id: docId, class: 'doc' }, `${c.doc} (${defaultText(c)})`);
  // paoding's option name, and PyTorch's keyword where it differs.
  const name = c.torchName === c.key ? c.key : `${c.key} (${c.torchName})`;
  if (c.type === 'bool') {
    const box = h('input', { type: 'checkbox', id, 'aria-describedby': docId, 'data-param': c.key, checked: value === true, onchange: () => onChange(box.checked) });
    return h('div', { class: 'ctl ctl-bool' }, h('label', { for: id }, box, ` ${name}`), doc);
  }
  if (c.type === 'choice') {
    const sel = h(
      'select',
      { id, 'aria-describedby': docId, 'data-param': c.key, onchange: () => onChange(sel.value) },
      ...c.choices!.map((o) => h('option', { value: o, selected: o === value }, o)),
    );
    sel.value = String(value);
    return h('div', { class: 'ctl' }, h('label', { for: id }, name), sel, doc);
  }
  const range = c.range ?? [Math.min(0, Number(value)), Math.max(1, Number(value))];
  const step = c.step ?? (c.type === 'int' ? 1 : 0.01);
  const num = h('input', {
    type: 'number',
    id: `${id}-value`,
    step: String(step),
    value: String(value),
    'aria-label': `${name} value`,
    'data-param-value': c.key,
    inputmode: 'decimal',
  });
  const slider = h('input', {
    type: 'range',
    id,
    min: String(range[0]),
    max: String(range[1]),
    step: String(step),
    value: String(value),
    'aria-describedby': docId,
    'data-param': c.key,
  });
  const clean = (v: number) => (c.type === 'int' ? Math.round(v) : Number(v.toPrecision(12)));
  slider.addEventListener('input', () => {
    const v = clean(Number(slider.value));
    num.value = String(v);
    onChange(v);
  });
  num.addEventListener('change', () => {
    const v = Number(num.value);
    if (num.value.trim() === '' || !Number.isFinite(v)) {
      num.value = slider.value;
      return;
    }
    const cv = clean(v);
    slider.value = String(cv);
    onChange(cv);
  });
  return h('div', { class: 'ctl' }, h('label', { for: id }, name), h('div', { class: 'slider-row' }, slider, num), doc);
}

/** All controls of an activation. */
export function paramControls(e: Entry, values: Readonly<Record<string, ParamValue>>, idPrefix: string, onChange: (key: string, v: ParamValue) => void): HTMLElement[] {
  return e.controls.map((c) => paramControl(c, values[c.key]!, idPrefix, (v) => onChange(c.key, v)));
}
