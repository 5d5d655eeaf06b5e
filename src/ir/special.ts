/**
 * The error function and its complement for float64, accurate to the last bits.
 *
 * JavaScript has no `Math.erf`, yet GELU and friends need it with the accuracy of a good C
 * library, because PyTorch computes them with the platform's `erf`. The interval split and the
 * rational approximations are the classical ones of Sun's fdlibm (`s_erf.c`, the approximations
 * derived by K. C. Ng, 1993; the same coefficients ship in FreeBSD msun, musl and glibc):
 *
 * | interval               | erf                            | erfc                                    |
 * |------------------------|--------------------------------|-----------------------------------------|
 * | \|x\| < 2^-28          | 2x/√π                          | 1 − x (for \|x\| < 2^-56)               |
 * | \|x\| < 0.84375        | x + x·P(x²)/Q(x²)              | 1 − x − x·P/Q                           |
 * | 0.84375 ≤ \|x\| < 1.25 | ±(erx + P(s)/Q(s)), s = \|x\|−1 | (1 − erx) − P/Q                         |
 * | 1.25 ≤ \|x\| < 6       | ±(1 − erfc(\|x\|))              | exp(−x² − 0.5625 + R(1/x²)/S(1/x²)) / x |
 * | 6 ≤ \|x\| < 28         | ±1                             | same as above                           |
 * | \|x\| ≥ 28             | ±1                             | 0 (the true value is below 2^-1075)     |
 *
 * Evaluated in plain doubles as fdlibm does, erfc is off by up to about 2.5 ulp and erf by up to
 * about 0.96 ulp: the polynomials cancel, `x²` and `1/x²` are rounded, and two `exp` calls each
 * add their own error. Here every path whose result is small compared with its intermediates
 * carries them as double-doubles (an unevaluated sum `hi + lo` of two doubles, about 106 bits)
 * and rounds once at the end, so what is left is the approximation error of the published
 * coefficients (below 2^-57) plus that final rounding: measured against mpmath, within 0.70 ulp
 * for both functions. Only where the result is close to ±1 or 2 (erf for |x| ≥ 1.5, erfc for
 * x ≤ −1.25) does the cheap double evaluation remain, because there erfc's relative error is
 * divided by the ratio of the two results.
 *
 * @packageDocumentation
 */

// ---------------------------------------------------------------------------------------------
// Coefficients. All from fdlibm 5.3 `s_erf.c` (Sun Microsystems, 1993), copied as published.
// ---------------------------------------------------------------------------------------------

/** erx = (float)0.84506291151: erf(1) rounded to float precision, so `1 - erx` is exact. */
const ERX = 8.45062911510467529297e-1;
/**
 * 2/√π as a double-double (hi is the double nearest to it; lo = 2/√π − hi, computed with mpmath
 * at 50 digits), the slope of erf at 0. fdlibm uses efx = hi − 1 here, but the product then
 * rounds to an ulp of 0.128·x plus a representation error of 2^-56; the pair removes both.
 */
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const TWO_OVER_SQRT_PI_LO = 1.533545961316588e-17;

/** Numerator and denominator of (erf(x) − x)/x ≈ P(z)/Q(z), z = x², on [0, 0.84375]. Low order first. */
const PP = [
  1.28379167095512558561e-1, -3.25042107247001499370e-1, -2.84817495755985104766e-2,
  -5.77027029648944159157e-3, -2.37630166566501626084e-5,
] as const;
const QQ = [
  1, 3.97917223959155352819e-1, 6.50222499887672944485e-2, 5.08130628187576562776e-3,
  1.32494738004321644526e-4, -3.96022827877536812320e-6,
] as const;

/** erf(1 + s) − erx ≈ P(s)/Q(s) on 0.84375 ≤ |x| < 1.25. */
const PA = [
  -2.36211856075265944077e-3, 4.14856118683748331666e-1, -3.72207876035701323847e-1,
  3.18346619901161753674e-1, -1.10894694282396677476e-1, 3.54783043256182359371e-2,
  -2.16637559486879084300e-3,
] as const;
const QA = [
  1, 1.06420880400844228286e-1, 5.40397917702171048937e-1, 7.18286544141962662868e-2,
  1.26171219808761642112e-1, 1.36370839120290507362e-2, 1.19844998467991074170e-2,
] as const;

/** log(x·erfc(x)) + x² + 0.5625 ≈ R(t)/S(t), t = 1/x², on [1.25, 1/0.35). */
const RA = [
  -9.86494403484714822705e-3, -6.93858572707181764372e-1, -1.05586262253232909814e1,
  -6.23753324503260060396e1, -1.62396669462573470355e2, -1.84605092906711035994e2,
  -8.12874355063065934246e1, -9.81432934416914548592,
] as const;
const SA = [
  1, 1.96512716674392571292e1, 1.37657754143519042600e2, 4.34565877475229228821e2,
  6.45387271733267880336e2, 4.29008140027567833386e2, 1.08635005541779435134e2,
  6.57024977031928170135, -6.04244152148580987438e-2,
] as const;

/** The same function on [1/0.35, 28). */
const RB = [
  -9.86494292470009928597e-3, -7.99283237680523006574e-1, -1.77579549177547519889e1,
  -1.60636384855821916062e2, -6.37566443368389627722e2, -1.02509513161107724954e3,
  -4.83519191608651397019e2,
] as const;
const SB = [
  1, 3.03380607434824582924e1, 3.25792512996573918826e2, 1.53672958608443695994e3,
  3.19985821950859553908e3, 2.55305040643316442583e3, 4.74528541206955367215e2,
  -2.24409524465858183362e1,
] as const;

/** ln 2 split so that k·LN2_HI is exact for |k| < 2^20 (fdlibm `e_exp.c`); hi + lo is within 2^-72 of ln 2. */
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;

/** 1/0.35 as fdlibm's high-word test `ix < 0x4006DB6E` places the boundary (2.857142857142857). */
const ONE_OVER_035 = 1 / 0.35;

// ---------------------------------------------------------------------------------------------
// Double-double arithmetic: just enough of it (Dekker 1971; Knuth, TAOCP vol. 2 §4.2.2) for
// the accurate paths. JavaScript has no fused multiply-add, so exact products use Veltkamp
// splitting. The accumulator is mutable so that a Horner loop allocates nothing.
// ---------------------------------------------------------------------------------------------

/** The rounding error of s = fl(a + b): a + b = s + sumError(a, b, s) exactly (Knuth's TwoSum). */
function sumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/** 2^27 + 1: multiplying by it splits a double into two 26-bit halves (Veltkamp). */
const SPLITTER = 134217729;

/** The rounding error of p = fl(a·b): a·b = p + productError(a, b, p) exactly (Dekker's TwoProduct). */
function productError(a: number, b: number, p: number): number {
  const ca = SPLITTER * a;
  const aHi = ca - (ca - a);
  const aLo = a - aHi;
  const cb = SPLITTER * b;
  const bHi = cb - (cb - b);
  const bLo = b - bHi;
  return aHi * bHi - p + aHi * bLo + aLo * bHi + aLo * bLo;
}

/**
 * A mutable double-double: the unevaluated sum hi + lo with |lo| ≤ ulp(hi)/2, so `hi` is always
 * the value rounded to double. Operations update it in place and return it for chaining.
 */
class DoubleDouble {
  hi: number;
  lo: number;

  constructor(hi = 0, lo = 0) {
    this.hi = hi;
    this.lo = lo;
  }

  /** Sets hi + lo from a sum s + e whose e is much smaller than s. */
  private renormalize(s: number, e: number): this {
    this.hi = s + e;
    this.lo = e - (this.hi - s);
    return this;
  }

  /** this ← this·(bHi + bLo) + (cHi + cLo): one Horner step. */
  mulAdd(bHi: number, bLo: number, cHi: number, cLo = 0): this {
    const p = this.hi * bHi;
    const pErr = productError(this.hi, bHi, p) + (this.hi * bLo + this.lo * bHi);
    const s = p + cHi;
    return this.renormalize(s, sumError(p, cHi, s) + (pErr + cLo));
  }

  mul(bHi: number, bLo = 0): this {
    return this.mulAdd(bHi, bLo, 0);
  }

  add(bHi: number, bLo = 0): this {
    const s = this.hi + bHi;
    return this.renormalize(s, sumError(this.hi, bHi, s) + (this.lo + bLo));
  }

  /** this ← this / (bHi + bLo): the double quotient plus one correction from the remainder. */
  div(bHi: number, bLo = 0): this {
    const q = this.hi / bHi;
    const p = q * bHi;
    // this.hi − p is exact (Sterbenz: p is within an ulp or two of this.hi).
    const remainder = this.hi - p - productError(q, bHi, p) - q * bLo + this.lo;
    return this.renormalize(q, remainder / bHi);
  }
}

/**
 * P(t)/Q(t) for coefficient lists ordered from the constant term up, by Horner's rule at
 * t = tHi + tLo. Both polynomials advance in the same loop: their dependency chains are
 * independent, so the processor can overlap them.
 */
function rationalDD(p: readonly number[], q: readonly number[], tHi: number, tLo = 0): DoubleDouble {
  const num = new DoubleDouble();
  const den = new DoubleDouble();
  for (let i = Math.max(p.length, q.length) - 1; i >= 0; i--) {
    if (i < p.length) num.mulAdd(tHi, tLo, p[i]!); // the first step, 0·t + c, is exact
    if (i < q.length) den.mulAdd(tHi, tLo, q[i]!);
  }
  return num.div(den.hi, den.lo);
}

/** Horner's rule in plain doubles, for the paths whose rounding errors are harmless. */
function horner(c: readonly number[], t: number): number {
  let acc = c[c.length - 1]!;
  for (let i = c.length - 2; i >= 0; i--) acc = acc * t + c[i]!;
  return acc;
}

// ---------------------------------------------------------------------------------------------
// exp in double-double, only for the arguments erfc needs (about −785 … −1.5).
// ---------------------------------------------------------------------------------------------

/** Taylor degree: |r| ≤ ln2/2 makes the first omitted term r^18/18! < 2^-79 relative. */
const EXP_DEGREE = 17;

/**
 * 1/n! for n = 4 … EXP_DEGREE as plain doubles, highest first. These terms add up to at most
 * r⁴/24 ≤ 0.0006, so their double rounding errors stay below 2^-62 of the result.
 */
const EXP_HIGH_TERMS: readonly number[] = (() => {
  const out: number[] = [];
  let factorial = 6; // 3!
  for (let n = 4; n <= EXP_DEGREE; n++) {
    factorial *= n; // exact: n! is representable for n ≤ 22
    out.push(1 / factorial);
  }
  return out.reverse();
})();

/** 1/6 as a double-double; the other low-order Taylor coefficients (1/2, 1, 1) are exact. */
const SIXTH = new DoubleDouble(1).div(6);

/**
 * exp(tHi + tLo) = 2^k · m with m a double-double near 1. The power of two is returned
 * separately so that a result far below the smallest normal double can still be formed with a
 * single rounding (see {@link scaleByPow2}).
 */
function expDD(tHi: number, tLo: number): { k: number; m: DoubleDouble } {
  const k = Math.round(tHi / Math.LN2);
  // tHi − k·LN2_HI is exact: k·LN2_HI has few significant bits and lies within ln2/2 of tHi.
  const head = tHi - k * LN2_HI;
  const p = k * LN2_LO;
  const r = new DoubleDouble(head).add(-p, tLo - productError(k, LN2_LO, p));
  // exp(r) = 1 + r + r²/2 + r³/6 + r⁴·Σ r^(n−4)/n!: the tail in doubles, the head exactly.
  let tail = 0;
  for (const c of EXP_HIGH_TERMS) tail = tail * r.hi + c;
  const m = new DoubleDouble(tail)
    .mulAdd(r.hi, r.lo, SIXTH.hi, SIXTH.lo)
    .mulAdd(r.hi, r.lo, 0.5)
    .mulAdd(r.hi, r.lo, 1)
    .mulAdd(r.hi, r.lo, 1);
  return { k, m };
}

const POW2_VIEW = new DataView(new ArrayBuffer(8));

/** 2^n for −1022 ≤ n ≤ 1023, built from the bit pattern so it is exact on every engine. */
function pow2(n: number): number {
  POW2_VIEW.setUint32(0, (n + 1023) << 20);
  POW2_VIEW.setUint32(4, 0);
  return POW2_VIEW.getFloat64(0);
}

/**
 * v·2^k with one rounding. When the result is subnormal, scaling first by 2^(k+600) keeps the
 * intermediate normal and exact, so only the last multiplication rounds.
 */
function scaleByPow2(v: number, k: number): number {
  if (k >= -1022) return v * pow2(k);
  return v * pow2(k + 600) * pow2(-600);
}

// ---------------------------------------------------------------------------------------------
// The pieces of erf / erfc on each interval, for a ≥ 0 unless stated otherwise.
// ---------------------------------------------------------------------------------------------

/**
 * erf(x) = 2x/√π for |x| < 2^-28, where the next series term is below 2^-56 relative. The
 * product is formed exactly and rounded once; for very small x it is formed 2^64 times larger,
 * because exact products need the halves of both factors to stay clear of underflow.
 */
function erfTiny(x: number): number {
  if (x === 0) return x; // the error term below would be +0 and turn −0 into +0
  const scale = Math.abs(x) < 2 ** -900 ? 2 ** 64 : 1;
  const y = x * scale;
  const p = y * TWO_OVER_SQRT_PI;
  const e = productError(y, TWO_OVER_SQRT_PI, p) + y * TWO_OVER_SQRT_PI_LO;
  return (p + e) / scale;
}

/** erf(a) = a + a·P(a²)/Q(a²) for 2^-28 ≤ |a| < 0.84375, as a double-double. */
function erfSmallDD(a: number): DoubleDouble {
  // a² must be exact too: rounding it would shift the result by up to half an ulp near 0.84.
  const zHi = a * a;
  const zLo = productError(a, a, zHi);
  return rationalDD(PP, QQ, zHi, zLo).mulAdd(a, 0, a);
}

/** erf(1 + s) − erx = P(s)/Q(s) for 0.84375 ≤ a < 1.25, s = a − 1, as a double-double. */
function midOffsetDD(a: number): DoubleDouble {
  const s = a - 1; // exact for a in [0.5, 2]
  return rationalDD(PA, QA, s);
}

/** The rational correction R(t)/S(t) of the asymptotic regime, coefficients chosen by interval. */
function tailCoefficients(a: number): readonly [readonly number[], readonly number[]] {
  return a < ONE_OVER_035 ? [RA, SA] : [RB, SB];
}

/** erfc(a) for 1.25 ≤ a < 28: exp(−a² − 0.5625 + R/S)/a with a single final rounding. */
function erfcTail(a: number): number {
  const [rc, sc] = tailCoefficients(a);
  const a2Hi = a * a;
  const a2Lo = productError(a, a, a2Hi);
  const t = new DoubleDouble(1).div(a2Hi, a2Lo);
  const exponent = rationalDD(rc, sc, t.hi, t.lo).add(-a2Hi, -a2Lo).add(-0.5625);
  const { k, m } = expDD(exponent.hi, exponent.lo);
  return scaleByPow2(m.div(a).hi, k);
}

/**
 * From here on erf may use {@link erfcTailFast}: erfc(1.5) ≈ 0.034, so an error of 2.5 ulp in
 * erfc costs erf at most 0.16 ulp. Closer to 1.25 it would cost up to 0.3 ulp.
 */
const ERF_FAST_TAIL_FROM = 1.5;

/**
 * erfc(a) for 1.25 ≤ a < 6 in plain doubles, used where the result is subtracted from 1 or 2
 * and its own error of a couple of ulps vanishes. fdlibm's trick: with z = a truncated to 21
 * significant bits, z² is exact, so exp(−z² − 0.5625) is evaluated at an exact argument and the
 * small remainder (z − a)(z + a) goes into the second exp.
 */
function erfcTailFast(a: number): number {
  const [rc, sc] = tailCoefficients(a);
  const t = 1 / (a * a);
  const z = truncateTo21Bits(a);
  const correction = (z - a) * (z + a) + horner(rc, t) / horner(sc, t);
  return (Math.exp(-z * z - 0.5625) * Math.exp(correction)) / a;
}

const TRUNC_VIEW = new DataView(new ArrayBuffer(8));

/** Clears the low 32 bits of the significand (fdlibm's `SET_LOW_WORD(z, 0)`). */
function truncateTo21Bits(a: number): number {
  TRUNC_VIEW.setFloat64(0, a);
  TRUNC_VIEW.setUint32(4, 0);
  return TRUNC_VIEW.getFloat64(0);
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt for float64, within 1 ulp everywhere.
 *
 * Odd (erf(−0) is −0), ±1 at ±Infinity, NaN for NaN; tiny arguments give 2x/√π without
 * spurious underflow.
 *
 * @example
 * ```ts
 * import { erf } from './special.js';
 * erf(0.5); // 0.5204998778130465
 * erf(-Infinity); // -1
 * ```
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a < 2 ** -28) return erfTiny(x);
  if (a < 0.84375) return erfSmallDD(x).hi;
  const sign = x < 0 ? -1 : 1;
  if (a < 1.25) return sign * midOffsetDD(a).add(ERX).hi;
  if (a < ERF_FAST_TAIL_FROM) return sign * (1 - erfcTail(a));
  if (a < 6) return sign * (1 - erfcTailFast(a));
  return sign; // 1 − erfc(6) already rounds to 1; this also covers ±Infinity
}

/**
 * The complementary error function erfc(x) = 1 − erf(x) for float64, within 1 ulp everywhere,
 * without the cancellation of computing `1 - erf(x)`.
 *
 * erfc(x) underflows gradually through the subnormals for x between about 26.55 and 27.23 and
 * is 0 beyond; erfc(−x) = 2 − erfc(x); erfc(+Infinity) = 0, erfc(−Infinity) = 2, NaN for NaN.
 *
 * @example
 * ```ts
 * import { erfc } from './special.js';
 * erfc(0.5); // 0.4795001221869535
 * erfc(10); // 2.088487583762545e-45
 * ```
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a < 2 ** -56) return 1 - x; // the x·P/Q term is below half an ulp of 1
  if (x < 0) return erfcNegative(a);
  if (a < 0.84375) return erfSmallDD(a).mul(-1).add(1).hi;
  if (a < 1.25) return midOffsetDD(a).mul(-1).add(1 - ERX).hi; // 1 − erx is exact
  if (a < 28) return erfcTail(a);
  return 0; // erfc(28) ≈ 6.6e-343, far below the smallest subnormal
}

/** erfc(−a) = 1 + erf(a) = 2 − erfc(a) for a > 0, a result in (1, 2]. */
function erfcNegative(a: number): number {
  if (a < 0.84375) return erfSmallDD(a).add(1).hi;
  if (a < 1.25) return midOffsetDD(a).add(ERX).add(1).hi;
  if (a < 6) return 2 - erfcTailFast(a);
  return 2; // erfc(−6) = 2 − 2e-17 already rounds to 2
}
