/// <reference types="node" />
/**
 * The machine's copy bandwidth, the yardstick of a memory-bound activation:
 * `Float32Array.prototype.set` (a memcpy) of n float32 values, on the main thread (1 thread) or
 * split between worker threads over a SharedArrayBuffer (each copies its share `reps` times;
 * the time runs until the last one is done).
 *
 * NOTE: no barrier between reps: a spinning barrier with as many threads as cores collapses
 * when other processes take a core (a descheduled worker costs the other a whole time slice,
 * measured 8 ms per rep on this 2-core machine under load).
 */
import { Worker } from 'node:worker_threads';
import { measure, syncLoop, type Timing, type TimingPlan } from './timing.js';

/**
 * Source and destination in one buffer, the destination 64 bytes past the end of the source.
 *
 * NOTE: not two separate arrays: copying 2^16 float32 values into an array allocated *after*
 * its source ran at 3.4 GB/s on the development machine, against 55-58 GB/s allocated the other
 * way round or in one buffer (glibc's memmove on this CPU); the yardstick is the copy at its best.
 */
function pair(buffer: ArrayBufferLike, n: number): { src: Float32Array; dst: Float32Array } {
  return { src: new Float32Array(buffer, 0, n), dst: new Float32Array(buffer, 4 * n + 64, n) };
}

/** Seconds per copy of n float32 values on one thread. */
export async function copyOneThread(n: number, plan: TimingPlan): Promise<Timing> {
  const { src, dst } = pair(new ArrayBuffer(8 * n + 64), n);
  src.fill(1);
  return measure(
    syncLoop(() => dst.set(src)),
    plan,
  );
}

// Control block (Int32Array): [0] job generation (-1: exit), [1] reps, [3] workers done.
const WORKER = `
const { workerData } = require('node:worker_threads');
const { ctl, buffer, n, index, count } = workerData;
const c = new Int32Array(ctl);
const lo = Math.floor((n * index) / count), hi = Math.floor((n * (index + 1)) / count);
const s = new Float32Array(buffer, lo * 4, hi - lo), d = new Float32Array(buffer, 4 * n + 64 + lo * 4, hi - lo);
let gen = 0;
for (;;) {
  Atomics.wait(c, 0, gen);
  gen = Atomics.load(c, 0);
  if (gen < 0) break;
  const reps = Atomics.load(c, 1);
  for (let r = 0; r < reps; r++) d.set(s);
  Atomics.add(c, 3, 1);
  Atomics.notify(c, 3);
}
`;

/** Seconds per parallel copy of n float32 values by `threads` workers. */
export async function copyThreads(n: number, threads: number, plan: TimingPlan): Promise<Timing> {
  const ctl = new SharedArrayBuffer(16);
  const c = new Int32Array(ctl);
  const buffer = new SharedArrayBuffer(8 * n + 64);
  pair(buffer, n).src.fill(1);
  const workers = Array.from({ length: threads }, (_, index) => new Worker(WORKER, { eval: true, workerData: { ctl, buffer, n, index, count: threads } }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('online', resolve))));
  try {
    return await measure((reps) => {
      const t0 = performance.now();
      Atomics.store(c, 1, reps);
      Atomics.store(c, 3, 0);
      Atomics.add(c, 0, 1);
      Atomics.notify(c, 0);
      for (let done = 0; done < threads; done = Atomics.load(c, 3)) Atomics.wait(c, 3, done, 1000);
      return (performance.now() - t0) / 1000;
    }, plan);
  } finally {
    Atomics.store(c, 0, -1);
    Atomics.notify(c, 0);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Copy time on `threads` threads (the main thread for 1). */
export function copyTime(n: number, threads: number, plan: TimingPlan): Promise<Timing> {
  return threads <= 1 ? copyOneThread(n, plan) : copyThreads(n, threads, plan);
}
