import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';

/** ReLU: `max(0, x)`. */
export default defineActivation({
  id: 'relu',
  module: 'ReLU',
  summary: 'Rectified linear unit: passes positive inputs, zeroes negative ones.',
  formula: 'max(0, x)',
  source: 'Nair & Hinton, "Rectified Linear Units Improve Restricted Boltzmann Machines", ICML 2010',
  params: {},
  integers: 'keep',
  kernelName: 'relu',
  // NOTE(torch): relu is clamp_min(x, 0) with the input as first operand, so relu(-0.0) is
  // -0.0 and NaN propagates.
  forward: (x) => ir.max(x, 0),
  // NOTE(torch): the gradient is read off the result (y <= 0 ? 0 : 1, so 0 at x = 0), which
  // is why relu and relu_ save their output.
  derivative: (_x, y) => ir.where(ir.le(y, 0), 0, 1),
  inplace: {},
  gradFn: 'ReluBackward0',
  reference: (x) => (x < 0 ? 0 : x),
  properties: { range: [0, Infinity], monotonic: true, kinks: [0], zeroCentered: false, saturates: 'none', deadZone: [-Infinity, 0] },
  example: `const x = tensor([-1, 0, 2], { requiresGrad: true });
F.relu(x).sum().backward();
console.log(F.relu(x).tolist(), x.grad!.tolist()); // [ 0, 0, 2 ] [ 0, 0, 1 ]`,
});
