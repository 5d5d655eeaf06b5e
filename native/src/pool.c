/*
 * pool.c: a small thread pool for the kernels. At most (cores - 1) workers, plus the calling
 * (JavaScript) thread, which always works too: threads never outnumber cores.
 *
 * A job is split into `parts` chunks (usually a few per thread), which every thread claims one at
 * a time from a shared counter, the caller included. So when the machine is busy and a worker is
 * not scheduled, the caller simply takes the remaining chunks itself instead of waiting: a job is
 * never slower than about one thread's time plus one chunk. The counter carries the job's
 * generation in its high half, and a chunk is claimed by compare-and-swap, so a worker that wakes
 * late can never take a chunk of a newer job with the fields of an older one.
 *
 * When the caller keeps waiting for a descheduled worker (a busy machine: other processes want the
 * cores), the pool backs off to the calling thread alone for a while (20-320 ms, see back_off),
 * then tries threads again.
 *
 * Idle workers spin on the generation for a while (SPIN_NS: back-to-back kernel calls hand off in
 * a fraction of a microsecond) and then sleep on a condition variable (a wake-up then costs tens
 * of microseconds or more, which the size thresholds in addon.c account for).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "paoding.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield")
#else
#define cpu_relax() ((void)0)
#endif

#define MAX_THREADS 64

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}
/*
 * How long an idle worker spins before it sleeps. A sleeping worker's wake-up is slow where it
 * matters: on this 2-vCPU VM an idle vCPU halts, and the first product of a training step after
 * the optimizer's update (about 1 ms without parallel work) found the worker asleep in most steps
 * and ran alone while it woke (20000 pauses, about 0.6 ms here, had been the spin).
 * OpenMP runtimes spin for similar or longer times (libgomp's default spin count, Intel's 200 ms
 * KMP_BLOCKTIME).
 */
#define SPIN_NS 3000000 /* 3 ms */

static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  /* (generation << 32) | next chunk to claim */
  _Atomic uint64_t state;
  atomic_int done;
  atomic_int sleepers;
  atomic_flag busy;
  paoding_task_fn task;
  void *ctx;
  int parts;
  int started; /* workers running */
  int threads; /* threads to use, the caller included */
  int max_threads;
  void *scratch[MAX_THREADS];
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, ATOMIC_FLAG_INIT, 0, 0, 0, 0, 0, 0, {0}};

static _Thread_local int thread_slot = 0; /* 0: the caller; 1..: workers (for the GEMM scratch) */

static int cores(void) {
#ifdef CPU_COUNT
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int c = CPU_COUNT(&set);
    if (c > 0) return c;
  }
#endif
  long c = sysconf(_SC_NPROCESSORS_ONLN);
  return c > 0 ? (int)c : 1;
}

static void init_counts(void) {
  if (pool.max_threads) return;
  int c = cores();
  if (c > MAX_THREADS) c = MAX_THREADS;
  pool.max_threads = c;
  pool.threads = c;
  const char *env = getenv("PAODING_NUM_THREADS");
  if (env && *env) {
    int want = atoi(env);
    if (want >= 1) pool.threads = want < c ? want : c;
  }
}

/* Claim and run chunks of job `gen` until none is left (or a newer job replaced it); returns how many it ran. */
static int run_chunks(uint32_t gen) {
  int ran = 0;
  for (;;) {
    uint64_t s = atomic_load_explicit(&pool.state, memory_order_acquire);
    if ((uint32_t)(s >> 32) != gen) return ran;
    uint32_t index = (uint32_t)s;
    paoding_task_fn task = pool.task;
    void *ctx = pool.ctx;
    int parts = pool.parts;
    if (index >= (uint32_t)parts) return ran;
    if (!atomic_compare_exchange_weak_explicit(&pool.state, &s, s + 1, memory_order_acq_rel, memory_order_acquire)) continue;
    task(ctx, (int)index, parts);
    ran++;
    atomic_fetch_add_explicit(&pool.done, 1, memory_order_release);
  }
}

static void *worker(void *arg) {
  thread_slot = (int)(intptr_t)arg;
  uint32_t seen = 0;
  for (;;) {
    uint32_t g;
    int spins = 0;
    int64_t spin_start = 0;
    while ((g = (uint32_t)(atomic_load_explicit(&pool.state, memory_order_acquire) >> 32)) == seen) {
      /* The clock is read every 64 pauses (about 2 us here). */
      if ((++spins & 63) != 0 || (spin_start == 0 ? (spin_start = now_ns(), 1) : now_ns() - spin_start < SPIN_NS)) {
        cpu_relax();
        continue;
      }
      pthread_mutex_lock(&pool.mu);
      atomic_fetch_add(&pool.sleepers, 1);
      while ((uint32_t)(atomic_load(&pool.state) >> 32) == seen) pthread_cond_wait(&pool.cv, &pool.mu);
      atomic_fetch_sub(&pool.sleepers, 1);
      pthread_mutex_unlock(&pool.mu);
      spins = 0;
      spin_start = 0;
    }
    seen = g;
    run_chunks(g);
  }
  return 0;
}

/* Start workers up to threads - 1 (they are never stopped: they sleep when idle). */
static void ensure_workers(int want) {
  while (pool.started < want - 1) {
    pthread_attr_t attr;
    pthread_t tid;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int slot = pool.started + 1;
    int ok = pthread_create(&tid, &attr, worker, (void *)(intptr_t)slot) == 0;
    pthread_attr_destroy(&attr);
    if (!ok) break;
    pool.started++;
  }
}

int paoding_max_threads(void) {
  init_counts();
  return pool.max_threads;
}

int paoding_threads(void) {
  init_counts();
  return pool.threads;
}

int paoding_set_threads(int n) {
  init_counts();
  if (n < 1) n = 1;
  if (n > pool.max_threads) n = pool.max_threads;
  pool.threads = n;
  return n;
}

/*
 * Back-off on a busy machine. After each job the caller sorts it by its own time per chunk times
 * the chunks (what the job would have taken alone):
 * - helped: threads saved at least 15 %;
 * - absent: the caller ran every chunk itself (no worker was scheduled in time). The job took
 *   what it takes alone, so this costs nothing but the wake-up, and alone it is no evidence;
 * - hurt: otherwise (threads saved less than 15 %: the caller waited for a worker's chunk).
 * Three hurt jobs in a row, or 16 absent ones (another process holds the other cores), and jobs run
 * on the calling thread alone for a while: 20 ms, doubling up to 320 ms while the tries after it
 * fail again; a helped job resets both. (A fixed 200 ms had kept a training step on one thread
 * for most of its steps here: the second vCPU of this 2-core VM is descheduled for a few ms now
 * and then, three absent products in a row, then 200 ms of one thread.)
 */
#define BACKOFF_MIN_NS 20000000 /* 20 ms */
#define BACKOFF_MAX_NS 320000000
#define HURT_LIMIT 3
#define ABSENT_LIMIT 16
static int64_t backoff_until = 0;
static int64_t backoff_ns = BACKOFF_MIN_NS;
static int hurt_run = 0, absent_run = 0;
/* Counters for info(), in paoding_pool_counts' order; changed only by the caller holding the pool. */
enum { C_PARALLEL, C_HURT, C_ABSENT, C_BACKOFFS, C_INLINE_BACKED_OFF, C_WAKEUPS, C_COUNT };
static long counts[C_COUNT];

void paoding_pool_counts(long out[6]) {
  for (int i = 0; i < C_COUNT; i++) out[i] = counts[i];
}

static void back_off(int64_t now) {
  counts[C_BACKOFFS]++;
  backoff_until = now + backoff_ns;
  backoff_ns = backoff_ns * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : backoff_ns * 2;
  hurt_run = absent_run = 0;
}

void paoding_parallel(paoding_task_fn task, void *ctx, int parts) {
  init_counts();
  /* One thread, one part, or another thread (a worker_threads Worker) is using the pool: inline. */
  if (parts <= 1 || pool.threads <= 1 || atomic_flag_test_and_set(&pool.busy)) {
    for (int i = 0; i < parts; i++) task(ctx, i, parts);
    return;
  }
  int64_t start = now_ns();
  if (start < backoff_until) {
    counts[C_INLINE_BACKED_OFF]++;
    atomic_flag_clear(&pool.busy);
    for (int i = 0; i < parts; i++) task(ctx, i, parts);
    return;
  }
  ensure_workers(pool.threads);
  pool.task = task;
  pool.ctx = ctx;
  pool.parts = parts;
  atomic_store_explicit(&pool.done, 0, memory_order_relaxed);
  uint32_t gen = (uint32_t)(atomic_load(&pool.state) >> 32) + 1;
  if (gen == 0) gen = 1; /* 0 is what a new worker has seen */
  atomic_store(&pool.state, (uint64_t)gen << 32); /* seq_cst: pairs with the sleepers' check */
  counts[C_PARALLEL]++;
  if (atomic_load(&pool.sleepers) > 0) {
    counts[C_WAKEUPS]++;
    pthread_mutex_lock(&pool.mu);
    pthread_cond_broadcast(&pool.cv);
    pthread_mutex_unlock(&pool.mu);
  }
  int mine = run_chunks(gen);
  int64_t own = now_ns();
  while (atomic_load_explicit(&pool.done, memory_order_acquire) < parts) cpu_relax();
  int64_t end = now_ns();
  if (mine == parts) {
    counts[C_ABSENT]++;
    if (++absent_run >= ABSENT_LIMIT) back_off(end);
  } else if (mine > 0) {
    /* Alone it would have taken about (own - start) / mine * parts. */
    double alone = (double)(own - start) / mine * parts;
    if ((double)(end - start) * 1.15 > alone) {
      counts[C_HURT]++;
      absent_run = 0;
      if (++hurt_run >= HURT_LIMIT) back_off(end);
    } else {
      hurt_run = absent_run = 0;
      backoff_ns = BACKOFF_MIN_NS;
    }
  }
  atomic_flag_clear(&pool.busy);
}

int paoding_thread_slot(void) { return thread_slot; }

/*
 * GEMM scratch. Workers (slots 1..) each own one buffer. Slot 0 is "the calling thread", and
 * there may be several: every Node worker_thread that uses the addon calls in on its own thread,
 * and while one of them holds the pool the others run inline. So the callers' scratch is per
 * thread (a pthread key, freed when the thread exits), never shared.
 */
static pthread_key_t caller_key;
static pthread_once_t caller_once = PTHREAD_ONCE_INIT;
static void make_caller_key(void) { pthread_key_create(&caller_key, free); }

void *paoding_gemm_scratch(int slot) {
  if (slot < 0 || slot >= MAX_THREADS) return 0;
  if (slot == 0) {
    pthread_once(&caller_once, make_caller_key);
    void *p = pthread_getspecific(caller_key);
    if (!p) {
      if (posix_memalign(&p, 64, PAODING_GEMM_SCRATCH) != 0) return 0;
      pthread_setspecific(caller_key, p);
    }
    return p;
  }
  if (!pool.scratch[slot]) {
    void *p = 0;
    if (posix_memalign(&p, 64, PAODING_GEMM_SCRATCH) != 0) return 0;
    pool.scratch[slot] = p;
  }
  return pool.scratch[slot];
}
