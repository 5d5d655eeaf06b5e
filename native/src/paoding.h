/*
 * paoding.h: what the instruction-set variants (isa.c, compiled once per ISA) provide to the
 * Node-API glue (addon.c) and to the thread pool (pool.c).
 */
#ifndef PAODING_H
#define PAODING_H

#include <stddef.h>

/* One elementwise kernel: out[i] = f(in[0][i], in[1][i], ...; p[0], p[1], ...) for i < n. */
typedef void (*paoding_kernel_fn)(long n, void *out, const void *const *in, const double *p);

/* Strided matrix operand: element (b, i, j) at data[b*bs + i*rs + j*cs]. */
typedef struct {
  const void *data;
  long bs, rs, cs;
} paoding_mat;

/*
 * C[b] (m x n, contiguous) = A[b] (m x k) B[b] (k x n) (+ bias[j]), b < batch, for the columns
 * [n0, n1). `work` is scratch of at least paoding_gemm_scratch() bytes, 64-byte aligned.
 */
typedef void (*paoding_gemm_fn)(long batch, long m, long n0, long n1, long n, long k, paoding_mat a, paoding_mat b, void *c,
                                const void *bias, void *work);

typedef struct {
  const char *name;
  const paoding_kernel_fn *kernels;
  paoding_gemm_fn gemm_f32, gemm_f64;
  /* Columns a thread's share of a product should be a multiple of (the micro-kernel width). */
  int nr_f32, nr_f64;
  /* sum of each of `outer` contiguous blocks of `inner` values, accumulated in double. */
  void (*sum_rows_f32)(long outer, long inner, const float *x, float *out);
  void (*sum_rows_f64)(long outer, long inner, const double *x, double *out);
  /* out[j] = sum over i < rows of x[i*cols + j], for j in [j0, j1), accumulated in double. */
  void (*sum_cols_f32)(long rows, long cols, long j0, long j1, const float *x, float *out);
  void (*sum_cols_f64)(long rows, long cols, long j0, long j1, const double *x, double *out);
  /* Softmax (or log-softmax) of each contiguous row, rows [r0, r1) of `cols` values. */
  void (*softmax_f32)(long r0, long r1, long cols, const float *x, float *out, int log);
  void (*softmax_f64)(long r0, long r1, long cols, const double *x, double *out, int log);
  /* Softmax (or log-softmax) along the middle dim of a contiguous [outer, size, inner]: items
     [i0, i1) of outer * ceil(inner / 256) blocks of up to 256 columns. */
  void (*softmax_cols_f32)(long i0, long i1, long size, long inner, const float *x, float *out, int log);
  void (*softmax_cols_f64)(long i0, long i1, long size, long inner, const double *x, double *out, int log);
  /* Their backward from the output y and its gradient g (same layout; inner == 1: items are
     rows, otherwise blocks as above). */
  void (*softmax_bwd_f32)(long i0, long i1, long size, long inner, const float *y, const float *g, float *out, int log);
  void (*softmax_bwd_f64)(long i0, long i1, long size, long inner, const double *y, const double *g, double *out, int log);
  /* Optimizer steps over n contiguous elements (B, X may be NULL): see isa.c. */
  struct {
    void (*sgd_f32)(long n, float *P, const float *G, float *B, const double *s);
    void (*sgd_f64)(long n, double *P, const double *G, double *B, const double *s);
    void (*adam_f32)(long n, float *P, const float *G, float *M, float *V, float *X, const double *s);
    void (*adam_f64)(long n, double *P, const double *G, double *M, double *V, double *X, const double *s);
  } optim;
} paoding_isa;

/* Bytes of GEMM scratch one thread needs. */
#define PAODING_GEMM_MC 144
#define PAODING_GEMM_KC 256
#define PAODING_GEMM_NC 1024
#define PAODING_GEMM_SCRATCH ((size_t)(PAODING_GEMM_MC + 32) * PAODING_GEMM_KC * 8 + (size_t)PAODING_GEMM_KC * (PAODING_GEMM_NC + 64) * 8)

extern const paoding_isa paoding_isa_sse2;
#if defined(__x86_64__) || defined(_M_X64)
extern const paoding_isa paoding_isa_avx2;
extern const paoding_isa paoding_isa_avx512;
#endif

/* ---- thread pool (pool.c) ----------------------------------------------------------------- */

/* A task runs part `part` of `parts`. */
typedef void (*paoding_task_fn)(void *ctx, int part, int parts);

/* Run task(ctx, i, parts) for every i < parts, on the calling thread and the pool's workers
   (each chunk by whichever thread claims it first); returns when all are done. */
void paoding_parallel(paoding_task_fn task, void *ctx, int parts);
/* Threads the pool may use (the caller included), and its maximum (the cores available). */
int paoding_threads(void);
int paoding_max_threads(void);
/* The pool's counters: jobs given to several threads, hurt, absent, back-offs, jobs inline during a back-off, wake-ups of sleeping workers (pool.c). */
void paoding_pool_counts(long out[6]);
int paoding_set_threads(int n);
/* The running thread's slot: 0 for the caller, 1.. for the workers. */
int paoding_thread_slot(void);
/* Scratch for GEMM on thread `slot` (allocated once, kept). */
void *paoding_gemm_scratch(int slot);

#endif
