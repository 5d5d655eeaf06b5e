import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';

/** Tanhshrink: `x - tanh(x)`. */
export default defineActivation({
  id: 'tanhshrink',
  module: 'Tanhshrink',
  summary: 'The input minus its tanh: flat (cubic) near zero, linear far out.',
  formula: 'x - tanh(x)',
  params: {},
  integers: 'promote',
  // NOTE(torch): a composite in PyTorch (input - input.tanh()); its gradient is that of the
  // subtraction, hence the node name.
  forward: (x) => ir.sub(x, ir.tanh(x)),
  gradFn: 'SubBackward0',
  reference: (x) => x - Math.tanh(x),
  referenceDerivative: (x) => Math.tanh(x) ** 2,
  properties: { range: [-Infinity, Infinity], monotonic: true, kinks: [], zeroCentered: true, saturates: 'none' },
});
