import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';

/** LogSigmoid: `log(sigmoid(x))`, computed without overflow. */
export default defineActivation({
  id: 'logsigmoid',
  module: 'LogSigmoid',
  summary: 'The logarithm of the sigmoid, computed stably: -softplus(-x).',
  formula: 'log(1 / (1 + exp(-x)))',
  params: {},
  kernelName: 'log_sigmoid_cpu',
  // NOTE(torch): the log-sum-exp form min(x, 0) - log1p(exp(-|x|)): logsigmoid(-300) is -300,
  // not -inf (pytorch issue 1835).
  forward: (x) => ir.sub(ir.min(x, 0), ir.log1p(ir.exp(ir.neg(ir.abs(x))))),
  // The derivative is sigmoid(-x) (0.5 at 0), written to be exact at both tails: for x > 0 as
  // e / (1 + e) with e = exp(-x), which stays a subnormal number up to x = 745 in float64 where
  // 1 / (1 + exp(x)) is 0 from x = 709.8 (as PyTorch's backward computes it from exp(-|x|)).
  derivative: (x) => {
    const e = ir.exp(ir.neg(x));
    return ir.where(ir.gt(x, 0), ir.div(e, ir.add(1, e)), ir.sigmoid(ir.neg(x)));
  },
  gradFn: 'LogSigmoidBackward0',
  reference: (x) => Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x))),
  referenceDerivative: (x) => 1 / (1 + Math.exp(x)),
  properties: { range: [-Infinity, 0], monotonic: true, kinks: [], zeroCentered: false, saturates: 'positive' },
});
