/** Free-function forms of tensor operations (`where(cond, a, b)`, `maximum(a, b)`). */
import * as arith from './arith.js';
import type { TensorOrScalar } from './arith.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * `cond ? a : b` elementwise, as `torch.where`.
 *
 * @example
 * ```ts
 * import { where, tensor } from 'paoding';
 * const x = tensor([-1, 2]);
 * console.log(where(x.gt(0), x, 0).tolist()); // [ 0, 2 ]
 * ```
 */
export function where(cond: Tensor, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return arith.where(cond, a, b);
}

/** Elementwise maximum, NaN-propagating, as `torch.maximum`. */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return arith.maximum(a, b);
}

/** Elementwise minimum, NaN-propagating, as `torch.minimum`. */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return arith.minimum(a, b);
}
