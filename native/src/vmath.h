/*
 * vmath.h: the scalar math of paoding's native kernels, written so that GCC vectorises the loops
 * that call it (-O3 -fno-trapping-math -fno-math-errno, no -ffast-math): every function is
 * `static inline`, straight-line and branch-free (conditions are selections, which GCC turns
 * into blends), with bit manipulations through memcpy (vectorised as register moves) and no
 * libm calls. Every function takes and returns double: float32 kernels compute in double and
 * round once on store, as the JavaScript backend does (see native/README.md for why and for
 * the measured accuracy).
 *
 * The algorithms are the classical ones: Cody-Waite range reduction by ln 2 and a polynomial
 * for exp and expm1; fdlibm's log kernel (Sun Microsystems, 1993) for log and log1p; tanh from
 * expm1 and Cephes' rational approximation (S. L. Moshier); fdlibm's rational approximations of
 * erf/erfc (s_erf.c, K. C. Ng), with the two exponentials of erfc's tail folded into one exp of a
 * double-double argument; and for float32 grade, a refitted erfc of Numerical Recipes' form.
 *
 * Two grades: `pm_*` are float64 grade (within about 1-2.5 ulp of double, measured per function
 * in native/README.md); `pf_*` are float32 grade (relative error below 2^-31, so after the float32
 * rounding on store the result is within 0.504 float32 ulp of the exact value) and cheaper; the
 * float32 kernels use them.
 */
#ifndef PAODING_VMATH_H
#define PAODING_VMATH_H

#include <stdint.h>
#include <string.h>

#if defined(__FMA__) || defined(__AVX512F__)
#define PM_FMA(a, b, c) __builtin_fma((a), (b), (c))
#else
#define PM_FMA(a, b, c) ((a) * (b) + (c))
#endif

#define PM_INLINE static inline __attribute__((always_inline))

PM_INLINE uint64_t pm_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}
PM_INLINE double pm_double(uint64_t u) {
  double d;
  memcpy(&d, &u, 8);
  return d;
}
PM_INLINE double pm_abs(double x) { return pm_double(pm_bits(x) & 0x7fffffffffffffffULL); }
PM_INLINE double pm_copysign(double x, double s) {
  return pm_double((pm_bits(x) & 0x7fffffffffffffffULL) | (pm_bits(s) & 0x8000000000000000ULL));
}
PM_INLINE int pm_isnan(double x) { return x != x; }

#define PM_NAN __builtin_nan("")
#define PM_INF __builtin_inf()

/* NaN-propagating maximum and minimum; the first operand wins ties (so max(-0, 0) = -0). */
PM_INLINE double pm_max(double a, double b) {
  double r = a < b ? b : a;
  return b != b ? b : r;
}
PM_INLINE double pm_min(double a, double b) {
  double r = a > b ? b : a;
  return b != b ? b : r;
}
/* PyTorch's sign: (0 < x) - (x < 0); 0 for NaN and for -0. */
PM_INLINE double pm_sign(double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }

/* Round half to even (the default rounding mode), keeping the sign of zero: C's nearbyint. */
PM_INLINE double pm_rint(double x) {
  const double big = 4503599627370496.0; /* 2^52 */
  double a = pm_abs(x);
  double r = (a + big) - big;
  return a < big ? pm_copysign(r, x) : x;
}
PM_INLINE double pm_floor(double x) {
  double r = pm_rint(x);
  r = r > x ? r - 1.0 : r;
  return pm_abs(x) < 4503599627370496.0 ? pm_copysign(r, x) : x;
}
PM_INLINE double pm_ceil(double x) {
  double r = pm_rint(x);
  r = r < x ? r + 1.0 : r;
  return pm_abs(x) < 4503599627370496.0 ? pm_copysign(r, x) : x;
}
PM_INLINE double pm_trunc(double x) {
  double r = pm_rint(x);
  double a = pm_abs(x);
  r = pm_abs(r) > a ? r - pm_copysign(1.0, x) : r;
  return a < 4503599627370496.0 ? pm_copysign(r, x) : x;
}

/* ---- exp ---------------------------------------------------------------------------------- */

#define PM_INV_LN2 1.4426950408889634
/* ln 2 = LN2_HI + LN2_LO; LN2_HI has 32 significant bits, so k * LN2_HI is exact for |k| < 2^21. */
#define PM_LN2_HI 6.93147180369123816490e-01
#define PM_LN2_LO 1.90821492927058770002e-10
#define PM_SHIFT 6755399441055744.0 /* 1.5 * 2^52: adding it rounds to an integer in the low bits */

/*
 * 2^k as two factors whose product is 2^k, each a normal double, for -1100 <= k <= 1100, so that
 * m * f1 * f2 rounds once even when the result is subnormal or overflows.
 */
PM_INLINE void pm_pow2_split(uint64_t kb /* k + 2048 */, double *f1, double *f2) {
  uint64_t k1 = kb >> 1;
  uint64_t k2 = kb - k1;
  *f1 = pm_double((k1 - 1024 + 1023) << 52);
  *f2 = pm_double((k2 - 1024 + 1023) << 52);
}

/*
 * exp(hi + lo) for |lo| much smaller than |hi| (lo may be 0), hi already within [-746, 710].
 * Returns the value; `grade` selects the polynomial: Taylor to degree 13 (float64: truncation
 * below 2^-57 on |r| <= ln2/2) or to degree 8 (float32 grade: r^9/9! < 2.1e-10 there, below
 * 2^-31.5 relative).
 */
PM_INLINE double pm_exp_core(double hi, double lo, int degree13) {
  double kd = PM_FMA(hi + lo, PM_INV_LN2, PM_SHIFT);
  uint64_t kb = pm_bits(kd) - pm_bits(PM_SHIFT) + 2048; /* k + 2048, k = round((hi + lo) / ln2) */
  kd -= PM_SHIFT;
  double r = hi - kd * PM_LN2_HI; /* exact */
  r = r + (lo - kd * PM_LN2_LO);
  double p;
  if (degree13) {
    p = 1.0 / 6227020800.0;
    p = PM_FMA(p, r, 1.0 / 479001600.0);
    p = PM_FMA(p, r, 1.0 / 39916800.0);
    p = PM_FMA(p, r, 1.0 / 3628800.0);
    p = PM_FMA(p, r, 1.0 / 362880.0);
    p = PM_FMA(p, r, 1.0 / 40320.0);
    p = PM_FMA(p, r, 1.0 / 5040.0);
    p = PM_FMA(p, r, 1.0 / 720.0);
    p = PM_FMA(p, r, 1.0 / 120.0);
    p = PM_FMA(p, r, 1.0 / 24.0);
    p = PM_FMA(p, r, 1.0 / 6.0);
    p = PM_FMA(p, r, 0.5);
  } else {
    /* Estrin's scheme: three levels of multiply-adds instead of a chain of six (the same
       polynomial; its rounding differs from Horner's by about an ulp of double). */
    double r2 = r * r;
    double a = PM_FMA(1.0 / 6.0, r, 0.5);
    double b = PM_FMA(1.0 / 120.0, r, 1.0 / 24.0);
    double c = PM_FMA(1.0 / 5040.0, r, 1.0 / 720.0);
    double cd = PM_FMA(1.0 / 40320.0, r2, c);
    p = PM_FMA(PM_FMA(cd, r2, b), r2, a);
  }
  /* exp(r) = 1 + (r + r^2 (1/2 + ...)): the small part first, then one rounding against 1. */
  double m = 1.0 + PM_FMA(p, r * r, r);
  double f1, f2;
  pm_pow2_split(kb, &f1, &f2);
  return m * f1 * f2;
}

PM_INLINE double pm_exp_g(double x, int degree13) {
  /* Clamped as max(-746, min(x, 710)) in the operand order of the min/max instructions, which
     return their second operand when one is NaN: NaN passes, and propagates through the rest. */
  double xc = 710.0 < x ? 710.0 : x;
  xc = -746.0 > xc ? -746.0 : xc;
  return pm_exp_core(xc, 0.0, degree13);
}
PM_INLINE double pm_exp(double x) { return pm_exp_g(x, 1); }
PM_INLINE double pf_exp(double x) { return pm_exp_g(x, 0); }

/* ---- expm1 -------------------------------------------------------------------------------- */

PM_INLINE double pm_expm1_g(double x, int full) {
  double xc = x < -40.0 ? -40.0 : x; /* expm1(-40) rounds to -1 */
  xc = xc > 710.0 ? 710.0 : xc;
  double kd = PM_FMA(xc, PM_INV_LN2, PM_SHIFT);
  uint64_t kb = pm_bits(kd) - pm_bits(PM_SHIFT) + 2048;
  kd -= PM_SHIFT;
  /* r + rerr = x - k ln2 to about 2^-100 relative: rh exact, then Fast2Sum's error term. */
  double rh = xc - kd * PM_LN2_HI;
  double c = kd * PM_LN2_LO;
  double r = rh - c;
  double rerr = (rh - r) - c;
  /* expm1(r) = r + r^2 (1/2 + r/6 + ...), |r| <= ln2/2 */
  double p;
  if (full) {
    p = 1.0 / 1307674368000.0;
    p = PM_FMA(p, r, 1.0 / 87178291200.0);
    p = PM_FMA(p, r, 1.0 / 6227020800.0);
    p = PM_FMA(p, r, 1.0 / 479001600.0);
    p = PM_FMA(p, r, 1.0 / 39916800.0);
    p = PM_FMA(p, r, 1.0 / 3628800.0);
    p = PM_FMA(p, r, 1.0 / 362880.0);
  } else {
    p = 1.0 / 362880.0;
  }
  p = PM_FMA(p, r, 1.0 / 40320.0);
  p = PM_FMA(p, r, 1.0 / 5040.0);
  p = PM_FMA(p, r, 1.0 / 720.0);
  p = PM_FMA(p, r, 1.0 / 120.0);
  p = PM_FMA(p, r, 1.0 / 24.0);
  p = PM_FMA(p, r, 1.0 / 6.0);
  p = PM_FMA(p, r, 0.5);
  double t = r * r * p;
  /* em = r + t as a double-double (|t| < |r|/5), plus the reduction error times expm1'(r). */
  double em = r + t;
  double emlo = ((r - em) + t) + rerr * (1.0 + r);
  /* 2^k (em + 1) - 1 = 2^k em + (2^k - 1): exact 2^k - 1 for |k| <= 53, no cancellation. */
  uint64_t kk = kb - 2048; /* k as two's complement */
  double s = pm_double((kk + 1023) << 52);
  double small = PM_FMA(s, em, PM_FMA(s, emlo, s - 1.0));
  double f1, f2;
  pm_pow2_split(kb, &f1, &f2);
  double big = (em + 1.0) * f1 * f2;
  double y = kd > 53.0 ? big : small;
  y = x == 0 ? x : y; /* keeps -0 */
  return x != x ? x : y;
}
PM_INLINE double pm_expm1(double x) { return pm_expm1_g(x, 1); }
PM_INLINE double pf_expm1(double x) { return pm_expm1_g(x, 0); }

/* ---- log, log1p --------------------------------------------------------------------------- */

/* fdlibm e_log.c: log(1+f) = f - hfsq + s (hfsq + R(s^2)), s = f / (2 + f), |s| <= 0.1716. */
#define PM_LG1 6.666666666666735130e-01
#define PM_LG2 3.999999999940941908e-01
#define PM_LG3 2.857142874366239149e-01
#define PM_LG4 2.222219843214978396e-01
#define PM_LG5 1.818357216161805012e-01
#define PM_LG6 1.531383769920937332e-01
#define PM_LG7 1.479819860511658591e-01

/*
 * log(x) + corr for positive finite x (normal or subnormal), |corr| much smaller than an ulp of
 * the result's leading terms: x = 2^k z, z in [sqrt(2)/2, sqrt(2)), log x = k ln2 + log1p(z - 1).
 * Other inputs give garbage (never a trap), which the callers replace.
 */
PM_INLINE double pm_log_core(double x, double corr) {
  int tiny = x < 2.2250738585072014e-308;
  double xs = tiny ? x * 18014398509481984.0 /* 2^54 */ : x;
  uint64_t ix = pm_bits(xs);
  /* Split x = 2^k z with z in [sqrt(2)/2, sqrt(2)). */
  uint64_t t = ix - 0x3fe6a09e00000000ULL + 0x4000000000000000ULL; /* + 2^62 keeps it positive */
  uint64_t kf = t >> 52;                                           /* k + 1024 */
  uint64_t iz = ix - ((kf - 1024) << 52);
  double z = pm_double(iz);
  /* kf < 4096 as a double without an int64 conversion (AVX2 has none): 2^52 + kf - 2^52. */
  double kd = (pm_double(0x4330000000000000ULL | kf) - 4503599627370496.0) - 1024.0 - (tiny ? 54.0 : 0.0);
  double f = z - 1.0;
  double s = f / (2.0 + f);
  double zz = s * s;
  double w = zz * zz;
  double t1 = w * PM_FMA(w, PM_FMA(w, PM_LG6, PM_LG4), PM_LG2);
  double t2 = zz * PM_FMA(w, PM_FMA(w, PM_FMA(w, PM_LG7, PM_LG5), PM_LG3), PM_LG1);
  double R = t2 + t1;
  double hfsq = 0.5 * f * f;
  return kd * PM_LN2_HI - ((hfsq - (s * (hfsq + R) + (kd * PM_LN2_LO + corr))) - f);
}

PM_INLINE double pm_log(double x) {
  double y = pm_log_core(x, 0.0);
  y = x == PM_INF ? x : y;
  y = x == 0 ? -PM_INF : y;
  y = x < 0 ? PM_NAN : y;
  return x != x ? x : y;
}

PM_INLINE double pm_log1p(double x) {
  double u = 1.0 + x;
  /* 1 + x = u + c exactly (TwoSum); log(1 + x) = log(u) + c / u to first order. */
  double bb = u - 1.0;
  double c = (1.0 - (u - bb)) + (x - bb);
  double uc = u > 0 ? u : 1.0; /* u >= 2^-53 whenever x > -1 */
  double y = pm_log_core(uc, c / uc);
  y = x == PM_INF ? x : y;
  y = x == -1.0 ? -PM_INF : y;
  y = x < -1.0 ? PM_NAN : y;
  y = x == 0 ? x : y;
  return x != x ? x : y;
}
#define pf_log pm_log
#define pf_log1p pm_log1p

/* ---- tanh, sigmoid ------------------------------------------------------------------------ */

/*
 * tanh. For |x| < 0.625, Cephes' rational approximation x + x z P(z)/Q(z), z = x^2 (S. L. Moshier);
 * above, 1 - 2/(t + 2) with t = expm1(2|x|), whose rounding errors are small against the result's
 * ulp, so results near 1 (whose distance to 1 is what tanh's derivative 1 - tanh^2 reads) are
 * correctly rounded in practice.
 */
PM_INLINE double pm_tanh_g(double x, int full) {
  double a = pm_abs(x);
  double z = a * a;
  double num = PM_FMA(PM_FMA(-9.64399179425052238628e-1, z, -9.92877231001918586564e1), z, -1.61468768441708447952e3);
  double den = PM_FMA(PM_FMA(z + 1.12811678491632931402e2, z, 2.23548839060100448583e3), z, 4.84406305325125486048e3);
  double small = PM_FMA(a * z, num / den, a);
  double t = pm_expm1_g(2.0 * a, full);
  double large = 1.0 - 2.0 / (t + 2.0);
  double y = a < 0.625 ? small : large;
  return pm_copysign(y, x);
}
PM_INLINE double pm_tanh(double x) { return pm_tanh_g(x, 1); }
PM_INLINE double pf_tanh(double x) { return pm_tanh_g(x, 0); }

/*
 * The softplus identities (sp(u) = log(1 + e^u), rendered for the stable form
 * max(u, 0) + log1p(exp(-|u|)) by the kernel generator): with n = e^u (e^u + 2) = (1 + e^u)^2 - 1,
 *   tanh(sp(u)) = n / (n + 2),  sigmoid(2 sp(u)) = (n + 1) / (n + 2),  sigmoid(-2 sp(u)) = 1 / (n + 2),
 * one exponential and a division instead of exp, log1p and tanh (Mish and its derivative). No
 * cancellation anywhere: for u -> -inf, n ~ 2 e^u and the ratios keep their relative accuracy.
 * Above u = 20 the first two round to 1 in double (and n may overflow): selected as 1 there.
 */
PM_INLINE double pm_softplus_n(double u, int full) {
  double e = full ? pm_exp(u) : pf_exp(u);
  return e * (e + 2.0);
}
PM_INLINE double pm_tanh_softplus_g(double u, int full) {
  double n = pm_softplus_n(u, full);
  return u > 20.0 ? 1.0 : n / (n + 2.0);
}
PM_INLINE double pm_sigmoid_2softplus_g(double u, int full) {
  double n = pm_softplus_n(u, full);
  return u > 20.0 ? 1.0 : (n + 1.0) / (n + 2.0);
}
PM_INLINE double pm_sigmoid_m2softplus_g(double u, int full) { return 1.0 / (pm_softplus_n(u, full) + 2.0); }
PM_INLINE double pm_tanh_softplus(double u) { return pm_tanh_softplus_g(u, 1); }
PM_INLINE double pf_tanh_softplus(double u) { return pm_tanh_softplus_g(u, 0); }
PM_INLINE double pm_sigmoid_2softplus(double u) { return pm_sigmoid_2softplus_g(u, 1); }
PM_INLINE double pf_sigmoid_2softplus(double u) { return pm_sigmoid_2softplus_g(u, 0); }
PM_INLINE double pm_sigmoid_m2softplus(double u) { return pm_sigmoid_m2softplus_g(u, 1); }
PM_INLINE double pf_sigmoid_m2softplus(double u) { return pm_sigmoid_m2softplus_g(u, 0); }

/* The JavaScript backend's formula exactly: 1 / (1 + exp(-x)). */
PM_INLINE double pm_sigmoid(double x) { return 1.0 / (1.0 + pm_exp(-x)); }
PM_INLINE double pf_sigmoid(double x) { return 1.0 / (1.0 + pf_exp(-x)); }

/* ---- erf, erfc ---------------------------------------------------------------------------- */

/*
 * fdlibm s_erf.c, evaluated branch-free: the interval of |x| selects the coefficients of one
 * rational function P(t)/Q(t) (padded to a common degree), then the result formula.
 *   A: |x| < 0.84375          t = x^2          erf = x + x P/Q
 *   B: 0.84375 <= |x| < 1.25  t = |x| - 1      erf = erx + P/Q
 *   C: 1.25 <= |x| < 1/0.35   t = 1/x^2        erfc = exp(-z^2 - 0.5625 + (z-|x|)(z+|x|) + P/Q) / |x|
 *   D: 1/0.35 <= |x| < 28     same with the other coefficients
 */
#define PM_ERX 8.45062911510467529297e-01

/* Numerators (8 coefficients, constant term first) and denominators (9) per interval. */
/* A four-way selection as a chain of two-way ones: GCC if-converts (and vectorises) these, but not
   one nested conditional expression with four arms. */
PM_INLINE double pm_sel4(int inA, int inB, int inC, double a, double b, double c, double d) {
  double r = inC ? c : d;
  r = inB ? b : r;
  return inA ? a : r;
}
#define PM_ERF_SEL(i, a, b, c, d) pm_sel4(inA, inB, inC, a, b, c, d)

PM_INLINE void pm_erf_parts(double x, double *erf_out, double *erfc_out) {
  double ax = pm_abs(x);
  int inA = ax < 0.84375;
  int inB = ax < 1.25;
  int inC = ax < 2.857142857142857; /* 1/0.35 as fdlibm's high-word test places it */
  double t = pm_sel4(inA, inB, 0, x * x, ax - 1.0, 0.0, 1.0 / (ax * ax));
  /* P: PP (5), PA (7), RA (8), RB (7) */
  double n7 = PM_ERF_SEL(7, 0.0, 0.0, -9.81432934416914548592e+00, 0.0);
  double n6 = PM_ERF_SEL(6, 0.0, -2.16637559486879084300e-03, -8.12874355063065934246e+01, -4.83519191608651397019e+02);
  double n5 = PM_ERF_SEL(5, 0.0, 3.54783043256182359371e-02, -1.84605092906711035994e+02, -1.02509513161107724954e+03);
  double n4 = PM_ERF_SEL(4, -2.37630166566501626084e-05, -1.10894694282396677476e-01, -1.62396669462573470355e+02, -6.37566443368389627722e+02);
  double n3 = PM_ERF_SEL(3, -5.77027029648944159157e-03, 3.18346619901161753674e-01, -6.23753324503260060396e+01, -1.60636384855821916062e+02);
  double n2 = PM_ERF_SEL(2, -2.84817495755985104766e-02, -3.72207876035701323847e-01, -1.05586262253232909814e+01, -1.77579549177547519889e+01);
  double n1 = PM_ERF_SEL(1, -3.25042107247001499370e-01, 4.14856118683748331666e-01, -6.93858572707181764372e-01, -7.99283237680523006574e-01);
  double n0 = PM_ERF_SEL(0, 1.28379167095512558561e-01, -2.36211856075265944077e-03, -9.86494403484714822705e-03, -9.86494292470009928597e-03);
  /* Q: QQ (6), QA (7), SA (9), SB (8) */
  double d8 = PM_ERF_SEL(8, 0.0, 0.0, -6.04244152148580987438e-02, 0.0);
  double d7 = PM_ERF_SEL(7, 0.0, 0.0, 6.57024977031928170135e+00, -2.24409524465858183362e+01);
  double d6 = PM_ERF_SEL(6, 0.0, 1.19844998467991074170e-02, 1.08635005541779435134e+02, 4.74528541206955367215e+02);
  double d5 = PM_ERF_SEL(5, -3.96022827877536812320e-06, 1.36370839120290507362e-02, 4.29008140027567833386e+02, 2.55305040643316442583e+03);
  double d4 = PM_ERF_SEL(4, 1.32494738004321644526e-04, 1.26171219808761642112e-01, 6.45387271733267880336e+02, 3.19985821950859553908e+03);
  double d3 = PM_ERF_SEL(3, 5.08130628187576562776e-03, 7.18286544141962662868e-02, 4.34565877475229228821e+02, 1.53672958608443695994e+03);
  double d2 = PM_ERF_SEL(2, 6.50222499887672944485e-02, 5.40397917702171048937e-01, 1.37657754143519042600e+02, 3.25792512996573918826e+02);
  double d1 = PM_ERF_SEL(1, 3.97917223959155352819e-01, 1.06420880400844228286e-01, 1.96512716674392571292e+01, 3.03380607434824582924e+01);
  double num = PM_FMA(PM_FMA(PM_FMA(PM_FMA(PM_FMA(PM_FMA(PM_FMA(n7, t, n6), t, n5), t, n4), t, n3), t, n2), t, n1), t, n0);
  double den = PM_FMA(PM_FMA(PM_FMA(PM_FMA(PM_FMA(PM_FMA(PM_FMA(PM_FMA(d8, t, d7), t, d6), t, d5), t, d4), t, d3), t, d2), t, d1), t, 1.0);
  double q = num / den;
  /* A */
  double ea = PM_FMA(x, q, x);
  double fa_small = 1.0 - ea;                      /* x < 1/4 */
  double fa_large = 0.5 - ((x - 0.5) + x * q);     /* 1/4 <= x < 0.84375 */
  double fa = x < 0.25 ? fa_small : fa_large;
  /* B */
  double eb = pm_copysign(PM_ERX + q, x);
  double fb = x >= 0 ? (1.0 - PM_ERX) - q : 1.0 + (PM_ERX + q);
  /* C, D: z = |x| with the low 32 bits cleared, so z*z and -z*z - 0.5625 are exact. */
  double axc = ax < 28.0 ? ax : 28.0;
  double z = pm_double(pm_bits(axc) & 0xffffffff00000000ULL);
  double hi = -z * z - 0.5625;
  double lo = (z - axc) * (z + axc) + q;
  double e = pm_exp_core(hi, lo, 1) / axc; /* erfc(|x|) */
  e = ax < 28.0 ? e : 0.0;
  double ec = pm_copysign(1.0 - e, x);
  double fc = x > 0 ? e : 2.0 - e;
  double er = pm_sel4(inA, inB, 0, ea, eb, 0.0, ec);
  double fc_ = pm_sel4(inA, inB, 0, fa, fb, 0.0, fc);
  /* NaN propagates through every formula above; infinities land in C/D with e = 0. */
  *erf_out = x != x ? x : er;
  *erfc_out = x != x ? x : fc_;
}
#undef PM_ERF_SEL

PM_INLINE double pm_erf(double x) {
  double e, f;
  pm_erf_parts(x, &e, &f);
  return e;
}
PM_INLINE double pm_erfc(double x) {
  double e, f;
  pm_erf_parts(x, &e, &f);
  return f;
}
#define pf_erf pm_erf

/*
 * erfc, float32 grade: for x >= 0, erfc(x) = t exp(-x^2 + P(u)) with t = 1/(1 + x/2) and u
 * mapping t's range [0.069, 1] (x <= 27, beyond which erfc underflows) onto [-1, 1]; P is a
 * degree-17 least-squares Chebyshev fit of log(erfc(x) e^(x^2) / t) (the form of Numerical
 * Recipes' erfcc, refitted with mpmath to 1.5e-12 absolute, i.e. that relative error in erfc);
 * erfc(-x) = 2 - erfc(x). One division, 18 multiply-adds and one exp: about three times cheaper
 * than the fdlibm evaluation above, and within 0.5 + 1e-4 float32 ulp after rounding.
 */
PM_INLINE double pf_erfc(double x) {
  double ax = pm_abs(x);
  double axc = 27.5 < ax ? 27.5 : ax; /* NaN passes */
  double t = 1.0 / PM_FMA(0.5, axc, 1.0);
  double u = PM_FMA(t, 2.1481481481481484, -1.1481481481481481);
  /* Estrin's scheme over the 18 coefficients (lowest first in c): pairs, then pairs of pairs. */
  static const double c[18] = {-0.6251953118892332,    0.6316996845981374,     0.032409287861992576,   -0.03969826074080591,
                               -0.005057697309050857,  0.00651832900206731,    0.00040712062028437943, -0.0014045292718468097,
                               0.0001370888172700806,  0.0002994269843358582,  -9.778400128708852e-05, -4.9614649576369076e-05,
                               3.5810316945652934e-05, 3.0107992821100365e-06, -8.464553978205032e-06, 1.164752253192426e-06,
                               1.0209027474421459e-06, -2.822388032009195e-07};
  double u2 = u * u, u4 = u2 * u2, u8 = u4 * u4, u16 = u8 * u8;
  double q0 = PM_FMA(c[1], u, c[0]), q1 = PM_FMA(c[3], u, c[2]), q2 = PM_FMA(c[5], u, c[4]);
  double q3 = PM_FMA(c[7], u, c[6]), q4 = PM_FMA(c[9], u, c[8]), q5 = PM_FMA(c[11], u, c[10]);
  double q6 = PM_FMA(c[13], u, c[12]), q7 = PM_FMA(c[15], u, c[14]), q8 = PM_FMA(c[17], u, c[16]);
  double s0 = PM_FMA(q1, u2, q0), s1 = PM_FMA(q3, u2, q2), s2 = PM_FMA(q5, u2, q4), s3 = PM_FMA(q7, u2, q6);
  double p = PM_FMA(q8, u16, PM_FMA(PM_FMA(s3, u4, s2), u8, PM_FMA(s1, u4, s0)));
  double y = t * pm_exp_core(-axc * axc, p, 0);
  return x < 0 ? 2.0 - y : y;
}

/* ---- float32 arithmetic ------------------------------------------------------------------- */

/*
 * `pf32_*`: float32 kernels whose transcendental primitives are exp, expm1, sigmoid and log1p
 * compute in float32 lanes, eight per AVX2 vector instead of four doubles (about 2.5x faster),
 * with the WebAssembly backend's float32 routines operation for operation
 * (src/backends/wasm/math.ts: Cody-Waite reduction by ln 2 hi/lo, Cephes' degree-7 polynomial,
 * 2^n in two factors; musl's logf kernel; no fused multiply-adds, as WebAssembly has none, so the
 * bits are the same): exp and expm1 within 0.95 ulp, sigmoid within 2.4 ulp, log1p within 0.78,
 * PyTorch's float32 kernels measured 0.97, 1.00, 2.48 and 1.00 (src/backends/wasm/README.md).
 */
PM_INLINE uint32_t pf32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}
PM_INLINE float pf32_float(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}
PM_INLINE float pf32_abs(float x) { return pf32_float(pf32_bits(x) & 0x7fffffffu); }
PM_INLINE float pf32_max(float a, float b) {
  float r = a < b ? b : a;
  return b != b ? b : r;
}
PM_INLINE float pf32_min(float a, float b) {
  float r = a > b ? b : a;
  return b != b ? b : r;
}
PM_INLINE float pf32_sign(float x) { return x > 0 ? 1.0f : (x < 0 ? -1.0f : 0.0f); }

/*
 * e^r - 1 for the reduced argument, and 2^n as two normal factors. With `has_lo`, x + lo is the
 * exact argument (a rounded argument computed in double and split, see `pf32_split_lo`): lo is
 * added to the reduced argument, so the argument's rounding is not amplified by |x|. A genuine
 * correction is below half an ulp of |x| <= 104 (2^-18); a larger one belongs to an argument
 * beyond the clamps and is clamped so as not to disturb the reduction.
 */
PM_INLINE float pf32_exp_parts_g(float x, float lo, int has_lo, float *s1, float *s2) {
  float xc = 88.8f < x ? 88.8f : x; /* NaN passes: the comparisons are false */
  xc = xc < -104.0f ? -104.0f : xc;
  const float magic = 12582912.0f; /* 1.5 * 2^23 */
  float t = xc * 1.4426950408889634f + magic;
  float nf = t - magic;
  int32_t ni = (int32_t)(pf32_bits(t) - 0x4b400000u);
  float r = (xc - nf * 0.693359375f) - nf * -2.12194440e-4f;
  if (has_lo) r = r + pf32_max(pf32_min(lo, 0x1p-17f), -0x1p-17f);
  float p = 1.98756915e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float q = (r * r) * p + r;
  int32_t n1 = ni >> 1;
  int32_t n2 = ni - n1;
  *s1 = pf32_float((uint32_t)(n1 + 127) << 23);
  *s2 = pf32_float((uint32_t)(n2 + 127) << 23);
  return q;
}

PM_INLINE float pf32_exp_parts(float x, float *s1, float *s2) { return pf32_exp_parts_g(x, 0.0f, 0, s1, s2); }

PM_INLINE float pf32_exp_g(float x, float lo, int has_lo) {
  float s1, s2;
  float q = pf32_exp_parts_g(x, lo, has_lo, &s1, &s2);
  return ((q + 1.0f) * s1) * s2;
}
PM_INLINE float pf32_exp(float x) { return pf32_exp_g(x, 0.0f, 0); }
PM_INLINE float pf32_exp_lo(float x, float lo) { return pf32_exp_g(x, lo, 1); }

PM_INLINE float pf32_expm1_g(float x, float lo, int has_lo) {
  float s1, s2;
  float q = pf32_exp_parts_g(x, lo, has_lo, &s1, &s2);
  float u = s1 * s2;
  float mid = u * q + (u - 1.0f);
  float p = 0.0000250343447019f;
  p = p * x + 0.000200742390927f;
  p = p * x + 0.00138883289801f;
  p = p * x + 0.00833277276333f;
  p = p * x + 0.0416666700308f;
  p = p * x + 0.166666700351f;
  p = p * x + 0.5f;
  float small = (has_lo ? x + lo : x) + (x * x) * p;
  float h = q + 1.0f;
  float l = q - (h - 1.0f);
  float big = (h * s1) * s2 + ((l * s1) * s2 - 1.0f);
  float r = x > 16.0f ? big : mid;
  r = (x > 0.25f && x < 0.5f) ? small : r;
  return x == 0.0f ? x : r;
}
PM_INLINE float pf32_expm1(float x) { return pf32_expm1_g(x, 0.0f, 0); }
PM_INLINE float pf32_expm1_lo(float x, float lo) { return pf32_expm1_g(x, lo, 1); }

PM_INLINE float pf32_sigmoid_g(float x, float lo, int has_lo) {
  int neg = x < 0.0f;
  float s1, s2;
  /* -|x + lo| = -|x| - sign(x) lo */
  float q = pf32_exp_parts_g(-pf32_abs(x), neg ? lo : -lo, has_lo, &s1, &s2);
  float h = q + 1.0f;
  float l = q - (h - 1.0f);
  float eh = (h * s1) * s2;
  float el = (l * s1) * s2;
  float d = (1.0f + eh) + el;
  float num = neg ? eh + el : 1.0f;
  return num / d;
}
PM_INLINE float pf32_sigmoid(float x) { return pf32_sigmoid_g(x, 0.0f, 0); }
PM_INLINE float pf32_sigmoid_lo(float x, float lo) { return pf32_sigmoid_g(x, lo, 1); }

/*
 * The float32 correction of an argument computed in double, d = hi + lo with hi = (float)d:
 * lo = (float)(d - hi). Where hi is infinite (overflow, or an infinite operand) the correction
 * would be infinite or NaN and is dropped.
 */
PM_INLINE float pf32_split_lo(double d, float hi) {
  float c = (float)(d - (double)hi);
  return pf32_abs(c) < __builtin_inff() ? c : 0.0f;
}

/*
 * log1p in float32 lanes (the WebAssembly backend's log1pF32, operation for operation): musl's
 * and FreeBSD's logf kernel log(1+f) = f - f^2/2 + s (f^2/2 + R(s^2)), s = f/(2+f), on
 * 1 + x = 2^k (1 + f) with 1 + f in [sqrt(1/2), sqrt(2)), carrying the rounding error of 1 + x
 * scaled by 2^-k; for k = +-1, k ln2_hi + f is exact, so the large terms are added last. Within
 * 0.78 ulp (PyTorch's float32 log1p: 1.00).
 */
PM_INLINE float pf32_log1p(float x) {
  float u = x + 1.0f;
  float c = x - (u - 1.0f); /* the rounding error of 1 + x */
  uint32_t ix = pf32_bits(u) + (0x3f800000u - 0x3f3504f3u);
  int32_t k = ((int32_t)ix >> 23) - 127;
  float f = pf32_float((ix & 0x007fffffu) + 0x3f3504f3u) - 1.0f;
  float scale = pf32_float((uint32_t)(127 - k) << 23); /* 2^-k */
  float delta = c * scale;
  float kf = (float)k;
  float f2 = f + delta;
  float s = f2 / (f2 + 2.0f);
  float z = s * s;
  float w = z * z;
  float t1 = w * (0.40000972152f + w * 0.24279078841f);
  float t2 = z * (0.66666662693f + w * 0.28498786688f);
  float hfsq = (f2 * f2) * 0.5f;
  float lo = s * (hfsq + (t2 + t1)) - hfsq;
  lo = lo + delta;
  lo = lo + kf * 9.0580006145e-6f;
  float khi = kf * 6.9313812256e-1f;
  float near = (khi + f) + lo;
  float far = khi + (f + lo);
  float r = pf32_abs(kf) == 1.0f ? near : far;
  r = u == __builtin_inff() ? u : r;
  r = u == 0.0f ? -__builtin_inff() : r;
  r = u >= 0.0f ? r : __builtin_nanf("");
  return x == 0.0f ? x : r;
}

#endif
