/**
 * Numerics: how accurate each way of computing an activation is. paoding's float32 results are
 * compared with its float64 results; the declared formula is also evaluated one rounded float32
 * operation at a time (as a kernel that rounds every step computes it); and where a textbook
 * ("naive") formula differs from the stable one paoding uses, the naive one is evaluated too.
 * Plus the special inputs: NaN, ±∞ and ±0, through the library and its autograd. No DOM.
 */
import { autograd, ir, onesLike, tensor, type Tensor } from '../index.js';
import type { Expr } from '../ir/expr.js';
import { apply, type Entry, type ParamValue } from './catalogue.js';

/** A formula over x (`ir.input(0)`) with the parameters as numbers. */
type Formula = (x: Expr, p: Readonly<Record<string, ParamValue>>) => Expr;

/** A textbook formula that differs numerically from the stable form paoding uses. */
export interface Naive {
  /** The formula as written. */
  text: string;
  /** Why it goes wrong. */
  why: string;
  formula: Formula;
  /** The same function in PyTorch, with `x` the input (for "show code"). */
  torch: (p: Readonly<Record<string, ParamValue>>) => string;
}

const num = (v: ParamValue | undefined, fallback: number): number => (typeof v === 'number' ? v : fallback);
const SQRT1_2 = Math.SQRT1_2;
const K_BETA = 0.7978845608028654;
const K_KAPPA = 0.044715;
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** log(1 + exp(z)), written as the textbook does. */
const naiveSoftplus = (z: ExprLike): Expr => ir.log(ir.add(1, ir.exp(z)));
type ExprLike = Expr | number;

/** The naive formulas, by activation id. */
export const NAIVE: Readonly<Record<string, Naive>> = {
  softplus: {
    text: 'log(1 + exp(βx)) / β',
    why: '1 + exp(βx) rounds to 1 once exp(βx) is below the epsilon, so the negative tail becomes 0 (float32 below about x = −17/β).',
    formula: (x, p) => {
      const beta = num(p['beta'], 1);
      const z = ir.mul(x, beta);
      return ir.where(ir.gt(z, num(p['threshold'], 20)), x, ir.div(naiveSoftplus(z), beta));
    },
    torch: (p) => {
      const b = num(p['beta'], 1);
      return b === 1 ? 'torch.log(1 + torch.exp(x))' : `torch.log(1 + torch.exp(${b} * x)) / ${b}`;
    },
  },
  logsigmoid: {
    text: 'log(1 / (1 + exp(−x)))',
    why: 'exp(−x) overflows for very negative x (giving −∞), and 1 + exp(−x) rounds to 1 for large x (giving 0 instead of −exp(−x)).',
    formula: (x) => ir.log(ir.div(1, ir.add(1, ir.exp(ir.neg(x))))),
    torch: () => 'torch.log(1 / (1 + torch.exp(-x)))',
  },
  gelu: {
    text: "0.5·x·(1 + erf(x/√2)) (PyTorch's formula); tanh: 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³)))",
    why: '1 + erf(x/√2) cancels in the negative tail: half the digits are gone by x = −3, all of them by x = −6 in float32.',
    formula: (x, p) => {
      if (p['approximate'] === 'tanh') {
        const inner = ir.mul(K_BETA, ir.add(x, ir.mul(K_KAPPA, ir.mul(ir.mul(x, x), x))));
        return ir.mul(ir.mul(0.5, x), ir.add(1, ir.tanh(inner)));
      }
      return ir.mul(ir.mul(0.5, x), ir.add(1, ir.erf(ir.mul(x, SQRT1_2))));
    },
    torch: (p) =>
      p['approximate'] === 'tanh'
        ? '0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))'
        : '0.5 * x * (1 + torch.erf(x / math.sqrt(2)))',
  },
  elu: {
    text: 'α·(exp(x) − 1) for x ≤ 0',
    why: 'exp(x) − 1 cancels near 0: expm1 keeps the digits that the subtraction loses.',
    formula: (x, p) => ir.where(ir.gt(x, 0), x, ir.mul(num(p['alpha'], 1), ir.sub(ir.exp(x), 1))),
    torch: (p) => `torch.where(x > 0, x, ${num(p['alpha'], 1)} * (torch.exp(x) - 1))`,
  },
  celu: {
    text: 'α·(exp(x/α) − 1) for x ≤ 0',
    why: 'exp(x/α) − 1 cancels near 0: expm1 keeps the digits that the subtraction loses.',
    formula: (x, p) => {
      const a = num(p['alpha'], 1);
      return ir.where(ir.gt(x, 0), x, ir.mul(a, ir.sub(ir.exp(ir.div(x, a)), 1)));
    },
    torch: (p) => `torch.where(x > 0, x, ${num(p['alpha'], 1)} * (torch.exp(x / ${num(p['alpha'], 1)}) - 1))`,
  },
  selu: {
    text: 'scale·α·(exp(x) − 1) for x ≤ 0',
    why: 'exp(x) − 1 cancels near 0: expm1 keeps the digits that the subtraction loses.',
    formula: (x) => ir.mul(SELU_SCALE, ir.where(ir.gt(x, 0), x, ir.mul(SELU_ALPHA, ir.sub(ir.exp(x), 1)))),
    torch: () => `${SELU_SCALE} * torch.where(x > 0, x, ${SELU_ALPHA} * (torch.exp(x) - 1))`,
  },
  mish: {
    text: 'x·tanh(log(1 + exp(x)))',
    why: 'the naive softplus inside rounds to 0 in the negative tail, and with it the whole product.',
    formula: (x) => ir.mul(x, ir.tanh(naiveSoftplus(x))),
    torch: () => 'x * torch.tanh(torch.log(1 + torch.exp(x)))',
  },
  tanhshrink: {
    text: 'x − tanh(x)',
    why: 'x − tanh(x) ≈ x³/3 cancels near 0; paoding switches to a series there.',
    formula: (x) => ir.sub(x, ir.tanh(x)),
    torch: () => 'x - torch.tanh(x)',
  },
};

/** Evaluate `e` at x rounding every operation to float32 (constants and parameters too). */
export function evaluateFloat32(e: Expr, x: number, params: Readonly<Record<string, number>> = {}): number {
  return ir.evaluate(e, [x], params, { round: Math.fround });
}

/**
 * The declared formula of an elementwise activation as an expression over `ir.input(0)`, with
 * its numeric parameters (and coefficients) as values, or undefined for the other kinds.
 */
export function declaredFormula(e: Entry, values: Readonly<Record<string, ParamValue>>): { expr: Expr; params: Record<string, number> } | undefined {
  const spec = e.act.spec;
  if (spec.kind !== undefined && spec.kind !== 'elementwise') return undefined;
  if (e.form !== 'elementwise') return undefined;
  const exprs: Record<string, unknown> = {};
  const params: Record<string, number> = {};
  for (const [k, p] of Object.entries(spec.params)) {
    if (p.type === 'float' || p.type === 'int') {
      exprs[k] = ir.param(k);
      params[k] = values[k] as number;
    } else exprs[k] = values[k];
  }
  if (spec.coefficients) Object.assign(params, spec.coefficients(params as never));
  return { expr: spec.forward(ir.input(0), exprs as never), params };
}

/** The smallest normal numbers: below them errors are measured absolutely. */
export const TINY = { float32: 2 ** -126, float64: 2 ** -1022 } as const;

/**
 * Relative error of `a` against the reference `ref` (0 when both are the same special value),
 * measured absolutely where |ref| is below the smallest normal number `tiny` of the dtype `a`
 * was computed in (a float32 result of 1e-50 is 0, and that is not an error).
 */
export function relativeError(a: number, ref: number, tiny: number = TINY.float64): number {
  if (Object.is(a, ref) || a === ref) return 0;
  if (Number.isNaN(a) || Number.isNaN(ref)) return Infinity;
  if (!Number.isFinite(a) || !Number.isFinite(ref)) return Infinity;
  return Math.abs(a - ref) / Math.max(Math.abs(ref), tiny);
}

/** One series of relative errors against paoding's float64 result. */
export interface ErrorSeries {
  key: 'paoding32' | 'formula32' | 'naive64' | 'naive32';
  label: string;
  rel: number[];
  /** The largest error and where it is. */
  max: number;
  argmax: number;
}

/** The accuracy profile of an activation over a range. */
export interface ErrorProfile {
  id: string;
  /** float32-representable inputs (so float32 and float64 see the same x). */
  x: number[];
  /** paoding's float64 result, the reference. */
  ref: number[];
  series: ErrorSeries[];
  naive: Naive | undefined;
  error?: string;
}

function series(key: ErrorSeries['key'], label: string, vals: readonly number[], ref: readonly number[]): ErrorSeries {
  const tiny = key === 'naive64' ? TINY.float64 : TINY.float32;
  const rel = vals.map((v, i) => relativeError(v, ref[i]!, tiny));
  let argmax = 0;
  rel.forEach((r, i) => {
    if (r > rel[argmax]!) argmax = i;
  });
  return { key, label, rel, max: rel[argmax] ?? 0, argmax };
}

function through(e: Entry, values: Readonly<Record<string, ParamValue>>, xs: readonly number[], dtype: 'float32' | 'float64'): number[] {
  const y = apply(e, values, tensor(xs as number[], { dtype }));
  return Array.from(y.toTypedArray() as Float32Array | Float64Array);
}

/** float32 against float64, the declared formula rounded op by op, and the naive formula. */
export function errorProfile(e: Entry, values: Readonly<Record<string, ParamValue>>, lo: number, hi: number, n: number): ErrorProfile {
  const xs = Array.from({ length: n }, (_, i) => Math.fround(n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1)));
  const naive = NAIVE[e.id];
  try {
    const ref = through(e, values, xs, 'float64');
    const out: ErrorSeries[] = [series('paoding32', 'paoding float32', through(e, values, xs, 'float32'), ref)];
    const declared = declaredFormula(e, values);
    if (declared) {
      out.push(series('formula32', 'declared formula, every op rounded to float32', xs.map((x) => evaluateFloat32(declared.expr, x, declared.params)), ref));
    }
    if (naive) {
      const expr = naive.formula(ir.input(0), values);
      out.push(series('naive64', `naive ${naive.text.split(' (')[0]}, float64`, xs.map((x) => ir.evaluate(expr, [x])), ref));
      out.push(series('naive32', 'naive formula, every op rounded to float32', xs.map((x) => evaluateFloat32(expr, x)), ref));
    }
    return { id: e.id, x: xs, ref, series: out, naive };
  } catch (err) {
    return { id: e.id, x: xs, ref: [], series: [], naive, error: err instanceof Error ? err.message : String(err) };
  }
}

/** The special inputs of the table. */
export const SPECIAL_INPUTS: readonly number[] = [NaN, -Infinity, -0, 0, Infinity];

/** f and f' at one special input. */
export interface SpecialValue {
  x: number;
  y: number;
  dy: number;
}

/** f and f' (by autograd) at NaN, ±∞ and ±0 in `dtype`. */
export function specialValues(e: Entry, values: Readonly<Record<string, ParamValue>>, dtype: 'float32' | 'float64' = 'float32'): SpecialValue[] | string {
  try {
    const x = tensor(SPECIAL_INPUTS as number[], { dtype, requiresGrad: true });
    const y = apply(e, values, x);
    // NOTE: explicit ones as the output gradient: the implicit one of `y.sum().backward()` is
    // computed as sum * 0 + 1 (NaN when a value is NaN or infinite).
    const [dy] = autograd.grad(y, x, { gradOutputs: onesLike(y), allowUnused: true });
    const ys = Array.from(y.detach().toTypedArray() as Float32Array);
    const ds = dy ? Array.from((dy as Tensor).toTypedArray() as Float32Array) : ys.map(() => 0);
    return SPECIAL_INPUTS.map((v, i) => ({ x: v, y: ys[i]!, dy: ds[i]! }));
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
