/**
 * Matrix products: `matmul` with PyTorch's rules for 1-D, 2-D and batched operands, built on one
 * batched kernel and its autograd rule.
 */
import { record } from '../autograd/record.js';
import { currentBackend } from '../backends/index.js';
import { allocate, allocateUninit, isFloat, torchTypeName, type TypedArray } from '../tensor/dtype.js';
import { broadcastShapes, contiguousStrides, numel, shapeStr } from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';

type Kernel = (a: TypedArray, ao: number, b: TypedArray, bo: number, c: TypedArray, batch: number, m: number, k: number, n: number) => void;

/**
 * C[p] = A[p] @ B[p] for row-major blocks, B given as [k, n]. Four rows of A are processed
 * together so each element of B loaded is used four times; the innermost loop streams a row of
 * B into four float64 accumulator rows.
 *
 * PERF: the source is instantiated once per combination of array types (`new Function`), so
 * V8 sees one element type per kernel; a single polymorphic kernel ran 3-6x slower.
 */
const NN_SOURCE = `
  const r0 = new Float64Array(n), r1 = new Float64Array(n), r2 = new Float64Array(n), r3 = new Float64Array(n);
  const bad = new Uint8Array(k);
  for (let p = 0; p < batch; p++) {
    const aBase = ao + p * m * k, bBase = bo + p * k * n, cBase = p * m * n;
    // Rows of B holding inf or NaN: a zero in A must still propagate them (0 * inf = NaN).
    let anyBad = false;
    for (let q = 0; q < k; q++) {
      let f = 0;
      const bq = bBase + q * n;
      for (let j = 0; j < n; j++) { const v = b[bq + j]; if (v - v !== 0) { f = 1; break; } }
      bad[q] = f; if (f) anyBad = true;
    }
    for (let i = 0; i < m; i += 4) {
      const rows = Math.min(4, m - i);
      r0.fill(0); r1.fill(0); r2.fill(0); r3.fill(0);
      const a0 = aBase + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
      for (let q = 0; q < k; q++) {
        const s0 = a[a0 + q];
        const s1 = rows > 1 ? a[a1 + q] : 0;
        const s2 = rows > 2 ? a[a2 + q] : 0;
        const s3 = rows > 3 ? a[a3 + q] : 0;
        if (s0 === 0 && s1 === 0 && s2 === 0 && s3 === 0 && !(anyBad && bad[q])) continue;
        const bq = bBase + q * n;
        for (let j = 0; j < n; j++) {
          const v = b[bq + j];
          r0[j] += s0 * v; r1[j] += s1 * v; r2[j] += s2 * v; r3[j] += s3 * v;
        }
      }
      c.set(r0, cBase + i * n);
      if (rows > 1) c.set(r1, cBase + (i + 1) * n);
      if (rows > 2) c.set(r2, cBase + (i + 2) * n);
      if (rows > 3) c.set(r3, cBase + (i + 3) * n);
    }
  }`;

/**
 * C[p] = A[p] @ B[p]^T with B given as [n, k] (a transposed view made contiguous for free):
 * dot products of rows, both read contiguously, accumulated in float64.
 */
const NT_SOURCE = `
  for (let p = 0; p < batch; p++) {
    const aBase = ao + p * m * k, bBase = bo + p * n * k, cBase = p * m * n;
    for (let i = 0; i < m; i++) {
      const ai = aBase + i * k;
      for (let j = 0; j < n; j += 2) {
        const bj = bBase + j * k;
        if (j + 1 < n) {
          const bj1 = bj + k;
          let s0 = 0, s1 = 0;
          for (let q = 0; q < k; q++) { const v = a[ai + q]; s0 += v * b[bj + q]; s1 += v * b[bj1 + q]; }
          c[cBase + i * n + j] = s0; c[cBase + i * n + j + 1] = s1;
        } else {
          let s0 = 0;
          for (let q = 0; q < k; q++) s0 += a[ai + q] * b[bj + q];
          c[cBase + i * n + j] = s0;
        }
      }
    }
  }`;

const kernels = new Map<string, Kernel>();

function kernel(kind: 'nn' | 'nt', a: TypedArray, b: TypedArray, c: TypedArray): Kernel {
  const key = `${kind}|${a.constructor.name}|${b.constructor.name}|${c.constructor.name}`;
  let f = kernels.get(key);
  if (f === undefined) {
    f = new Function('a', 'ao', 'b', 'bo', 'c', 'batch', 'm', 'k', 'n', kind === 'nn' ? NN_SOURCE : NT_SOURCE) as Kernel;
    kernels.set(key, f);
  }
  return f;
}

/** Whether the last two dims of a 3-D tensor are a transposed contiguous matrix. */
function isTransposedContiguous(t: Tensor): boolean {
  const [bs, r, c] = t.shape as [number, number, number];
  const [s0, s1, s2] = t.strides as [number, number, number];
  return s1 === 1 && s2 === r && (bs === 1 || s0 === r * c);
}

/**
 * `out = a @ b (+ bias)` through the current backend's optional matrix product (which reads any
 * strides), for float operands of one dtype; false when the backend declines.
 */
function fastProduct(a: Tensor, b: Tensor, out: Tensor, bias?: Tensor): boolean {
  const mat = currentBackend().matmul;
  if (mat === undefined || !isFloat(a.dtype) || b.dtype !== a.dtype) return false;
  const [batch, m, k] = a.shape as [number, number, number];
  const n = b.shape[2]!;
  return mat.call(
    currentBackend(),
    a.dtype,
    batch,
    m,
    n,
    k,
    { data: a._storage.data, offset: a.offset, strides: a.strides },
    { data: b._storage.data, offset: b.offset, strides: b.strides },
    out._storage.data,
    bias && { data: bias._storage.data, offset: bias.offset },
  );
}

/**
 * @internal `x @ w.T + b` for `F.linear` (x `[m, in]`, w `[out, in]`, b `[out]` contiguous or
 * absent), without autograd: one product with the bias added by the kernel when the backend
 * has a matrix product (`biasAdded`), else `mm(x, w.t())` and the caller adds the bias.
 */
export function linearProduct(x: Tensor, w: Tensor, b: Tensor | undefined): { out: Tensor; biasAdded: boolean } {
  const [m] = x.shape as [number];
  const n = w.shape[0]!;
  const bias = b !== undefined && b.dim() === 1 && b.shape[0] === n && (n <= 1 || b.strides[0] === 1) ? b : undefined;
  if ((b === undefined || bias !== undefined) && currentBackend().matmul !== undefined) {
    const out = new Tensor(new Storage((x.shape[1]! > 0 ? allocateUninit : allocate)(x.dtype, m * n)), [m, n], contiguousStrides([m, n]), 0, x.dtype);
    if (fastProduct(x.unsqueeze(0), w.t().unsqueeze(0), out, bias)) return { out, biasAdded: bias !== undefined };
  }
  return { out: mm(x, w.t()), biasAdded: false };
}

/** Batched product of [B, M, K] and [B, K, N] tensors (same dtype). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 3 || b.dim() !== 3) {
    throw new RangeError(`bmm(): expected 3-D tensors, got ${a.dim()}-D and ${b.dim()}-D`);
  }
  const [batch, m, k] = a.shape as [number, number, number];
  const [batch2, k2, n] = b.shape as [number, number, number];
  if (batch !== batch2 || k !== k2) {
    throw new RangeError(`bmm(): batch1 and batch2 shapes cannot be multiplied (${shapeStr(a.shape)} and ${shapeStr(b.shape)})`);
  }
  const dtype = a.dtype;
  // Every element is written when k > 0 (k = 0 gives zeros, which only a cleared buffer holds).
  const out = new Tensor(new Storage((k > 0 ? allocateUninit : allocate)(dtype, batch * m * n)), [batch, m, n], contiguousStrides([batch, m, n]), 0, dtype);
  if (fastProduct(a, b, out)) {
    // The backend's product (the native backend's blocked SIMD kernel) took it.
  } else if (isTransposedContiguous(b) && k > 1) {
    const ac = a.contiguous();
    // x @ W^T (nn.Linear's forward) reads W's rows directly instead of copying W^T.
    const o = out._storage.data;
    kernel('nt', ac._storage.data, b._storage.data, o)(ac._storage.data, ac.offset, b._storage.data, b.offset, o, batch, m, k, n);
  } else {
    const ac = a.contiguous();
    const bc = b.contiguous();
    const o = out._storage.data;
    kernel('nn', ac._storage.data, bc._storage.data, o)(ac._storage.data, ac.offset, bc._storage.data, bc.offset, o, batch, m, k, n);
  }
  return record(out, 'BmmBackward0', [a, b], [a, b], (g, [as, bs]) => [
    a.requiresGrad ? bmm(g, bs!.transpose(1, 2)) : null,
    b.requiresGrad ? bmm(as!.transpose(1, 2), g) : null,
  ]);
}

function checkDtypes(a: Tensor, b: Tensor, where: string): void {
  if (a.dtype !== b.dtype) {
    throw new TypeError(`${where}: expected both operands to have the same dtype, but got ${torchTypeName(a.dtype)} and ${torchTypeName(b.dtype)}`);
  }
  if (!isFloat(a.dtype) && a.dtype !== 'int64' && a.dtype !== 'int32') {
    throw new TypeError(`${where}: "addmm" not implemented for '${torchTypeName(a.dtype)}'`);
  }
}

/** `torch.mm`: 2-D by 2-D. */
export function mm(a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 2) throw new RangeError(`mm(): argument 'self' must be a matrix, got a ${a.dim()}-D tensor`);
  if (b.dim() !== 2) throw new RangeError(`mm(): argument 'mat2' must be a matrix, got a ${b.dim()}-D tensor`);
  if (a.shape[1] !== b.shape[0]) {
    throw new RangeError(
      `mm(): mat1 and mat2 shapes cannot be multiplied (${a.shape[0]}x${a.shape[1]} and ${b.shape[0]}x${b.shape[1]})`,
    );
  }
  checkDtypes(a, b, 'mm()');
  return bmm(a.unsqueeze(0), b.unsqueeze(0)).squeeze(0);
}

/**
 * `torch.matmul`: dot product for 1-D operands, matrix product for 2-D, and batched products
 * with broadcast batch dimensions otherwise (a 1-D operand gets a dimension added and removed).
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const da = a.dim();
  const db = b.dim();
  if (da === 0 || db === 0) {
    throw new RangeError(`matmul(): both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  }
  checkDtypes(a, b, 'matmul()');
  if (da === 1 && db === 1) {
    if (a.shape[0] !== b.shape[0]) {
      throw new RangeError(
        `matmul(): inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
      );
    }
    return mm(a.unsqueeze(0), b.unsqueeze(1)).reshape([]);
  }
  if (da === 2 && db === 2) return mm(a, b);
  if (da === 1 && db === 2) return mm(a.unsqueeze(0), b).squeeze(0);
  if (da === 2 && db === 1) return mm(a, b.unsqueeze(1)).squeeze(1);
  // Batched: promote 1-D operands, broadcast batch dims, run one bmm, restore the shape.
  const A = da === 1 ? a.unsqueeze(0) : a;
  const B = db === 1 ? b.unsqueeze(1) : b;
  const [m, k] = A.shape.slice(-2) as [number, number];
  const [k2, n] = B.shape.slice(-2) as [number, number];
  if (k !== k2) {
    throw new RangeError(`matmul(): mat1 and mat2 shapes cannot be multiplied (${m}x${k} and ${k2}x${n})`);
  }
  const batch = broadcastShapes([A.shape.slice(0, -2), B.shape.slice(0, -2)], 'matmul()');
  const nb = numel(batch);
  const Ab = A.expand([...batch, m, k]).reshape([nb, m, k]);
  const Bb = B.expand([...batch, k, n]).reshape([nb, k, n]);
  let out = bmm(Ab, Bb).reshape([...batch, m, n]);
  if (da === 1) out = out.squeeze(-2);
  if (db === 1) out = out.squeeze(-1);
  return out;
}

/** `torch.outer`. */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 1 || b.dim() !== 1) throw new RangeError('outer(): expected 1-D tensors');
  return a.unsqueeze(1).mul(b.unsqueeze(0));
}
