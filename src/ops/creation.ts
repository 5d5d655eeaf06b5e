/**
 * Building tensors: from JavaScript data (`tensor`), filled (`zeros`, `full`, ...), ranges
 * (`arange`, `linspace`) and joins (`cat`, `stack`).
 */
import { record } from '../autograd/record.js';
import { allocate, checkDtype, type DType, getDefaultDtype, isFloat, resultType, type TypedArray } from '../tensor/dtype.js';
import { checkShape, contiguousStrides, normalizeDim, numel, shapeStr } from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';

/** Nested arrays of numbers or booleans, as `tensor()` accepts them. */
export type NestedArray = number | boolean | readonly NestedArray[];

/** Options for building a tensor. */
export interface TensorOptions {
  /** Element type. Default: float32 (the default dtype) for numbers, bool for booleans. */
  dtype?: DType;
  /** Record operations on the tensor for autograd (floating-point dtypes only). */
  requiresGrad?: boolean;
}

/** Options for building a tensor from a flat typed array. */
export interface TypedTensorOptions extends TensorOptions {
  /** The shape of the data (default: 1-D). */
  shape?: readonly number[];
}

const KNOWN_OPTIONS = new Set(['dtype', 'requiresGrad', 'shape']);

function checkOptions(opts: object, where: string): void {
  for (const k of Object.keys(opts)) {
    if (!KNOWN_OPTIONS.has(k)) throw new TypeError(`${where}: unknown option '${k}' (expected one of dtype, requiresGrad${where === 'tensor()' ? ', shape' : ''})`);
  }
}

function fresh(dtype: DType, shape: readonly number[]): Tensor {
  return new Tensor(new Storage(allocate(dtype, numel(shape))), [...shape], contiguousStrides(shape), 0, dtype);
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function dtypeOfTyped(a: ArrayLike<number> | BigInt64Array): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array || a instanceof Int16Array || a instanceof Int8Array || a instanceof Uint16Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return 'uint8';
  return getDefaultDtype();
}

function inferNested(data: NestedArray, where: string): { shape: number[]; flat: (number | boolean)[] } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0]!;
  }
  const flat: (number | boolean)[] = [];
  const walk = (v: NestedArray, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new RangeError(`${where}: expected a number at depth ${depth}, got a sequence (ragged nested arrays)`);
      if (typeof v !== 'number' && typeof v !== 'boolean') {
        throw new TypeError(`${where}: could not infer dtype of ${v === null ? 'null' : typeof v} (expected numbers or booleans)`);
      }
      flat.push(v);
      return;
    }
    if (!Array.isArray(v)) throw new RangeError(`${where}: expected sequence of length ${shape[depth]} at dim ${depth} (got a scalar)`);
    if (v.length !== shape[depth]) throw new RangeError(`${where}: expected sequence of length ${shape[depth]} at dim ${depth} (got ${v.length})`);
    for (const e of v) walk(e, depth + 1);
  };
  walk(data, 0);
  return { shape, flat };
}

/**
 * Build a tensor from nested arrays, a number, or a typed array (with `shape`).
 *
 * NOTE: JavaScript has one number type, so `tensor([1, 2])` cannot tell integers from floats as
 * Python does: numbers give the default float dtype (float32) unless `dtype` says otherwise;
 * pass `{ dtype: 'int64' }` for labels and indices. Typed arrays keep their element type.
 *
 * @example
 * ```ts
 * import { tensor } from 'paoding';
 * const x = tensor([[1, -2], [3, 4]], { requiresGrad: true });
 * console.log(x.toString()); // tensor([[ 1., -2.],\n        [ 3.,  4.]], requires_grad=True)
 * const labels = tensor([2, 0, 1], { dtype: 'int64' });
 * const fromTyped = tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
 * console.log(labels.dtype, fromTyped.shape); // int64 [ 2, 2 ]
 * ```
 */
export function tensor(data: NestedArray | TypedArray | BigInt64Array | ArrayLike<number>, opts: TypedTensorOptions = {}): Tensor {
  checkOptions(opts, 'tensor()');
  const dtype = opts.dtype === undefined ? undefined : checkDtype(opts.dtype, 'tensor()');
  if (ArrayBuffer.isView(data)) {
    const typed = data as unknown as ArrayLike<number> | BigInt64Array;
    const d = dtype ?? dtypeOfTyped(typed);
    const shape = opts.shape ? checkShape([...opts.shape], 'tensor()') : [typed.length];
    if (numel(shape) !== typed.length) {
      throw new RangeError(`tensor(): shape ${shapeStr(shape)} holds ${numel(shape)} elements but the typed array has ${typed.length}`);
    }
    const t = fresh(d, shape);
    const out = t._storage.data;
    if (typed instanceof BigInt64Array) for (let i = 0; i < typed.length; i++) out[i] = Number(typed[i]);
    else if (isFloat(d) || !isFloat(dtypeOfTyped(typed))) out.set(typed as ArrayLike<number>);
    else for (let i = 0; i < typed.length; i++) out[i] = Math.trunc((typed as ArrayLike<number>)[i]!);
    return finish(t, opts);
  }
  if (opts.shape !== undefined) throw new TypeError(`tensor(): option 'shape' applies to typed arrays only; nested arrays carry their own shape`);
  const { shape, flat } = inferNested(data as NestedArray, 'tensor()');
  const allBool = flat.length > 0 && flat.every((v) => typeof v === 'boolean');
  const d = dtype ?? (allBool ? 'bool' : getDefaultDtype());
  const t = fresh(d, shape);
  const out = t._storage.data;
  const integral = !isFloat(d);
  for (let i = 0; i < flat.length; i++) {
    const v = Number(flat[i]);
    if (integral && !Number.isInteger(v) && d !== 'bool') {
      throw new TypeError(`tensor(): value ${v} at flat index ${i} is not an integer, so it cannot be stored as ${d}`);
    }
    out[i] = d === 'bool' ? (v !== 0 ? 1 : 0) : v;
  }
  return finish(t, opts);
}

function shapeArgs(shape: readonly number[] | number, where: string): number[] {
  return checkShape(typeof shape === 'number' ? [shape] : [...shape], where);
}

/**
 * A tensor filled with `value`.
 *
 * @example
 * ```ts
 * import { full } from 'paoding';
 * console.log(full([2], 7).toString()); // tensor([7., 7.])
 * ```
 */
export function full(shape: readonly number[] | number, value: number | boolean, opts: TensorOptions = {}): Tensor {
  checkOptions(opts, 'full()');
  const d = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : getDefaultDtype());
  const t = fresh(d, shapeArgs(shape, 'full()'));
  t._storage.data.fill(Number(value));
  return finish(t, opts);
}

/**
 * A tensor of zeros.
 *
 * @example
 * ```ts
 * import { zeros } from 'paoding';
 * console.log(zeros([2, 3]).shape); // [ 2, 3 ]
 * ```
 */
export function zeros(shape: readonly number[] | number, opts: TensorOptions = {}): Tensor {
  checkOptions(opts, 'zeros()');
  return finish(fresh(opts.dtype ?? getDefaultDtype(), shapeArgs(shape, 'zeros()')), opts);
}

/**
 * A tensor of ones.
 *
 * @example
 * ```ts
 * import { ones } from 'paoding';
 * console.log(ones([3]).toString()); // tensor([1., 1., 1.])
 * ```
 */
export function ones(shape: readonly number[] | number, opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/**
 * An uninitialised tensor (zero-filled here: JavaScript memory is always initialised).
 *
 * @example
 * ```ts
 * import { empty } from 'paoding';
 * console.log(empty([2]).numel()); // 2
 * ```
 */
export function empty(shape: readonly number[] | number, opts: TensorOptions = {}): Tensor {
  return zeros(shape, opts);
}

/** A tensor like `t` (same shape, same dtype unless given) filled with `value`. */
export function fullLike(t: Tensor, value: number, opts: TensorOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...opts });
}

/** Zeros shaped like `t`. */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...opts });
}

/** Ones shaped like `t`. */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...opts });
}

/**
 * Values from `start` to `end` (exclusive) by `step`, as `torch.arange`. With only integral
 * arguments the result is int64, as in PyTorch; otherwise the default float dtype.
 *
 * @example
 * ```ts
 * import { arange } from 'paoding';
 * console.log(arange(4).toString());           // tensor([0, 1, 2, 3])
 * console.log(arange(0, 1, 0.25).toString());  // tensor([0.0000, 0.2500, 0.5000, 0.7500])
 * ```
 */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) return arange(0, start, step, opts);
  checkOptions(opts, 'arange()');
  if (step === 0) throw new RangeError('arange(): step must be nonzero');
  if (![start, end, step].every(Number.isFinite)) throw new RangeError(`arange(): unsupported range: ${start} -> ${end}`);
  if ((end - start) / step < 0) throw new RangeError('arange(): upper bound and larger bound inconsistent with step sign');
  const n = Math.ceil((end - start) / step);
  const d = opts.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int64' : getDefaultDtype());
  const t = fresh(d, [n]);
  const out = t._storage.data;
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  return finish(t, opts);
}

/**
 * `steps` evenly spaced values from `start` to `end` inclusive, as `torch.linspace` (which
 * fills the first half forwards and the second half backwards from `end`, so both ends are exact).
 *
 * @example
 * ```ts
 * import { linspace } from 'paoding';
 * console.log(linspace(-1, 1, 5).toString()); // tensor([-1.0000, -0.5000,  0.0000,  0.5000,  1.0000])
 * ```
 */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  checkOptions(opts, 'linspace()');
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace(): number of steps must be non-negative, got ${steps}`);
  const d = opts.dtype ?? getDefaultDtype();
  const t = fresh(d, [steps]);
  const out = t._storage.data;
  if (steps === 1) out[0] = start;
  else if (steps > 1) {
    const step = (end - start) / (steps - 1);
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) out[i] = i < half ? start + step * i : end - step * (steps - i - 1);
  }
  return finish(t, opts);
}

/**
 * The identity matrix.
 *
 * @example
 * ```ts
 * import { eye } from 'paoding';
 * console.log(eye(2).toString()); // tensor([[1., 0.],\n        [0., 1.]])
 * ```
 */
export function eye(n: number, m = n, opts: TensorOptions = {}): Tensor {
  const t = zeros([n, m], { ...opts, requiresGrad: false });
  for (let i = 0; i < Math.min(n, m); i++) t._storage.data[i * m + i] = 1;
  return finish(t, opts);
}

/**
 * Concatenate along `dim`, as `torch.cat` (dtypes promote; shapes must match elsewhere).
 *
 * @example
 * ```ts
 * import { cat, tensor } from 'paoding';
 * console.log(cat([tensor([1, 2]), tensor([3])]).toString()); // tensor([1., 2., 3.])
 * ```
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new RangeError('cat(): expected a non-empty list of Tensors');
  for (const [i, t] of tensors.entries()) {
    if (!(t instanceof Tensor)) throw new TypeError(`cat(): expected Tensor as element ${i} in argument 0, but got ${typeof t}`);
  }
  // NOTE(torch): legacy behaviour skips 1-D empty tensors in cat.
  const parts = tensors.filter((t) => !(t.dim() === 1 && t.numel() === 0));
  if (parts.length === 0) return tensors[0]!.clone();
  const ref = parts[0]!;
  if (ref.dim() === 0) throw new RangeError('cat(): zero-dimensional tensor (at position 0) cannot be concatenated');
  const d = normalizeDim(dim, ref.dim(), 'cat()');
  const dtype = parts.reduce<DType>((acc, t) => resultType({ dtype: acc, dim: 1 }, { dtype: t.dtype, dim: 1 }), ref.dtype);
  for (const [i, t] of parts.entries()) {
    if (t.dim() !== ref.dim()) throw new RangeError(`cat(): Tensors must have same number of dimensions: got ${ref.dim()} and ${t.dim()}`);
    for (let k = 0; k < ref.dim(); k++) {
      if (k !== d && t.shape[k] !== ref.shape[k]) {
        throw new RangeError(`cat(): Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${t.shape[k]} for tensor number ${i} in the list.`);
      }
    }
  }
  const shape = [...ref.shape];
  shape[d] = parts.reduce((a, t) => a + t.shape[d]!, 0);
  const out = fresh(dtype, shape);
  let start = 0;
  for (const t of parts) {
    out.detach().narrow(d, start, t.shape[d]!)._copyFrom(t);
    start += t.shape[d]!;
  }
  const sizes = parts.map((t) => t.shape[d]!);
  return record(out, 'CatBackward0', parts, [], (g) => {
    let s = 0;
    return parts.map((t, i) => {
      const piece = g.narrow(d, s, sizes[i]!);
      s += sizes[i]!;
      return t.requiresGrad ? (piece.dtype === t.dtype ? piece : piece.to(t.dtype)) : null;
    });
  });
}

/**
 * Stack tensors of equal shape along a new dimension `dim`.
 *
 * @example
 * ```ts
 * import { stack, tensor } from 'paoding';
 * console.log(stack([tensor([1, 2]), tensor([3, 4])]).shape); // [ 2, 2 ]
 * ```
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new RangeError('stack(): expects a non-empty list of Tensors');
  const ref = tensors[0]!;
  for (const [i, t] of tensors.entries()) {
    if (t.shape.length !== ref.shape.length || t.shape.some((s, k) => s !== ref.shape[k])) {
      throw new RangeError(`stack(): expects each tensor to be equal size, but got ${shapeStr(ref.shape)} at entry 0 and ${shapeStr(t.shape)} at entry ${i}`);
    }
  }
  const d = normalizeDim(dim, ref.dim() + 1, 'stack()');
  return cat(
    tensors.map((t) => t.unsqueeze(d)),
    d,
  );
}
