/**
 * `Optimizer`: the base of paoding's optimizers, as PyTorch's `torch.optim.Optimizer`: parameter
 * groups with per-group options, per-parameter state, `zeroGrad`, `step`, and state dicts in
 * PyTorch's layout.
 */
import { Tensor } from '../tensor/tensor.js';
import { isFloat } from '../tensor/dtype.js';
import { enableGrad, noGrad } from '../autograd/grad_mode.js';
import { warn } from '../util/warn.js';
import { pyFloat, pyInt, pyRepr } from '../util/pyformat.js';

/**
 * A parameter group as handed to an optimizer: the tensors, and options that override the
 * optimizer's defaults for them (`{ params: prelu.parameters(), weightDecay: 0 }`).
 */
export type ParamGroupInput<O> = Partial<O> & {
  /** The tensors of the group (a single tensor is taken as a list of one). */
  params: Iterable<Tensor> | Tensor;
};

/**
 * A parameter group inside an optimizer: its tensors and every option (the group's own values
 * and the defaults it did not override). Mutable: learning-rate schedulers and users change
 * `lr` here, as in PyTorch's `optimizer.param_groups[0]['lr'] = ...`. Other keys may be added
 * (schedulers add `initialLr`).
 */
export type ParamGroup<O> = O & {
  /** The tensors of the group. */
  params: Tensor[];
  /** The learning rate a scheduler started from (added by the first scheduler). */
  initialLr?: number;
  [key: string]: unknown;
};

/** A parameter group in a state dict: the options, with the tensors replaced by their indices. */
export type PackedParamGroup<O> = O & {
  /** Indices of the group's parameters, numbered across all groups in order. */
  params: number[];
  initialLr?: number;
  [key: string]: unknown;
};

/** What the optimizers accept as `params`: tensors, or parameter groups. */
export type Params<O> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/**
 * An optimizer's state in PyTorch's layout (`optimizer.state_dict()`): `state` maps a parameter's
 * index to its state, `paramGroups` lists the groups with their options and parameter indices.
 *
 * Keys are PyTorch's, camelCased: `param_groups` → `paramGroups`, `momentum_buffer` →
 * `momentumBuffer`, `exp_avg` → `expAvg`, `exp_avg_sq` → `expAvgSq`, `max_exp_avg_sq` →
 * `maxExpAvgSq`, `weight_decay` → `weightDecay`, `initial_lr` → `initialLr`; `step`, `lr`,
 * `momentum`, `betas`, ... are unchanged. `loadStateDict` accepts either spelling.
 */
export interface OptimizerStateDict<O = Record<string, unknown>, S = Record<string, unknown>> {
  /** Per-parameter state, by parameter index (parameters that never had a gradient have none). */
  state: Record<number, S>;
  /** The parameter groups, in order. */
  paramGroups: PackedParamGroup<O>[];
}

/** Options of `zeroGrad`. */
export interface ZeroGradOptions {
  /** Set the gradients to `null` (default) instead of filling them with zeros. */
  setToNone?: boolean;
}

/** @internal Describe a value for an error message. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) return v.type();
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * @internal A number as Python's `'{}'.format(x)` shows it, taking an integral value for a Python
 * int (JavaScript cannot tell `1` from `1.0`; PyTorch's messages print what the user wrote).
 */
export function pyNumber(x: number): string {
  return Number.isInteger(x) && !Object.is(x, -0) ? pyInt(x) : pyFloat(x);
}

/** @internal `weight_decay` → `weightDecay`. */
export function camelCase(key: string): string {
  return key.replace(/(?<=[a-zA-Z0-9])_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** @internal `weightDecay` → `weight_decay` (for PyTorch-style printing). */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** @internal Check that an option is a number (not NaN), or throw a TypeError naming it. */
export function checkNumber(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${where}: argument '${name}' must be a number, got ${describe(v)}`);
  return v;
}

/** @internal Check that an option is a boolean. */
export function checkBoolean(where: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${where}: argument '${name}' must be a boolean, got ${describe(v)}`);
  return v;
}

/**
 * @internal Reject options the optimizer does not know, pointing PyTorch's snake_case spellings
 * to their camelCase names.
 */
export function checkOptionNames(where: string, options: object, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options) || options instanceof Tensor) {
    throw new TypeError(`${where}: argument 'options' must be an object, got ${describe(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (known.includes(k)) continue;
    const camel = camelCase(k);
    if (known.includes(camel)) throw new TypeError(`${where}: unknown option '${k}' (options are camelCased: '${camel}')`);
    throw new TypeError(`${where}: unknown option '${k}' (expected ${known.map((n) => `'${n}'`).join(', ')})`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !(v instanceof Tensor) && !Array.isArray(v);
}

/** A deep copy of a state value, tensors cast to the parameter's dtype as PyTorch's `load_state_dict` does. */
function castValue(param: Tensor, value: unknown, key: string | undefined): unknown {
  if (value instanceof Tensor) {
    // NOTE(torch): floating-point state follows the parameter's dtype, except `step`
    // (pytorch/pytorch#74424).
    const cast = key !== 'step' && isFloat(param.dtype) && value.dtype !== param.dtype;
    return noGrad(() => (cast ? value.detach().to(param.dtype) : value.detach().clone()));
  }
  if (Array.isArray(value)) return value.map((v) => castValue(param, v, undefined));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const ck = camelCase(k);
      out[ck] = castValue(param, v, ck);
    }
    return out;
  }
  return value;
}

/** A deep copy of a group's options (arrays such as `betas` included), keys camelCased. */
function copyOptions(group: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(group)) out[camelCase(k)] = Array.isArray(v) ? [...(v as unknown[])] : v;
  return out;
}

/** Python's repr of an option value, for `toString()`. */
function pyValue(v: unknown): string {
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string' || typeof v === 'boolean' || v === null || v === undefined) return pyRepr(v);
  if (Array.isArray(v)) return v.length === 1 ? `(${pyValue(v[0])},)` : `(${v.map(pyValue).join(', ')})`;
  if (v instanceof Tensor) return v.toString();
  if (typeof v === 'function') return `<function ${v.name || '<lambda>'}>`;
  return String(v);
}

/**
 * The base class of the optimizers (`optim.SGD`, `optim.Adam`, `optim.AdamW`), as PyTorch's
 * `torch.optim.Optimizer`.
 *
 * An optimizer holds parameter groups (`paramGroups`): lists of tensors with their options, the
 * defaults filled in where a group gives none. `step()` updates every parameter that has a
 * gradient, in place and without recording history (as under `autograd.noGrad`); `zeroGrad()`
 * clears the gradients; `state` holds per-parameter buffers (momentum, moment estimates), and
 * `stateDict()` / `loadStateDict()` save and restore everything in PyTorch's layout.
 *
 * To write an optimizer, extend this class and implement `update()`, which runs inside
 * `noGrad`; a default of `undefined` marks an option every group must give (as SGD's `lr`).
 *
 * @typeParam O - the options of a parameter group.
 * @typeParam S - the state kept for each parameter.
 * @example
 * ```ts
 * import { optim, nn, tensor } from 'paoding';
 * class SignSGD extends optim.Optimizer<{ lr: number }> {
 *   constructor(params: Iterable<nn.Parameter>, lr: number) {
 *     super(params, { lr });
 *   }
 *   protected update(): void {
 *     for (const group of this.paramGroups) {
 *       for (const p of group.params) if (p.grad !== null) p.sub_(p.grad.sign(), { alpha: group.lr });
 *     }
 *   }
 * }
 * const w = new nn.Parameter(tensor([1, -2]));
 * const opt = new SignSGD([w], 0.5);
 * w.mul(w).sum().backward();
 * opt.step();
 * console.log(w.tolist()); // [ 0.5, -1.5 ]
 * ```
 */
export abstract class Optimizer<O extends object = Record<string, unknown>, S extends object = Record<string, unknown>> {
  /** The options a parameter group gets where it does not give its own. */
  readonly defaults: O;
  /** The parameter groups, with their options (mutable: change `lr` here). */
  paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (momentum buffers, moment estimates), created at a parameter's first update. */
  state = new Map<Tensor, S>();
  /** @internal How many times `step()` ran (learning-rate schedulers check the call order with it). */
  _stepCount = 0;

  /**
   * @param params - the tensors to optimize (for example `model.parameters()`), or a list of
   *   parameter groups `{ params, ...options }` whose options override `defaults`.
   * @param defaults - the options of every group that does not give its own.
   */
  constructor(params: Params<O>, defaults: O) {
    const where = `${this.optimizerName}()`;
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError(`${where}: params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${params.type()}`);
    }
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`${where}: params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${describe(params)}`);
    }
    const list = [...(params as Iterable<Tensor | ParamGroupInput<O>>)];
    if (list.length === 0) throw new RangeError(`${where}: optimizer got an empty parameter list`);
    const groups = list[0] instanceof Tensor ? [{ params: list } as unknown as ParamGroupInput<O>] : (list as ParamGroupInput<O>[]);
    for (const g of groups) this.addGroup(g, where);
  }

  /** The class name used in messages and `toString()`. */
  protected get optimizerName(): string {
    return this.constructor.name;
  }

  /**
   * Check a group's options once the defaults are filled in; subclasses throw PyTorch's errors
   * here ("Invalid learning rate: -0.1").
   */
  protected validateGroup(_group: ParamGroup<O>, _where: string): void {}

  /**
   * Update the parameters from their gradients. Called by `step()` inside `noGrad`, after the
   * closure (if any) ran.
   */
  protected abstract update(): void;

  /**
   * Add a parameter group, as PyTorch's `add_param_group`: for example the layers unfrozen in
   * the middle of fine-tuning. The group object itself becomes the group (its `params` turned
   * into an array, missing options filled in from the defaults), as in PyTorch.
   *
   * @example
   * ```ts
   * import { optim, nn, tensor } from 'paoding';
   * const a = new nn.Parameter(tensor([1]));
   * const b = new nn.Parameter(tensor([2]));
   * const opt = new optim.SGD([a], { lr: 0.1, momentum: 0.9 });
   * opt.addParamGroup({ params: [b], lr: 0.01 });
   * console.log(opt.paramGroups[1]!.lr, opt.paramGroups[1]!.momentum); // 0.01 0.9
   * ```
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    this.addGroup(group, `${this.optimizerName}.addParamGroup()`);
  }

  private addGroup(input: ParamGroupInput<O>, where: string): void {
    if (!isPlainObject(input)) {
      throw new TypeError(`${where}: param group must be a dict (an object with a 'params' entry), got ${describe(input)}`);
    }
    const raw = input.params as unknown;
    if (raw === undefined) throw new TypeError(`${where}: param group has no 'params' entry`);
    let params: unknown[];
    if (raw instanceof Tensor) params = [raw];
    else if (raw !== null && typeof raw === 'object' && typeof (raw as Iterable<unknown>)[Symbol.iterator] === 'function') params = [...(raw as Iterable<unknown>)];
    else throw new TypeError(`${where}: a param group's 'params' must be a Tensor or an iterable of Tensors, got ${describe(raw)}`);
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`${where}: optimizer can only optimize Tensors, but one of the params is ${describe(p)}`);
      if (!(p.isLeaf || p._retainsGrad)) throw new Error(`${where}: can't optimize a non-leaf Tensor`);
    }
    const known = Object.keys(this.defaults);
    for (const k of Object.keys(input)) {
      const camel = camelCase(k);
      if (camel !== k && known.includes(camel)) throw new TypeError(`${where}: unknown option '${k}' (options are camelCased: '${camel}')`);
    }
    const group = input as unknown as Record<string, unknown>;
    group.params = params;
    for (const [k, v] of Object.entries(this.defaults)) {
      if (group[k] !== undefined) continue;
      if (v === undefined) throw new TypeError(`${where}: parameter group didn't specify a value of required optimization parameter ${k}`);
      group[k] = Array.isArray(v) ? [...(v as unknown[])] : v;
    }
    this.validateGroup(group as ParamGroup<O>, where);
    const tensors = params as Tensor[];
    if (new Set(tensors).size !== tensors.length) {
      warn(
        'optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information',
      );
    }
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (tensors.includes(p)) throw new Error(`${where}: some parameters appear in more than one parameter group`);
      }
    }
    this.paramGroups.push(group as ParamGroup<O>);
  }

  /**
   * Clear the gradients of every parameter: set them to `null` (the default, as PyTorch 2), or
   * with `setToNone: false` fill them with zeros in place (detached from any graph).
   *
   * NOTE(torch): PyTorch 1.13 defaulted to `set_to_none=False`; 2.0 changed it to `True`. With
   * `null` gradients, parameters that get no gradient in the next backward are skipped by
   * `step()`, where zeros would still decay them (weight decay, momentum).
   *
   * @example
   * ```ts
   * import { optim, nn, tensor } from 'paoding';
   * const w = new nn.Parameter(tensor([1, 2]));
   * const opt = new optim.SGD([w], { lr: 0.1 });
   * w.sum().backward();
   * opt.zeroGrad({ setToNone: false });
   * console.log(w.grad!.tolist()); // [ 0, 0 ]
   * opt.zeroGrad();
   * console.log(w.grad); // null
   * ```
   */
  zeroGrad(opts: ZeroGradOptions = {}): void {
    const setToNone = opts.setToNone ?? true;
    if (typeof setToNone !== 'boolean') throw new TypeError(`${this.optimizerName}.zeroGrad(): argument 'setToNone' must be a boolean, got ${describe(setToNone)}`);
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (setToNone) {
          p.grad = null;
          continue;
        }
        if (g.gradFn !== null) g.detach_();
        else g.requiresGrad_(false);
        g.zero_();
      }
    }
  }

  /**
   * Take one optimization step: update every parameter that has a gradient. With a `closure`
   * (which clears the gradients, computes the loss, calls `backward()` and returns the loss), the
   * closure runs first, with gradient recording on, and its result is returned.
   *
   * @example
   * ```ts
   * import { optim, nn, tensor } from 'paoding';
   * const w = new nn.Parameter(tensor([3]));
   * const opt = new optim.SGD([w], { lr: 0.25 });
   * const loss = opt.step(() => {
   *   opt.zeroGrad();
   *   const l = w.mul(w).sum();
   *   l.backward();
   *   return l;
   * });
   * console.log(loss.item(), w.item()); // 9 1.5
   * ```
   */
  step(): undefined;
  step<L>(closure: () => L): L;
  step<L>(closure?: () => L): L | undefined {
    let loss: L | undefined;
    if (closure !== undefined) {
      if (typeof closure !== 'function') throw new TypeError(`${this.optimizerName}.step(): argument 'closure' must be a function, got ${describe(closure)}`);
      loss = enableGrad(closure);
    }
    noGrad(() => this.update());
    this._stepCount++;
    return loss;
  }

  /**
   * The optimizer's state, in PyTorch's layout (see `OptimizerStateDict` for the key names).
   *
   * As in PyTorch, the state's tensors are the optimizer's own (later steps change them): clone
   * or serialize them to keep a snapshot. The groups' options are copies.
   *
   * @example
   * ```ts
   * import { optim, nn, tensor } from 'paoding';
   * const w = new nn.Parameter(tensor([1, 2]));
   * const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
   * w.sum().backward();
   * opt.step();
   * const sd = opt.stateDict();
   * console.log(Object.keys(sd.state), sd.paramGroups[0]!.params); // [ '0' ] [ 0 ]
   * console.log(sd.state[0]!.momentumBuffer!.tolist()); // [ 1, 1 ]
   * ```
   */
  stateDict(): OptimizerStateDict<O, S> {
    const index = new Map<Tensor, number>();
    let start = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const packed = copyOptions(g);
      // NOTE(torch): indices count positions across groups; a parameter listed twice keeps its
      // first index, as PyTorch's `state_dict` numbers them.
      g.params.forEach((p, i) => {
        if (!index.has(p)) index.set(p, start + i);
      });
      packed.params = g.params.map((p) => index.get(p)!);
      start += g.params.length;
      return packed as PackedParamGroup<O>;
    });
    const state: Record<number, S> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = { ...s };
    }
    return { state, paramGroups };
  }

  /**
   * Restore a state saved by `stateDict()` (of an optimizer over parameters of the same shapes,
   * in the same order), as PyTorch's `load_state_dict`: the state is copied, floating-point
   * buffers are cast to their parameter's dtype, and the groups' options replace the current
   * ones. PyTorch's snake_case keys (`param_groups`, `exp_avg`, ...) are accepted too.
   *
   * @example
   * ```ts
   * import { optim, nn, tensor } from 'paoding';
   * const w = new nn.Parameter(tensor([1, 2]));
   * const opt = new optim.Adam([w], { lr: 0.1 });
   * w.sum().backward();
   * opt.step();
   * const resumed = new optim.Adam([w]);
   * resumed.loadStateDict(opt.stateDict());
   * console.log(resumed.paramGroups[0]!.lr, resumed.state.get(w)!.step.item()); // 0.1 1
   * ```
   */
  loadStateDict(stateDict: OptimizerStateDict<O, S>): void {
    const where = `${this.optimizerName}.loadStateDict()`;
    if (!isPlainObject(stateDict)) throw new TypeError(`${where}: expected a state dict object, got ${describe(stateDict)}`);
    const sd = stateDict as unknown as Record<string, unknown>;
    const saved = (sd.paramGroups ?? sd.param_groups) as unknown;
    const savedState = sd.state as unknown;
    if (!Array.isArray(saved) || !saved.every((g) => isPlainObject(g) && Array.isArray(g.params))) {
      throw new TypeError(`${where}: the state dict must have 'paramGroups', a list of groups with 'params' lists`);
    }
    if (!isPlainObject(savedState) && !(savedState instanceof Map)) throw new TypeError(`${where}: the state dict must have a 'state' object`);
    const groups = this.paramGroups;
    if (saved.length !== groups.length) throw new RangeError(`${where}: loaded state dict has a different number of parameter groups`);
    saved.forEach((g, i) => {
      if ((g as { params: unknown[] }).params.length !== groups[i]!.params.length) {
        throw new RangeError(`${where}: loaded state dict contains a parameter group that doesn't match the size of optimizer's group`);
      }
    });
    const idMap = new Map<number, Tensor>();
    saved.forEach((g, i) => (g as { params: number[] }).params.forEach((id, j) => idMap.set(Number(id), groups[i]!.params[j]!)));
    const entries = savedState instanceof Map ? [...(savedState as Map<unknown, unknown>)] : Object.entries(savedState);
    const state = new Map<Tensor, S>();
    for (const [k, v] of entries) {
      const p = idMap.get(Number(k));
      if (p === undefined) throw new RangeError(`${where}: the state refers to parameter ${String(k)}, which no parameter group lists`);
      state.set(p, castValue(p, v, undefined) as S);
    }
    this.state = state;
    this.paramGroups = saved.map((g, i) => {
      const group = copyOptions(g as Record<string, unknown>);
      group.params = groups[i]!.params;
      return group as ParamGroup<O>;
    });
  }

  /**
   * PyTorch's printed form: the class name, then each group's options sorted by their PyTorch
   * (snake_case) names.
   *
   * @example
   * ```ts
   * import { optim, nn, tensor } from 'paoding';
   * const opt = new optim.SGD([new nn.Parameter(tensor([1]))], { lr: 0.1, momentum: 0.9 });
   * console.log(opt.toString());
   * // SGD (
   * // Parameter Group 0
   * //     dampening: 0
   * //     lr: 0.1
   * //     maximize: False
   * //     momentum: 0.9
   * //     nesterov: False
   * //     weight_decay: 0
   * // )
   * ```
   */
  toString(): string {
    let out = `${this.optimizerName} (`;
    this.paramGroups.forEach((g, i) => {
      out += `\nParameter Group ${i}\n`;
      const keys = Object.keys(g)
        .filter((k) => k !== 'params' && g[k] !== undefined)
        .map((k) => [snakeCase(k), k] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [name, k] of keys) out += `    ${name}: ${pyValue(g[k])}\n`;
    });
    return `${out})`;
  }
}
