/*
 * isa.c: everything that is compiled once per instruction set (binding.gyp builds it three times
 * on x86-64: SSE2, AVX2+FMA, AVX-512), from the same source: the generated elementwise kernels,
 * the matrix product, reductions and softmax. The glue (addon.c) picks one variant at load.
 *
 * Compiled with -O3 -fno-trapping-math -fno-math-errno -ffp-contract=off: GCC vectorises the
 * kernels' loops (-fno-trapping-math lets it if-convert selections, see native/README.md), and
 * no multiply-add is contracted behind the expression's back, so float64 kernels compute exactly
 * the JavaScript backend's arithmetic; the math routines and the matrix product use fused
 * multiply-adds explicitly where the instruction set has them.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "paoding.h"
#include "vmath.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#define ISA_NAME "avx512"
#define ISA_SYMBOL paoding_isa_avx512
#define VB 64
#define VFMA_F(a, b, c) ((vf)_mm512_fmadd_ps((__m512)(a), (__m512)(b), (__m512)(c)))
#define VFMA_D(a, b, c) ((vd)_mm512_fmadd_pd((__m512d)(a), (__m512d)(b), (__m512d)(c)))
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define ISA_NAME "avx2"
#define ISA_SYMBOL paoding_isa_avx2
#define VB 32
#define VFMA_F(a, b, c) ((vf)_mm256_fmadd_ps((__m256)(a), (__m256)(b), (__m256)(c)))
#define VFMA_D(a, b, c) ((vd)_mm256_fmadd_pd((__m256d)(a), (__m256d)(b), (__m256d)(c)))
#else
#if defined(__x86_64__) || defined(_M_X64)
#define ISA_NAME "sse2"
#else
#define ISA_NAME "generic"
#endif
#define ISA_SYMBOL paoding_isa_sse2
#define VB 16
#define VFMA_F(a, b, c) ((a) * (b) + (c))
#define VFMA_D(a, b, c) ((a) * (b) + (c))
#endif

/* C pow, for the rare kernels with a non-constant exponent (not vectorised). */
static inline double pm_pow(double a, double b) { return pow(a, b); }

/* ---- elementwise kernels ------------------------------------------------------------------ */

#define PAODING_KERNEL_TABLE kernel_table
#include "../generated/kernels.c"

/* ---- matrix product ----------------------------------------------------------------------- */

typedef float vf __attribute__((vector_size(VB)));
typedef double vd __attribute__((vector_size(VB)));

#if defined(__AVX2__)
/* 8 x 8 transpose of r[0..7] in registers (the usual unpack / shuffle / lane-permute network). */
static inline void transpose8_f32(__m256 r[8]) {
  __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xee);
  __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xee);
  __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xee);
  __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xee);
  r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

/*
 * Packing by 8 x 8 transposes (float32). Scalar packing of a transposed operand costs 1-2 cycles
 * per element, as much as a tenth of the product's multiply-adds at the shapes of a small MLP
 * (x @ W^T packs W^T, each element used only m times); these move 8 elements per 3 instructions.
 * Both return how many steps of k they packed (multiples of 8); the caller packs the rest.
 */
/* A strip of 6 row-major rows (row stride rs): out[p*6 + i] = src[i*rs + p]. Stores whole
   vectors, so it writes 2 elements past out[kc*6 - 1] when kc is a multiple of 8. */
static long pack_a_rows_f32(long kc, const float *src, long rs, float *out) {
  long p = 0;
  for (; p + 8 <= kc; p += 8) {
    __m256 r[8];
    for (int i = 0; i < 6; i++) r[i] = _mm256_loadu_ps(src + i * rs + p);
    r[6] = r[7] = _mm256_setzero_ps();
    transpose8_f32(r);
    for (int q = 0; q < 8; q++) _mm256_storeu_ps(out + (p + q) * 6, r[q]);
  }
  return p;
}

/* A strip of NR columns, each contiguous (column stride cs): out[p*NR + j] = src[j*cs + p]. */
static long pack_b_cols_f32(long kc, const float *src, long cs, float *out) {
  enum { NRF = 2 * (VB / 4) };
  long p = 0;
  for (; p + 8 <= kc; p += 8) {
    for (int g = 0; g < NRF; g += 8) {
      __m256 r[8];
      for (int q = 0; q < 8; q++) r[q] = _mm256_loadu_ps(src + (g + q) * cs + p);
      transpose8_f32(r);
      for (int q = 0; q < 8; q++) _mm256_storeu_ps(out + (p + q) * NRF + g, r[q]);
    }
  }
  return p;
}
#define GEMM_TRANSPOSE8(name) name##_f32
#endif

#define T float
#define V vf
#define VL (VB / 4)
#define VFMA VFMA_F
#define SUF _f32
#include "gemm_impl.h"
#undef T
#undef V
#undef VL
#undef VFMA
#undef SUF
#undef GEMM_TRANSPOSE8

#define T double
#define V vd
#define VL (VB / 8)
#define VFMA VFMA_D
#define SUF _f64
#include "gemm_impl.h"
#undef T
#undef V
#undef VL
#undef VFMA
#undef SUF

#define GEMM_ENTRY(SUF, T)                                                                                              \
  static void gemm##SUF(long batch, long m, long n0, long n1, long n, long k, paoding_mat a, paoding_mat b, void *c,    \
                        const void *bias, void *work) {                                                               \
    T *apack = (T *)work;                                                                                             \
    T *bpack = apack + (PAODING_GEMM_MC + 32) * PAODING_GEMM_KC;                                                       \
    for (long p = 0; p < batch; p++) {                                                                                \
      gemm_cols##SUF(m, n0, n1, k, (const T *)a.data + p * a.bs, a.rs, a.cs, (const T *)b.data + p * b.bs, b.rs, b.cs, \
                     (T *)c + p * m * n, n, (const T *)bias, apack, bpack, PAODING_GEMM_MC, PAODING_GEMM_KC,          \
                     PAODING_GEMM_NC);                                                                                \
    }                                                                                                                 \
  }
GEMM_ENTRY(_f32, float)
GEMM_ENTRY(_f64, double)

/* ---- reductions --------------------------------------------------------------------------- */

/*
 * Sums accumulate in double (as the JavaScript backend's), in eight interleaved partial sums so
 * that the loop vectorises; float32 results round once.
 */
#define SUM_ROWS(SUF, T)                                                                         \
  static void sum_rows##SUF(long outer, long inner, const T *x, T *out) {                         \
    for (long r = 0; r < outer; r++) {                                                             \
      const T *row = x + r * inner;                                                                \
      double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                                      \
      long i = 0;                                                                                  \
      for (; i + 8 <= inner; i += 8)                                                               \
        for (int j = 0; j < 8; j++) s[j] += row[i + j];                                            \
      double t = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));                \
      for (; i < inner; i++) t += row[i];                                                          \
      out[r] = (T)t;                                                                               \
    }                                                                                              \
  }
SUM_ROWS(_f32, float)
SUM_ROWS(_f64, double)

#define SUM_COLS(SUF, T)                                                                         \
  static void sum_cols##SUF(long rows, long cols, long j0, long j1, const T *x, T *out) {         \
    double acc[256];                                                                               \
    for (long jb = j0; jb < j1; jb += 256) {                                                       \
      long w = j1 - jb < 256 ? j1 - jb : 256;                                                      \
      for (long j = 0; j < w; j++) acc[j] = 0;                                                     \
      for (long i = 0; i < rows; i++) {                                                            \
        const T *row = x + i * cols + jb;                                                          \
        for (long j = 0; j < w; j++) acc[j] += row[j];                                             \
      }                                                                                            \
      for (long j = 0; j < w; j++) out[jb + j] = (T)acc[j];                                        \
    }                                                                                              \
  }
SUM_COLS(_f32, float)
SUM_COLS(_f64, double)

/* ---- softmax ------------------------------------------------------------------------------ */

/*
 * The JavaScript backend's algorithm, in double: shift by the row maximum, exponentials, then
 * multiply by the reciprocal of the sum (softmax) or subtract the log of the sum (log-softmax, as
 * (x - max) - log(sum)). The maximum and the sum run in eight interleaved lanes so that they
 * vectorise (the sum's order differs from a sequential one by a few double roundings, far below
 * a float32 ulp). A NaN anywhere makes the whole row NaN, as in the JavaScript backend: the
 * maximum skips it, but its exponential poisons the sum and with it every output.
 */
/* The row maximum ignoring NaN (-inf for an empty or all-NaN row), in vector lanes: exact in any
   order. Vector compares give lane masks; the selection is done with them bit by bit. */
typedef int32_t vi32 __attribute__((vector_size(VB)));
typedef int64_t vi64 __attribute__((vector_size(VB)));
#define ROWMAX(SUF, T, V, VI)                                                                    \
  static double rowmax##SUF(const T *row, long cols) {                                           \
    enum { L = VB / sizeof(T) };                                                                   \
    const V lowest = (V){0} - (T)PM_INF; /* every lane -inf */                                   \
    V acc[4] = {lowest, lowest, lowest, lowest};                                                   \
    long i = 0;                                                                                    \
    for (; i + 4 * L <= cols; i += 4 * L)                                                          \
      for (int j = 0; j < 4; j++) {                                                                \
        V v;                                                                                       \
        memcpy(&v, row + i + j * L, sizeof v);                                                     \
        VI gt = v > acc[j];                                                                        \
        acc[j] = (V)(((VI)v & gt) | ((VI)acc[j] & ~gt));                                           \
      }                                                                                            \
    double m = -PM_INF;                                                                            \
    for (int j = 0; j < 4; j++)                                                                    \
      for (int l = 0; l < L; l++) m = (double)acc[j][l] > m ? (double)acc[j][l] : m;               \
    for (; i < cols; i++) m = (double)row[i] > m ? (double)row[i] : m;                             \
    return m;                                                                                      \
  }
ROWMAX(_f32, float, vf, vi32)
ROWMAX(_f64, double, vd, vi64)

#define SOFTMAX_BUF 4096
#define SOFTMAX(SUF, T, GRADE)                                                                   \
  static void softmax##SUF(long r0, long r1, long cols, const T *x, T *out, int lg) {             \
    double buf[SOFTMAX_BUF];                                                                       \
    for (long r = r0; r < r1; r++) {                                                               \
      const T *row = x + r * cols;                                                                 \
      T *dst = out + r * cols;                                                                     \
      double m = rowmax##SUF(row, cols);                                                           \
      int kept = cols <= SOFTMAX_BUF; /* exponentials kept in double for the second pass */        \
      /* Lanes continue across chunks (SOFTMAX_BUF is a multiple of 8); the tail, added last and \
         in order, is in the last chunk, still in buf after the loop. */                           \
      double sp[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                                     \
      long k = 0, w = 0;                                                                           \
      for (long c0 = 0; c0 < cols; c0 += SOFTMAX_BUF) {                                            \
        w = cols - c0 < SOFTMAX_BUF ? cols - c0 : SOFTMAX_BUF;                                     \
        for (k = 0; k < w; k++) buf[k] = GRADE##_exp((double)row[c0 + k] - m);                    \
        for (k = 0; k + 8 <= w; k += 8)                                                            \
          for (int j = 0; j < 8; j++) sp[j] += buf[k + j];                                         \
      }                                                                                            \
      double s = ((sp[0] + sp[1]) + (sp[2] + sp[3])) + ((sp[4] + sp[5]) + (sp[6] + sp[7]));       \
      for (; k < w; k++) s += buf[k];                                                              \
      if (lg) {                                                                                    \
        double l = pm_log(s);                                                                      \
        for (k = 0; k < cols; k++) dst[k] = (T)(((double)row[k] - m) - l);                         \
      } else {                                                                                     \
        double q = 1.0 / s;                                                                        \
        for (long c0 = 0; c0 < cols; c0 += SOFTMAX_BUF) {                                          \
          long w = cols - c0 < SOFTMAX_BUF ? cols - c0 : SOFTMAX_BUF;                              \
          if (!kept)                                                                               \
            for (k = 0; k < w; k++) buf[k] = GRADE##_exp((double)row[c0 + k] - m);                \
          for (k = 0; k < w; k++) dst[c0 + k] = (T)(buf[k] * q);                                   \
        }                                                                                          \
      }                                                                                            \
    }                                                                                              \
  }
SOFTMAX(_f32, float, pf)
SOFTMAX(_f64, double, pm)

/*
 * Softmax along a dim that is not the last, for a contiguous x seen as [outer, size, inner]: each
 * slice is a column of stride `inner`. The loops run along contiguous rows of a block of columns,
 * with one running maximum (NaN once a NaN is seen) and the eight lanes of the sum per column, in
 * the order of src/ops/softmax.ts's `columns`: per column, the same operations in the same order
 * as softmax over a row. Items [i0, i1) of outer * ceil(inner / SOFTMAX_COLS) blocks.
 */
#define SOFTMAX_COLS 256
#define SOFTMAX_COLUMNS(SUF, T, GRADE)                                                           \
  static void softmax_cols##SUF(long i0, long i1, long size, long inner, const T *x, T *out, int lg) { \
    double m[SOFTMAX_COLS], s[SOFTMAX_COLS], sp[8][SOFTMAX_COLS];                                  \
    long full = size - size % 8;                                                                   \
    long nb = (inner + SOFTMAX_COLS - 1) / SOFTMAX_COLS;                                           \
    for (long it = i0; it < i1; it++) {                                                            \
      long o = it / nb, j0 = (it % nb) * SOFTMAX_COLS;                                             \
      long w = inner - j0 < SOFTMAX_COLS ? inner - j0 : SOFTMAX_COLS;                              \
      const T *xb = x + o * size * inner + j0;                                                     \
      T *ob = out + o * size * inner + j0;                                                         \
      for (long j = 0; j < w; j++) m[j] = -PM_INF;                                                 \
      for (int l = 0; l < 8; l++)                                                                  \
        for (long j = 0; j < w; j++) sp[l][j] = 0;                                                 \
      for (long i = 0; i < size; i++)                                                              \
        for (long j = 0; j < w; j++) {                                                             \
          double a = xb[i * inner + j];                                                            \
          double mj = a > m[j] ? a : m[j];                                                         \
          m[j] = a != a ? a : mj;                                                                  \
        }                                                                                          \
      /* The sum in the eight lanes of softmax's rows (element i in lane i % 8, the tail last). */ \
      for (long i = 0; i < full; i++)                                                              \
        for (long j = 0; j < w; j++) sp[i & 7][j] += GRADE##_exp((double)xb[i * inner + j] - m[j]); \
      for (long j = 0; j < w; j++)                                                                 \
        s[j] = ((sp[0][j] + sp[1][j]) + (sp[2][j] + sp[3][j])) + ((sp[4][j] + sp[5][j]) + (sp[6][j] + sp[7][j])); \
      for (long i = full; i < size; i++)                                                           \
        for (long j = 0; j < w; j++) s[j] += GRADE##_exp((double)xb[i * inner + j] - m[j]);       \
      if (lg) {                                                                                    \
        for (long j = 0; j < w; j++) s[j] = pm_log(s[j]);                                          \
        for (long i = 0; i < size; i++)                                                            \
          for (long j = 0; j < w; j++) ob[i * inner + j] = (T)(((double)xb[i * inner + j] - m[j]) - s[j]); \
      } else {                                                                                     \
        for (long j = 0; j < w; j++) s[j] = 1.0 / s[j];                                            \
        for (long i = 0; i < size; i++)                                                            \
          for (long j = 0; j < w; j++)                                                             \
            ob[i * inner + j] = (T)(GRADE##_exp((double)xb[i * inner + j] - m[j]) * s[j]);         \
      }                                                                                            \
    }                                                                                              \
  }
SOFTMAX_COLUMNS(_f32, float, pf)
SOFTMAX_COLUMNS(_f64, double, pm)

/*
 * The backward of softmax and log-softmax along a dim, fused: PyTorch's formulas as paoding
 * composes them from tensor operations (src/ops/softmax.ts), each operation rounded to T as
 * there, so the result is the composition's, bit for bit, without its four passes and three
 * temporaries:
 *   softmax:     gI = y * (g - sum(g * y))
 *   log-softmax: gI = g - exp(y) * sum(g)
 * The sums accumulate in double: along the last dim in the eight interleaved lanes of sum_rows
 * (what the composition's `sum` runs on this backend), along another dim sequentially per column
 * (what it runs there). Contiguous [outer, size, inner]; items as in softmax_cols, except that
 * inner == 1 makes each item a row.
 */
#define SOFTMAX_BACKWARD(SUF, T, GRADE)                                                          \
  static void softmax_bwd##SUF(long i0, long i1, long size, long inner, const T *y, const T *g,  \
                               T *out, int lg) {                                                  \
    if (inner == 1) {                                                                              \
      for (long r = i0; r < i1; r++) {                                                            \
        const T *yr = y + r * size, *gr = g + r * size;                                            \
        T *orow = out + r * size;                                                                  \
        double sp[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                                   \
        long i = 0;                                                                                \
        if (lg) {                                                                                  \
          for (; i + 8 <= size; i += 8)                                                            \
            for (int j = 0; j < 8; j++) sp[j] += gr[i + j];                                        \
        } else {                                                                                   \
          for (; i + 8 <= size; i += 8)                                                            \
            for (int j = 0; j < 8; j++) sp[j] += (T)(gr[i + j] * yr[i + j]);                       \
        }                                                                                          \
        double t = ((sp[0] + sp[1]) + (sp[2] + sp[3])) + ((sp[4] + sp[5]) + (sp[6] + sp[7]));     \
        for (; i < size; i++) t += lg ? gr[i] : (T)(gr[i] * yr[i]);                                \
        T st = (T)t;                                                                               \
        if (lg)                                                                                    \
          for (long k = 0; k < size; k++) orow[k] = gr[k] - (T)(EXPT##SUF(yr[k]) * st); \
        else                                                                                       \
          for (long k = 0; k < size; k++) orow[k] = yr[k] * (T)(gr[k] - st);                       \
      }                                                                                            \
      return;                                                                                      \
    }                                                                                              \
    double s[SOFTMAX_COLS];                                                                        \
    T st[SOFTMAX_COLS];                                                                            \
    long nb = (inner + SOFTMAX_COLS - 1) / SOFTMAX_COLS;                                           \
    for (long it = i0; it < i1; it++) {                                                            \
      long o = it / nb, j0 = (it % nb) * SOFTMAX_COLS;                                             \
      long w = inner - j0 < SOFTMAX_COLS ? inner - j0 : SOFTMAX_COLS;                              \
      long base = o * size * inner + j0;                                                           \
      const T *yb = y + base, *gb = g + base;                                                      \
      T *ob = out + base;                                                                          \
      for (long j = 0; j < w; j++) s[j] = 0;                                                       \
      if (lg) {                                                                                    \
        for (long i = 0; i < size; i++)                                                            \
          for (long j = 0; j < w; j++) s[j] += gb[i * inner + j];                                  \
      } else {                                                                                     \
        for (long i = 0; i < size; i++)                                                            \
          for (long j = 0; j < w; j++) s[j] += (T)(gb[i * inner + j] * yb[i * inner + j]);         \
      }                                                                                            \
      for (long j = 0; j < w; j++) st[j] = (T)s[j];                                                \
      if (lg) {                                                                                    \
        for (long i = 0; i < size; i++)                                                            \
          for (long j = 0; j < w; j++) {                                                           \
            long k = i * inner + j;                                                                \
            ob[k] = gb[k] - (T)(EXPT##SUF(yb[k]) * st[j]);                            \
          }                                                                                        \
      } else {                                                                                     \
        for (long i = 0; i < size; i++)                                                            \
          for (long j = 0; j < w; j++) {                                                           \
            long k = i * inner + j;                                                                \
            ob[k] = yb[k] * (T)(gb[k] - st[j]);                                                    \
          }                                                                                        \
      }                                                                                            \
    }                                                                                              \
  }
/* exp(y) as the elementwise exp kernel of each dtype computes it (float32: float32 arithmetic). */
#define EXPT_f32(v) pf32_exp(v)
#define EXPT_f64(v) pm_exp(v)
SOFTMAX_BACKWARD(_f32, float, pf)
SOFTMAX_BACKWARD(_f64, double, pm)



/* ---- optimizers --------------------------------------------------------------------------- */

/*
 * The optimizer loops of src/optim (sgd.ts, adam.ts), operation for operation: each PyTorch
 * operation is one rounding to the parameter's dtype, and the fused ones (add with alpha,
 * addcmul) one fused multiply-add, so parameters follow PyTorch 1.13's CPU kernels bit for bit,
 * as the JavaScript loops do. s[] holds the scalars in the order optim_scalars() in
 * src/backends/native/index.ts writes them.
 */
#if defined(__FMA__)
#define FMAF(a, b, c) __builtin_fmaf((a), (b), (c))
#define FMAD(a, b, c) __builtin_fma((a), (b), (c))
#else
#include <math.h>
#define FMAF(a, b, c) fmaf((a), (b), (c))
#define FMAD(a, b, c) fma((a), (b), (c))
#endif

/* sgd: s = {negLr, wd, decay, maximize, mom, oneMinusDampening, nesterov, first} */
#define SGD(SUF, T, FMA_)                                                                            \
  static void sgd##SUF(long n, T *restrict P, const T *restrict G, T *restrict B, const double *s) { \
    const T negLr = (T)s[0], wd = (T)s[1], mom = (T)s[4], omd = (T)s[5];                             \
    const int decay = s[2] != 0, maximize = s[3] != 0, nesterov = s[6] != 0, first = s[7] != 0;     \
    for (long k = 0; k < n; k++) {                                                                   \
      T g = maximize ? -G[k] : G[k];                                                                 \
      if (decay) g = FMA_(wd, P[k], g);                                                              \
      if (B) {                                                                                       \
        T b = first ? g : FMA_(omd, g, (T)(B[k] * mom));                                             \
        B[k] = b;                                                                                    \
        g = nesterov ? FMA_(mom, b, g) : b;                                                          \
      }                                                                                              \
      P[k] = FMA_(negLr, g, P[k]);                                                                   \
    }                                                                                                \
  }
SGD(_f32, float, FMAF)
SGD(_f64, double, FMAD)

/* adam: s = {decoupled, decay, weightDecay, wd, maximize, amsgrad, b1, oneMinusB1, b2, oneMinusB2, bc2, eps, negStep} */
#define ADAM(SUF, T, FMA_, SQRT)                                                                                   \
  static void adam##SUF(long n, T *restrict P, const T *restrict G, T *restrict M, T *restrict V, T *restrict X,   \
                        const double *s) {                                                                         \
    const int decoupled = s[0] != 0, weightDecay = s[2] != 0, maximize = s[4] != 0, amsgrad = s[5] != 0;          \
    const T decay = (T)s[1], wd = (T)s[3], b1 = (T)s[6], omb1 = (T)s[7], b2 = (T)s[8], omb2 = (T)s[9];            \
    const T bc2 = (T)s[10], eps = (T)s[11], negStep = (T)s[12];                                                    \
    for (long k = 0; k < n; k++) {                                                                                 \
      T g = maximize ? -G[k] : G[k];                                                                               \
      T q = P[k];                                                                                                  \
      if (decoupled)                                                                                               \
        q = q * decay;                                                                                             \
      else if (weightDecay)                                                                                        \
        g = FMA_(wd, q, g);                                                                                        \
      T m = FMA_(omb1, g, (T)(M[k] * b1));                                                                         \
      M[k] = m;                                                                                                    \
      T v = FMA_((T)(omb2 * g), g, (T)(V[k] * b2));                                                                \
      V[k] = v;                                                                                                    \
      if (amsgrad) {                                                                                               \
        T x = X[k];                                                                                                \
        v = (x != x || x > v) ? x : v;                                                                             \
        X[k] = v;                                                                                                  \
      }                                                                                                            \
      T denom = (T)(SQRT(v) / bc2) + eps;                                                                          \
      P[k] = q + (T)((T)(negStep * m) / denom);                                                                    \
    }                                                                                                              \
  }
ADAM(_f32, float, FMAF, __builtin_sqrtf)
ADAM(_f64, double, FMAD, __builtin_sqrt)

const paoding_isa ISA_SYMBOL = {
    ISA_NAME,
    kernel_table,
    gemm_f32,
    gemm_f64,
    2 * (VB / 4),
    2 * (VB / 8),
    sum_rows_f32,
    sum_rows_f64,
    sum_cols_f32,
    sum_cols_f64,
    softmax_f32,
    softmax_f64,
    softmax_cols_f32,
    softmax_cols_f64,
    softmax_bwd_f32,
    softmax_bwd_f64,
    {sgd_f32, sgd_f64, adam_f32, adam_f64},
};
