import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';

/** Hardsigmoid: `relu6(x + 3) / 6`. */
export default defineActivation({
  id: 'hardsigmoid',
  module: 'Hardsigmoid',
  summary: 'A piecewise-linear sigmoid with slope 1/6 (PyTorch; Keras and ONNX default to 0.2).',
  formula: 'min(max(x + 3, 0), 6) / 6',
  source: 'Howard et al., "Searching for MobileNetV3", 2019',
  params: {},
  kernelName: 'hardsigmoid_cpu',
  forward: (x) => ir.div(ir.clamp(ir.add(x, 3), 0, 6), 6),
  // NOTE(torch): slope 1/6 strictly inside (-3, 3), 0 at ±3 and at NaN. PyTorch has no double
  // backward for hardsigmoid; here the second derivative is the (zero) derivative of this.
  derivative: (x) => ir.where(ir.and(ir.gt(x, -3), ir.lt(x, 3)), 1 / 6, 0),
  inplace: {},
  gradFn: 'HardsigmoidBackward0',
  reference: (x) => Math.min(Math.max(x + 3, 0), 6) / 6,
  extraRepr: () => '',
  properties: { range: [0, 1], monotonic: true, kinks: [-3, 3], zeroCentered: false, saturates: 'both' },
});
