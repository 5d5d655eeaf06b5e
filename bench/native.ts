/**
 * The native backend's kernel benchmark: elementwise kernels (elements/s and GB/s, counting 4
 * bytes read and 4 written per float32 element) at 2^10, 2^16, 2^20 and 2^24 elements on 1 and 2
 * threads against a copy of the same size; the matrix product (GFLOP/s, float32 and float64, 1
 * and 2 threads); and one training step of an MLP 784-256-256-10 (batch 128, SGD with
 * momentum). PyTorch (Debian's python3-torch, if installed) runs the same activations through
 * its usual API and the same training step, in the same run, for comparison.
 *
 *   npm run bench:native                  (npx tsx bench/native.ts [--quick] [--no-torch])
 *
 * Timing: each measurement is the median of 7 runs of enough repetitions to last 30 ms (after a
 * warm-up). "kernel" rows write into a preallocated output (the kernel alone); "API" rows call
 * the library as a user does (`F.sigmoid(x)`: a fresh output each time, as PyTorch's usual API).
 * Writes bench/results/native.json. On a shared machine, compare ratios within one run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { activations, randn } from '../src/index.js';
import { backendNamed, registerBackend, setBackend, type Operand } from '../src/backends/index.js';
import type { Expr } from '../src/ir/expr.js';
import type { NativeBackend } from '../src/backends/native/index.js';
import { loadNative, native, nativeStatus } from '../src/node/native.js';
import { mlpTrainingStep } from '../src/cli/bench/training.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'no-torch': { type: 'boolean', default: false } } });
const QUICK = values.quick!;
const SIZES = QUICK ? [10, 16, 20] : [10, 16, 20, 24];
const ACTS = QUICK ? ['relu', 'sigmoid', 'gelu'] : ['relu', 'sigmoid', 'tanh', 'gelu', 'silu', 'elu', 'softplus', 'mish'];
const RUNS = QUICK ? 5 : 7;
const MIN_MS = QUICK ? 15 : 30;

const status = loadNative();
if (!status.loaded) {
  console.log(`The native backend is not available (${status.reason}); nothing to measure.`);
  process.exit(0);
}
const be = backendNamed('native') as NativeBackend;
const addon = be.addon;
const info = nativeStatus().info!;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Seconds per call of `f`: median over runs of calibrated repetitions. */
function time(f: () => void): number {
  f();
  let reps = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) f();
    const ms = performance.now() - t;
    if (ms >= MIN_MS || reps > 1e7) break;
    reps = Math.max(reps * 2, Math.ceil((reps * MIN_MS) / Math.max(ms, 0.01)));
  }
  const out: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) f();
    out.push((performance.now() - t) / 1000 / reps);
  }
  return median(out);
}

/** The forward kernel call of an activation: recorded once on a small tensor. */
function forwardCall(id: string): { expr: Expr; params: Record<string, number> } {
  let call: { expr: Expr; params: Record<string, number> } | undefined;
  registerBackend({
    name: 'bench-capture',
    elementwise(expr, _d, _s, _o, _b, _ops, params) {
      call ??= { expr, params: { ...params } };
      return false;
    },
  });
  setBackend('bench-capture');
  activations.get(id).call(randn([64]), {});
  setBackend('js');
  return call!;
}

const fmt = (v: number, d = 0): string => v.toFixed(d);
const lines: string[] = [];
const say = (s = ''): void => {
  console.log(s);
  lines.push(s);
};
const results: Record<string, unknown> = { date: new Date().toISOString(), load: loadavg(), native: info };

say(`# Native backend benchmark`);
say();
say(`Addon: ${info.kernels} kernels, instruction set ${info.isa} (CPU supports ${info.isas.join(', ')}), ${info.maxThreads} cores; load average at start ${loadavg().map((l) => l.toFixed(1)).join(' ')}.`);
say();

// ---- elementwise --------------------------------------------------------------------------

type Row = { name: string; threads: number; size: number; seconds: number };
const rows: Row[] = [];
const inputs = new Map<number, Float32Array>();
for (const p of SIZES) inputs.set(p, Float32Array.from({ length: 2 ** p }, (_, i) => ((i * 2654435761) % 4096) / 204.8 - 10));

for (const threads of [1, 2]) {
  native.setThreads(threads);
  for (const p of SIZES) {
    const n = 2 ** p;
    const x = inputs.get(p)!;
    const out = new Float32Array(n);
    rows.push({ name: 'copy', threads, size: p, seconds: time(() => addon.convert(out, 0, x, 0, n)) });
    for (const id of ACTS) {
      const { expr, params } = forwardCall(id);
      const o: Operand = { data: out, offset: 0, strides: [1] };
      const ops: Operand[] = [{ data: x, offset: 0, strides: [1] }];
      if (!be.elementwise(expr, 'float32', [n], o, false, ops, params)) throw new Error(`${id}: no native kernel`);
      rows.push({ name: `${id} kernel`, threads, size: p, seconds: time(() => be.elementwise(expr, 'float32', [n], o, false, ops, params)) });
    }
    setBackend('native');
    const t = randn([n]);
    for (const id of ['relu', 'sigmoid', 'gelu']) {
      const act = activations.get(id);
      rows.push({ name: `${id} API`, threads, size: p, seconds: time(() => act.call(t, {})) });
    }
    setBackend('js');
  }
}
native.setThreads(info.maxThreads);
results['elementwise'] = rows;

const names = [...new Set(rows.map((r) => r.name))];
const cell = (name: string, threads: number, p: number): string => {
  const r = rows.find((q) => q.name === name && q.threads === threads && q.size === p);
  if (!r) return '-';
  const eps = 2 ** p / r.seconds;
  return `${fmt(eps / 1e9, 2)} G/s (${fmt((eps * 8) / 1e9, 1)} GB/s)`;
};
say('## Elementwise, float32: elements per second (GB/s at 8 bytes per element)');
say();
say(`| kernel | threads | ${SIZES.map((p) => `2^${p}`).join(' | ')} |`);
say(`|---|---|${SIZES.map(() => '---').join('|')}|`);
for (const name of names) for (const threads of [1, 2]) say(`| ${name} | ${threads} | ${SIZES.map((p) => cell(name, threads, p)).join(' | ')} |`);
say();
const big = SIZES[SIZES.length - 1]!;
const copy2 = rows.find((r) => r.name === 'copy' && r.threads === 2 && r.size === big)!.seconds;
say(`At 2^${big} on 2 threads, time relative to a copy: ${ACTS.map((id) => `${id} ${fmt(rows.find((r) => r.name === `${id} kernel` && r.threads === 2 && r.size === big)!.seconds / copy2, 2)}x`).join(', ')}.`);
say();

// ---- matrix product -----------------------------------------------------------------------

const shapes: [number, number, number][] = QUICK
  ? [
      [128, 256, 784],
      [512, 512, 512],
    ]
  : [
      [128, 256, 784],
      [128, 256, 256],
      [256, 784, 128],
      [512, 512, 512],
      [1024, 1024, 1024],
    ];
say('## Matrix product C = A B (row-major), GFLOP/s');
say();
say('| m x n x k | float32, 1 thread | float32, 2 threads | float64, 1 thread | float64, 2 threads |');
say('|---|---|---|---|---|');
const gemmRows: Record<string, number>[] = [];
for (const [m, n, k] of shapes) {
  const cells: string[] = [];
  for (const dtype of ['float32', 'float64'] as const) {
    const make = (len: number, f: (i: number) => number): Float32Array | Float64Array => {
      const arr = dtype === 'float32' ? new Float32Array(len) : new Float64Array(len);
      for (let i = 0; i < len; i++) arr[i] = f(i);
      return arr;
    };
    const a = make(m * k, Math.sin);
    const b = make(k * n, Math.cos);
    const c = make(m * n, () => 0);
    for (const threads of [1, 2]) {
      native.setThreads(threads);
      const s = time(() => addon.gemm(1, m, n, k, a, 0, 0, k, 1, b, 0, 0, n, 1, c, 0, null, 0));
      const gflops = (2 * m * n * k) / s / 1e9;
      gemmRows.push({ m, n, k, threads, gflops, float64: dtype === 'float64' ? 1 : 0 });
      cells.push(fmt(gflops, 1));
    }
  }
  say(`| ${m} x ${n} x ${k} | ${cells.join(' | ')} |`);
}
native.setThreads(info.maxThreads);
results['gemm'] = gemmRows;
say();

// ---- training step ------------------------------------------------------------------------

function trainingStep(backend: string, threads: number, steps: number): number {
  setBackend(backend);
  native.setThreads(threads);
  const step = mlpTrainingStep();
  const ts: number[] = [];
  for (let i = 0; i < steps + 5; i++) {
    const t = performance.now();
    step();
    if (i >= 5) ts.push(performance.now() - t);
  }
  setBackend('js');
  native.setThreads(info.maxThreads);
  return median(ts);
}

const STEPS = QUICK ? 20 : 60;
const training: Record<string, number | null> = {
  'native, 1 thread': trainingStep('native', 1, STEPS),
  'native, 2 threads': trainingStep('native', 2, STEPS),
  'js backend': trainingStep('js', 1, QUICK ? 3 : 5),
};

// ---- PyTorch, in the same run -------------------------------------------------------------

const torchActs: Record<string, Record<string, number>> = {};
if (!values['no-torch'] && existsSync('/usr/bin/python3')) {
  const code = `
import json, sys, time, torch
F = torch.nn.functional
acts = {"relu": F.relu, "sigmoid": torch.sigmoid, "gelu": F.gelu}
out = {}
for threads in (1, 2):
    torch.set_num_threads(threads)
    for p in ${JSON.stringify(SIZES)}:
        x = (torch.arange(2 ** p, dtype=torch.float64) * 2654435761 % 4096 / 204.8 - 10).float()
        for name, f in acts.items():
            f(x)
            reps = 1
            while True:
                t = time.perf_counter()
                for _ in range(reps): f(x)
                if time.perf_counter() - t >= ${MIN_MS / 1000} or reps > 1e7: break
                reps *= 2
            runs = []
            for _ in range(${RUNS}):
                t = time.perf_counter()
                for _ in range(reps): f(x)
                runs.append((time.perf_counter() - t) / reps)
            runs.sort()
            out[f"{name} API|{threads}|{p}"] = runs[len(runs) // 2]
print(json.dumps(out))
`;
  try {
    Object.assign(torchActs, { raw: JSON.parse(execFileSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8', maxBuffer: 1 << 24 }).trim().split('\n').pop()!) });
    for (const threads of [1, 2]) {
      training[`PyTorch ${threads === 1 ? '1 thread' : '2 threads'}`] = null;
      try {
        const r = JSON.parse(execFileSync('/usr/bin/python3', ['bench/peers/torch_training.py', '--threads', String(threads), '--steps', String(STEPS)], { encoding: 'utf8' }).trim().split('\n').pop()!) as { median_s: number; blas: string };
        training[`PyTorch ${threads === 1 ? '1 thread' : '2 threads'} (${r.blas})`] = r.median_s * 1000;
        delete training[`PyTorch ${threads === 1 ? '1 thread' : '2 threads'}`];
      } catch {
        // no peer
      }
    }
  } catch (e) {
    say(`(PyTorch not measured: ${(e as Error).message.split('\n')[0]})`);
  }
}

const raw = (torchActs as { raw?: Record<string, number> }).raw;
if (raw) {
  say('## Usual API against PyTorch (a fresh output per call), float32, milliseconds per call');
  say();
  say(`| activation | threads | ${SIZES.map((p) => `2^${p} paoding / PyTorch`).join(' | ')} |`);
  say(`|---|---|${SIZES.map(() => '---').join('|')}|`);
  for (const id of ['relu', 'sigmoid', 'gelu']) {
    for (const threads of [1, 2]) {
      const cells = SIZES.map((p) => {
        const ours = rows.find((r) => r.name === `${id} API` && r.threads === threads && r.size === p)!.seconds * 1000;
        const theirs = raw[`${id} API|${threads}|${p}`]! * 1000;
        return `${ours.toPrecision(3)} / ${theirs.toPrecision(3)}`;
      });
      say(`| ${id} | ${threads} | ${cells.join(' | ')} |`);
    }
  }
  say();
  results['torch'] = raw;
}

say('## Training step: MLP 784-256-256-10, batch 128, SGD with momentum (median ms per step)');
say();
say('| implementation | ms / step |');
say('|---|---|');
for (const [k, v] of Object.entries(training)) say(`| ${k} | ${v === null ? 'absent' : fmt(v, 2)} |`);
results['training'] = training;
say();

mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/native.json', JSON.stringify(results, null, 2));
writeFileSync('bench/results/native.md', lines.join('\n') + '\n');
say('Wrote bench/results/native.json and bench/results/native.md.');
