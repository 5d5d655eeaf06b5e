/**
 * The arithmetic under the optimizers: PyTorch's CPU kernels reproduced operation by operation,
 * and the loop that walks a parameter together with its gradient and state.
 *
 * An optimizer step in PyTorch is a chain of tensor operations (`exp_avg.mul_(beta1)`, then
 * `.add_(grad, alpha=1 - beta1)`, ...), and in float32 every one of them rounds its result to
 * float32. paoding's fused kernels compute a whole expression in float64 and round once, which is
 * more accurate but not what PyTorch computes, so the optimizers here run their own loops in which
 * every PyTorch operation is one rounding (`Math.fround` for float32) and the scalars are first
 * converted to the parameter's dtype, as PyTorch converts them. The update then reproduces PyTorch's
 * parameters bit for bit, and it allocates nothing per element.
 *
 * NOTE(torch): measured on PyTorch 1.13's CPU kernels as Debian ships them, with the AVX2 kernels
 * that ATen selects on x86-64 CPUs with AVX2 and FMA (other builds and CPUs may round the products
 * separately, which changes last bits):
 * - `a.add(b, alpha=s)` is one fused multiply-add, `fma(s, b, a)` (vectorised `vec::fmadd`, and the
 *   scalar tail contracted by GCC), in float32 and float64;
 * - `a.addcmul_(t1, t2, value=s)` is `fma(s * t1, t2, a)` with `s * t1` rounded first;
 * - `a.addcdiv_(t1, t2, value=s)` is `a + (s * t1) / t2` with three roundings (no contraction);
 * - `t / s` for a Python float `s` is a true division by `s` converted to the dtype.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { TypedArray } from '../tensor/dtype.js';
import { forEachRow } from '../backends/js/elementwise.js';
import { currentBackend } from '../backends/index.js';
import { shapeStr } from '../tensor/shape.js';
import { fma, fmaf, SPLITTER } from '../util/fma.js';

export { fmaf, fma as fma64 };

/**
 * `x ** n` for an integer `n >= 0`, correctly rounded (exponentiation by squaring in
 * double-double arithmetic, about 100 bits), falling back to `Math.pow` for other exponents.
 *
 * NOTE(torch): PyTorch computes the bias corrections `1 - beta ** step` with Python's `**`, i.e.
 * glibc's `pow`, which is correctly rounded in all but rare cases. V8's `Math.pow` is not: it
 * is off by an ulp for about 5% of `(0.9, step)` pairs (already `0.9 ** 4`), which would change
 * the last bits of the step size.
 *
 * @internal
 */
export function powi(x: number, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 53 || !Number.isFinite(x)) return Math.pow(x, n);
  let rh = 1;
  let rl = 0;
  let bh = x;
  let bl = 0;
  for (;;) {
    if (n % 2 === 1) {
      const r = ddMul(rh, rl, bh, bl);
      rh = r[0];
      rl = r[1];
    }
    n = Math.floor(n / 2);
    if (n === 0) break;
    const b = ddMul(bh, bl, bh, bl);
    bh = b[0];
    bl = b[1];
  }
  return rh + rl;
}

const dd: [number, number] = [0, 0];

/** Double-double product (Dekker's exact product plus the cross terms), renormalised. */
function ddMul(ah: number, al: number, bh: number, bl: number): [number, number] {
  const p = ah * bh;
  let t = SPLITTER * ah;
  const ahh = t - (t - ah);
  const ahl = ah - ahh;
  t = SPLITTER * bh;
  const bhh = t - (t - bh);
  const bhl = bh - bhh;
  const e = ahh * bhh - p + ahh * bhl + ahl * bhh + ahl * bhl + (ah * bl + al * bh);
  const s = p + e;
  dd[0] = s;
  dd[1] = e - (s - p);
  return dd;
}

/**
 * A row kernel: `n` elements; operand k (the parameter first, then its gradient and state) is
 * `a[k]`, starting at `o[k]` and stepping by `s[k]`; `c` holds the scalars. Kernels are plain
 * module-level functions (one per optimizer and dtype), so V8 compiles each for one array type.
 *
 * @internal
 */
export type RowKernel<C> = (n: number, a: readonly TypedArray[], o: readonly number[], s: readonly number[], c: C) => void;

/**
 * Run `kernel` over `param` and the tensors that go with it (its gradient, its state), which
 * must all have its shape and dtype: in one call when all are contiguous (the usual case), else
 * row by row. `labels` name the other operands in errors ("the gradient" → "the gradient of
 * parameter 3 has shape ...").
 *
 * @internal
 */
export function runKernel<C>(
  where: string,
  index: number,
  param: Tensor,
  others: readonly Tensor[],
  labels: readonly string[],
  kernel: RowKernel<C>,
  c: C,
): void {
  let contiguous = param.isContiguous();
  for (let k = 0; k < others.length; k++) {
    const t = others[k]!;
    if (t.dtype !== param.dtype) {
      throw new TypeError(`${where}: ${labels[k]} of parameter ${index} has dtype ${t.dtype} but the parameter has dtype ${param.dtype}`);
    }
    if (t.shape.length !== param.shape.length || t.shape.some((d, i) => d !== param.shape[i])) {
      throw new RangeError(`${where}: ${labels[k]} of parameter ${index} has shape ${shapeStr(t.shape)} but the parameter has shape ${shapeStr(param.shape)}`);
    }
    if (contiguous && !t.isContiguous()) contiguous = false;
  }
  const arrays = [param._storage.data];
  const offsets = [param.offset];
  for (const t of others) {
    arrays.push(t._storage.data);
    offsets.push(t.offset);
  }
  if (contiguous) {
    // The backend's fast path (the native backend runs the same loops in C), by the loop's name.
    const fast = currentBackend().optimizerStep;
    if (fast?.call(currentBackend(), kernel.name, param.numel(), arrays, offsets, c as object)) return;
    kernel(param.numel(), arrays, offsets, arrays.map(() => 1), c);
    return;
  }
  forEachRow(
    param.shape,
    offsets,
    [param.strides, ...others.map((t) => t.strides)],
    (offs, n, inner) => kernel(n, arrays, offs, inner, c),
  );
}
