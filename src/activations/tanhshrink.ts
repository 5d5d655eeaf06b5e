import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';

/**
 * x - tanh(x) for |x| < 1 without the cancellation of the difference (x - tanh(x) ~ x^3 / 3,
 * whose direct evaluation loses all accuracy near 0): the ninth convergent of Lambert's continued
 * fraction tanh(x) = x / (1 + u / (3 + u / (5 + ...))), u = x^2, is tanh(x) = x Q(u) / P(u), so
 * x - tanh(x) = x u A(u) / P(u) with A = (P - Q) / u. Every coefficient is a positive integer
 * (exact in double) and u >= 0, so the evaluation does not cancel either; the convergent is
 * within 2.1e-19 relative of x - tanh(x) on |x| <= 1 (measured with mpmath at 2000 points), far
 * below double's rounding. Ten multiply-adds and a division, where the series of
 * x cosh(x) - sinh(x) over cosh(x) had taken two exponentials as well.
 */
const A: readonly number[] = [218243025, 16081065, 289575, 1430, 1];
const P: readonly number[] = [654729075, 310134825, 18918900, 315315, 1485, 1];

function horner(coefficients: readonly number[], u: ir.Expr): ir.Expr {
  let p: ir.Expr = ir.constant(coefficients[coefficients.length - 1]!);
  for (let k = coefficients.length - 2; k >= 0; k--) p = ir.add(ir.mul(p, u), coefficients[k]!);
  return p;
}

function smallTanhshrink(x: ir.Expr): ir.Expr {
  const u = ir.mul(x, x);
  return ir.div(ir.mul(ir.mul(x, u), horner(A, u)), horner(P, u));
}

/**
 * x - tanh(x) for |x| >= 1 as sign(x) (|x| - 1 + 2 / (e^(2|x|) + 1)): |x| - 1 is exact, and the
 * small positive term is added to it once, where x - tanh(x) would subtract a tanh near 1 that
 * carries its own rounding (three times the result's size at |x| = 1). One exponential and a
 * division instead of tanh's two divisions and expm1.
 */
function largeTanhshrink(x: ir.Expr): ir.Expr {
  const a = ir.abs(x);
  const m = ir.add(ir.sub(a, 1), ir.div(2, ir.add(ir.exp(ir.mul(2, a)), 1)));
  return ir.where(ir.lt(x, 0), ir.neg(m), m);
}

/** Tanhshrink: `x - tanh(x)`. */
export default defineActivation({
  id: 'tanhshrink',
  module: 'Tanhshrink',
  summary: 'The input minus its tanh: flat (cubic) near zero, linear far out.',
  formula: 'x - tanh(x)',
  params: {},
  integers: 'promote',
  // NOTE(torch): the composite x - tanh(x) subtracts from a bool tensor, which PyTorch refuses.
  checkInput: (x) =>
    x.dtype === 'bool'
      ? 'Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead. (argument \'input\' must not be a bool tensor)'
      : undefined,
  // NOTE(torch): a composite in PyTorch (input - input.tanh()); its gradient is that of the
  // subtraction, hence the node name. Near 0 the same function without the cancellation (see
  // smallTanhshrink); both zeros give +0.0, as x - tanh(x) does.
  forward: (x) => ir.where(ir.lt(ir.abs(x), 1), ir.where(ir.eq(x, 0), 0, smallTanhshrink(x)), largeTanhshrink(x)),
  // NOTE: the derivative 1 - (1 - tanh^2) is tanh^2 exactly; written so it neither cancels near
  // 0 (PyTorch's grad - grad (1 - tanh^2) gives 0 in float32 for |x| <= 2^-12.5) nor differentiates
  // the forward's two branches (a backward kernel three times as long).
  derivative: (x) => ir.mul(ir.tanh(x), ir.tanh(x)),
  gradFn: 'SubBackward0',
  reference: (x) => x - Math.tanh(x),
  referenceDerivative: (x) => Math.tanh(x) ** 2,
  properties: { range: [-Infinity, Infinity], monotonic: true, kinks: [], zeroCentered: true, saturates: 'none' },
});
