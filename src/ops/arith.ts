/**
 * Elementwise tensor arithmetic (`add`, `mul`, `exp`, comparisons, `where`, `clamp`, ...): each
 * one a primitive expression handed to the fused engine, with PyTorch's type promotion.
 */
import * as ir from '../ir/expr.js';
import type { Expr } from '../ir/expr.js';
import { type DType, isFloat, resultType, toFloatType, torchTypeName } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { fused, fusedInplace, type FusedSpec } from './fused.js';

/** A tensor or a JavaScript number (a "scalar" in PyTorch's promotion rules). */
export type TensorOrScalar = Tensor | number | boolean;

const S = ir.param('scalar');
const A = ir.input(0);
const B = ir.input(1);

function operandOf(v: TensorOrScalar): { dtype: DType; dim: number } | number | boolean {
  return v instanceof Tensor ? { dtype: v.dtype, dim: v.dim() } : v;
}

function checkOperand(v: unknown, where: string, name: string): void {
  if (!(v instanceof Tensor) && typeof v !== 'number' && typeof v !== 'boolean') {
    throw new TypeError(`${where}: argument '${name}' must be a Tensor or a number, got ${v === null ? 'null' : typeof v}`);
  }
}

/**
 * Apply a binary formula `f(a, b)`. A number `b` becomes a kernel parameter (one compiled kernel
 * for every value); a tensor `b` is broadcast.
 */
function binary(
  name: string,
  where: string,
  a: Tensor,
  b: TensorOrScalar,
  f: (x: Expr, y: Expr) => Expr,
  kind: 'arith' | 'compare' | 'float' = 'arith',
  inplace = false,
): Tensor {
  checkOperand(b, where, 'other');
  let dtype = resultType(operandOf(a), operandOf(b));
  if (kind === 'float') dtype = toFloatType(dtype);
  if (dtype === 'bool' && name === 'SubBackward0') {
    throw new TypeError(`${where}: Subtraction, the \`-\` operator, with two bool tensors is not supported. Use the \`^\` or \`logical_xor()\` operator instead.`);
  }
  const outDtype: DType = kind === 'compare' ? 'bool' : dtype;
  const scalar = !(b instanceof Tensor);
  const spec: FusedSpec = {
    name,
    expr: f(A, scalar ? S : B),
    computeDtype: dtype,
    outDtype,
    ...(scalar ? { params: { scalar: Number(b) } } : {}),
  };
  const inputs = scalar ? [a] : [a, b as Tensor];
  if (inplace) return fusedInplace(a, inputs.slice(1), spec);
  return fused(inputs, spec);
}

/** Apply a unary formula; `promote` ops (exp, log, ...) compute integers in the default float type. */
function unary(name: string, x: Tensor, f: (x: Expr) => Expr, promote: boolean, inplace = false): Tensor {
  const dtype = promote ? toFloatType(x.dtype) : x.dtype;
  const spec: FusedSpec = { name, expr: f(A), computeDtype: dtype, outDtype: dtype };
  if (inplace) return fusedInplace(x, [], spec);
  return fused([x], spec);
}

/** Options of `add` / `sub`. */
export interface AlphaOptions {
  /** Multiplier of `other`, as PyTorch's `alpha`. */
  alpha?: number;
}

export function add(a: Tensor, b: TensorOrScalar, opts: AlphaOptions = {}, inplace = false): Tensor {
  const alpha = opts.alpha ?? 1;
  if (alpha !== 1) {
    if (!(b instanceof Tensor)) return add(a, Number(b) * alpha, {}, inplace);
    return addAlpha(a, b, alpha, inplace);
  }
  return binary('AddBackward0', 'add()', a, b, (x, y) => ir.add(x, y), 'arith', inplace);
}

function addAlpha(a: Tensor, b: Tensor, alpha: number, inplace: boolean, name = 'AddBackward0'): Tensor {
  const dtype = resultType(operandOf(a), operandOf(b));
  const spec: FusedSpec = { name, expr: ir.add(A, ir.mul(B, ir.param('alpha'))), computeDtype: dtype, outDtype: dtype, params: { alpha } };
  return inplace ? fusedInplace(a, [b], spec) : fused([a, b], spec);
}

export function sub(a: Tensor, b: TensorOrScalar, opts: AlphaOptions = {}, inplace = false): Tensor {
  const alpha = opts.alpha ?? 1;
  if (alpha !== 1) {
    if (!(b instanceof Tensor)) return sub(a, Number(b) * alpha, {}, inplace);
    return addAlpha(a, b, -alpha, inplace, 'SubBackward0');
  }
  return binary('SubBackward0', 'sub()', a, b, (x, y) => ir.sub(x, y), 'arith', inplace);
}

export function mul(a: Tensor, b: TensorOrScalar, inplace = false): Tensor {
  return binary('MulBackward0', 'mul()', a, b, (x, y) => ir.mul(x, y), 'arith', inplace);
}

/** Options of `div`. */
export interface DivOptions {
  /** `undefined` (true division), `'trunc'` or `'floor'`, as PyTorch's `rounding_mode`. */
  roundingMode?: 'trunc' | 'floor';
}

export function div(a: Tensor, b: TensorOrScalar, opts: DivOptions = {}, inplace = false): Tensor {
  const mode = opts.roundingMode;
  if (mode === undefined) return binary('DivBackward0', 'div()', a, b, (x, y) => ir.div(x, y), 'float', inplace);
  if (mode !== 'trunc' && mode !== 'floor') {
    throw new RangeError(`div(): expected rounding_mode to be one of undefined, 'trunc', or 'floor' but found '${String(mode)}'`);
  }
  const round = mode === 'trunc' ? ir.trunc : ir.floor;
  return binary('DivBackward0', 'div()', a, b, (x, y) => round(ir.div(x, y)), 'arith', inplace);
}

export function pow(a: Tensor, b: TensorOrScalar, inplace = false): Tensor {
  return binary(b instanceof Tensor ? 'PowBackward1' : 'PowBackward0', 'pow()', a, b, (x, y) => ir.pow(x, y), 'arith', inplace);
}

/** `base ** exponent` with a number base (`torch.pow(2, x)`). */
export function rpow(base: number, exponent: Tensor): Tensor {
  const dtype = resultType(base, operandOf(exponent));
  return fused([exponent], { name: 'PowBackward2', expr: ir.pow(S, A), computeDtype: dtype, outDtype: dtype, params: { scalar: base } });
}

/** `torch.maximum` (NaN-propagating, gradient split on ties). */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return binary('MaximumBackward0', 'maximum()', a, b, (x, y) => ir.max(x, y));
}

/** `torch.minimum`. */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return binary('MinimumBackward0', 'minimum()', a, b, (x, y) => ir.min(x, y));
}

type Cmp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/** An elementwise comparison with a bool result. */
export function compare(op: Cmp, a: Tensor, b: TensorOrScalar): Tensor {
  return binary(`${op}`, `${op}()`, a, b, (x, y) => ir.compare(op, x, y), 'compare');
}

export function neg(x: Tensor, inplace = false): Tensor {
  if (x.dtype === 'bool') {
    throw new TypeError('neg(): Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.');
  }
  return unary('NegBackward0', x, ir.neg, false, inplace);
}

/** The unary functions that compute in floating point (integers promote to the default dtype). */
export const FLOAT_UNARY = {
  exp: ['ExpBackward0', ir.exp],
  expm1: ['Expm1Backward0', ir.expm1],
  log: ['LogBackward0', ir.log],
  log1p: ['Log1PBackward0', ir.log1p],
  log2: ['Log2Backward0', (x: Expr) => ir.div(ir.log(x), Math.LN2)],
  log10: ['Log10Backward0', (x: Expr) => ir.div(ir.log(x), Math.LN10)],
  sqrt: ['SqrtBackward0', ir.sqrt],
  rsqrt: ['RsqrtBackward0', ir.rsqrt],
  reciprocal: ['ReciprocalBackward0', ir.reciprocal],
  sin: ['SinBackward0', ir.sin],
  cos: ['CosBackward0', ir.cos],
  erf: ['ErfBackward0', ir.erf],
  erfc: ['ErfcBackward0', ir.erfc],
} as const satisfies Record<string, readonly [string, (x: Expr) => Expr]>;

/** The unary functions that keep the input's dtype. */
export const SAME_UNARY = {
  abs: ['AbsBackward0', ir.abs],
  sign: ['SignBackward0', ir.sign],
  floor: ['FloorBackward0', ir.floor],
  ceil: ['CeilBackward0', ir.ceil],
  round: ['RoundBackward0', ir.round],
  trunc: ['TruncBackward0', ir.trunc],
  square: ['PowBackward0', (x: Expr) => ir.mul(x, x)],
} as const satisfies Record<string, readonly [string, (x: Expr) => Expr]>;

export type FloatUnaryName = keyof typeof FLOAT_UNARY;
export type SameUnaryName = keyof typeof SAME_UNARY;

export function floatUnary(name: FloatUnaryName, x: Tensor, inplace = false): Tensor {
  const [node, f] = FLOAT_UNARY[name];
  if (inplace && !isFloat(x.dtype)) {
    throw new TypeError(`${name}_(): result type ${torchTypeName(toFloatType(x.dtype))} can't be cast to the desired output type ${torchTypeName(x.dtype)}`);
  }
  return unary(node, x, f, true, inplace);
}

export function sameUnary(name: SameUnaryName, x: Tensor, inplace = false): Tensor {
  const [node, f] = SAME_UNARY[name];
  return unary(node, x, f, false, inplace);
}

/** Options of `clamp`: bounds as numbers or tensors (broadcast). */
export function clamp(x: Tensor, min?: TensorOrScalar | null, max?: TensorOrScalar | null, inplace = false): Tensor {
  const lo = min ?? undefined;
  const hi = max ?? undefined;
  if (lo === undefined && hi === undefined) throw new TypeError("clamp(): At least one of 'min' or 'max' must not be None");
  const tensors: Tensor[] = [];
  const params: Record<string, number> = {};
  const bound = (v: TensorOrScalar | undefined, name: string): Expr | undefined => {
    if (v === undefined) return undefined;
    if (v instanceof Tensor) {
      tensors.push(v);
      return ir.input(tensors.length);
    }
    params[name] = Number(v);
    return ir.param(name);
  };
  const loE = bound(lo, 'min');
  const hiE = bound(hi, 'max');
  const dtype = resultType(operandOf(x), ...[lo, hi].filter((v) => v !== undefined).map((v) => operandOf(v!)));
  // NOTE(torch): clamp propagates NaN from the input and its gradient is 1 on the closed
  // interval [min, max]; written with selections so -0.0 keeps its sign. The input's gradient
  // is PyTorch's `where(x >= min & x <= max, grad, 0)`, so 0 where x is NaN (the derivative of
  // the selections alone would pass the gradient there); the bounds' gradients follow from
  // the selections.
  const inside = loE !== undefined && hiE !== undefined ? ir.and(ir.ge(A, loE), ir.le(A, hiE)) : loE !== undefined ? ir.ge(A, loE) : ir.le(A, hiE!);
  const spec: FusedSpec = {
    name: tensors.length ? 'ClampBackward0' : 'ClampBackward1',
    expr: ir.clamp(A, loE, hiE),
    derivatives: [ir.where(inside, 1, 0)],
    computeDtype: dtype,
    outDtype: dtype,
    params,
  };
  return inplace ? fusedInplace(x, tensors, spec) : fused([x, ...tensors], spec);
}

/** `torch.where(cond, a, b)`. */
export function where(cond: Tensor, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (!(cond instanceof Tensor) || (cond.dtype !== 'bool' && cond.dtype !== 'uint8')) {
    throw new TypeError(`where(): argument 'condition' must be a bool tensor, got ${cond instanceof Tensor ? cond.dtype : typeof cond}`);
  }
  checkOperand(a, 'where()', 'input');
  checkOperand(b, 'where()', 'other');
  const dtype = resultType(operandOf(a), operandOf(b));
  const tensors: Tensor[] = [cond];
  const params: Record<string, number> = {};
  const side = (v: TensorOrScalar, name: string): Expr => {
    if (v instanceof Tensor) {
      tensors.push(v);
      return ir.input(tensors.length - 1);
    }
    params[name] = Number(v);
    return ir.param(name);
  };
  const x = side(a, 'a');
  const y = side(b, 'b');
  return fused(tensors, { name: 'WhereBackward0', expr: ir.where(ir.ne(A, 0), x, y), computeDtype: dtype, outDtype: dtype, params });
}

/** Logical operations on truthiness, with bool results. */
export function logical(op: 'and' | 'or' | 'xor' | 'not', a: Tensor, b?: Tensor): Tensor {
  const t = (e: Expr) => ir.ne(e, 0);
  const expr =
    op === 'not' ? ir.not(t(A)) : op === 'and' ? ir.and(t(A), t(B)) : op === 'or' ? ir.or(t(A), t(B)) : ir.ne(ir.tonum(t(A)), ir.tonum(t(B)));
  const inputs = op === 'not' ? [a] : [a, b!];
  const dtype = inputs.reduce<DType>((d, x) => resultType({ dtype: d, dim: 1 }, { dtype: x.dtype, dim: 1 }), 'bool');
  return fused(inputs, { name: `Logical${op}`, expr, computeDtype: dtype, outDtype: 'bool' });
}

/** `isnan`, `isinf`, `isfinite`. */
export function classify(kind: 'isnan' | 'isinf' | 'isfinite', x: Tensor): Tensor {
  const expr =
    kind === 'isnan'
      ? ir.isnan(A)
      : kind === 'isinf'
        ? ir.eq(ir.abs(A), Infinity)
        : ir.and(ir.not(ir.isnan(A)), ir.ne(ir.abs(A), Infinity));
  return fused([x], { name: kind, expr, computeDtype: x.dtype, outDtype: 'bool' });
}

/** `torch.lerp(a, b, weight)` = a + weight * (b - a). */
export function lerp(a: Tensor, b: Tensor, weight: number): Tensor {
  const dtype = resultType(operandOf(a), operandOf(b));
  return fused([a, b], { name: 'LerpBackward0', expr: ir.add(A, ir.mul(ir.param('w'), ir.sub(B, A))), computeDtype: dtype, outDtype: dtype, params: { w: weight } });
}
