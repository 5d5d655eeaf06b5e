/// <reference types="node" />
/**
 * A lab worker thread: loads the library, the data set (sent once) and any user-defined
 * activations, then runs jobs one at a time, posting progress and results.
 */
import { parentPort, workerData } from 'node:worker_threads';
import '../../index.js';
// The Node entry registers the native backend where it is built, as in the main thread.
import * as nodeEntry from '../../node/index.js';
import { list, setBackend } from '../../backends/index.js';
import { fromPortable, type PortableData } from '../data.js';
import { runJob, type Job } from '../jobs.js';
import { loadOne } from './user.js';

interface Init {
  data: PortableData;
  userModules: string[];
  backend: string;
  /** Threads the native backend may use in this worker (the workers share the cores). */
  nativeThreads: number;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; id: number; steps: number }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; message: string };

const init = workerData as Init;
const port = parentPort!;

async function main(): Promise<void> {
  if (!list().includes(init.backend)) throw new Error(`the '${init.backend}' backend is not available in worker threads (use --jobs 1)`);
  setBackend(init.backend);
  const native = (nodeEntry as Record<string, unknown>)['native'] as { setThreads?: (n: number) => unknown } | undefined;
  native?.setThreads?.(init.nativeThreads);
  for (const m of init.userModules) {
    const [path, pick] = m.split('#') as [string, string | undefined];
    await loadOne(path, pick);
  }
  const data = fromPortable(init.data);
  port.on('message', (msg: { id: number; job: Job }) => {
    let sent = 0;
    let last = performance.now();
    const onStep = (done: number): void => {
      const now = performance.now();
      if (now - last > 200) {
        port.postMessage({ type: 'progress', id: msg.id, steps: done - sent } satisfies WorkerMessage);
        sent = done;
        last = now;
      }
    };
    runJob(msg.job, data, { onStep }).then(
      (result) => port.postMessage({ type: 'result', id: msg.id, result } satisfies WorkerMessage),
      (e: unknown) => port.postMessage({ type: 'error', id: msg.id, message: e instanceof Error ? e.message : String(e) } satisfies WorkerMessage),
    );
  });
  port.postMessage({ type: 'ready' } satisfies WorkerMessage);
}

main().catch((e: unknown) => {
  port.postMessage({ type: 'error', id: -1, message: e instanceof Error ? e.message : String(e) } satisfies WorkerMessage);
});
