import { defineActivation } from './define.js';
import { eluDerivative, eluForward, eluResultDerivative, NEGATIVE_ALPHA_INPLACE } from './elu_family.js';

/** ELU: `x` for positive inputs, `alpha * (exp(x) - 1)` otherwise. */
export default defineActivation({
  id: 'elu',
  module: 'ELU',
  summary: 'Exponential linear unit: identity for x > 0, a smooth exponential approach to -alpha below.',
  formula: 'x if x > 0 else alpha * (exp(x) - 1)',
  source: 'Clevert, Unterthiner & Hochreiter, "Fast and Accurate Deep Network Learning by Exponential Linear Units (ELUs)", ICLR 2016',
  params: { alpha: { type: 'float', default: 1, doc: 'the value approached as x → -inf is -alpha', range: [0, 3] } },
  kernelName: 'elu_cpu',
  forward: (x, p) => eluForward(x, { negcoef: p.alpha, scale: 1, inputScale: 1 }),
  derivative: (x, _y, p) => eluDerivative(x, { negcoef: p.alpha, scale: 1, inputScale: 1 }),
  inplace: {
    derivative: (y, p) => eluResultDerivative(y, { negcoef: p.alpha, scale: 1, inputScale: 1 }),
    backwardError: (p) => (p.alpha < 0 ? NEGATIVE_ALPHA_INPLACE : undefined),
    gradFn: 'EluBackward1',
  },
  gradFn: 'EluBackward0',
  reference: (x, p) => (x > 0 ? x : p.alpha * Math.expm1(x)),
  referenceDerivative: (x, p) => (x > 0 ? 1 : p.alpha * Math.exp(x)),
  properties: {
    range: (p) => (p.alpha >= 0 ? [-p.alpha, Infinity] : [-Infinity, Infinity]),
    monotonic: (p) => p.alpha >= 0,
    kinks: (p) => (p.alpha === 1 ? [] : [0]),
    zeroCentered: true,
    saturates: 'negative',
  },
});
