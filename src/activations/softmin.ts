import { softmax as softmaxOp } from '../ops/softmax.js';
import { defineActivation } from './define.js';
import { dimRepr, resolveDim, SOFTMAX_PARAMS, softmaxRef, withDtype } from './softmax_family.js';

/** Softmin: `softmax(-x)` along a dimension. */
export default defineActivation({
  id: 'softmin',
  module: 'Softmin',
  kind: 'dim',
  summary: 'Softmax of the negated input: the smallest score gets the largest probability.',
  formula: 'exp(-x_i) / sum_j exp(-x_j)',
  params: SOFTMAX_PARAMS,
  positional: ['dim'],
  integers: 'custom',
  // NOTE(torch): literally (-x).softmax(dim, dtype): the negation happens before the cast.
  apply: (x, p, ctx) => {
    const n = x.neg();
    const xt = withDtype(n, p.dtype);
    return softmaxOp(xt, resolveDim(xt, p.dim, 'softmin'), ctx.where);
  },
  reference: (xs) => softmaxRef(xs.map((v) => -v)),
  extraRepr: (p) => dimRepr(p),
  moduleSetup: { omit: ['dtype'] },
  properties: { range: [0, 1], monotonic: false, kinks: [], zeroCentered: false, saturates: 'both' },
});
