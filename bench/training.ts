/**
 * The training-step benchmark: one SGD step (forward, backward, update) of an MLP
 * 784-256-256-10 on a batch of 128, in paoding and in the peers on the same machine, side by
 * side in one run. Prints a table and writes bench/results/training.json.
 *
 *   npm run bench:training            (or: npx tsx bench/training.ts --steps 30)
 *
 * Peers: PyTorch CPU through Debian's python3-torch (with whatever BLAS the system provides,
 * and with the reference BLAS for comparison), TensorFlow.js cpu and wasm backends. A peer that
 * is not installed is reported as absent.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { BATCH, LAYERS, mlpTrainingStep } from '../src/cli/bench/training.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '30' } } });
const STEPS = Number(values.steps);
const SIZES = LAYERS;

interface Row {
  name: string;
  msPerStep: number | null;
  note: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(step: () => void): number {
  for (let i = 0; i < 3; i++) step();
  const ts: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t = performance.now();
    step();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

function paoding(): Row {
  const ms = time(mlpTrainingStep());
  return { name: 'paoding (js backend)', msPerStep: ms, note: '1 thread' };
}

function torch(threads: number, referenceBlas: boolean): Row {
  const name = `PyTorch CPU, ${threads} thread${threads > 1 ? 's' : ''}${referenceBlas ? ', reference BLAS' : ''}`;
  if (!existsSync('/usr/bin/python3')) return { name, msPerStep: null, note: 'absent: /usr/bin/python3 not found' };
  try {
    const env = { ...process.env, ...(referenceBlas ? { LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/blas' } : {}) };
    const out = execFileSync('/usr/bin/python3', ['bench/peers/torch_training.py', '--threads', String(threads), '--steps', String(STEPS)], { env, encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { median_s: number; blas: string; torch: string };
    return { name, msPerStep: r.median_s * 1000, note: `torch ${r.torch}, ${r.blas}` };
  } catch (e) {
    return { name, msPerStep: null, note: `absent: ${(e as Error).message.split('\n')[0]}` };
  }
}

async function tfjs(backend: 'cpu' | 'wasm'): Promise<Row> {
  const name = `TensorFlow.js ${backend}`;
  try {
    // The union package's Node bundle registers the gradients; the wasm backend plugs into it.
    const require = createRequire(import.meta.url);
    const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
    if (backend === 'wasm') require('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend(backend);
    await tf.ready();
    const ws: ReturnType<typeof tf.variable>[] = [];
    const bs: ReturnType<typeof tf.variable>[] = [];
    for (let i = 0; i < SIZES.length - 1; i++) {
      const bound = 1 / Math.sqrt(SIZES[i]!);
      ws.push(tf.variable(tf.randomUniform([SIZES[i]!, SIZES[i + 1]!], -bound, bound)));
      bs.push(tf.variable(tf.randomUniform([SIZES[i + 1]!], -bound, bound)));
    }
    const x = tf.randomNormal([BATCH, SIZES[0]!]);
    const y = tf.oneHot(tf.randomUniform([BATCH], 0, SIZES[SIZES.length - 1]!, 'int32'), SIZES[SIZES.length - 1]!);
    const opt = tf.train.momentum(0.01, 0.9);
    const ms = time(() => {
      const cost = opt.minimize(() => {
        let h: ReturnType<typeof tf.matMul> = x;
        for (let i = 0; i < ws.length; i++) {
          h = tf.add(tf.matMul(h, ws[i]!), bs[i]!);
          if (i < ws.length - 1) h = tf.relu(h);
        }
        return tf.losses.softmaxCrossEntropy(y, h) as ReturnType<typeof tf.scalar>;
      }, true);
      cost?.dataSync();
      cost?.dispose();
    });
    return { name, msPerStep: ms, note: `tfjs ${tf.version.tfjs}, 1 thread` };
  } catch (e) {
    return { name, msPerStep: null, note: `absent: ${(e as Error).message.split('\n')[0]}` };
  }
}

const rows: Row[] = [paoding(), torch(1, false), torch(2, false), torch(1, true), torch(2, true), await tfjs('cpu'), await tfjs('wasm')];
const ours = rows[0]!.msPerStep!;
console.log(`Training step: MLP ${SIZES.join('-')}, batch ${BATCH}, SGD with momentum; median of ${STEPS} steps\n`);
console.log('| implementation | ms / step | steps / s | its time / paoding\'s | note |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  const ms = r.msPerStep;
  console.log(`| ${r.name} | ${ms === null ? 'absent' : ms.toFixed(2)} | ${ms === null ? '' : (1000 / ms).toFixed(1)} | ${ms === null ? '' : (ms / ours).toFixed(2)} | ${r.note} |`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/training.json', JSON.stringify({ date: new Date().toISOString(), sizes: SIZES, batch: BATCH, steps: STEPS, rows }, null, 2));
