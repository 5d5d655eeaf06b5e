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
  // The derivative is sigmoid(-x) (0.5 at 0), exact at both tails.
  derivative: (x) => ir.sigmoid(ir.neg(x)),
  gradFn: 'LogSigmoidBackward0',
  reference: (x) => Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x))),
  referenceDerivative: (x) => 1 / (1 + Math.exp(x)),
  properties: { range: [-Infinity, 0], monotonic: true, kinks: [], zeroCentered: false, saturates: 'positive' },
});
