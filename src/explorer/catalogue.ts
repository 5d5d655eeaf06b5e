/**
 * What the explorer knows about each activation, derived from its declaration: the controls of
 * its parameters (with PyTorch's defaults), how to draw it as a curve of one variable, how to
 * call it, and the variants other frameworks use. Nothing here touches the DOM, so the tests run
 * it in Node.
 */
import { activations, defineActivation, full, ir, manualSeed, stack, zerosLike, type Activation, type ParamSpec, type Tensor } from '../index.js';
import { torchName } from '../activations/public.js';
import { defaultGenerator } from '../tensor/random.js';

/** A parameter value as the explorer holds it. */
export type ParamValue = number | string | boolean;

/** One control of an activation: a slider (float, int), a choice or a checkbox. */
export interface Control {
  /** paoding's option name (camelCase). */
  key: string;
  /** PyTorch's keyword. */
  torchName: string;
  type: 'float' | 'int' | 'bool' | 'choice';
  /** PyTorch's default, or an example value when PyTorch has none (see `required`). */
  default: ParamValue;
  /** PyTorch has no default: the argument is required and passed positionally. */
  required: boolean;
  /** Slider range. */
  range?: readonly [number, number];
  /** Slider step. */
  step?: number;
  choices?: readonly string[];
  doc: string;
  /** An option of the module's constructor only (PReLU's `init`), not of the functional form. */
  moduleOnly: boolean;
}

/**
 * How the explorer turns an activation into a function of one variable x:
 * - `elementwise`: applied to x directly;
 * - `weight`: elementwise with a tensor parameter (PReLU), built from the module's options;
 * - `pair-zero`: along dim 1 of the rows (x, 0), first output (softmax([x, 0])[0] = sigmoid(x));
 * - `pair-same`: along dim 1 of the rows (x, x) (glu: x · sigmoid(x));
 * - `image-pair`: the module on channels (x, 0) of a [N, 2, 1, 1] image batch (Softmax2d).
 */
export type CurveForm = 'elementwise' | 'weight' | 'pair-zero' | 'pair-same' | 'image-pair';

/** An activation as the explorer shows it. */
export interface Entry {
  id: string;
  act: Activation;
  /** PyTorch's module class name. */
  module: string;
  /** paoding's functional name (`leakyRelu`), or undefined for module-only activations. */
  fn: string | undefined;
  summary: string;
  formula: string;
  source: string | undefined;
  form: CurveForm;
  /** Whether a call draws random numbers (seeded in the explorer, so the curve is reproducible). */
  random: boolean;
  controls: Control[];
  /** The group it is listed under. */
  group: string;
  /** Whether the playground can use it between linear layers. */
  trainable: boolean;
}

/** The catalogue's groups, in the picker's order. */
export const GROUPS: readonly (readonly [string, readonly string[]])[] = [
  ['Rectifiers', ['relu', 'leaky_relu', 'prelu', 'rrelu', 'relu6', 'threshold', 'hardtanh', 'hardshrink', 'softshrink']],
  ['Smooth rectifiers', ['elu', 'selu', 'celu', 'gelu', 'silu', 'mish', 'softplus', 'hardswish']],
  ['Squashing', ['sigmoid', 'tanh', 'hardsigmoid', 'softsign', 'logsigmoid', 'tanhshrink']],
  ['Along a dimension', ['softmax', 'log_softmax', 'softmin', 'softmax2d', 'glu', 'gumbel_softmax']],
];

/** Example values for parameters PyTorch requires (it has no defaults for them). */
const EXAMPLES: Readonly<Record<string, Readonly<Record<string, ParamValue>>>> = {
  threshold: { threshold: 1, value: -0.5 },
};

/** Controls hidden because they make no sense for a curve of one variable. */
const HIDDEN: Readonly<Record<string, readonly string[]>> = {
  prelu: ['numParameters'],
};

/** A slider step: about 100 steps over the range, a round number. */
export function sliderStep(range: readonly [number, number], type: 'float' | 'int'): number {
  if (type === 'int') return 1;
  const span = range[1] - range[0];
  const raw = span / 100;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 2 ? 1 : m < 5 ? 2 : 5) * p;
}

function control(id: string, key: string, p: ParamSpec, moduleOnly: boolean): Control | undefined {
  if (p.type === 'tensor') return undefined;
  if ((HIDDEN[id] ?? []).includes(key)) return undefined;
  // dim, dtype and deprecated options: numbers without a range, choices without a default.
  if ((p.type === 'float' || p.type === 'int') && p.range === undefined) return undefined;
  if (p.default === null) return undefined;
  const example = EXAMPLES[id]?.[key];
  const required = p.default === undefined;
  let def: ParamValue;
  if (!required) def = p.default as ParamValue;
  else if (example !== undefined) def = example;
  else if (p.type === 'bool') def = false;
  else if (p.type === 'choice') def = p.choices![0]!;
  else def = p.range ? (p.range[0] + p.range[1]) / 2 : 0;
  const c: Control = { key, torchName: torchName(key, p), type: p.type as Control['type'], default: def, required, doc: p.doc, moduleOnly };
  if (p.range) {
    c.range = p.range;
    c.step = sliderStep(p.range, p.type as 'float' | 'int');
  }
  if (p.choices) c.choices = p.choices;
  return c;
}

function formOf(act: Activation): CurveForm {
  const spec = act.spec;
  if (spec.kind === 'gated') return 'pair-same';
  if (spec.kind === 'dim') return spec.functional === false ? 'image-pair' : 'pair-zero';
  if (spec.kind === 'random' && 'dim' in spec.params) return 'pair-zero';
  if (Object.values(spec.params).some((p) => p.type === 'tensor')) return 'weight';
  return 'elementwise';
}

function groupOf(id: string, form: CurveForm): string {
  for (const [name, ids] of GROUPS) if (ids.includes(id)) return name;
  return form === 'elementwise' || form === 'weight' ? 'Other' : 'Along a dimension';
}

/** The explorer's view of one activation. */
export function entryOf(act: Activation): Entry {
  const spec = act.spec;
  const form = formOf(act);
  const controls: Control[] = [];
  for (const [k, p] of Object.entries(spec.params)) {
    const c = control(act.id, k, p, false);
    if (c) controls.push(c);
  }
  // Tensor parameters come from the module's own options (PReLU's weight from `init`).
  if (form === 'weight') {
    for (const [k, p] of Object.entries(spec.moduleSetup?.params ?? {})) {
      const c = control(act.id, k, p, true);
      if (c) controls.push(c);
    }
  }
  return {
    id: act.id,
    act,
    module: spec.module,
    fn: spec.functional === false ? undefined : act.name,
    summary: spec.summary,
    formula: spec.formula,
    source: spec.source,
    form,
    random: spec.kind === 'random',
    controls,
    group: groupOf(act.id, form),
    trainable: form === 'elementwise' || form === 'weight',
  };
}

const entries = new Map<string, Entry>();

/** Every registered activation, as explorer entries, in registration order. */
export function catalogue(): Entry[] {
  return activations.list().map((a) => entry(a.id));
}

/** The entry of an activation id (throws for an unknown id). */
export function entry(id: string): Entry {
  let e = entries.get(id);
  if (e === undefined) {
    e = entryOf(activations.get(id));
    entries.set(id, e);
  }
  return e;
}

/** Whether `id` names a registered activation. */
export function known(id: string): boolean {
  return activations.has(id);
}

/** Every control at its default. */
export function defaults(e: Entry): Record<string, ParamValue> {
  return Object.fromEntries(e.controls.map((c) => [c.key, c.default]));
}

/** Controls' values with defaults filled in and bad values replaced by defaults. */
export function complete(e: Entry, given: Readonly<Record<string, ParamValue>> = {}): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const c of e.controls) {
    const v = given[c.key];
    out[c.key] = valid(c, v) ? v! : c.default;
  }
  return out;
}

/** Whether `v` is an acceptable value of control `c`. */
export function valid(c: Control, v: ParamValue | undefined): boolean {
  if (v === undefined) return false;
  switch (c.type) {
    case 'float':
      return typeof v === 'number' && Number.isFinite(v);
    case 'int':
      return typeof v === 'number' && Number.isInteger(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'choice':
      return typeof v === 'string' && c.choices!.includes(v);
  }
}

/** The seed the explorer uses before every call of a random activation. */
export const SEED = 0;

/**
 * The options of the functional call for these control values (module-only controls are left
 * out; tensor parameters are built from them).
 */
export function callOptions(e: Entry, values: Readonly<Record<string, ParamValue>>, dtype: Tensor['dtype']): Record<string, unknown> {
  const opts: Record<string, unknown> = {};
  for (const c of e.controls) if (!c.moduleOnly) opts[c.key] = values[c.key];
  if (e.form === 'weight') {
    for (const [k, p] of Object.entries(e.act.spec.params)) {
      if (p.type !== 'tensor') continue;
      const init = values['init'];
      opts[k] = full([1], typeof init === 'number' ? init : 1, { dtype });
    }
  }
  if (e.form === 'pair-zero' || e.form === 'pair-same') opts['dim'] = 1;
  return opts;
}

/**
 * Apply the activation to a 1-D tensor `x` as a function of one variable (see `CurveForm`),
 * through the library's functional form (or module), so autograd differentiates it. Random
 * activations are seeded with `SEED` first, so every call draws the same numbers.
 */
export function apply(e: Entry, values: Readonly<Record<string, ParamValue>>, x: Tensor): Tensor {
  if (!e.random) return applyOnce(e, values, x);
  // Seeded, and the default generator's state restored after, so the playground's draws are
  // not disturbed by drawing a curve.
  const saved = defaultGenerator.getState();
  manualSeed(SEED);
  try {
    return applyOnce(e, values, x);
  } finally {
    defaultGenerator.setState(saved);
  }
}

function applyOnce(e: Entry, values: Readonly<Record<string, ParamValue>>, x: Tensor): Tensor {
  const opts = callOptions(e, values, x.dtype);
  switch (e.form) {
    case 'elementwise':
    case 'weight':
      return e.act.call(x, opts);
    case 'pair-zero':
      return e.act.call(stack([x, zerosLike(x)], 1), opts).select(1, 0);
    case 'pair-same':
      return e.act.call(stack([x, x], 1), opts).select(1, 0);
    case 'image-pair': {
      const m = new e.act.Module(moduleOptions(e, values)) as unknown as { forward(t: Tensor): Tensor };
      const n = x.shape[0]!;
      return m.forward(stack([x, zerosLike(x)], 1).reshape([n, 2, 1, 1])).reshape([n, 2]).select(1, 0);
    }
  }
}

/** The module constructor's options for these values (functional-only options left out). */
export function moduleOptions(e: Entry, values: Readonly<Record<string, ParamValue>>): Record<string, unknown> {
  const omit = e.act.spec.moduleSetup?.omit ?? [];
  const opts: Record<string, unknown> = {};
  for (const c of e.controls) if (!omit.includes(c.key)) opts[c.key] = values[c.key];
  return opts;
}

/** A variant of an activation as another framework defines it, drawn dashed beside it. */
export interface Variant {
  /** `base:name`, as the URL stores it. */
  key: string;
  /** The activation it varies. */
  base: string;
  label: string;
  /** Who uses it. */
  note: string;
  /** The function, through the library (a parameter choice or a `defineActivation`). */
  apply(x: Tensor): Tensor;
  /** The same call in paoding and in PyTorch, for "show code" (`x` is the input's name). */
  ts: string;
  torch: string;
}

/** HardSigmoid as ONNX and Keras 2 define it: clamp(0.2 x + 0.5, 0, 1). */
const hardSigmoid02 = defineActivation({
  id: 'hardsigmoid_02',
  module: 'HardSigmoid02',
  summary: 'HardSigmoid with slope 0.2: clamp(0.2 x + 0.5, 0, 1) (ONNX HardSigmoid defaults, Keras 2).',
  formula: 'clamp(0.2 * x + 0.5, 0, 1)',
  params: {},
  forward: (x) => ir.clamp(ir.add(ir.mul(x, 0.2), 0.5), 0, 1),
  derivative: (x) => ir.where(ir.and(ir.gt(x, -2.5), ir.lt(x, 2.5)), 0.2, 0),
  gradFn: 'HardSigmoid02Backward0',
  reference: (x) => Math.min(Math.max(0.2 * x + 0.5, 0), 1),
  properties: { range: [0, 1], monotonic: true, kinks: [-2.5, 2.5], zeroCentered: false, saturates: 'both' },
});

/** QuickGELU (CLIP): x · sigmoid(1.702 x). */
const quickGelu = defineActivation({
  id: 'quick_gelu',
  module: 'QuickGELU',
  summary: "GELU approximated by x · sigmoid(1.702 x), as OpenAI's CLIP and Hugging Face's 'quick_gelu'.",
  formula: 'x * sigmoid(1.702 * x)',
  params: {},
  forward: (x) => ir.mul(x, ir.sigmoid(ir.mul(1.702, x))),
  gradFn: 'QuickGeluBackward0',
  reference: (x) => x / (1 + Math.exp(-1.702 * x)),
  properties: { range: [-0.2, Infinity], monotonic: false, kinks: [], zeroCentered: false, saturates: 'negative' },
});

/** Every variant, by key. */
export const VARIANTS: readonly Variant[] = [
  {
    key: 'gelu:tanh',
    base: 'gelu',
    label: "GELU, tanh approximation",
    note: "approximate='tanh': JAX's default (jax.nn.gelu), BERT, GPT-2, tf.nn.gelu(approximate=True)",
    apply: (x) => activations.get('gelu').call(x, { approximate: 'tanh' }),
    ts: "F.gelu(x, { approximate: 'tanh' })",
    torch: "F.gelu(x, approximate='tanh')",
  },
  {
    key: 'gelu:quick',
    base: 'gelu',
    label: 'QuickGELU, x·σ(1.702x)',
    note: "OpenAI's CLIP, Hugging Face's 'quick_gelu'",
    apply: (x) => quickGelu.call(x),
    ts: 'x.mul(x.mul(1.702).sigmoid())',
    torch: 'x * torch.sigmoid(1.702 * x)',
  },
  {
    key: 'hardsigmoid:0.2',
    base: 'hardsigmoid',
    label: 'HardSigmoid, slope 0.2',
    note: "ONNX HardSigmoid's defaults (alpha 0.2, beta 0.5), Keras 2's hard_sigmoid; PyTorch's slope is 1/6",
    apply: (x) => hardSigmoid02.call(x),
    ts: 'x.mul(0.2).add(0.5).clamp(0, 1)',
    torch: '(0.2 * x + 0.5).clamp(0, 1)',
  },
  {
    key: 'leaky_relu:0.2',
    base: 'leaky_relu',
    label: 'LeakyReLU, slope 0.2',
    note: "TensorFlow's tf.nn.leaky_relu default (alpha 0.2); PyTorch's is 0.01",
    apply: (x) => activations.get('leaky_relu').call(x, { negativeSlope: 0.2 }),
    ts: 'F.leakyRelu(x, { negativeSlope: 0.2 })',
    torch: 'F.leaky_relu(x, negative_slope=0.2)',
  },
  {
    key: 'leaky_relu:0.3',
    base: 'leaky_relu',
    label: 'LeakyReLU, slope 0.3',
    note: "Keras' LeakyReLU layer default (negative_slope 0.3)",
    apply: (x) => activations.get('leaky_relu').call(x, { negativeSlope: 0.3 }),
    ts: 'F.leakyRelu(x, { negativeSlope: 0.3 })',
    torch: 'F.leaky_relu(x, negative_slope=0.3)',
  },
];

/** The variants of an activation. */
export function variantsOf(id: string): Variant[] {
  return VARIANTS.filter((v) => v.base === id);
}

/** The variant with this key, if any. */
export function variant(key: string): Variant | undefined {
  return VARIANTS.find((v) => v.key === key);
}

/** Declared properties, evaluated for these values (a property function may reject odd values). */
export interface EvaluatedProperties {
  range: readonly [number, number] | undefined;
  monotonic: boolean | undefined;
  kinks: readonly number[];
  zeroCentered: boolean;
  saturates: 'none' | 'negative' | 'positive' | 'both';
  deadZone: readonly [number, number] | undefined;
}

/** The declared properties of an activation for these control values. */
export function properties(e: Entry, values: Readonly<Record<string, ParamValue>>): EvaluatedProperties {
  const p = e.act.spec.properties;
  const nums = { ...values } as never;
  const tryCall = <T>(v: T | ((p: never) => T)): T | undefined => {
    try {
      return typeof v === 'function' ? (v as (p: never) => T)(nums) : v;
    } catch {
      return undefined;
    }
  };
  return {
    range: tryCall(p.range),
    monotonic: tryCall(p.monotonic),
    kinks: (tryCall(p.kinks) ?? []).filter((k) => Number.isFinite(k)),
    zeroCentered: p.zeroCentered,
    saturates: p.saturates,
    deadZone: tryCall(p.deadZone),
  };
}
