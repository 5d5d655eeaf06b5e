import { logSoftmax as logSoftmaxOp } from '../ops/softmax.js';
import { defineActivation } from './define.js';
import { dimRepr, logSoftmaxRef, resolveDim, SOFTMAX_PARAMS, withDtype } from './softmax_family.js';

/** LogSoftmax: `x - logsumexp(x)` along a dimension. */
export default defineActivation({
  id: 'log_softmax',
  module: 'LogSoftmax',
  kind: 'dim',
  summary: 'The logarithm of softmax, computed directly: x minus the log-sum-exp of its slice.',
  formula: 'x_i - log(sum_j exp(x_j))',
  params: SOFTMAX_PARAMS,
  positional: ['dim'],
  integers: 'custom',
  apply: (x, p, ctx) => {
    const xt = withDtype(x, p.dtype);
    return logSoftmaxOp(xt, resolveDim(xt, p.dim, 'log_softmax'), ctx.where);
  },
  reference: (xs) => logSoftmaxRef(xs),
  extraRepr: (p) => dimRepr(p),
  moduleSetup: { omit: ['dtype'] },
  properties: { range: [-Infinity, 0], monotonic: true, kinks: [], zeroCentered: false, saturates: 'positive' },
});
