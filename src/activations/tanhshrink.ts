import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';

/**
 * The series of x cosh(x) - sinh(x) = sum over k >= 1 of 2k / (2k+1)! x^(2k+1), as the
 * coefficients of x^3 (x^2)^(k-1): all positive, and ten terms reach double precision for |x| < 1.
 */
const SERIES: readonly number[] = Array.from({ length: 10 }, (_, i) => {
  const k = i + 1;
  let factorial = 1;
  for (let j = 2; j <= 2 * k + 1; j++) factorial *= j;
  return (2 * k) / factorial;
});

/**
 * x - tanh(x) = (x cosh(x) - sinh(x)) / cosh(x) for |x| < 1, from the series: the direct
 * difference cancels (x - tanh(x) ~ x^3 / 3), losing all accuracy near 0, and its derivative
 * 1 - (1 - tanh^2) with it.
 */
function smallTanhshrink(x: ir.Expr): ir.Expr {
  const u = ir.mul(x, x);
  let p: ir.Expr = ir.constant(SERIES[SERIES.length - 1]!);
  for (let k = SERIES.length - 2; k >= 0; k--) p = ir.add(ir.mul(p, u), SERIES[k]!);
  const cosh = ir.mul(ir.add(ir.exp(x), ir.exp(ir.neg(x))), 0.5);
  return ir.div(ir.mul(ir.mul(u, x), p), cosh);
}

/** Tanhshrink: `x - tanh(x)`. */
export default defineActivation({
  id: 'tanhshrink',
  module: 'Tanhshrink',
  summary: 'The input minus its tanh: flat (cubic) near zero, linear far out.',
  formula: 'x - tanh(x)',
  params: {},
  integers: 'promote',
  // NOTE(torch): a composite in PyTorch (input - input.tanh()); its gradient is that of the
  // subtraction, hence the node name. Near 0 the same function without the cancellation (see
  // smallTanhshrink); both zeros give +0.0, as x - tanh(x) does.
  forward: (x) => ir.where(ir.lt(ir.abs(x), 1), ir.where(ir.eq(x, 0), 0, smallTanhshrink(x)), ir.sub(x, ir.tanh(x))),
  gradFn: 'SubBackward0',
  reference: (x) => x - Math.tanh(x),
  referenceDerivative: (x) => Math.tanh(x) ** 2,
  properties: { range: [-Infinity, Infinity], monotonic: true, kinks: [], zeroCentered: true, saturates: 'none' },
});
