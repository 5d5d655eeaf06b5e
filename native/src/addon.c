/*
 * addon.c: the Node-API glue of paoding's native backend. It picks the instruction-set variant
 * at load (AVX-512, AVX2+FMA or SSE2, by __builtin_cpu_supports; PAODING_NATIVE_ISA caps it),
 * takes the tensors' typed arrays directly (napi_get_typedarray_info: no copies; every offset
 * and length is checked against the array before a kernel touches it), and splits large calls
 * across the thread pool (pool.c). The JavaScript side is src/backends/native/index.ts.
 *
 * Exports:
 *   info()                                   -> { isa, isas, threads, maxThreads, kernels }
 *   keys()                                   -> the kernel keys, in table order
 *   setIsa(name) -> bool, setThreads(n) -> n, setParallelWork(w) -> w
 *   ew(k, n, out, outOff, in0, off0, in1, off1, ..., p0, p1, ...)   elementwise kernel k
 *   ewRows(k, rows, cols, out, outOff, outRowStride, in0, off0, rowStride0, ..., p0, ...)  by rows
 *   gemm(batch, m, n, k, A, aOff, aBs, aRs, aCs, B, bOff, bBs, bRs, bCs, C, cOff, bias, biasOff)
 *   convert(out, outOff, in, inOff, n)       float32 <-> float64 (or same-type copy)
 *   sumRows(x, xOff, outer, inner, out, outOff), sumCols(x, xOff, rows, cols, out, outOff)
 *   softmax(x, xOff, rows, cols, out, outOff, log)
 *   softmaxDim(x, xOff, outer, size, inner, out, outOff, log)   along a middle dim
 *   softmaxBackward(y, yOff, g, gOff, outer, size, inner, out, outOff, log)
 *   exponential(mt, state, n, out, outOff, scale)   Generator.exponential_'s draws (see below)
 *   log(x, out)                              the C library's log over a Float64Array
 *   optim(kind, n, scalars, P, pOff, G, gOff, ...state)   an SGD or Adam step (see isa.c)
 *   keepFreedMemory(on) -> bool, releaseMemory() -> bool   the C library's allocator (below)
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "paoding.h"

#define PAODING_KERNEL_INFO
#include "../generated/kernels.c"

typedef struct {
  const char *key;
  int in_size, out_size, n_in, n_params;
  double cost;
} kernel_info;

#define X(key, in_size, out_size, n_in, n_params, cost) {key, in_size, out_size, n_in, n_params, cost},
static const kernel_info infos[PAODING_KERNEL_COUNT] = {PAODING_KERNEL_LIST(X)};
#undef X

static const paoding_isa *isa = &paoding_isa_sse2;
static const paoding_isa *best_isa = &paoding_isa_sse2;

/*
 * Work (elements x relative cost, a relu element costing about 1) from which a call is split
 * across threads. Measured with bench/native.ts on the development machine: below it the hand-off
 * (and, after an idle spell, waking a worker) costs more than the second thread saves.
 */
static double parallel_work = 262144.0;

/* ---- instruction sets --------------------------------------------------------------------- */

static int isa_supported(const paoding_isa *v) {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  if (v == &paoding_isa_avx512)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (v == &paoding_isa_avx2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return v == &paoding_isa_sse2;
}

static const paoding_isa *const all_isas[] = {
#if defined(__x86_64__) || defined(_M_X64)
    &paoding_isa_avx512,
    &paoding_isa_avx2,
#endif
    &paoding_isa_sse2,
};
#define N_ISAS ((int)(sizeof all_isas / sizeof all_isas[0]))

static const paoding_isa *isa_named(const char *name) {
  for (int i = 0; i < N_ISAS; i++)
    if (strcmp(all_isas[i]->name, name) == 0) return all_isas[i];
  return 0;
}

static void pick_isa(void) {
  static int done = 0;
  if (done) return;
  done = 1;
  for (int i = 0; i < N_ISAS; i++)
    if (isa_supported(all_isas[i])) {
      best_isa = all_isas[i];
      break;
    }
  isa = best_isa;
  const char *cap = getenv("PAODING_NATIVE_ISA");
  const paoding_isa *want = cap && *cap ? isa_named(cap) : 0;
  if (want && isa_supported(want)) isa = want;
}

/* ---- argument helpers --------------------------------------------------------------------- */

#define MAX_ARGS 40

typedef struct {
  napi_env env;
  size_t argc;
  napi_value argv[MAX_ARGS];
  int failed;
} args_t;

static int get_args(napi_env env, napi_callback_info cb, args_t *a) {
  a->env = env;
  a->argc = MAX_ARGS;
  a->failed = 0;
  return napi_get_cb_info(env, cb, &a->argc, a->argv, 0, 0) == napi_ok;
}

static void fail(args_t *a, const char *msg) {
  if (!a->failed) napi_throw_range_error(a->env, 0, msg);
  a->failed = 1;
}

static double num(args_t *a, size_t i) {
  double v = 0;
  if (i >= a->argc || napi_get_value_double(a->env, a->argv[i], &v) != napi_ok) fail(a, "paoding native: expected a number");
  return v;
}

static long lng(args_t *a, size_t i) {
  double v = num(a, i);
  if (!(v >= 0 && v <= 9007199254740991.0) || v != (double)(long)v) fail(a, "paoding native: expected a non-negative integer");
  return (long)v;
}

static int is_null(args_t *a, size_t i) {
  napi_valuetype t;
  if (i >= a->argc) return 1;
  napi_typeof(a->env, a->argv[i], &t);
  return t == napi_null || t == napi_undefined;
}

/* A typed array's data and length; `size` 4 (Float32Array), 8 (Float64Array) or 1 (Uint8Array). */
static void *array(args_t *a, size_t i, int size, size_t *length) {
  napi_typedarray_type type;
  size_t len = 0;
  void *data = 0;
  if (i >= a->argc || napi_get_typedarray_info(a->env, a->argv[i], &type, &len, &data, 0, 0) != napi_ok) {
    fail(a, "paoding native: expected a typed array");
    return 0;
  }
  napi_typedarray_type want = size == 4 ? napi_float32_array : size == 8 ? napi_float64_array : napi_uint8_array;
  if (type != want) {
    fail(a, "paoding native: typed array of the wrong type");
    return 0;
  }
  *length = len;
  return data;
}

/* Any float array: its element size (4 or 8), data and length. */
static void *float_array(args_t *a, size_t i, int *size, size_t *length) {
  napi_typedarray_type type;
  size_t len = 0;
  void *data = 0;
  if (i >= a->argc || napi_get_typedarray_info(a->env, a->argv[i], &type, &len, &data, 0, 0) != napi_ok ||
      (type != napi_float32_array && type != napi_float64_array)) {
    fail(a, "paoding native: expected a Float32Array or Float64Array");
    return 0;
  }
  *size = type == napi_float32_array ? 4 : 8;
  *length = len;
  return data;
}

/* ---- elementwise -------------------------------------------------------------------------- */

#define MAX_INPUTS 16

typedef struct {
  paoding_kernel_fn fn;
  long n;
  char *out;
  const char *in[MAX_INPUTS];
  int in_size, out_size, n_in;
  int stream; /* stream the output out (see stream_out) */
  const double *p;
} ew_job;

/* Parts split at multiples of 16 elements (64 bytes of float32), so no cache line is shared. */
static void split(long n, int part, int parts, long *b, long *e) {
  long chunk = ((n + parts - 1) / parts + 15) & ~15L;
  *b = (long)part * chunk;
  *e = *b + chunk;
  if (*e > n) *e = n;
  if (*b > n) *b = n;
}

/* ---- streaming stores ----------------------------------------------------------------------
 *
 * A store to a line that is not in cache first reads the line (read for ownership), so a kernel
 * whose output is larger than the cache moves three bytes per byte written: the input read, the
 * output line read, the output written back. Non-temporal stores write whole lines without the
 * read, as glibc's memcpy does above about three quarters of the last-level cache (the "copy"
 * the benchmark compares against). Outputs of at least `stream_bytes` are computed in chunks
 * into a buffer that stays in L1, each chunk then streamed out. Below it, ordinary stores: an
 * output that fits in cache is likely read again soon, and streaming would evict it. Only for
 * kernels whose cost is at most STREAM_MAX_COST (selections and arithmetic: relu, hardtanh,
 * softsign and their backwards), which memory bounds; measured on 2^24 float32 elements, two
 * threads: relu, hardtanh, softsign forward 1.0-1.17x faster, their fwd+bwd 1.01-1.05x, while
 * exp-based kernels (sigmoid, exp) and hardswish ran 3-10% slower streamed (the chunking costs
 * more than the traffic it saves once compute is the bound). */
static double stream_bytes = 16.0 * 1024 * 1024;
#define STREAM_MAX_COST 3.5
#define STREAM_CHUNK 8192 /* bytes per chunk: in L1 beside the inputs */

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#define PAODING_STREAM 1
/* Copy `bytes` from `src` (in cache) to `dst` with non-temporal stores where 16-byte aligned. */
static void stream_out(char *dst, const char *src, size_t bytes) {
  size_t head = (16 - ((uintptr_t)dst & 15)) & 15;
  if (head > bytes) head = bytes;
  memcpy(dst, src, head);
  size_t i = head;
  for (; i + 64 <= bytes; i += 64) {
    __m128i v0 = _mm_loadu_si128((const __m128i *)(src + i));
    __m128i v1 = _mm_loadu_si128((const __m128i *)(src + i + 16));
    __m128i v2 = _mm_loadu_si128((const __m128i *)(src + i + 32));
    __m128i v3 = _mm_loadu_si128((const __m128i *)(src + i + 48));
    _mm_stream_si128((__m128i *)(dst + i), v0);
    _mm_stream_si128((__m128i *)(dst + i + 16), v1);
    _mm_stream_si128((__m128i *)(dst + i + 32), v2);
    _mm_stream_si128((__m128i *)(dst + i + 48), v3);
  }
  for (; i + 16 <= bytes; i += 16) _mm_stream_si128((__m128i *)(dst + i), _mm_loadu_si128((const __m128i *)(src + i)));
  memcpy(dst + i, src + i, bytes - i);
}
#else
#define PAODING_STREAM 0
#endif

static void ew_task(void *ctx, int part, int parts) {
  ew_job *j = (ew_job *)ctx;
  long b, e;
  split(j->n, part, parts, &b, &e);
  if (b >= e) return;
  const void *in[MAX_INPUTS];
#if PAODING_STREAM
  if (j->stream) {
    _Alignas(64) char buf[STREAM_CHUNK];
    long step = STREAM_CHUNK / j->out_size;
    for (long c = b; c < e; c += step) {
      long len = e - c < step ? e - c : step;
      for (int i = 0; i < j->n_in; i++) in[i] = j->in[i] ? j->in[i] + (size_t)c * j->in_size : 0;
      j->fn(len, buf, in, j->p);
      stream_out(j->out + (size_t)c * j->out_size, buf, (size_t)len * j->out_size);
    }
    /* Non-temporal stores are not ordered by the pool's release/acquire hand-off: fence them. */
    _mm_sfence();
    return;
  }
#endif
  for (int i = 0; i < j->n_in; i++) in[i] = j->in[i] ? j->in[i] + (size_t)b * j->in_size : 0;
  j->fn(e - b, j->out + (size_t)b * j->out_size, in, j->p);
}

/*
 * Chunks for a call of `work` over `n` splittable units: 1 below the threshold, else a few per
 * thread (so that a busy machine's missing worker costs at most a chunk), each at least
 * `min_units` long.
 */
static int chunks_for(double work, long n, long min_units) {
  int threads = paoding_threads();
  if (work < parallel_work || threads <= 1 || n < 2 * min_units) return 1;
  long parts = 4L * threads;
  if (n / parts < min_units) parts = n / min_units;
  return parts < 1 ? 1 : (int)parts;
}

static napi_value ew(napi_env env, napi_callback_info cb) {
  args_t a;
  if (!get_args(env, cb, &a)) return 0;
  long k = lng(&a, 0);
  long n = lng(&a, 1);
  if (a.failed) return 0;
  if (k >= PAODING_KERNEL_COUNT) {
    fail(&a, "paoding native: no such kernel");
    return 0;
  }
  const kernel_info *info = &infos[k];
  if ((size_t)(4 + 2 * info->n_in + info->n_params) > a.argc) {
    fail(&a, "paoding native: too few arguments");
    return 0;
  }
  size_t olen = 0;
  char *out = (char *)array(&a, 2, info->out_size, &olen);
  long ooff = lng(&a, 3);
  if (!a.failed && (size_t)ooff + (size_t)n > olen) fail(&a, "paoding native: output out of range");
  ew_job job;
  job.fn = isa->kernels[k];
  job.n = n;
  job.out = out ? out + (size_t)ooff * info->out_size : 0;
  job.in_size = info->in_size;
  job.out_size = info->out_size;
  job.n_in = info->n_in;
  for (int i = 0; i < info->n_in && !a.failed; i++) {
    if (is_null(&a, 4 + 2 * i)) {
      job.in[i] = 0;
      continue;
    }
    size_t len = 0;
    const char *d = (const char *)array(&a, 4 + 2 * i, info->in_size, &len);
    long off = lng(&a, 5 + 2 * i);
    if (!a.failed && (size_t)off + (size_t)n > len) fail(&a, "paoding native: operand out of range");
    job.in[i] = d ? d + (size_t)off * info->in_size : 0;
    /* An output overlapping an operand must be the very same elements (an in-place call). */
    if (!a.failed && job.in[i] != job.out && job.in[i] < job.out + (size_t)n * info->out_size &&
        job.out < job.in[i] + (size_t)n * info->in_size)
      fail(&a, "paoding native: output partially overlaps an operand");
  }
  double p[MAX_ARGS];
  for (int j = 0; j < info->n_params && !a.failed; j++) p[j] = num(&a, 4 + 2 * info->n_in + j);
  job.p = p;
  job.stream = info->out_size >= 4 && info->cost <= STREAM_MAX_COST && (double)n * info->out_size >= stream_bytes;
  if (a.failed || n == 0) return 0;
  paoding_parallel(ew_task, &job, chunks_for((double)n * info->cost, n, 4096));
  return 0;
}

/*
 * ewRows(k, rows, cols, out, outOff, outRowStride, in0, off0, rowStride0, ..., p0, p1, ...): kernel
 * k over `rows` rows of `cols` contiguous elements, row r of each array starting at off + r *
 * rowStride (a stride of 0 repeats one row: a broadcast bias). Strided views whose rows are
 * contiguous (GLU's halves, a column slice) and row broadcasts run without gathering copies.
 */
typedef struct {
  ew_job base;
  long rows, cols, out_rs;
  long in_rs[MAX_INPUTS];
} ew_rows_job;

static void ew_rows_task(void *ctx, int part, int parts) {
  ew_rows_job *j = (ew_rows_job *)ctx;
  long chunk = (j->rows + parts - 1) / parts;
  long b = part * chunk, e = b + chunk < j->rows ? b + chunk : j->rows;
  const void *in[MAX_INPUTS];
  for (long r = b; r < e; r++) {
    for (int i = 0; i < j->base.n_in; i++) in[i] = j->base.in[i] ? j->base.in[i] + (size_t)(r * j->in_rs[i]) * j->base.in_size : 0;
    j->base.fn(j->cols, j->base.out + (size_t)(r * j->out_rs) * j->base.out_size, in, j->base.p);
  }
}

static napi_value ew_rows(napi_env env, napi_callback_info cb) {
  args_t a;
  if (!get_args(env, cb, &a)) return 0;
  long k = lng(&a, 0);
  long rows = lng(&a, 1);
  long cols = lng(&a, 2);
  if (a.failed) return 0;
  if (k >= PAODING_KERNEL_COUNT) {
    fail(&a, "paoding native: no such kernel");
    return 0;
  }
  const kernel_info *info = &infos[k];
  if ((size_t)(6 + 3 * info->n_in + info->n_params) > a.argc) {
    fail(&a, "paoding native: too few arguments");
    return 0;
  }
  ew_rows_job job;
  size_t olen = 0;
  char *out = (char *)array(&a, 3, info->out_size, &olen);
  long ooff = lng(&a, 4);
  job.out_rs = lng(&a, 5);
  /* The last element any row touches: off + (rows - 1) * stride + cols. */
  size_t oend = rows == 0 ? 0 : (size_t)ooff + (size_t)(rows - 1) * job.out_rs + (size_t)cols;
  if (!a.failed && oend > olen) fail(&a, "paoding native: output out of range");
  if (!a.failed && rows > 1 && job.out_rs < cols) fail(&a, "paoding native: output rows overlap");
  job.rows = rows;
  job.cols = cols;
  job.base.fn = isa->kernels[k];
  job.base.n = rows * cols;
  job.base.out = out ? out + (size_t)ooff * info->out_size : 0;
  job.base.in_size = info->in_size;
  job.base.out_size = info->out_size;
  job.base.n_in = info->n_in;
  for (int i = 0; i < info->n_in && !a.failed; i++) {
    size_t at = 6 + 3 * (size_t)i;
    if (is_null(&a, at)) {
      job.base.in[i] = 0;
      job.in_rs[i] = 0;
      continue;
    }
    size_t len = 0;
    const char *d = (const char *)array(&a, at, info->in_size, &len);
    long off = lng(&a, at + 1);
    long rs = lng(&a, at + 2);
    size_t end = rows == 0 ? 0 : (size_t)off + (size_t)(rows - 1) * rs + (size_t)cols;
    if (!a.failed && end > len) fail(&a, "paoding native: operand out of range");
    job.base.in[i] = d ? d + (size_t)off * info->in_size : 0;
    job.in_rs[i] = rs;
    /* An operand sharing memory with the output must be the very same elements, row for row. */
    if (!a.failed && d && out) {
      const char *ib = job.base.in[i], *ie = d + end * info->in_size;
      const char *ob = job.base.out, *oe = out + oend * info->out_size;
      if (ib < oe && ob < ie && !(ib == ob && rs == job.out_rs && info->in_size == info->out_size))
        fail(&a, "paoding native: output partially overlaps an operand");
    }
  }
  double p[MAX_ARGS];
  for (int j = 0; j < info->n_params && !a.failed; j++) p[j] = num(&a, 6 + 3 * info->n_in + j);
  job.base.p = p;
  job.base.stream = 0;
  if (a.failed || rows == 0 || cols == 0) return 0;
  paoding_parallel(ew_rows_task, &job, chunks_for((double)rows * cols * info->cost, rows, 1));
  return 0;
}

/* ---- matrix product ----------------------------------------------------------------------- */

typedef struct {
  paoding_gemm_fn fn;
  long batch, m, n, k;
  paoding_mat a, b;
  char *c;
  const char *bias;
  int size, nr;
  int split_batch;
} gemm_job;

static void gemm_task(void *ctx, int part, int parts) {
  gemm_job *j = (gemm_job *)ctx;
  void *work = paoding_gemm_scratch(paoding_thread_slot());
  if (!work) return; /* out of memory: leaves C unset; cannot happen after the first call */
  if (j->split_batch) {
    long b, e;
    long chunk = (j->batch + parts - 1) / parts;
    b = part * chunk;
    e = b + chunk < j->batch ? b + chunk : j->batch;
    if (b >= e) return;
    paoding_mat a = j->a, bm = j->b;
    a.data = (const char *)a.data + (size_t)b * a.bs * j->size;
    bm.data = (const char *)bm.data + (size_t)b * bm.bs * j->size;
    j->fn(e - b, j->m, 0, j->n, j->n, j->k, a, bm, j->c + (size_t)b * j->m * j->n * j->size, j->bias, work);
  } else {
    long units = (j->n + j->nr - 1) / j->nr;
    long per = (units + parts - 1) / parts;
    long n0 = part * per * j->nr, n1 = (part + 1) * per * j->nr;
    if (n1 > j->n) n1 = j->n;
    if (n0 >= n1) return;
    j->fn(j->batch, j->m, n0, n1, j->n, j->k, j->a, j->b, j->c, j->bias, work);
  }
}

/* The largest element index a strided batch of matrices touches, plus one. */
static size_t extent(long batch, long rows, long cols, long bs, long rs, long cs) {
  if (batch == 0 || rows == 0 || cols == 0) return 0;
  return (size_t)(batch - 1) * bs + (size_t)(rows - 1) * rs + (size_t)(cols - 1) * cs + 1;
}

static napi_value gemm(napi_env env, napi_callback_info cb) {
  args_t a;
  if (!get_args(env, cb, &a)) return 0;
  long batch = lng(&a, 0), m = lng(&a, 1), n = lng(&a, 2), k = lng(&a, 3);
  int size = 0;
  size_t alen = 0, blen = 0, clen = 0, biaslen = 0;
  const char *A = (const char *)float_array(&a, 4, &size, &alen);
  long aoff = lng(&a, 5), abs_ = lng(&a, 6), ars = lng(&a, 7), acs = lng(&a, 8);
  const char *B = (const char *)array(&a, 9, size, &blen);
  long boff = lng(&a, 10), bbs = lng(&a, 11), brs = lng(&a, 12), bcs = lng(&a, 13);
  char *C = (char *)array(&a, 14, size, &clen);
  long coff = lng(&a, 15);
  const char *bias = 0;
  if (!is_null(&a, 16)) {
    bias = (const char *)array(&a, 16, size, &biaslen);
    long biasoff = lng(&a, 17);
    if (!a.failed && (size_t)biasoff + (size_t)n > biaslen) fail(&a, "paoding native: bias out of range");
    if (bias) bias += (size_t)biasoff * size;
  }
  if (a.failed) return 0;
  if ((size_t)aoff + extent(batch, m, k, abs_, ars, acs) > alen || (size_t)boff + extent(batch, k, n, bbs, brs, bcs) > blen ||
      (size_t)coff + (size_t)batch * m * n > clen) {
    fail(&a, "paoding native: matrix out of range");
    return 0;
  }
  if (batch == 0 || m == 0 || n == 0) return 0;
  gemm_job job;
  job.fn = size == 4 ? isa->gemm_f32 : isa->gemm_f64;
  job.batch = batch;
  job.m = m;
  job.n = n;
  job.k = k;
  job.a = (paoding_mat){A + (size_t)aoff * size, abs_, ars, acs};
  job.b = (paoding_mat){B + (size_t)boff * size, bbs, brs, bcs};
  job.c = C + (size_t)coff * size;
  job.bias = bias;
  job.size = size;
  job.nr = size == 4 ? isa->nr_f32 : isa->nr_f64;
  /*
   * A multiply-add costs about a quarter of a relu element. Products split into one chunk per
   * thread (each chunk packs its own panels of A, so more chunks would repack): by batch when
   * there are enough, else by columns in whole micro-kernel widths.
   */
  long units = (n + job.nr - 1) / job.nr;
  int parts = chunks_for((double)batch * m * n * (k + 1) * 0.25, batch >= 2 ? batch : units, 1);
  if (parts > paoding_threads()) parts = paoding_threads();
  job.split_batch = batch >= 2 && batch >= parts;
  if (!job.split_batch && units < parts) parts = (int)units;
  paoding_parallel(gemm_task, &job, parts);
  return 0;
}

/* ---- conversion, reductions, softmax ------------------------------------------------------ */

typedef struct {
  char *out;
  const char *in;
  int osize, isize;
  long n;
} convert_job;

static void convert_task(void *ctx, int part, int parts) {
  convert_job *j = (convert_job *)ctx;
  long b, e;
  split(j->n, part, parts, &b, &e);
  if (j->osize == j->isize) {
    memcpy(j->out + (size_t)b * j->osize, j->in + (size_t)b * j->isize, (size_t)(e - b) * j->osize);
  } else if (j->osize == 4) {
    float *o = (float *)j->out;
    const double *s = (const double *)j->in;
    for (long i = b; i < e; i++) o[i] = (float)s[i];
  } else {
    double *o = (double *)j->out;
    const float *s = (const float *)j->in;
    for (long i = b; i < e; i++) o[i] = s[i];
  }
}

static napi_value convert(napi_env env, napi_callback_info cb) {
  args_t a;
  if (!get_args(env, cb, &a)) return 0;
  int osize = 0, isize = 0;
  size_t olen = 0, ilen = 0;
  char *out = (char *)float_array(&a, 0, &osize, &olen);
  long ooff = lng(&a, 1);
  const char *in = (const char *)float_array(&a, 2, &isize, &ilen);
  long ioff = lng(&a, 3);
  long n = lng(&a, 4);
  if (!a.failed && ((size_t)ooff + n > olen || (size_t)ioff + n > ilen)) fail(&a, "paoding native: copy out of range");
  if (a.failed || n == 0) return 0;
  convert_job job = {out + (size_t)ooff * osize, in + (size_t)ioff * isize, osize, isize, n};
  if (job.out == job.in) return 0;
  if (osize == isize && job.out < job.in + (size_t)n * isize && job.in < job.out + (size_t)n * osize) {
    memmove(job.out, job.in, (size_t)n * osize);
    return 0;
  }
  paoding_parallel(convert_task, &job, chunks_for((double)n, n, 8192));
  return 0;
}

typedef struct {
  int size, log;
  long rows, cols;
  const char *x;
  char *out;
} rows_job;

static void sum_rows_task(void *ctx, int part, int parts) {
  rows_job *j = (rows_job *)ctx;
  long b, e;
  split(j->rows, part, parts, &b, &e);
  if (b >= e) return;
  if (j->size == 4)
    isa->sum_rows_f32(e - b, j->cols, (const float *)j->x + b * j->cols, (float *)j->out + b);
  else
    isa->sum_rows_f64(e - b, j->cols, (const double *)j->x + b * j->cols, (double *)j->out + b);
}

static void sum_cols_task(void *ctx, int part, int parts) {
  rows_job *j = (rows_job *)ctx;
  long b, e;
  split(j->cols, part, parts, &b, &e);
  if (b >= e) return;
  if (j->size == 4)
    isa->sum_cols_f32(j->rows, j->cols, b, e, (const float *)j->x, (float *)j->out);
  else
    isa->sum_cols_f64(j->rows, j->cols, b, e, (const double *)j->x, (double *)j->out);
}

static void softmax_task(void *ctx, int part, int parts) {
  rows_job *j = (rows_job *)ctx;
  long b, e;
  long chunk = (j->rows + parts - 1) / parts;
  b = part * chunk;
  e = b + chunk < j->rows ? b + chunk : j->rows;
  if (b >= e) return;
  if (j->size == 4)
    isa->softmax_f32(b, e, j->cols, (const float *)j->x, (float *)j->out, j->log);
  else
    isa->softmax_f64(b, e, j->cols, (const double *)j->x, (double *)j->out, j->log);
}

/* x: rows x cols contiguous from xOff; out: `outCount` elements from outOff. */
static int rows_args(args_t *a, rows_job *j, long out_count_rows, long out_count_cols_or_all) {
  size_t xlen = 0, olen = 0;
  j->x = (const char *)float_array(a, 0, &j->size, &xlen);
  long xoff = lng(a, 1);
  j->rows = lng(a, 2);
  j->cols = lng(a, 3);
  j->out = (char *)array(a, 4, j->size ? j->size : 4, &olen);
  long ooff = lng(a, 5);
  if (a->failed) return 0;
  long count = out_count_rows ? j->rows : out_count_cols_or_all ? j->cols : j->rows * j->cols;
  if ((size_t)xoff + (size_t)j->rows * j->cols > xlen || (size_t)ooff + (size_t)count > olen) {
    fail(a, "paoding native: reduction out of range");
    return 0;
  }
  j->x += (size_t)xoff * j->size;
  j->out += (size_t)ooff * j->size;
  return 1;
}

static napi_value sum_rows(napi_env env, napi_callback_info cb) {
  args_t a;
  rows_job j = {0};
  if (!get_args(env, cb, &a) || !rows_args(&a, &j, 1, 0)) return 0;
  if (j.rows == 0) return 0;
  paoding_parallel(sum_rows_task, &j, chunks_for((double)j.rows * j.cols * 0.5, j.rows, 1));
  return 0;
}

static napi_value sum_cols(napi_env env, napi_callback_info cb) {
  args_t a;
  rows_job j = {0};
  if (!get_args(env, cb, &a) || !rows_args(&a, &j, 0, 1)) return 0;
  if (j.cols == 0) return 0;
  paoding_parallel(sum_cols_task, &j, chunks_for((double)j.rows * j.cols * 0.5, j.cols, 16));
  return 0;
}

/*
 * exponential(mt, state, n, out, outOff, scale): n draws of PyTorch's CPU `exponential_` from
 * paoding's Generator (src/tensor/random.ts), continuing its mt19937 stream: `mt` is its 624
 * words, state = [left, nextIndex], both updated as its own draws would. Per element one
 * uniform double u from two 32-bit draws and scale * log(1 - u) with the C library's log (the
 * function PyTorch calls), rounded to out's type. The JavaScript side uses this only after
 * checking that the C library's log agrees bit for bit with its rendering of glibc's.
 */
#define MT_N 624
#define MT_M 397
static uint32_t mt_twist(uint32_t u, uint32_t v) { return (((u & 0x80000000u) | (v & 0x7fffffffu)) >> 1) ^ ((v & 1u) ? 0x9908b0dfu : 0u); }
static void mt_next_state(uint32_t *mt) {
  int p = 0;
  for (; p < MT_N - MT_M; p++) mt[p] = mt[p + MT_M] ^ mt_twist(mt[p], mt[p + 1]);
  for (; p < MT_N - 1; p++) mt[p] = mt[p + MT_M - MT_N] ^ mt_twist(mt[p], mt[p + 1]);
  mt[p] = mt[p + MT_M - MT_N] ^ mt_twist(mt[p], mt[0]);
}
static inline uint32_t mt_draw(uint32_t *mt, long *left, long *next) {
  if (--*left == 0) {
    mt_next_state(mt);
    *left = MT_N;
    *next = 0;
  }
  uint32_t y = mt[(*next)++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

static napi_value exponential(napi_env env, napi_callback_info cb) {
  args_t a;
  napi_typedarray_type type;
  size_t mtlen = 0, slen = 0, olen = 0;
  void *mtp = 0;
  int osize = 0;
  if (!get_args(env, cb, &a)) return 0;
  if (a.argc < 6 || napi_get_typedarray_info(env, a.argv[0], &type, &mtlen, &mtp, 0, 0) != napi_ok || type != napi_uint32_array || mtlen != MT_N) {
    fail(&a, "paoding native: exponential expects the generator's 624-word Uint32Array");
    return 0;
  }
  double *st = (double *)array(&a, 1, 8, &slen);
  long n = lng(&a, 2);
  char *out = (char *)float_array(&a, 3, &osize, &olen);
  long ooff = lng(&a, 4);
  double scale = num(&a, 5);
  if (!a.failed && slen < 2) fail(&a, "paoding native: exponential expects [left, nextIndex]");
  if (!a.failed && (size_t)ooff + n > olen) fail(&a, "paoding native: exponential out of range");
  if (a.failed) return 0;
  long left = (long)st[0], next = (long)st[1];
  if (!(left >= 1 && left <= MT_N && next >= 0 && next <= MT_N && next + left - 1 <= MT_N)) {
    fail(&a, "paoding native: exponential: generator state out of range");
    return 0;
  }
  uint32_t *mt = (uint32_t *)mtp;
  for (long i = 0; i < n; i++) {
    uint32_t hi = mt_draw(mt, &left, &next);
    uint32_t lo = mt_draw(mt, &left, &next);
    double u = (double)(((uint64_t)(hi & 0x1fffffu) << 32) | lo) * 0x1p-53;
    double v = scale * log(1.0 - u);
    if (osize == 4)
      ((float *)out)[ooff + i] = (float)v;
    else
      ((double *)out)[ooff + i] = v;
  }
  st[0] = (double)left;
  st[1] = (double)next;
  return 0;
}

/* log(x, out): the C library's log, for the check above. */
static napi_value c_log(napi_env env, napi_callback_info cb) {
  args_t a;
  size_t xlen = 0, olen = 0;
  if (!get_args(env, cb, &a)) return 0;
  const double *x = (const double *)array(&a, 0, 8, &xlen);
  double *o = (double *)array(&a, 1, 8, &olen);
  if (!a.failed && olen < xlen) fail(&a, "paoding native: log out of range");
  if (a.failed) return 0;
  for (size_t i = 0; i < xlen; i++) o[i] = log(x[i]);
  return 0;
}

/* Softmax along the middle dim of [outer, size, inner] (softmax_cols) and the fused backward. */
typedef struct {
  int size, log;
  long outer, dim, inner, items;
  const char *x, *g;
  char *out;
} dim_job;

static void softmax_dim_task(void *ctx, int part, int parts) {
  dim_job *j = (dim_job *)ctx;
  long chunk = (j->items + parts - 1) / parts;
  long b = part * chunk, e = b + chunk < j->items ? b + chunk : j->items;
  if (b >= e) return;
  if (j->g == 0) {
    if (j->size == 4)
      isa->softmax_cols_f32(b, e, j->dim, j->inner, (const float *)j->x, (float *)j->out, j->log);
    else
      isa->softmax_cols_f64(b, e, j->dim, j->inner, (const double *)j->x, (double *)j->out, j->log);
  } else if (j->size == 4) {
    isa->softmax_bwd_f32(b, e, j->dim, j->inner, (const float *)j->x, (const float *)j->g, (float *)j->out, j->log);
  } else {
    isa->softmax_bwd_f64(b, e, j->dim, j->inner, (const double *)j->x, (const double *)j->g, (double *)j->out, j->log);
  }
}

/* Reads (outer, size, inner) at `at`, then out, outOff, log; checks every range. */
static int dim_args(args_t *a, dim_job *j, size_t at, size_t xlen, long xoff, size_t glen, long goff) {
  j->outer = lng(a, at);
  j->dim = lng(a, at + 1);
  j->inner = lng(a, at + 2);
  size_t olen = 0;
  j->out = (char *)array(a, at + 3, j->size, &olen);
  long ooff = lng(a, at + 4);
  bool lg = false;
  if (a->argc > at + 5) napi_get_value_bool(a->env, a->argv[at + 5], &lg);
  j->log = lg;
  if (a->failed) return 0;
  size_t n = (size_t)j->outer * j->dim * j->inner;
  if ((size_t)xoff + n > xlen || (size_t)ooff + n > olen || (j->g && (size_t)goff + n > glen)) {
    fail(a, "paoding native: softmax out of range");
    return 0;
  }
  j->x += (size_t)xoff * j->size;
  if (j->g) j->g += (size_t)goff * j->size;
  j->out += (size_t)ooff * j->size;
  j->items = j->inner == 1 ? j->outer : j->outer * ((j->inner + 255) / 256);
  return n > 0;
}

/* softmaxDim(x, xOff, outer, size, inner, out, outOff, log): along the middle dim, inner > 1. */
static napi_value softmax_dim(napi_env env, napi_callback_info cb) {
  args_t a;
  dim_job j = {0};
  size_t xlen = 0;
  if (!get_args(env, cb, &a)) return 0;
  j.x = (const char *)float_array(&a, 0, &j.size, &xlen);
  long xoff = lng(&a, 1);
  if (a.failed || !dim_args(&a, &j, 2, xlen, xoff, 0, 0)) return 0;
  if (j.inner < 2) {
    fail(&a, "paoding native: softmaxDim needs inner > 1 (use softmax for rows)");
    return 0;
  }
  paoding_parallel(softmax_dim_task, &j, chunks_for((double)j.outer * j.dim * j.inner * 10.0, j.items, 1));
  return 0;
}

/* softmaxBackward(y, yOff, g, gOff, outer, size, inner, out, outOff, log). */
static napi_value softmax_backward(napi_env env, napi_callback_info cb) {
  args_t a;
  dim_job j = {0};
  size_t ylen = 0, glen = 0;
  if (!get_args(env, cb, &a)) return 0;
  j.x = (const char *)float_array(&a, 0, &j.size, &ylen);
  long yoff = lng(&a, 1);
  j.g = (const char *)array(&a, 2, j.size ? j.size : 4, &glen);
  long goff = lng(&a, 3);
  if (a.failed || !dim_args(&a, &j, 4, ylen, yoff, glen, goff)) return 0;
  paoding_parallel(softmax_dim_task, &j, chunks_for((double)j.outer * j.dim * j.inner * (j.log ? 8.0 : 3.0), j.items, 1));
  return 0;
}

static napi_value softmax(napi_env env, napi_callback_info cb) {
  args_t a;
  rows_job j = {0};
  if (!get_args(env, cb, &a) || !rows_args(&a, &j, 0, 0)) return 0;
  bool lg = false;
  if (a.argc > 6) napi_get_value_bool(env, a.argv[6], &lg);
  j.log = lg;
  if (j.rows == 0 || j.cols == 0) return 0;
  paoding_parallel(softmax_task, &j, chunks_for((double)j.rows * j.cols * 10.0, j.rows, 1));
  return 0;
}

/* ---- optimizers --------------------------------------------------------------------------- */

typedef struct {
  int kind, size; /* kind: 0 sgd, 1 sgd with momentum, 2 adam */
  long n;
  char *p[5];     /* param, grad, then state (momentum buffer; or exp_avg, exp_avg_sq, max_exp_avg_sq) */
  const double *s;
} optim_job;

static void optim_task(void *ctx, int part, int parts) {
  optim_job *j = (optim_job *)ctx;
  long b, e;
  split(j->n, part, parts, &b, &e);
  if (b >= e) return;
  char *q[5];
  for (int i = 0; i < 5; i++) q[i] = j->p[i] ? j->p[i] + (size_t)b * j->size : 0;
  if (j->kind < 2) {
    if (j->size == 4)
      isa->optim.sgd_f32(e - b, (float *)q[0], (const float *)q[1], (float *)q[2], j->s);
    else
      isa->optim.sgd_f64(e - b, (double *)q[0], (const double *)q[1], (double *)q[2], j->s);
  } else if (j->size == 4) {
    isa->optim.adam_f32(e - b, (float *)q[0], (const float *)q[1], (float *)q[2], (float *)q[3], (float *)q[4], j->s);
  } else {
    isa->optim.adam_f64(e - b, (double *)q[0], (const double *)q[1], (double *)q[2], (double *)q[3], (double *)q[4], j->s);
  }
}

/* optim(kind, n, scalars, P, pOff, G, gOff, [S1, s1Off, [S2, s2Off, S3|null, s3Off]]) */
static napi_value optim(napi_env env, napi_callback_info cb) {
  args_t a;
  if (!get_args(env, cb, &a)) return 0;
  optim_job j = {0};
  j.kind = (int)lng(&a, 0);
  j.n = lng(&a, 1);
  size_t slen = 0;
  j.s = (const double *)array(&a, 2, 8, &slen);
  if (!a.failed && (j.kind < 0 || j.kind > 2 || slen < 13)) fail(&a, "paoding native: bad optimizer call");
  int operands = j.kind == 0 ? 2 : j.kind == 1 ? 3 : 5;
  for (int i = 0; i < operands && !a.failed; i++) {
    if (i == 4 && is_null(&a, 3 + 2 * i)) break;
    size_t len = 0;
    char *d = i == 0 ? (char *)float_array(&a, 3, &j.size, &len) : (char *)array(&a, 3 + 2 * i, j.size, &len);
    long off = lng(&a, 4 + 2 * i);
    if (!a.failed && (size_t)off + (size_t)j.n > len) fail(&a, "paoding native: optimizer operand out of range");
    j.p[i] = d ? d + (size_t)off * j.size : 0;
  }
  if (a.failed || j.n == 0) return 0;
  paoding_parallel(optim_task, &j, chunks_for((double)j.n * (j.kind == 2 ? 4.0 : 1.5), j.n, 4096));
  return 0;
}

/* ---- configuration ------------------------------------------------------------------------ */

static napi_value make_string(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

static napi_value make_number(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

static napi_value info(napi_env env, napi_callback_info cb) {
  (void)cb;
  napi_value o, list;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "isa", make_string(env, isa->name));
  napi_set_named_property(env, o, "bestIsa", make_string(env, best_isa->name));
  napi_create_array(env, &list);
  uint32_t count = 0;
  for (int i = 0; i < N_ISAS; i++)
    if (isa_supported(all_isas[i])) napi_set_element(env, list, count++, make_string(env, all_isas[i]->name));
  napi_set_named_property(env, o, "isas", list);
  napi_set_named_property(env, o, "threads", make_number(env, paoding_threads()));
  napi_set_named_property(env, o, "maxThreads", make_number(env, paoding_max_threads()));
  napi_set_named_property(env, o, "parallelWork", make_number(env, parallel_work));
  napi_set_named_property(env, o, "streamBytes", make_number(env, PAODING_STREAM ? stream_bytes : INFINITY));
  napi_set_named_property(env, o, "kernels", make_number(env, PAODING_KERNEL_COUNT));
  long c[6];
  paoding_pool_counts(c);
  napi_value pc;
  napi_create_object(env, &pc);
  static const char *const names[6] = {"parallel", "hurt", "absent", "backoffs", "inlineWhileBackedOff", "wakeups"};
  for (int i = 0; i < 6; i++) napi_set_named_property(env, pc, names[i], make_number(env, (double)c[i]));
  napi_set_named_property(env, o, "pool", pc);
  return o;
}

static napi_value keys(napi_env env, napi_callback_info cb) {
  (void)cb;
  napi_value list;
  napi_create_array_with_length(env, PAODING_KERNEL_COUNT, &list);
  for (uint32_t i = 0; i < PAODING_KERNEL_COUNT; i++) napi_set_element(env, list, i, make_string(env, infos[i].key));
  return list;
}

static napi_value set_isa(napi_env env, napi_callback_info cb) {
  args_t a;
  if (!get_args(env, cb, &a)) return 0;
  char name[32] = {0};
  size_t len = 0;
  napi_value ok;
  const paoding_isa *want = 0;
  if (a.argc > 0 && napi_get_value_string_utf8(env, a.argv[0], name, sizeof name, &len) == napi_ok) want = isa_named(name);
  int done = want && isa_supported(want);
  if (done) isa = want;
  napi_get_boolean(env, done, &ok);
  return ok;
}

/* A setting that takes a non-negative number (a negative one leaves it); returns the value in effect. */
static napi_value set_nonnegative(napi_env env, napi_callback_info cb, double *setting) {
  args_t a;
  if (!get_args(env, cb, &a)) return 0;
  double v = num(&a, 0);
  if (a.failed) return 0;
  if (v >= 0) *setting = v;
  return make_number(env, *setting);
}

/* setStreamBytes(b): outputs of at least b bytes are written with streaming stores (Infinity: never). */
static napi_value set_stream_bytes(napi_env env, napi_callback_info cb) { return set_nonnegative(env, cb, &stream_bytes); }

static napi_value set_threads(napi_env env, napi_callback_info cb) {
  args_t a;
  if (!get_args(env, cb, &a)) return 0;
  long n = lng(&a, 0);
  if (a.failed) return 0;
  return make_number(env, paoding_set_threads((int)(n > 1024 ? 1024 : n)));
}

static napi_value set_parallel_work(napi_env env, napi_callback_info cb) { return set_nonnegative(env, cb, &parallel_work); }

/* ---- the C library's allocator -------------------------------------------------------------
 *
 * Node allocates ArrayBuffers with malloc. glibc serves large requests (above 32 MiB always,
 * above 128 KiB until its threshold adapts) with fresh mmaps and unmaps them on free, so every
 * large tensor starts as untouched pages and its first write faults each 4 KiB page in: 60-70 ms
 * for a 64 MiB output here, against 12 ms to copy it. keepFreedMemory(true) makes glibc serve
 * them from its heap instead and keep what is freed (no mmap, no trim below 1 GiB), so the
 * memory of tensors the garbage collector freed is reused warm: a caching allocator for every
 * size, with the garbage collector's timing. The price is that the process keeps its peak
 * heap; releaseMemory() (malloc_trim) returns the free part to the system. Other C libraries:
 * both return false and nothing changes. */
static napi_value keep_freed_memory(napi_env env, napi_callback_info cb) {
  size_t argc = 1;
  napi_value argv[1], r;
  bool on = true;
  napi_get_cb_info(env, cb, &argc, argv, 0, 0);
  if (argc >= 1) napi_get_value_bool(env, argv[0], &on);
  bool ok = false;
#ifdef __GLIBC__
  if (on) ok = mallopt(M_MMAP_MAX, 0) && mallopt(M_TRIM_THRESHOLD, 1 << 30);
  else ok = mallopt(M_MMAP_MAX, 65536) && mallopt(M_TRIM_THRESHOLD, 128 * 1024) && mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
  napi_get_boolean(env, ok, &r);
  return r;
}

static napi_value release_memory(napi_env env, napi_callback_info cb) {
  (void)cb;
  bool ok = false;
#ifdef __GLIBC__
  malloc_trim(0);
  ok = true;
#endif
  napi_value r;
  napi_get_boolean(env, ok, &r);
  return r;
}

#define EXPORT(name, fn)                                                              \
  do {                                                                                \
    napi_value f;                                                                     \
    if (napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, 0, &f) != napi_ok) return 0; \
    napi_set_named_property(env, exports, name, f);                                   \
  } while (0)

NAPI_MODULE_INIT() {
  pick_isa();
  EXPORT("info", info);
  EXPORT("keys", keys);
  EXPORT("setIsa", set_isa);
  EXPORT("setThreads", set_threads);
  EXPORT("setParallelWork", set_parallel_work);
  EXPORT("setStreamBytes", set_stream_bytes);
  EXPORT("ew", ew);
  EXPORT("gemm", gemm);
  EXPORT("convert", convert);
  EXPORT("sumRows", sum_rows);
  EXPORT("sumCols", sum_cols);
  EXPORT("softmax", softmax);
  EXPORT("softmaxDim", softmax_dim);
  EXPORT("softmaxBackward", softmax_backward);
  EXPORT("exponential", exponential);
  EXPORT("log", c_log);
  EXPORT("ewRows", ew_rows);
  EXPORT("optim", optim);
  EXPORT("keepFreedMemory", keep_freed_memory);
  EXPORT("releaseMemory", release_memory);
  return exports;
}
