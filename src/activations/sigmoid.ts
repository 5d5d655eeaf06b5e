import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';

/** Sigmoid: `1 / (1 + exp(-x))`. */
export default defineActivation({
  id: 'sigmoid',
  module: 'Sigmoid',
  summary: 'The logistic function: squashes inputs into (0, 1).',
  formula: '1 / (1 + exp(-x))',
  params: {},
  integers: 'promote',
  forward: (x) => ir.sigmoid(x),
  // NOTE(torch): the gradient is y (1 - y), read off the saved result (sigmoid and sigmoid_
  // save their output, which matters for in-place version checks).
  derivative: (_x, y) => ir.mul(y, ir.sub(1, y)),
  inplace: {},
  gradFn: 'SigmoidBackward0',
  reference: (x) => 1 / (1 + Math.exp(-x)),
  referenceDerivative: (x) => {
    const s = 1 / (1 + Math.exp(-x));
    return s * (1 - s);
  },
  properties: { range: [0, 1], monotonic: true, kinks: [], zeroCentered: false, saturates: 'both' },
});
