/**
 * `defineActivation`: the one door through which every activation enters paoding, built-in or
 * user-defined. From a declaration it derives the functional form, the module class, the
 * autograd behaviour (first and higher derivatives), in-place variants and argument checking.
 */
import * as ir from '../ir/expr.js';
import type { Expr } from '../ir/expr.js';
import { isFloat, toFloatType, torchTypeName, type DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { fused, fusedInplace, type FusedSpec } from '../ops/fused.js';
import { Module, Parameter } from '../nn/module.js';
import { pyRepr } from '../util/pyformat.js';
import type {
  ActivationSpec,
  ElementwiseSpec,
  ParamExprs,
  ParamNumbers,
  ParamSpec,
  ParamSpecs,
  ParamValues,
  TensorSpec,
} from './spec.js';

/** The options object of a functional call or module constructor. */
export type ActivationOptions<P extends ParamSpecs> = Partial<ParamValues<P>> & { inplace?: boolean };

/** A declared activation: its declaration plus everything derived from it. */
export interface Activation<P extends ParamSpecs = ParamSpecs> {
  /** The declaration. */
  readonly spec: ActivationSpec<P>;
  /** The canonical id (PyTorch's functional name). */
  readonly id: string;
  /** The camelCase name of the functional form (`leakyRelu`). */
  readonly name: string;
  /**
   * The functional form: `fn(x, ...requiredParams, options?)`, as `F.leakyRelu(x, { negativeSlope })`.
   */
  readonly fn: (x: Tensor, ...args: unknown[]) => Tensor;
  /** Apply with every parameter given by name. */
  call(x: Tensor, opts?: Record<string, unknown>): Tensor;
  /** The module class (`new act.Module({ negativeSlope: 0.2 })`). */
  readonly Module: new (...args: unknown[]) => ActivationModule<P>;
  /** The parameters with their defaults (required ones absent). */
  defaults(): Partial<ParamValues<P>>;
  /** Resolve (and check) a full set of parameter values from options, as a call would. */
  resolve(opts?: Record<string, unknown>): ParamValues<P>;
}

/** snake_case → camelCase (`leaky_relu` → `leakyRelu`, `log_softmax` → `logSoftmax`). */
export function camelCase(id: string): string {
  return id.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** camelCase → snake_case (`negativeSlope` → `negative_slope`). */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The PyTorch keyword of a parameter. */
export function torchName(key: string, p: ParamSpec): string {
  return p.torchName ?? snakeCase(key);
}

function isOptions(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !(v instanceof Tensor) && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) return `a Tensor of dtype ${v.dtype}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

/** Check one parameter value against its declaration. */
function checkParam(where: string, key: string, p: ParamSpec, v: unknown): unknown {
  if (v === null && p.default === null) return null;
  switch (p.type) {
    case 'float':
    case 'int':
      if (v instanceof Tensor && p.learnable) return v;
      if (typeof v !== 'number') {
        throw new TypeError(`${where}: argument '${key}' must be a number${p.learnable ? ' or a Tensor' : ''}, got ${describe(v)}`);
      }
      if (p.type === 'int' && !Number.isInteger(v)) throw new TypeError(`${where}: argument '${key}' must be an integer, got ${v}`);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw new TypeError(`${where}: argument '${key}' must be a boolean, got ${describe(v)}`);
      return v;
    case 'choice':
      if (typeof v !== 'string' || !p.choices!.includes(v)) {
        throw new TypeError(`${where}: argument '${key}' must be one of ${p.choices!.map((c) => `'${c}'`).join(', ')}, got ${describe(v)}`);
      }
      return v;
    case 'tensor':
      if (!(v instanceof Tensor)) throw new TypeError(`${where}: argument '${key}' must be a Tensor, got ${describe(v)}`);
      return v;
  }
}

/**
 * Merge options over defaults, rejecting unknown names and missing required parameters, then run
 * the declaration's own validation.
 */
function resolveValues<P extends ParamSpecs>(
  spec: ActivationSpec<P>,
  opts: Record<string, unknown>,
  where: string,
  extra: readonly string[],
  validate: ((p: ParamNumbers<P>) => string | undefined) | undefined,
): ParamValues<P> {
  const params = spec.params as ParamSpecs;
  for (const k of Object.keys(opts)) {
    if (!(k in params) && !extra.includes(k)) {
      const known = [...Object.keys(params), ...extra];
      throw new TypeError(`${where}: unknown option '${k}'${known.length ? ` (expected ${known.map((n) => `'${n}'`).join(', ')})` : ' (it takes no options)'}`);
    }
  }
  const values: Record<string, unknown> = {};
  for (const [k, p] of entriesOf(params)) {
    const given = opts[k];
    if (given === undefined) {
      if (p.default === undefined) throw new TypeError(`${where}: missing required argument '${k}'`);
      values[k] = p.default;
    } else values[k] = checkParam(where, k, p, given);
  }
  const msg = validate?.(values as ParamNumbers<P>);
  if (msg !== undefined) throw new RangeError(`${where}: ${msg}`);
  return values as ParamValues<P>;
}

/** The largest finite float32, as a double. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * PyTorch's checked conversion of a scalar to the dtype a kernel computes in: the C type it names
 * in its message and whether `v` overflows it. Infinities and NaN convert to floating types;
 * unsigned types also take negative values down to -max (they wrap, as C++'s conversion does).
 */
function conversionOverflow(v: number, dtype: DType): string | undefined {
  switch (dtype) {
    case 'float32':
      return Number.isFinite(v) && Math.abs(v) > FLOAT32_MAX ? 'float' : undefined;
    // NaN compares false, so it passes to integer types as it does in PyTorch.
    case 'uint8':
      return v > 255 || v < -255 ? 'uint8_t' : undefined;
    case 'int32':
      return v > 2147483647 || v < -2147483648 ? 'int' : undefined;
    case 'int64':
      return v > 9223372036854775807 || v < -9223372036854775808 ? 'int64_t' : undefined;
    default:
      return undefined;
  }
}

/** Throw PyTorch's error when `v` (described by `what`) overflows `dtype`. */
function checkConversion(v: number, dtype: DType, what: string, where: string): void {
  const type = conversionOverflow(v, dtype);
  if (type !== undefined) throw new RangeError(`${where}: value cannot be converted to type ${type} without overflow (${what} = ${v} is outside the range of ${dtype})`);
}

/** Check the float parameters a kernel converts to `dtype` (see `ParamSpec.convert`). */
function checkConversions(params: ParamSpecs, values: Record<string, unknown>, dtype: DType, where: string): void {
  for (const [k, p] of entriesOf(params)) {
    const v = values[k];
    if (p.type === 'float' && p.convert !== false && typeof v === 'number') checkConversion(v, dtype, `argument '${k}'`, where);
  }
}

/** The name an activation's functional form is shown with in messages. */
function displayName(spec: ActivationSpec): string {
  return `F.${camelCase(spec.id)}()`;
}

function checkInput(x: unknown, where: string): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${where}: argument 'input' must be a Tensor, got ${describe(x)}`);
  return x;
}

/** The dtype an activation computes in for input `x`, or PyTorch's error. */
function computeDtype(spec: ActivationSpec, x: Tensor, where: string, inplace: boolean): DType {
  const policy = spec.integers ?? 'reject';
  if (isFloat(x.dtype) || policy === 'custom') return x.dtype;
  const kernel = spec.kernelName ?? `${spec.id}_cpu`;
  if (policy === 'reject' || (policy === 'keep' && x.dtype === 'bool')) {
    const detail = x.dtype === 'bool' && policy === 'keep' ? `Boolean inputs not supported for ${spec.id}` : `"${kernel}" not implemented for '${torchTypeName(x.dtype)}'`;
    throw new TypeError(`${where}: ${detail} (argument 'input' must be a float32 or float64 tensor${policy === 'keep' ? ' or an integer tensor' : ''}, got ${x.dtype})`);
  }
  if (policy === 'keep') return x.dtype;
  if (inplace) {
    throw new TypeError(`${where}: result type ${torchTypeName(toFloatType(x.dtype))} can't be cast to the desired output type ${torchTypeName(x.dtype)} (in-place on an integer tensor)`);
  }
  return toFloatType(x.dtype);
}

interface Built {
  expr: Expr;
  derivative: Expr | undefined;
  inplaceDerivative: Expr | undefined;
  /** Fused-operation descriptions without numeric parameters, by in-place x float dtype. */
  templates: (FusedSpec | undefined)[];
}

const builtCache = new WeakMap<object, Map<string | number, Built>>();

/**
 * A parameter table's entries, computed once per table: calls on small tensors are dominated by
 * per-call bookkeeping, and `Object.entries` allocates a fresh array of pairs every time.
 */
const entriesCache = new WeakMap<ParamSpecs, [string, ParamSpecs[string]][]>();
function entriesOf(params: ParamSpecs): [string, ParamSpecs[string]][] {
  let e = entriesCache.get(params);
  if (e === undefined) entriesCache.set(params, (e = Object.entries(params)));
  return e;
}

/** The names of a table's structural parameters (choices and flags), which select the formula. */
const structuralCache = new WeakMap<ParamSpecs, string[]>();
function structuralOf(params: ParamSpecs): string[] {
  let s = structuralCache.get(params);
  if (s === undefined) structuralCache.set(params, (s = entriesOf(params).filter(([, p]) => p.type === 'choice' || p.type === 'bool').map(([k]) => k)));
  return s;
}

/** Build (once per declaration and structure) the forward and derivative expressions. */
function build(spec: ElementwiseSpec, values: Record<string, unknown>, tensorKeys: readonly string[]): Built {
  const params = spec.params;
  const structural = structuralOf(params);
  // The structure: which parameters are tensors (a bit per parameter, in declaration order) and
  // the choice/flag values. Without choices or flags (most activations) the key is that number,
  // so a call builds no string.
  const entries = entriesOf(params);
  let mask = 0;
  for (const k of tensorKeys) mask |= 1 << entries.findIndex(([name]) => name === k);
  let key: string | number = mask;
  if (structural.length) {
    key = `tensors=${mask}`;
    for (const k of structural) key += `|${k}=${String(values[k])}`;
  }
  let perSpec = builtCache.get(spec);
  if (!perSpec) builtCache.set(spec, (perSpec = new Map()));
  const hit = perSpec.get(key);
  if (hit) return hit;
  const exprs: Record<string, unknown> = {};
  for (const [k, p] of entriesOf(params)) {
    if (p.type === 'choice' || p.type === 'bool') exprs[k] = values[k];
    else if (tensorKeys.includes(k)) exprs[k] = ir.input(1 + tensorKeys.indexOf(k));
    else exprs[k] = ir.param(k);
  }
  const x = ir.input(0);
  const y = ir.input(1 + tensorKeys.length);
  const pe = exprs as ParamExprs<ParamSpecs>;
  const inplaceDerivative = spec.inplace ? spec.inplace.derivative?.(y, pe) : undefined;
  const built: Built = { expr: spec.forward(x, pe), derivative: spec.derivative?.(x, y, pe), inplaceDerivative, templates: [] };
  perSpec.set(key, built);
  return built;
}

function applyElementwise(spec: ElementwiseSpec, x: Tensor, values: Record<string, unknown>, inplace: boolean, where: string): Tensor {
  const dtype = computeDtype(spec, x, where, inplace);
  checkConversions(spec.params, values, dtype, where);
  const prepared = (spec.prepare?.(x, values as ParamValues<ParamSpecs>, where) ?? {}) as Record<string, Tensor | undefined>;
  const tensorKeys: string[] = [];
  const tensors: Tensor[] = [];
  const numbers: Record<string, number> = {};
  for (const [k, p] of entriesOf(spec.params)) {
    let v = prepared[k] ?? values[k];
    // A 0-dimensional parameter (a learnable scalar) follows the input's dtype, as PyTorch's
    // promotion lets a 0-d tensor do; parameters with dimensions must match.
    if (v instanceof Tensor && v.dim() === 0 && v.dtype !== x.dtype && isFloat(v.dtype)) v = v.to(x.dtype);
    if (v instanceof Tensor) {
      if (v.dtype !== x.dtype) {
        throw new TypeError(`${where}: argument '${k}' has dtype ${v.dtype} but the input has dtype ${x.dtype} (Found dtype ${torchTypeName(v.dtype)} but expected ${torchTypeName(x.dtype)})`);
      }
      tensorKeys.push(k);
      tensors.push(v);
    } else if ((p.type === 'float' || p.type === 'int') && typeof v === 'number') numbers[k] = v;
  }
  if (spec.coefficients) {
    const derived = spec.coefficients(values as ParamNumbers<ParamSpecs>);
    // Derived scalars are converted too (CELU's 1/alpha: PyTorch refuses alpha = 1e-39 in float32).
    for (const [k, v] of Object.entries(derived)) checkConversion(v, dtype, `the derived scalar '${k}'`, where);
    Object.assign(numbers, derived);
  }
  const b = build(spec, values, tensorKeys);
  // The fused operation's description, once per (structure, dtype, in-place) and shared by every
  // call: only the numeric parameters differ between calls, and most activations have none.
  const slot = dtype === 'float32' || dtype === 'float64' ? (inplace ? 2 : 0) + (dtype === 'float64' ? 1 : 0) : -1;
  let template = slot < 0 ? undefined : b.templates[slot];
  if (template === undefined) {
    template = {
      name: inplace && spec.inplace && spec.inplace.gradFn ? spec.inplace.gradFn : spec.gradFn,
      expr: b.expr,
      ...(b.derivative ? { derivatives: [b.derivative] } : {}),
      computeDtype: dtype,
      outDtype: dtype,
      params: {},
      ...(spec.noDoubleBackward ? { doubleBackwardError: spec.noDoubleBackward } : {}),
    };
    if (slot >= 0) b.templates[slot] = template;
  }
  let hasNumbers = false;
  for (const _ in numbers) {
    hasNumbers = true;
    break;
  }
  const fspec: FusedSpec = hasNumbers ? { ...template, params: numbers } : template;
  if (!inplace) return fused(tensors.length === 0 ? [x] : [x, ...tensors], fspec);
  const backwardError = spec.inplace ? spec.inplace.backwardError?.(values as ParamNumbers<ParamSpecs>) : undefined;
  return fusedInplace(x, tensors, fspec, {
    ...(b.inplaceDerivative ? { derivatives: [b.inplaceDerivative] } : {}),
    ...(backwardError !== undefined ? { backwardError } : {}),
  });
}

/** The extra options every call may take beyond the parameters. */
function extraOptions(spec: ActivationSpec): string[] {
  return spec.inplace ? ['inplace'] : [];
}

/** Validate a declaration's own structure, so a user's mistake is reported where it is made. */
function checkSpec(spec: ActivationSpec): void {
  const where = 'defineActivation()';
  if (typeof spec !== 'object' || spec === null) throw new TypeError(`${where}: expected a declaration object`);
  if (typeof spec.id !== 'string' || !/^[a-z][a-z0-9_]*$/.test(spec.id)) {
    throw new TypeError(`${where}: 'id' must be a snake_case name like 'leaky_relu', got ${JSON.stringify(spec.id)}`);
  }
  if (typeof spec.module !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(spec.module)) {
    throw new TypeError(`${where}: 'module' must be a class name like 'LeakyReLU', got ${JSON.stringify(spec.module)}`);
  }
  if (typeof spec.params !== 'object' || spec.params === null) throw new TypeError(`${where}: 'params' must be an object (use {} for none)`);
  for (const [k, p] of Object.entries(spec.params)) {
    if (!['float', 'int', 'bool', 'choice', 'tensor'].includes(p.type)) {
      throw new TypeError(`${where}: parameter '${k}' of '${spec.id}' has unknown type ${JSON.stringify(p.type)}`);
    }
    if (p.type === 'choice' && (!Array.isArray(p.choices) || p.choices.length === 0)) {
      throw new TypeError(`${where}: choice parameter '${k}' of '${spec.id}' needs a non-empty 'choices' list`);
    }
    if (p.default !== undefined && p.default !== null) checkParam(where, k, p, p.default);
  }
  if (spec.kind === undefined || spec.kind === 'elementwise') {
    const e = spec as ElementwiseSpec;
    if (typeof e.forward !== 'function') throw new TypeError(`${where}: '${spec.id}' needs a 'forward' formula`);
    if (typeof e.reference !== 'function') throw new TypeError(`${where}: '${spec.id}' needs a float64 'reference' function`);
    if (typeof e.gradFn !== 'string') throw new TypeError(`${where}: '${spec.id}' needs a 'gradFn' name (e.g. '${spec.module}Backward0')`);
  } else if (typeof (spec as TensorSpec).apply !== 'function') {
    throw new TypeError(`${where}: '${spec.id}' of kind '${spec.kind}' needs an 'apply' implementation`);
  }
}

/**
 * The module class behind every activation: holds the options, creates learnable parameters,
 * calls the functional form in `forward`, and prints like PyTorch's module.
 */
export class ActivationModule<P extends ParamSpecs = ParamSpecs> extends Module {
  /** The activation this module applies. */
  declare readonly activation: Activation<P>;
  /** The parameter values (learnable ones as `Parameter`s). */
  declare values: ParamValues<P>;
  /** Whether `forward` overwrites its input. */
  declare inplace: boolean;

  constructor(activation: Activation<P>, args: readonly unknown[]) {
    super();
    const spec = activation.spec;
    const where = `nn.${spec.module}()`;
    const required = Object.entries(moduleParams(spec as unknown as ActivationSpec)).filter(([, p]) => p.default === undefined);
    const last = args[args.length - 1];
    const opts = isOptions(last) ? { ...last } : {};
    const positional = isOptions(last) ? args.slice(0, -1) : args;
    if (positional.length > required.length) {
      throw new TypeError(`${where}: takes ${required.length} positional argument(s) then an options object, got ${positional.length}`);
    }
    positional.forEach((v, i) => (opts[required[i]![0]] = v));
    const inplace = opts['inplace'];
    delete opts['inplace'];
    if (inplace !== undefined && (!spec.inplace || typeof inplace !== 'boolean')) {
      throw new TypeError(spec.inplace ? `${where}: option 'inplace' must be a boolean, got ${describe(inplace)}` : `${where}: unknown option 'inplace' (${spec.id} has no in-place form)`);
    }
    // PyTorch's modules check little at construction (nn.CELU(alpha=0) builds and fails in
    // forward); the few that do (nn.Hardtanh) declare it in their module setup.
    const values = resolveValues({ ...spec, params: moduleParams(spec as unknown as ActivationSpec) } as ActivationSpec, opts, where, [], spec.moduleSetup?.validate as ((p: ParamNumbers<ParamSpecs>) => string | undefined) | undefined) as Record<string, unknown>;
    Object.defineProperty(this, 'activation', { value: activation, enumerable: false });
    Object.defineProperty(this, 'inplace', { value: inplace === true, enumerable: false, writable: true });
    Object.defineProperty(this, 'values', { value: values, enumerable: false, writable: true });
    // Learnable parameters become Parameters (0-dimensional, in the default dtype) on the
    // instance, where `parameters()` finds them under their own names.
    for (const [k, p] of Object.entries(spec.params)) {
      if (p.learnable && typeof values[k] === 'number') {
        const t = new Parameter(scalarTensor(values[k] as number));
        (this as unknown as Record<string, unknown>)[k] = t;
      }
    }
    spec.moduleSetup?.init?.(this as never, values);
  }

  /** The options `forward` passes to the functional form (with the module's parameters). */
  protected callOptions(): Record<string, unknown> {
    const opts: Record<string, unknown> = { ...(this.values as Record<string, unknown>) };
    for (const [k, p] of Object.entries(this.activation.spec.params)) {
      const own = (this as unknown as Record<string, unknown>)[k];
      if (p.learnable && own instanceof Tensor) opts[k] = own;
    }
    if (this.inplace) opts['inplace'] = true;
    const setup = this.activation.spec.moduleSetup;
    return setup?.callOptions ? setup.callOptions(this as never, opts) : opts;
  }

  forward(x: Tensor): Tensor {
    return this.activation.call(x, this.callOptions());
  }

  protected override get reprName(): string {
    return this.activation.spec.module;
  }

  override extraRepr(): string {
    const spec = this.activation.spec;
    const values = this.values as ParamValues<P>;
    if (spec.extraRepr) return spec.extraRepr(values, this.inplace);
    const parts = Object.entries(moduleParams(spec as unknown as ActivationSpec))
      .map(([k, p]) => `${torchName(k, p)}=${pyRepr(values[k as keyof P] as never, p.type === 'int' ? 'int' : 'float')}`);
    if (this.inplace) parts.push('inplace=True');
    return parts.join(', ');
  }
}

/**
 * The options a module constructor takes: the functional parameters except tensors (a module
 * owns those) and any the setup omits, plus the setup's own.
 */
function moduleParams(spec: ActivationSpec): ParamSpecs {
  const setup = spec.moduleSetup;
  const own = Object.entries(spec.params).filter(([k, p]) => p.type !== 'tensor' && !(setup?.omit ?? []).includes(k));
  return { ...Object.fromEntries(own), ...(setup?.params ?? {}) };
}

let scalarTensor: (v: number) => Tensor = () => {
  throw new Error('defineActivation: tensor creation is not initialised');
};

/** @internal Break the import cycle with the creation functions. */
export function setScalarFactory(f: (v: number) => Tensor): void {
  scalarTensor = f;
}

/** The options of a call that passes none (read, never written). */
const NO_OPTIONS: Record<string, unknown> = Object.freeze({});

/**
 * Declare an activation. Returns its functional form, module class and metadata; built-in
 * activations are declared exactly this way.
 *
 * @example
 * ```ts
 * import { defineActivation, ir, tensor, autograd } from 'paoding';
 * // Swish with a learnable beta: x * sigmoid(beta * x).
 * const swish = defineActivation({
 *   id: 'swish',
 *   module: 'Swish',
 *   summary: 'x * sigmoid(beta * x), with a learnable beta.',
 *   formula: 'x * sigmoid(beta * x)',
 *   params: { beta: { type: 'float', default: 1, learnable: true, doc: 'steepness of the gate', range: [0, 5] } },
 *   forward: (x, p) => x.mul(ir.sigmoid(p.beta.mul(x))),
 *   reference: (x, p) => x / (1 + Math.exp(-p.beta * x)),
 *   gradFn: 'SwishBackward0',
 *   properties: { range: [-0.2785, Infinity], monotonic: false, kinks: [], zeroCentered: false, saturates: 'negative' },
 * });
 * const x = tensor([-1, 0.5, 2], { dtype: 'float64', requiresGrad: true });
 * console.log(swish.fn(x, { beta: 2 }).toString());
 * const m = new swish.Module({ beta: 1.5 });
 * console.log(m.toString(), m.parameters().length); // Swish(beta=1.5) 1
 * console.log(autograd.gradcheck((t) => swish.fn(t, { beta: 2 }), [x])); // true
 * ```
 */
export function defineActivation<const P extends ParamSpecs>(spec: ActivationSpec<P>): Activation<P> {
  checkSpec(spec as ActivationSpec);
  const name = camelCase(spec.id);
  const where = displayName(spec as ActivationSpec);
  const params = spec.params as ParamSpecs;
  const required = Object.entries(params).filter(([, p]) => p.default === undefined);
  const extra = extraOptions(spec as ActivationSpec);

  const call = (x: Tensor, opts: Record<string, unknown> = {}): Tensor => {
    checkInput(x, where);
    if (!isOptions(opts)) throw new TypeError(`${where}: expected an options object, got ${describe(opts)}`);
    const inplace = opts['inplace'];
    if (inplace !== undefined && typeof inplace !== 'boolean') throw new TypeError(`${where}: option 'inplace' must be a boolean, got ${describe(inplace)}`);
    const values = resolveValues(spec, opts, where, extra, spec.validate) as Record<string, unknown>;
    const bad = spec.checkInput?.(x, values as ParamValues<P>);
    if (bad !== undefined) throw new TypeError(`${where}: ${bad}`);
    if (spec.kind === undefined || spec.kind === 'elementwise') {
      return applyElementwise(spec as ElementwiseSpec, x, values, inplace === true, where);
    }
    checkConversions(params, values, computeDtype(spec as ActivationSpec, x, where, inplace === true), where);
    return (spec as TensorSpec<P>).apply(x, values as ParamValues<P>, { where, inplace: inplace === true });
  };

  const optionalPositional = (spec.positional ?? []).map((k) => [k, params[k]!] as const);
  const slots = [...required, ...optionalPositional];
  const fn = (x: Tensor, ...args: unknown[]): Tensor => {
    // `F.relu(x)`: no options to copy or positional arguments to place.
    if (args.length === 0 && required.length === 0) return call(x, NO_OPTIONS);
    const last = args[args.length - 1];
    const hasOpts = args.length > required.length && isOptions(last);
    const opts: Record<string, unknown> = hasOpts ? { ...(last as Record<string, unknown>) } : {};
    const positional = hasOpts ? args.slice(0, -1) : args;
    if (positional.length < required.length || positional.length > slots.length) {
      const names = required.map(([k]) => k);
      if (positional.length > slots.length) {
        throw new TypeError(`${where}: takes ${1 + slots.length} positional argument(s) (input${slots.map(([n]) => `, ${n}`).join('')}) then an options object, got ${1 + positional.length}`);
      }
      throw new TypeError(`${where}: missing required argument '${names[positional.length]}' (call it as ${where.slice(0, -1)}input${names.map((n) => `, ${n}`).join('')})`);
    }
    positional.forEach((v, i) => {
      const k = slots[i]![0];
      if (k in opts) throw new TypeError(`${where}: got multiple values for argument '${k}'`);
      opts[k] = v;
    });
    return call(x, opts);
  };
  Object.defineProperty(fn, 'name', { value: name });

  const activation: Activation<P> = {
    spec,
    id: spec.id,
    name,
    fn,
    call,
    Module: undefined as never,
    defaults: () => Object.fromEntries(Object.entries(params).filter(([, p]) => p.default !== undefined).map(([k, p]) => [k, p.default])) as Partial<ParamValues<P>>,
    resolve: (opts = {}) => resolveValues(spec, opts, where, extra, spec.validate),
  };
  const ModuleClass = {
    [spec.module]: class extends ActivationModule<P> {
      constructor(...args: unknown[]) {
        super(activation, args);
      }
    },
  }[spec.module]!;
  (activation as { Module: unknown }).Module = ModuleClass;
  return Object.freeze(activation);
}
