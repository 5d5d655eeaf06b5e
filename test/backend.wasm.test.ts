/**
 * The WebAssembly SIMD backend against the JavaScript backend (the reference semantics):
 * primitive accuracy sweeps against float64, bitwise agreement for the exact primitives, every
 * registered activation forward and backward on float32 and float64, and the dispatch rules.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { activationInputs, callParams, FLOAT32_BOUNDS, lcg, SPECIALS, sweep, ulp32, ulp64 } from './helpers/backend_inputs.js';
import { activations, autograd, backends, defineActivation, F, ir, manualSeed, randn, tensor, type Activation, type Tensor } from '../src/index.js';
import { runElementwise as runJs } from '../src/backends/js/elementwise.js';
import { config, getKernel } from '../src/backends/wasm/index.js';
import { softmaxConfig, softmaxStats } from '../src/backends/wasm/softmax.js';
import { gemmStats } from '../src/backends/wasm/gemm.js';
import { checkLayouts, checkLinearAndBatched, checkNonFinite } from './helpers/products.js';
import { elementwise as runWasm, memoryIsShared, sharedMemory, stats } from '../src/backends/wasm/runtime.js';
import { poolReady, stopPool, threadConfig } from '../src/backends/wasm/threads.js';
import { erf, erfc } from '../src/ir/special.js';
import type { DType } from '../src/tensor/dtype.js';
import { setWarningHandler } from '../src/util/warn.js';

afterEach(() => backends.setBackend('js'));

/** Measured maxima, printed with PAODING_WASM_REPORT=1 (for the backend's accuracy table). */
const report: string[] = [];
afterAll(() => {
  if ((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['PAODING_WASM_REPORT']) console.log(report.join('\n'));
});





/** Run one expression over contiguous operands on a backend (no fallback), returning the output. */
function run(which: 'js' | 'wasm', e: ir.Expr, dtype: DType, inputs: (Float32Array | Float64Array)[], params: Record<string, number> = {}): Float32Array | Float64Array {
  const n = inputs[0]!.length;
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const ops = inputs.map((data) => ({ data, offset: 0, strides: [1] }));
  if (which === 'js') runJs(e, dtype, [n], { data: out, offset: 0, strides: [1] }, false, ops, params);
  else expect(runWasm(e, dtype, [n], { data: out, offset: 0, strides: [1] }, false, ops, params), `wasm takes ${e}`).toBe(true);
  return out;
}

const x0 = ir.input(0);
const x1 = ir.input(1);

describe('float32 transcendental primitives: accuracy against float64', () => {
  // Max error in ulp over the sweep. PyTorch 1.13's float32 kernels measured on the same kind
  // of sweep (bench/torch_accuracy.py): exp 0.974, expm1 1.000, log 0.573, log1p 1.000,
  // tanh 1.000, sigmoid 2.413 (underflowing to 0 below -88.7), erf 1.091, erfc 1.369.
  const cases: [string, (v: number) => number, number, (v: number) => number][] = [
    ['exp', Math.exp, 1.0, (v) => v],
    ['expm1', Math.expm1, 1.0, (v) => v],
    ['log', Math.log, 0.52, Math.abs],
    ['log1p', Math.log1p, 1.0, (v) => (v < -1 ? -v - 1 : v)],
    ['tanh', Math.tanh, 0.52, (v) => v],
    ['sigmoid', (v) => 1 / (1 + Math.exp(-v)), 2.3, (v) => v],
    ['erf', erf, 0.52, (v) => v],
    ['erfc', erfc, 0.52, (v) => v],
  ];
  const xs = (sweep(1 << 18, 'float32') as Float32Array);
  for (const [name, ref, bound, domain] of cases) {
    it(`${name}: at most ${bound} ulp, special values as the JavaScript backend`, () => {
      const e = ir.unary(name as ir.UnaryOp, x0);
      const input = xs.map(domain);
      const got = run('wasm', e, 'float32', [input]);
      const js = run('js', e, 'float32', [input]);
      let worst = 0;
      let at = 0;
      for (let i = 0; i < input.length; i++) {
        const r = ref(input[i]!);
        const y = got[i]!;
        if (!Number.isFinite(r) || Math.abs(r) > 3.4028234663852886e38 || r === 0) {
          expect(Object.is(y, js[i]), `${name}(${input[i]}) = ${y}, js ${js[i]}`).toBe(true);
          continue;
        }
        const err = Math.abs(y - r) / ulp32(r);
        if (err > worst) [worst, at] = [err, input[i]!];
      }
      report.push(`primitive float32 ${name}: ${worst.toFixed(3)} ulp at x = ${at}`);
      expect(worst, `${name}: max ${worst.toFixed(3)} ulp at x = ${at}`).toBeLessThanOrEqual(bound);
      // Signed zeros, infinities and NaN exactly as the JavaScript backend.
      for (let i = 0; i < SPECIALS.length; i++) {
        const a = got[i]!;
        const b = js[i]!;
        if (Number.isNaN(b) || !Number.isFinite(b) || b === 0) expect(Object.is(a, b), `${name}(${input[i]}): ${a} vs ${b}`).toBe(true);
      }
    });
  }
});

describe('float64 primitives', () => {
  it('exp, expm1, log, log1p, tanh, sigmoid close to the JavaScript backend; special values equal', () => {
    const rnd = lcg(3);
    const n = 1 << 17;
    const xs = new Float64Array(n);
    xs.set(SPECIALS);
    xs.set([709.7, 709.8, -745.1, -745.2, -708.4, -740, 0.3465, 0.3466, 0.5, 0.6931, 36, 37, 2.2250738585072014e-308, 5e-324, 1e-300], SPECIALS.length);
    for (let i = SPECIALS.length + 15; i < n; i++) {
      const u = rnd() / 2 ** 32 - 0.5;
      xs[i] = i % 3 === 0 ? u * 60 : i % 3 === 1 ? u * 1500 : u * 2 ** ((rnd() % 200) - 100);
    }
    const cases: [string, (v: number) => number, number, (v: number) => number][] = [
      ['exp', Math.exp, 1, (v) => v],
      // Just below 0.5 a result has half the spacing of the sum 1 + exp(-x) it is divided from, so
      // one ulp of difference in exp can show as two in the result.
      ['sigmoid', (v) => 1 / (1 + Math.exp(-v)), 2, (v) => v],
      ['expm1', Math.expm1, 1.5, (v) => v],
      ['log', Math.log, 1, Math.abs],
      ['log1p', Math.log1p, 1, (v) => (v < -1 ? -v - 1 : v)],
      ['tanh', Math.tanh, 2, (v) => v],
    ];
    for (const [name, ref, bound, domain] of cases) {
      const input = xs.map(domain);
      const got = run('wasm', ir.unary(name as ir.UnaryOp, x0), 'float64', [input]);
      let worst = 0;
      let at = 0;
      for (let i = 0; i < n; i++) {
        const r = ref(input[i]!);
        if (!Number.isFinite(r) || r === 0) {
          expect(Object.is(got[i], r), `${name}(${input[i]}) = ${got[i]}, want ${r}`).toBe(true);
          continue;
        }
        const err = Math.abs(got[i]! - r) / ulp64(r);
        if (err > worst) [worst, at] = [err, input[i]!];
      }
      report.push(`primitive float64 ${name}: ${worst.toFixed(3)} ulp (vs V8's fdlibm) at x = ${at}`);
      expect(worst, `${name} at ${at}`).toBeLessThanOrEqual(bound);
    }
  });

  it('declines the float64 transcendental primitives it does not compile', () => {
    for (const op of ['erf', 'erfc', 'sin', 'cos'] as const) {
      expect(getKernel(ir.unary(op, x0), 'float64', ['array']), op).toBeNull();
    }
    expect(getKernel(ir.unary('sin', x0), 'float32', ['array'])).toBeNull();
    expect(getKernel(ir.pow(x0, x1), 'float32', ['array', 'array'])).toBeNull();
  });
});

describe('exact primitives agree bitwise with the JavaScript backend', () => {
  const a32 = (sweep(4096, 'float32', -8, 8, 11) as Float32Array);
  const b32 = (sweep(4096, 'float32', -8, 8, 12) as Float32Array).reverse();
  // Ties and signed zeros for max/min: put equal values and ±0 pairs in.
  a32.set([0, -0, 0, -0, 1, NaN, 2, -Infinity], 100);
  b32.set([-0, 0, 0, -0, 1, 2, NaN, -Infinity], 100);
  const exprs: [string, ir.Expr][] = [
    ['add', ir.add(x0, x1)],
    ['sub', ir.sub(x0, x1)],
    ['mul', ir.mul(x0, x1)],
    ['div', ir.div(x0, x1)],
    ['neg', ir.neg(x0)],
    ['abs', ir.abs(x0)],
    ['sign', ir.sign(x0)],
    ['sqrt', ir.sqrt(x0)],
    ['rsqrt', ir.rsqrt(x0)],
    ['reciprocal', ir.reciprocal(x0)],
    ['floor', ir.floor(x0)],
    ['ceil', ir.ceil(x0)],
    ['round', ir.round(ir.mul(x0, 4))],
    ['trunc', ir.trunc(x0)],
    ['max', ir.max(x0, x1)],
    ['min', ir.min(x0, x1)],
    ['max const', ir.max(x0, 0)],
    ['min const', ir.min(x0, -0)],
    ['pow 2', ir.pow(x0, 2)],
    ['where/lt', ir.where(ir.lt(x0, x1), x0, x1)],
    ['le/ge/and/or/not', ir.where(ir.or(ir.and(ir.le(x0, 1), ir.ge(x0, -1)), ir.not(ir.ne(x1, x1))), ir.mul(x0, 2), x1)],
    ['eq/gt', ir.add(ir.tonum(ir.eq(x0, x1)), ir.tonum(ir.gt(x0, x1)))],
    ['isnan', ir.tonum(ir.isnan(ir.mul(x0, x1)))],
    ['param', ir.where(ir.gt(x0, ir.param('t')), ir.sub(x0, ir.param('t')), ir.mul(x0, ir.param('s')))],
    ['detach', ir.detach(ir.mul(x0, 3))],
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    const a = dtype === 'float32' ? a32 : Float64Array.from(a32, (v, i) => v * (1 + (i % 7) * 1e-9));
    const b = dtype === 'float32' ? b32 : Float64Array.from(b32);
    it.each(exprs)(`${dtype} %s`, (_name, e) => {
      const params = { t: 0.1, s: 0.3 };
      const got = run('wasm', e, dtype, [a, b], params);
      const want = run('js', e, dtype, [a, b], params);
      for (let i = 0; i < want.length; i++) {
        if (!Object.is(got[i], want[i])) expect(`${e} at (${a[i]}, ${b[i]}): ${got[i]}`).toBe(`${e} at (${a[i]}, ${b[i]}): ${want[i]}`);
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Every registered activation, forward and backward, wasm vs js.
// ---------------------------------------------------------------------------------------------





function compare(
  id: string,
  what: string,
  got: Float32Array | Float64Array,
  want: Float32Array | Float64Array,
  xs: ArrayLike<number>,
  gs: ArrayLike<number> | undefined,
  bound: number,
  dtype: DType,
  expOfLarge = false,
): number {
  const ulp = dtype === 'float32' ? ulp32 : ulp64;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!;
    const b = want[i]!;
    if (Object.is(a, b)) continue;
    const where = `${id} ${what} ${dtype} at x = ${xs[i % xs.length]}: wasm ${a}, js ${b}`;
    if (!Number.isFinite(b) || b === 0 || !Number.isFinite(a)) {
      // Non-finite results and exact zeros (signed) must match, except a zero that is the
      // rounding of a tiny value in the other backend (within the bound).
      expect(Number.isFinite(a) && Number.isFinite(b), where).toBe(true);
    }
    // Backward results may cancel to near zero (g·(1 − tanh²)): there the error is measured
    // against the scale of the terms, max(1, |x|)·|g|, too. Forward errors are pure ulp.
    const scale = gs ? Math.max(1, Math.abs(xs[i % xs.length]!)) * Math.abs(gs[i % gs.length]!) : 0;
    // float32 intermediates in the subnormal range carry few bits (mish(-91.5) goes through
    // softplus = 1.8e-40): errors of a subnormal ulp times |x| are accepted there.
    const tiny = dtype === 'float32' ? 2 ** -149 * Math.max(1, Math.abs(xs[i % xs.length]!)) : 0;
    let err = Math.abs(a - b) / (Math.max(ulp(b), tiny) + (Number.isFinite(scale) && scale > 0 ? ulp(scale) : 0));
    // Softmax-like results are e^z for |z| up to hundreds: an ulp of z becomes |z| ulp of e^z.
    if (expOfLarge) err /= Math.max(1, Math.abs(Math.log(Math.abs(b))));
    if (err > worst) worst = err;
    if (err > bound) expect(err, where).toBeLessThanOrEqual(bound);
  }
  return worst;
}

describe('every registered activation on wasm equals js (forward and backward)', () => {
  const list = (activations.list() as Activation[]).filter((a) => a.id !== 'softmax2d');
  for (const dtype of ['float32', 'float64'] as const) {
    it.each(list.map((a) => [a.id, a] as const))(`${dtype} %s`, (id, a) => {
      setWarningHandler(() => {});
      try {
        const n = 2048;
        const xs = activationInputs(n, 5);
        const gs = activationInputs(n, 6).map((v) => (Number.isFinite(v) ? v : 1));
        // GLU's halves as rows of 256, long enough for the backend's row-by-row path (its
        // forward and backward read and write the halves in place, as strided views).
        const shape = a.id === 'glu' ? [n / 512, 512] : a.spec.kind === 'dim' || a.spec.kind === 'random' ? [n / 256, 256] : [n];
        const results: Record<string, { y: Float32Array | Float64Array; g: Float32Array | Float64Array }> = {};
        // Kernel calls on wasm: elementwise ones, and softmax's own.
        const calls = (): number => stats.taken + softmaxStats.forward + softmaxStats.backward;
        const taken = calls();
        for (const b of ['js', 'wasm']) {
          backends.setBackend(b);
          manualSeed(1);
          const x = tensor(Float64Array.from(xs), { dtype, shape, requiresGrad: true });
          const p = callParams(a, x);
          const y = a.call(x, p);
          const g = tensor(Float64Array.from(gs.slice(0, y.numel())), { dtype, shape: y.shape });
          const [dx] = autograd.grad(y, x, { gradOutputs: g });
          results[b] = { y: y.toTypedArray() as Float32Array, g: dx!.toTypedArray() as Float32Array };
        }
        // float32 always runs on wasm; float64 only where every primitive compiles.
        if (dtype === 'float32') expect(calls(), 'kernels run on wasm').toBeGreaterThan(taken);
        // float64 log_softmax: the JavaScript loops' log(sum) rounds the sum to float64, which
        // shows in results near 0 (at x = 146.475 here, y = −0.0881: js 18.9 ulp from the exact
        // value computed with 300-bit mpmath, wasm's log1p of the rest 0.06): 7.8 once scaled.
        const bound = dtype === 'float64' ? (id === 'log_softmax' ? 8 : 4) : (FLOAT32_BOUNDS[id] ?? 8);
        const expOfLarge = a.spec.kind === 'dim' || a.spec.kind === 'random';
        const wf = compare(id, 'forward', results['wasm']!.y, results['js']!.y, xs, undefined, bound, dtype, expOfLarge);
        const wb = compare(id, 'backward', results['wasm']!.g, results['js']!.g, xs, gs, bound, dtype, expOfLarge);
        report.push(`activation ${dtype} ${id}: forward ${wf.toFixed(2)}, backward ${wb.toFixed(2)} (bound ${bound})`);
      } finally {
        setWarningHandler(undefined);
      }
    });
  }

  it('a user-defined activation gets SIMD kernels too (forward and derivative)', () => {
    const swish = defineActivation({
      id: 'swish_wasm_test',
      module: 'SwishWasmTest',
      summary: 'x * sigmoid(beta * x), for the wasm backend test.',
      formula: 'x * sigmoid(beta * x)',
      params: { beta: { type: 'float', default: 1, doc: 'steepness of the gate' } },
      forward: (x, p) => x.mul(ir.sigmoid(p.beta.mul(x))),
      reference: (x, p) => x / (1 + Math.exp(-p.beta * x)),
      gradFn: 'SwishBackward0',
      properties: { range: [-0.2785, Infinity], monotonic: false, kinks: [], zeroCentered: false, saturates: 'negative' },
    });
    const xs = activationInputs(1024, 9);
    const out: Record<string, Float32Array[]> = {};
    for (const b of ['js', 'wasm']) {
      backends.setBackend(b);
      const x = tensor(xs, { requiresGrad: true });
      const y = swish.fn(x, { beta: 1.7 });
      const [g] = autograd.grad(y.sum(), x);
      out[b] = [y.toTypedArray() as Float32Array, g!.toTypedArray() as Float32Array];
    }
    compare('swish', 'forward', out['wasm']![0]!, out['js']![0]!, xs, undefined, 4, 'float32');
    // The upstream gradient of y.sum() is 1: backward errors are measured with that scale.
    compare('swish', 'backward', out['wasm']![1]!, out['js']![1]!, xs, [1], 3, 'float32');
  });
});

// ---------------------------------------------------------------------------------------------
// Softmax and log-softmax kernels.
// ---------------------------------------------------------------------------------------------

/** `rows` slices of `len` values, uniform with a width per slice of 2, 10, 40 or 300. */
function softmaxRows(len: number, rows: number, seed: number): Float32Array {
  const rnd = lcg(seed);
  const out = new Float32Array(len * rows);
  for (let r = 0; r < rows; r++) {
    const width = [2, 10, 40, 300][r % 4]!;
    for (let i = 0; i < len; i++) out[r * len + i] = (rnd() / 2 ** 32 - 0.5) * width;
  }
  return out;
}

/** (log-)softmax of float32 values along `dim` on a backend, as float32. */
function softmaxOn(which: 'js' | 'wasm', data: Float32Array, shape: number[], dim: number, log: boolean): Float32Array {
  backends.setBackend(which);
  const x = tensor(data, { shape });
  return (log ? F.logSoftmax(x, dim) : F.softmax(x, dim)).toTypedArray() as Float32Array;
}

/**
 * The float64 result for float32 inputs, per slice: log_softmax as (x − max) − log1p(rest), rest
 * the sum over the elements below the maximum plus the count of its ties less one, which keeps
 * the digits of results near 0 (the largest element's −log1p(rest)) that log(sum) loses.
 */
function softmaxRef(data: ArrayLike<number>, shape: number[], dim: number, log: boolean): Float64Array {
  const size = shape[dim]!;
  const inner = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const outer = data.length / (size * inner);
  const out = new Float64Array(data.length);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const at = (i: number): number => (o * size + i) * inner + j;
      let m = -Infinity;
      for (let i = 0; i < size; i++) m = Math.max(m, data[at(i)]!); // NaN wins
      let ties = 0;
      let rest = 0;
      for (let i = 0; i < size; i++) {
        const d = data[at(i)]! - m;
        if (d === 0) ties++;
        else rest += Math.exp(d);
      }
      const l = Math.log1p(ties - 1 + rest);
      for (let i = 0; i < size; i++) {
        const d = data[at(i)]! - m;
        out[at(i)] = log ? d - l : Math.exp(d) / (ties + rest);
      }
    }
  }
  return out;
}

/** Max error in float32 ulp against a float64 reference; non-finite and zero results must be equal. */
function maxUlp(got: Float32Array, ref: Float64Array, what: string): number {
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    if (!Number.isFinite(r) || Math.fround(r) === 0) {
      // Exact zeros, infinities and NaN as in float64 (a result below half the smallest
      // subnormal rounds to zero in both).
      const want = Number.isNaN(r) ? NaN : Math.fround(r);
      if (!Object.is(got[i], want) && !(got[i] === 0 && want === 0)) expect(`${what} at ${i}: ${got[i]}`).toBe(`${what} at ${i}: ${want}`);
      continue;
    }
    const err = Math.abs(got[i]! - r) / ulp32(r);
    if (err > worst) worst = err;
  }
  return worst;
}

/** Rows (long and short), a middle dim, and Softmax2d's channels: the kernels' two layouts. */
const KERNEL_SHAPES: [number[], number][] = [
  [[64, 1024], 1],
  [[32, 100], 1],
  [[4, 300, 33], 1],
  [[1, 16, 1, 2048], 1],
];

describe('softmax kernels (float32)', () => {
  // PyTorch 1.13's float32 kernels on the same inputs (bench/torch_softmax_accuracy.py): softmax
  // 63.2 ulp (the rounding of x − max amplified by |x − max|), log_softmax 2.14 ulp on rows of
  // 1024 and up to 1.7e7 ulp on short rows (log(sum) rounded to float32 where it is tiny).
  const SOFTMAX_BOUND = 2.5;
  // log_softmax: −log1p(rest) for the largest element carries the exponentials' 0.95 ulp.
  const LOG_SOFTMAX_BOUND = 1.5;
  const cases: [number, number][] = [
    [1024, 64],
    [7, 256],
    [100, 128],
    [5000, 16],
  ];
  for (const [len, rows] of cases) {
    it(`rows of ${len}: within ${SOFTMAX_BOUND} ulp (softmax) and ${LOG_SOFTMAX_BOUND} ulp (log_softmax) of float64`, () => {
      const data = softmaxRows(len, rows, len);
      for (const log of [false, true]) {
        const before = softmaxStats.forward;
        const got = softmaxOn('wasm', data, [rows, len], 1, log);
        expect(softmaxStats.forward, 'taken by the wasm kernel').toBe(before + 1);
        const worst = maxUlp(got, softmaxRef(data, [rows, len], 1, log), `${log ? 'log_softmax' : 'softmax'} rows of ${len}`);
        report.push(`softmax kernel float32 ${log ? 'log_softmax' : 'softmax'} rows of ${len}: ${worst.toFixed(3)} ulp`);
        expect(worst).toBeLessThanOrEqual(log ? LOG_SOFTMAX_BOUND : SOFTMAX_BOUND);
      }
    });
  }

  it('along a middle dim (columns) and through non-contiguous views: the same accuracy, the same bits for every layout', () => {
    const shapes: [number[], number][] = [
      [[4, 300, 33], 1],
      [[1, 16, 1, 4096], 1],
      [[3, 40, 5, 7], 2],
      [[6, 1024], 0],
      [[8, 16, 256], 1],
    ];
    for (const [shape, dim] of shapes) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = softmaxRows(n / 4, 4, n);
      for (const log of [false, true]) {
        const got = softmaxOn('wasm', data, shape, dim, log);
        const worst = maxUlp(got, softmaxRef(data, shape, dim, log), `${shape} along ${dim}`);
        report.push(`softmax kernel float32 ${log ? 'log_softmax' : 'softmax'} ${JSON.stringify(shape)} along ${dim}: ${worst.toFixed(3)} ulp`);
        expect(worst, `${JSON.stringify(shape)} along ${dim}`).toBeLessThanOrEqual(log ? LOG_SOFTMAX_BOUND : SOFTMAX_BOUND);
        // The same values through a permuted, non-contiguous view.
        backends.setBackend('wasm');
        const last = shape.length - 1;
        const xt = tensor(data, { shape }).transpose(0, last).contiguous().transpose(0, last);
        expect(xt.isContiguous()).toBe(false);
        const viaView = (log ? F.logSoftmax(xt, dim) : F.softmax(xt, dim)).toTypedArray() as Float32Array;
        for (let i = 0; i < n; i++) if (!Object.is(viaView[i], got[i])) expect(`${shape} at ${i}: ${viaView[i]}`).toBe(`${shape} at ${i}: ${got[i]}`);
      }
    }
  });

  it('special values as the JavaScript loops: NaN, ±inf, rows of -inf, extremes, subnormal results', () => {
    const len = 40;
    const specialRows: number[][] = [
      [NaN],
      [Infinity],
      [-Infinity],
      [Infinity, -Infinity],
      [Infinity, Infinity],
      new Array(len).fill(-Infinity),
      [3.4028234663852886e38, -3.4028234663852886e38, -Infinity],
      [-3.4028234663852886e38, -Infinity],
      new Array(len).fill(-3.4028234663852886e38),
      [1e30, -1e30, 1e20],
      [0, -0, -103, -104, -110, -87.5, -88, -1000],
      [1000, 0],
      [2 ** -149, -(2 ** -149), 0],
      new Array(len).fill(0),
    ];
    const rows = specialRows.length;
    const data = softmaxRows(len, rows, 77);
    specialRows.forEach((r, i) => data.set(r, i * len));
    for (const log of [false, true]) {
      const got = softmaxOn('wasm', data, [rows, len], 1, log);
      const js = softmaxOn('js', data, [rows, len], 1, log);
      for (let i = 0; i < js.length; i++) {
        const b = js[i]!;
        if (Number.isNaN(b) || !Number.isFinite(b) || b === 0) expect(Object.is(got[i], b), `${log ? 'log_softmax' : 'softmax'} row ${Math.floor(i / len)} at ${i % len}: ${got[i]}, js ${b}`).toBe(true);
        else expect(Math.abs(got[i]! - b) / ulp32(b), `row ${Math.floor(i / len)} at ${i % len}`).toBeLessThanOrEqual(log ? 1.5 : 2.5);
      }
      // A NaN or +inf poisons its row, a row of only -inf is NaN (as PyTorch).
      for (const r of [0, 1, 3, 4, 5]) expect(Array.from(got.subarray(r * len, (r + 1) * len)).every(Number.isNaN), `row ${r}`).toBe(true);
      expect(got[2 * len]).toBe(log ? -Infinity : 0);
    }
  });

  it('long rows (beyond the staging chunk) are staged whole; beyond maxSlice they decline', () => {
    const before = { ...softmaxConfig };
    try {
      for (const len of [softmaxConfig.chunk + 8, 3 * softmaxConfig.chunk + 5]) {
        const data = softmaxRows(len, 2, len);
        for (const log of [false, true]) {
          const got = softmaxOn('wasm', data, [2, len], 1, log);
          expect(maxUlp(got, softmaxRef(data, [2, len], 1, log), `rows of ${len}`)).toBeLessThanOrEqual(log ? LOG_SOFTMAX_BOUND : SOFTMAX_BOUND);
        }
      }
      softmaxConfig.maxSlice = 1000;
      const declined = softmaxStats.declined;
      const data = softmaxRows(1001, 2, 5);
      expect(Array.from(softmaxOn('wasm', data, [2, 1001], 1, false))).toEqual(Array.from(softmaxOn('js', data, [2, 1001], 1, false)));
      expect(softmaxStats.declined).toBeGreaterThan(declined);
    } finally {
      Object.assign(softmaxConfig, before);
    }
  });

  it('declines small and empty tensors, and 0-d tensors (the JavaScript loops run them)', () => {
    const check = (x: Tensor, dim: number): void => {
      const declined = softmaxStats.declined;
      const taken = softmaxStats.forward;
      backends.setBackend('js');
      const want = F.softmax(x, dim).toTypedArray();
      backends.setBackend('wasm');
      const got = F.softmax(x, dim).toTypedArray();
      expect(Array.from(got)).toEqual(Array.from(want));
      expect(softmaxStats.forward).toBe(taken);
      if (x.numel() > 0) expect(softmaxStats.declined).toBeGreaterThan(declined);
    };
    check(tensor(softmaxRows(8, 4, 2), { shape: [4, 8] }), 1);
    check(tensor(new Float32Array(0), { shape: [0, 1024] }), 1);
    check(tensor(new Float32Array(0), { shape: [1024, 0] }), 1);
    check(tensor(2.5), 0);
  });

  it('float64 in f64x2 lanes: close to the JavaScript loops (softmax) and to float64 (log_softmax), special values alike', () => {
    for (const [shape, dim] of KERNEL_SHAPES) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = Float64Array.from(softmaxRows(n / 4, 4, n), (v, i) => v * (1 + (i % 7) * 1e-9));
      data.set([NaN, Infinity, -Infinity, -Infinity], 0); // the first slices poisoned or with -inf
      for (const log of [false, true]) {
        const run = (which: 'js' | 'wasm'): Float64Array => {
          backends.setBackend(which);
          const x = tensor(data, { shape, dtype: 'float64' });
          return (log ? F.logSoftmax(x, dim) : F.softmax(x, dim)).toTypedArray() as Float64Array;
        };
        const before = softmaxStats.forward;
        const got = run('wasm');
        expect(softmaxStats.forward, 'taken by the wasm kernel').toBe(before + 1);
        const js = run('js');
        // log_softmax against the float64 formula with log1p (see softmaxRef), which the kernel
        // computes; the JavaScript loops' log(sum) is off by up to |1/y|·2^-53 relative.
        const want = log ? softmaxRef(data, shape, dim, true) : js;
        let worst = 0;
        for (let i = 0; i < n; i++) {
          const b = want[i]!;
          if (!Number.isFinite(b) || Number.isNaN(js[i]!)) {
            // NaN and infinities exactly as the JavaScript loops give them.
            expect(Object.is(got[i], js[i]), `${shape} at ${i}: ${got[i]}, js ${js[i]}`).toBe(true);
            continue;
          }
          if (b === 0) {
            // A zero of either sign, or (log-softmax of the slice's largest element, whose
            // result is -log1p(rest)) a value far below any ulp of the other results.
            expect(Math.abs(got[i]!), `${shape} at ${i}: ${got[i]}, want 0`).toBeLessThan(2 ** -60);
            continue;
          }
          const err = Math.abs(got[i]! - b) / ulp64(b);
          if (err > worst) worst = err;
        }
        report.push(`softmax kernel float64 ${log ? 'log_softmax' : 'softmax'} ${JSON.stringify(shape)}: ${worst.toFixed(3)} ulp`);
        expect(worst, `float64 ${log ? 'log_softmax' : 'softmax'} ${JSON.stringify(shape)}`).toBeLessThanOrEqual(6);
      }
    }
  });

  it('backward: within an ulp (2 for log_softmax) of the float64 formula from the same float32 y and g, for rows, columns and broadcast gradients', () => {
    for (const [shape, dim] of KERNEL_SHAPES) {
      const n = shape.reduce((a, b) => a * b, 1);
      const xs = softmaxRows(n / 4, 4, n + 1);
      const gs = softmaxRows(n / 4, 4, n + 2);
      for (const log of [false, true]) {
        backends.setBackend('wasm');
        const x = tensor(xs, { shape, requiresGrad: true });
        const y = log ? F.logSoftmax(x, dim) : F.softmax(x, dim);
        for (const g of [tensor(gs, { shape }), tensor([1.5]).expand(shape)]) {
          const before = softmaxStats.backward;
          const [dx] = autograd.grad(y, x, { gradOutputs: g, retainGraph: true });
          expect(softmaxStats.backward, 'fused backward on wasm').toBe(before + 1);
          // The formula in float64 from the float32 y and g (exp(y) as float32, as the kernel).
          backends.setBackend('js');
          const y64 = tensor(Float64Array.from(y.toTypedArray() as Float32Array), { shape, dtype: 'float64' });
          const g64 = tensor(Float64Array.from(g.contiguous().toTypedArray() as Float32Array), { shape, dtype: 'float64' });
          const p = log ? tensor(Float64Array.from(y.exp().toTypedArray() as Float32Array), { shape, dtype: 'float64' }) : y64;
          const s = (log ? g64 : g64.mul(y64)).sum([dim], { keepdim: true });
          const want = (log ? g64.sub(p.mul(s)) : y64.mul(g64.sub(s))).toTypedArray() as Float64Array;
          // Where the result cancels (g ≈ sum), the float64 roundings of the sum show: a
          // tolerance of 2^-40 of the terms' size (far below their float32 ulp) covers them. For
          // log_softmax, exp(y) is the kernel's float32 exp (0.95 ulp) against a correctly
          // rounded one: up to 1.5 ulp of e^y, which is up to 2 ulp of the term e^y·sum.
          const terms = (log ? p.mul(s).abs() : y64.mul(s).abs()).toTypedArray() as Float64Array;
          const got = dx!.toTypedArray() as Float32Array;
          let worst = 0;
          for (let i = 0; i < n; i++) {
            const err = Math.abs(got[i]! - want[i]!) / (ulp32(want[i]!) + (log ? ulp32(terms[i]!) : 0) + terms[i]! * 2 ** -40);
            if (err > worst) worst = err;
          }
          report.push(`softmax kernel float32 backward ${log ? 'log_softmax' : 'softmax'} ${JSON.stringify(shape)}${g.isContiguous() ? '' : ' broadcast g'}: ${worst.toFixed(3)}`);
          expect(worst, `${log ? 'log_softmax' : 'softmax'} backward ${JSON.stringify(shape)}`).toBeLessThanOrEqual(log ? 2 : 1);
          backends.setBackend('wasm');
        }
      }
    }
  });
});

describe('dispatch', () => {
  const e = ir.sigmoid(x0);
  const n = 4096;
  const data = Float32Array.from({ length: 2 * n }, (_, i) => Math.sin(i) * 5);

  it('takes contiguous and scalar-broadcast operands, declines strided ones and other dtypes', () => {
    const out = new Float32Array(n);
    expect(runWasm(e, 'float32', [n], { data: out, offset: 0, strides: [1] }, false, [{ data, offset: 3, strides: [1] }], {})).toBe(true);
    expect(out[0]).toBe(run('js', e, 'float32', [data.subarray(3, 3 + n)])[0]);
    expect(runWasm(ir.add(x0, x1), 'float32', [n], { data: out, offset: 0, strides: [1] }, false, [{ data, offset: 0, strides: [1] }, { data, offset: 5, strides: [0] }], {})).toBe(true);
    expect(out[7]).toBe(Math.fround(data[7]! + data[5]!));
    expect(runWasm(e, 'float32', [n], { data: out, offset: 0, strides: [1] }, false, [{ data, offset: 0, strides: [2] }], {})).toBe(false);
    expect(runWasm(e, 'float32', [n], { data: out, offset: 0, strides: [1] }, false, [{ data: new Float64Array(n), offset: 0, strides: [1] }], {})).toBe(false);
    expect(runWasm(e, 'int32', [n], { data: new Int32Array(n), offset: 0, strides: [1] }, false, [{ data: new Int32Array(n), offset: 0, strides: [1] }], {})).toBe(false);
    expect(runWasm(ir.gt(x0, 0), 'float32', [n], { data: new Uint8Array(n), offset: 0, strides: [1] }, true, [{ data, offset: 0, strides: [1] }], {})).toBe(false);
    expect(runWasm(e, 'float32', [8], { data: out, offset: 0, strides: [1] }, false, [{ data, offset: 0, strides: [1] }], {})).toBe(config.minElements <= 8);
    const cheap = ir.max(x0, 0);
    const m = config.minElementsCheap - 1;
    expect(runWasm(cheap, 'float32', [m], { data: out, offset: 0, strides: [1] }, false, [{ data, offset: 0, strides: [1] }], {})).toBe(false);
    expect(runWasm(cheap, 'float32', [m + 1], { data: out, offset: 0, strides: [1] }, false, [{ data, offset: 0, strides: [1] }], {})).toBe(true);
  });

  it('runs broadcast iterations with long contiguous rows row by row', () => {
    const rows = 4;
    const cols = 1000;
    const bias = Float32Array.from({ length: rows }, (_, i) => i - 1.5);
    const out = new Float32Array(rows * cols);
    const ops = [
      { data, offset: 0, strides: [cols, 1] },
      { data: bias, offset: 0, strides: [1, 0] },
    ];
    expect(runWasm(ir.mul(x0, x1), 'float32', [rows, cols], { data: out, offset: 0, strides: [cols, 1] }, false, ops, {})).toBe(true);
    const want = new Float32Array(rows * cols);
    runJs(ir.mul(x0, x1), 'float32', [rows, cols], { data: want, offset: 0, strides: [cols, 1] }, false, ops, {});
    expect(Array.from(out)).toEqual(Array.from(want));
  });

  it('tensor operations, in-place forms and views give the same values on both backends', () => {
    const make = () => tensor(Float32Array.from({ length: 3000 }, (_, i) => Math.cos(i) * 4), { shape: [30, 100] });
    const outs: number[][] = [];
    for (const b of ['js', 'wasm']) {
      backends.setBackend(b);
      const x = make();
      const y = x.add(x.t().contiguous().t()).mul(0.5).sigmoid();
      x.relu_();
      outs.push([...Array.from(y.toTypedArray()), ...Array.from(x.toTypedArray()), ...Array.from(x.t().exp().toTypedArray())]);
    }
    expect(outs[1]!.length).toBe(outs[0]!.length);
    for (let i = 0; i < outs[0]!.length; i++) expect(Math.abs(outs[1]![i]! - outs[0]![i]!)).toBeLessThanOrEqual(3 * ulp32(outs[0]![i]!));
  });

  it('stages any length (chunks and padding lanes) exactly', () => {
    for (const len of [config.minElementsCheap, config.minElementsCheap + 1, config.minElementsCheap + 3, 4095, 4096, 4097, 3 * config.chunk + 5]) {
      const src = Float32Array.from({ length: len }, (_, i) => i * 0.37 - 100);
      const got = run('wasm', ir.where(ir.gt(x0, 1), x0, ir.mul(x0, 0.01)), 'float32', [src]);
      const want = run('js', ir.where(ir.gt(x0, 1), x0, ir.mul(x0, 0.01)), 'float32', [src]);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });
});

describe('threads', () => {
  it('the memory is non-shared while threads are off and becomes shared, every kernel recompiled, when they are turned on', () => {
    const before = { ...threadConfig };
    const n = 5000;
    const src = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.01) * 12);
    const e = ir.mul(x0, ir.sigmoid(x0));
    const softmax = (): number[] => {
      backends.setBackend('wasm');
      const before = softmaxStats.forward;
      const y = F.softmax(tensor(src, { shape: [5, 1000] }), -1).toTypedArray();
      expect(softmaxStats.forward, 'the wasm softmax ran').toBe(before + 1);
      return Array.from(y);
    };
    try {
      // Threads are off by default: a non-shared memory, whose copies V8 makes 2-3x faster.
      if (threadConfig.threads === 1 && typeof SharedArrayBuffer === 'function') expect(memoryIsShared()).toBe(false);
      const got = [Array.from(run('wasm', e, 'float32', [src])), softmax()];
      threadConfig.threads = 2;
      threadConfig.minElements = Infinity; // no pool here: the memory switch alone
      const after = [Array.from(run('wasm', e, 'float32', [src])), softmax()];
      expect(memoryIsShared()).toBe(typeof SharedArrayBuffer === 'function');
      expect(after).toEqual(got);
    } finally {
      Object.assign(threadConfig, before);
    }
  });

  it('a worker pool gives bitwise the single-thread results (and is optional)', async () => {
    const before = { ...threadConfig };
    const n = 3 * threadConfig.slice + 1234;
    const src = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.01) * 12);
    const g = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.03));
    const exprs = [ir.sigmoid(x0), ir.mul(x1, ir.tanh(ir.mul(x0, ir.param('b')))), ir.mul(ir.mul(x0, 0.5), ir.erfc(ir.mul(ir.neg(x0), Math.SQRT1_2)))];
    try {
      threadConfig.minElements = Infinity;
      const single = exprs.map((e) => run('wasm', e, 'float32', [src, g], { b: 0.7 }));
      threadConfig.threads = 2;
      threadConfig.minElements = 1 << 10;
      const pool = await poolReady(sharedMemory(), memoryIsShared());
      expect(pool?.size).toBe(2);
      exprs.forEach((e, i) => {
        const got = run('wasm', e, 'float32', [src, g], { b: 0.7 });
        for (let j = 0; j < n; j++) if (!Object.is(got[j], single[i]![j])) expect(`${e} at ${j}: ${got[j]}`).toBe(`${e} at ${j}: ${single[i]![j]}`);
      });
    } finally {
      await stopPool();
      Object.assign(threadConfig, before);
    }
  });
});

describe('matrix products (float32)', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 4096],
    [16, 16, 16],
    [7, 13, 170],
    [65, 33, 129],
    [128, 256, 300],
    [5, 1100, 9],
    [300, 7, 260],
  ];
  it.each(shapes)('%i x %i x %i, plain and transposed operands, within the dot-product bound', (m, n, k) =>
    checkLayouts('wasm', 'float32', m, n, k, () => gemmStats.taken, true),
  );

  it('batched products, F.linear with its bias and their gradients; float64 and tiny products stay in JavaScript', () => {
    const before = gemmStats.taken;
    checkLinearAndBatched('wasm');
    expect(gemmStats.taken).toBeGreaterThan(before);
    backends.setBackend('wasm');
    const mid = { ...gemmStats };
    const d = randn([30, 40], { dtype: 'float64' });
    d.matmul(d.t());
    randn([3, 4]).matmul(randn([4, 5]));
    expect(gemmStats.taken).toBe(mid.taken);
    expect(gemmStats.declined).toBeGreaterThanOrEqual(mid.declined + 1);
  });

  it('propagates NaN and infinity as IEEE arithmetic (0 * inf = NaN), like JavaScript', () => {
    const before = gemmStats.taken;
    checkNonFinite('wasm', 'float32', () => expect(gemmStats.taken).toBe(before + 1));
  });
});
