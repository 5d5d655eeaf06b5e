/// <reference types="node" />
/**
 * One SGD training step (forward, cross-entropy, backward, momentum update) of an MLP
 * 784-256-256-10 with ReLU on a batch of 128, as bench/training.ts measures it: paoding on each
 * backend, PyTorch through bench/peers/torch_training.py (with the BLAS the system provides),
 * TensorFlow.js cpu and wasm. Median step time after warm-up; paoding's and PyTorch's steps
 * are interleaved (see runTraining).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type * as TF from '@tensorflow/tfjs';
import { backends, F, manualSeed, nn, optim, randint, randn, type Tensor } from '../../index.js';
import { ALL_THREADS, loadTfjs, paodingThreadControl, PYTHON, torchScript } from './peers.js';
import type { TrainingRow } from './results.js';

export const LAYERS = [784, 256, 256, 10];
export const BATCH = 128;

/** Rounds in which paoding's and PyTorch's steps alternate. */
const ROUNDS = 5;

/**
 * Warm-up long enough for the JavaScript engine's optimising compiler to have compiled the
 * step's code (at least 20 steps and 300 ms, at most 200 steps): JavaScript libraries (paoding,
 * TF.js) run their first steps in the baseline tiers.
 */
function warmUp(step: () => void): void {
  const warm = performance.now();
  for (let i = 0; i < 200 && (i < 20 || performance.now() - warm < 300); i++) step();
}

function timeSteps(step: () => void, n: number): number[] {
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    step();
    ts.push(performance.now() - t);
  }
  return ts;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** The median step time after warm-up (TF.js, measured on its own). */
function medianMs(step: () => void, steps: number): number {
  warmUp(step);
  return median(timeSteps(step, steps));
}

/** One implementation whose steps take part in the interleaved rounds. */
interface Runner {
  row: Omit<TrainingRow, 'msPerStep'>;
  /** Times of `n` steps, in ms. */
  run(n: number): Promise<number[]>;
}

/**
 * The benchmark's training step in paoding: the MLP (LAYERS, ReLU between layers, PyTorch's
 * default initialisation after `manualSeed(0)`), SGD with momentum, one fixed batch; returns
 * one step (cross-entropy forward, backward, update). bench/training.ts and bench/native.ts
 * time the same step.
 */
export function mlpTrainingStep(): () => void {
  manualSeed(0);
  const layers: nn.Module[] = [];
  for (let i = 0; i < LAYERS.length - 1; i++) {
    layers.push(new nn.Linear(LAYERS[i]!, LAYERS[i + 1]!));
    if (i < LAYERS.length - 2) layers.push(new nn.ReLU());
  }
  const model = new nn.Sequential(...layers);
  const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = randn([BATCH, LAYERS[0]!]);
  const y = randint(0, LAYERS[LAYERS.length - 1]!, [BATCH]);
  return () => {
    const loss = F.crossEntropy(model.forward(x) as Tensor, y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
}

/** paoding's training step on one backend and thread count; the model is built once. */
function paodingRunner(backend: string, threads: number, setThreads: ((n: number) => void) | null): Runner {
  const step = mlpTrainingStep();
  let warm = false;
  return {
    row: { impl: `paoding-${backend}`, label: `paoding ${backend}`, role: 'paoding', threads, note: setThreads ? '' : 'one thread' },
    run(n) {
      const before = backends.getBackend();
      backends.setBackend(backend);
      setThreads?.(threads);
      try {
        if (!warm) warmUp(step);
        warm = true;
        return Promise.resolve(timeSteps(step, n));
      } finally {
        backends.setBackend(before);
      }
    },
  };
}

interface TorchReply {
  times_s: number[];
  blas: string;
  torch: string;
}

/**
 * PyTorch's side: one bench/peers/torch_training.py process in its serving mode (the model built
 * once), asked for `n` steps on `threads` threads at a time.
 */
function torchServer(): { request(threads: number, n: number): Promise<TorchReply>; close(): void } {
  const script = torchScript('torch_training.py');
  if ('absent' in script) {
    const err = new Error(script.absent);
    return { request: () => Promise.reject(err), close() {} };
  }
  const child = spawn(PYTHON, [script.path, '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let failure: Error | null = null;
  const waiting: { resolve(r: TorchReply): void; reject(e: Error): void }[] = [];
  const failAll = (e: Error): void => {
    failure ??= e;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.on('error', (e) => failAll(e));
  child.on('exit', (code) => {
    const why = /No module named 'torch'/.test(stderr) ? 'PyTorch not installed (Debian: apt install python3-torch)' : `PyTorch process exited (${code}): ${stderr.trim().split('\n').pop() ?? ''}`;
    failAll(new Error(why));
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      waiting.shift()?.resolve(JSON.parse(line) as TorchReply);
    } catch (e) {
      failAll(e as Error);
    }
  });
  return {
    request(threads, n) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${threads} ${n}\n`);
      });
    },
    close() {
      child.stdin.end();
      child.kill();
    },
  };
}

async function tfjsStep(backend: 'cpu' | 'wasm', steps: number): Promise<number> {
  const tf = await loadTfjs(backend);
  const ws: TF.Variable[] = [];
  const bs: TF.Variable[] = [];
  for (let i = 0; i < LAYERS.length - 1; i++) {
    const bound = 1 / Math.sqrt(LAYERS[i]!);
    ws.push(tf.variable(tf.randomUniform([LAYERS[i]!, LAYERS[i + 1]!], -bound, bound)));
    bs.push(tf.variable(tf.randomUniform([LAYERS[i + 1]!], -bound, bound)));
  }
  const x = tf.randomNormal([BATCH, LAYERS[0]!]);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, LAYERS[LAYERS.length - 1]!, 'int32'), LAYERS[LAYERS.length - 1]!);
  const opt = tf.train.momentum(0.01, 0.9);
  try {
    return medianMs(() => {
      const cost = opt.minimize(() => {
        let h: TF.Tensor = x;
        for (let i = 0; i < ws.length; i++) {
          h = tf.add(tf.matMul(h, ws[i]!), bs[i]!);
          if (i < ws.length - 1) h = tf.relu(h);
        }
        return tf.losses.softmaxCrossEntropy(y, h) as TF.Scalar;
      }, true);
      cost?.dataSync();
      cost?.dispose();
    }, steps);
  } finally {
    for (const v of [...ws, ...bs, x, y]) v.dispose();
    opt.dispose();
  }
}

/**
 * Every implementation's training step. paoding and PyTorch are measured in ROUNDS interleaved
 * rounds of `steps` steps each (the order rotating), and each reports the median of all its
 * steps: on a shared machine, speed drifts by tens of percent over minutes, and measuring one
 * library after the other would hand the difference to whichever ran in the faster minute.
 * TF.js (15-60x slower here) is measured afterwards on its own.
 */
export async function runTraining(opts: { backends: string[]; peers: string[]; threads: number[]; steps: number; log(msg: string): void }): Promise<TrainingRow[]> {
  const rows: TrainingRow[] = [];
  const runners: Runner[] = [];
  const restore: (() => void)[] = [];
  for (const b of opts.backends) {
    const setThreads = paodingThreadControl(b);
    if (setThreads) restore.push(() => setThreads(ALL_THREADS));
    for (const t of setThreads ? opts.threads : [1]) runners.push(paodingRunner(b, t, setThreads));
  }
  const torch = opts.peers.includes('torch') ? torchServer() : null;
  let torchNote = '';
  const torchAbsent = new Map<number, string>();
  if (torch) {
    for (const t of opts.threads) {
      runners.push({
        row: { impl: 'torch', label: 'PyTorch', role: 'peer', threads: t, note: '' },
        async run(n) {
          if (torchAbsent.has(t)) return [];
          try {
            await torch.request(t, 10); // warm-up (the first steps on a new thread count start its pool)
            const r = await torch.request(t, n);
            torchNote = `torch ${r.torch}, BLAS: ${r.blas}`;
            return r.times_s.map((s) => s * 1000);
          } catch (e) {
            torchAbsent.set(t, (e as Error).message);
            return [];
          }
        },
      });
    }
  }
  const times = runners.map(() => [] as number[]);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (let j = 0; j < runners.length; j++) {
        const i = (j + round) % runners.length;
        const r = runners[i]!;
        opts.log(`training: ${r.row.label} ${r.row.threads}T, round ${round + 1}/${ROUNDS}`);
        times[i]!.push(...(await r.run(opts.steps)));
      }
    }
  } finally {
    torch?.close();
    for (const f of restore) f();
  }
  runners.forEach((r, i) => {
    const ts = times[i]!;
    const absent = r.row.impl === 'torch' ? torchAbsent.get(r.row.threads) : undefined;
    if (absent !== undefined || ts.length === 0) rows.push({ ...r.row, msPerStep: null, note: `absent: ${absent ?? 'no steps ran'}` });
    else rows.push({ ...r.row, msPerStep: median(ts), note: r.row.impl === 'torch' ? `${torchNote}; ${ROUNDS} rounds interleaved with paoding's` : r.row.note });
  });
  for (const b of ['wasm', 'cpu'] as const) {
    if (!opts.peers.includes(`tfjs-${b}`)) continue;
    opts.log(`training: TF.js ${b}`);
    try {
      rows.push({ impl: `tfjs-${b}`, label: `TF.js ${b}`, role: 'peer', threads: 1, msPerStep: await tfjsStep(b, opts.steps), note: '1 thread' });
    } catch (e) {
      rows.push({ impl: `tfjs-${b}`, label: `TF.js ${b}`, role: 'peer', threads: 1, msPerStep: null, note: `absent: ${(e as Error).message.split('\n')[0]}` });
    }
  }
  return rows;
}
