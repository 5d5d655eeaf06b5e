/**
 * Softmax and log-softmax along a dimension, with PyTorch's stable forward (shift by the slice
 * maximum) and its backward formulas, which save the result.
 */
import { record } from '../autograd/record.js';
import { currentBackend } from '../backends/index.js';
import { allocateUninit, isFloat } from '../tensor/dtype.js';
import { contiguousStrides, normalizeDim, numel } from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';

/**
 * Run `body(slice)` over every slice of `x` along `dim`, writing the result in place of the
 * slice in a fresh contiguous output.
 */
function perSlice(x: Tensor, dim: number, body: (src: Float64Array, dst: Float64Array) => void): Tensor {
  const out = new Tensor(new Storage(allocateUninit(x.dtype, x.numel())), [...x.shape], contiguousStrides(x.shape), 0, x.dtype);
  if (x.numel() === 0) return out;
  // The backend's fast path (the native backend's, for contiguous rows along the last dim).
  const fast = currentBackend().softmax;
  const log = body === logSoftmaxSlice;
  if (fast?.call(currentBackend(), { data: x._storage.data, offset: x.offset, shape: x.shape, strides: x.strides }, dim, out._storage.data, log)) return out;
  const size = x.dim() === 0 ? 1 : x.shape[dim]!;
  if (x.isContiguous() && dim < x.dim() - 1) {
    columns(x, dim, out, log);
    return out;
  }
  const stride = x.dim() === 0 ? 1 : x.strides[dim]!;
  const outStride = x.dim() === 0 ? 1 : out.strides[dim]!;
  const others = x.shape.map((_, i) => i).filter((i) => i !== dim);
  const src = new Float64Array(size);
  const dst = new Float64Array(size);
  const xd = x._storage.data;
  const od = out._storage.data;
  const count = numel(others.map((i) => x.shape[i]!));
  const idx = new Array<number>(others.length).fill(0);
  for (let k = 0; k < count; k++) {
    let xo = x.offset;
    let oo = 0;
    others.forEach((d, j) => {
      xo += idx[j]! * x.strides[d]!;
      oo += idx[j]! * out.strides[d]!;
    });
    for (let i = 0; i < size; i++) src[i] = xd[xo + i * stride]!;
    body(src, dst);
    for (let i = 0; i < size; i++) od[oo + i * outStride] = dst[i]!;
    for (let j = others.length - 1; j >= 0; j--) {
      idx[j]!++;
      if (idx[j]! < x.shape[others[j]!]!) break;
      idx[j] = 0;
    }
  }
  return out;
}

/**
 * (log-)softmax of a contiguous `x` along a dim that is not the last (`nn.Softmax2d`'s channels,
 * `dim=1` of a batch): seen as [outer, size, inner], each slice is a column of stride `inner`.
 * Instead of gathering every column, the loops run along the contiguous rows and keep one
 * running maximum and sum per column: the same operations in the same order per slice as
 * `softmaxSlice` and `logSoftmaxSlice` (so the same bits), at the speed of contiguous access.
 */
function columns(x: Tensor, dim: number, out: Tensor, log: boolean): void {
  const size = x.shape[dim]!;
  // From the shape, not the strides: a contiguous tensor's size-1 dims may carry any stride.
  const inner = numel(x.shape.slice(dim + 1));
  const outer = x.numel() / (size * inner);
  const xd = x._storage.data;
  const od = out._storage.data;
  const m = new Float64Array(inner);
  const s = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * size * inner;
    const xb = x.offset + base;
    m.fill(-Infinity);
    s.fill(0);
    for (let i = 0; i < size; i++) {
      const row = xb + i * inner;
      for (let j = 0; j < inner; j++) {
        const a = xd[row + j]! as number;
        if (a !== a) m[j] = NaN; // NaN stays: comparisons with it are false
        else if (a > m[j]!) m[j] = a;
      }
    }
    for (let i = 0; i < size; i++) {
      const row = xb + i * inner;
      for (let j = 0; j < inner; j++) s[j] += Math.exp((xd[row + j]! as number) - m[j]!);
    }
    if (log) {
      for (let j = 0; j < inner; j++) s[j] = Math.log(s[j]!);
      for (let i = 0; i < size; i++) {
        const row = xb + i * inner;
        const orow = base + i * inner;
        for (let j = 0; j < inner; j++) od[orow + j] = (xd[row + j]! as number) - m[j]! - s[j]!;
      }
    } else {
      for (let j = 0; j < inner; j++) s[j] = 1 / s[j]!;
      for (let i = 0; i < size; i++) {
        const row = xb + i * inner;
        const orow = base + i * inner;
        // The exponential again rather than read back from a float32 output, which rounded it.
        for (let j = 0; j < inner; j++) od[orow + j] = Math.exp((xd[row + j]! as number) - m[j]!) * s[j]!;
      }
    }
  }
}

/** The slice maximum, NaN if any element is NaN (so the whole slice becomes NaN). */
function sliceMax(v: Float64Array): number {
  let m = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const a = v[i]!;
    if (a !== a) return NaN;
    if (a > m) m = a;
  }
  return m;
}

function softmaxSlice(src: Float64Array, dst: Float64Array): void {
  const m = sliceMax(src);
  let s = 0;
  for (let i = 0; i < src.length; i++) {
    const e = Math.exp(src[i]! - m);
    dst[i] = e;
    s += e;
  }
  // NOTE(torch): the last-dim kernel multiplies by the reciprocal of the sum.
  const r = 1 / s;
  for (let i = 0; i < src.length; i++) dst[i]! *= r;
}

function logSoftmaxSlice(src: Float64Array, dst: Float64Array): void {
  const m = sliceMax(src);
  let s = 0;
  for (let i = 0; i < src.length; i++) s += Math.exp(src[i]! - m);
  // NOTE(torch): computed in the order (x - max) - log(sum), so [1000, 0] gives [0, -1000].
  const l = Math.log(s);
  for (let i = 0; i < src.length; i++) dst[i] = src[i]! - m - l;
}

function checkFloat(x: Tensor, where: string, kernel: string, dim: number): void {
  if (!isFloat(x.dtype)) {
    const last = x.dim() === 0 || dim === x.dim() - 1;
    const name = `${kernel}${last ? '_lastdim' : ''}_kernel_impl`;
    const type = { int32: 'Int', int64: 'Long', uint8: 'Byte', bool: 'Bool' }[x.dtype as 'int32'];
    throw new TypeError(`${where}: "${name}" not implemented for '${type}' (pass { dtype: 'float32' } to compute in floating point)`);
  }
}

/** Softmax along `dim` (already normalised). Saves its result for backward. */
export function softmax(x: Tensor, dim: number, where = 'softmax()'): Tensor {
  const d = normalizeDim(dim, x.dim(), where);
  checkFloat(x, where, 'softmax', d);
  const y = perSlice(x, d, softmaxSlice);
  const keep = x.dim() === 0 ? [] : [d];
  return record(y, 'SoftmaxBackward0', [x], [y], (g, [ys]) => {
    // gI = y * (g - sum(g * y))
    const s = keep.length ? g.mul(ys!).sum(keep, { keepdim: true }) : g.mul(ys!);
    return [ys!.mul(g.sub(s))];
  });
}

/** Log-softmax along `dim`. Saves its result for backward. */
export function logSoftmax(x: Tensor, dim: number, where = 'log_softmax()'): Tensor {
  const d = normalizeDim(dim, x.dim(), where);
  checkFloat(x, where, 'log_softmax', d);
  const y = perSlice(x, d, logSoftmaxSlice);
  const keep = x.dim() === 0 ? [] : [d];
  return record(y, 'LogSoftmaxBackward0', [x], [y], (g, [ys]) => {
    // gI = g - exp(y) * sum(g)
    const s = keep.length ? g.sum(keep, { keepdim: true }) : g;
    return [g.sub(ys!.exp().mul(s))];
  });
}
