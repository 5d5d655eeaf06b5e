/** A user-defined activation used by the tests: Swish with a learnable beta, declared the way a user would. */
import { defineActivation, ir } from '../../src/index.js';

export const swish = defineActivation({
  id: 'swish',
  module: 'Swish',
  summary: 'x * sigmoid(beta * x), with a learnable beta.',
  formula: 'x * sigmoid(beta * x)',
  params: { beta: { type: 'float', default: 1, learnable: true, doc: 'steepness of the gate', range: [0, 5] } },
  forward: (x, p) => x.mul(ir.sigmoid(p.beta.mul(x))),
  reference: (x, p) => x / (1 + Math.exp(-p.beta * x)),
  gradFn: 'SwishBackward0',
  properties: { range: [-0.2785, Infinity], monotonic: false, kinks: [], zeroCentered: false, saturates: 'negative' },
});
