/**
 * Reductions over dimensions (`sum`, `mean`, `amax`, `max(dim)`, `logsumexp`, `var`, ...) with
 * PyTorch's dim and keepdim conventions and their autograd rules.
 */
import { record } from '../autograd/record.js';
import { noGrad } from '../autograd/grad_mode.js';
import { currentBackend } from '../backends/index.js';
import { allocate, type DType, isFloat, torchTypeName, type TypedArray } from '../tensor/dtype.js';
import { contiguousStrides, normalizeDim, numel, sameShape, shapeStr } from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';

/** Options shared by reductions over dimensions. */
export interface ReduceOptions {
  /** Keep reduced dimensions with size 1. Default false. */
  keepdim?: boolean;
}

/** Normalise `dim` (a number, a list, or undefined for all) into a sorted set of dims. */
export function reduceDims(x: Tensor, dim: number | readonly number[] | undefined, where: string): number[] {
  if (dim === undefined) return [...Array(x.dim()).keys()];
  const list = typeof dim === 'number' ? [dim] : [...dim];
  const dims = list.map((d) => normalizeDim(d, x.dim(), where));
  if (new Set(dims).size !== dims.length) throw new RangeError(`${where}: dim ${dims.join(', ')} appears multiple times in the list of dims`);
  return dims.filter((d) => d < x.dim()).sort((a, b) => a - b);
}

/** Output shape with reduced dims kept as 1 or dropped. */
function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((s, i) => {
    if (!dims.includes(i)) out.push(s);
    else if (keepdim) out.push(1);
  });
  return out;
}

function newTensor(dtype: DType, shape: readonly number[]): Tensor {
  return new Tensor(new Storage(allocate(dtype, numel(shape))), [...shape], contiguousStrides(shape), 0, dtype);
}

/**
 * Lay `x` out as `[outer, inner]` blocks: every output element reduces one contiguous block of
 * `inner` values. Copies only when the reduced dims are not already the innermost contiguous ones.
 */
function blocks(x: Tensor, dims: readonly number[]): { data: TypedArray; offset: number; outer: number; inner: number } {
  const kept = [...Array(x.dim()).keys()].filter((d) => !dims.includes(d));
  const order = [...kept, ...dims];
  const p = order.every((d, i) => d === i) ? x : x.detach().permute(order);
  const c = p.contiguous();
  const inner = numel(dims.map((d) => x.shape[d]!));
  return { data: c._storage.data, offset: c.offset, outer: numel(kept.map((d) => x.shape[d]!)), inner };
}

/** Re-insert reduced dims (as size 1) into a gradient so it broadcasts against the input. */
function unreduce(g: Tensor, inShape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  if (keepdim || dims.length === 0) return g;
  let r = g;
  for (const d of dims) r = r.unsqueeze(d);
  return r;
}

function requireFloat(x: Tensor, where: string): void {
  if (!isFloat(x.dtype)) {
    throw new TypeError(
      `${where}: could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${torchTypeName(x.dtype)}`,
    );
  }
}

/**
 * Sum over `dim` (all dims when omitted). Integer and bool inputs sum to int64, as in PyTorch.
 * Float sums accumulate in float64, so float32 sums are correctly rounded in practice.
 */
export function sum(x: Tensor, dim?: number | readonly number[], opts: ReduceOptions = {}): Tensor {
  const dims = reduceDims(x, dim, 'sum()');
  const keepdim = opts.keepdim ?? false;
  const outDtype: DType = isFloat(x.dtype) ? x.dtype : 'int64';
  const shape = reducedShape(x.shape, dims, keepdim);
  const out = newTensor(outDtype, shape);
  const fast = isFloat(x.dtype) ? currentBackend().sum : undefined;
  if (fast === undefined || !fast.call(currentBackend(), { data: x._storage.data, offset: x.offset, shape: x.shape, strides: x.strides }, dims, out._storage.data)) {
    const b = blocks(x, dims);
    const o = out._storage.data;
    for (let i = 0; i < b.outer; i++) {
      let s = 0;
      const base = b.offset + i * b.inner;
      for (let k = 0; k < b.inner; k++) s += b.data[base + k]!;
      o[i] = s;
    }
  }
  const inShape = x.shape;
  // NOTE(torch): the full reduction `x.sum()` is a different overload (SumBackward0) from
  // `x.sum(dim)` (SumBackward1); the name shows in `grad_fn=<...>`.
  const name = dim === undefined ? 'SumBackward0' : 'SumBackward1';
  return record(out, name, [x], [], (g) => [unreduce(g, inShape, dims, keepdim).expand(inShape)]);
}

/** Mean over `dim` (all dims when omitted); float inputs only, as PyTorch. */
export function mean(x: Tensor, dim?: number | readonly number[], opts: ReduceOptions = {}): Tensor {
  requireFloat(x, 'mean()');
  const dims = reduceDims(x, dim, 'mean()');
  const count = numel(dims.map((d) => x.shape[d]!));
  const keepdim = opts.keepdim ?? false;
  // Recorded as one node (not as sum then div) so that `grad_fn` is PyTorch's MeanBackward0
  // (full reduction) or MeanBackward1 (over dims).
  const out = noGrad(() => sum(x, dims, opts).div(count));
  const inShape = x.shape;
  const name = dim === undefined ? 'MeanBackward0' : 'MeanBackward1';
  return record(out, name, [x], [], (g) => [unreduce(g, inShape, dims, keepdim).expand(inShape).div(count)]);
}

type Extreme = 'max' | 'min';

/** Values and (first) indices of the extreme along each block; NaN wins, as in PyTorch. */
function extremeBlocks(x: Tensor, dims: readonly number[], kind: Extreme): { values: Float64Array; indices: Float64Array } {
  const b = blocks(x, dims);
  const values = new Float64Array(b.outer);
  const indices = new Float64Array(b.outer);
  for (let i = 0; i < b.outer; i++) {
    const base = b.offset + i * b.inner;
    let best = b.data[base]!;
    let at = 0;
    if (best === best) {
      for (let k = 1; k < b.inner; k++) {
        const v = b.data[base + k]!;
        if (v !== v) {
          best = v;
          at = k;
          break;
        }
        if (kind === 'max' ? v > best : v < best) {
          best = v;
          at = k;
        }
      }
    }
    values[i] = best;
    indices[i] = at;
  }
  return { values, indices };
}

function checkNonEmpty(x: Tensor, dims: readonly number[], where: string): void {
  for (const d of dims) {
    if (x.shape[d] === 0) throw new RangeError(`${where}: Expected reduction dim ${d} to have non-zero size.`);
  }
  if (x.numel() === 0 && dims.length === x.dim()) {
    throw new RangeError(`${where}: Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
  }
}

/** `amax`/`amin`: the extreme over dims; the gradient is shared evenly among tied elements. */
function aextreme(x: Tensor, dim: number | readonly number[] | undefined, opts: ReduceOptions, kind: Extreme, name?: string): Tensor {
  const where = kind === 'max' ? 'amax()' : 'amin()';
  const dims = reduceDims(x, dim, where);
  checkNonEmpty(x, dims, where);
  const keepdim = opts.keepdim ?? false;
  const shape = reducedShape(x.shape, dims, keepdim);
  const out = newTensor(x.dtype, shape);
  out._storage.data.set(extremeBlocks(x, dims, kind).values);
  const inShape = x.shape;
  return record(out, name ?? (kind === 'max' ? 'AmaxBackward0' : 'AminBackward0'), [x], [x, out], (g, [xs, ys]) => {
    const y = unreduce(ys!, inShape, dims, keepdim);
    const mask = xs!.eq(y).to(g.dtype);
    const count = mask.sum(dims, { keepdim: true });
    return [unreduce(g, inShape, dims, keepdim).mul(mask).div(count)];
  });
}

/** The maximum over `dim` (all dims when omitted); NaN propagates. */
export function amax(x: Tensor, dim?: number | readonly number[], opts: ReduceOptions = {}): Tensor {
  return aextreme(x, dim, opts, 'max');
}

/** The minimum over `dim` (all dims when omitted); NaN propagates. */
export function amin(x: Tensor, dim?: number | readonly number[], opts: ReduceOptions = {}): Tensor {
  return aextreme(x, dim, opts, 'min');
}

/** The result of `max(dim)` / `min(dim)`: values and the index of each. */
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

/** `x.max(dim)` / `x.min(dim)`: values and int64 indices; the gradient goes to the index taken. */
export function extremeDim(x: Tensor, dim: number, opts: ReduceOptions, kind: Extreme): ValuesIndices {
  const where = kind === 'max' ? 'max()' : 'min()';
  const d = normalizeDim(dim, x.dim(), where);
  const dims = x.dim() === 0 ? [] : [d];
  checkNonEmpty(x, dims, where);
  const keepdim = opts.keepdim ?? false;
  const shape = reducedShape(x.shape, dims, keepdim);
  const r = extremeBlocks(x, dims, kind);
  const values = newTensor(x.dtype, shape);
  values._storage.data.set(r.values);
  const indices = newTensor('int64', shape);
  indices._storage.data.set(r.indices);
  const inShape = x.shape;
  record(values, kind === 'max' ? 'MaxBackward0' : 'MinBackward0', [x], [], (g) => {
    if (dims.length === 0) return [g];
    const gk = keepdim ? g : g.unsqueeze(d);
    const ik = keepdim ? indices : indices.unsqueeze(d);
    return [scatterAdd(zerosOf(g.dtype, inShape), d, ik, gk)];
  });
  return { values, indices };
}

/** `argmax`/`argmin` over `dim` (flattened when omitted). */
export function argExtreme(x: Tensor, dim: number | undefined, opts: ReduceOptions, kind: Extreme): Tensor {
  if (dim === undefined) {
    const flat = x.reshape([-1]);
    const r = extremeDim(flat, 0, {}, kind).indices;
    return opts.keepdim ? r.reshape(x.shape.map(() => 1)) : r;
  }
  return extremeDim(x, dim, opts, kind).indices;
}

/** `x.max()` / `x.min()` over everything: the gradient is shared evenly among ties. */
export function extremeAll(x: Tensor, kind: Extreme): Tensor {
  if (x.numel() === 0) {
    throw new RangeError(`${kind}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
  }
  // NOTE(torch): same gradient as amax/amin (shared among ties), PyTorch's MaxBackward1/MinBackward1.
  return aextreme(x, undefined, {}, kind, kind === 'max' ? 'MaxBackward1' : 'MinBackward1');
}

/** `logsumexp` over `dim`, stable: shifted by the maximum (a zero shift where it is infinite). */
export function logsumexp(x: Tensor, dim: number | readonly number[], opts: ReduceOptions = {}): Tensor {
  const where = 'logsumexp()';
  const dims = reduceDims(x, dim, where);
  const keepdim = opts.keepdim ?? false;
  const xf = isFloat(x.dtype) ? x : x.to(x.dtype === 'bool' ? 'float32' : 'float32');
  const shape = reducedShape(xf.shape, dims, keepdim);
  const out = newTensor(xf.dtype, shape);
  const b = blocks(xf, dims);
  const o = out._storage.data;
  for (let i = 0; i < b.outer; i++) {
    const base = b.offset + i * b.inner;
    let m = -Infinity;
    for (let k = 0; k < b.inner; k++) {
      const v = b.data[base + k]!;
      if (v > m || v !== v) m = v;
      if (v !== v) break;
    }
    // NOTE(torch): an infinite maximum is replaced by 0 as the shift, so that [-inf, -inf] gives
    // -inf (not NaN) and [inf, 1] gives inf.
    const shift = Number.isFinite(m) ? m : 0;
    let s = 0;
    for (let k = 0; k < b.inner; k++) s += Math.exp(b.data[base + k]! - shift);
    o[i] = Math.log(s) + shift;
  }
  const inShape = xf.shape;
  return record(out, 'LogsumexpBackward0', [xf], [xf, out], (g, [xs, ys]) => {
    const y = unreduce(ys!, inShape, dims, keepdim);
    return [unreduce(g, inShape, dims, keepdim).mul(xs!.sub(y).exp())];
  });
}

/** Options of `var`/`std`. */
export interface VarOptions extends ReduceOptions {
  /** Degrees-of-freedom correction: 1 (Bessel's, the default) or 0 (population). */
  correction?: number;
}

/** Variance over `dim` with a correction (1 by default, as PyTorch). */
export function variance(x: Tensor, dim?: number | readonly number[], opts: VarOptions = {}): Tensor {
  requireFloat(x, 'var()');
  const dims = reduceDims(x, dim, 'var()');
  const n = numel(dims.map((d) => x.shape[d]!));
  const correction = opts.correction ?? 1;
  const mu = mean(x, dims, { keepdim: true });
  const dev = x.sub(mu);
  return sum(dev.mul(dev), dims, { keepdim: opts.keepdim ?? false }).div(Math.max(0, n - correction));
}

/** Standard deviation over `dim`. */
export function std(x: Tensor, dim?: number | readonly number[], opts: VarOptions = {}): Tensor {
  return variance(x, dim, opts).sqrt();
}

/**
 * Sum a broadcast gradient back to `shape`: over leading dims and over dims where `shape` has
 * size 1. Used by every broadcasting operation's backward.
 */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.dim() - shape.length;
  if (lead < 0) throw new Error(`sumToShape: gradient of shape ${shapeStr(g.shape)} cannot reduce to ${shapeStr(shape)}`);
  const dims: number[] = [];
  for (let i = 0; i < g.dim(); i++) {
    if (i < lead) dims.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) dims.push(i);
  }
  let r = dims.length ? sum(g, dims, { keepdim: true }) : g;
  if (lead > 0 || !sameShape(r.shape, shape)) r = r.reshape(shape);
  return r;
}

function zerosOf(dtype: DType, shape: readonly number[]): Tensor {
  return newTensor(dtype, shape);
}

function checkIndex(index: Tensor, where: string): void {
  if (index.dtype !== 'int64' && index.dtype !== 'int32') {
    throw new TypeError(`${where}: argument 'index' must be an int64 tensor, got ${index.dtype}`);
  }
}

/** Walk every element of `index` with its multi-index, calling `fn(offsetIndexElement, coords)`. */
function forEachIndex(shape: readonly number[], fn: (k: number, coords: number[]) => void): void {
  const n = numel(shape);
  const coords = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    fn(k, coords);
    for (let d = shape.length - 1; d >= 0; d--) {
      coords[d]!++;
      if (coords[d]! < shape[d]!) break;
      coords[d] = 0;
    }
  }
}

function offsetOf(t: Tensor, coords: readonly number[]): number {
  let o = t.offset;
  for (let d = 0; d < coords.length; d++) o += coords[d]! * t.strides[d]!;
  return o;
}

/** `torch.gather(x, dim, index)`: `out[i][j] = x[index[i][j]][j]` (for dim 0). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndex(index, 'gather()');
  const d = normalizeDim(dim, x.dim(), 'gather()');
  if (index.dim() !== x.dim() && !(x.dim() === 0 && index.dim() <= 1)) {
    throw new RangeError(`gather(): Index tensor must have the same number of dimensions as input tensor`);
  }
  const out = newTensor(x.dtype, index.shape);
  const o = out._storage.data;
  const src = x._storage.data;
  const idx = index._storage.data;
  const size = x.dim() === 0 ? 1 : x.shape[d]!;
  forEachIndex(index.shape, (k, coords) => {
    const i = idx[offsetOf(index, coords)]!;
    if (i < -size || i >= size || !Number.isInteger(i)) {
      throw new RangeError(`gather(): index ${i} is out of bounds for dimension ${d} with size ${size}`);
    }
    const c = [...coords];
    if (x.dim() > 0) c[d] = i < 0 ? i + size : i;
    o[k] = src[offsetOf(x, x.dim() === 0 ? [] : c)]!;
  });
  const inShape = x.shape;
  return record(out, 'GatherBackward0', [x], [], (g) => [scatterAdd(zerosOf(g.dtype, inShape), d, index, g)]);
}

/** `x.scatterAdd(dim, index, src)` out of place: adds `src` into a copy of `x` at `index`. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkIndex(index, 'scatter_add()');
  const d = normalizeDim(dim, x.dim(), 'scatter_add()');
  const out = x.detach().clone();
  const o = out._storage.data;
  const s = src._storage.data;
  const idx = index._storage.data;
  const size = x.dim() === 0 ? 1 : x.shape[d]!;
  forEachIndex(index.shape, (_, coords) => {
    const i = idx[offsetOf(index, coords)]!;
    if (i < -size || i >= size || !Number.isInteger(i)) {
      throw new RangeError(`scatter_add(): index ${i} is out of bounds for dimension ${d} with size ${size}`);
    }
    const c = [...coords];
    if (x.dim() > 0) c[d] = i < 0 ? i + size : i;
    o[offsetOf(out, x.dim() === 0 ? [] : c)] += s[offsetOf(src, coords)]!;
  });
  return record(out, 'ScatterAddBackward0', [x, src], [], (g) => [g, gather(g, d, index)]);
}
