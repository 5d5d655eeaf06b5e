import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';

/** SiLU (Swish): `x * sigmoid(x)`. */
export default defineActivation({
  id: 'silu',
  module: 'SiLU',
  summary: 'Sigmoid linear unit (Swish with beta = 1): x gated by its own sigmoid.',
  formula: 'x * sigmoid(x)',
  source: 'Elfwing, Uchibe & Doya, 2017; Ramachandran, Zoph & Le, "Searching for Activation Functions", 2017',
  params: {},
  kernelName: 'silu_cpu',
  // NOTE(torch): a division, x / (1 + exp(-x)), so silu(-inf) is NaN and silu(-0.0) is -0.0.
  forward: (x) => ir.div(x, ir.add(1, ir.exp(ir.neg(x)))),
  // NOTE(torch): the fused backward's form, s * (1 + x * (1 - s)), with 1 - s as sigmoid(-x),
  // which does not cancel for large x; differentiating the division instead would overflow
  // exp(-x) for x < -709. At ±inf it is NaN (0 * inf), as in PyTorch.
  derivative: (x) => {
    const s = ir.sigmoid(x);
    return ir.mul(s, ir.add(1, ir.mul(x, ir.sigmoid(ir.neg(x)))));
  },
  inplace: {},
  gradFn: 'SiluBackward0',
  reference: (x) => x / (1 + Math.exp(-x)),
  referenceDerivative: (x) => {
    const s = 1 / (1 + Math.exp(-x));
    return s * (1 + x * (1 - s));
  },
  properties: { range: [-0.2784645427610738, Infinity], monotonic: false, kinks: [], zeroCentered: false, saturates: 'negative' },
});
