import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';

/** PyTorch's message for in-place leaky ReLU backward with a negative slope. */
export const NEGATIVE_SLOPE_INPLACE =
  'In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. ' +
  'This is caused by calling in-place forward function with a negative slope, please call out-of-place version instead. ' +
  'File an issue at https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu backward calculation with negative slope';

/** Leaky ReLU: `x` for positive inputs, `negativeSlope * x` otherwise. */
export default defineActivation({
  id: 'leaky_relu',
  module: 'LeakyReLU',
  summary: 'ReLU with a small slope for negative inputs, so units never stop learning entirely.',
  formula: 'x if x > 0 else negative_slope * x',
  source: 'Maas, Hannun & Ng, "Rectifier Nonlinearities Improve Neural Network Acoustic Models", ICML 2013',
  params: { negativeSlope: { type: 'float', default: 0.01, doc: 'the slope for x < 0', range: [0, 0.5] } },
  kernelName: 'leaky_relu_cpu',
  // NOTE(torch): the gradient at 0 is the slope (x > 0 is false there): differentiating this
  // selection gives exactly that.
  forward: (x, p) => ir.where(ir.gt(x, 0), x, ir.mul(x, p.negativeSlope)),
  inplace: {
    derivative: (y, p) => ir.where(ir.gt(y, 0), 1, p.negativeSlope),
    backwardError: (p) => (p.negativeSlope < 0 ? NEGATIVE_SLOPE_INPLACE : undefined),
    gradFn: 'LeakyReluBackward1',
  },
  gradFn: 'LeakyReluBackward0',
  reference: (x, p) => (x > 0 ? x : x * p.negativeSlope),
  referenceDerivative: (x, p) => (x > 0 ? 1 : p.negativeSlope),
  properties: {
    range: (p) => (p.negativeSlope >= 0 ? [-Infinity, Infinity] : [0, Infinity]),
    monotonic: (p) => p.negativeSlope >= 0,
    kinks: [0],
    zeroCentered: false,
    saturates: 'none',
  },
});
