/// <reference types="node" />
/**
 * One SGD training step (forward, cross-entropy, backward, momentum update) of an MLP
 * 784-256-256-10 with ReLU on a batch of 128, as bench/training.ts measures it: paoding on each
 * backend, PyTorch through bench/peers/torch_training.py (with the BLAS the system provides),
 * TensorFlow.js cpu and wasm. Median time of `steps` steps after warm-up.
 */
import { execFile } from 'node:child_process';
import type * as TF from '@tensorflow/tfjs';
import { backends, F, manualSeed, nn, optim, randint, randn, type Tensor } from '../../index.js';
import { loadTfjs, paodingThreadControl, PYTHON, torchScript } from './peers.js';
import type { TrainingRow } from './results.js';

export const LAYERS = [784, 256, 256, 10];
export const BATCH = 128;

/**
 * The median step time after a warm-up long enough for the JavaScript engine's optimising
 * compiler to have compiled the step's code (at least 20 steps and 300 ms, at most 200 steps):
 * JavaScript libraries (paoding, TF.js) run their first steps in the baseline tiers.
 */
function medianMs(step: () => void, steps: number): number {
  const warm = performance.now();
  for (let i = 0; steps > 0 && i < 200 && (i < 20 || performance.now() - warm < 300); i++) step();
  const ts: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    step();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return ts[ts.length >> 1]!;
}

function paodingStep(backend: string, steps: number): number {
  const before = backends.getBackend();
  backends.setBackend(backend);
  try {
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
    return medianMs(() => {
      const loss = F.crossEntropy(model.forward(x) as Tensor, y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }, steps);
  } finally {
    backends.setBackend(before);
  }
}

function torchStep(threads: number, steps: number): Promise<{ ms: number; note: string }> {
  const script = torchScript('torch_training.py');
  if ('absent' in script) return Promise.reject(new Error(script.absent));
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [script.path, '--threads', String(threads), '--steps', String(steps)], (err, stdout, stderr) => {
      if (err) return reject(new Error(/No module named 'torch'/.test(stderr) ? 'PyTorch not installed (Debian: apt install python3-torch)' : err.message.split('\n')[0]));
      const r = JSON.parse(stdout.trim().split('\n').pop()!) as { median_s: number; blas: string; torch: string };
      resolve({ ms: r.median_s * 1000, note: `torch ${r.torch}, BLAS: ${r.blas}` });
    });
  });
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

/** Every implementation's training step. */
export async function runTraining(opts: { backends: string[]; peers: string[]; threads: number[]; steps: number; log(msg: string): void }): Promise<TrainingRow[]> {
  const rows: TrainingRow[] = [];
  for (const b of opts.backends) {
    const setThreads = paodingThreadControl(b);
    for (const t of setThreads ? opts.threads : [1]) {
      opts.log(`training: paoding ${b} ${t}T`);
      setThreads?.(t);
      rows.push({ impl: `paoding-${b}`, label: `paoding ${b}`, role: 'paoding', threads: t, msPerStep: paodingStep(b, opts.steps), note: setThreads ? '' : 'one thread' });
    }
  }
  if (opts.peers.includes('torch')) {
    for (const t of opts.threads) {
      opts.log(`training: PyTorch ${t}T`);
      try {
        const r = await torchStep(t, opts.steps);
        rows.push({ impl: 'torch', label: 'PyTorch', role: 'peer', threads: t, msPerStep: r.ms, note: r.note });
      } catch (e) {
        rows.push({ impl: 'torch', label: 'PyTorch', role: 'peer', threads: t, msPerStep: null, note: `absent: ${(e as Error).message}` });
      }
    }
  }
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
