import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';

/** ReLU6: `min(max(0, x), 6)`. */
export default defineActivation({
  id: 'relu6',
  module: 'ReLU6',
  summary: 'ReLU capped at 6, as used in MobileNet: hardtanh between 0 and 6.',
  formula: 'min(max(0, x), 6)',
  source: 'Krizhevsky, "Convolutional Deep Belief Networks on CIFAR-10", 2010',
  params: {},
  integers: 'keep',
  kernelName: 'hardtanh',
  forward: (x) => ir.clamp(x, 0, 6),
  // NOTE(torch): relu6 is hardtanh(x, 0, 6): the gradient is 0 at both 0 and 6.
  derivative: (x) => ir.where(ir.or(ir.le(x, 0), ir.ge(x, 6)), 0, 1),
  inplace: {},
  gradFn: 'HardtanhBackward0',
  reference: (x) => (x < 0 ? 0 : x > 6 ? 6 : x),
  extraRepr: (_p, inplace) => (inplace ? 'inplace=True' : ''),
  properties: { range: [0, 6], monotonic: true, kinks: [0, 6], zeroCentered: false, saturates: 'both', deadZone: [-Infinity, 0] },
});
