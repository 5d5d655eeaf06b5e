/*
 * gemm_impl.h: one blocked matrix product C = A B (+ bias), included once per element type with
 * T (float or double), V (the vector type), VL (its lanes), VFMA(a, b, c) (a*b + c with one
 * rounding where the instruction set has it) and SUF (a name suffix) defined.
 *
 * The classical structure (Goto and van de Geijn; BLIS): B is packed into KC x NC panels of
 * NR-wide strips, A into MC x KC blocks of MR-high strips, and an MR x NR micro-kernel keeps the
 * whole C tile in vector registers while it streams both strips: per step of k, two vector loads
 * of B, MR broadcasts of A and 2 MR fused multiply-adds. Packing reads A and B through arbitrary
 * element strides, so transposed operands cost nothing extra. Edge tiles are computed in full
 * against zero padding and only their valid part stored. Accumulation is in T with one FMA per
 * product (as OpenBLAS, which PyTorch calls), so NaN and infinity propagate as IEEE says.
 */

#define MR 6
#define NR (2 * VL)
#define GEMM_CAT2(a, b) a##b
#define GEMM_CAT(a, b) GEMM_CAT2(a, b)
#define G(name) GEMM_CAT(name, SUF)

/* Pack rows [0, mc) x cols [0, kc) of A (element (i, p) at a[i*rs + p*cs]) into MR-high strips.
   `out` may be written up to 2 elements past the packed block (the 8 x 8 transposes store whole
   vectors; the scratch has room). */
static void G(pack_a)(long mc, long kc, const T *a, long rs, long cs, T *restrict out) {
  for (long i0 = 0; i0 < mc; i0 += MR) {
    long mr = mc - i0 < MR ? mc - i0 : MR;
    const T *src = a + i0 * rs;
    if (cs == 1) {
      long p = 0;
#ifdef GEMM_TRANSPOSE8
      /* Row-major A (x in x @ W^T): 8 columns of the 6 rows at a time, transposed in registers. */
      if (mr == MR) p = GEMM_TRANSPOSE8(pack_a_rows)(kc, src, rs, out);
#endif
      for (long i = 0; i < mr; i++) {
        const T *row = src + i * rs;
        for (long q = p; q < kc; q++) out[q * MR + i] = row[q];
      }
    } else if (rs == 1 && mr == MR) {
      /* Column-major A (g^T in g^T @ x): MR contiguous elements per step. */
      for (long p = 0; p < kc; p++)
        for (long i = 0; i < MR; i++) out[p * MR + i] = src[i + p * cs];
    } else {
      for (long p = 0; p < kc; p++)
        for (long i = 0; i < mr; i++) out[p * MR + i] = src[i * rs + p * cs];
    }
    for (long i = mr; i < MR; i++)
      for (long p = 0; p < kc; p++) out[p * MR + i] = 0;
    out += MR * kc;
  }
}

/* Pack rows [0, kc) x cols [0, nc) of B (element (p, j) at b[p*rs + j*cs]) into NR-wide strips. */
static void G(pack_b)(long kc, long nc, const T *b, long rs, long cs, T *restrict out) {
  for (long j0 = 0; j0 < nc; j0 += NR) {
    long nr = nc - j0 < NR ? nc - j0 : NR;
    const T *src = b + j0 * cs;
    if (cs == 1 && nr == NR) {
      for (long p = 0; p < kc; p++)
        for (long j = 0; j < NR; j++) out[p * NR + j] = src[p * rs + j];
    } else if (cs == 1) {
      for (long p = 0; p < kc; p++) {
        const T *row = src + p * rs;
        T *dst = out + p * NR;
        long j = 0;
        for (; j < nr; j++) dst[j] = row[j];
        for (; j < NR; j++) dst[j] = 0;
      }
    } else if (nr == NR) {
      /* B^T (nn.Linear's weight): row by row of the panel, one cache line written per step. */
      long p = 0;
#ifdef GEMM_TRANSPOSE8
      /* Columns of B contiguous (rs == 1): 8 x 8 blocks transposed in registers. */
      if (rs == 1) p = GEMM_TRANSPOSE8(pack_b_cols)(kc, src, cs, out);
#endif
      for (; p < kc; p++) {
        const T *row = src + p * rs;
        T *dst = out + p * NR;
        for (long j = 0; j < NR; j++) dst[j] = row[j * cs];
      }
    } else {
      for (long j = 0; j < nr; j++) {
        const T *col = src + j * cs;
        for (long p = 0; p < kc; p++) out[p * NR + j] = col[p * rs];
      }
      for (long j = nr; j < NR; j++)
        for (long p = 0; p < kc; p++) out[p * NR + j] = 0;
    }
    out += NR * kc;
  }
}

typedef T G(vu) __attribute__((vector_size(sizeof(V)), aligned(sizeof(T))));

/*
 * C[0..mr, 0..nr) (row stride ldc) = (first ? bias : C) + Ap Bp over kc steps. Ap: MR x kc
 * strip (column-major), Bp: kc x NR strip (row-major), both aligned.
 */
static void G(micro)(long kc, const T *restrict ap, const T *restrict bp, T *restrict c, long ldc, long mr, long nr, int first,
                     const T *bias) {
  V c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0};
  V c30 = {0}, c31 = {0}, c40 = {0}, c41 = {0}, c50 = {0}, c51 = {0};
  /* Unrolled by 4, with B prefetched 4 steps ahead: about 12 % faster on Zen 3 (bench/native.ts). */
  _Pragma("GCC unroll 4")
  for (long p = 0; p < kc; p++) {
    __builtin_prefetch(bp + 4 * NR);
    V b0 = *(const V *)bp;
    V b1 = *(const V *)(bp + VL);
    V a; /* a broadcast: x - 0 folds to x, so this is one vbroadcast */
    a = ap[0] - (V){0}; c00 = VFMA(a, b0, c00); c01 = VFMA(a, b1, c01);
    a = ap[1] - (V){0}; c10 = VFMA(a, b0, c10); c11 = VFMA(a, b1, c11);
    a = ap[2] - (V){0}; c20 = VFMA(a, b0, c20); c21 = VFMA(a, b1, c21);
    a = ap[3] - (V){0}; c30 = VFMA(a, b0, c30); c31 = VFMA(a, b1, c31);
    a = ap[4] - (V){0}; c40 = VFMA(a, b0, c40); c41 = VFMA(a, b1, c41);
    a = ap[5] - (V){0}; c50 = VFMA(a, b0, c50); c51 = VFMA(a, b1, c51);
    ap += MR;
    bp += NR;
  }
  V acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (mr == MR && nr == NR) {
    for (int i = 0; i < MR; i++) {
      T *ci = c + i * ldc;
      V lo = acc[i][0], hi = acc[i][1];
      if (first) {
        if (bias) {
          lo += *(const G(vu) *)bias;
          hi += *(const G(vu) *)(bias + VL);
        }
      } else {
        lo += *(G(vu) *)ci;
        hi += *(G(vu) *)(ci + VL);
      }
      *(G(vu) *)ci = lo;
      *(G(vu) *)(ci + VL) = hi;
    }
  } else {
    T tile[MR * NR] __attribute__((aligned(64)));
    for (int i = 0; i < MR; i++) {
      *(V *)(tile + i * NR) = acc[i][0];
      *(V *)(tile + i * NR + VL) = acc[i][1];
    }
    for (long i = 0; i < mr; i++) {
      T *ci = c + i * ldc;
      for (long j = 0; j < nr; j++) {
        T v = tile[i * NR + j];
        ci[j] = first ? (bias ? v + bias[j] : v) : ci[j] + v;
      }
    }
  }
}

/*
 * C (m x n, row stride ldc) = A (m x k) B (k x n) (+ bias[j] per column when bias != NULL), for
 * columns [n0, n1) only (threads split the columns). Buffers: apack >= MC*KC, bpack >= KC*NC.
 */
static void G(gemm_cols)(long m, long n0, long n1, long k, const T *a, long ars, long acs, const T *b, long brs, long bcs, T *c,
                         long ldc, const T *bias, T *apack, T *bpack, long MC, long KC, long NC) {
  if (k == 0) {
    for (long i = 0; i < m; i++)
      for (long j = n0; j < n1; j++) c[i * ldc + j] = bias ? bias[j] : 0;
    return;
  }
  /* k in equal blocks of at most KC (784 = 4 x 196, not 3 x 256 + 16: a thin last block would
     load and store C for little work). */
  long kblocks = (k + KC - 1) / KC;
  long kstep = (k + kblocks - 1) / kblocks;
  for (long jc = n0; jc < n1; jc += NC) {
    long nc = n1 - jc < NC ? n1 - jc : NC;
    for (long pc = 0; pc < k; pc += kstep) {
      long kc = k - pc < kstep ? k - pc : kstep;
      G(pack_b)(kc, nc, b + pc * brs + jc * bcs, brs, bcs, bpack);
      for (long ic = 0; ic < m; ic += MC) {
        long mc = m - ic < MC ? m - ic : MC;
        G(pack_a)(mc, kc, a + ic * ars + pc * acs, ars, acs, apack);
        for (long jr = 0; jr < nc; jr += NR) {
          long nr = nc - jr < NR ? nc - jr : NR;
          for (long ir = 0; ir < mc; ir += MR) {
            long mr = mc - ir < MR ? mc - ir : MR;
            G(micro)(kc, apack + ir * kc, bpack + jr * kc, c + (ic + ir) * ldc + jc + jr, ldc, mr, nr, pc == 0,
                     bias ? bias + jc + jr : 0);
          }
        }
      }
    }
  }
}

#undef MR
#undef NR
#undef G
