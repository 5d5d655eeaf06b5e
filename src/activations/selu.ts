import { defineActivation } from './define.js';
import { eluDerivative, eluForward, eluResultDerivative } from './elu_family.js';

// The constants of Klambauer et al. (2017), as PyTorch writes them (Activation.cpp), parsed as doubles.
const ALPHA = 1.6732632423543772848170429916717;
const SCALE = 1.0507009873554804934193349852946;
const C = { negcoef: ALPHA * SCALE, scale: SCALE, inputScale: 1 };

/** SELU: `scale * elu(x, alpha)` with the self-normalising constants. */
export default defineActivation({
  id: 'selu',
  module: 'SELU',
  summary: 'Scaled ELU with constants that keep activations near zero mean and unit variance.',
  formula: 'scale * (x if x > 0 else alpha * (exp(x) - 1)), alpha ≈ 1.6733, scale ≈ 1.0507',
  source: 'Klambauer, Unterthiner, Mayr & Hochreiter, "Self-Normalizing Neural Networks", NeurIPS 2017',
  params: {},
  kernelName: 'elu_cpu',
  forward: (x) => eluForward(x, C),
  derivative: (x) => eluDerivative(x, C),
  inplace: { derivative: (y) => eluResultDerivative(y, C), gradFn: 'EluBackward1' },
  gradFn: 'EluBackward0',
  reference: (x) => (x > 0 ? SCALE * x : ALPHA * SCALE * Math.expm1(x)),
  referenceDerivative: (x) => (x > 0 ? SCALE : ALPHA * SCALE * Math.exp(x)),
  properties: { range: [-ALPHA * SCALE, Infinity], monotonic: true, kinks: [0], zeroCentered: true, saturates: 'negative' },
});
