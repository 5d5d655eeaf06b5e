import * as ir from '../ir/expr.js';
import { diff } from '../ir/diff.js';
import { erfc } from '../ir/special.js';
import { defineActivation } from './define.js';

const SQRT1_2 = Math.SQRT1_2;
// 1/sqrt(2 pi) = M_2_SQRTPI * M_SQRT1_2 * 0.5, PyTorch's kBeta for the exact form's backward.
const INV_SQRT_2PI = 0.3989422804014327;
// sqrt(2/pi) = M_SQRT2 * M_2_SQRTPI * 0.5, PyTorch's kBeta for the tanh form.
const K_BETA = 0.7978845608028654;
const K_KAPPA = 0.044715;

/** The tanh approximation, `x sigmoid(2u)` with `u = sqrt(2/π) (x + 0.044715 x³)`. */
function tanhForm(x: ir.Expr): ir.Expr {
  const inner = ir.mul(K_BETA, ir.add(x, ir.mul(K_KAPPA, ir.mul(ir.mul(x, x), x))));
  return ir.mul(x, ir.sigmoid(ir.mul(2, inner)));
}

/** GELU: `x * Φ(x)`, exactly or with PyTorch's tanh approximation. */
export default defineActivation({
  id: 'gelu',
  module: 'GELU',
  summary: 'Gaussian error linear unit: x weighted by the standard normal CDF of x.',
  formula: "x * Φ(x); approximate='tanh': 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))",
  source: 'Hendrycks & Gimpel, "Gaussian Error Linear Units (GELUs)", 2016',
  params: {
    approximate: { type: 'choice', choices: ['none', 'tanh'], default: 'none', doc: "'none' (exact, PyTorch's default) or 'tanh' (the approximation JAX and BERT use)" },
  },
  kernelName: 'GeluKernelImpl',
  // NOTE: PyTorch computes x * 0.5 * (1 + erf(x / sqrt 2)), whose 1 + erf cancels for x < -3
  // (up to 57% relative error in float32 near -5, pytorch issue 187806). erfc(-x / sqrt 2) is
  // the same function without the cancellation. Likewise 1 + tanh(z) = 2 sigmoid(2z).
  forward: (x, p) => (p.approximate === 'tanh' ? tanhForm(x) : ir.mul(ir.mul(x, 0.5), ir.erfc(ir.mul(ir.neg(x), SQRT1_2)))),
  // NOTE(torch): the exact form's derivative as PyTorch's backward writes it, cdf + x * pdf with
  // pdf = exp(-x^2 / 2) / sqrt(2 pi) (and the cdf from erfc, as the forward). Differentiating
  // the forward would give exp(-(x * sqrt(1/2))^2) instead, where sqrt(1/2) is rounded to the
  // dtype: in float32 that costs x^2 * 2^-24 relative, 20 ulps at |x| = 10 in the second derivative.
  derivative: (x, _y, p) => {
    if (p.approximate === 'tanh') {
      // The tanh form's derivative is 1 (x > 0) or 0 (x < 0) in double from |x| = 30 on (the
      // other terms underflow); past 1e10 it is taken as that limit, because differentiating
      // the forward would multiply an underflowed 0 by an overflowed x^2 (NaN in float64 from
      // |x| = 8e153, in float32 lanes from 1.2e19). Infinities keep PyTorch's NaN.
      const a = ir.abs(x);
      return ir.where(ir.and(ir.gt(a, 1e10), ir.lt(a, Infinity)), ir.where(ir.gt(x, 0), 1, 0), diff(tanhForm(x), 0));
    }
    const cdf = ir.mul(0.5, ir.erfc(ir.mul(ir.neg(x), SQRT1_2)));
    const pdf = ir.mul(INV_SQRT_2PI, ir.exp(ir.mul(-0.5, ir.mul(x, x))));
    return ir.add(cdf, ir.mul(x, pdf));
  },
  gradFn: 'GeluBackward0',
  reference: (x, p) => {
    if (p.approximate === 'tanh') return 0.5 * x * (1 + Math.tanh(K_BETA * (x + K_KAPPA * x * x * x)));
    return 0.5 * x * erfc(-x * SQRT1_2);
  },
  properties: { range: [-0.17, Infinity], monotonic: false, kinks: [], zeroCentered: false, saturates: 'negative' },
});
