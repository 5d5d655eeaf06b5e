/**
 * Threads for the wasm backend: a pool of workers running the same kernel modules over the
 * same shared memory, each on its own staging regions, the main thread running one slice too.
 *
 * Protocol: a control block (`Int32Array` over a SharedArrayBuffer) holds a job sequence
 * number the workers wait on, a completion counter the main thread waits on, the kernel id and
 * the argument count; each worker's kernel arguments are in a `Float64Array` over the same
 * block. A kernel module is posted to a worker once (before the first job that uses it); a
 * worker that meets an unknown kernel id pulls the pending message synchronously
 * (`receiveMessageOnPort`). Workers spin briefly after a job, then sleep in `Atomics.wait`.
 *
 * Only Node is supported for now: `worker_threads` is loaded by a dynamic import the first time
 * a large job comes (single-threaded execution runs until the pool is up, and wherever it
 * cannot start). In browsers the main thread cannot `Atomics.wait`; a pool there needs cross-
 * origin isolation and an asynchronous wait, left for later.
 *
 * With staging, only the main thread can read the tensors' storage, so it stages every slice
 * and the workers compute: threads pay for compute-bound (transcendental) kernels only.
 */

/** Tunables. */
export const threadConfig = {
  /**
   * Total threads including the main thread (0: one per core, at most 4; 1: no pool). Off by
   * default until measured on an otherwise idle machine: on a 2-core machine with another job
   * running, a second thread made sigmoid 2x slower (the kernel waits for the descheduled one).
   */
  threads: 1,
  /** Below this many elements a job runs on the main thread alone. */
  minElements: 1 << 17,
  /** Elements per thread per round (each round: stage all slices, run, copy all out). */
  slice: 1 << 16,
  /** Iterations a worker spins on the sequence number before sleeping. */
  spin: 2000,
};

const MAX_ARGS = 32;

interface WorkerLike {
  postMessage(message: unknown): void;
  unref(): void;
  terminate(): Promise<number>;
}

export interface Pool {
  /** Threads including the main thread. */
  size: number;
  workers: WorkerLike[];
  ctrl: Int32Array;
  args: Float64Array;
  /** Kernel ids each worker has instantiated (posted). */
  known: Set<number>[];
}

let pool: Pool | null | undefined;
let starting = false;

/** The worker's code (CommonJS, evaluated by `new Worker(code, { eval: true })`). */
const WORKER = `
const { parentPort, receiveMessageOnPort, workerData } = require('node:worker_threads');
const { sab, index, mem, spin } = workerData;
const ctrl = new Int32Array(sab);
const args = new Float64Array(sab, 64);
const kernels = new Map();
let seq = 0;
for (;;) {
  let n = 0;
  while (Atomics.load(ctrl, 0) === seq && n++ < spin);
  if (Atomics.load(ctrl, 0) === seq) Atomics.wait(ctrl, 0, seq);
  seq = Atomics.load(ctrl, 0);
  if (ctrl[4] === 1) break;
  const id = ctrl[2];
  let fn = kernels.get(id);
  while (fn === undefined) {
    const m = receiveMessageOnPort(parentPort);
    if (m === undefined) throw new Error('paoding wasm worker: kernel ' + id + ' was not posted');
    kernels.set(m.message.id, new WebAssembly.Instance(m.message.module, { env: { mem } }).exports.k);
    fn = kernels.get(id);
  }
  const count = ctrl[3];
  const base = index * ${MAX_ARGS};
  const a = new Array(count);
  for (let j = 0; j < count; j++) a[j] = args[base + j];
  if (a[0] > 0) fn(...a);
  Atomics.add(ctrl, 1, 1);
  Atomics.notify(ctrl, 1);
}
`;

/** Whether this is Node (checked without naming Node-only globals directly). */
function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/**
 * The pool if it is running; otherwise start it in the background (Node only) and return
 * undefined, so that this job runs single-threaded.
 */
export function getPool(memory: WebAssembly.Memory, shared: boolean): Pool | undefined {
  if (threadConfig.threads === 1) return undefined;
  if (pool !== undefined) return pool ?? undefined;
  if (starting) return undefined;
  if (!shared || !isNode()) {
    pool = null;
    return undefined;
  }
  starting = true;
  // A non-literal specifier keeps bundlers from resolving the Node-only modules for browsers.
  const wtName = 'node:worker_threads';
  const osName = 'node:os';
  void Promise.all([import(wtName), import(osName)])
    .then(([wt, os]: [{ Worker: new (code: string, opts: object) => WorkerLike }, { availableParallelism?: () => number; cpus: () => unknown[] }]) => {
      const cores = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
      const size = threadConfig.threads > 0 ? threadConfig.threads : Math.min(cores, 4);
      if (size < 2) {
        pool = null;
        return;
      }
      const sab = new SharedArrayBuffer(64 + 8 * MAX_ARGS * size);
      const workers: WorkerLike[] = [];
      for (let i = 1; i < size; i++) {
        const w = new wt.Worker(WORKER, { eval: true, workerData: { sab, index: i, mem: memory, spin: threadConfig.spin } });
        w.unref();
        workers.push(w);
      }
      pool = { size, workers, ctrl: new Int32Array(sab, 0, 16), args: new Float64Array(sab, 64), known: workers.map(() => new Set<number>()) };
    })
    .catch(() => {
      pool = null;
    })
    .finally(() => {
      starting = false;
    });
  return undefined;
}

/**
 * Run one kernel on every thread: `argsOf(t)` gives thread t's arguments (t = 0 is the main
 * thread, which runs `fn` itself). Returns when all are done.
 */
export function runParallel(p: Pool, id: number, module: WebAssembly.Module, fn: (...a: number[]) => void, argsOf: (t: number) => number[]): void {
  const count = argsOf(0).length;
  for (let w = 0; w < p.workers.length; w++) {
    if (!p.known[w]!.has(id)) {
      p.workers[w]!.postMessage({ id, module });
      p.known[w]!.add(id);
    }
    const a = argsOf(w + 1);
    for (let j = 0; j < count; j++) p.args[(w + 1) * MAX_ARGS + j] = a[j]!;
  }
  const { ctrl } = p;
  ctrl[2] = id;
  ctrl[3] = count;
  Atomics.store(ctrl, 1, 0);
  Atomics.add(ctrl, 0, 1);
  Atomics.notify(ctrl, 0);
  const mine = argsOf(0);
  if (mine[0]! > 0) fn(...mine);
  const n = p.workers.length;
  let spins = 0;
  let waited = 0;
  for (;;) {
    const done = Atomics.load(ctrl, 1);
    if (done >= n) break;
    if (spins++ < threadConfig.spin) continue;
    if (Atomics.wait(ctrl, 1, done, 50) === 'timed-out' && (waited += 50) > 30000) {
      throw new Error('wasm backend: a worker thread did not answer within 30 s');
    }
  }
}

/** Stop the workers (tests; the workers do not keep the process alive anyway). */
export async function stopPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  if (!p) return;
  p.ctrl[4] = 1;
  Atomics.add(p.ctrl, 0, 1);
  Atomics.notify(p.ctrl, 0);
  await Promise.all(p.workers.map((w) => w.terminate()));
}

/** Wait until the pool has started (or failed to); for tests and benchmarks. */
export async function poolReady(memory: WebAssembly.Memory, shared: boolean): Promise<Pool | undefined> {
  if (getPool(memory, shared) !== undefined) return pool ?? undefined;
  while (starting) await new Promise((r) => setTimeout(r, 5));
  return pool ?? undefined;
}
