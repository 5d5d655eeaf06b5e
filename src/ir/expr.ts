/**
 * The primitive expression language every elementwise computation in paoding is written in.
 *
 * An activation's formula, its derivative, the tensor arithmetic behind `x.add(y)` and a
 * user's own activation are all expressions over this small set of scalar primitives. Backends
 * compile expressions (they never restate a formula), autograd differentiates them symbolically
 * (see `diff.ts`), and the float64 interpreter (`interpret.ts`) evaluates them for references.
 *
 * Expressions are immutable DAGs. Nodes are interned (hash-consed), so structurally equal
 * sub-expressions are the same object: common sub-expressions are shared for free and a
 * compiled kernel can be cached by node identity.
 */
import { erf as erfValue, erfc as erfcValue } from './special.js';

/** Scalar primitives. Comparisons and logical ops produce booleans; everything else numbers. */
export type Op =
  // leaves
  | 'input'
  | 'param'
  | 'const'
  // arithmetic
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'neg'
  | 'pow'
  | 'max'
  | 'min'
  // transcendental and other unary functions
  | 'abs'
  | 'sign'
  | 'exp'
  | 'expm1'
  | 'log'
  | 'log1p'
  | 'sqrt'
  | 'rsqrt'
  | 'reciprocal'
  | 'tanh'
  | 'sigmoid'
  | 'erf'
  | 'erfc'
  | 'sin'
  | 'cos'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'trunc'
  // comparisons and logic (boolean results)
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'eq'
  | 'ne'
  | 'and'
  | 'or'
  | 'not'
  | 'isnan'
  // selection and conversion
  | 'where'
  | 'tonum'
  // autograd helpers
  | 'detach';

/** The value kind a node produces. */
export type Kind = 'num' | 'bool';

const BOOL_OPS = new Set<Op>(['lt', 'le', 'gt', 'ge', 'eq', 'ne', 'and', 'or', 'not', 'isnan']);

/** The unary numeric primitives, in the order backends list them. */
export const UNARY_OPS = [
  'neg',
  'abs',
  'sign',
  'exp',
  'expm1',
  'log',
  'log1p',
  'sqrt',
  'rsqrt',
  'reciprocal',
  'tanh',
  'sigmoid',
  'erf',
  'erfc',
  'sin',
  'cos',
  'floor',
  'ceil',
  'round',
  'trunc',
] as const satisfies readonly Op[];
export type UnaryOp = (typeof UNARY_OPS)[number];

/** The binary numeric primitives. */
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'max', 'min'] as const satisfies readonly Op[];
export type BinaryOp = (typeof BINARY_OPS)[number];

/** The comparison primitives. */
export const COMPARE_OPS = ['lt', 'le', 'gt', 'ge', 'eq', 'ne'] as const satisfies readonly Op[];
export type CompareOp = (typeof COMPARE_OPS)[number];

let nextId = 0;
const interned = new Map<string, Expr>();

/**
 * One node of an expression DAG. Build nodes with the functions of this module (`add`, `exp`,
 * `where`, ...) or the fluent methods (`x.mul(2).exp()`), never with `new`.
 *
 * @example
 * ```ts
 * import { ir } from 'paoding';
 * const x = ir.input(0);
 * const softsign = x.div(x.abs().add(1));
 * console.log(softsign.toString()); // div(in0, add(abs(in0), 1))
 * ```
 */
export class Expr {
  /** Unique id, stable for the life of the process; used for interning and caching. */
  readonly id: number;
  /** @internal */
  constructor(
    readonly op: Op,
    readonly args: readonly Expr[],
    /** `input`: the operand index; `const`: the value; `param`: unused (see `name`). */
    readonly value: number,
    /** `param`: the parameter's name. */
    readonly name: string,
    readonly kind: Kind,
  ) {
    this.id = nextId++;
  }

  /** Whether this node is a constant with value `v` (compares -0 and 0 as equal). */
  isConst(v?: number): boolean {
    return this.op === 'const' && (v === undefined || this.value === v);
  }

  add(o: ExprLike): Expr {
    return add(this, o);
  }
  sub(o: ExprLike): Expr {
    return sub(this, o);
  }
  mul(o: ExprLike): Expr {
    return mul(this, o);
  }
  div(o: ExprLike): Expr {
    return div(this, o);
  }
  pow(o: ExprLike): Expr {
    return pow(this, o);
  }
  neg(): Expr {
    return neg(this);
  }
  abs(): Expr {
    return unary('abs', this);
  }
  exp(): Expr {
    return unary('exp', this);
  }
  expm1(): Expr {
    return unary('expm1', this);
  }
  log(): Expr {
    return unary('log', this);
  }
  log1p(): Expr {
    return unary('log1p', this);
  }
  sqrt(): Expr {
    return unary('sqrt', this);
  }
  tanh(): Expr {
    return unary('tanh', this);
  }
  sigmoid(): Expr {
    return unary('sigmoid', this);
  }
  erf(): Expr {
    return unary('erf', this);
  }
  erfc(): Expr {
    return unary('erfc', this);
  }
  lt(o: ExprLike): Expr {
    return compare('lt', this, o);
  }
  le(o: ExprLike): Expr {
    return compare('le', this, o);
  }
  gt(o: ExprLike): Expr {
    return compare('gt', this, o);
  }
  ge(o: ExprLike): Expr {
    return compare('ge', this, o);
  }
  eq(o: ExprLike): Expr {
    return compare('eq', this, o);
  }
  ne(o: ExprLike): Expr {
    return compare('ne', this, o);
  }

  /** A readable prefix form, e.g. `mul(in0, sigmoid(in0))`. */
  toString(): string {
    switch (this.op) {
      case 'input':
        return `in${this.value}`;
      case 'param':
        return `$${this.name}`;
      case 'const':
        return Object.is(this.value, -0) ? '-0' : String(this.value);
      default:
        return `${this.op}(${this.args.map((a) => a.toString()).join(', ')})`;
    }
  }
}

/** A number is accepted wherever an expression is, and becomes a constant. */
export type ExprLike = Expr | number;

function make(op: Op, args: readonly Expr[], value = 0, name = ''): Expr {
  // NOTE: Object.is keeps -0 and 0 apart, and NaN equal to itself, in the interning key.
  const v = op === 'const' ? (Object.is(value, -0) ? '-0' : String(value)) : String(value);
  const key = `${op}|${v}|${name}|${args.map((a) => a.id).join(',')}`;
  let e = interned.get(key);
  if (e === undefined) {
    e = new Expr(op, args, value, name, BOOL_OPS.has(op) ? 'bool' : 'num');
    interned.set(key, e);
  }
  return e;
}

function lift(v: ExprLike): Expr {
  return typeof v === 'number' ? constant(v) : v;
}

function num(e: Expr, where: string): Expr {
  if (e.kind !== 'num') throw new TypeError(`ir.${where}: expected a numeric expression, got the boolean ${e}`);
  return e;
}

function bool(e: Expr, where: string): Expr {
  if (e.kind !== 'bool') throw new TypeError(`ir.${where}: expected a boolean expression (a comparison), got ${e}`);
  return e;
}

/**
 * The `index`-th operand of a kernel (a tensor, broadcast with the others).
 *
 * @example
 * ```ts
 * import { ir } from 'paoding';
 * console.log(ir.input(0).add(ir.input(1)).toString()); // add(in0, in1)
 * ```
 */
export function input(index: number): Expr {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`ir.input: index must be a non-negative integer, got ${index}`);
  return make('input', [], index);
}

/**
 * A named scalar parameter, supplied when the kernel runs (so one compiled kernel serves every
 * value of, say, a leaky ReLU's slope). Like PyTorch, the value is converted to the tensor's
 * dtype first (rounded to float32 for float32 tensors).
 *
 * @example
 * ```ts
 * import { ir } from 'paoding';
 * console.log(ir.param('alpha').toString()); // $alpha
 * ```
 */
export function param(name: string): Expr {
  return make('param', [], 0, name);
}

/**
 * A constant, converted to the computation dtype when compiled (as PyTorch converts scalars).
 *
 * @example
 * ```ts
 * import { ir } from 'paoding';
 * console.log(ir.constant(0.5).toString()); // 0.5
 * ```
 */
export function constant(value: number): Expr {
  return make('const', [], value);
}

const ZERO = () => constant(0);
const ONE = () => constant(1);

// ---------------------------------------------------------------------------------------------
// Smart constructors. They fold constants and apply a few identities so that derivatives come
// out small. The identities that touch zeros are *structural*: `g * 0` where the 0 is a literal
// becomes 0 (a selection, as PyTorch's masked backward kernels give exactly 0 even when g is
// inf), while a zero computed at run time still multiplies.
// ---------------------------------------------------------------------------------------------

/** `a + b`. */
export function add(a: ExprLike, b: ExprLike): Expr {
  const x = num(lift(a), 'add');
  const y = num(lift(b), 'add');
  if (x.op === 'const' && y.op === 'const') return constant(x.value + y.value);
  if (y.isConst(0)) return x;
  if (x.isConst(0)) return y;
  if (y.op === 'neg') return sub(x, y.args[0]!);
  return make('add', [x, y]);
}

/** `a - b`. */
export function sub(a: ExprLike, b: ExprLike): Expr {
  const x = num(lift(a), 'sub');
  const y = num(lift(b), 'sub');
  if (x.op === 'const' && y.op === 'const') return constant(x.value - y.value);
  if (y.isConst(0)) return x;
  if (x.isConst(0)) return neg(y);
  if (y.op === 'neg') return add(x, y.args[0]!);
  return make('sub', [x, y]);
}

/** `a * b`. */
export function mul(a: ExprLike, b: ExprLike): Expr {
  const x = num(lift(a), 'mul');
  const y = num(lift(b), 'mul');
  if (x.op === 'const' && y.op === 'const') return constant(x.value * y.value);
  if (x.isConst(0) || y.isConst(0)) return ZERO();
  if (y.isConst(1)) return x;
  if (x.isConst(1)) return y;
  if (y.isConst(-1)) return neg(x);
  if (x.isConst(-1)) return neg(y);
  // Distribute over a selection with a literal branch, so that `g * where(c, 0, 1)` becomes
  // `where(c, 0, g)`: exactly PyTorch's masked backward (0 even where g is inf or NaN).
  if (y.op === 'where' && (y.args[1]!.op === 'const' || y.args[2]!.op === 'const')) {
    return where(y.args[0]!, mul(x, y.args[1]!), mul(x, y.args[2]!));
  }
  if (x.op === 'where' && (x.args[1]!.op === 'const' || x.args[2]!.op === 'const')) {
    return where(x.args[0]!, mul(x.args[1]!, y), mul(x.args[2]!, y));
  }
  if (x.op === 'neg' && y.op === 'neg') return mul(x.args[0]!, y.args[0]!);
  return make('mul', [x, y]);
}

/** `a / b`. */
export function div(a: ExprLike, b: ExprLike): Expr {
  const x = num(lift(a), 'div');
  const y = num(lift(b), 'div');
  if (x.op === 'const' && y.op === 'const') return constant(x.value / y.value);
  if (x.isConst(0)) return ZERO();
  if (y.isConst(1)) return x;
  if (x.op === 'where' && (x.args[1]!.op === 'const' || x.args[2]!.op === 'const')) {
    return where(x.args[0]!, div(x.args[1]!, y), div(x.args[2]!, y));
  }
  return make('div', [x, y]);
}

/** `a ** b` with C's `pow` conventions (`pow(1, NaN) = 1`, `pow(NaN, 0) = 1`). */
export function pow(a: ExprLike, b: ExprLike): Expr {
  const x = num(lift(a), 'pow');
  const y = num(lift(b), 'pow');
  if (x.op === 'const' && y.op === 'const') return constant(cpow(x.value, y.value));
  if (y.isConst(1)) return x;
  if (y.isConst(0)) return ONE();
  return make('pow', [x, y]);
}

/** `-a`. */
export function neg(a: ExprLike): Expr {
  const x = num(lift(a), 'neg');
  if (x.op === 'const') return constant(-x.value);
  if (x.op === 'neg') return x.args[0]!;
  if (x.op === 'where' && (x.args[1]!.op === 'const' || x.args[2]!.op === 'const')) {
    return where(x.args[0]!, neg(x.args[1]!), neg(x.args[2]!));
  }
  return make('neg', [x]);
}

/**
 * NaN-propagating maximum; on a tie (including `-0` against `0`) the first operand wins, as in
 * PyTorch's `clamp_min(x, 0)`, which is why `relu(-0.0)` is `-0.0`.
 */
export function max(a: ExprLike, b: ExprLike): Expr {
  const x = num(lift(a), 'max');
  const y = num(lift(b), 'max');
  if (x.op === 'const' && y.op === 'const') return constant(fmax(x.value, y.value));
  return make('max', [x, y]);
}

/** NaN-propagating minimum; the first operand wins ties. */
export function min(a: ExprLike, b: ExprLike): Expr {
  const x = num(lift(a), 'min');
  const y = num(lift(b), 'min');
  if (x.op === 'const' && y.op === 'const') return constant(fmin(x.value, y.value));
  return make('min', [x, y]);
}

/** Any unary primitive by name. */
export function unary(op: UnaryOp, a: ExprLike): Expr {
  const x = num(lift(a), op);
  if (op === 'neg') return neg(x);
  if (x.op === 'const') return constant(evalUnary(op, x.value));
  return make(op, [x]);
}

export const abs = (a: ExprLike): Expr => unary('abs', a);
export const sign = (a: ExprLike): Expr => unary('sign', a);
export const exp = (a: ExprLike): Expr => unary('exp', a);
export const expm1 = (a: ExprLike): Expr => unary('expm1', a);
export const log = (a: ExprLike): Expr => unary('log', a);
export const log1p = (a: ExprLike): Expr => unary('log1p', a);
export const sqrt = (a: ExprLike): Expr => unary('sqrt', a);
export const rsqrt = (a: ExprLike): Expr => unary('rsqrt', a);
export const reciprocal = (a: ExprLike): Expr => unary('reciprocal', a);
export const tanh = (a: ExprLike): Expr => unary('tanh', a);
export const sigmoid = (a: ExprLike): Expr => unary('sigmoid', a);
export const erf = (a: ExprLike): Expr => unary('erf', a);
export const erfc = (a: ExprLike): Expr => unary('erfc', a);
export const sin = (a: ExprLike): Expr => unary('sin', a);
export const cos = (a: ExprLike): Expr => unary('cos', a);
export const floor = (a: ExprLike): Expr => unary('floor', a);
export const ceil = (a: ExprLike): Expr => unary('ceil', a);
export const round = (a: ExprLike): Expr => unary('round', a);
export const trunc = (a: ExprLike): Expr => unary('trunc', a);

/** A comparison; IEEE rules, so every comparison with NaN is false (except `ne`). */
export function compare(op: CompareOp, a: ExprLike, b: ExprLike): Expr {
  const x = num(lift(a), op);
  const y = num(lift(b), op);
  if (x.op === 'const' && y.op === 'const') return boolConst(evalCompare(op, x.value, y.value));
  return make(op, [x, y]);
}

export const lt = (a: ExprLike, b: ExprLike): Expr => compare('lt', a, b);
export const le = (a: ExprLike, b: ExprLike): Expr => compare('le', a, b);
export const gt = (a: ExprLike, b: ExprLike): Expr => compare('gt', a, b);
export const ge = (a: ExprLike, b: ExprLike): Expr => compare('ge', a, b);
export const eq = (a: ExprLike, b: ExprLike): Expr => compare('eq', a, b);
export const ne = (a: ExprLike, b: ExprLike): Expr => compare('ne', a, b);

/** Boolean constants are represented as comparisons of constants folded away; keep two nodes. */
function boolConst(v: boolean): Expr {
  return make(v ? 'eq' : 'ne', [constant(0), constant(0)]);
}

/** Whether a boolean node is a literal `true` / `false`. */
export function boolValue(e: Expr): boolean | undefined {
  if (e.kind !== 'bool') return undefined;
  if ((e.op === 'eq' || e.op === 'ne') && e.args[0]!.isConst() && e.args[1]!.isConst()) {
    return evalCompare(e.op, e.args[0]!.value, e.args[1]!.value);
  }
  return undefined;
}

/** Logical and. */
export function and(a: Expr, b: Expr): Expr {
  bool(a, 'and');
  bool(b, 'and');
  const va = boolValue(a);
  const vb = boolValue(b);
  if (va === false || vb === false) return boolConst(false);
  if (va === true) return b;
  if (vb === true) return a;
  return make('and', [a, b]);
}

/** Logical or. */
export function or(a: Expr, b: Expr): Expr {
  bool(a, 'or');
  bool(b, 'or');
  const va = boolValue(a);
  const vb = boolValue(b);
  if (va === true || vb === true) return boolConst(true);
  if (va === false) return b;
  if (vb === false) return a;
  return make('or', [a, b]);
}

/** Logical not. */
export function not(a: Expr): Expr {
  bool(a, 'not');
  const va = boolValue(a);
  if (va !== undefined) return boolConst(!va);
  return make('not', [a]);
}

/** Whether `a` is NaN. */
export function isnan(a: ExprLike): Expr {
  const x = num(lift(a), 'isnan');
  if (x.op === 'const') return boolConst(Number.isNaN(x.value));
  return make('isnan', [x]);
}

/**
 * Selection: `cond ? a : b` per element. Only the chosen branch's value is used, so a branch
 * may overflow or divide by zero harmlessly where it is not selected.
 */
export function where(cond: Expr, a: ExprLike, b: ExprLike): Expr {
  bool(cond, 'where');
  const x = num(lift(a), 'where');
  const y = num(lift(b), 'where');
  const c = boolValue(cond);
  if (c === true) return x;
  if (c === false) return y;
  if (x === y) return x;
  return make('where', [cond, x, y]);
}

/** A boolean as a number (1 or 0). */
export function tonum(cond: Expr): Expr {
  bool(cond, 'tonum');
  const c = boolValue(cond);
  if (c !== undefined) return constant(c ? 1 : 0);
  return make('tonum', [cond]);
}

/** Identity whose derivative is zero: a value used by a formula but not differentiated. */
export function detach(a: ExprLike): Expr {
  const x = num(lift(a), 'detach');
  if (x.op === 'const' || x.op === 'param') return x;
  return make('detach', [x]);
}

/**
 * `min(max(x, lo), hi)` written as selections so NaN passes through and `-0` keeps its sign;
 * its derivative is 1 on the closed interval `[lo, hi]`, like `torch.clamp`.
 */
export function clamp(x: ExprLike, lo?: ExprLike, hi?: ExprLike): Expr {
  let e = lift(x);
  if (lo !== undefined) e = where(lt(e, lo), lo, e);
  if (hi !== undefined) e = where(gt(e, hi), hi, e);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Scalar semantics shared by constant folding, the float64 interpreter and the JS backend.
// ---------------------------------------------------------------------------------------------

/** C99 `pow`: unlike `Math.pow`, `pow(1, y) = 1` and `pow(-1, ±inf) = 1`. */
export function cpow(a: number, b: number): number {
  if (a === 1 || b === 0) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  return Math.pow(a, b);
}

/** NaN-propagating max, first operand on ties. */
export function fmax(a: number, b: number): number {
  if (a !== a || b !== b) return NaN;
  return a < b ? b : a;
}

/** NaN-propagating min, first operand on ties. */
export function fmin(a: number, b: number): number {
  if (a !== a || b !== b) return NaN;
  return a > b ? b : a;
}

/**
 * `sign` as PyTorch computes it: `(0 < x) - (x < 0)`.
 *
 * NOTE(torch): both comparisons are false for NaN, so sign(NaN) is 0 (not NaN as in NumPy), and
 * so is the gradient of `abs` at NaN; -0 gives +0.
 */
export function fsign(a: number): number {
  return a > 0 ? 1 : a < 0 ? -1 : 0;
}

/** Round half to even, as `torch.round` (C's `nearbyint`). */
export function roundHalfEven(a: number): number {
  if (!Number.isFinite(a)) return a;
  const r = Math.round(a);
  // Math.round rounds .5 up; move exact ties that landed on an odd number back down.
  if (r - a === 0.5 && r % 2 !== 0) return r - 1;
  return r === 0 && a < 0 ? -0 : r;
}

/** Logistic sigmoid in float64; `1/(1+exp(-x))` is accurate in double for every x. */
export function fsigmoid(a: number): number {
  return 1 / (1 + Math.exp(-a));
}

/** Evaluate a unary primitive on a float64 value. */
export function evalUnary(op: UnaryOp, a: number): number {
  switch (op) {
    case 'neg':
      return -a;
    case 'abs':
      return Math.abs(a);
    case 'sign':
      return fsign(a);
    case 'exp':
      return Math.exp(a);
    case 'expm1':
      return Math.expm1(a);
    case 'log':
      return Math.log(a);
    case 'log1p':
      return Math.log1p(a);
    case 'sqrt':
      return Math.sqrt(a);
    case 'rsqrt':
      return 1 / Math.sqrt(a);
    case 'reciprocal':
      return 1 / a;
    case 'tanh':
      return Math.tanh(a);
    case 'sigmoid':
      return fsigmoid(a);
    case 'erf':
      return erfValue(a);
    case 'erfc':
      return erfcValue(a);
    case 'sin':
      return Math.sin(a);
    case 'cos':
      return Math.cos(a);
    case 'floor':
      return Math.floor(a);
    case 'ceil':
      return Math.ceil(a);
    case 'round':
      return roundHalfEven(a);
    case 'trunc':
      return Math.trunc(a);
  }
}

/** Evaluate a binary numeric primitive on float64 values. */
export function evalBinary(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return a * b;
    case 'div':
      return a / b;
    case 'pow':
      return cpow(a, b);
    case 'max':
      return fmax(a, b);
    case 'min':
      return fmin(a, b);
  }
}

/** Evaluate a comparison. */
export function evalCompare(op: CompareOp, a: number, b: number): boolean {
  switch (op) {
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
  }
}

/** Every node of `e` in dependency order (arguments before users), each once. */
export function topoOrder(roots: readonly Expr[]): Expr[] {
  const seen = new Set<number>();
  const out: Expr[] = [];
  const visit = (e: Expr): void => {
    if (seen.has(e.id)) return;
    seen.add(e.id);
    for (const a of e.args) visit(a);
    out.push(e);
  };
  for (const r of roots) visit(r);
  return out;
}

/** The operand indices an expression reads. */
export function inputsOf(roots: readonly Expr[]): number[] {
  const s = new Set<number>();
  for (const e of topoOrder(roots)) if (e.op === 'input') s.add(e.value);
  return [...s].sort((a, b) => a - b);
}

/** The parameter names an expression reads. */
export function paramsOf(roots: readonly Expr[]): string[] {
  const s = new Set<string>();
  for (const e of topoOrder(roots)) if (e.op === 'param') s.add(e.name);
  return [...s].sort();
}

/** Replace leaves: operands by `inputs(index)` and parameters by `params(name)`. */
export function substitute(
  e: Expr,
  inputs: (index: number) => Expr,
  params: (name: string) => Expr = param,
): Expr {
  const memo = new Map<number, Expr>();
  const go = (n: Expr): Expr => {
    const m = memo.get(n.id);
    if (m) return m;
    let r: Expr;
    switch (n.op) {
      case 'input':
        r = inputs(n.value);
        break;
      case 'param':
        r = params(n.name);
        break;
      case 'const':
        r = n;
        break;
      default:
        r = rebuild(n, n.args.map(go));
    }
    memo.set(n.id, r);
    return r;
  };
  return go(e);
}

/** Rebuild a node with new arguments through the smart constructors (so it simplifies again). */
export function rebuild(n: Expr, args: Expr[]): Expr {
  const [a, b, c] = args;
  switch (n.op) {
    case 'add':
      return add(a!, b!);
    case 'sub':
      return sub(a!, b!);
    case 'mul':
      return mul(a!, b!);
    case 'div':
      return div(a!, b!);
    case 'pow':
      return pow(a!, b!);
    case 'max':
      return max(a!, b!);
    case 'min':
      return min(a!, b!);
    case 'neg':
      return neg(a!);
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge':
    case 'eq':
    case 'ne':
      return compare(n.op, a!, b!);
    case 'and':
      return and(a!, b!);
    case 'or':
      return or(a!, b!);
    case 'not':
      return not(a!);
    case 'isnan':
      return isnan(a!);
    case 'where':
      return where(a!, b!, c!);
    case 'tonum':
      return tonum(a!);
    case 'detach':
      return detach(a!);
    case 'input':
    case 'param':
    case 'const':
      return n;
    default:
      return unary(n.op, a!);
  }
}
