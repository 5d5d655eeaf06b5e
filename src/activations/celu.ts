import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';
import { eluDerivative, eluForward, eluResultDerivative, NEGATIVE_ALPHA_INPLACE } from './elu_family.js';

/** CELU: `x` for positive inputs, `alpha * (exp(x / alpha) - 1)` otherwise. */
export default defineActivation({
  id: 'celu',
  module: 'CELU',
  summary: 'Continuously differentiable ELU: the slope at 0 is 1 for every alpha.',
  formula: 'x if x > 0 else alpha * (exp(x / alpha) - 1)',
  source: 'Barron, "Continuously Differentiable Exponential Linear Units", 2017',
  params: { alpha: { type: 'float', default: 1, doc: 'the value approached as x → -inf is -alpha (not 0)', range: [0.1, 3] } },
  kernelName: 'elu_cpu',
  validate: (p) => (p.alpha === 0 ? 'ZeroDivisionError: alpha cannot be 0 for CELU' : undefined),
  // NOTE(torch): the input scale 1 / alpha is computed in double and then converted to the
  // tensor's dtype, as ATen's celu does (in float32, 1 / float32(alpha) would differ: 10 vs
  // 9.99999985 for alpha = 0.1, an error exp() multiplies by |x / alpha|). PyTorch's float64
  // backward uses 1 / float32(alpha) (spec §2.7); paoding keeps the exact 1 / alpha there.
  coefficients: (p) => ({ inputScale: 1 / p.alpha }),
  forward: (x, p) => eluForward(x, { negcoef: p.alpha, scale: 1, inputScale: ir.param('inputScale') }),
  derivative: (x, _y, p) => eluDerivative(x, { negcoef: p.alpha, scale: 1, inputScale: ir.param('inputScale') }),
  inplace: {
    derivative: (y, p) => eluResultDerivative(y, { negcoef: p.alpha, scale: 1, inputScale: ir.param('inputScale') }),
    backwardError: (p) => (p.alpha < 0 ? NEGATIVE_ALPHA_INPLACE : undefined),
    gradFn: 'CeluBackward1',
  },
  gradFn: 'CeluBackward0',
  reference: (x, p) => (x > 0 ? x : p.alpha * Math.expm1(x / p.alpha)),
  referenceDerivative: (x, p) => (x > 0 ? 1 : Math.exp(x / p.alpha)),
  properties: {
    range: (p) => (p.alpha > 0 ? [-p.alpha, Infinity] : [-Infinity, Infinity]),
    monotonic: true,
    kinks: [],
    zeroCentered: true,
    saturates: 'negative',
  },
});
