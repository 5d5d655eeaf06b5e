/** A user-defined activation for the lab tests: a module whose default export is a defineActivation result. */
import { defineActivation, ir } from '../../src/index.js';

export default defineActivation({
  id: 'lab_swish',
  module: 'LabSwish',
  summary: 'x * sigmoid(beta * x), a user activation for the lab tests.',
  formula: 'x * sigmoid(beta * x)',
  params: { beta: { type: 'float', default: 1, doc: 'steepness of the gate', range: [0, 5] } },
  forward: (x, p) => x.mul(ir.sigmoid(p.beta.mul(x))),
  reference: (x, p) => x / (1 + Math.exp(-p.beta * x)),
  gradFn: 'LabSwishBackward0',
  properties: { range: [-0.2785, Infinity], monotonic: false, kinks: [], zeroCentered: false, saturates: 'negative' },
});
