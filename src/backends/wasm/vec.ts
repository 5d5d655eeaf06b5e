/**
 * A vector-value builder over a function body: every operation reads its operands from locals
 * (or inline constants) and writes its result to a fresh local, so math routines read like
 * straight-line SSA code (`const y = v.add(v.mul(x, c), d)`). V8's optimising compiler turns the
 * locals into registers; the stack form is only the encoding.
 *
 * One builder works in one lane type: `f32` (f32x4, four float32 lanes) or `f64` (f64x2). The
 * integer operations act on the matching integer lanes (i32x4 / i64x2), which is what the
 * exponent tricks of the math routines need.
 */
import { FunctionBody, Simd, V128 } from './encoder.js';

export type Lane = 'f32' | 'f64';

/** A vector value: a local index (>= 0) or an inline constant (< 0, see `VecBuilder.consts`). */
export type Val = number;

/** Lane-type-specific opcodes. */
const OPS = {
  f32: {
    splat: Simd.f32x4_splat,
    add: Simd.f32x4_add,
    sub: Simd.f32x4_sub,
    mul: Simd.f32x4_mul,
    div: Simd.f32x4_div,
    min: Simd.f32x4_min,
    max: Simd.f32x4_max,
    pmin: Simd.f32x4_pmin,
    pmax: Simd.f32x4_pmax,
    abs: Simd.f32x4_abs,
    neg: Simd.f32x4_neg,
    sqrt: Simd.f32x4_sqrt,
    floor: Simd.f32x4_floor,
    ceil: Simd.f32x4_ceil,
    trunc: Simd.f32x4_trunc,
    nearest: Simd.f32x4_nearest,
    eq: Simd.f32x4_eq,
    ne: Simd.f32x4_ne,
    lt: Simd.f32x4_lt,
    gt: Simd.f32x4_gt,
    le: Simd.f32x4_le,
    ge: Simd.f32x4_ge,
    iadd: Simd.i32x4_add,
    isub: Simd.i32x4_sub,
    ishl: Simd.i32x4_shl,
    ishr_s: Simd.i32x4_shr_s,
    ishr_u: Simd.i32x4_shr_u,
  },
  f64: {
    splat: Simd.f64x2_splat,
    add: Simd.f64x2_add,
    sub: Simd.f64x2_sub,
    mul: Simd.f64x2_mul,
    div: Simd.f64x2_div,
    min: Simd.f64x2_min,
    max: Simd.f64x2_max,
    pmin: Simd.f64x2_pmin,
    pmax: Simd.f64x2_pmax,
    abs: Simd.f64x2_abs,
    neg: Simd.f64x2_neg,
    sqrt: Simd.f64x2_sqrt,
    floor: Simd.f64x2_floor,
    ceil: Simd.f64x2_ceil,
    trunc: Simd.f64x2_trunc,
    nearest: Simd.f64x2_nearest,
    eq: Simd.f64x2_eq,
    ne: Simd.f64x2_ne,
    lt: Simd.f64x2_lt,
    gt: Simd.f64x2_gt,
    le: Simd.f64x2_le,
    ge: Simd.f64x2_ge,
    iadd: Simd.i64x2_add,
    isub: Simd.i64x2_sub,
    ishl: Simd.i64x2_shl,
    ishr_s: Simd.i64x2_shr_s,
    ishr_u: Simd.i64x2_shr_u,
  },
} as const;

type BinOp = 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max' | 'pmin' | 'pmax' | 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge' | 'iadd' | 'isub';
type UnOp = 'abs' | 'neg' | 'sqrt' | 'floor' | 'ceil' | 'trunc' | 'nearest';

/** How constants are materialised. */
export interface VecOptions {
  /** Set constants once into locals before the loop (true), or emit `v128.const` at each use. */
  hoistConstants: boolean;
}

/** Shared between the builders of one function (both lane types of a float32 kernel). */
export class FunctionState {
  /** Instructions run once before the loop (constants, loop-invariant values). */
  pre: number[] = [];
  /** The loop body. */
  body: number[] = [];
  /** Constant local (or inline index) by their 16 bytes. */
  readonly constLocals = new Map<string, Val>();
  /** Inline constants, indexed by -1 - val. */
  readonly inlineConsts: Uint8Array[] = [];
  constructor(
    readonly f: FunctionBody,
    readonly options: VecOptions,
  ) {}
}

const scratch = new ArrayBuffer(16);
const f32s = new Float32Array(scratch);
const f64s = new Float64Array(scratch);
const i32s = new Int32Array(scratch);
const u8s = new Uint8Array(scratch);

export class VecBuilder {
  /** Whether instructions currently go to the loop body (false: to the preamble). */
  private inBody = true;

  constructor(
    readonly s: FunctionState,
    readonly lane: Lane,
  ) {}

  private get f(): FunctionBody {
    return this.s.f;
  }

  /** Run `fn` with instructions going to the preamble (for loop-invariant values). */
  preamble<T>(fn: () => T): T {
    const saved = this.inBody;
    this.inBody = false;
    const savedCode = this.f.code;
    try {
      // FunctionBody.code is the stream currently written; swap it for the preamble.
      this.f.code = this.s.pre;
      return fn();
    } finally {
      this.f.code = savedCode;
      this.inBody = saved;
    }
  }

  /** Push a value onto the wasm stack. */
  push(v: Val): void {
    if (v >= 0) this.f.get(v);
    else this.f.v128(this.s.inlineConsts[-1 - v]!);
  }

  /** Pop the stack top into a fresh local. */
  fresh(): Val {
    const l = this.f.local(V128);
    this.f.set(l);
    return l;
  }

  /** A constant from raw bytes. */
  bytes(b: Uint8Array): Val {
    const key = Array.from(b).join(',');
    const known = this.s.constLocals.get(key);
    if (known !== undefined) return known;
    let v: Val;
    if (this.s.options.hoistConstants) {
      const savedCode = this.f.code;
      this.f.code = this.s.pre;
      this.f.v128(b);
      v = this.fresh();
      this.f.code = savedCode;
    } else {
      this.s.inlineConsts.push(Uint8Array.from(b));
      v = -this.s.inlineConsts.length;
    }
    this.s.constLocals.set(key, v);
    return v;
  }

  /** A float constant splat over the lanes (rounded to the lane type). */
  c(x: number): Val {
    if (this.lane === 'f32') f32s.fill(x);
    else f64s.fill(x);
    return this.bytes(u8s);
  }

  /** An integer constant splat over the integer lanes (i32x4 / i64x2, value within ±2^31). */
  ci(x: number): Val {
    if (this.lane === 'f32') i32s.fill(x | 0);
    else {
      // i64 lanes: low word x, high word its sign.
      for (let k = 0; k < 2; k++) {
        i32s[2 * k] = x | 0;
        i32s[2 * k + 1] = x < 0 ? -1 : 0;
      }
    }
    return this.bytes(u8s);
  }

  /** A 64-bit integer constant given as high and low 32-bit words (f64 lanes). */
  ci64(hi: number, lo: number): Val {
    for (let k = 0; k < 2; k++) {
      i32s[2 * k] = lo | 0;
      i32s[2 * k + 1] = hi | 0;
    }
    return this.bytes(u8s);
  }

  /** An all-ones or all-zeros mask constant. */
  mask(on: boolean): Val {
    i32s.fill(on ? -1 : 0);
    return this.bytes(u8s);
  }

  bin(op: BinOp, a: Val, b: Val): Val {
    this.push(a);
    this.push(b);
    this.f.simd(OPS[this.lane][op]);
    return this.fresh();
  }

  un(op: UnOp, a: Val): Val {
    this.push(a);
    this.f.simd(OPS[this.lane][op]);
    return this.fresh();
  }

  raw(sub: number, ...args: Val[]): Val {
    for (const a of args) this.push(a);
    this.f.simd(sub);
    return this.fresh();
  }

  add = (a: Val, b: Val): Val => this.bin('add', a, b);
  sub = (a: Val, b: Val): Val => this.bin('sub', a, b);
  mul = (a: Val, b: Val): Val => this.bin('mul', a, b);
  div = (a: Val, b: Val): Val => this.bin('div', a, b);
  /** `b < a ? b : a` (wasm pmin: keeps a NaN first operand). */
  pmin = (a: Val, b: Val): Val => this.bin('pmin', a, b);
  /** `a < b ? b : a` (wasm pmax: keeps a NaN first operand). */
  pmax = (a: Val, b: Val): Val => this.bin('pmax', a, b);
  eq = (a: Val, b: Val): Val => this.bin('eq', a, b);
  ne = (a: Val, b: Val): Val => this.bin('ne', a, b);
  lt = (a: Val, b: Val): Val => this.bin('lt', a, b);
  gt = (a: Val, b: Val): Val => this.bin('gt', a, b);
  le = (a: Val, b: Val): Val => this.bin('le', a, b);
  ge = (a: Val, b: Val): Val => this.bin('ge', a, b);
  iadd = (a: Val, b: Val): Val => this.bin('iadd', a, b);
  isub = (a: Val, b: Val): Val => this.bin('isub', a, b);
  abs = (a: Val): Val => this.un('abs', a);
  neg = (a: Val): Val => this.un('neg', a);
  sqrt = (a: Val): Val => this.un('sqrt', a);
  and = (a: Val, b: Val): Val => this.raw(Simd.v128_and, a, b);
  or = (a: Val, b: Val): Val => this.raw(Simd.v128_or, a, b);
  xor = (a: Val, b: Val): Val => this.raw(Simd.v128_xor, a, b);
  /** `a & ~b`. */
  andnot = (a: Val, b: Val): Val => this.raw(Simd.v128_andnot, a, b);
  not = (a: Val): Val => this.raw(Simd.v128_not, a);
  /** Lanewise `mask ? a : b`. */
  sel = (mask: Val, a: Val, b: Val): Val => this.raw(Simd.v128_bitselect, a, b, mask);

  /** Integer shifts by a constant count. */
  private shift(op: 'ishl' | 'ishr_s' | 'ishr_u', a: Val, n: number): Val {
    this.push(a);
    this.f.i32(n);
    this.f.simd(OPS[this.lane][op]);
    return this.fresh();
  }
  shl = (a: Val, n: number): Val => this.shift('ishl', a, n);
  shrS = (a: Val, n: number): Val => this.shift('ishr_s', a, n);
  shrU = (a: Val, n: number): Val => this.shift('ishr_u', a, n);

  /** Splat a scalar local (f32 or f64, by lane type). */
  splatLocal(scalarLocal: number): Val {
    this.f.get(scalarLocal);
    this.f.simd(OPS[this.lane].splat);
    return this.fresh();
  }

  /** Horner evaluation of `coeffs[0] + x*(coeffs[1] + x*(...))` (low order first). */
  poly(x: Val, coeffs: readonly number[]): Val {
    let acc = this.c(coeffs[coeffs.length - 1]!);
    for (let k = coeffs.length - 2; k >= 0; k--) acc = this.add(this.mul(acc, x), this.c(coeffs[k]!));
    return acc;
  }

  /** The sign bit of every lane (as a bit pattern). */
  signBit(): Val {
    return this.lane === 'f32' ? this.ci(0x80000000 | 0) : this.ci64(0x80000000 | 0, 0);
  }

  /** `|a|` with the sign of `s`, for a non-negative `a`. */
  withSignOf(a: Val, s: Val): Val {
    return this.or(a, this.and(s, this.signBit()));
  }

  /** Whether instructions are going to the loop body. */
  get emittingBody(): boolean {
    return this.inBody;
  }
}
