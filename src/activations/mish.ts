import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';

/** The stable softplus, max(x, 0) + log1p(exp(-|x|)). */
const softplus = (x: ir.Expr): ir.Expr => ir.add(ir.max(x, 0), ir.log1p(ir.exp(ir.neg(ir.abs(x)))));

/** Mish: `x * tanh(softplus(x))`. */
export default defineActivation({
  id: 'mish',
  module: 'Mish',
  summary: 'x times the tanh of its softplus: smooth, non-monotonic, unbounded above.',
  formula: 'x * tanh(log(1 + exp(x)))',
  source: 'Misra, "Mish: A Self Regularized Non-Monotonic Activation Function", BMVC 2020',
  params: {},
  kernelName: 'mish_cpu',
  forward: (x) => ir.mul(x, ir.tanh(softplus(x))),
  // NOTE(torch): the backward kernel's form tsp + x * sigmoid(x) * (1 - tsp^2), except that
  // 1 - tsp^2 = sech^2(sp) is computed from sp as 4 sigmoid(2 sp) sigmoid(-2 sp): from the
  // rounded tsp it keeps only ~1e-8 relative accuracy where tsp is near 1 (x > 5 or so), which
  // the second derivative exposes.
  derivative: (x) => {
    const sp = softplus(x);
    const sech2 = ir.mul(4, ir.mul(ir.sigmoid(ir.mul(2, sp)), ir.sigmoid(ir.mul(-2, sp))));
    return ir.add(ir.tanh(sp), ir.mul(ir.mul(x, ir.sigmoid(x)), sech2));
  },
  inplace: {},
  gradFn: 'MishBackward0',
  reference: (x) => x * Math.tanh(Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))),
  properties: { range: [-0.30884, Infinity], monotonic: false, kinks: [], zeroCentered: false, saturates: 'negative' },
});
