/**
 * The kernel compiler: an expression and a dtype become one WebAssembly function with a SIMD
 * loop (f32x4 for float32, f64x2 for float64).
 *
 * Calling convention of the generated function:
 *
 *   kernel(nbytes: i32, out: i32, in_0, in_1, ..., param_0, param_1, ...)
 *
 * `out` and each array operand are byte addresses in the shared linear memory, `nbytes` the
 * length in bytes, a positive multiple of 16 (the caller pads: kernels run over staging buffers
 * whose padding lanes are harmless, so there is no scalar tail). A scalar operand (one value
 * broadcast over the whole iteration) is passed by value, like a parameter; parameters come in
 * `kernelParams(expr)` order, already rounded to the dtype.
 *
 * Each node of the expression becomes a local; nodes that depend only on parameters, constants
 * and scalar operands are computed once before the loop. Semantics follow the JavaScript
 * backend (`backends/js/elementwise.ts`): NaN-propagating `max`/`min` whose first operand wins
 * ties, `sign(NaN) = 0`, round-half-even, comparisons as lane masks, `where` as a bit select.
 * Arithmetic in a float32 kernel is float32 arithmetic (as PyTorch's float32 kernels). `tanh`,
 * `log`, `erf` and `erfc` run in float64 lanes and round once, their arguments' arithmetic too
 * (so GELU's erfc sees exactly the JavaScript backend's −x/√2); the argument of `exp`, `expm1`
 * and `sigmoid`, when it is rounded arithmetic, is computed in float64 lanes and passed as a
 * float32 value plus a correction (see `split`); `a / (1 + exp(z))` becomes `a · sigmoid(−z)`.
 */
import { type Expr, neg, topoOrder } from '../../ir/expr.js';
import { castScalar } from '../../tensor/dtype.js';
import { kernelParams } from '../js/elementwise.js';
import { F32, F64, FunctionBody, I32, Op, Simd, type ValType } from './encoder.js';
import { erfcWide, erfWide, expF32, expF64, expm1F32, expm1F64, log1pF32, log1pF64, logF64, sigmoidF32, sigmoidF64, tanhF64, tanhWide } from './math.js';
import { FunctionState, type Val, VecBuilder, type VecOptions } from './vec.js';

/** Thrown when an expression uses a primitive this backend does not compile for the dtype. */
export class Unsupported extends Error {}

export type FloatDType = 'float32' | 'float64';

/** How each operand is passed: a contiguous array or one broadcast scalar. */
export type OperandKind = 'array' | 'scalar';

export interface KernelSpec {
  expr: Expr;
  dtype: FloatDType;
  operands: readonly OperandKind[];
}

export interface CompiledFunction {
  body: FunctionBody;
  /** Parameter names, in argument order after the operands. */
  params: string[];
}

/** Which primitives each dtype compiles (the rest make the backend decline). */
const F64_UNSUPPORTED = new Set(['erf', 'erfc', 'sin', 'cos']);
const UNSUPPORTED = new Set(['sin', 'cos']);

/** Whether `expr` can be compiled for `dtype` (without compiling it). */
export function supported(expr: Expr, dtype: FloatDType): boolean {
  for (const n of topoOrder([expr])) {
    if (UNSUPPORTED.has(n.op)) return false;
    if (dtype === 'float64' && F64_UNSUPPORTED.has(n.op)) return false;
    if (n.op === 'pow' && !n.args[1]!.isConst(2)) return false;
  }
  return true;
}

/** Compile one kernel function. */
export function compileKernel(spec: KernelSpec, options: VecOptions = { hoistConstants: true }): CompiledFunction {
  const { expr, dtype, operands } = spec;
  if (!supported(expr, dtype)) throw new Unsupported(`wasm backend: ${expr.op} not compiled for ${dtype}`);
  const lane = dtype === 'float32' ? 'f32' : 'f64';
  const scalarType: ValType = dtype === 'float32' ? F32 : F64;
  const params = kernelParams(expr);
  const sig: ValType[] = [I32, I32, ...operands.map((k) => (k === 'array' ? I32 : scalarType)), ...params.map(() => scalarType)];
  const f = new FunctionBody(sig);
  const state = new FunctionState(f, options);
  f.code = state.body;
  const v = new VecBuilder(state, lane);
  // float64 lanes for the float32 kernel's erf/erfc (shares locals and constants).
  const w = lane === 'f32' ? new VecBuilder(state, 'f64') : v;
  const LOCAL_N = 0;
  const LOCAL_OUT = 1;
  const operandLocal = (k: number): number => 2 + k;
  const paramLocal = (name: string): number => 2 + operands.length + params.indexOf(name);
  const index = f.local(I32);

  const order = topoOrder([expr]);
  const invariant = new Set<number>();
  for (const n of order) {
    if (n.op === 'const' || n.op === 'param' || (n.op === 'input' && operands[n.value] === 'scalar')) invariant.add(n.id);
    else if (n.op !== 'input' && n.args.every((a) => invariant.has(a.id))) invariant.add(n.id);
  }

  const values = new Map<number, Val>();
  const wide = new Map<number, [Val, Val]>();

  const emitIn = <T>(n: Expr, fn: () => T): T => (invariant.has(n.id) ? v.preamble(fn) : fn());

  /** The value of a node in the kernel's lanes. */
  const val = (n: Expr): Val => {
    const known = values.get(n.id);
    if (known !== undefined) return known;
    const r = emitIn(n, () => emit(n));
    values.set(n.id, r);
    return r;
  };

  /** f32x4 → two f64x2 halves. */
  const widen = (x: Val): [Val, Val] => {
    const lo = v.raw(Simd.f64x2_promote_low_f32x4, x);
    v.push(x);
    v.push(x);
    f.shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
    const hiLanes = v.fresh();
    return [lo, v.raw(Simd.f64x2_promote_low_f32x4, hiLanes)];
  };
  /** Two f64x2 halves → f32x4 (each lane rounded once). */
  const narrow = ([lo, hi]: [Val, Val]): Val => {
    const a = v.raw(Simd.f32x4_demote_f64x2_zero, lo);
    const b = v.raw(Simd.f32x4_demote_f64x2_zero, hi);
    v.push(a);
    v.push(b);
    f.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
    return v.fresh();
  };

  /**
   * A float32 kernel's node in float64 lanes: arithmetic over operands, constants and
   * parameters is evaluated in float64 as the JavaScript backend evaluates it; anything else is
   * computed in float32 and widened.
   */
  const WIDE_ARITH = new Set(['add', 'sub', 'mul', 'div', 'neg', 'abs']);
  const wideVal = (n: Expr): [Val, Val] => {
    const known = wide.get(n.id);
    if (known) return known;
    const r = emitIn(n, (): [Val, Val] => {
      if (n.op === 'const') {
        const c = w.c(castScalar(n.value, 'float32'));
        return [c, c];
      }
      if (!WIDE_ARITH.has(n.op)) return widen(val(n));
      const a = n.args.map(wideVal);
      const half = (h: 0 | 1): Val => {
        const x = a[0]![h];
        switch (n.op) {
          case 'neg':
            return w.neg(x);
          case 'abs':
            return w.abs(x);
          default:
            return w.bin(n.op as 'add', x, a[1]![h]);
        }
      };
      return [half(0), half(1)];
    });
    wide.set(n.id, r);
    return r;
  };

  /** Whether a node's float32 evaluation rounds (so its float64 value carries more bits). */
  const rounds = (n: Expr): boolean =>
    n.op === 'add' || n.op === 'sub' || n.op === 'mul' || n.op === 'div' || ((n.op === 'neg' || n.op === 'abs') && rounds(n.args[0]!));

  /**
   * The argument of exp, expm1 or sigmoid in a float32 kernel: as is when its float32 value is
   * exact (an operand, −x, |x|); otherwise computed in float64 lanes and split into a float32
   * value and a float32 correction, because the relative error of e^z is |z| times the absolute
   * error of z (x·β rounded to float32 would cost |x·β|/2 ulp; PyTorch's float32 kernels pay it).
   */
  const split = (n: Expr): [Val, Val?] => {
    if (lane !== 'f32' || !rounds(n)) return [val(n)];
    const key = -n.id - 1;
    const known = splitCache.get(key);
    if (known) return known;
    const r = emitIn(n, (): [Val, Val] => {
      const [lo, hi] = wideVal(n);
      const x = narrow([lo, hi]);
      const [xl, xh] = widen(x);
      const c = narrow([w.sub(lo, xl), w.sub(hi, xh)]);
      // Where the float32 value is infinite (overflow, or an infinite operand) the correction is
      // ±inf or NaN: drop it there.
      return [x, v.sel(v.lt(v.abs(c), v.c(Infinity)), c, v.c(0))];
    });
    splitCache.set(key, r);
    return r;
  };
  const splitCache = new Map<number, [Val, Val]>();

  const maxMin = (n: Expr, pick: 'pmax' | 'pmin'): Val => {
    const a = val(n.args[0]!);
    const bn = n.args[1]!;
    const b = val(bn);
    const r = v[pick](a, b);
    // pmax/pmin keep a NaN first operand; a NaN second operand must win too.
    if (bn.op === 'const' && !Number.isNaN(bn.value)) return r;
    return v.sel(v.ne(b, b), b, r);
  };

  /** A float32 kernel's unary primitive computed in float64 lanes and rounded once. */
  const inWide = (n: Expr, fn: (w: VecBuilder, x: Val) => Val): Val => {
    const [lo, hi] = wideVal(n.args[0]!);
    return narrow([fn(w, lo), fn(w, hi)]);
  };

  const emit = (n: Expr): Val => {
    const arg = (i: number): Val => val(n.args[i]!);
    switch (n.op) {
      case 'input': {
        const k = n.value;
        if (k >= operands.length) throw new Unsupported(`wasm backend: operand ${k} missing`);
        if (operands[k] === 'scalar') return v.splatLocal(operandLocal(k));
        f.get(operandLocal(k)).get(index).op(Op.i32_add).load();
        return v.fresh();
      }
      case 'param':
        return v.splatLocal(paramLocal(n.name));
      case 'const':
        return v.c(castScalar(n.value, dtype));
      case 'add':
        return v.add(arg(0), arg(1));
      case 'sub':
        return v.sub(arg(0), arg(1));
      case 'mul':
        return v.mul(arg(0), arg(1));
      case 'div': {
        // a / (1 + e^z) = a · σ(−z): the logistic form never overflows, so x / (1 + exp(−x))
        // (SiLU) keeps its tail below x = −88.7, where float32 e^{−x} is infinite.
        const d = n.args[1]!;
        if (lane === 'f32' && d.op === 'add' && d.args[0]!.isConst(1) && d.args[1]!.op === 'exp') {
          return v.mul(arg(0), sigmoidF32(v, ...split(neg(d.args[1]!.args[0]!))));
        }
        return v.div(arg(0), arg(1));
      }
      case 'pow': {
        const a = arg(0);
        return v.mul(a, a); // only x^2 is accepted by `supported`
      }
      case 'max':
        return maxMin(n, 'pmax');
      case 'min':
        return maxMin(n, 'pmin');
      case 'neg':
        return v.neg(arg(0));
      case 'abs':
        return v.abs(arg(0));
      case 'sign': {
        const a = arg(0);
        const one = v.c(1);
        return v.sub(v.and(v.gt(a, v.c(0)), one), v.and(v.lt(a, v.c(0)), one));
      }
      case 'sqrt':
        return v.sqrt(arg(0));
      case 'rsqrt': {
        if (lane === 'f64') return v.div(v.c(1), v.sqrt(arg(0)));
        const [lo, hi] = wideVal(n.args[0]!);
        const one = w.c(1);
        return narrow([w.div(one, w.sqrt(lo)), w.div(one, w.sqrt(hi))]);
      }
      case 'reciprocal':
        return v.div(v.c(1), arg(0));
      case 'floor':
        return v.un('floor', arg(0));
      case 'ceil':
        return v.un('ceil', arg(0));
      case 'trunc':
        return v.un('trunc', arg(0));
      case 'round':
        return v.un('nearest', arg(0));
      case 'exp':
        return lane === 'f32' ? expF32(v, ...split(n.args[0]!)) : expF64(v, arg(0));
      case 'sigmoid':
        return lane === 'f32' ? sigmoidF32(v, ...split(n.args[0]!)) : sigmoidF64(v, arg(0));
      case 'expm1':
        return lane === 'f32' ? expm1F32(v, ...split(n.args[0]!)) : expm1F64(v, arg(0));
      case 'log':
        return lane === 'f32' ? inWide(n, logF64) : logF64(v, arg(0));
      case 'log1p':
        return lane === 'f32' ? log1pF32(v, arg(0)) : log1pF64(v, arg(0));
      case 'tanh':
        return lane === 'f64' ? tanhF64(v, arg(0)) : inWide(n, tanhWide);
      case 'erf':
        return inWide(n, erfWide);
      case 'erfc':
        return inWide(n, erfcWide);
      case 'lt':
        return v.lt(arg(0), arg(1));
      case 'le':
        return v.le(arg(0), arg(1));
      case 'gt':
        return v.gt(arg(0), arg(1));
      case 'ge':
        return v.ge(arg(0), arg(1));
      case 'eq':
        return v.eq(arg(0), arg(1));
      case 'ne':
        return v.ne(arg(0), arg(1));
      case 'and':
        return v.and(arg(0), arg(1));
      case 'or':
        return v.or(arg(0), arg(1));
      case 'not':
        return v.not(arg(0));
      case 'isnan': {
        const a = arg(0);
        return v.ne(a, a);
      }
      case 'where':
        return v.sel(arg(0), arg(1), arg(2));
      case 'tonum':
        return v.and(arg(0), v.c(1));
      case 'detach':
        return arg(0);
      default:
        throw new Unsupported(`wasm backend: no SIMD code for '${n.op}'`);
    }
  };

  // Loop: do { out[i] = expr(in[i]); i += 16 } while (i < nbytes)
  f.op(Op.loop, 0x40);
  const result = val(expr);
  f.get(LOCAL_OUT).get(index).op(Op.i32_add);
  v.push(result);
  f.store();
  f.get(index).i32(16).op(Op.i32_add).tee(index).get(LOCAL_N).op(Op.i32_lt_u).op(Op.br_if, 0);
  f.op(Op.end);
  f.code = [...state.pre, ...state.body];
  return { body: f, params };
}
