import * as ir from '../ir/expr.js';
import { oneMinusSquare } from '../ir/diff.js';
import { defineActivation } from './define.js';

/** Tanh: the hyperbolic tangent. */
export default defineActivation({
  id: 'tanh',
  module: 'Tanh',
  summary: 'The hyperbolic tangent: a zero-centred sigmoid with range (-1, 1).',
  formula: 'tanh(x)',
  params: {},
  integers: 'promote',
  forward: (x) => ir.tanh(x),
  // NOTE(torch): 1 - y^2 from the saved result, as PyTorch's TanhBackward0 (whose fused
  // multiply-add this matches in accuracy, see oneMinusSquare).
  derivative: (_x, y) => oneMinusSquare(y),
  inplace: {},
  gradFn: 'TanhBackward0',
  reference: (x) => Math.tanh(x),
  referenceDerivative: (x) => 1 - Math.tanh(x) ** 2,
  properties: { range: [-1, 1], monotonic: true, kinks: [], zeroCentered: true, saturates: 'both' },
});
