/// <reference types="node" />
/**
 * The runners: paoding (each backend), PyTorch (a subprocess), onnxruntime-node,
 * onnxruntime-web, TensorFlow.js (cpu and wasm) and the copy bandwidth. Each one measures every
 * (row, direction, size, thread count) it can through the usual API of its library and records
 * a result, or says why it is absent.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TF from '@tensorflow/tfjs';
import type * as ORT from 'onnxruntime-common';
import { autograd, backends, tensor } from '../../index.js';
import { backendNamed } from '../../backends/index.js';
import { type Case, ortModel, tfjsFn } from './cases.js';
import { copyTime } from './copy.js';
import { onnxModel } from './onnx.js';
import type { Dir, Result } from './results.js';
import { asyncLoop, measure, syncLoop, type Timing, type TimingPlan } from './timing.js';

/** What every runner gets. */
export interface RunContext {
  cases: Case[];
  /** log2 sizes. */
  sizes: number[];
  dirs: Dir[];
  threads: number[];
  plan: TimingPlan;
  /** The inputs, 2^max(sizes) float32 values each: x (3 * N(0,1)) and the output gradient g. */
  x: Float32Array;
  g: Float32Array;
  record(r: Result): void;
  log(msg: string): void;
}

/** A runner's outcome: the library version, or why it is absent. */
export interface PeerStatus {
  key: string;
  version?: string;
  absent?: string;
  note?: string;
}

const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
const requireHere = createRequire(import.meta.url);

/** Time one cell and record it (an exception becomes an absent cell with the error). */
async function cell(ctx: RunContext, base: Omit<Result, 'seconds'>, timed: () => Promise<Timing>): Promise<void> {
  try {
    const t = await timed();
    ctx.record({ ...base, seconds: t.seconds, iqr: t.iqr, samples: t.samples, callsPerSample: t.callsPerSample });
  } catch (e) {
    ctx.record({ ...base, seconds: null, note: `failed: ${errText(e)}` });
  }
}

// ---------------------------------------------------------------------------------------------
// paoding
// ---------------------------------------------------------------------------------------------

/** A thread count above any core count: every core (the native backend caps it). */
export const ALL_THREADS = 1024;

/**
 * paoding's thread control for one backend (`backends.setNumThreads`), where that backend runs
 * threads under it (the native backend); null for the single-threaded ones (js, and wasm, whose
 * worker pool is off unless configured), which are measured once.
 */
export function paodingThreadControl(backend: string): ((n: number) => void) | null {
  const b = backends as unknown as { setNumThreads?: (n: number) => void };
  if (typeof b.setNumThreads !== 'function' || backendNamed(backend)?.setNumThreads === undefined) return null;
  return (n) => b.setNumThreads!(n);
}

/**
 * Every row's calls, forward and forward + backward on 1024 elements, until `seconds` have
 * passed: the JavaScript engine's optimising compiler then has compiled the shared call paths
 * (arguments, autograd, the backend's dispatch) before the first measured cell, which otherwise
 * pays for it (the first row's forward + backward at 2^10 measured 2-3x its later time).
 */
function warmUpCalls(ctx: RunContext, seconds: number): void {
  const end = performance.now() + seconds * 1000;
  do {
    for (const c of ctx.cases) {
      const shape = c.shape(1024);
      const x = tensor(ctx.x.subarray(0, 1024), { shape });
      const xg = tensor(ctx.x.subarray(0, 1024), { shape, requiresGrad: true });
      const g = tensor(ctx.g.subarray(0, numel(c.outShape(shape))), { shape: c.outShape(shape) });
      c.call(x);
      autograd.grad(c.call(xg), xg, { gradOutputs: g });
    }
  } while (performance.now() < end);
}

/**
 * paoding on one backend: forward is `F.act(x)` (a fresh output per call); forward + backward
 * is `autograd.grad(F.act(x), x, { gradOutputs: g })`.
 */
export async function runPaoding(ctx: RunContext, backend: string): Promise<PeerStatus> {
  const key = `paoding-${backend}`;
  const setThreads = paodingThreadControl(backend);
  const before = backends.getBackend();
  try {
    backends.setBackend(backend);
    warmUpCalls(ctx, 10 * ctx.plan.warmupSeconds);
    for (const t of setThreads ? ctx.threads : [1]) {
      setThreads?.(t);
      for (const size of ctx.sizes) {
        const n = 2 ** size;
        ctx.log(`${key} 2^${size} ${t}T`);
        for (const c of ctx.cases) {
          const shape = c.shape(n);
          const outShape = c.outShape(shape);
          const x = tensor(ctx.x.subarray(0, n), { shape });
          const xg = tensor(ctx.x.subarray(0, n), { shape, requiresGrad: true });
          const g = tensor(ctx.g.subarray(0, numel(outShape)), { shape: outShape });
          for (const dir of ctx.dirs) {
            const base = { impl: key, case: c.name, dir, size, threads: t };
            if (dir === 'fwd') await cell(ctx, base, () => measure(syncLoop(() => c.call(x)), ctx.plan));
            else await cell(ctx, base, () => measure(syncLoop(() => autograd.grad(c.call(xg), xg, { gradOutputs: g })), ctx.plan));
          }
        }
      }
    }
  } finally {
    backends.setBackend(before);
    setThreads?.(ALL_THREADS);
  }
  const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return { key, version: `paoding ${version}, ${backend} backend`, note: setThreads ? undefined : 'runs on the calling thread: measured once, shown at every thread count' };
}

// ---------------------------------------------------------------------------------------------
// PyTorch, in a subprocess over the same bytes
// ---------------------------------------------------------------------------------------------

/** The package root (the nearest package.json above this module: src/ or dist/ alike). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** The Python that runs the PyTorch peers (Debian's, or PAODING_BENCH_PYTHON). */
export const PYTHON = process.env['PAODING_BENCH_PYTHON'] ?? '/usr/bin/python3';

/** Run a Python script, resolving with its stdout (stderr streams through, for progress). */
function python(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = execFile(PYTHON, args, { maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message.split('\n')[0]}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
      else resolve(stdout);
    });
    p.stdin?.end();
    p.stderr?.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line.startsWith('[bench]')) process.stderr.write(`${line}\n`);
    });
  });
}

/** The script path of a PyTorch peer, or why it cannot run. */
export function torchScript(name: string): { path: string } | { absent: string } {
  if (!existsSync(PYTHON)) return { absent: `${PYTHON} not found` };
  const path = join(packageRoot(), 'bench', 'peers', name);
  return existsSync(path) ? { path } : { absent: `bench/peers/${name} not found (run from a source checkout)` };
}

/** PyTorch (usual API, and `out=` if asked), one subprocess per thread count. */
export async function runTorch(ctx: RunContext, variants: string[]): Promise<PeerStatus[]> {
  const statuses = (s: Omit<PeerStatus, 'key'>): PeerStatus[] => variants.map((key) => ({ key, ...s }));
  const script = torchScript('torch_activations.py');
  if ('absent' in script) return statuses({ absent: script.absent });
  const dir = mkdtempSync(join(tmpdir(), 'paoding-bench-'));
  try {
    const n = 2 ** Math.max(...ctx.sizes);
    writeFileSync(join(dir, 'x.f32'), ctx.x.subarray(0, n));
    writeFileSync(join(dir, 'g.f32'), ctx.g.subarray(0, n));
    const cases = ctx.cases.map((c) => {
      const shapes: Record<string, number[]> = {};
      const outShapes: Record<string, number[]> = {};
      for (const s of ctx.sizes) {
        shapes[s] = c.shape(2 ** s);
        outShapes[s] = c.outShape(shapes[s]!);
      }
      return { name: c.name, shapes, outShapes };
    });
    let version = '';
    for (const t of ctx.threads) {
      ctx.log(`PyTorch ${t}T (subprocess)`);
      const spec = { threads: t, x: join(dir, 'x.f32'), g: join(dir, 'g.f32'), sizes: ctx.sizes, dirs: ctx.dirs, cases, variants, plan: ctx.plan };
      writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
      let out: { torch: string; results: Result[] };
      try {
        out = JSON.parse((await python([script.path, join(dir, 'spec.json')])).trim().split('\n').pop()!) as typeof out;
      } catch (e) {
        const msg = errText(e);
        return statuses({ absent: /No module named 'torch'/.test(msg) ? "PyTorch not installed (Debian: apt install python3-torch)" : `failed: ${msg}` });
      }
      version = out.torch;
      for (const r of out.results) ctx.record(r);
    }
    return statuses({ version: `torch ${version}` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// onnxruntime (node: native CPU provider; web: WebAssembly)
// ---------------------------------------------------------------------------------------------

type Ort = typeof ORT;

/**
 * onnxruntime: one session per row and thread count, `session.run({ x })` per call (the
 * output allocated by onnxruntime). Forward only: onnxruntime has no autograd.
 */
export async function runOrt(ctx: RunContext, flavour: 'node' | 'web'): Promise<PeerStatus> {
  const key = flavour === 'node' ? 'ort' : 'ort-web';
  let ort: Ort;
  try {
    ort = requireHere(`onnxruntime-${flavour}`) as Ort;
  } catch (e) {
    return { key, absent: `onnxruntime-${flavour} not installed (${errText(e)})` };
  }
  const version = (ort.env.versions as Record<string, string | undefined>)[flavour] ?? ort.env.versions.common;
  // NOTE: onnxruntime-web fixes its thread count when it initialises (first session) and in
  // Node runs threads through workers; it runs at 1 thread here, as TF.js's wasm backend does.
  const threads = flavour === 'node' ? ctx.threads : [1];
  if (flavour === 'web') (ort.env.wasm as { numThreads?: number }).numThreads = 1;
  for (const t of threads) {
    for (const c of ctx.cases) {
      const model = ortModel(c.name);
      let session: ORT.InferenceSession | null = null;
      let failed: string | undefined;
      if ('graph' in model) {
        try {
          const bytes = onnxModel(model.graph, c.shape(2 ** ctx.sizes[0]!).length);
          const opts: ORT.InferenceSession.SessionOptions =
            flavour === 'node' ? { executionProviders: ['cpu'], intraOpNumThreads: t, interOpNumThreads: t } : { executionProviders: ['wasm'] };
          session = await ort.InferenceSession.create(bytes, opts);
        } catch (e) {
          failed = `model did not load: ${errText(e)}`;
        }
      }
      for (const size of ctx.sizes) {
        if (c === ctx.cases[0]) ctx.log(`${key} 2^${size} ${t}T`);
        const n = 2 ** size;
        const shape = c.shape(n);
        const base = { impl: key, case: c.name, dir: 'fwd' as const, size, threads: t };
        if (!ctx.dirs.includes('fwd')) continue;
        if ('absent' in model) {
          ctx.record({ ...base, seconds: null, note: model.absent });
          continue;
        }
        if (session === null) {
          ctx.record({ ...base, seconds: null, note: failed });
          continue;
        }
        const s = session;
        const data = ctx.x.subarray(0, n);
        await cell(ctx, { ...base, composite: model.composite }, () => measure(asyncLoop(() => s.run({ x: new ort.Tensor('float32', data, shape) })), ctx.plan));
      }
      await session?.release();
    }
  }
  return { key, version: `onnxruntime-${flavour} ${version}` };
}

// ---------------------------------------------------------------------------------------------
// TensorFlow.js
// ---------------------------------------------------------------------------------------------

type Tf = typeof TF;

/** Load TF.js (the union package: its Node bundle registers the gradients), quietly. */
export async function loadTfjs(backend: 'cpu' | 'wasm'): Promise<Tf> {
  const quiet = console.log;
  const warn = console.warn;
  console.log = () => {};
  console.warn = () => {};
  try {
    const tf = requireHere('@tensorflow/tfjs') as Tf;
    if (backend === 'wasm') requireHere('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
    await tf.ready();
    tf.tensor([0]).dispose(); // the cpu backend greets on its first write
    return tf;
  } finally {
    console.log = quiet;
    console.warn = warn;
  }
}

/**
 * TF.js on one backend (1 thread: the wasm backend has no threads in Node). Forward is the op
 * and `dispose()` of its result (the way TF.js code runs between ops; with `read`, also a
 * `dataSync()` that brings the result to JavaScript); forward + backward is `tf.grad(f)(x, g)`.
 */
export async function runTfjs(ctx: RunContext, backend: 'cpu' | 'wasm', read: boolean): Promise<PeerStatus[]> {
  const keys = read ? [`tfjs-${backend}`, `tfjs-${backend}-read`] : [`tfjs-${backend}`];
  let tf: Tf;
  try {
    tf = await loadTfjs(backend);
  } catch (e) {
    return keys.map((key) => ({ key, absent: `TensorFlow.js ${backend} backend not available (${errText(e)})` }));
  }
  const key = `tfjs-${backend}`;
  for (const c of ctx.cases) {
    const f = tfjsFn(tf, c.name);
    for (const size of ctx.sizes) {
      if (c === ctx.cases[0]) ctx.log(`${key} 2^${size}`);
      const n = 2 ** size;
      const shape = c.shape(n);
      const outShape = c.outShape(shape);
      const cellsOf = (dir: Dir, impl: string) => ({ impl, case: c.name, dir, size, threads: 1 });
      if ('absent' in f) {
        for (const dir of ctx.dirs) ctx.record({ ...cellsOf(dir, key), seconds: null, note: f.absent });
        if (read && ctx.dirs.includes('fwd')) ctx.record({ ...cellsOf('fwd', `${key}-read`), seconds: null, note: f.absent });
        continue;
      }
      const composite = f.composite;
      // One op: call and dispose; a composition: inside tidy, which disposes the intermediates.
      const apply = composite ? (x: TF.Tensor) => tf.tidy(() => f.fn(x)) : f.fn;
      const x = tf.tensor(ctx.x.subarray(0, n), shape);
      const g = tf.tensor(ctx.g.subarray(0, numel(outShape)), outShape);
      const df = tf.grad((v: TF.Tensor) => f.fn(v));
      try {
        for (const dir of ctx.dirs) {
          if (dir === 'fwd') {
            await cell(ctx, { ...cellsOf('fwd', key), composite }, () => measure(syncLoop(() => apply(x).dispose()), ctx.plan));
            if (read) {
              await cell(ctx, { ...cellsOf('fwd', `${key}-read`), composite }, () =>
                measure(
                  syncLoop(() => {
                    const y = apply(x);
                    y.dataSync();
                    y.dispose();
                  }),
                  ctx.plan,
                ),
              );
            }
          } else {
            await cell(ctx, { ...cellsOf('bwd', key), composite }, () => measure(syncLoop(() => df(x, g).dispose()), ctx.plan));
          }
        }
      } finally {
        x.dispose();
        g.dispose();
      }
    }
  }
  return keys.map((k) => ({ key: k, version: `tfjs ${tf.version.tfjs}` }));
}

// ---------------------------------------------------------------------------------------------
// Copy bandwidth
// ---------------------------------------------------------------------------------------------

/** memcpy of n float32 values, 1 thread and `t` worker threads, at each size. */
export async function runCopy(ctx: RunContext): Promise<PeerStatus> {
  for (const t of ctx.threads) {
    for (const size of ctx.sizes) {
      await cell(ctx, { impl: 'copy', case: 'copy', dir: 'fwd', size, threads: t }, () => copyTime(2 ** size, t, ctx.plan));
    }
  }
  return { key: 'copy', version: `Float32Array.prototype.set, node ${process.version}` };
}
