/**
 * Fused multiply-add, emulated exactly. JavaScript has no FMA, but PyTorch's CPU kernels are
 * compiled with `-mfma` on x86-64 and GCC contracts `a * b + c` into one rounding, so wherever
 * paoding reproduces PyTorch's bits (the random samplers, the optimizers' updates) it needs the
 * once-rounded result.
 */

const scratch = new DataView(new ArrayBuffer(8));

/**
 * Rounds the exact value `v + e` to odd, where v is a sum rounded to nearest
 * and e its nonzero rounding error: of the two doubles around the exact value,
 * returns the one whose last bit is 1. A value rounded to odd can be rounded
 * once more (to nearest, at a precision at least two bits narrower, or in the
 * last step of an FMA emulation) without the double-rounding error a second
 * round-to-nearest would introduce.
 */
function roundToOdd(v: number, e: number): number {
  scratch.setFloat64(0, v);
  const lo = scratch.getUint32(4);
  if ((lo & 1) === 1) return v;
  if ((v > 0) === (e > 0)) {
    // The exact sum lies further from zero: step the magnitude up. `lo` is
    // even, so setting its last bit is the +1 step and never carries.
    scratch.setUint32(4, lo | 1);
  } else if (lo !== 0) {
    scratch.setUint32(4, lo - 1);
  } else {
    scratch.setUint32(4, 0xffffffff);
    scratch.setUint32(0, scratch.getUint32(0) - 1);
  }
  return scratch.getFloat64(0);
}

/**
 * Fused multiply-add rounded once to float32, `a * b + c`, for float32 operands: what
 * `vfmadd*ps` computes.
 *
 * The product of two float32 values is exact in float64, so only the sum rounds in float64, and
 * rounding that sum to float32 gives the correctly rounded result unless it landed exactly
 * halfway between two float32 values (a double rounding). That case is detected and decided by
 * the sign of the sum's rounding error, so the result is always the correctly rounded one, at the
 * cost of two `Math.fround`s in the common case.
 *
 * @example
 * ```ts
 * const u = Math.fround(0.3);
 * console.log(fmaf(u, 5, -2)); // -0.4999999403953552
 * ```
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const f = Math.fround(s);
  // s itself a float32: the exact sum is within half a float64 ulp of it, so it rounds to s.
  if (f === s) return f;
  // s is a tie between f and g exactly when g = f + 2(s - f) is the float32 on s's other side;
  // otherwise the exact sum cannot cross the midpoint s did not reach, and f is right.
  const d = s - f;
  const g = f + 2 * d;
  if (Math.fround(g) !== g) return f;
  // A tie in float64: the exact sum is s plus the error of the addition (Knuth's TwoSum).
  const sb = s - p;
  const e = p - (s - sb) + (c - sb);
  if (e === 0) return f;
  return e > 0 === g > f ? g : f;
}

/** 2^-900: below this, Dekker's product loses bits to underflow (far outside training ranges). */
const TINY = 2 ** -900;
/** 2^990: above this, Veltkamp's split overflows. */
const HUGE = 2 ** 990;
/** Veltkamp's splitter 2^27 + 1: splits a double into two 26-bit halves. */
export const SPLITTER = 134217729;

/**
 * Fused multiply-add rounded once in float64, `a * b + c`: what `vfmadd*pd` computes.
 *
 * Dekker's product gives `a * b = p + pl` exactly, Knuth's TwoSum gives `p + c = s + sl`, so the
 * exact result is `s + (sl + pl)`; adding the small part `v = fl(sl + pl)` to `s` rounds
 * correctly unless `s + v` falls exactly halfway between two doubles while `v` itself was
 * rounded, in which case the sign of `v`'s rounding error decides. Exact (the same results as
 * `fmaRoundToOdd`, which rounds to odd through the bits instead, at several times the cost)
 * while nothing underflows or overflows: products below 2^-900 or operands above 2^990 fall back
 * to `a * b + c` with two roundings.
 *
 * @example
 * ```ts
 * console.log(fma(0.1, 10, -1)); // 5.551115123125783e-17
 * ```
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  if (!(Math.abs(p) >= TINY && Math.abs(a) <= HUGE && Math.abs(b) <= HUGE && Math.abs(c) <= HUGE)) return p + c;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const pl = ah * bh - p + ah * bl + al * bh + al * bl;
  const s = p + c;
  const sb = s - p;
  const sl = p - (s - sb) + (c - sb);
  const v = sl + pl;
  const vb = v - sl;
  const ve = sl - (v - vb) + (pl - vb);
  const r = s + v;
  if (ve === 0) return r;
  // The rounding error of s + v (exact: |v| is far below |s| unless s is 0, when it is 0).
  const e2 = v - (r - s);
  if (e2 === 0) return r;
  // A tie exactly when r + 2 e2, the double on the other side of s + v, is representable.
  const w = r + 2 * e2;
  if (w - r !== 2 * e2) return r;
  return ve > 0 === e2 > 0 ? w : r;
}

/**
 * Fused multiply-add in float64: `a * b + c` rounded once, as the x86
 * `vfmadd` instructions (and C's `fma`) compute it.
 *
 * PyTorch's CPU kernels are compiled with `-mfma` for the AVX2 capability and
 * GCC contracts `a * b + c` into one FMA, so e.g. `tensor.uniform_(a, b)` on a
 * float64 tensor computes `fma(u, b - a, a)`; glibc's `log`/`sin`/`cos` FMA
 * variants are full of them too. The emulation is exact: Dekker's product
 * gives `a * b` as `p + pl` exactly, Knuth's TwoSum adds `c`, and the low part
 * is rounded to odd before the final round to nearest (Boldo and Melquiond,
 * "Emulation of FMA and correctly rounded sums: proved algorithms using
 * rounding to odd", IEEE TC 2008). Valid while no intermediate overflows or
 * underflows (|a|, |b| < 2^995 and products above 2^-968 or exactly zero),
 * which holds for every use in this module.
 *
 * @example
 * ```ts
 * fma(0.1, 10, -1);  // 5.551115123125783e-17, where 0.1 * 10 - 1 === 0
 * ```
 */
export function fmaRoundToOdd(a: number, b: number, c: number): number {
  const p = a * b;
  if (p === 0 || c === 0 || !Number.isFinite(p) || !Number.isFinite(c)) return p + c;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const pl = ah * bh - p + ah * bl + al * bh + al * bl;
  const s = c + p;
  const sb = s - c;
  const sl = c - (s - sb) + (p - sb);
  const v = sl + pl;
  const vb = v - sl;
  const ve = sl - (v - vb) + (pl - vb);
  return s + (ve !== 0 ? roundToOdd(v, ve) : v);
}


/**
 * `fmaf` by rounding to odd (TwoSum, round to odd in float64, then to float32: correct since
 * 53 >= 24 + 2 bits). Slower than {@link fmaf}; kept as its independent cross-check.
 *
 * @example
 * ```ts
 * console.log(fmafRoundToOdd(Math.fround(0.3), 5, -2) === fmaf(Math.fround(0.3), 5, -2)); // true
 * ```
 */
export function fmafRoundToOdd(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  if (!Number.isFinite(s)) return Math.fround(s);
  const sb = s - p;
  const e = p - (s - sb) + (c - sb);
  return Math.fround(e !== 0 ? roundToOdd(s, e) : s);
}
