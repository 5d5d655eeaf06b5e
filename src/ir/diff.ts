/**
 * Symbolic differentiation of expressions.
 *
 * The derivative rules live here, once, for the primitives; every activation, tensor operation
 * and user-defined activation gets its derivatives by composing them. The result is again an
 * expression, so it can be compiled into one fused backward kernel and differentiated again
 * (that is how second derivatives work).
 */
import { abs, add, and, constant, cos, div, eq, exp, type Expr, ge, gt, log, lt, mul, neg, pow, sigmoid, sign, sin, sub, where } from './expr.js';

/** 2/sqrt(pi), the scale of erf's derivative (M_2_SQRTPI in C's math.h). */
const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * `1 - t^2` for |t| <= 1 (tanh's derivative), accurate everywhere: near |t| = 1 as
 * `(1 - t)(1 + t)` (one factor is exact there, while `t*t` would be rounded before the
 * cancellation), elsewhere as `1 - t*t`, whose own derivative `-2t` keeps its accuracy at small t.
 * NOTE(torch): PyTorch's kernels compute `1 - t*t` with a fused multiply-add, which is this accurate.
 */
export function oneMinusSquare(t: Expr): Expr {
  return where(lt(abs(t), 0.5), sub(1, mul(t, t)), mul(sub(1, t), add(1, t)));
}

/**
 * The derivative of `e` with respect to operand `index`.
 *
 * Choices at non-differentiable points follow PyTorch's autograd formulas: `abs` has slope
 * `sign(x)` (0 at 0), `max`/`min` split a tie evenly (as `torch.maximum`), comparisons and
 * rounding have zero derivative, and `where` differentiates the selected branch.
 *
 * @example
 * ```ts
 * import { ir } from 'paoding';
 * const x = ir.input(0);
 * console.log(ir.diff(x.mul(x), 0).toString()); // add(in0, in0)
 * ```
 */
export function diff(e: Expr, index: number): Expr {
  const memo = new Map<number, Expr>();
  const d = (n: Expr): Expr => {
    const m = memo.get(n.id);
    if (m) return m;
    const r = rule(n, d, index);
    memo.set(n.id, r);
    return r;
  };
  return d(e);
}

function rule(n: Expr, d: (n: Expr) => Expr, index: number): Expr {
  const a = n.args[0]!;
  const b = n.args[1]!;
  switch (n.op) {
    case 'input':
      return constant(n.value === index ? 1 : 0);
    case 'param':
    case 'const':
    case 'detach':
    case 'sign':
    case 'floor':
    case 'ceil':
    case 'round':
    case 'trunc':
    case 'tonum':
      return constant(0);
    case 'add':
      return add(d(a), d(b));
    case 'sub':
      return sub(d(a), d(b));
    case 'neg':
      return neg(d(a));
    case 'mul':
      return add(mul(d(a), b), mul(a, d(b)));
    case 'div': {
      const da = d(a);
      const db = d(b);
      // d(a/b) = da/b - a*db/b^2, in the form PyTorch's div backward uses.
      return sub(div(da, b), mul(db, div(a, mul(b, b))));
    }
    case 'pow': {
      const da = d(a);
      const db = d(b);
      let r = constant(0);
      if (!da.isConst(0)) {
        // NOTE(torch): pow_backward masks the exponent-0 case to a zero gradient.
        const term = mul(da, mul(b, pow(a, sub(b, 1))));
        r = b.op === 'const' ? term : where(eq(b, 0), 0, term);
      }
      if (!db.isConst(0)) {
        // NOTE(torch): pow_backward_exponent gives 0 where base == 0 and exponent >= 0.
        r = add(r, where(and(eq(a, 0), ge(b, 0)), 0, mul(db, mul(n, log(a)))));
      }
      return r;
    }
    case 'max':
    case 'min': {
      // NOTE(torch): maximum/minimum backward give each side the whole gradient where it
      // wins and half of it on a tie.
      const lose = n.op === 'max' ? lt(a, b) : gt(a, b);
      const loseB = n.op === 'max' ? gt(a, b) : lt(a, b);
      const tie = eq(a, b);
      const ga = where(lose, 0, where(tie, mul(d(a), 0.5), d(a)));
      const gb = where(loseB, 0, where(tie, mul(d(b), 0.5), d(b)));
      return add(ga, gb);
    }
    case 'abs':
      return mul(d(a), sign(a));
    case 'exp':
      return mul(d(a), n);
    case 'expm1':
      return mul(d(a), add(n, 1));
    case 'log':
      return div(d(a), a);
    case 'log1p':
      return div(d(a), add(a, 1));
    case 'sqrt':
      return div(d(a), mul(2, n));
    case 'rsqrt':
      return mul(d(a), mul(-0.5, pow(n, 3)));
    case 'reciprocal':
      return mul(d(a), neg(mul(n, n)));
    case 'tanh':
      return mul(d(a), oneMinusSquare(n));
    case 'sigmoid':
      // sigmoid(a) sigmoid(-a) rather than s (1 - s), which cancels to 0 for large a (the
      // positive tail of x * sigmoid(x)-style formulas would lose every digit).
      return mul(d(a), mul(n, sigmoid(neg(a))));
    case 'erf':
      return mul(d(a), mul(TWO_OVER_SQRT_PI, exp(neg(mul(a, a)))));
    case 'erfc':
      return mul(d(a), mul(-TWO_OVER_SQRT_PI, exp(neg(mul(a, a)))));
    case 'sin':
      return mul(d(a), cos(a));
    case 'cos':
      return mul(d(a), neg(sin(a)));
    case 'where':
      return where(a, d(b), d(n.args[2]!));
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge':
    case 'eq':
    case 'ne':
    case 'and':
    case 'or':
    case 'not':
    case 'isnan':
      // Booleans are not differentiable; `where` never asks for their derivative.
      throw new Error(`ir.diff: cannot differentiate the boolean ${n}`);
  }
}
