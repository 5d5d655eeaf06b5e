/**
 * Elementwise kernels, JavaScript backend vs WebAssembly SIMD backend (`npm run bench:kernels`).
 *
 *   tsx bench/elementwise.ts [--quick] [--sizes 10,16,20,24] [--acts relu,sigmoid] [--extra]
 *
 * For each activation and size (float32), forward and backward: the fused kernel into a
 * preallocated output (the activation's own expressions, captured from a run), and the API
 * (`F.act(x)`, which allocates its output, and `autograd.grad(y, x, { gradOutputs: g })` on a
 * kept graph), elements/s and GB/s (forward 8 bytes per element: 4 read + 4 written; backward 12:
 * x or y and g read, the gradient written), median of several runs, each run calibrated to last
 * at least 0.1 s. `--f64` adds float64 kernels; `--extra` adds the tuning measurements:
 * staging vs in-place, chunk size, constant hoisting, the small-size crossover.
 */
import { activations, autograd, backends, manualSeed, randn } from '../src/index.js';
import * as wasm from '../src/backends/wasm/runtime.js';
import { runElementwise as runJs } from '../src/backends/js/elementwise.js';
import type { Backend } from '../src/backends/index.js';
import { compileKernel } from '../src/backends/wasm/codegen.js';
import { poolReady, stopPool, threadConfig } from '../src/backends/wasm/threads.js';
import { encodeModule } from '../src/backends/wasm/encoder.js';
import * as ir from '../src/ir/expr.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const sizes = (opt('--sizes') ?? '10,16,20,24').split(',').map((s) => 1 << Number(s));
const acts = (opt('--acts') ?? 'relu,sigmoid,tanh,gelu,elu,silu,softplus,mish').split(',');
const RUNS = quick ? 3 : 5;
const MIN_TIME = quick ? 0.05 : 0.1;

/** Median seconds per call of `fn`. */
function time(fn: () => void): number {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const dt = (performance.now() - t0) / 1000;
    if (dt >= MIN_TIME || reps >= 1 << 20) break;
    reps = Math.max(reps * 2, Math.ceil((reps * MIN_TIME * 1.2) / Math.max(dt, 1e-6)));
  }
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    runs.push((performance.now() - t0) / 1000 / reps);
  }
  runs.sort((a, b) => a - b);
  return runs[runs.length >> 1]!;
}

const fmt = (n: number): string => {
  const e = Math.log2(n);
  return Number.isInteger(e) ? `2^${e}` : String(n);
};
const rate = (n: number, s: number, bytes: number): string => `${((n / s) / 1e6).toFixed(0).padStart(6)} M/s ${((n * bytes) / s / 1e9).toFixed(2).padStart(6)} GB/s`;

function act(id: string) {
  const a = activations.get(id);
  if (!a) throw new Error(`no activation ${id}`);
  return a;
}

/** The forward and backward kernels an activation runs, captured through a spy backend. */
interface Captured {
  expr: ir.Expr;
  params: Record<string, number>;
  operands: number;
}
function capture(id: string, dtype: 'float32' | 'float64' = 'float32'): { fwd: Captured; bwd: Captured } {
  const seen: Captured[] = [];
  const spy: Backend = {
    name: 'bench-spy',
    elementwise(expr, kdtype, _shape, _out, outBool, operands, params) {
      if (kdtype === dtype && !outBool) seen.push({ expr, params: { ...params }, operands: operands.length });
      return false;
    },
  };
  backends.registerBackend(spy);
  backends.setBackend('bench-spy');
  const x = randn([64], { dtype }).requiresGrad_(true);
  const y = act(id).call(x, {});
  const fwd = seen[seen.length - 1]!;
  seen.length = 0;
  autograd.grad(y, x, { gradOutputs: randn([64], { dtype }) });
  const bwd = seen[seen.length - 1]!;
  backends.setBackend('js');
  return { fwd, bwd };
}

/** Seconds per call of a captured kernel over n contiguous elements, preallocated output. */
function kernelTime(which: 'js' | 'wasm', k: Captured, n: number, inputs: (Float32Array | Float64Array)[], out: Float32Array | Float64Array): number {
  const dtype = out instanceof Float32Array ? 'float32' : 'float64';
  const ops = inputs.slice(0, k.operands).map((data) => ({ data, offset: 0, strides: [1] }));
  const o = { data: out, offset: 0, strides: [1] };
  if (which === 'js') return time(() => runJs(k.expr, dtype, [n], o, false, ops, k.params));
  if (!wasm.elementwise(k.expr, dtype, [n], o, false, ops, k.params)) return NaN; // declined: JavaScript runs it
  return time(() => void wasm.elementwise(k.expr, dtype, [n], o, false, ops, k.params));
}

console.log(`# elementwise kernels, float32, median of ${RUNS} runs; node ${process.version}`);
console.log(`kernel: the fused kernel into a preallocated output (forward: x -> y; backward: (x or y, g) -> dx).`);
console.log(`API: F.act(x) allocating its output / autograd.grad(y, x, { gradOutputs: g }) on a kept graph.`);
console.log(`| activation | size | pass | js kernel | wasm kernel | speed-up | js API | wasm API | speed-up |`);
console.log(`|---|---|---|---|---|---|---|---|---|`);
for (const id of acts) {
  const a = act(id);
  const kernels = capture(id);
  for (const n of sizes) {
    manualSeed(0);
    const x = randn([n]).mul(3);
    const xg = x.detach().requiresGrad_(true);
    const g = randn([n]);
    const inputs = [x.toTypedArray() as Float32Array, g.toTypedArray() as Float32Array, randn([n]).toTypedArray() as Float32Array];
    const out = new Float32Array(n);
    const res: Record<string, Record<string, number>> = {};
    for (const b of ['js', 'wasm'] as const) {
      backends.setBackend(b);
      const apiFwd = time(() => void a.call(x, {}));
      const y = a.call(xg, {});
      const apiBwd = time(() => void autograd.grad(y, xg, { gradOutputs: g, retainGraph: true }));
      backends.setBackend('js');
      res[b] = { apiFwd, apiBwd, kFwd: kernelTime(b, kernels.fwd, n, inputs, out), kBwd: kernelTime(b, kernels.bwd, n, inputs, out) };
    }
    for (const pass of ['Fwd', 'Bwd'] as const) {
      const bytes = pass === 'Fwd' ? 8 : 12;
      const j = res['js']!;
      const w = res['wasm']!;
      console.log(
        `| ${id} | ${fmt(n)} | ${pass === 'Fwd' ? 'forward' : 'backward'} | ${rate(n, j[`k${pass}`]!, bytes)} | ${rate(n, w[`k${pass}`]!, bytes)} | ${(j[`k${pass}`]! / w[`k${pass}`]!).toFixed(1)}x | ${rate(n, j[`api${pass}`]!, bytes)} | ${rate(n, w[`api${pass}`]!, bytes)} | ${(j[`api${pass}`]! / w[`api${pass}`]!).toFixed(1)}x |`,
      );
    }
  }
}
backends.setBackend('js');

if (args.includes('--f64')) {
  console.log(`\n# float64 kernels (preallocated output): f64x2 vs the JavaScript loops`);
  console.log(`| activation | size | pass | js kernel | wasm kernel | speed-up |`);
  console.log(`|---|---|---|---|---|---|`);
  for (const id of acts) {
    const kernels = capture(id, 'float64');
    for (const n of [1 << 16, 1 << 20]) {
      const inputs = [0, 1, 2].map(() => randn([n], { dtype: 'float64' }).mul(3).toTypedArray() as Float64Array);
      const out = new Float64Array(n);
      for (const pass of ['fwd', 'bwd'] as const) {
        const k = kernels[pass];
        const j = kernelTime('js', k, n, inputs, out);
        const w = kernelTime('wasm', k, n, inputs, out);
        const bytes = pass === 'fwd' ? 16 : 24;
        console.log(`| ${id} | ${fmt(n)} | ${pass === 'fwd' ? 'forward' : 'backward'} | ${rate(n, j, bytes)} | ${Number.isNaN(w) ? 'declined' : rate(n, w, bytes)} | ${Number.isNaN(w) ? '-' : (j / w).toFixed(1) + 'x'} |`);
      }
    }
  }
}

if (args.includes('--extra')) {
  const x0 = ir.input(0);
  const kernelsToTry: [string, ir.Expr][] = [
    ['relu', ir.max(x0, 0)],
    ['sigmoid', ir.sigmoid(x0)],
    ['gelu', ir.mul(ir.mul(x0, 0.5), ir.erfc(ir.mul(ir.neg(x0), Math.SQRT1_2)))],
    ['tanh', ir.tanh(x0)],
    ['elu', ir.where(ir.gt(x0, 0), x0, ir.expm1(x0))],
  ];

  // Staging vs in place: the same kernel over data already in linear memory.
  console.log(`\n# staging overhead: kernel through staging (preallocated output) vs in place in linear memory`);
  console.log(`| kernel | size | staged | in place | staged/in-place time |`);
  console.log(`|---|---|---|---|---|`);
  const mem = wasm.sharedMemory();
  for (const [name, e] of kernelsToTry) {
    for (const n of [1 << 16, 1 << 20, 1 << 24]) {
      const src = new Float32Array(n).map(() => Math.random() * 20 - 10);
      const dst = new Float32Array(n);
      const staged = time(() => {
        wasm.elementwise(e, 'float32', [n], { data: dst, offset: 0, strides: [1] }, false, [{ data: src, offset: 0, strides: [1] }], {});
      });
      const k = wasm.getKernel(e, 'float32', ['array'])!;
      const base = mem.buffer.byteLength;
      const need = base + 2 * n * 4;
      if (mem.buffer.byteLength < need) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
      new Float32Array(mem.buffer as ArrayBuffer, base, n).set(src);
      const inPlace = time(() => k.fn(n * 4, base + n * 4, base));
      console.log(`| ${name} | ${fmt(n)} | ${rate(n, staged, 8)} | ${rate(n, inPlace, 8)} | ${(staged / inPlace).toFixed(2)} |`);
    }
  }

  console.log(`\n# chunk size (elements per staging chunk), float32, staged kernel with preallocated output`);
  console.log(`| kernel | size | ${[1024, 2048, 4096, 8192, 16384, 65536].join(' | ')} |`);
  console.log(`|---|---|${[1024, 2048, 4096, 8192, 16384, 65536].map(() => '---').join('|')}|`);
  const chunkBefore = wasm.config.chunk;
  for (const [name, e] of kernelsToTry.slice(0, 2)) {
    for (const n of [1 << 20, 1 << 24]) {
      const src = new Float32Array(n).map(() => Math.random() * 20 - 10);
      const dst = new Float32Array(n);
      const cells: string[] = [];
      for (const chunk of [1024, 2048, 4096, 8192, 16384, 65536]) {
        wasm.config.chunk = chunk;
        const s = time(() => {
          wasm.elementwise(e, 'float32', [n], { data: dst, offset: 0, strides: [1] }, false, [{ data: src, offset: 0, strides: [1] }], {});
        });
        cells.push(`${((n / s) / 1e6).toFixed(0)} M/s`);
      }
      console.log(`| ${name} | ${fmt(n)} | ${cells.join(' | ')} |`);
    }
  }
  wasm.config.chunk = chunkBefore;

  console.log(`\n# constants: hoisted into locals vs inline v128.const (in place, 2^16)`);
  for (const [name, e] of kernelsToTry) {
    const out: string[] = [];
    for (const hoist of [true, false]) {
      const { body } = compileKernel({ expr: e, dtype: 'float32', operands: ['array'] }, { hoistConstants: hoist });
      const bytes = encodeModule([{ name: 'k', body }], { initial: 1, maximum: 16384, shared: wasm.memoryIsShared() });
      const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem } });
      const fn = inst.exports['k'] as (...a: number[]) => void;
      const n = 1 << 16;
      const base = 1 << 20;
      const s = time(() => fn(n * 4, base + n * 4, base));
      out.push(`${hoist ? 'hoisted' : 'inline'} ${((n / s) / 1e6).toFixed(0)} M/s (${bytes.length} bytes)`);
    }
    console.log(`${name}: ${out.join(', ')}`);
  }

  console.log(`\n# threads: staged kernel, main thread + 1 worker vs main thread alone`);
  console.log(`| kernel | size | 1 thread | 2 threads | speed-up |`);
  console.log(`|---|---|---|---|---|`);
  {
    const before = { ...threadConfig };
    for (const [name, e] of kernelsToTry) {
      for (const n of [1 << 20, 1 << 24]) {
        const src = new Float32Array(n).map(() => Math.random() * 20 - 10);
        const dst = new Float32Array(n);
        const call = () => void wasm.elementwise(e, 'float32', [n], { data: dst, offset: 0, strides: [1] }, false, [{ data: src, offset: 0, strides: [1] }], {});
        threadConfig.threads = 1;
        const one = time(call);
        threadConfig.threads = 2;
        await poolReady(wasm.sharedMemory(), wasm.memoryIsShared());
        const two = time(call);
        console.log(`| ${name} | ${fmt(n)} | ${rate(n, one, 8)} | ${rate(n, two, 8)} | ${(one / two).toFixed(2)} |`);
      }
    }
    await stopPool();
    Object.assign(threadConfig, before);
  }

  console.log(`\n# small sizes: F.relu / F.sigmoid per call, js vs wasm (minElements set to 0 for wasm)`);
  const minBefore = wasm.config.minElements;
  wasm.config.minElements = 0;
  console.log(`| n | relu js | relu wasm | sigmoid js | sigmoid wasm |`);
  console.log(`|---|---|---|---|---|`);
  for (const n of [4, 16, 64, 256, 1024, 4096]) {
    const x = randn([n]);
    const cells: string[] = [];
    for (const id of ['relu', 'sigmoid']) {
      for (const b of ['js', 'wasm']) {
        backends.setBackend(b);
        const s = time(() => void act(id).call(x, {}));
        cells.push(`${(s * 1e9).toFixed(0)} ns`);
      }
    }
    console.log(`| ${n} | ${cells.join(' | ')} |`);
  }
  wasm.config.minElements = minBefore;
  backends.setBackend('js');
}
