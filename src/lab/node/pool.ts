/// <reference types="node" />
/**
 * Running jobs: in worker threads (one job per worker at a time, the results in the order of
 * the jobs, whatever order they finish in), or in this thread, yielding to the event loop now
 * and then so that an interrupt is handled promptly. Every job seeds its own generator, so the
 * numbers do not depend on where or in what order jobs run.
 */
import { Worker } from 'node:worker_threads';
import type { LabData, PortableData } from '../data.js';
import { LabError, LabInterrupted } from '../errors.js';
import { runJob, type Job, type JobResult } from '../jobs.js';
import type { WorkerMessage } from './worker.js';

export interface JobEvents {
  /** Steps done by a job since the last report. */
  progress(index: number, steps: number): void;
  done(index: number, result: JobResult): void;
}

export interface Runner {
  readonly jobs: number;
  run(jobs: readonly Job[], events: JobEvents): Promise<JobResult[]>;
  close(): Promise<void>;
}

/** Whether worker threads can run the lab: only from the compiled JavaScript (dist/), not from TypeScript sources. */
export function workersAvailable(): boolean {
  return import.meta.url.endsWith('.js');
}

export const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Runs jobs one after the other in this thread. */
export class LocalRunner implements Runner {
  readonly jobs = 1;
  private interrupted = false;

  constructor(private readonly data: LabData) {}

  interrupt(): void {
    this.interrupted = true;
  }

  async run(jobs: readonly Job[], events: JobEvents): Promise<JobResult[]> {
    const out: JobResult[] = [];
    for (let i = 0; i < jobs.length; i++) {
      let sent = 0;
      await yieldNow();
      if (this.interrupted) throw new LabInterrupted();
      const r = await runJob(jobs[i]!, this.data, {
        onStep: (done) => {
          events.progress(i, done - sent);
          sent = done;
        },
        yieldNow,
        yieldEveryMs: 100,
        aborted: () => this.interrupted,
      });
      out.push(r);
      events.done(i, r);
    }
    return out;
  }

  async close(): Promise<void> {}
}

interface Slot {
  worker: Worker;
  busy: number | null;
}

/** Runs jobs in a pool of worker threads. */
export class WorkerPool implements Runner {
  private readonly slots: Slot[] = [];
  private failure: Error | null = null;

  private constructor(readonly jobs: number) {}

  static async create(n: number, data: PortableData, userModules: string[], backend: string, nativeThreads = 1): Promise<WorkerPool> {
    const pool = new WorkerPool(n);
    const url = new URL('./worker.js', import.meta.url);
    await Promise.all(
      Array.from({ length: n }, async () => {
        const worker = new Worker(url, { workerData: { data, userModules, backend, nativeThreads } });
        pool.slots.push({ worker, busy: null });
        await new Promise<void>((res, rej) => {
          const onMsg = (m: WorkerMessage): void => {
            worker.off('message', onMsg);
            if (m.type === 'ready') res();
            else rej(new LabError(m.type === 'error' ? m.message : 'worker failed to start'));
          };
          worker.on('message', onMsg);
          worker.once('error', rej);
        });
      }),
    ).catch(async (e: unknown) => {
      await pool.close();
      throw e;
    });
    return pool;
  }

  run(jobs: readonly Job[], events: JobEvents): Promise<JobResult[]> {
    const results: JobResult[] = new Array<JobResult>(jobs.length);
    let next = 0;
    let finished = 0;
    return new Promise((resolve, reject) => {
      if (jobs.length === 0) return resolve([]);
      const listeners: [Worker, (m: WorkerMessage) => void, (e: Error) => void][] = [];
      const cleanup = (): void => {
        for (const [w, l, el] of listeners) {
          w.off('message', l);
          w.off('error', el);
        }
      };
      const feed = (slot: Slot): void => {
        if (next >= jobs.length) {
          slot.busy = null;
          return;
        }
        const id = next++;
        slot.busy = id;
        slot.worker.postMessage({ id, job: jobs[id] });
      };
      for (const slot of this.slots) {
        const onMsg = (m: WorkerMessage): void => {
          if (m.type === 'progress') events.progress(m.id, m.steps);
          else if (m.type === 'result') {
            results[m.id] = m.result as JobResult;
            events.done(m.id, m.result as JobResult);
            finished++;
            if (finished === jobs.length) {
              slot.busy = null;
              cleanup();
              resolve(results);
            } else feed(slot);
          } else if (m.type === 'error') {
            cleanup();
            reject(new LabError(`a lab worker failed: ${m.message}`));
          }
        };
        const onErr = (e: Error): void => {
          cleanup();
          this.failure = e;
          reject(new LabError(`a lab worker failed: ${e.message}`));
        };
        slot.worker.on('message', onMsg);
        slot.worker.on('error', onErr);
        listeners.push([slot.worker, onMsg, onErr]);
        feed(slot);
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  /** Stop every worker now (interrupt). */
  kill(): void {
    for (const s of this.slots) void s.worker.terminate();
  }

  get failed(): Error | null {
    return this.failure;
  }
}
