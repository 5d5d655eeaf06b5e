/// <reference types="node" />
/**
 * Each JavaScript implementation measured in a process of its own: a fresh V8 heap with only that
 * library loaded, on the process's main thread, as PyTorch runs in a process of its own. In one
 * shared heap, the heaps that the libraries measured before leave behind (TensorFlow.js's,
 * onnxruntime's, the harness's results) make every garbage collection of the ones measured after
 * slower, and which library pays depends on the order of the runners, not on the library. (A
 * worker thread would give a fresh heap too, but not the main thread's C allocator: glibc serves
 * a worker's allocations above 64 MB with fresh mappings, so every 2^24-element output would
 * page-fault there and not on a main thread.)
 *
 * The child (worker.ts) gets the runner, the case names and the inputs in its first message,
 * rebuilds the cases from their names, runs, and streams its results and log lines back.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PeerStatus, RunContext } from './peers.js';
import type { Result } from './results.js';

/** Which runner a child runs, with its argument. */
export type RunnerSpec =
  | { kind: 'paoding'; backend: string }
  | { kind: 'ort'; flavour: 'node' | 'web' }
  | { kind: 'tfjs'; backend: 'cpu' | 'wasm'; read: boolean }
  | { kind: 'copy' };

/** What the child gets (structured-cloneable). */
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

/** Messages from the child. */
export type WorkerMessage =
  | { type: 'record'; result: Result }
  | { type: 'log'; message: string }
  | { type: 'done'; status: PeerStatus | PeerStatus[] }
  | { type: 'error'; message: string };

/** Run `spec` in a child process over `ctx`'s cases, sizes and inputs; resolves with its status. */
export function runIsolated(ctx: RunContext, spec: RunnerSpec): Promise<PeerStatus | PeerStatus[]> {
  const input: WorkerInput = {
    spec,
    cases: ctx.cases.map((c) => c.name),
    sizes: ctx.sizes,
    dirs: ctx.dirs,
    threads: ctx.threads,
    plan: ctx.plan,
    x: ctx.x,
    g: ctx.g,
  };
  // The module next to this one: worker.js when built; worker.ts under tsx (`npm run bench`),
  // whose loader the child then registers too.
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(fromSources ? './worker.ts' : './worker.js', import.meta.url));
  return new Promise((resolveRun, rejectRun) => {
    const child = fork(entry, [], {
      serialization: 'advanced',
      execArgv: fromSources ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      f();
      child.kill();
    };
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'record') ctx.record(m.result);
      else if (m.type === 'log') ctx.log(m.message);
      else if (m.type === 'done') settle(() => resolveRun(m.status));
      else settle(() => rejectRun(new Error(m.message)));
    });
    child.on('error', (e) => settle(() => rejectRun(e)));
    child.on('exit', (code) => settle(() => rejectRun(new Error(`the measuring process exited with code ${code} before finishing`))));
    child.send(input);
  });
}
