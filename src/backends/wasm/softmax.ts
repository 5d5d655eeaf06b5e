/**
 * Softmax and log-softmax (forward and backward) for the wasm backend: hand-assembled SIMD
 * functions over whole slices staged in linear memory, and the driver that stages them.
 *
 * float32 and float64 (f64x2 lanes, see `forwardRows64`). The forward follows src/ops/softmax.ts
 * (shift by the slice maximum, exponentials, sum, then the reciprocal of the sum or its
 * logarithm); in float32 with an accuracy that is at least PyTorch's:
 *
 * - `x − max` is computed as a float32 value plus its exact rounding error (TwoSum), which the
 *   exponential adds to its reduced argument: the rounding of `x − max` is not amplified by
 *   |x − max| (PyTorch's float32 kernel pays it: up to 63 ulp on rows of 1024 of width 300);
 * - the exponential is math.ts's float32 one (0.95 ulp) scaled by 2^64 (`expScaledF32`: one
 *   scaling instead of two, and no subnormal results), and the sum is accumulated in float64
 *   lanes (PyTorch's float32 sum, in float32 lanes, costs it up to a few ulp on long rows);
 * - softmax multiplies by the float32 reciprocal of the sum (2.0–2.3 ulp in all; the product in
 *   float64 would give 1.8 at 10% more time); log-softmax computes (x − max) − log(sum) in
 *   float64 and rounds once, with log(sum) as log1p of the sum without the maximum's own term
 *   (see `countTies`), so that the largest element's result, −log1p(rest), keeps its digits
 *   where it is tiny (PyTorch's float32 kernel returns 0 there).
 *
 * NaN anywhere in a slice makes the slice NaN (its exponential poisons the sum), a −inf input
 * gives 0 (softmax) or −inf (log-softmax), a slice of only −inf gives NaN and a +inf gives NaN
 * (inf − inf), as in the JavaScript loops and PyTorch.
 *
 * The backward computes PyTorch's formulas, softmax gI = y·(g − Σ g·y) and log-softmax
 * gI = g − e^y·Σ g, in float64 lanes from float32 operands (products exact, sums in float64,
 * one rounding at the end): at least as accurate as the composition of float32 tensor
 * operations it replaces, which rounds every step.
 *
 * Layouts: the slice dim is the last (rows) or a middle one of a tensor seen as
 * [outer, size, inner] (columns, `nn.Softmax2d`'s channels). Rows are staged back to back, each
 * padded to a multiple of 8 elements (−inf in the forward, 0 in the backward: padding adds 0 to
 * every sum); columns are staged as blocks of `size` rows of a few contiguous columns, and each
 * SIMD lane follows one column. A non-contiguous operand is first copied into contiguous order,
 * so every layout of the same values runs the same kernel on the same staged data and gives the
 * same bits.
 */
import { input } from '../../ir/expr.js';
import type { FloatDType, TypedArray } from '../../tensor/dtype.js';
import type { StridedArray } from '../index.js';
import { runElementwise as runJs } from '../js/elementwise.js';
import { FunctionBody, I32, Op, Simd, V128 } from './encoder.js';
import { expF32, expF64, expScaledF32, log1pF64 } from './math.js';
import { instantiateFunctions, memoryGeneration, memoryOfAtLeast, syncMemoryKind } from './runtime.js';
import { FunctionState, type Val, VecBuilder } from './vec.js';

/** Tunables (measured; see the backend's README, Performance). */
export const softmaxConfig = {
  /** Elements staged per call and operand (a region holds at least one whole slice). */
  chunk: 16384,
  /**
   * Below this many elements the call declines. The kernels beat the JavaScript loops from 64
   * elements on (rows of 64: 5 µs against 10; rows of 4: a tie at 256 elements), where both
   * are a few microseconds: smaller tensors stay with the reference loops.
   */
  minElements: 64,
  /** Longer slices decline (a slice is staged whole: this bounds the memory grown for it). */
  maxSlice: 1 << 22,
};

/** Calls taken and declined (for tests). */
export const softmaxStats = { forward: 0, backward: 0, declined: 0 };

// ---------------------------------------------------------------------------------------------
// Code generation
// ---------------------------------------------------------------------------------------------

/** A function under construction: float32 and float64 lane builders over one body. */
class Asm {
  readonly f: FunctionBody;
  readonly s: FunctionState;
  /** f32x4 values. */
  readonly v: VecBuilder;
  /** f64x2 values. */
  readonly w: VecBuilder;

  constructor(nParams: number) {
    this.f = new FunctionBody(new Array<typeof I32>(nParams).fill(I32));
    this.s = new FunctionState(this.f, { hoistConstants: true });
    this.f.code = this.s.body;
    this.v = new VecBuilder(this.s, 'f32');
    this.w = new VecBuilder(this.s, 'f64');
  }

  i32(): number {
    return this.f.local(I32);
  }

  vec(): number {
    return this.f.local(V128);
  }

  /** `dst = val` (for loop-carried values). */
  assign(dst: number, val: Val): void {
    this.v.push(val);
    this.f.set(dst);
  }

  /** `dst = a + b` (i32 locals). */
  addI32(dst: number, a: number, b: number): void {
    this.f.get(a).get(b).op(Op.i32_add).set(dst);
  }

  load(base: number, index: number, offset = 0): Val {
    this.f.get(base).get(index).op(Op.i32_add).load(offset);
    return this.v.fresh();
  }

  store(base: number, index: number, offset: number, val: Val): void {
    this.f.get(base).get(index).op(Op.i32_add);
    this.v.push(val);
    this.f.store(offset);
  }

  /** `index = 0; do { body() } while ((index += step) < end)`: `step` a constant or an i32 local. */
  loop(index: number, step: number | { local: number }, end: number, body: () => void): void {
    const f = this.f;
    f.i32(0).set(index);
    f.op(Op.loop, 0x40);
    body();
    f.get(index);
    if (typeof step === 'number') f.i32(step);
    else f.get(step.local);
    f.op(Op.i32_add).tee(index).get(end).op(Op.i32_lt_u).op(Op.br_if, 0);
    f.op(Op.end);
  }

  /** `do { body() } while (--count !== 0)` (count > 0 on entry). */
  repeat(count: number, body: () => void): void {
    const f = this.f;
    f.op(Op.loop, 0x40);
    body();
    f.get(count).i32(1).op(Op.i32_sub).tee(count).op(Op.br_if, 0);
    f.op(Op.end);
  }

  shuffle(a: Val, b: Val, lanes: readonly number[]): Val {
    this.v.push(a);
    this.v.push(b);
    this.f.shuffle(lanes);
    return this.v.fresh();
  }

  /** f32x4 → its two f64x2 halves (exact). */
  widen(x: Val): [Val, Val] {
    const lo = this.v.raw(Simd.f64x2_promote_low_f32x4, x);
    const hi = this.v.raw(Simd.f64x2_promote_low_f32x4, this.shuffle(x, x, HIGH_HALF));
    return [lo, hi];
  }

  /** Two f64x2 halves → f32x4, each lane rounded once. */
  narrow(lo: Val, hi: Val): Val {
    return this.shuffle(this.v.raw(Simd.f32x4_demote_f64x2_zero, lo), this.v.raw(Simd.f32x4_demote_f64x2_zero, hi), JOIN_LOW);
  }

  /** The f32x4 maximum of every lane, splat (pmax: the operands hold no NaN). */
  hmax(x: Val): Val {
    const a = this.v.pmax(x, this.shuffle(x, x, SWAP_HALVES));
    return this.v.pmax(a, this.shuffle(a, a, SWAP_PAIRS));
  }

  /** The sum of the lanes of four f64x2 accumulators (eight partial sums), splat. */
  hsum(acc: readonly number[]): Val {
    const w = this.w;
    const c = w.add(w.add(acc[0]!, acc[1]!), w.add(acc[2]!, acc[3]!));
    return w.add(c, this.shuffle(c, c, SWAP_HALVES));
  }

  /**
   * `x − m` as a float32 value `d` plus its exact rounding error `lo` (Knuth's TwoSum). Where
   * `d` is infinite or NaN, `lo` is NaN, which the exponential's clamp replaces.
   */
  twoSub(x: Val, m: Val): [Val, Val] {
    const v = this.v;
    const d = v.sub(x, m);
    const bb = v.sub(d, x);
    const lo = v.sub(v.sub(x, v.sub(d, bb)), v.add(m, bb));
    return [d, lo];
  }

  /**
   * For log-softmax: the exponential with the slice's maxima (d = 0, whose exponential is exactly
   * 2^SCALE) left out of the sum and counted instead, in the i32 lanes of `ties` (a true lane
   * mask is −1). The logarithm is then log1p((ties − 1) + rest): for the largest element,
   * −log1p(rest) keeps every digit where rest is far below 1, which log(1 + rest) rounded in
   * float64 does not (its result, tiny, would carry the sum's rounding: 1e-16 absolute).
   */
  countTies(d: Val, e: Val, ties: number): Val {
    const tie = this.v.eq(d, this.v.c(0));
    this.assign(ties, this.v.isub(ties, tie));
    return this.v.andnot(e, tie);
  }

  /** The i32 lanes' sum, splat, converted to f64x2. */
  hsumI32(x: Val): Val {
    const a = this.v.iadd(x, this.shuffle(x, x, SWAP_HALVES));
    return this.v.raw(Simd.f64x2_convert_low_i32x4_s, this.v.iadd(a, this.shuffle(a, a, SWAP_PAIRS)));
  }

  /** log(ties + rest·2^-SCALE) as log1p((ties − 1) + rest·2^-SCALE), f64x2. */
  logSum(rest: Val, ties: Val): Val {
    const w = this.w;
    return log1pF64(w, w.add(w.sub(ties, w.c(1)), w.mul(rest, w.c(2 ** -SCALE))));
  }

  finish(): FunctionBody {
    this.f.code = [...this.s.pre, ...this.s.body];
    return this.f;
  }
}

/**
 * The forward's exponentials are e^(x − max)·2^SCALE, normal numbers down to the clamp (see
 * `expScaledF32`); the sums carry the same factor, which cancels in e/sum (exactly: a power of
 * two) and is removed before the logarithm.
 */
const SCALE = 64;

const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
const JOIN_LOW = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const SWAP_HALVES = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
const SWAP_PAIRS = [4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11];

/**
 * `rows(x, out, count, rowBytes)`: (log-)softmax of `count` rows of `rowBytes / 4` float32
 * (a multiple of 8, padded with −inf), from `x` to `out`. Three passes per row: the maximum;
 * the exponentials (kept in `out` for softmax) summed in eight float64 lanes; the output.
 */
function forwardRows(log: boolean): FunctionBody {
  const a = new Asm(4);
  const [X, OUT, COUNT, RB] = [0, 1, 2, 3];
  const { v, w } = a;
  const p = a.i32();
  const mx = [a.vec(), a.vec()];
  const acc = [a.vec(), a.vec(), a.vec(), a.vec()];
  const ties = a.vec();
  a.repeat(COUNT, () => {
    for (const l of mx) a.assign(l, v.c(-Infinity));
    a.loop(p, 32, RB, () => {
      for (let k = 0; k < 2; k++) a.assign(mx[k]!, v.pmax(mx[k]!, a.load(X, p, 16 * k)));
    });
    const m = a.hmax(v.pmax(mx[0]!, mx[1]!));
    for (const l of acc) a.assign(l, w.c(0));
    if (log) a.assign(ties, v.ci(0));
    a.loop(p, 32, RB, () => {
      for (let k = 0; k < 2; k++) {
        const [d, dl] = a.twoSub(a.load(X, p, 16 * k), m);
        let e = expScaledF32(v, d, dl, SCALE);
        if (log) e = a.countTies(d, e, ties);
        else a.store(OUT, p, 16 * k, e);
        const [lo, hi] = a.widen(e);
        a.assign(acc[2 * k]!, w.add(acc[2 * k]!, lo));
        a.assign(acc[2 * k + 1]!, w.add(acc[2 * k + 1]!, hi));
      }
    });
    const total = a.hsum(acc);
    if (log) {
      const l = a.logSum(total, a.hsumI32(ties));
      const m64 = v.raw(Simd.f64x2_promote_low_f32x4, m);
      a.loop(p, 32, RB, () => {
        for (let k = 0; k < 2; k++) {
          const [lo, hi] = a.widen(a.load(X, p, 16 * k));
          a.store(OUT, p, 16 * k, a.narrow(w.sub(w.sub(lo, m64), l), w.sub(w.sub(hi, m64), l)));
        }
      });
    } else {
      // float32 e·(1/sum): 2.0 ulp at most against 1.8 for the product in float64, 10% faster.
      const r64 = w.div(w.c(1), total);
      const r = a.narrow(r64, r64);
      a.loop(p, 32, RB, () => {
        for (let k = 0; k < 2; k++) a.store(OUT, p, 16 * k, v.mul(a.load(OUT, p, 16 * k), r));
      });
    }
    a.addI32(X, X, RB);
    a.addI32(OUT, OUT, RB);
  });
  return a.finish();
}

/**
 * `cols(x, out, size, widthBytes, rowBytes, blocks)`: (log-)softmax down the columns of `blocks`
 * consecutive blocks of `size` rows of `widthBytes / 4` float32 columns (a multiple of 4) each,
 * `rowBytes` apart: each lane follows one column, with its own maximum and float64 sum
 * (sequential).
 */
function forwardCols(log: boolean): FunctionBody {
  const a = new Asm(6);
  const [X, OUT, SIZE, WB, RB, BLOCKS] = [0, 1, 2, 3, 4, 5];
  const { v, w } = a;
  const end = a.i32();
  const c = a.i32();
  const q = a.i32();
  const xp = a.i32();
  const op = a.i32();
  const m = a.vec();
  const acc = [a.vec(), a.vec()];
  const ties = a.vec();
  a.f.get(SIZE).get(RB).op(Op.i32_mul).set(end);
  a.repeat(BLOCKS, () => {
    a.loop(c, 16, WB, () => {
      a.addI32(xp, X, c);
      a.addI32(op, OUT, c);
      a.assign(m, v.c(-Infinity));
      a.loop(q, { local: RB }, end, () => a.assign(m, v.pmax(m, a.load(xp, q))));
      for (const l of acc) a.assign(l, w.c(0));
      if (log) a.assign(ties, v.ci(0));
      a.loop(q, { local: RB }, end, () => {
        const [d, dl] = a.twoSub(a.load(xp, q), m);
        let e = expScaledF32(v, d, dl, SCALE);
        if (log) e = a.countTies(d, e, ties);
        else a.store(op, q, 0, e);
        const [lo, hi] = a.widen(e);
        a.assign(acc[0]!, w.add(acc[0]!, lo));
        a.assign(acc[1]!, w.add(acc[1]!, hi));
      });
      if (log) {
        const l0 = a.logSum(acc[0]!, v.raw(Simd.f64x2_convert_low_i32x4_s, ties));
        const l1 = a.logSum(acc[1]!, v.raw(Simd.f64x2_convert_low_i32x4_s, a.shuffle(ties, ties, HIGH_HALF)));
        const [m0, m1] = a.widen(m);
        a.loop(q, { local: RB }, end, () => {
          const [lo, hi] = a.widen(a.load(xp, q));
          a.store(op, q, 0, a.narrow(w.sub(w.sub(lo, m0), l0), w.sub(w.sub(hi, m1), l1)));
        });
      } else {
        const r = a.narrow(w.div(w.c(1), acc[0]!), w.div(w.c(1), acc[1]!));
        a.loop(q, { local: RB }, end, () => a.store(op, q, 0, v.mul(a.load(op, q), r)));
      }
    });
    a.addI32(X, X, end);
    a.addI32(OUT, OUT, end);
  });
  return a.finish();
}

/**
 * `bwdRows(y, g, out, count, rowBytes)`: the input's gradient from the forward's output `y` and
 * its gradient `g`, rows as in `forwardRows` (padded with 0).
 */
function backwardRows(log: boolean): FunctionBody {
  const a = new Asm(5);
  const [Y, G, OUT, COUNT, RB] = [0, 1, 2, 3, 4];
  const { v, w } = a;
  const p = a.i32();
  const acc = [a.vec(), a.vec(), a.vec(), a.vec()];
  a.repeat(COUNT, () => {
    for (const l of acc) a.assign(l, w.c(0));
    a.loop(p, 32, RB, () => {
      for (let k = 0; k < 2; k++) {
        const [g0, g1] = a.widen(a.load(G, p, 16 * k));
        let t0 = g0;
        let t1 = g1;
        if (!log) {
          const [y0, y1] = a.widen(a.load(Y, p, 16 * k));
          t0 = w.mul(g0, y0);
          t1 = w.mul(g1, y1);
        }
        a.assign(acc[2 * k]!, w.add(acc[2 * k]!, t0));
        a.assign(acc[2 * k + 1]!, w.add(acc[2 * k + 1]!, t1));
      }
    });
    const s = a.hsum(acc);
    a.loop(p, 32, RB, () => {
      for (let k = 0; k < 2; k++) {
        const y = a.load(Y, p, 16 * k);
        const [g0, g1] = a.widen(a.load(G, p, 16 * k));
        if (log) {
          const [e0, e1] = a.widen(expF32(v, y));
          a.store(OUT, p, 16 * k, a.narrow(w.sub(g0, w.mul(e0, s)), w.sub(g1, w.mul(e1, s))));
        } else {
          const [y0, y1] = a.widen(y);
          a.store(OUT, p, 16 * k, a.narrow(w.mul(y0, w.sub(g0, s)), w.mul(y1, w.sub(g1, s))));
        }
      }
    });
    a.addI32(Y, Y, RB);
    a.addI32(G, G, RB);
    a.addI32(OUT, OUT, RB);
  });
  return a.finish();
}

/**
 * `bwdCols(y, g, out, size, widthBytes, rowBytes, blocks)`: the backward down columns (see
 * `forwardCols`).
 */
function backwardCols(log: boolean): FunctionBody {
  const a = new Asm(7);
  const [Y, G, OUT, SIZE, WB, RB, BLOCKS] = [0, 1, 2, 3, 4, 5, 6];
  const { v, w } = a;
  const end = a.i32();
  const c = a.i32();
  const q = a.i32();
  const yp = a.i32();
  const gp = a.i32();
  const op = a.i32();
  const acc = [a.vec(), a.vec()];
  a.f.get(SIZE).get(RB).op(Op.i32_mul).set(end);
  a.repeat(BLOCKS, () => {
    a.loop(c, 16, WB, () => {
      a.addI32(yp, Y, c);
      a.addI32(gp, G, c);
      a.addI32(op, OUT, c);
      for (const l of acc) a.assign(l, w.c(0));
      a.loop(q, { local: RB }, end, () => {
        const [g0, g1] = a.widen(a.load(gp, q));
        let t0 = g0;
        let t1 = g1;
        if (!log) {
          const [y0, y1] = a.widen(a.load(yp, q));
          t0 = w.mul(g0, y0);
          t1 = w.mul(g1, y1);
        }
        a.assign(acc[0]!, w.add(acc[0]!, t0));
        a.assign(acc[1]!, w.add(acc[1]!, t1));
      });
      a.loop(q, { local: RB }, end, () => {
        const y = a.load(yp, q);
        const [g0, g1] = a.widen(a.load(gp, q));
        if (log) {
          const [e0, e1] = a.widen(expF32(v, y));
          a.store(op, q, 0, a.narrow(w.sub(g0, w.mul(e0, acc[0]!)), w.sub(g1, w.mul(e1, acc[1]!))));
        } else {
          const [y0, y1] = a.widen(y);
          a.store(op, q, 0, a.narrow(w.mul(y0, w.sub(g0, acc[0]!)), w.mul(y1, w.sub(g1, acc[1]!))));
        }
      });
    });
    a.addI32(Y, Y, end);
    a.addI32(G, G, end);
    a.addI32(OUT, OUT, end);
  });
  return a.finish();
}

// ---------------------------------------------------------------------------------------------
// float64: the same functions in f64x2 lanes
// ---------------------------------------------------------------------------------------------

/**
 * float64 `rows`: the JavaScript loops' computation in f64x2 lanes, x − max as they round it
 * (float64 has no argument correction to match), math.ts's float64 exp (1 ulp against V8's),
 * eight partial sums, e·(1/sum); log-softmax with log1p of the sum without the maximum's terms
 * (counted in float64 lanes), as in float32.
 */
function forwardRows64(log: boolean): FunctionBody {
  const a = new Asm(4);
  const [X, OUT, COUNT, RB] = [0, 1, 2, 3];
  const { w } = a;
  const p = a.i32();
  const mx = [a.vec(), a.vec()];
  const acc = [a.vec(), a.vec(), a.vec(), a.vec()];
  const ties = a.vec();
  a.repeat(COUNT, () => {
    for (const l of mx) a.assign(l, w.c(-Infinity));
    a.loop(p, 32, RB, () => {
      for (let k = 0; k < 2; k++) a.assign(mx[k]!, w.pmax(mx[k]!, a.load(X, p, 16 * k)));
    });
    const m0 = w.pmax(mx[0]!, mx[1]!);
    const m = w.pmax(m0, a.shuffle(m0, m0, SWAP_HALVES));
    for (const l of acc) a.assign(l, w.c(0));
    if (log) a.assign(ties, w.c(0));
    a.loop(p, 64, RB, () => {
      for (let k = 0; k < 4; k++) {
        const d = w.sub(a.load(X, p, 16 * k), m);
        let e = expF64(w, d);
        if (log) {
          const tie = w.eq(d, w.c(0));
          a.assign(ties, w.add(ties, w.and(tie, w.c(1))));
          e = w.andnot(e, tie);
        } else a.store(OUT, p, 16 * k, e);
        a.assign(acc[k]!, w.add(acc[k]!, e));
      }
    });
    const total = a.hsum(acc);
    if (log) {
      const c = w.add(ties, a.shuffle(ties, ties, SWAP_HALVES));
      const l = log1pF64(w, w.add(w.sub(c, w.c(1)), total));
      a.loop(p, 32, RB, () => {
        for (let k = 0; k < 2; k++) a.store(OUT, p, 16 * k, w.sub(w.sub(a.load(X, p, 16 * k), m), l));
      });
    } else {
      const r = w.div(w.c(1), total);
      a.loop(p, 32, RB, () => {
        for (let k = 0; k < 2; k++) a.store(OUT, p, 16 * k, w.mul(a.load(OUT, p, 16 * k), r));
      });
    }
    a.addI32(X, X, RB);
    a.addI32(OUT, OUT, RB);
  });
  return a.finish();
}

/**
 * float64 `cols` (see `forwardCols`): two columns per f64x2 vector; `size` a multiple of 8
 * (padding rows of −inf), row i of a column summed into partial sum i mod 8 as in the
 * JavaScript loops' `columns` (a sequential float64 sum of hundreds of terms would be off by
 * up to ~15 ulp where theirs, in eight lanes, is not).
 */
function forwardCols64(log: boolean): FunctionBody {
  const a = new Asm(6);
  const [X, OUT, SIZE, WB, RB, BLOCKS] = [0, 1, 2, 3, 4, 5];
  const { w } = a;
  const end = a.i32();
  const rb8 = a.i32();
  const c = a.i32();
  const q = a.i32();
  const xp = a.i32();
  const op = a.i32();
  const row = Array.from({ length: 8 }, () => a.i32());
  const m = a.vec();
  const acc = Array.from({ length: 8 }, () => a.vec());
  const ties = a.vec();
  a.f.get(SIZE).get(RB).op(Op.i32_mul).set(end);
  a.f.get(RB).i32(3).op(Op.i32_shl).set(rb8);
  a.repeat(BLOCKS, () => {
    a.loop(c, 16, WB, () => {
      a.addI32(xp, X, c);
      a.addI32(op, OUT, c);
      a.assign(m, w.c(-Infinity));
      a.loop(q, { local: RB }, end, () => a.assign(m, w.pmax(m, a.load(xp, q))));
      for (const l of acc) a.assign(l, w.c(0));
      if (log) a.assign(ties, w.c(0));
      a.loop(q, { local: rb8 }, end, () => {
        a.addI32(row[0]!, xp, q);
        for (let j = 1; j < 8; j++) a.addI32(row[j]!, row[j - 1]!, RB);
        for (let j = 0; j < 8; j++) {
          a.f.get(row[j]!).load(0);
          const d = w.sub(w.fresh(), m);
          let e = expF64(w, d);
          if (log) {
            const tie = w.eq(d, w.c(0));
            a.assign(ties, w.add(ties, w.and(tie, w.c(1))));
            e = w.andnot(e, tie);
          } else {
            a.f.get(row[j]!).get(OUT).op(Op.i32_add).get(X).op(Op.i32_sub);
            w.push(e);
            a.f.store(0);
          }
          a.assign(acc[j]!, w.add(acc[j]!, e));
        }
      });
      const sum = w.add(w.add(w.add(acc[0]!, acc[1]!), w.add(acc[2]!, acc[3]!)), w.add(w.add(acc[4]!, acc[5]!), w.add(acc[6]!, acc[7]!)));
      if (log) {
        const l = log1pF64(w, w.add(w.sub(ties, w.c(1)), sum));
        a.loop(q, { local: RB }, end, () => a.store(op, q, 0, w.sub(w.sub(a.load(xp, q), m), l)));
      } else {
        const r = w.div(w.c(1), sum);
        a.loop(q, { local: RB }, end, () => a.store(op, q, 0, w.mul(a.load(op, q), r)));
      }
    });
    a.addI32(X, X, end);
    a.addI32(OUT, OUT, end);
  });
  return a.finish();
}

/** float64 `bwdRows` (see `backwardRows`). */
function backwardRows64(log: boolean): FunctionBody {
  const a = new Asm(5);
  const [Y, G, OUT, COUNT, RB] = [0, 1, 2, 3, 4];
  const { w } = a;
  const p = a.i32();
  const acc = [a.vec(), a.vec(), a.vec(), a.vec()];
  a.repeat(COUNT, () => {
    for (const l of acc) a.assign(l, w.c(0));
    a.loop(p, 64, RB, () => {
      for (let k = 0; k < 4; k++) {
        const g = a.load(G, p, 16 * k);
        a.assign(acc[k]!, w.add(acc[k]!, log ? g : w.mul(g, a.load(Y, p, 16 * k))));
      }
    });
    const s = a.hsum(acc);
    a.loop(p, 32, RB, () => {
      for (let k = 0; k < 2; k++) {
        const y = a.load(Y, p, 16 * k);
        const g = a.load(G, p, 16 * k);
        a.store(OUT, p, 16 * k, log ? w.sub(g, w.mul(expF64(w, y), s)) : w.mul(y, w.sub(g, s)));
      }
    });
    a.addI32(Y, Y, RB);
    a.addI32(G, G, RB);
    a.addI32(OUT, OUT, RB);
  });
  return a.finish();
}

/** float64 `bwdCols` (see `backwardCols`). */
function backwardCols64(log: boolean): FunctionBody {
  const a = new Asm(7);
  const [Y, G, OUT, SIZE, WB, RB, BLOCKS] = [0, 1, 2, 3, 4, 5, 6];
  const { w } = a;
  const end = a.i32();
  const c = a.i32();
  const q = a.i32();
  const yp = a.i32();
  const gp = a.i32();
  const op = a.i32();
  const acc = a.vec();
  a.f.get(SIZE).get(RB).op(Op.i32_mul).set(end);
  a.repeat(BLOCKS, () => {
    a.loop(c, 16, WB, () => {
      a.addI32(yp, Y, c);
      a.addI32(gp, G, c);
      a.addI32(op, OUT, c);
      a.assign(acc, w.c(0));
      a.loop(q, { local: RB }, end, () => {
        const g = a.load(gp, q);
        a.assign(acc, w.add(acc, log ? g : w.mul(g, a.load(yp, q))));
      });
      a.loop(q, { local: RB }, end, () => {
        const y = a.load(yp, q);
        const g = a.load(gp, q);
        a.store(op, q, 0, log ? w.sub(g, w.mul(expF64(w, y), acc)) : w.mul(y, w.sub(g, acc)));
      });
    });
    a.addI32(Y, Y, end);
    a.addI32(G, G, end);
    a.addI32(OUT, OUT, end);
  });
  return a.finish();
}

type Fn = (...args: number[]) => void;
interface Kernels {
  rows: [Fn, Fn];
  cols: [Fn, Fn];
  bwdRows: [Fn, Fn];
  bwdCols: [Fn, Fn];
}

const kernels = new Map<FloatDType, Kernels | null>();
/** The memory generation the instances in `kernels` were made against. */
let kernelsGeneration = -1;

/**
 * The functions of a dtype, assembled and instantiated once per memory (null where the engine
 * refuses).
 */
function getKernels(dtype: FloatDType): Kernels | null {
  if (kernelsGeneration !== memoryGeneration()) {
    kernels.clear();
    kernelsGeneration = memoryGeneration();
  }
  const known = kernels.get(dtype);
  if (known !== undefined) return known;
  const f32 = dtype === 'float32';
  const fns = [false, true].flatMap((log) => {
    const suffix = log ? 'Log' : '';
    return [
      { name: `rows${suffix}`, body: (f32 ? forwardRows : forwardRows64)(log) },
      { name: `cols${suffix}`, body: (f32 ? forwardCols : forwardCols64)(log) },
      { name: `bwdRows${suffix}`, body: (f32 ? backwardRows : backwardRows64)(log) },
      { name: `bwdCols${suffix}`, body: (f32 ? backwardCols : backwardCols64)(log) },
    ];
  });
  let k: Kernels | null;
  try {
    const e = instantiateFunctions(fns);
    const pair = (name: string): [Fn, Fn] => [e[name]!, e[`${name}Log`]!];
    k = { rows: pair('rows'), cols: pair('cols'), bwdRows: pair('bwdRows'), bwdCols: pair('bwdCols') };
  } catch (err) {
    // A browser main thread may refuse a synchronous compile: the JavaScript loops run softmax.
    if (!(err instanceof RangeError)) throw err;
    k = null;
  }
  kernels.set(dtype, k);
  return k;
}

// ---------------------------------------------------------------------------------------------
// Staging
// ---------------------------------------------------------------------------------------------

/** [outer, size, inner] around `dim`. */
interface Layout {
  outer: number;
  size: number;
  inner: number;
}

function layoutOf(shape: readonly number[], dim: number): Layout {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d]!;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d]!;
  return { outer, size: shape[dim]!, inner };
}

/** Whether `x` is contiguous from its offset (size-1 dims may carry any stride). */
function contiguous(x: StridedArray): boolean {
  let expected = 1;
  for (let d = x.shape.length - 1; d >= 0; d--) {
    if (x.shape[d] === 1) continue;
    if (x.strides[d] !== expected) return false;
    expected *= x.shape[d]!;
  }
  return true;
}

const COPY = input(0);

type FloatArray = Float32Array | Float64Array;

/**
 * The elements of `x` in contiguous order, as an array and offset: `x` itself when it is
 * contiguous, otherwise a copy (the JavaScript backend's strided copy).
 */
function dense(x: StridedArray, n: number, dtype: FloatDType): { data: FloatArray; offset: number } {
  if (contiguous(x)) return { data: x.data as FloatArray, offset: x.offset };
  const data = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const strides = new Array<number>(x.shape.length);
  for (let d = x.shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= x.shape[d]!;
  }
  runJs(COPY, dtype, x.shape, { data, offset: 0, strides }, false, [x], {});
  return { data, offset: 0 };
}

/** Views of `count` staging regions of `elements` each, from address 0. */
let viewCache: { buffer: ArrayBufferLike; dtype: FloatDType; elements: number; views: FloatArray[] } | undefined;
function regions(dtype: FloatDType, count: number, elements: number): FloatArray[] {
  const bytes = dtype === 'float32' ? 4 : 8;
  const mem = memoryOfAtLeast(count * elements * bytes);
  const c = viewCache;
  if (c !== undefined && c.buffer === mem.buffer && c.dtype === dtype && c.elements === elements && c.views.length >= count) return c.views;
  const buffer = mem.buffer as ArrayBuffer;
  const views = Array.from({ length: count }, (_, r) => (dtype === 'float32' ? new Float32Array(buffer, r * elements * 4, elements) : new Float64Array(buffer, r * elements * 8, elements)));
  viewCache = { buffer: mem.buffer, dtype, elements, views };
  return views;
}

/** Elements per region for slices of `size` (a whole padded row, or 4 whole padded columns, at least). */
function regionElements(size: number, rows: boolean): number {
  return Math.max(softmaxConfig.chunk, (rows ? 1 : 4) * roundUp(size, 8));
}

const roundUp = (n: number, k: number): number => Math.ceil(n / k) * k;

/**
 * The dtype and layout when the kernels take this call: every array float32, or every array
 * float64 (the same answer for every layout of a shape, so that layouts agree bitwise).
 */
function takes(shape: readonly number[], dim: number, arrays: readonly TypedArray[]): { dtype: FloatDType; l: Layout } | undefined {
  syncMemoryKind();
  if (shape.length === 0) return undefined;
  const dtype: FloatDType | undefined = arrays[0] instanceof Float32Array ? 'float32' : arrays[0] instanceof Float64Array ? 'float64' : undefined;
  if (dtype === undefined) return undefined;
  const Arr = dtype === 'float32' ? Float32Array : Float64Array;
  for (const a of arrays) if (!(a instanceof Arr)) return undefined;
  const l = layoutOf(shape, dim);
  const n = l.outer * l.size * l.inner;
  if (n < softmaxConfig.minElements || l.size > softmaxConfig.maxSlice) return undefined;
  if (getKernels(dtype) === null) return undefined;
  return { dtype, l };
}

/**
 * Run a kernel over all slices of [outer, size, inner] operands (dense arrays of the dtype and
 * offsets), writing `out` (contiguous from 0): rows when inner = 1, column blocks otherwise.
 * `pad` fills the padding of rows shorter than their staged stride.
 */
function stageAll(dtype: FloatDType, l: Layout, operands: readonly { data: FloatArray; offset: number }[], out: FloatArray, pad: number, rowFn: Fn, colFn: Fn): void {
  const { outer, size, inner } = l;
  const k = operands.length;
  const rows = inner === 1;
  const bytes = dtype === 'float32' ? 4 : 8;
  const E = regionElements(size, rows);
  const vs = regions(dtype, k + 1, E);
  const outView = vs[0]!;
  const addr = (r: number): number => r * E * bytes;
  const args: number[] = [];
  for (let j = 0; j < k; j++) args.push(addr(j + 1));
  args.push(addr(0));
  if (rows) {
    const P = roundUp(size, 8);
    const per = Math.floor(E / P);
    for (let r0 = 0; r0 < outer; r0 += per) {
      const count = Math.min(per, outer - r0);
      for (let j = 0; j < k; j++) {
        const { data, offset } = operands[j]!;
        const view = vs[j + 1]!;
        const from = offset + r0 * size;
        if (P === size) view.set(data.subarray(from, from + count * size));
        else {
          for (let i = 0; i < count; i++) {
            view.set(data.subarray(from + i * size, from + (i + 1) * size), i * P);
            view.fill(pad, i * P + size, (i + 1) * P);
          }
        }
      }
      rowFn(...args, count, P * bytes);
      if (P === size) out.set(count * size === E ? outView : outView.subarray(0, count * size), r0 * size);
      else for (let i = 0; i < count; i++) out.set(outView.subarray(i * P, i * P + size), (r0 + i) * size);
    }
    return;
  }
  // Columns: blocks of `size` rows of W4 columns (the whole inner extent when it fits, then
  // several outer slices per call). Rows a multiple of 1 KiB apart would fall into the same few
  // cache sets (reading down a column would then miss in L1 at every row): such strides get a
  // cache line more.
  const stride = (w4: number): number => ((w4 * bytes) % 1024 === 0 ? w4 + 64 / bytes : w4);
  // float64 forward columns sum in eight partial sums (see forwardCols64): rows padded to 8.
  const sizeK = dtype === 'float64' && k === 1 ? roundUp(size, 8) : size;
  const W = Math.max(4, Math.floor((E / sizeK - 16) / 4) * 4);
  for (let j0 = 0; j0 < inner; j0 += W) {
    const w = Math.min(W, inner - j0);
    const W4 = roundUp(w, 4);
    const S = stride(W4);
    const blockElems = sizeK * S;
    const whole = w === inner && S === w && sizeK === size;
    const per = j0 === 0 && w === inner ? Math.max(1, Math.floor(E / blockElems)) : 1;
    for (let o0 = 0; o0 < outer; o0 += per) {
      const count = Math.min(per, outer - o0);
      for (let j = 0; j < k; j++) {
        const { data, offset } = operands[j]!;
        const view = vs[j + 1]!;
        if (whole) {
          const base = offset + o0 * size * inner;
          view.set(data.subarray(base, base + count * size * inner));
          continue;
        }
        for (let b = 0; b < count; b++) {
          const base = offset + (o0 + b) * size * inner + j0;
          const vb = b * blockElems;
          for (let i = 0; i < size; i++) view.set(data.subarray(base + i * inner, base + i * inner + w), vb + i * S);
          if (sizeK > size) view.fill(pad, vb + size * S, vb + sizeK * S);
        }
      }
      colFn(...args, sizeK, W4 * bytes, S * bytes, count);
      if (whole) {
        const n = count * size * inner;
        out.set(n === E ? outView : outView.subarray(0, n), o0 * size * inner);
        continue;
      }
      for (let b = 0; b < count; b++) {
        const base = (o0 + b) * size * inner + j0;
        const vb = b * blockElems;
        for (let i = 0; i < size; i++) out.set(outView.subarray(vb + i * S, vb + i * S + w), base + i * inner);
      }
    }
  }
}

/** The backend's `softmax`: (log-)softmax of `x` along `dim` into contiguous `out`. */
export function softmax(x: StridedArray, dim: number, out: TypedArray, log: boolean): boolean {
  const t = takes(x.shape, dim, [x.data, out]);
  if (t === undefined) {
    softmaxStats.declined++;
    return false;
  }
  const { dtype, l } = t;
  const n = l.outer * l.size * l.inner;
  const k = getKernels(dtype)!;
  const i = log ? 1 : 0;
  stageAll(dtype, l, [dense(x, n, dtype)], out as FloatArray, -Infinity, k.rows[i]!, k.cols[i]!);
  softmaxStats.forward++;
  return true;
}

/** The backend's `softmaxBackward`: the input's gradient from `y` and its gradient `g`. */
export function softmaxBackward(y: StridedArray, g: StridedArray, dim: number, out: TypedArray, log: boolean): boolean {
  const t = takes(y.shape, dim, [y.data, g.data, out]);
  if (t === undefined) {
    softmaxStats.declined++;
    return false;
  }
  const { dtype, l } = t;
  const n = l.outer * l.size * l.inner;
  const k = getKernels(dtype)!;
  const i = log ? 1 : 0;
  stageAll(dtype, l, [dense(y, n, dtype), dense(g, n, dtype)], out as FloatArray, 0, k.bwdRows[i]!, k.bwdCols[i]!);
  softmaxStats.backward++;
  return true;
}
