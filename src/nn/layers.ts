/**
 * The layers networks are built from, with PyTorch's names, defaults, initialisation and
 * printed forms: `Linear`, `BatchNorm1d`, `Dropout`, `AlphaDropout`, `Flatten`, `Identity`, and
 * the containers `Sequential` and `ModuleList`.
 */
import { Module, Parameter } from './module.js';
import * as init from './init.js';
import { Tensor } from '../tensor/tensor.js';
import { checkDtype, type FloatDType, isFloat } from '../tensor/dtype.js';
import { empty, ones, tensor, zeros } from '../ops/creation.js';
import { noGrad } from '../autograd/grad_mode.js';
import * as F from '../functional/nn.js';
import { pyFloat } from '../util/pyformat.js';

const pyBool = (b: boolean): string => (b ? 'True' : 'False');

function checkOptions(opts: object, known: readonly string[], where: string): void {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`${where}: options must be an object, got ${opts === null ? 'null' : typeof opts}`);
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw new TypeError(`${where}: unknown option '${k}' (expected one of ${known.join(', ')})`);
  }
}

function checkCount(v: unknown, where: string, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new TypeError(`${where}: argument '${name}' must be a non-negative integer, got ${String(v)}`);
  }
  return v;
}

function checkBool(v: unknown, where: string, name: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${where}: option '${name}' must be a boolean, got ${typeof v}`);
  return v;
}

function floatDtype(dtype: unknown, where: string): FloatDType | undefined {
  if (dtype === undefined) return undefined;
  const d = checkDtype(dtype, where);
  if (!isFloat(d)) throw new TypeError(`${where}: option 'dtype' must be float32 or float64, got ${d}`);
  return d;
}

/** Call a module on one input (through its hooks). */
function call(m: Module, x: unknown): unknown {
  return (m.forward as (x: unknown) => unknown)(x);
}

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Learn an additive bias (PyTorch: `bias`). Default `true`. */
  bias?: boolean;
  /** The parameters' dtype. Default: the default dtype (float32). */
  dtype?: FloatDType;
}

/**
 * A fully connected layer, `y = x @ weight.T + bias`, as `torch.nn.Linear(in_features,
 * out_features, bias=True)`. `weight` is `(outFeatures, inFeatures)`.
 *
 * Initialised as PyTorch does: the weight with `kaimingUniform_(w, { a: Math.sqrt(5) })`, i.e.
 * U(-1/sqrt(in), 1/sqrt(in)), then the bias from the same range, drawn from the default
 * generator in that order, so `manualSeed(s); new nn.Linear(784, 128)` holds exactly the
 * weights `torch.manual_seed(s); nn.Linear(784, 128)` holds.
 *
 * @example
 * ```ts
 * import { nn, manualSeed, tensor } from 'paoding';
 * manualSeed(0);
 * const fc = new nn.Linear(2, 3);
 * console.log(fc.toString()); // Linear(in_features=2, out_features=3, bias=True)
 * console.log(fc.weight.tolist()); // [ [ -0.005293981172144413, 0.37932288646698 ], [ -0.5819807648658752, -0.5203874707221985 ], [ -0.27234524488449097, 0.1896158903837204 ] ]
 * console.log(fc.forward(tensor([[1, 1]])).shape); // [ 1, 3 ]
 * ```
 */
export class Linear extends Module {
  /** Size of each input sample. */
  readonly inFeatures: number;
  /** Size of each output sample. */
  readonly outFeatures: number;
  /** The learnable weight, `(outFeatures, inFeatures)`. */
  weight: Parameter;
  /** The learnable bias, `(outFeatures)`, or null with `bias: false`. */
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    const where = 'nn.Linear()';
    checkOptions(opts, ['bias', 'dtype'], where);
    this.inFeatures = checkCount(inFeatures, where, 'in_features');
    this.outFeatures = checkCount(outFeatures, where, 'out_features');
    const dtype = floatDtype(opts.dtype, where);
    const withBias = checkBool(opts.bias ?? true, where, 'bias');
    this.weight = new Parameter(empty([outFeatures, inFeatures], dtype ? { dtype } : {}));
    this.bias = withBias ? new Parameter(empty([outFeatures], dtype ? { dtype } : {})) : null;
    this.resetParameters();
  }

  /** Draw fresh initial parameters, as at construction (PyTorch's `reset_parameters`). */
  resetParameters(): void {
    // NOTE(torch): kaiming_uniform_ with a = sqrt(5) gives bound = sqrt(3) * sqrt(2 / (1 + 5)) /
    // sqrt(fan_in) = 1 / sqrt(fan_in); the weight is drawn before the bias.
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Options of {@link BatchNorm1d}. */
export interface BatchNormOptions {
  /** Added to the variance for numerical stability. Default `1e-5`. */
  eps?: number;
  /** Weight of each batch in the running averages; `null` for a cumulative average. Default `0.1`. */
  momentum?: number | null;
  /** Learn a per-channel scale and shift. Default `true`. */
  affine?: boolean;
  /** Keep running statistics for evaluation (PyTorch: `track_running_stats`). Default `true`. */
  trackRunningStats?: boolean;
  /** The dtype of parameters and running statistics. Default: the default dtype. */
  dtype?: FloatDType;
}

/**
 * Batch normalisation of `(N, C)` or `(N, C, L)` inputs over the batch (and length) dimension,
 * as `torch.nn.BatchNorm1d(num_features, eps=1e-05, momentum=0.1, affine=True,
 * track_running_stats=True)`.
 *
 * In training mode each channel is normalised with the batch mean and biased variance and the
 * running statistics are updated (`running_mean`, `running_var` with the unbiased variance,
 * `num_batches_tracked`); in evaluation mode the running statistics normalise. The buffers are in
 * the state dict under PyTorch's names and readable as `runningMean`, `runningVar`,
 * `numBatchesTracked`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from 'paoding';
 * const bn = new nn.BatchNorm1d(2);
 * console.log(bn.toString()); // BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
 * bn.forward(tensor([[1, 10], [3, 30]]));
 * console.log(bn.runningMean!.tolist(), bn.numBatchesTracked!.item()); // [ 0.20000000298023224, 2 ] 1
 * bn.eval();
 * console.log(bn.forward(tensor([[0.2, 2]])).tolist()); // [ [ 0, 0 ] ]
 * ```
 */
export class BatchNorm1d extends Module {
  /** The number of channels C. */
  readonly numFeatures: number;
  /** Added to the variance before its square root. */
  eps: number;
  /** Weight of each batch in the running averages (`null`: cumulative average). */
  momentum: number | null;
  /** Whether the module has a learnable scale and shift. */
  readonly affine: boolean;
  /** Whether the module keeps running statistics. */
  readonly trackRunningStats: boolean;
  /** The learnable per-channel scale (gamma), or null when not affine. */
  weight: Parameter | null;
  /** The learnable per-channel shift (beta), or null when not affine. */
  bias: Parameter | null;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    const where = `nn.${this.reprName}()`;
    checkOptions(opts, ['eps', 'momentum', 'affine', 'trackRunningStats', 'dtype'], where);
    this.numFeatures = checkCount(numFeatures, where, 'num_features');
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    if (typeof this.eps !== 'number') throw new TypeError(`${where}: option 'eps' must be a number, got ${typeof this.eps}`);
    if (this.momentum !== null && typeof this.momentum !== 'number') throw new TypeError(`${where}: option 'momentum' must be a number or null, got ${typeof this.momentum}`);
    this.affine = checkBool(opts.affine ?? true, where, 'affine');
    this.trackRunningStats = checkBool(opts.trackRunningStats ?? true, where, 'trackRunningStats');
    const dtype = floatDtype(opts.dtype, where);
    const fopts = dtype ? { dtype } : {};
    this.weight = this.affine ? new Parameter(ones([numFeatures], fopts)) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], fopts)) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], fopts));
      this.registerBuffer('running_var', ones([numFeatures], fopts));
      this.registerBuffer('num_batches_tracked', tensor(0, { dtype: 'int64' }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  /** The running mean per channel (buffer `running_mean`), or null. */
  get runningMean(): Tensor | null {
    return this._buffers.get('running_mean') ?? null;
  }
  set runningMean(t: Tensor | null) {
    this._buffers.set('running_mean', t);
  }

  /** The running (unbiased) variance per channel (buffer `running_var`), or null. */
  get runningVar(): Tensor | null {
    return this._buffers.get('running_var') ?? null;
  }
  set runningVar(t: Tensor | null) {
    this._buffers.set('running_var', t);
  }

  /** The number of training batches seen (int64 buffer `num_batches_tracked`), or null. */
  get numBatchesTracked(): Tensor | null {
    return this._buffers.get('num_batches_tracked') ?? null;
  }
  set numBatchesTracked(t: Tensor | null) {
    this._buffers.set('num_batches_tracked', t);
  }

  /** Reset the running statistics to mean 0, variance 1 and no batches. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.runningMean!.zero_();
      this.runningVar!.fill_(1);
      this.numBatchesTracked!.zero_();
    });
  }

  /** Reset the running statistics, and the scale to 1 and shift to 0. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight !== null) init.ones_(this.weight);
    if (this.bias !== null) init.zeros_(this.bias);
  }

  /** Throw PyTorch's error for an input of the wrong rank. */
  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw new RangeError(`expected 2D or 3D input (got ${input.dim()}D input)`);
  }

  /** @internal Checkpoints saved before `num_batches_tracked` existed load with it set to 0. */
  override _upgradeStateDict(dict: Map<string, unknown>, prefix: string): void {
    // NOTE(torch): PyTorch does this for state dicts without version metadata, which is every
    // state dict paoding sees.
    const key = `${prefix}num_batches_tracked`;
    if (this.trackRunningStats && !dict.has(key)) dict.set(key, tensor(0, { dtype: 'int64' }));
  }

  forward(input: Tensor): Tensor {
    if (!(input instanceof Tensor)) throw new TypeError(`${this.reprName}.forward(): argument 'input' must be a Tensor, got ${typeof input}`);
    this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked !== null) {
      noGrad(() => this.numBatchesTracked!.add_(1));
      // NOTE(torch): momentum null means a cumulative moving average: 1 / batches seen.
      factor = this.momentum === null ? 1 / this.numBatchesTracked.item() : this.momentum;
    }
    const useBatch = this.training || (this.runningMean === null && this.runningVar === null);
    const keepRunning = !this.training || this.trackRunningStats;
    return F.batchNorm(input, keepRunning ? this.runningMean : null, keepRunning ? this.runningVar : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatch,
      momentum: factor,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    const m = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** Options of {@link Dropout} and {@link AlphaDropout}. */
export interface DropoutModuleOptions {
  /** Overwrite the input (PyTorch: `inplace`). Default `false`. */
  inplace?: boolean;
}

function checkP(p: unknown, where: string): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${where}: dropout probability has to be between 0 and 1, but got ${String(p)}`);
  return p;
}

/**
 * Dropout, as `torch.nn.Dropout(p=0.5, inplace=False)`: in training mode zeroes each element
 * with probability `p` (a mask drawn from the default generator, equal to PyTorch's after the same
 * seed) and scales the rest by `1 / (1 - p)`; in evaluation mode returns the input.
 *
 * @example
 * ```ts
 * import { nn, manualSeed, ones } from 'paoding';
 * const drop = new nn.Dropout(0.5);
 * manualSeed(0);
 * console.log(drop.toString(), drop.forward(ones([6])).tolist()); // Dropout(p=0.5, inplace=False) [ 0, 0, 2, 0, 0, 0 ]
 * console.log(drop.eval().forward(ones([3])).tolist()); // [ 1, 1, 1 ]
 * ```
 */
export class Dropout extends Module {
  /** Probability of zeroing an element. */
  p: number;
  /** Whether the input is overwritten. */
  inplace: boolean;

  constructor(p = 0.5, opts: DropoutModuleOptions = {}) {
    super();
    const where = `nn.${this.reprName}()`;
    checkOptions(opts, ['inplace'], where);
    this.p = checkP(p, where);
    this.inplace = checkBool(opts.inplace ?? false, where, 'inplace');
  }

  forward(input: Tensor): Tensor {
    return F.dropout(input, { p: this.p, training: this.training, inplace: this.inplace });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/**
 * Alpha dropout for SELU networks, as `torch.nn.AlphaDropout(p=0.5, inplace=False)`: in
 * training mode dropped elements take SELU's negative saturation value and an affine correction
 * keeps zero mean and unit variance (see {@link F.alphaDropout}); identity in evaluation mode.
 *
 * NOTE(torch): `inplace` is accepted and printed but, as in PyTorch, the result is a new tensor.
 *
 * @example
 * ```ts
 * import { nn } from 'paoding';
 * console.log(new nn.AlphaDropout(0.2).toString()); // AlphaDropout(p=0.2, inplace=False)
 * ```
 */
export class AlphaDropout extends Dropout {
  override forward(input: Tensor): Tensor {
    return F.alphaDropout(input, { p: this.p, training: this.training });
  }
}

/** Options of {@link Flatten}. */
export interface FlattenOptions {
  /** First dimension to flatten (PyTorch: `start_dim`). Default `1` (keep the batch). */
  startDim?: number;
  /** Last dimension to flatten (PyTorch: `end_dim`). Default `-1`. */
  endDim?: number;
}

/**
 * Flatten dimensions `startDim..endDim` into one, as `torch.nn.Flatten(start_dim=1,
 * end_dim=-1)`: by default `(N, *)` becomes `(N, prod(*))`.
 *
 * @example
 * ```ts
 * import { nn, zeros } from 'paoding';
 * const flat = new nn.Flatten();
 * console.log(flat.toString(), flat.forward(zeros([2, 1, 28, 28])).shape); // Flatten(start_dim=1, end_dim=-1) [ 2, 784 ]
 * ```
 */
export class Flatten extends Module {
  /** First dimension flattened. */
  startDim: number;
  /** Last dimension flattened. */
  endDim: number;

  constructor(opts: FlattenOptions = {}) {
    super();
    checkOptions(opts, ['startDim', 'endDim'], 'nn.Flatten()');
    this.startDim = opts.startDim ?? 1;
    this.endDim = opts.endDim ?? -1;
    for (const [k, v] of [['startDim', this.startDim], ['endDim', this.endDim]] as const) {
      if (!Number.isInteger(v)) throw new TypeError(`nn.Flatten(): option '${k}' must be an integer, got ${String(v)}`);
    }
  }

  forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * The identity, as `torch.nn.Identity`: returns its input (arguments to the constructor are
 * ignored, as in PyTorch). Useful as a placeholder when swapping layers.
 *
 * @example
 * ```ts
 * import { nn, tensor } from 'paoding';
 * const x = tensor([1, 2]);
 * console.log(new nn.Identity().forward(x) === x, new nn.Identity().toString()); // true Identity()
 * ```
 */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }

  forward<T>(input: T): T {
    return input;
  }
}

function checkModule(m: unknown, where: string, i: number | string): Module {
  if (!(m instanceof Module)) {
    throw new TypeError(`${where}: argument ${i} must be a Module, got ${m === null ? 'null' : typeof m === 'object' ? (m as object).constructor?.name ?? 'object' : typeof m}`);
  }
  return m;
}

/** The children of a list-like container, as an array. */
function listChildren(self: Module): Module[] {
  return self.namedChildren().map(([, m]) => m);
}

/** Normalise a (possibly negative) index into a container of `n` modules. */
function listIndex(i: number, n: number, where: string): number {
  if (!Number.isInteger(i)) throw new TypeError(`${where}: index must be an integer, got ${String(i)}`);
  if (i < -n || i >= n) throw new RangeError(`${where}: index ${i} is out of range`);
  return i < 0 ? i + n : i;
}

/**
 * A chain of modules, as `torch.nn.Sequential`: `forward(x)` runs each child on the previous
 * one's output. Children are named `'0'`, `'1'`, ... (so parameters are `0.weight`, ...), or
 * take the names of a `Map` given instead (PyTorch's `OrderedDict` form).
 *
 * @example
 * ```ts
 * import { nn, tensor } from 'paoding';
 * const model = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU({ inplace: true }), new nn.Softmax({ dim: 1 }));
 * console.log(model.toString());
 * // Sequential(
 * //   (0): Linear(in_features=2, out_features=2, bias=True)
 * //   (1): ReLU(inplace=True)
 * //   (2): Softmax(dim=1)
 * // )
 * console.log(model.length, model.at(-1).toString(), model.forward(tensor([[1, 2]])).shape); // 3 Softmax(dim=1) [ 1, 2 ]
 * ```
 */
export class Sequential extends Module {
  constructor(...modules: Module[] | [Map<string, Module>]) {
    super();
    const first = modules[0] as unknown;
    if (modules.length === 1 && first instanceof Map) {
      for (const [name, m] of first as Map<string, Module>) this.addModule(String(name), checkModule(m, 'nn.Sequential()', JSON.stringify(name)));
    } else {
      (modules as Module[]).forEach((m, i) => this.addModule(String(i), checkModule(m, 'nn.Sequential()', i)));
    }
  }

  /** @internal Register a child under `name`. */
  private addModule(name: string, m: Module): void {
    (this as unknown as Record<string, Module>)[name] = m;
  }

  /** The number of modules. */
  get length(): number {
    return this.namedChildren().length;
  }

  /** The module at position `i` (negative counts from the end). */
  at(i: number): Module {
    const list = listChildren(this);
    return list[listIndex(i, list.length, 'Sequential.at()')]!;
  }

  /** Add a module at the end; returns this container. */
  append(module: Module): this {
    this.addModule(String(this.length), checkModule(module, 'Sequential.append()', 0));
    return this;
  }

  /** Add several modules at the end; returns this container. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return listChildren(this)[Symbol.iterator]();
  }

  /** Run the modules in order, each on the previous one's output. */
  forward(input: Tensor): Tensor;
  forward(input: unknown): unknown;
  forward(input: unknown): unknown {
    let x = input;
    for (const m of listChildren(this)) x = call(m, x);
    return x;
  }
}

/**
 * A list of modules whose parameters the parent module owns, as `torch.nn.ModuleList`. It has
 * no `forward`: the parent decides how to call the modules.
 *
 * @example
 * ```ts
 * import { nn, Tensor, tensor } from 'paoding';
 * class Stack extends nn.Module {
 *   layers = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 1)]);
 *   forward(x: Tensor): Tensor {
 *     for (const layer of this.layers) x = (layer as nn.Linear).forward(x);
 *     return x;
 *   }
 * }
 * const net = new Stack();
 * console.log(net.parameters().length, net.forward(tensor([[1, 2]])).shape); // 4 [ 1, 1 ]
 * ```
 */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /** The number of modules. */
  get length(): number {
    return this.namedChildren().length;
  }

  /** The module at position `i` (negative counts from the end). */
  at(i: number): Module {
    const list = listChildren(this);
    return list[listIndex(i, list.length, 'ModuleList.at()')]!;
  }

  /** Add a module at the end; returns this list. */
  append(module: Module): this {
    (this as unknown as Record<string, Module>)[String(this.length)] = checkModule(module, 'ModuleList.append()', 0);
    return this;
  }

  /** Add several modules at the end; returns this list. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return listChildren(this)[Symbol.iterator]();
  }

  forward(): never {
    throw new Error('Module [ModuleList] is missing the required "forward" function');
  }
}
