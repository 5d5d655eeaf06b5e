/**
 * Softmax and log-softmax along a dimension, with PyTorch's stable forward (shift by the slice
 * maximum) and its backward formulas, which save the result.
 */
import { isGradEnabled } from '../autograd/grad_mode.js';
import { record } from '../autograd/record.js';
import { currentBackend } from '../backends/index.js';
import { allocateUninit, isFloat } from '../tensor/dtype.js';
import { contiguousStrides, normalizeDim, numel, sameShape } from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';

/**
 * Run `body(slice)` over every slice of `x` along `dim`, writing the result in place of the
 * slice in a fresh contiguous output.
 */
function perSlice(x: Tensor, dim: number, body: (src: Float64Array, dst: Float64Array) => void): Tensor {
  const out = new Tensor(new Storage(allocateUninit(x.dtype, x.numel())), [...x.shape], contiguousStrides(x.shape), 0, x.dtype);
  if (x.numel() === 0) return out;
  // The backend's fast path (the native backend's, for contiguous tensors).
  const fast = currentBackend().softmax;
  const log = body === logSoftmaxSlice;
  if (fast?.call(currentBackend(), { data: x._storage.data, offset: x.offset, shape: x.shape, strides: x.strides }, dim, out._storage.data, log)) return out;
  const size = x.dim() === 0 ? 1 : x.shape[dim]!;
  if (x.isContiguous() && dim < x.dim() - 1) {
    columns(x, dim, out, log);
    return out;
  }
  const xd0 = x._storage.data;
  if (x.isContiguous() && dim === x.dim() - 1 && size > 0 && (xd0 instanceof Float32Array || xd0 instanceof Float64Array)) {
    // Contiguous rows: each row in and out with one typed-array copy (the conversions to and
    // from float64 are exact, and rounding once to float32 on the way out).
    const src = new Float64Array(size);
    const dst = new Float64Array(size);
    const od = out._storage.data as Float32Array | Float64Array;
    const rows = x.numel() / size;
    for (let r = 0; r < rows; r++) {
      const b = x.offset + r * size;
      src.set(xd0.subarray(b, b + size));
      body(src, dst);
      od.set(dst, r * size);
    }
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
 * running maximum and the eight lanes of the sum per column: the same operations in the same
 * order per slice as `softmaxSlice` and `logSoftmaxSlice` (so the same bits), at the speed of
 * contiguous access.
 */
function columns(x: Tensor, dim: number, out: Tensor, log: boolean): void {
  const size = x.shape[dim]!;
  // From the shape, not the strides: a contiguous tensor's size-1 dims may carry any stride.
  const inner = numel(x.shape.slice(dim + 1));
  const outer = x.numel() / (size * inner);
  const xd = x._storage.data;
  const od = out._storage.data;
  // Columns in blocks, each with its maximum and the eight lanes of its sum (see laneSum).
  const B = Math.min(inner, COLUMN_BLOCK);
  const m = new Float64Array(B);
  const lanes = new Float64Array(8 * B);
  const s = new Float64Array(B);
  const full = size - (size % 8);
  for (let o = 0; o < outer; o++) {
    for (let j0 = 0; j0 < inner; j0 += B) {
      const w = Math.min(B, inner - j0);
      const base = o * size * inner + j0;
      const xb = x.offset + base;
      m.fill(-Infinity);
      lanes.fill(0);
      for (let i = 0; i < size; i++) {
        const row = xb + i * inner;
        for (let j = 0; j < w; j++) {
          const a = xd[row + j]! as number;
          if (a !== a) m[j] = NaN; // NaN stays: comparisons with it are false
          else if (a > m[j]!) m[j] = a;
        }
      }
      for (let i = 0; i < full; i++) {
        const row = xb + i * inner;
        const lane = (i & 7) * B;
        for (let j = 0; j < w; j++) lanes[lane + j] += Math.exp((xd[row + j]! as number) - m[j]!);
      }
      for (let j = 0; j < w; j++) {
        const l = (k: number): number => lanes[k * B + j]!;
        s[j] = l(0) + l(1) + (l(2) + l(3)) + (l(4) + l(5) + (l(6) + l(7)));
      }
      for (let i = full; i < size; i++) {
        const row = xb + i * inner;
        for (let j = 0; j < w; j++) s[j] += Math.exp((xd[row + j]! as number) - m[j]!);
      }
      if (log) {
        for (let j = 0; j < w; j++) s[j] = Math.log(s[j]!);
        for (let i = 0; i < size; i++) {
          const row = xb + i * inner;
          const orow = base + i * inner;
          for (let j = 0; j < w; j++) od[orow + j] = (xd[row + j]! as number) - m[j]! - s[j]!;
        }
      } else {
        for (let j = 0; j < w; j++) s[j] = 1 / s[j]!;
        for (let i = 0; i < size; i++) {
          const row = xb + i * inner;
          const orow = base + i * inner;
          // The exponential again rather than read back from a float32 output, which rounded it.
          for (let j = 0; j < w; j++) od[orow + j] = Math.exp((xd[row + j]! as number) - m[j]!) * s[j]!;
        }
      }
    }
  }
}

/** Columns per block in `columns` (the native kernel's block). */
const COLUMN_BLOCK = 256;

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

/**
 * The sum of `v` in eight interleaved partial sums combined pairwise, then the tail: the order of
 * the native backend's vectorised loops, so that both give the same double.
 */
function laneSum(v: Float64Array): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  const n = v.length;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 += v[i]!;
    s1 += v[i + 1]!;
    s2 += v[i + 2]!;
    s3 += v[i + 3]!;
    s4 += v[i + 4]!;
    s5 += v[i + 5]!;
    s6 += v[i + 6]!;
    s7 += v[i + 7]!;
  }
  let s = (s0 + s1 + (s2 + s3)) + (s4 + s5 + (s6 + s7));
  for (; i < n; i++) s += v[i]!;
  return s;
}

function softmaxSlice(src: Float64Array, dst: Float64Array): void {
  const m = sliceMax(src);
  for (let i = 0; i < src.length; i++) dst[i] = Math.exp(src[i]! - m);
  // NOTE(torch): the last-dim kernel multiplies by the reciprocal of the sum.
  const r = 1 / laneSum(dst);
  for (let i = 0; i < src.length; i++) dst[i]! *= r;
}

function logSoftmaxSlice(src: Float64Array, dst: Float64Array): void {
  const m = sliceMax(src);
  for (let i = 0; i < src.length; i++) dst[i] = Math.exp(src[i]! - m);
  // NOTE(torch): computed in the order (x - max) - log(sum), so [1000, 0] gives [0, -1000].
  const l = Math.log(laneSum(dst));
  for (let i = 0; i < src.length; i++) dst[i] = src[i]! - m - l;
}

/**
 * The backward of (log-)softmax along `dim` as one pass of the backend's fused kernel, when it
 * has one and the call allows it: the same numbers as the composition (each operation rounded
 * as there), without its temporaries. Not when the backward itself is being recorded
 * (`createGraph` with a gradient that requires grad): the composition records the graph.
 */
function fusedBackward(g: Tensor, y: Tensor, dim: number, log: boolean): Tensor | undefined {
  const b = currentBackend();
  if (b.softmaxBackward === undefined || y.dim() === 0 || g.dtype !== y.dtype || !sameShape(g.shape, y.shape)) return undefined;
  if (isGradEnabled() && (g.requiresGrad || y.requiresGrad)) return undefined;
  const out = new Tensor(new Storage(allocateUninit(y.dtype, y.numel())), [...y.shape], contiguousStrides(y.shape), 0, y.dtype);
  const ys = { data: y._storage.data, offset: y.offset, shape: y.shape, strides: y.strides };
  const gs = { data: g._storage.data, offset: g.offset, shape: g.shape, strides: g.strides };
  return b.softmaxBackward(ys, gs, dim, out._storage.data, log) ? out : undefined;
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
    const fused = fusedBackward(g, ys!, d, false);
    if (fused !== undefined) return [fused];
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
    const fused = fusedBackward(g, ys!, d, true);
    if (fused !== undefined) return [fused];
    const s = keep.length ? g.sum(keep, { keepdim: true }) : g;
    return [g.sub(ys!.exp().mul(s))];
  });
}
