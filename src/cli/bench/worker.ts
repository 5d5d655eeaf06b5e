/// <reference types="node" />
/**
 * The child side of isolate.ts: one runner in a fresh process. Loads paoding for Node (its native
 * backend registered, as in the harness), waits for its input, rebuilds the cases by name, runs,
 * and exits.
 */
import '../../node/index.js';
import { allCases } from './cases.js';
import type { WorkerInput, WorkerMessage } from './isolate.js';
import { type RunContext, runCopy, runOrt, runPaoding, runTfjs } from './peers.js';

const post = (m: WorkerMessage): void => void process.send!(m);

async function run(input: WorkerInput): Promise<void> {
  const ctx: RunContext = {
    cases: allCases().filter((c) => input.cases.includes(c.name)),
    sizes: input.sizes,
    dirs: input.dirs,
    threads: input.threads,
    plan: input.plan,
    x: input.x,
    g: input.g,
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

process.once('message', (input: WorkerInput) => {
  run(input).catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
});
