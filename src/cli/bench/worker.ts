/// <reference types="node" />
/**
 * The worker side of isolate.ts: one runner in a fresh isolate. Loads paoding for Node (its
 * native backend registered, as in the harness), rebuilds the cases by name and runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import '../../node/index.js';
import { allCases } from './cases.js';
import type { WorkerInput, WorkerMessage } from './isolate.js';
import { type RunContext, runCopy, runOrt, runPaoding, runTfjs } from './peers.js';

const input = workerData as WorkerInput;
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);

async function run(): Promise<void> {
  const ctx: RunContext = {
    cases: allCases().filter((c) => input.cases.includes(c.name)),
    sizes: input.sizes,
    dirs: input.dirs,
    threads: input.threads,
    plan: input.plan,
    // Own copies: a library may not take views of shared memory.
    x: new Float32Array(input.x),
    g: new Float32Array(input.g),
    record: (result) => post({ type: 'record', result }),
    log: (message) => post({ type: 'log', message }),
  };
  const s = input.spec;
  const status =
    s.kind === 'paoding'
      ? await runPaoding(ctx, s.backend)
      : s.kind === 'ort'
        ? await runOrt(ctx, s.flavour)
        : s.kind === 'tfjs'
          ? await runTfjs(ctx, s.backend, s.read)
          : await runCopy(ctx);
  post({ type: 'done', status });
}

run().catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
