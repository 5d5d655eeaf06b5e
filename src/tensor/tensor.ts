/**
 * The tensor: a strided view of typed-array storage, with PyTorch's methods, autograd history
 * and version counter.
 */
import { AccumulateGrad, type GradHook, Node } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { backward as runBackward } from '../autograd/engine.js';
import { allocate, type DType, isFloat, torchTypeName, type TypedArray, checkDtype } from './dtype.js';
import { contiguousStrides, isContiguousLayout, normalizeDim, numel, shapeStr } from './shape.js';
import { formatTensor } from './format.js';
import * as arith from '../ops/arith.js';
import type { AlphaOptions, DivOptions, TensorOrScalar } from '../ops/arith.js';
import * as views from '../ops/views.js';
import * as reduce from '../ops/reduce.js';
import type { ReduceOptions, ValuesIndices, VarOptions } from '../ops/reduce.js';
import * as linalg from '../ops/linalg.js';
import { copyInto } from '../ops/fused.js';
import { copy_, fill_, toDtype } from '../ops/copy.js';
import * as act from '../ops/tensor_activations.js';

/**
 * The memory behind one or more tensors, with the version counter PyTorch keeps per storage:
 * every in-place write bumps it, and autograd compares it with the version saved for backward.
 */
export class Storage {
  /** In-place modification count, shared by every view of this storage. */
  version = 0;
  /** @internal Creation order: the backward pass knows which storages it created itself. */
  readonly serial = ++storageSerial;
  constructor(readonly data: TypedArray) {}
}

let storageSerial = 0;

/** @internal The serial number of the most recently created storage. */
export function lastStorageSerial(): number {
  return storageSerial;
}

/** Options of `backward()`. */
export interface BackwardOptions {
  /** Keep the graph's saved tensors so backward can run through it again. Default: `createGraph`. */
  retainGraph?: boolean;
  /** Record the backward pass so the gradient can be differentiated again. Default false. */
  createGraph?: boolean;
  /** Accumulate only into these leaves' `.grad` (default: every leaf reached). */
  inputs?: readonly Tensor[];
}

/** A handle that removes a hook. */
export interface RemovableHandle {
  remove(): void;
}

/** A nested array of numbers (or booleans for bool tensors), as `tolist()` returns. */
export type NestedList = number | boolean | NestedList[];

/**
 * A multi-dimensional array of float32, float64, integer or boolean elements, with PyTorch's
 * semantics: broadcasting, views that share memory, autograd, in-place operations guarded by
 * version counters.
 *
 * Build tensors with `tensor()`, `zeros()`, `randn()`, ...; never with `new`.
 *
 * @example
 * ```ts
 * import { tensor } from 'paoding';
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const y = x.mul(x).sum();
 * y.backward();
 * console.log(y.item(), x.grad!.tolist()); // 30 [ [ 2, 4 ], [ 6, 8 ] ]
 * ```
 */
export class Tensor {
  /** @internal */ _storage: Storage;
  /** The size of each dimension. */
  readonly shape: readonly number[];
  /** Elements to step in storage for one step along each dimension. */
  readonly strides: readonly number[];
  /** Index of the first element in storage. */
  readonly offset: number;
  /** The element type. */
  readonly dtype: DType;
  /** The accumulated gradient (leaves, and non-leaves after `retainGrad()`). */
  grad: Tensor | null = null;
  /** @internal The tensor whose storage this view shares (null for a non-view). */
  _base: Tensor | null = null;
  /** @internal */ _gradFn: Node | null = null;
  /** @internal The version at which a view's history was last derived from its base. */
  _gradFnVersion = 0;
  /** @internal */ _requiresGrad = false;
  /** @internal */ _accumulator: AccumulateGrad | null = null;
  /** @internal Hooks of a leaf (non-leaf hooks live on the node). */
  _hooks: GradHook[] = [];
  /** @internal */ _retainsGrad = false;
  /**
   * @internal A view made under `noGrad` of a tensor that requires grad (PyTorch's
   * `CreationMeta::NO_GRAD_MODE`): modifying it in place with grad mode on is an error.
   */
  _noGradView = false;

  /** @internal Use the creation functions instead. */
  constructor(storage: Storage, shape: readonly number[], strides: readonly number[], offset: number, dtype: DType) {
    this._storage = storage;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
    this.dtype = dtype;
  }

  // ---- autograd metadata -------------------------------------------------------------------

  /** @internal The in-place version counter (shared with views). */
  get _version(): number {
    return this._storage.version;
  }

  /** @internal Mark an in-place write. */
  _bumpVersion(): void {
    this._storage.version++;
  }

  /**
   * The node that produced this tensor (`null` for leaves), PyTorch's `grad_fn`. A view whose
   * base was modified in place gets a fresh history through the base, as in PyTorch.
   */
  get gradFn(): Node | null {
    if (this._base !== null && this._gradFnVersion !== this._version) this._regenerateViewHistory();
    return this._gradFn;
  }

  /** @internal Rebuild a view's history as a strided view of its base's current history. */
  _regenerateViewHistory(): void {
    const base = this._base!;
    this._gradFnVersion = this._version;
    if (!base.requiresGrad) {
      this._gradFn = null;
      return;
    }
    const v = views.asStrided(base, { shape: this.shape, strides: this.strides, offset: this.offset - base.offset });
    this._gradFn = v._gradFn;
  }

  /** Whether operations on this tensor are recorded for autograd. */
  get requiresGrad(): boolean {
    return this._requiresGrad || this.gradFn !== null;
  }

  set requiresGrad(flag: boolean) {
    this.requiresGrad_(flag);
  }

  /**
   * Set `requiresGrad` on a leaf, in place; returns this tensor.
   *
   * @example
   * ```ts
   * import { ones } from 'paoding';
   * const w = ones([2]).requiresGrad_();
   * console.log(w.requiresGrad, w.isLeaf); // true true
   * ```
   */
  requiresGrad_(flag = true): this {
    if (typeof flag !== 'boolean') throw new TypeError(`requiresGrad_(): argument 'requires_grad' must be a boolean, got ${typeof flag}`);
    if (!this.isLeaf) {
      if (flag) return this;
      throw new Error(
        'you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn\'t require differentiation use var_no_grad = var.detach().',
      );
    }
    if (flag && !isFloat(this.dtype)) {
      throw new TypeError(`only Tensors of floating point dtype can require gradients (got ${this.dtype})`);
    }
    this._requiresGrad = flag;
    return this;
  }

  /** Whether this tensor is a leaf of the graph (it has no `gradFn`). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** @internal The edge a consumer's node gets to this tensor's gradient. */
  _gradEdge(): Node | null {
    const fn = this.gradFn;
    if (fn !== null) return fn;
    if (!this._requiresGrad) return null;
    if (this._accumulator === null) this._accumulator = new AccumulateGrad(this);
    return this._accumulator;
  }

  /** @internal Make `node` this tensor's history, with edges to `inputs`. */
  _setHistory(node: Node, inputs: readonly Tensor[]): void {
    node.next = inputs.map((t) => t._gradEdge());
    this._gradFn = node;
    this._gradFnVersion = this._version;
  }

  /**
   * Compute the gradient of this tensor with respect to the leaves of its graph and add it into
   * their `.grad`, as `tensor.backward()`. A non-scalar tensor needs `gradient`.
   *
   * @example
   * ```ts
   * import { tensor } from 'paoding';
   * const x = tensor([1, 2, 3], { requiresGrad: true });
   * x.relu().backward(tensor([1, 1, 1]));
   * console.log(x.grad!.tolist()); // [ 1, 1, 1 ]
   * ```
   */
  backward(gradient?: Tensor, opts: BackwardOptions = {}): void {
    runBackward([this], gradient === undefined ? undefined : [gradient], opts);
  }

  /**
   * Keep this non-leaf tensor's gradient in `.grad` during backward.
   *
   * @example
   * ```ts
   * import { tensor } from 'paoding';
   * const x = tensor([1, 2], { requiresGrad: true });
   * const h = x.mul(3);
   * h.retainGrad();
   * h.sum().backward();
   * console.log(h.grad!.tolist()); // [ 1, 1 ]
   * ```
   */
  retainGrad(): void {
    if (!this.requiresGrad) throw new Error("can't retain_grad on Tensor that has requires_grad=False");
    if (this.isLeaf || this._retainsGrad) return;
    this._retainsGrad = true;
    this._retainGradOn(this.gradFn!);
  }

  /**
   * @internal Fill `.grad` from the gradient flowing into `fn` while `fn` is this tensor's
   * history. An in-place operation on this tensor installs it again on its new node, so the
   * retained gradient is that of the latest version, as in PyTorch.
   */
  _retainGradOn(fn: Node): void {
    fn.preHooks.push((g) => {
      if (this.gradFn !== fn) return;
      this.grad = this.grad === null ? g.detach().clone() : this.grad.add(g.detach());
    });
  }

  /**
   * Register a hook that sees (and may replace) the gradient flowing into this tensor.
   *
   * @example
   * ```ts
   * import { tensor } from 'paoding';
   * const x = tensor([1, 2], { requiresGrad: true });
   * const handle = x.registerHook((g) => g.mul(10));
   * x.sum().backward();
   * console.log(x.grad!.tolist()); // [ 10, 10 ]
   * handle.remove();
   * ```
   */
  registerHook(hook: GradHook): RemovableHandle {
    if (!this.requiresGrad) throw new Error("cannot register a hook on a tensor that doesn't require gradient");
    const list = this.isLeaf ? this._hooks : this.gradFn!.preHooks;
    list.push(hook);
    return { remove: () => void list.splice(list.indexOf(hook) >>> 0, list.includes(hook) ? 1 : 0) };
  }

  // ---- shape and data access --------------------------------------------------------------

  /** The number of dimensions. */
  dim(): number {
    return this.shape.length;
  }

  /** The number of dimensions (an alias of `dim()`). */
  get ndim(): number {
    return this.shape.length;
  }

  /** The number of elements. */
  numel(): number {
    return numel(this.shape);
  }

  /** The shape, or the size of dimension `dim`. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return [...this.shape];
    return this.shape[normalizeDim(dim, this.dim(), 'size()')] ?? 1;
  }

  /** The strides, or the stride of dimension `dim`. */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    if (dim === undefined) return [...this.strides];
    return this.strides[normalizeDim(dim, this.dim(), 'stride()')] ?? 1;
  }

  /** The offset of the first element in storage. */
  storageOffset(): number {
    return this.offset;
  }

  /** Whether the elements are laid out row-major without gaps. */
  isContiguous(): boolean {
    return isContiguousLayout(this.shape, this.strides);
  }

  /** Whether the dtype is float32 or float64. */
  isFloatingPoint(): boolean {
    return isFloat(this.dtype);
  }

  /**
   * The value of a one-element tensor.
   *
   * @example
   * ```ts
   * import { tensor } from 'paoding';
   * console.log(tensor([2.5]).item()); // 2.5
   * ```
   */
  item(): number {
    if (this.numel() !== 1) {
      throw new RangeError(`item(): a Tensor with ${this.numel()} elements cannot be converted to Scalar`);
    }
    return this._storage.data[this.offset]!;
  }

  /**
   * The elements as (nested) JavaScript arrays; booleans for bool tensors.
   *
   * @example
   * ```ts
   * import { tensor } from 'paoding';
   * console.log(tensor([[1, 2], [3, 4]]).tolist()); // [ [ 1, 2 ], [ 3, 4 ] ]
   * ```
   */
  tolist(): NestedList {
    const data = this._storage.data;
    const bool = this.dtype === 'bool';
    const walk = (d: number, off: number): NestedList => {
      if (d === this.dim()) return bool ? data[off] !== 0 : data[off]!;
      const out: NestedList[] = [];
      for (let i = 0; i < this.shape[d]!; i++) out.push(walk(d + 1, off + i * this.strides[d]!));
      return out;
    };
    return walk(0, this.offset);
  }

  /**
   * A contiguous copy of the elements as a typed array (Float32Array for float32, ...).
   *
   * @example
   * ```ts
   * import { tensor } from 'paoding';
   * console.log(tensor([1, 2]).toTypedArray()); // Float32Array(2) [ 1, 2 ]
   * ```
   */
  toTypedArray(): TypedArray {
    const c = this.contiguous();
    const n = this.numel();
    const out = allocate(this.dtype, n);
    out.set(c._storage.data.subarray(c.offset, c.offset + n) as never);
    return out;
  }

  /**
   * PyTorch's printed form: `tensor([1., 2.], requires_grad=True)`.
   *
   * @example
   * ```ts
   * import { tensor } from 'paoding';
   * console.log(tensor([0.5, -1]).relu().toString()); // tensor([0.5000, 0.0000])
   * ```
   */
  toString(): string {
    const suffixes: string[] = [];
    if (this.dtype !== 'float32' && this.dtype !== 'int64' && this.dtype !== 'bool') suffixes.push(`dtype=torch.${this.dtype}`);
    else if (this.dtype === 'float32' && false) suffixes.push('');
    const fn = this.gradFn;
    if (fn !== null) suffixes.push(`grad_fn=<${fn.name}>`);
    else if (this.requiresGrad) suffixes.push('requires_grad=True');
    const c = this.contiguous();
    return formatTensor(c._storage.data.subarray(c.offset, c.offset + this.numel()), this.shape, this.dtype, suffixes);
  }

  /** The legacy type string, e.g. `paoding.FloatTensor`. */
  type(): string {
    return `paoding.${torchTypeName(this.dtype)}Tensor`;
  }

  // ---- copies, dtype conversion, detaching -------------------------------------------------

  /** A tensor sharing this storage but detached from the graph (same version counter). */
  detach(): Tensor {
    const t = new Tensor(this._storage, this.shape, this.strides, this.offset, this.dtype);
    return t;
  }

  /** Detach this tensor from the graph in place (makes it a leaf that does not require grad). */
  detach_(): this {
    if (this._base !== null) throw new Error("detach_(): Can't detach views in-place. Use detach() instead.");
    this._gradFn = null;
    this._requiresGrad = false;
    return this;
  }

  /** A copy with its own storage (differentiable: the gradient passes through). */
  clone(): Tensor {
    return toDtype(this, this.dtype, true);
  }

  /** This tensor if contiguous, else a contiguous copy. */
  contiguous(): Tensor {
    return this.isContiguous() ? this : this.clone();
  }

  /** Convert to `dtype` (this tensor itself if it already has it). */
  to(dtype: DType): Tensor {
    checkDtype(dtype, 'to()');
    return dtype === this.dtype ? this : toDtype(this, dtype, false);
  }
  /** `to('float32')`. */
  float(): Tensor {
    return this.to('float32');
  }
  /** `to('float64')`. */
  double(): Tensor {
    return this.to('float64');
  }
  /** `to('int32')`. */
  int(): Tensor {
    return this.to('int32');
  }
  /** `to('int64')`. */
  long(): Tensor {
    return this.to('int64');
  }
  /** `to('bool')`. */
  bool(): Tensor {
    return this.to('bool');
  }

  /** @internal A view with the same geometry (what `reshape` to the same shape returns). */
  _alias(): Tensor {
    return views.makeView(this, { shape: this.shape, strides: this.strides, offset: this.offset }, 'AliasBackward0', (g) => g);
  }

  /** @internal Raw copy of `src` (broadcast) into this tensor, outside autograd. */
  _copyFrom(src: Tensor): void {
    copyInto(this, src);
  }

  /** Copy `src` (broadcast, any dtype) into this tensor, in place. */
  copy_(src: Tensor): this {
    return copy_(this, src) as this;
  }

  /** Fill with `value`, in place. */
  fill_(value: number | boolean): this {
    return fill_(this, Number(value)) as this;
  }

  /** Fill with zeros, in place. */
  zero_(): this {
    return fill_(this, 0) as this;
  }

  // ---- views ------------------------------------------------------------------------------

  /** A view with a new shape (one dim may be -1); throws if the layout does not allow it. */
  view(...shape: number[] | [readonly number[]]): Tensor {
    return views.view(this, flatArgs(shape));
  }
  /** A view with a new shape when possible, else a copy. */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return views.reshape(this, flatArgs(shape));
  }
  /** `view(other.shape)`. */
  viewAs(other: Tensor): Tensor {
    return this.view(other.shape);
  }
  /** `reshape(other.shape)`. */
  reshapeAs(other: Tensor): Tensor {
    return this.reshape(other.shape);
  }
  /** Reorder dimensions. */
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return views.permute(this, flatArgs(dims));
  }
  /** Swap two dimensions. */
  transpose(dim0: number, dim1: number): Tensor {
    return views.transpose(this, dim0, dim1);
  }
  /** The transpose of a matrix (or the tensor itself for fewer than 2 dims). */
  t(): Tensor {
    if (this.dim() > 2) throw new RangeError(`t(): expects a tensor with <= 2 dimensions, but self is ${this.dim()}D`);
    return this.dim() < 2 ? this._alias() : views.transpose(this, 0, 1);
  }
  /** The matrix transpose, as `x.mT`: swaps the last two dims. */
  get mT(): Tensor {
    return views.transpose(this, -2, -1);
  }
  /** `length` elements of `dim` from `start`, as a view. */
  narrow(dim: number, start: number, length: number): Tensor {
    return views.narrow(this, dim, start, length);
  }
  /** Python's `x[..., start:end:step]` on one dimension, as a view. */
  slice(dim: number, start?: number, end?: number, step?: number): Tensor {
    return views.slice(this, dim, start, end, step);
  }
  /** The slice at `index` of `dim`, without that dimension. */
  select(dim: number, index: number): Tensor {
    return views.select(this, dim, index);
  }
  /** Broadcast to a larger shape without copying (-1 keeps a size). */
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return views.expand(this, flatArgs(shape));
  }
  /** `expand(other.shape)`. */
  expandAs(other: Tensor): Tensor {
    return views.expand(this, other.shape);
  }
  /** Insert a dimension of size 1. */
  unsqueeze(dim: number): Tensor {
    return views.unsqueeze(this, dim);
  }
  /** Remove dimensions of size 1 (all, or the given ones). */
  squeeze(dim?: number | readonly number[]): Tensor {
    return views.squeeze(this, dim);
  }
  /** Merge dims `startDim..endDim` into one. */
  flatten(startDim = 0, endDim = -1): Tensor {
    return views.flatten(this, startDim, endDim);
  }
  /** Split dim `dim` into `sizes`. */
  unflatten(dim: number, sizes: readonly number[]): Tensor {
    return views.unflatten(this, dim, sizes);
  }
  /** Views of consecutive pieces along `dim`. */
  split(size: number | readonly number[], dim = 0): Tensor[] {
    return views.split(this, size, dim);
  }
  /** `chunks` views of (nearly) equal size along `dim`. */
  chunk(chunks: number, dim = 0): Tensor[] {
    return views.chunk(this, chunks, dim);
  }
  /** The slices along `dim`. */
  unbind(dim = 0): Tensor[] {
    return views.unbind(this, dim);
  }

  // ---- arithmetic ---------------------------------------------------------------------------

  /** `this + alpha * other`, broadcast. */
  add(other: TensorOrScalar, opts?: AlphaOptions): Tensor {
    return arith.add(this, other, opts);
  }
  /** In-place `add`. */
  add_(other: TensorOrScalar, opts?: AlphaOptions): this {
    return arith.add(this, other, opts, true) as this;
  }
  /** `this - alpha * other`. */
  sub(other: TensorOrScalar, opts?: AlphaOptions): Tensor {
    return arith.sub(this, other, opts);
  }
  /** In-place `sub`. */
  sub_(other: TensorOrScalar, opts?: AlphaOptions): this {
    return arith.sub(this, other, opts, true) as this;
  }
  /** `other - this` (for a number `other`). */
  rsub(other: TensorOrScalar): Tensor {
    return arith.neg(this).add(other);
  }
  /** Elementwise product. */
  mul(other: TensorOrScalar): Tensor {
    return arith.mul(this, other);
  }
  /** In-place `mul`. */
  mul_(other: TensorOrScalar): this {
    return arith.mul(this, other, true) as this;
  }
  /** True division (integers give floats), or rounded with `roundingMode`. */
  div(other: TensorOrScalar, opts?: DivOptions): Tensor {
    return arith.div(this, other, opts);
  }
  /** In-place `div`. */
  div_(other: TensorOrScalar, opts?: DivOptions): this {
    return arith.div(this, other, opts, true) as this;
  }
  /** `this ** exponent`. */
  pow(exponent: TensorOrScalar): Tensor {
    return arith.pow(this, exponent);
  }
  /** In-place `pow`. */
  pow_(exponent: TensorOrScalar): this {
    return arith.pow(this, exponent, true) as this;
  }
  /** `-this`. */
  neg(): Tensor {
    return arith.neg(this);
  }
  /** In-place `neg`. */
  neg_(): this {
    return arith.neg(this, true) as this;
  }
  abs(): Tensor {
    return arith.sameUnary('abs', this);
  }
  abs_(): this {
    return arith.sameUnary('abs', this, true) as this;
  }
  sign(): Tensor {
    return arith.sameUnary('sign', this);
  }
  floor(): Tensor {
    return arith.sameUnary('floor', this);
  }
  ceil(): Tensor {
    return arith.sameUnary('ceil', this);
  }
  /** Round half to even, as `torch.round`. */
  round(): Tensor {
    return arith.sameUnary('round', this);
  }
  trunc(): Tensor {
    return arith.sameUnary('trunc', this);
  }
  square(): Tensor {
    return arith.sameUnary('square', this);
  }
  exp(): Tensor {
    return arith.floatUnary('exp', this);
  }
  exp_(): this {
    return arith.floatUnary('exp', this, true) as this;
  }
  expm1(): Tensor {
    return arith.floatUnary('expm1', this);
  }
  log(): Tensor {
    return arith.floatUnary('log', this);
  }
  log_(): this {
    return arith.floatUnary('log', this, true) as this;
  }
  log1p(): Tensor {
    return arith.floatUnary('log1p', this);
  }
  log2(): Tensor {
    return arith.floatUnary('log2', this);
  }
  log10(): Tensor {
    return arith.floatUnary('log10', this);
  }
  sqrt(): Tensor {
    return arith.floatUnary('sqrt', this);
  }
  sqrt_(): this {
    return arith.floatUnary('sqrt', this, true) as this;
  }
  rsqrt(): Tensor {
    return arith.floatUnary('rsqrt', this);
  }
  reciprocal(): Tensor {
    return arith.floatUnary('reciprocal', this);
  }
  sin(): Tensor {
    return arith.floatUnary('sin', this);
  }
  cos(): Tensor {
    return arith.floatUnary('cos', this);
  }
  erf(): Tensor {
    return arith.floatUnary('erf', this);
  }
  erfc(): Tensor {
    return arith.floatUnary('erfc', this);
  }
  /** Clamp into `[min, max]` (either may be omitted); NaN passes through. */
  clamp(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor {
    return arith.clamp(this, min, max);
  }
  /** In-place `clamp`. */
  clamp_(min?: TensorOrScalar | null, max?: TensorOrScalar | null): this {
    return arith.clamp(this, min, max, true) as this;
  }
  /** Alias of `clamp`. */
  clip(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor {
    return arith.clamp(this, min, max);
  }
  clampMin(min: TensorOrScalar): Tensor {
    return arith.clamp(this, min, undefined);
  }
  clampMax(max: TensorOrScalar): Tensor {
    return arith.clamp(this, undefined, max);
  }
  /** Elementwise maximum with `other` (NaN-propagating). */
  maximum(other: Tensor): Tensor {
    return arith.maximum(this, other);
  }
  /** Elementwise minimum with `other`. */
  minimum(other: Tensor): Tensor {
    return arith.minimum(this, other);
  }
  /** `condition ? this : other`, as `x.where(condition, y)`. */
  where(condition: Tensor, other: TensorOrScalar): Tensor {
    return arith.where(condition, this, other);
  }
  /** `this + weight * (end - this)`. */
  lerp(end: Tensor, weight: number): Tensor {
    return arith.lerp(this, end, weight);
  }
  eq(other: TensorOrScalar): Tensor {
    return arith.compare('eq', this, other);
  }
  ne(other: TensorOrScalar): Tensor {
    return arith.compare('ne', this, other);
  }
  lt(other: TensorOrScalar): Tensor {
    return arith.compare('lt', this, other);
  }
  le(other: TensorOrScalar): Tensor {
    return arith.compare('le', this, other);
  }
  gt(other: TensorOrScalar): Tensor {
    return arith.compare('gt', this, other);
  }
  ge(other: TensorOrScalar): Tensor {
    return arith.compare('ge', this, other);
  }
  logicalNot(): Tensor {
    return arith.logical('not', this);
  }
  logicalAnd(other: Tensor): Tensor {
    return arith.logical('and', this, other);
  }
  logicalOr(other: Tensor): Tensor {
    return arith.logical('or', this, other);
  }
  logicalXor(other: Tensor): Tensor {
    return arith.logical('xor', this, other);
  }
  isnan(): Tensor {
    return arith.classify('isnan', this);
  }
  isinf(): Tensor {
    return arith.classify('isinf', this);
  }
  isfinite(): Tensor {
    return arith.classify('isfinite', this);
  }

  // ---- reductions ---------------------------------------------------------------------------

  /** Sum over `dim` (all when omitted). */
  sum(dim?: number | readonly number[], opts?: ReduceOptions): Tensor {
    return reduce.sum(this, dim, opts);
  }
  /** Mean over `dim` (all when omitted). */
  mean(dim?: number | readonly number[], opts?: ReduceOptions): Tensor {
    return reduce.mean(this, dim, opts);
  }
  /** Maximum over `dim` (all when omitted), NaN-propagating. */
  amax(dim?: number | readonly number[], opts?: ReduceOptions): Tensor {
    return reduce.amax(this, dim, opts);
  }
  /** Minimum over `dim` (all when omitted). */
  amin(dim?: number | readonly number[], opts?: ReduceOptions): Tensor {
    return reduce.amin(this, dim, opts);
  }
  /** The maximum of all elements, or `{ values, indices }` along `dim`. */
  max(): Tensor;
  max(dim: number, opts?: ReduceOptions): ValuesIndices;
  max(dim?: number, opts: ReduceOptions = {}): Tensor | ValuesIndices {
    return dim === undefined ? reduce.extremeAll(this, 'max') : reduce.extremeDim(this, dim, opts, 'max');
  }
  /** The minimum of all elements, or `{ values, indices }` along `dim`. */
  min(): Tensor;
  min(dim: number, opts?: ReduceOptions): ValuesIndices;
  min(dim?: number, opts: ReduceOptions = {}): Tensor | ValuesIndices {
    return dim === undefined ? reduce.extremeAll(this, 'min') : reduce.extremeDim(this, dim, opts, 'min');
  }
  /** Index of the maximum (over the flattened tensor when `dim` is omitted). */
  argmax(dim?: number, opts: ReduceOptions = {}): Tensor {
    return reduce.argExtreme(this, dim, opts, 'max');
  }
  /** Index of the minimum. */
  argmin(dim?: number, opts: ReduceOptions = {}): Tensor {
    return reduce.argExtreme(this, dim, opts, 'min');
  }
  /** `log(sum(exp(x)))` over `dim`, computed stably. */
  logsumexp(dim: number | readonly number[], opts?: ReduceOptions): Tensor {
    return reduce.logsumexp(this, dim, opts);
  }
  /** Variance (Bessel-corrected unless `correction: 0`). */
  var(dim?: number | readonly number[], opts?: VarOptions): Tensor {
    return reduce.variance(this, dim, opts);
  }
  /** Standard deviation. */
  std(dim?: number | readonly number[], opts?: VarOptions): Tensor {
    return reduce.std(this, dim, opts);
  }
  /** Gather along `dim` at `index` (int64). */
  gather(dim: number, index: Tensor): Tensor {
    return reduce.gather(this, dim, index);
  }
  /** Out-of-place scatter-add of `src` at `index` along `dim`. */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return reduce.scatterAdd(this, dim, index, src);
  }

  // ---- linear algebra -----------------------------------------------------------------------

  /** Matrix product with PyTorch's `matmul` rules. */
  matmul(other: Tensor): Tensor {
    return linalg.matmul(this, other);
  }
  /** 2-D matrix product. */
  mm(other: Tensor): Tensor {
    return linalg.mm(this, other);
  }
  /** Batched matrix product of 3-D tensors. */
  bmm(other: Tensor): Tensor {
    return linalg.bmm(this, other);
  }
  /** Dot product of 1-D tensors. */
  dot(other: Tensor): Tensor {
    if (this.dim() !== 1 || other.dim() !== 1) throw new RangeError(`dot(): 1D tensors expected, but got ${this.dim()}D and ${other.dim()}D tensors`);
    return linalg.matmul(this, other);
  }

  // ---- activations PyTorch offers as tensor methods ----------------------------------------

  relu(): Tensor {
    return act.call('relu', this, {});
  }
  relu_(): this {
    return act.call('relu', this, { inplace: true }) as this;
  }
  sigmoid(): Tensor {
    return act.call('sigmoid', this, {});
  }
  sigmoid_(): this {
    return act.call('sigmoid', this, { inplace: true }) as this;
  }
  tanh(): Tensor {
    return act.call('tanh', this, {});
  }
  tanh_(): this {
    return act.call('tanh', this, { inplace: true }) as this;
  }
  hardshrink(lambd = 0.5): Tensor {
    return act.call('hardshrink', this, { lambd });
  }
  /** PReLU with a weight of one element or one per channel (dim 1). */
  prelu(weight: Tensor): Tensor {
    return act.call('prelu', this, { weight });
  }
  /** Softmax along `dim`. */
  softmax(dim: number): Tensor {
    return act.call('softmax', this, { dim });
  }
  /** Log-softmax along `dim`. */
  logSoftmax(dim: number): Tensor {
    return act.call('log_softmax', this, { dim });
  }
}

function flatArgs(args: number[] | [readonly number[]]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as readonly number[])];
  return args as number[];
}

/** Whether grad mode is on (re-exported here for ops that only import the tensor module). */
export { isGradEnabled, shapeStr, contiguousStrides };
