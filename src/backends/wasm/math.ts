/**
 * The math routines, written once as SIMD code generators. Each takes a `VecBuilder` (which
 * fixes the lane type) and the locals holding its argument, emits the instructions, and returns
 * the local holding the result. The kernel compiler calls them for the primitives of an
 * expression, so every activation, every derivative and every user-defined formula gets the
 * same vector code. Special values (±0, ±inf, NaN, overflow, subnormal results) are handled
 * without branches, by clamps that keep NaN (`pmin`/`pmax`) and final selections.
 *
 * Max errors measured by test/backend.wasm.test.ts (float32: against float64 over 2^18 inputs
 * covering every magnitude; float64: against V8's fdlibm-based Math functions):
 *
 * | routine | float32 (f32x4) | ulp | float64 (f64x2) | ulp vs V8 |
 * |---|---|---|---|---|
 * | exp | Cody–Waite by ln2 hi/lo, Cephes degree-7 polynomial, 2^n in two factors (subnormal results round once) | 0.95 | fdlibm e_exp.c reduction and rational form | 1 |
 * | expm1 | same reduction, 2^n·q + (2^n − 1); Chebyshev polynomial on (0.25, 0.5) where n = 1 cancels | 0.95 | same with fdlibm's correction term and a Taylor polynomial | 1 |
 * | log1p | musl/FreeBSD logf kernel, s = f/(2+f), carrying the rounding error of 1+x; k·ln2_hi + f exact for k = ±1 | 0.78 | fdlibm e_log.c kernel, same structure | 1 |
 * | log | in float64 lanes (the float64 routine), rounded once (in float32 lanes 0.70 ulp, above PyTorch's measured 0.57) | 0.50 | fdlibm e_log.c kernel, subnormals scaled | 1 |
 * | sigmoid | e = e^{−|x|} as 2^n·(h + l): 1/(1+e) or e/(1+e), one division | 2.0; 2.40 on a dense grid (PyTorch: 2.48) | 1/(1+exp(−x)) | 0 |
 * | tanh | in float64 lanes: polynomial below 1, 1 − 2/(e^{2|x|}+1) above, rounded once | 0.51 | from expm1(2|x|) | 2 |
 * | erf, erfc | in float64 lanes: erfc(z) = t·exp(−z² + P(t)), t = 1/(1+z/2), P a degree-12 Chebyshev fit (3e-10 relative on [0, 10.5]); erf = x·Q(x²) below 0.5 | 0.50 | declined (JavaScript runs them) | |
 *
 * `expScaledF32` is `expF32` for softmax's arguments (x − max ≤ 0): the same reduction and
 * polynomial, one scaling by 2^(n + 64) instead of two (no subnormal results), 0 below −132.4.
 *
 * exp, expm1 and sigmoid accept a correction `lo` to their argument: the kernel compiler passes
 * it when the argument is itself rounded arithmetic (x·β, −u²), computed in float64 lanes and
 * split into a float32 value plus a float32 correction, so that an argument's rounding error is
 * not amplified by |x| (PyTorch's float32 kernels pay that amplification).
 */
import { Simd } from './encoder.js';
import type { Val, VecBuilder } from './vec.js';

const LOG2E = 1.4426950408889634;

// ---------------------------------------------------------------------------------------------
// float32
// ---------------------------------------------------------------------------------------------

/** Cephes expf polynomial: e^r ≈ 1 + r + r²·P(r) on |r| ≤ ln2/2 (low order first). */
const EXPF_P = [5.0000001201e-1, 1.6666665459e-1, 4.1665795894e-2, 8.3334519073e-3, 1.3981999507e-3, 1.98756915e-4];
const LN2_HI_F = 0.693359375;
const LN2_LO_F = -2.12194440e-4;

interface ExpParts {
  /** e^r − 1 */
  q: Val;
  /** 2^(n>>1) and 2^(n − (n>>1)), both normal numbers */
  s1: Val;
  s2: Val;
}

/**
 * The reduction shared by exp, expm1 and sigmoid (argument clamped to [-104, 88.8], NaN kept).
 * `lo`, when given, is a small correction to the argument (x + lo is the exact argument, as
 * computed in float64 lanes by the kernel compiler): it is added to the reduced argument, so an
 * argument rounded to float32 does not have its rounding error amplified by |x|.
 */
function expPartsF32(v: VecBuilder, x: Val, lo?: Val): ExpParts {
  const xc = v.pmax(v.pmin(x, v.c(88.8)), v.c(-104));
  const magic = v.c(12582912); // 1.5·2^23: adding it rounds to an integer kept in the low bits
  const t = v.add(v.mul(xc, v.c(LOG2E)), magic);
  const nf = v.sub(t, magic);
  const ni = v.isub(t, v.ci(0x4b400000));
  let r = v.sub(v.sub(xc, v.mul(nf, v.c(LN2_HI_F))), v.mul(nf, v.c(LN2_LO_F)));
  // A genuine correction is below half an ulp of |x| ≤ 104, i.e. 2^-18; a larger one belongs to
  // an argument outside the clamp range, where it must not disturb the reduction. The constant
  // comes first so that a NaN correction (the rounding error of an infinite argument, computed
  // as inf − inf) is replaced too: the result is then 0 or inf by the argument alone.
  if (lo !== undefined) r = v.add(r, v.pmax(v.c(-(2 ** -17)), v.pmin(v.c(2 ** -17), lo)));
  const q = v.add(v.mul(v.mul(r, r), v.poly(r, EXPF_P)), r);
  const n1 = v.shrS(ni, 1);
  const n2 = v.isub(ni, n1);
  const s1 = v.shl(v.iadd(n1, v.ci(127)), 23);
  const s2 = v.shl(v.iadd(n2, v.ci(127)), 23);
  return { q, s1, s2 };
}

/** 1 + q as an unevaluated sum h + l (h = fl(1 + q), l exact), for |q| < 1/2. */
function onePlus(v: VecBuilder, q: Val): { h: Val; l: Val } {
  const one = v.c(1);
  const h = v.add(q, one);
  return { h, l: v.sub(q, v.sub(h, one)) };
}

export function expF32(v: VecBuilder, x: Val, lo?: Val): Val {
  const { q, s1, s2 } = expPartsF32(v, x, lo);
  return v.mul(v.mul(v.add(q, v.c(1)), s1), s2);
}

/**
 * e^(x + lo) · 2^k for x ≤ 0 (softmax's shifted arguments), NaN kept: the reduction and
 * polynomial of `expF32` with one scaling factor, 2^(n + k). With k = 64 that factor is a normal
 * number for every n ≥ −190, so results that would be subnormal keep 24 bits (the caller divides
 * by a sum scaled by the same 2^k, exactly); below, from the clamp at −132.4 (n = −191, where the
 * factor's exponent field is 0) down to −inf, the result is exactly 0: e^−132 = 4.5e-58 is below
 * anything a float32 sum or result can show, and an exact 0 keeps results such as
 * log_softmax([0, −inf]) = [0, −inf] exact. 27 operations against `expF32`'s 34.
 */
export function expScaledF32(v: VecBuilder, x: Val, lo: Val | undefined, k: 64): Val {
  const xc = v.pmax(x, v.c(-132.4)); // −inf → −132.4; NaN stays (the first operand of pmax)
  const magic = v.c(12582912);
  const t = v.add(v.mul(xc, v.c(LOG2E)), magic);
  const nf = v.sub(t, magic);
  let r = v.sub(v.sub(xc, v.mul(nf, v.c(LN2_HI_F))), v.mul(nf, v.c(LN2_LO_F)));
  if (lo !== undefined) r = v.add(r, v.pmax(v.c(-(2 ** -17)), v.pmin(v.c(2 ** -17), lo)));
  const q = v.add(v.mul(v.mul(r, r), v.poly(r, EXPF_P)), r);
  // The bits of t are those of 1.5·2^23 plus n: (n + 127 + k) << 23 is 2^(n + k).
  const s = v.shl(v.isub(t, v.ci(0x4b400000 - 127 - k)), 23);
  return v.mul(v.add(q, v.c(1)), s);
}

/** expm1(x) ≈ x + x²·Q(x) on |x| ≤ ln 2 (Chebyshev fit, relative error 3e-9), low order first. */
const EXPM1F_Q = [0.5, 0.166666700351, 0.0416666700308, 0.00833277276333, 0.00138883289801, 0.000200742390927, 0.0000250343447019];

export function expm1F32(v: VecBuilder, x: Val, lo?: Val): Val {
  const { q, s1, s2 } = expPartsF32(v, x, lo);
  const u = v.mul(s1, s2);
  // 2^n·q + (2^n − 1) cancels for n = 1 near x = ln2/2: on (0.25, 0.5) a direct polynomial is used.
  const mid = v.add(v.mul(u, q), v.sub(u, v.c(1)));
  const small = v.add(lo === undefined ? x : v.add(x, lo), v.mul(v.mul(x, x), v.poly(x, EXPM1F_Q)));
  // From n = 24 on, 2^n − 1 is no longer exact (and near overflow 2^n is not representable):
  // go through exp.
  // 2^n·(1+q) − 1 with 1+q = h + l exactly, so that only the final addition rounds.
  const { h, l } = onePlus(v, q);
  const big = v.add(v.mul(v.mul(h, s1), s2), v.sub(v.mul(v.mul(l, s1), s2), v.c(1)));
  let r = v.sel(v.gt(x, v.c(16)), big, mid);
  r = v.sel(v.and(v.gt(x, v.c(0.25)), v.lt(x, v.c(0.5))), small, r);
  return v.sel(v.eq(x, v.c(0)), x, r); // expm1(-0) = -0
}

/**
 * log(1 + f + delta) + k·ln2 for f in [√½−1, √2−1] (a multiple of 2^-24), a tiny correction
 * `delta` and k (an integer, as a float): FreeBSD/musl `logf`'s kernel,
 * log(1+f) = f − f²/2 + s·(f²/2 + R(s²)) with s = f/(2+f). The large terms are added last: for
 * k = ±1, k·ln2_hi + f is exact (both are multiples of 2^-24 below 1), which avoids the
 * cancellation between them that would otherwise cost half an ulp more.
 */
function logCoreF32(v: VecBuilder, f: Val, delta: Val | undefined, kf: Val): Val {
  const f2 = delta === undefined ? f : v.add(f, delta);
  const s = v.div(f2, v.add(f2, v.c(2)));
  const z = v.mul(s, s);
  const w = v.mul(z, z);
  const t1 = v.mul(w, v.add(v.c(0.40000972152), v.mul(w, v.c(0.24279078841))));
  const t2 = v.mul(z, v.add(v.c(0.66666662693), v.mul(w, v.c(0.28498786688))));
  const hfsq = v.mul(v.mul(f2, f2), v.c(0.5));
  let lo = v.sub(v.mul(s, v.add(hfsq, v.add(t2, t1))), hfsq);
  if (delta !== undefined) lo = v.add(lo, delta);
  lo = v.add(lo, v.mul(kf, v.c(9.0580006145e-6)));
  const khi = v.mul(kf, v.c(6.9313812256e-1));
  const near = v.add(v.add(khi, f), lo); // |k| = 1: exact high sum, one rounding
  const far = v.add(khi, v.add(f, lo)); // otherwise: small part first
  return v.sel(v.eq(v.abs(kf), v.c(1)), near, far);
}

/** Split the bits of a positive normal `u` into k and f with u = 2^k (1 + f), 1+f in [√½, √2). */
function splitF32(v: VecBuilder, u: Val): { k: Val; f: Val } {
  const ix = v.iadd(u, v.ci(0x3f800000 - 0x3f3504f3));
  const k = v.isub(v.shrS(ix, 23), v.ci(127));
  const m = v.iadd(v.and(ix, v.ci(0x007fffff)), v.ci(0x3f3504f3));
  return { k, f: v.sub(m, v.c(1)) };
}

/** The special values of log at `u` (the argument of the logarithm). */
function logFixups(v: VecBuilder, u: Val, r: Val): Val {
  r = v.sel(v.eq(u, v.c(Infinity)), u, r);
  r = v.sel(v.eq(u, v.c(0)), v.c(-Infinity), r);
  return v.sel(v.ge(u, v.c(0)), r, v.c(NaN));
}

export function log1pF32(v: VecBuilder, x: Val): Val {
  const one = v.c(1);
  const u = v.add(x, one);
  const c = v.sub(x, v.sub(u, one)); // the rounding error of 1 + x
  const { k, f } = splitF32(v, u);
  const scale = v.shl(v.isub(v.ci(127), k), 23); // 2^-k
  const kf = v.raw(Simd.f32x4_convert_i32x4_s, k);
  const r = logFixups(v, u, logCoreF32(v, f, v.mul(c, scale), kf));
  return v.sel(v.eq(x, v.c(0)), x, r); // log1p(-0) = -0
}

/**
 * The logistic function from e = e^{-|x|} (which never overflows): 1/(1+e) for x ≥ 0 and
 * e/(1+e) for x < 0, with e carried as 2^n·(h + l) so that neither 1+e nor e rounds more than
 * once. Keeps the subnormal tail (sigmoid(-100) = 3.8e-44, as in float64) where PyTorch's
 * float32 formula 1/(1+exp(-x)) underflows to 0, and is more accurate than that formula.
 */
export function sigmoidF32(v: VecBuilder, x: Val, lo?: Val): Val {
  const one = v.c(1);
  const neg = v.lt(x, v.c(0));
  // −|x + lo| = −|x| − sign(x)·lo
  const { q, s1, s2 } = expPartsF32(v, v.neg(v.abs(x)), lo === undefined ? undefined : v.sel(neg, lo, v.neg(lo)));
  const { h, l } = onePlus(v, q);
  const eh = v.mul(v.mul(h, s1), s2);
  const el = v.mul(v.mul(l, s1), s2);
  const d = v.add(v.add(one, eh), el);
  const num = v.sel(neg, v.add(eh, el), one);
  return v.div(num, d);
}

// ---------------------------------------------------------------------------------------------
// float64
// ---------------------------------------------------------------------------------------------

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const EXP_P = [1.66666666666666019037e-1, -2.77777777770155933842e-3, 6.61375632143793436117e-5, -1.65339022054652515390e-6, 4.13813679705723846039e-8];

/** exp in float64 lanes: fdlibm's e_exp.c reduction and rational form (< 1 ulp). */
export function expF64(v: VecBuilder, x: Val): Val {
  const xc = v.pmax(v.pmin(x, v.c(710)), v.c(-746));
  const magic = v.c(6755399441055744); // 1.5·2^52
  const t = v.add(v.mul(xc, v.c(LOG2E)), magic);
  const nf = v.sub(t, magic);
  const ni = v.isub(t, v.ci64(0x43380000, 0));
  const hi = v.sub(xc, v.mul(nf, v.c(LN2_HI)));
  const lo = v.mul(nf, v.c(LN2_LO));
  const r = v.sub(hi, lo);
  const tt = v.mul(r, r);
  const c = v.sub(r, v.mul(tt, v.poly(tt, EXP_P)));
  const y = v.sub(v.c(1), v.sub(v.sub(lo, v.div(v.mul(r, c), v.sub(v.c(2), c))), hi));
  const n1 = v.shrS(ni, 1);
  const n2 = v.isub(ni, n1);
  const s1 = v.shl(v.iadd(n1, v.ci(1023)), 52);
  const s2 = v.shl(v.iadd(n2, v.ci(1023)), 52);
  return v.mul(v.mul(y, s1), s2);
}

/** 1/2!, 1/3!, ..., 1/17!: expm1(r) = r + r²·P(r) on |r| ≤ 1/2 (truncation below 3e-21). */
const EXPM1_P = Array.from({ length: 16 }, (_, k) => {
  let f = 1;
  for (let i = 2; i <= k + 2; i++) f *= i;
  return 1 / f;
});

/**
 * expm1 in float64 lanes: the reduction of `expF64` with fdlibm's correction term for the
 * rounding of r, a Taylor polynomial, then 2^n·q + (2^n − 1) (one rounding for n ≤ 53), or
 * 2^n·(h + l) − 1 above; on (0.25, 0.5) the polynomial directly.
 */
export function expm1F64(v: VecBuilder, x: Val): Val {
  const xc = v.pmax(v.pmin(x, v.c(710)), v.c(-60));
  const magic = v.c(6755399441055744);
  const t = v.add(v.mul(xc, v.c(LOG2E)), magic);
  const nf = v.sub(t, magic);
  const ni = v.isub(t, v.ci64(0x43380000, 0));
  const hi = v.sub(xc, v.mul(nf, v.c(LN2_HI)));
  const lo = v.mul(nf, v.c(LN2_LO));
  const r = v.sub(hi, lo);
  const c = v.sub(v.sub(hi, r), lo); // r + c is the reduced argument to ~2^-106
  const one = v.c(1);
  const q0 = v.add(r, v.mul(v.mul(r, r), v.poly(r, EXPM1_P)));
  const q = v.add(q0, v.mul(c, v.add(q0, one))); // expm1(r + c) ≈ q + c·(1 + q)
  const n1 = v.shrS(ni, 1);
  const n2 = v.isub(ni, n1);
  const s1 = v.shl(v.iadd(n1, v.ci(1023)), 52);
  const s2 = v.shl(v.iadd(n2, v.ci(1023)), 52);
  const u = v.mul(s1, s2);
  const mid = v.add(v.mul(u, q), v.sub(u, one));
  const h = v.add(q, one);
  const l = v.sub(q, v.sub(h, one));
  const big = v.add(v.mul(v.mul(h, s1), s2), v.sub(v.mul(v.mul(l, s1), s2), one));
  let r2 = v.sel(v.gt(x, v.c(36)), big, mid);
  // n = 1 cancels near x = ln2/2, as in float32: a direct polynomial on (0.25, 0.5).
  const small = v.add(x, v.mul(v.mul(x, x), v.poly(x, EXPM1_P)));
  r2 = v.sel(v.and(v.gt(x, v.c(0.25)), v.lt(x, v.c(0.5))), small, r2);
  return v.sel(v.eq(x, v.c(0)), x, r2);
}

/** FreeBSD/fdlibm e_log.c: log(1+f) = f − f²/2 + s·(f²/2 + R(s²)), s = f/(2+f). */
const LG = [6.666666666666735130e-1, 3.999999999940941908e-1, 2.857142874366239149e-1, 2.222219843214978396e-1, 1.818357216161805012e-1, 1.531383769920937332e-1, 1.479819860511658591e-1];

/** log(1 + f + delta) + k·ln2 (float64 lanes), the large terms added last as in `logCoreF32`. */
function logCoreF64(v: VecBuilder, f: Val, delta: Val | undefined, kf: Val): Val {
  const f2 = delta === undefined ? f : v.add(f, delta);
  const s = v.div(f2, v.add(f2, v.c(2)));
  const z = v.mul(s, s);
  const R = v.mul(z, v.poly(z, LG));
  const hfsq = v.mul(v.mul(f2, f2), v.c(0.5));
  let lo = v.sub(v.mul(s, v.add(hfsq, R)), hfsq);
  if (delta !== undefined) lo = v.add(lo, delta);
  lo = v.add(lo, v.mul(kf, v.c(LN2_LO)));
  const khi = v.mul(kf, v.c(LN2_HI));
  const near = v.add(v.add(khi, f), lo);
  const far = v.add(khi, v.add(f, lo));
  return v.sel(v.eq(v.abs(kf), v.c(1)), near, far);
}

/** Split a positive normal float64 `u` into k (as a float) and f, u = 2^k (1 + f), 1+f in [√½, √2). */
function splitF64(v: VecBuilder, u: Val): { k: Val; kf: Val; f: Val } {
  const ix = v.iadd(u, v.ci64(0x3ff00000 - 0x3fe6a09e, 0));
  const k = v.isub(v.shrS(ix, 52), v.ci(1023));
  const kf = v.sub(v.iadd(k, v.ci64(0x43380000, 0)), v.c(6755399441055744));
  const m = v.iadd(v.and(ix, v.ci64(0x000fffff, -1)), v.ci64(0x3fe6a09e, 0));
  return { k, kf, f: v.sub(m, v.c(1)) };
}

export function logF64(v: VecBuilder, x: Val): Val {
  const tiny = v.lt(x, v.c(2.2250738585072014e-308));
  const xs = v.sel(tiny, v.mul(x, v.c(18014398509481984)), x); // 2^54
  const { kf, f } = splitF64(v, xs);
  const kk = v.sub(kf, v.and(tiny, v.c(54)));
  return logFixups(v, x, logCoreF64(v, f, undefined, kk));
}

export function log1pF64(v: VecBuilder, x: Val): Val {
  const one = v.c(1);
  const u = v.add(x, one);
  // The rounding error of 1 + x, exactly (Knuth's two-sum).
  const bb = v.sub(u, one);
  const c = v.add(v.sub(one, v.sub(u, bb)), v.sub(x, bb));
  const { k, kf, f } = splitF64(v, u);
  const scale = v.shl(v.isub(v.ci(1023), k), 52); // 2^-k
  const r = logFixups(v, u, logCoreF64(v, f, v.mul(c, scale), kf));
  return v.sel(v.eq(x, v.c(0)), x, r);
}

/** tanh in float64 lanes from t = expm1(2|x|): t/(t+2) below 1, 1 − 2/(t+2) above. */
export function tanhF64(v: VecBuilder, x: Val): Val {
  const a = v.abs(x);
  const t = expm1F64(v, v.add(a, a));
  const two = v.c(2);
  const d = v.add(t, two);
  const r = v.sel(v.lt(a, v.c(1)), v.div(t, d), v.sub(v.c(1), v.div(two, d)));
  return v.withSignOf(r, x);
}

export function sigmoidF64(v: VecBuilder, x: Val): Val {
  const one = v.c(1);
  return v.div(one, v.add(one, expF64(v, v.neg(x))));
}

/** 1, 1/2!, ..., 1/9!: e^r on |r| ≤ ln2/2 to 7e-12 relative (enough for float32 results). */
const EXP_LITE = [1, 1, ...EXPM1_P.slice(0, 8)];

/**
 * e^x in float64 lanes for float32 results (relative error ~1e-11): the reduction of `expF64`,
 * a degree-9 polynomial instead of the rational form (no division), one scaling. Only for
 * arguments in [-700, 700] (callers clamp).
 */
function expLiteF64(v: VecBuilder, x: Val): Val {
  const magic = v.c(6755399441055744);
  const t = v.add(v.mul(x, v.c(LOG2E)), magic);
  const nf = v.sub(t, magic);
  const ni = v.isub(t, v.ci64(0x43380000, 0));
  const r = v.sub(v.sub(x, v.mul(nf, v.c(LN2_HI))), v.mul(nf, v.c(LN2_LO)));
  const s = v.shl(v.iadd(ni, v.ci(1023)), 52);
  return v.mul(v.poly(r, EXP_LITE), s);
}

// ---------------------------------------------------------------------------------------------
// erf and erfc for float32 results, evaluated in float64 lanes
// ---------------------------------------------------------------------------------------------

/**
 * log(erfc(z)·(1 + z/2)) + z² as a polynomial in t = 1/(1 + z/2), Chebyshev-interpolated on
 * z in [0, 10.5] (degree 12, relative error of erfc 2.7e-10), low order first.
 */
const ERFC_P = [
  -1.2655036101770267, 0.9997075380202443, 0.3794866965497712, 0.042671270524312244, 0.15654460889437627, -1.1453324232718054, 2.8388906630174335,
  -6.053212020191182, 8.89989088500188, -8.181631433433605, 4.561724635123931, -1.4268387301169654, 0.19360192032529328,
];
/** erf(x)/x as a polynomial in x² on |x| ≤ 0.5 (relative error 1.2e-11), low order first. */
const ERF_P = [1.1283791670824088, -0.3761263852564585, 0.112837740130909, -0.026863143025025238, 0.005200413696002215, -0.0007694533851463348];

/** erfc(z) for z ≥ 0 (float64 lanes; accurate to ~3e-10 relative, for float32 results). */
function erfcCore(w: VecBuilder, z: Val): Val {
  const zc = w.pmin(z, w.c(10.5)); // erfc(10.5) underflows float32
  const t = w.div(w.c(1), w.add(w.c(1), w.mul(zc, w.c(0.5))));
  const g = w.poly(t, ERFC_P);
  return w.mul(t, expLiteF64(w, w.sub(g, w.mul(zc, zc))));
}

/** tanh(a) ≈ a + a³·P(a²) on [0, 1] (Chebyshev fit, relative error 1.7e-9), low order first. */
const TANH_P = [-0.333333331567, 0.133333106556, -0.053963414755, 0.0218295488442, -0.00869784759329, 0.00320680338554, -0.000923500844593, 0.000142793187365];

/**
 * tanh for float32 results, in float64 lanes: in float32 arithmetic the polynomial's
 * cancellation near |x| = 1 and the three roundings of 1 − 2/(e^{2|x|}+1) reach 1.1–1.2 ulp,
 * above the 1.0 ulp of PyTorch's float32 tanh (SLEEF); in float64 the result rounds once.
 */
export function tanhWide(w: VecBuilder, x: Val): Val {
  const a = w.abs(x);
  const small = w.add(a, w.mul(w.mul(a, w.mul(a, a)), w.poly(w.mul(a, a), TANH_P)));
  const e = expLiteF64(w, w.pmin(w.add(a, a), w.c(100)));
  const large = w.sub(w.c(1), w.div(w.c(2), w.add(e, w.c(1))));
  return w.withSignOf(w.sel(w.lt(a, w.c(1)), small, large), x);
}

export function erfcWide(w: VecBuilder, x: Val): Val {
  const r = erfcCore(w, w.abs(x));
  return w.sel(w.lt(x, w.c(0)), w.sub(w.c(2), r), r);
}

export function erfWide(w: VecBuilder, x: Val): Val {
  const a = w.abs(x);
  const small = w.mul(a, w.poly(w.mul(a, a), ERF_P));
  const large = w.sub(w.c(1), erfcCore(w, a));
  return w.withSignOf(w.sel(w.lt(a, w.c(0.5)), small, large), x);
}
