/// <reference types="node" />
/**
 * Each JavaScript implementation measured in a worker thread of its own: a fresh V8 isolate with
 * only that library loaded, as PyTorch runs in a process of its own. In one shared isolate, the
 * heaps that the libraries measured before leave behind (TensorFlow.js's, onnxruntime's, the
 * harness's results) make every garbage collection of the ones measured after slower, and which
 * library pays depends on the order of the runners, not on the library.
 *
 * The worker (worker.ts) rebuilds the cases from their names, reads the inputs from shared
 * memory, runs the runner and streams its results and log lines back.
 */
import { Worker } from 'node:worker_threads';
import type { PeerStatus, RunContext } from './peers.js';
import type { Result } from './results.js';

/** Which runner a worker runs, with its argument. */
export type RunnerSpec =
  | { kind: 'paoding'; backend: string }
  | { kind: 'ort'; flavour: 'node' | 'web' }
  | { kind: 'tfjs'; backend: 'cpu' | 'wasm'; read: boolean }
  | { kind: 'copy' };

/** What the worker gets (everything cloneable; the inputs in shared memory). */
export interface WorkerInput {
  spec: RunnerSpec;
  cases: string[];
  sizes: number[];
  dirs: RunContext['dirs'];
  threads: number[];
  plan: RunContext['plan'];
  x: Float32Array;
  g: Float32Array;
}

/** Messages from the worker. */
export type WorkerMessage =
  | { type: 'record'; result: Result }
  | { type: 'log'; message: string }
  | { type: 'done'; status: PeerStatus | PeerStatus[] }
  | { type: 'error'; message: string };

/** A Float32Array's values in shared memory (so that the workers read them without a copy each). */
export function shared(a: Float32Array): Float32Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const s = new Float32Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

/**
 * A worker on the module next to this one: worker.js when built; worker.ts when the sources run
 * under tsx (`npm run bench`), whose loader a worker does not inherit, so a small bootstrap
 * registers it first.
 */
function startWorker(workerData: WorkerInput): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { workerData });
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./worker.ts', import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData });
}

/** Run `spec` in a worker over `ctx`'s cases, sizes and inputs; resolves with its status. */
export function runIsolated(ctx: RunContext, spec: RunnerSpec): Promise<PeerStatus | PeerStatus[]> {
  const input: WorkerInput = {
    spec,
    cases: ctx.cases.map((c) => c.name),
    sizes: ctx.sizes,
    dirs: ctx.dirs,
    threads: ctx.threads,
    plan: ctx.plan,
    x: shared(ctx.x),
    g: shared(ctx.g),
  };
  return new Promise((resolveRun, rejectRun) => {
    const worker = startWorker(input);
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'record') ctx.record(m.result);
      else if (m.type === 'log') ctx.log(m.message);
      else if (m.type === 'done') settle(() => resolveRun(m.status));
      else settle(() => rejectRun(new Error(m.message)));
    });
    worker.on('error', (e) => settle(() => rejectRun(e)));
    worker.on('exit', (code) => settle(() => rejectRun(new Error(`the measuring worker exited with code ${code} before finishing`))));
  });
}
