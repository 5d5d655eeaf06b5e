/**
 * Matrix products: `matmul` with PyTorch's rules for 1-D, 2-D and batched operands, built on one
 * batched kernel and its autograd rule.
 */
import { record } from '../autograd/record.js';
import { allocate, isFloat, torchTypeName, type TypedArray } from '../tensor/dtype.js';
import { broadcastShapes, contiguousStrides, numel, shapeStr } from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';

/**
 * C[b] = A[b] @ B[b] for contiguous row-major blocks. Loops in i-k-j order so the innermost
 * loop streams rows of B and C; accumulates in float64.
 */
function bmmKernel(a: TypedArray, ao: number, b: TypedArray, bo: number, c: TypedArray, batch: number, m: number, k: number, n: number): void {
  const row = new Float64Array(n);
  for (let p = 0; p < batch; p++) {
    const aBase = ao + p * m * k;
    const bBase = bo + p * k * n;
    const cBase = p * m * n;
    for (let i = 0; i < m; i++) {
      row.fill(0);
      const ai = aBase + i * k;
      for (let q = 0; q < k; q++) {
        const s = a[ai + q]!;
        if (s === 0) continue;
        const bq = bBase + q * n;
        for (let j = 0; j < n; j++) row[j]! += s * b[bq + j]!;
      }
      // Zeros skipped above must still propagate NaN/inf from B, as a full product would.
      for (let q = 0; q < k; q++) {
        if (a[ai + q] !== 0) continue;
        const bq = bBase + q * n;
        for (let j = 0; j < n; j++) {
          const v = b[bq + j]!;
          if (v !== v || v === Infinity || v === -Infinity) row[j] = NaN;
        }
      }
      c.set(row, cBase + i * n);
    }
  }
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
  const ac = a.contiguous();
  const bc = b.contiguous();
  const out = new Tensor(new Storage(allocate(dtype, batch * m * n)), [batch, m, n], contiguousStrides([batch, m, n]), 0, dtype);
  bmmKernel(ac._storage.data, ac.offset, bc._storage.data, bc.offset, out._storage.data, batch, m, k, n);
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
