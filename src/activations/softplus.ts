import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';

/** Softplus: `log(1 + exp(beta * x)) / beta`, linear above a threshold. */
export default defineActivation({
  id: 'softplus',
  module: 'Softplus',
  summary: 'A smooth ReLU: log(1 + exp(beta x)) / beta, switching to x where beta x > threshold.',
  formula: 'x if beta * x > threshold else log(1 + exp(beta * x)) / beta',
  source: 'Dugas et al., "Incorporating Second-Order Functional Knowledge for Better Option Pricing", NeurIPS 2000',
  params: {
    beta: { type: 'float', default: 1, doc: 'sharpness: larger beta approaches ReLU', range: [0.1, 5] },
    threshold: { type: 'float', default: 20, doc: 'above beta * x > threshold the result is x', range: [1, 40] },
  },
  kernelName: 'softplus_cpu',
  // NOTE: log1p(exp(z)) as max(z, 0) + log1p(exp(-|z|)), which cannot overflow; the linear
  // branch needs a strict beta * x > threshold (at equality the formula is used), as in PyTorch.
  forward: (x, p) => {
    const z = ir.mul(x, p.beta);
    const soft = ir.div(ir.add(ir.max(z, 0), ir.log1p(ir.exp(ir.neg(ir.abs(z))))), p.beta);
    return ir.where(ir.gt(z, p.threshold), x, soft);
  },
  // NOTE(torch): the slope is sigmoid(beta x) up to and including the threshold point, 1 past
  // it; the second derivative is masked with a strict beta x < threshold, so the value at
  // the threshold point is held constant (detached) there. NaN takes the sigmoid branch, so
  // that its second derivative is NaN too (PyTorch multiplies by the mask: NaN * 0).
  derivative: (x, _y, p) => {
    const z = ir.mul(x, p.beta);
    // sigmoid(z), as e / (1 + e) with e = exp(z) for z < 0: a subnormal number down to
    // z = -745 in float64, where 1 / (1 + exp(-z)) is 0 from z = -709.8 (PyTorch's backward
    // computes it from exp(z) so).
    const e = ir.exp(z);
    const s = ir.where(ir.lt(z, 0), ir.div(e, ir.add(1, e)), ir.sigmoid(z));
    return ir.where(ir.gt(z, p.threshold), 1, ir.where(ir.eq(z, p.threshold), ir.detach(s), s));
  },
  gradFn: 'SoftplusBackward0',
  reference: (x, p) => (x * p.beta > p.threshold ? x : (Math.max(x * p.beta, 0) + Math.log1p(Math.exp(-Math.abs(x * p.beta)))) / p.beta),
  referenceDerivative: (x, p) => (x * p.beta > p.threshold ? 1 : 1 / (1 + Math.exp(-x * p.beta))),
  properties: {
    range: (p) => (p.beta > 0 ? [0, Infinity] : [-Infinity, Infinity]),
    monotonic: (p) => p.beta > 0,
    kinks: (p) => [p.threshold / p.beta],
    zeroCentered: false,
    saturates: 'negative',
  },
});
