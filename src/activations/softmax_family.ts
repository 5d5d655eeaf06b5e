/** What softmax, log_softmax and softmin share: the dim rule, the dtype option, the reference. */
import type { Tensor } from '../tensor/tensor.js';
import type { ParamSpecs } from './spec.js';
import { warn } from '../util/warn.js';

/** The `dim` and `dtype` parameters of the softmax family. */
export const SOFTMAX_PARAMS = {
  dim: { type: 'int', default: null, doc: 'the dimension the outputs sum to 1 along (omitting it is deprecated)' },
  dtype: { type: 'choice', choices: ['float32', 'float64'], default: null, doc: 'convert the input to this dtype first' },
} as const satisfies ParamSpecs;

/**
 * The dimension to use. NOTE(torch): without `dim` PyTorch warns and picks 0 for 0-, 1- and
 * 3-dimensional inputs and 1 otherwise (a legacy rule kept for compatibility).
 */
export function resolveDim(x: Tensor, dim: number | null, name: string): number {
  if (dim !== null) return dim;
  warn(`Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`);
  const n = x.dim();
  return n === 0 || n === 1 || n === 3 ? 0 : 1;
}

/** Convert to `dtype` first when given (differentiably), as PyTorch's `dtype=` argument does. */
export function withDtype(x: Tensor, dtype: string | null): Tensor {
  return dtype === null || dtype === x.dtype ? x : x.to(dtype as 'float32');
}

/** Float64 softmax of one slice. */
export function softmaxRef(xs: readonly number[]): number[] {
  let m = -Infinity;
  for (const v of xs) if (v > m || Number.isNaN(v)) m = v;
  const e = xs.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Float64 log-softmax of one slice. */
export function logSoftmaxRef(xs: readonly number[]): number[] {
  let m = -Infinity;
  for (const v of xs) if (v > m || Number.isNaN(v)) m = v;
  const s = xs.reduce((a, v) => a + Math.exp(v - m), 0);
  return xs.map((v) => v - m - Math.log(s));
}

/** Module repr of the family: `Softmax(dim=None)`, `Softmax(dim=1)`. */
export function dimRepr(p: { dim: number | null }): string {
  return `dim=${p.dim === null ? 'None' : String(p.dim)}`;
}
