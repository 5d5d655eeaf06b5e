/**
 * What ELU, SELU and CELU share: PyTorch computes all three with one kernel,
 * `x > 0 ? scale * x : negcoef * (exp(x * inputScale) - 1)`, with one derivative convention.
 */
import * as ir from '../ir/expr.js';
import type { Expr } from '../ir/expr.js';

/** The constants of the shared ELU form; each an expression (a parameter or a literal). */
export interface EluCoefficients {
  /** `alpha * scale`: the negative-side saturation value. */
  negcoef: Expr | number;
  /** `scale`: the positive-side slope. */
  scale: Expr | number;
  /** `1 / alpha` for CELU, 1 otherwise. */
  inputScale: Expr | number;
}

/**
 * The forward: `negcoef * expm1(x * inputScale)` on the negative side (expm1 rather than
 * PyTorch's `exp(x) - 1`, which loses all relative accuracy near 0).
 * NOTE(torch): both zeros give +0 * negcoef (PyTorch evaluates (exp(±0) - 1) * negcoef), so +0.0,
 * or -0.0 for a negative alpha; NaN stays NaN.
 */
export function eluForward(x: Expr, c: EluCoefficients): Expr {
  const negative = ir.mul(c.negcoef, ir.expm1(ir.mul(x, c.inputScale)));
  // |±0| = +0; a literal 0 would be folded away by the IR (0 * negcoef → 0).
  const atZero = ir.mul(ir.abs(x), c.negcoef);
  return ir.where(ir.gt(x, 0), ir.mul(x, c.scale), ir.where(ir.eq(x, 0), atZero, negative));
}

/**
 * The derivative in terms of the input.
 * NOTE(torch): at exactly 0 it is negcoef * inputScale (the negative branch), while the second
 * derivative there is 0 (PyTorch's double backward masks with x < 0): a constant at 0 gives both.
 * NaN takes the positive slope, as the scalar kernel's `x <= 0 ? ... : scale` does.
 */
export function eluDerivative(x: Expr, c: EluCoefficients): Expr {
  const slope0 = ir.mul(c.negcoef, c.inputScale);
  const negative = ir.mul(slope0, ir.exp(ir.mul(x, c.inputScale)));
  return ir.where(ir.le(x, 0), ir.where(ir.lt(x, 0), negative, slope0), c.scale);
}

/**
 * The derivative in terms of the result, used by the in-place forms (which overwrite x):
 * `inputScale * (y + negcoef)` on the negative side. Valid only for alpha >= 0, hence the
 * in-place backward error for negative alpha.
 */
export function eluResultDerivative(y: Expr, c: EluCoefficients): Expr {
  const slope0 = ir.mul(c.negcoef, c.inputScale);
  return ir.where(ir.le(y, 0), ir.where(ir.lt(y, 0), ir.mul(c.inputScale, ir.add(y, c.negcoef)), slope0), c.scale);
}

/** PyTorch's message for in-place ELU-family backward with a negative alpha. */
export const NEGATIVE_ALPHA_INPLACE =
  'In-place elu backward calculation is triggered with a negative slope which is not supported. ' +
  'This is caused by calling in-place forward function with a negative slope, please call out-of-place version instead.';
