import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';

/** Softsign: `x / (1 + |x|)`. */
export default defineActivation({
  id: 'softsign',
  module: 'Softsign',
  summary: 'A rational sigmoid-like curve in (-1, 1) that saturates polynomially, not exponentially.',
  formula: 'x / (1 + |x|)',
  source: 'Bergstra et al., "Quadratic Polynomials Learn Better Image Features", 2009',
  params: {},
  integers: 'promote',
  // NOTE(torch): the composite's abs refuses bool (integers promote through its division).
  checkInput: (x) => (x.dtype === 'bool' ? `"abs_cpu" not implemented for 'Bool' (argument 'input' must not be a bool tensor)` : undefined),
  // NOTE(torch): a composite in PyTorch (input / (input.abs() + 1)), so ±inf gives NaN and the
  // gradient is that of the division.
  forward: (x) => ir.div(x, ir.add(ir.abs(x), 1)),
  // 1 / (1 + |x|)^2, not the division's two cancelling terms (1e-200 at x = 1e200, a negative
  // value at 1e38); NaN at ±inf, as PyTorch's inf / inf.
  derivative: (x) => {
    const d = ir.add(ir.abs(x), 1);
    return ir.where(ir.eq(ir.abs(x), Infinity), NaN, ir.div(1, ir.mul(d, d)));
  },
  gradFn: 'DivBackward0',
  reference: (x) => x / (1 + Math.abs(x)),
  referenceDerivative: (x) => 1 / (1 + Math.abs(x)) ** 2,
  properties: { range: [-1, 1], monotonic: true, kinks: [], zeroCentered: true, saturates: 'both' },
});
