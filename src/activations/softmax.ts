import { softmax as softmaxOp } from '../ops/softmax.js';
import { defineActivation } from './define.js';
import { dimRepr, resolveDim, SOFTMAX_PARAMS, softmaxRef, withDtype } from './softmax_family.js';

/** Softmax: `exp(x) / sum(exp(x))` along a dimension. */
export default defineActivation({
  id: 'softmax',
  module: 'Softmax',
  kind: 'dim',
  summary: 'Turns a slice of scores into probabilities: exponentials normalised to sum to 1.',
  formula: 'exp(x_i) / sum_j exp(x_j)',
  params: SOFTMAX_PARAMS,
  positional: ['dim'],
  integers: 'custom',
  // NOTE(torch): shifted by the slice maximum, so large inputs cannot overflow.
  apply: (x, p, ctx) => {
    const xt = withDtype(x, p.dtype);
    return softmaxOp(xt, resolveDim(xt, p.dim, 'softmax'), ctx.where);
  },
  reference: (xs) => softmaxRef(xs),
  extraRepr: (p) => dimRepr(p),
  moduleSetup: { omit: ['dtype'] },
  properties: { range: [0, 1], monotonic: true, kinks: [], zeroCentered: false, saturates: 'both' },
});
