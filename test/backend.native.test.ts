/**
 * The native backend (Node-API addon, native/) against the JavaScript backend, the reference
 * semantics: per-primitive accuracy, bitwise agreement of the exact operations, every registered
 * activation forward and backward on float32 and float64 (on every instruction-set variant this
 * CPU runs), threads, the matrix product, sums, softmax and the optimizers, and the fallback when
 * the addon is missing. Everything but the staleness check is skipped (not failed) when the addon
 * was not built. Timing is not tested here: `npm run bench:native`.
 *
 * PAODING_NATIVE_REPORT=1 prints the measured maxima (the tables in native/README.md).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activationInputs, callParams, FLOAT32_BOUNDS, sweep, ulp32, ulp64 } from './helpers/backend_inputs.js';
import { activations, autograd, backends, F, ir, manualSeed, nn, optim, randn, tensor, type Activation, type Tensor } from '../src/index.js';
import { backendNamed, runElementwise } from '../src/backends/index.js';
import { runElementwise as runJs } from '../src/backends/js/elementwise.js';
import { config, stats, type NativeBackend } from '../src/backends/native/index.js';
import { loadNative, native } from '../src/node/native.js';
import { erf, erfc } from '../src/ir/special.js';
import { Generator, setExponentialFill } from '../src/tensor/random.js';
import type { DType } from '../src/tensor/dtype.js';
import { setWarningHandler } from '../src/util/warn.js';
import { floatArithmetic, GENERATED_PATH, renderNative } from '../tools/generate-native.js';
import { checkLayouts, checkLinearAndBatched, checkNonFinite } from './helpers/products.js';

const status = loadNative();
const backend = backendNamed('native') as NativeBackend | undefined;
const skip = !status.loaded;
const ROOT = join(__dirname, '..');

const report: string[] = [];
afterAll(() => {
  if (process.env['PAODING_NATIVE_REPORT']) console.log(report.join('\n'));
});
beforeAll(() => {
  config.fallback = 'js';
});
afterEach(() => {
  backends.setBackend('js');
  native.setThreads(Number.MAX_SAFE_INTEGER);
});

describe('generated kernels', () => {
  it('native/generated/kernels.c is what tools/generate-native.ts renders (npm run generate:native)', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8') === renderNative(), 'stale: run npm run generate:native').toBe(true);
  });

  it('float32 kernels without exponentials take float32 lanes only where that keeps the double kernels\' bits', () => {
    const s = ir.param('s');
    const t = ir.param('t');
    const lanes = (e: ir.Expr, outBool = false): boolean => floatArithmetic(e, 'float32', outBool);
    // Selections, and one operation of operands whose result is only selected or negated.
    expect(lanes(ir.max(x0, 0))).toBe(true);
    expect(lanes(ir.where(ir.compare('gt', x0, 0), x0, ir.mul(x0, s)))).toBe(true); // leaky ReLU
    expect(lanes(ir.where(ir.compare('gt', x0, t), ir.sub(x0, t), ir.where(ir.compare('lt', x0, ir.neg(t)), ir.add(x0, t), 0)))).toBe(true);
    expect(lanes(ir.neg(ir.max(ir.mul(x0, x1), s)))).toBe(true);
    expect(lanes(ir.compare('gt', x0, s), true)).toBe(true);
    // A rounded value used again: operated on, compared, its sign taken, or stored as a flag.
    expect(lanes(ir.div(ir.min(ir.max(ir.add(x0, 3), 0), 6), 6))).toBe(false); // hardsigmoid
    expect(lanes(ir.add(x0, ir.mul(x1, s)))).toBe(false);
    expect(lanes(ir.where(ir.compare('gt', ir.mul(x0, s), t), x0, 0))).toBe(false);
    expect(lanes(ir.sign(ir.mul(x0, x1)))).toBe(false);
    expect(lanes(ir.mul(x0, x1), true)).toBe(false);
    // Float64 kernels never do; a transcendental kernel follows its own rule.
    expect(floatArithmetic(ir.max(x0, 0), 'float64')).toBe(false);
    expect(lanes(ir.tanh(x0))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------





/** One expression over contiguous operands on a backend, without fallback. */
function run(which: 'js' | 'native', e: ir.Expr, dtype: DType, inputs: (Float32Array | Float64Array)[], params: Record<string, number> = {}) {
  const n = inputs[0]!.length;
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const ops = inputs.map((data) => ({ data, offset: 0, strides: [1] }));
  if (which === 'js') runJs(e, dtype, [n], { data: out, offset: 0, strides: [1] }, false, ops, params);
  else expect(backend!.elementwise(e, dtype, [n], { data: out, offset: 0, strides: [1] }, false, ops, params), `native takes ${e}`).toBe(true);
  return out;
}

const x0 = ir.input(0);
const x1 = ir.input(1);

// ---------------------------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------------------------

describe.skipIf(skip)('primitives: accuracy against the exact value (float64 reference)', () => {
  // Each primitive's kernel against float64 (V8's fdlibm functions and src/ir/special.ts, all
  // within about 1 ulp of double): float32 kernels compute in double and round once, so they are
  // within half an ulp plus a tiny margin (the float32-grade polynomials: 2^-30 relative), except
  // exp, expm1, sigmoid and log1p, which compute in float32 arithmetic (the WebAssembly backend's
  // routines; PyTorch's float32 kernels measured 0.97, 1.00, 2.48 and 1.00 ulp); float64 kernels
  // within the stated ulp of the reference (which itself is within ~1 ulp of exact).
  const cases: [ir.UnaryOp, (v: number) => number, number, number, (v: number) => number][] = [
    ['exp', Math.exp, 0.96, 2, (v) => v],
    ['expm1', Math.expm1, 0.96, 3, (v) => v],
    ['log', Math.log, 0.51, 2, Math.abs],
    ['log1p', Math.log1p, 0.79, 2, (v) => (v < -1 ? -v - 1 : v)],
    ['tanh', Math.tanh, 0.51, 4, (v) => v],
    ['sigmoid', (v) => 1 / (1 + Math.exp(-v)), 2.45, 4, (v) => v],
    ['erf', erf, 0.51, 2, (v) => v],
    ['erfc', erfc, 0.51, 4, (v) => v],
    ['sqrt', Math.sqrt, 0.5, 0, Math.abs],
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    it.each(cases)(`${dtype} %s`, (op, ref, bound32, bound64, domain) => {
      const xs = sweep(1 << 17, dtype).map(domain);
      const got = run('native', ir.unary(op, x0), dtype, [xs]);
      const js = run('js', ir.unary(op, x0), dtype, [xs]);
      const ulp = dtype === 'float32' ? ulp32 : ulp64;
      const limit = dtype === 'float32' ? 3.4028234663852886e38 : Number.MAX_VALUE;
      let worst = 0;
      let at = 0;
      for (let i = 0; i < xs.length; i++) {
        const r = ref(xs[i]!);
        // Non-finite results, results out of range and exact zeros: as the JavaScript backend
        // (a zero against the smallest subnormal is an ulp, measured below).
        if (!Number.isFinite(r) || Math.abs(r) > limit || (r === 0 && got[i] === 0)) {
          if (!Object.is(got[i], js[i])) expect(`${op}(${xs[i]}) = ${got[i]}`).toBe(`${op}(${xs[i]}) = ${js[i]}`);
          continue;
        }
        const err = Math.abs(got[i]! - r) / ulp(r);
        if (err > worst) [worst, at] = [err, xs[i]!];
      }
      report.push(`primitive ${dtype} ${op}: ${worst.toFixed(3)} ulp at x = ${at}`);
      expect(worst, `${op} at x = ${at}`).toBeLessThanOrEqual(dtype === 'float32' ? bound32 : bound64);
    });
  }
});

describe.skipIf(skip)('float32 arithmetic kernels', () => {
  it.each(['exp', 'expm1', 'sigmoid', 'log1p'] as const)("%s gives the WebAssembly backend's bits (the same routine, operation for operation)", (op) => {
    const wasm = backendNamed('wasm');
    expect(wasm, 'the wasm backend is registered').toBeDefined();
    const xs = sweep(1 << 17, 'float32');
    const got = run('native', ir.unary(op, x0), 'float32', [xs]);
    const want = new Float32Array(xs.length);
    expect(wasm!.elementwise(ir.unary(op, x0), 'float32', [xs.length], { data: want, offset: 0, strides: [1] }, false, [{ data: xs, offset: 0, strides: [1] }], {})).toBe(true);
    for (let i = 0; i < xs.length; i++) if (!Object.is(got[i], want[i])) expect(`${op}(${xs[i]}) = ${got[i]}`).toBe(`${op}(${xs[i]}) = ${want[i]}`);
  });

  // Rounded arguments (computed in double, passed as a float32 value and its correction) and
  // log1p of an exponential: CELU's x/alpha, softplus's beta x, the tanh-approximate GELU's
  // polynomial, log-sigmoid's log1p. Forward and backward kernels, against the wasm backend.
  const forms: [string, Record<string, unknown>][] = [
    ['celu', { alpha: 0.37 }],
    ['celu', { alpha: 2.5 }],
    ['softplus', {}],
    ['softplus', { beta: 0.3, threshold: 7 }],
    ['softplus', { beta: 1.7 }],
    ['logsigmoid', {}],
    ['gelu', { approximate: 'tanh' }],
  ];
  it.each(forms)("%s %j gives the WebAssembly backend's bits, forward and backward", (id, opts) => {
    const xs = Float32Array.from(sweep(1 << 16, 'float32', -120, 120, 3));
    const gs = Float32Array.from(sweep(1 << 16, 'float32', -3, 3, 4)).map((v) => (Number.isFinite(v) ? v : 1));
    const out: Record<string, Float32Array[]> = {};
    for (const b of ['native', 'wasm']) {
      backends.setBackend(b);
      const before = stats.taken;
      const x = tensor(xs, { requiresGrad: true });
      const y = activations.get(id).call(x, opts);
      const [dx] = autograd.grad(y, x, { gradOutputs: tensor(gs) });
      out[b] = [y.toTypedArray() as Float32Array, dx!.toTypedArray() as Float32Array];
      if (b === 'native') expect(stats.taken - before, 'forward and backward ran natively').toBeGreaterThanOrEqual(2);
    }
    // The tanh-approximate GELU's backward multiplies polynomials outside the exponential: in
    // double natively (see floatPolynomialProduct in the generator), so only its forward compares.
    for (const k of id === 'gelu' ? [0] : [0, 1]) {
      const [got, want] = [out['native']![k]!, out['wasm']![k]!];
      for (let i = 0; i < xs.length; i++) {
        if (!Object.is(got[i], want[i])) expect(`${id} ${k ? 'backward' : 'forward'} at x = ${xs[i]}: ${got[i]}`).toBe(`${id} ${k ? 'backward' : 'forward'} at x = ${xs[i]}: ${want[i]}`);
      }
    }
  });
});

describe.skipIf(skip)('exact operations agree bitwise with the JavaScript backend', () => {
  const exprs: [string, ir.Expr][] = [
    ['add', ir.add(x0, x1)],
    ['sub', ir.sub(x0, x1)],
    ['mul', ir.mul(x0, x1)],
    ['div', ir.div(x0, x1)],
    ['add alpha', ir.add(x0, ir.mul(x1, ir.param('alpha')))],
    ['neg', ir.neg(x0)],
    ['abs', ir.abs(x0)],
    ['sign', ir.sign(x0)],
    ['sqrt', ir.sqrt(x0)],
    ['rsqrt', ir.rsqrt(x0)],
    ['reciprocal', ir.reciprocal(x0)],
    ['floor', ir.floor(x0)],
    ['ceil', ir.ceil(x0)],
    ['round', ir.round(x0)],
    ['trunc', ir.trunc(x0)],
    ['max', ir.max(x0, x1)],
    ['min', ir.min(x0, x1)],
    ['max 0 (relu)', ir.max(x0, 0)],
    ['mul x x', ir.mul(x0, x0)],
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    it.each(exprs)(`${dtype} %s`, (_name, e) => {
      const a = sweep(8192, dtype, -8, 8, 11);
      const b = sweep(8192, dtype, -8, 8, 12).reverse();
      // Ties and signed zeros for max/min, halves for round.
      a.set([0, -0, 0, -0, 1, NaN, 2, -Infinity, 0.5, 1.5, 2.5, -0.5, -2.5], 100);
      b.set([-0, 0, 0, -0, 1, 2, NaN, -Infinity, 3, 3, 3, 3, 3], 100);
      const params = { alpha: 0.3 };
      const got = run('native', e, dtype, [a, b].slice(0, e === x0 ? 1 : 2), params);
      const want = run('js', e, dtype, [a, b].slice(0, 2), params);
      for (let i = 0; i < want.length; i++) {
        if (!Object.is(got[i], want[i])) expect(`${e} at (${a[i]}, ${b[i]}): ${got[i]}`).toBe(`${e} at (${a[i]}, ${b[i]}): ${want[i]}`);
      }
    });
  }

  it('comparisons store booleans as the JavaScript backend', () => {
    const a = sweep(4096, 'float32', -3, 3, 1);
    const b = sweep(4096, 'float32', -3, 3, 2).reverse();
    for (const op of ir.COMPARE_OPS) {
      for (const e of [ir.compare(op, x0, x1), ir.compare(op, x0, ir.param('scalar'))]) {
        const out = new Uint8Array(a.length);
        const want = new Uint8Array(a.length);
        const ops = [a, b].map((data) => ({ data, offset: 0, strides: [1] }));
        expect(backend!.elementwise(e, 'float32', [a.length], { data: out, offset: 0, strides: [1] }, true, ops, { scalar: 0.5 })).toBe(true);
        runJs(e, 'float32', [a.length], { data: want, offset: 0, strides: [1] }, true, ops, { scalar: 0.5 });
        expect(Array.from(out)).toEqual(Array.from(want));
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Every registered activation, forward and backward, native vs js.
// ---------------------------------------------------------------------------------------------

/** Primitives whose native and JavaScript values may differ (every other operation is exact). */
const INEXACT = new Set(['exp', 'expm1', 'log', 'log1p', 'tanh', 'sigmoid', 'erf', 'erfc', 'pow', 'sin', 'cos']);

/** Whether an elementwise activation's formula (and so its derivative) is exact natively. */
function exactActivation(a: Activation): boolean {
  const spec = a.spec as unknown as { kind?: string; params: Record<string, { type: string; default?: unknown }>; forward?: (x: ir.Expr, p: Record<string, unknown>) => ir.Expr };
  if ((spec.kind !== undefined && spec.kind !== 'elementwise') || spec.forward === undefined) return false;
  const p: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(spec.params)) p[k] = s.type === 'choice' || s.type === 'bool' ? s.default : ir.param(k);
  return ir.topoOrder([spec.forward(x0, p)]).every((n) => !INEXACT.has(n.op));
}

/** Every combination of the choice and bool parameters. */
function combos(a: Activation): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [k, s] of Object.entries(a.spec.params)) {
    if (s.type !== 'choice' && s.type !== 'bool') continue;
    const values: unknown[] = s.type === 'bool' ? [false, true] : [...s.choices!];
    out = out.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  }
  return out;
}



/**
 * Worst difference in ulp: forward in ulp of the JavaScript result; backward also against the
 * scale of its terms (max(1, |x|) |g|), where results cancel. Non-finite results and zeros must
 * be identical (NaN, the infinity's sign, the zero's sign).
 */
function compare(id: string, what: string, got: ArrayLike<number>, want: ArrayLike<number>, xs: readonly number[], gs: readonly number[] | undefined, dtype: DType, bound: number): number {
  const ulp = dtype === 'float32' ? ulp32 : ulp64;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!;
    const b = want[i]!;
    if (Object.is(a, b)) continue;
    const where = `${id} ${what} ${dtype} at x = ${xs[i % xs.length]}: native ${a}, js ${b}`;
    expect(bound > 0 && Number.isFinite(a) && Number.isFinite(b), where).toBe(true);
    // A zero against a tiny nonzero value is a difference of ulps near zero, not of the sign.
    const scale = gs ? Math.max(1, Math.abs(xs[i % xs.length]!)) * Math.abs(gs[i % gs.length]!) : 0;
    // float32 arithmetic with subnormal intermediates carries few bits (silu(-100) = -3.7e-42):
    // errors of a subnormal ulp times |x| are accepted there, as for the WebAssembly backend.
    const tiny = dtype === 'float32' ? 2 ** -149 * Math.max(1, Math.abs(xs[i % xs.length]!)) : 0;
    const err = Math.abs(a - b) / (Math.max(ulp(b), tiny) + (Number.isFinite(scale) && scale > 0 ? ulp(scale) : 0));
    if (err > worst) worst = err;
    if (err > bound) expect(err, where).toBeLessThanOrEqual(bound);
  }
  return worst;
}

/** Bounds for the inexact activations, in ulp (see compare): measured maxima noted. */
const BOUND32 = 1;
const BOUND64 = 8;
/**
 * Activations (or labelled variants) some of whose float32 kernels compute exponentials in
 * float32 arithmetic (exp, expm1, sigmoid and log1p; see floatArithmetic in
 * tools/generate-native.ts; the exact ones that run in float32 lanes keep their bits): the
 * WebAssembly backend's bounds, which its routines share (PyTorch's float32 level).
 */
const FLOAT_ARITHMETIC = new Set([
  'sigmoid', 'silu', 'glu', 'elu', 'selu', 'celu', 'softplus', 'logsigmoid', 'gelu {"approximate":"tanh"}',
  'log_softmax', 'softmin', 'softmax', 'gumbel_softmax', 'softmax2d',
]);
/** Where the native float32 kernels round differently from the WebAssembly ones (measured). */
const NATIVE_FLOAT32_BOUNDS: Record<string, number> = { glu: 3 /* backward 2.4: three products of two sigmoids */ };

function activationSuite(isa: string): void {
  const list = activations.list() as Activation[];
  for (const dtype of ['float32', 'float64'] as const) {
    const cases = list.flatMap((a) => combos(a).map((c) => [`${a.id}${Object.keys(c).length ? ` ${JSON.stringify(c)}` : ''}`, a, c] as const));
    it.each(cases)(`${isa} ${dtype} %s`, (label, a, combo) => {
      expect(native.setIsa(isa)).toBe(true);
      setWarningHandler(() => {});
      try {
        const n = 2048;
        const xs = activationInputs(n, 5);
        const gs = activationInputs(n, 6).map((v) => (Number.isFinite(v) ? v : 1));
        const kind = (a.spec as { kind?: string }).kind;
        const shape = a.id === 'glu' ? [n / 2, 2] : a.id === 'softmax2d' ? [2, 4, 16, 16] : kind !== undefined && kind !== 'elementwise' ? [n / 256, 256] : [n];
        const results: Record<string, { y: ArrayLike<number>; g: ArrayLike<number>; gs: ArrayLike<number> }> = {};
        const before = { ...stats };
        for (const b of ['js', 'native']) {
          backends.setBackend(b);
          manualSeed(1);
          const x = tensor(Float64Array.from(xs), { dtype, shape, requiresGrad: true });
          const p = callParams(a, x, combo);
          const y = a.call(x, p);
          const g = tensor(Float64Array.from(gs.slice(0, y.numel())), { dtype, shape: y.shape });
          const [dx] = autograd.grad(y, x, { gradOutputs: g, allowUnused: true });
          // y.sum()'s gradient: the upstream gradient a broadcast scalar (a parameter natively).
          manualSeed(1);
          const [ds] = autograd.grad(a.call(x, p).sum(), x, { allowUnused: true });
          results[b] = { y: y.toTypedArray() as Float32Array, g: dx!.toTypedArray() as Float32Array, gs: ds!.toTypedArray() as Float32Array };
        }
        if (kind === undefined || kind === 'elementwise') {
          // The forward and both backward kernels ran natively.
          expect(stats.taken - before.taken, `${label} ran natively`).toBeGreaterThanOrEqual(3);
        }
        const exact = exactActivation(a);
        // The results' dtype (a dtype= option may make float32 results of float64 inputs).
        const out: DType = results['js']!.y instanceof Float32Array ? 'float32' : 'float64';
        const bound = exact ? 0 : out === 'float32' ? (FLOAT_ARITHMETIC.has(a.id) || FLOAT_ARITHMETIC.has(label) ? (NATIVE_FLOAT32_BOUNDS[a.id] ?? FLOAT32_BOUNDS[a.id]!) : BOUND32) : BOUND64;
        const wf = compare(label, 'forward', results['native']!.y, results['js']!.y, xs, undefined, out, bound);
        const wb = compare(label, 'backward', results['native']!.g, results['js']!.g, xs, gs, out, bound);
        const ws = compare(label, 'backward of sum', results['native']!.gs, results['js']!.gs, xs, [1], out, bound);
        if (isa === native_isas()[0]) report.push(`activation ${dtype} ${label}: ${exact ? 'exact' : `forward ${wf.toFixed(2)}, backward ${Math.max(wb, ws).toFixed(2)} ulp`}`);
      } finally {
        setWarningHandler(undefined);
      }
    });
  }
}

function native_isas(): string[] {
  return status.info?.isas ?? [];
}

describe.skipIf(skip)('every registered activation, native vs js (forward, backward), on each instruction set', () => {
  afterAll(() => native.setIsa(status.info!.isa));
  for (const isa of skip ? [] : native_isas()) activationSuite(isa);

  it('in-place forms give the same values and gradients (within the float32 bounds)', () => {
    const xs = activationInputs(4096, 3);
    const out: Record<string, number[][]> = {};
    for (const b of ['js', 'native']) {
      backends.setBackend(b);
      const x = tensor(xs, { requiresGrad: true });
      const h = activations.get('elu').call(x.mul(1), { inplace: true });
      const y = activations.get('leaky_relu').call(h.mul(3), { inplace: true, negativeSlope: 0.1 });
      const [g] = autograd.grad(y.sum(), x);
      out[b] = [Array.from(y.toTypedArray()), Array.from(g!.toTypedArray())];
    }
    // ELU's float32 kernels compute in float32 arithmetic: within its bound, not bit for bit. The
    // in-place backward reads the output (out + alpha, as PyTorch's), which cancels for x < -1:
    // its error is measured against the terms' scale (the upstream gradient is 3 or 0.3).
    compare('elu then leaky_relu', 'forward', out['native']![0]!, out['js']![0]!, xs, undefined, 'float32', FLOAT32_BOUNDS['elu']!);
    compare('elu then leaky_relu', 'backward', out['native']![1]!, out['js']![1]!, xs, [3], 'float32', FLOAT32_BOUNDS['elu']!);
  });
});

// ---------------------------------------------------------------------------------------------
// Threads and dispatch
// ---------------------------------------------------------------------------------------------

describe.skipIf(skip)('threads and dispatch', () => {
  it('large tensors give the same bits on one thread and on all, equal to JavaScript', () => {
    const n = 1 << 19;
    const xs = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 12);
    const results: Float32Array[] = [];
    for (const threads of [1, Number.MAX_SAFE_INTEGER]) {
      native.setThreads(threads);
      backends.setBackend('native');
      const x = tensor(xs, { requiresGrad: true });
      const y = activations.get('gelu').call(x, {});
      const [g] = autograd.grad(y, x, { gradOutputs: x.mul(0.5) });
      results.push(Float32Array.from([...y.toTypedArray(), ...g!.toTypedArray()]));
    }
    expect(Buffer.from(results[0]!.buffer).equals(Buffer.from(results[1]!.buffer))).toBe(true);
    backends.setBackend('js');
    const x = tensor(xs, { requiresGrad: true });
    const y = activations.get('gelu').call(x, {});
    const [g] = autograd.grad(y, x, { gradOutputs: x.mul(0.5) });
    const xv = Array.from(xs);
    compare('gelu', 'forward', results[0]!.subarray(0, n), y.toTypedArray(), xv, undefined, 'float32', BOUND32);
    compare('gelu', 'backward', results[0]!.subarray(n), g!.toTypedArray(), xv, xv.map((v) => v * 0.5), 'float32', BOUND32);
  });

  it('backends.setNumThreads / getNumThreads set and report the native thread count, as torch.set_num_threads', () => {
    const cores = status.info!.maxThreads;
    backends.setNumThreads(1);
    expect(backends.getNumThreads()).toBe(1);
    expect(backend!.info().threads).toBe(1);
    backends.setNumThreads(64);
    expect(backends.getNumThreads()).toBe(Math.min(64, cores));
    for (const bad of [0, -1, 1.5, NaN, '2' as unknown as number]) {
      expect(() => backends.setNumThreads(bad)).toThrow(/setNumThreads\(\): argument 'n' must be a positive integer/);
    }
    expect(backends.getNumThreads()).toBe(Math.min(64, cores));
  });

  it('kernels specialised for parameters equal to 1 give the general kernels\' bits, forward and backward', () => {
    const xs = sweep(1 << 14, 'float32', -30, 30, 5);
    // Default parameters (the generator renders the specialised kernels for the calls it sees).
    const cases: [string, Record<string, unknown>][] = [['celu', {}], ['elu', {}], ['softplus', {}], ['hardtanh', {}]];
    backends.setBackend('native');
    try {
      for (const dtype of ['float32', 'float64'] as const) {
        for (const [id, opts] of cases) {
          const results: Float64Array[] = [];
          for (const unit of [true, false]) {
            config.unitKernels = unit;
            const before = stats.unit;
            const x = tensor(xs, { dtype, requiresGrad: true });
            const y = activations.get(id).call(x, opts);
            const [g] = autograd.grad(y, x, { gradOutputs: x.mul(0.25) });
            results.push(Float64Array.from([...y.toTypedArray(), ...g!.toTypedArray()] as number[]));
            if (unit) expect(stats.unit - before, `${id} ${dtype}: a specialised kernel ran`).toBeGreaterThan(0);
            else expect(stats.unit - before).toBe(0);
          }
          const [a, b] = results;
          for (let i = 0; i < a!.length; i++) if (!Object.is(a![i], b![i])) expect(`${id} ${dtype} [${i}] ${a![i]}`).toBe(`${id} ${dtype} [${i}] ${b![i]}`);
        }
      }
    } finally {
      config.unitKernels = true;
    }
  });

  it("the pool's counters account for every job given to two threads", () => {
    if (status.info!.maxThreads < 2) return;
    backends.setNumThreads(2);
    try {
      const before = backend!.info().pool;
      const xs = new Float32Array(1 << 20).fill(0.5);
      let out: Float32Array = xs;
      // Large enough to be split (parallelWork) unless the pool is backed off.
      for (let i = 0; i < 4; i++) out = run('native', ir.unary('exp', x0), 'float32', [xs]) as Float32Array;
      const after = backend!.info().pool;
      const d = (k: keyof typeof after) => after[k] - before[k];
      expect(d('parallel') + d('inlineWhileBackedOff'), 'every split job is counted once').toBe(4);
      expect(d('hurt') + d('absent')).toBeLessThanOrEqual(d('parallel'));
      expect(d('backoffs')).toBeLessThanOrEqual(d('hurt') + d('absent'));
      expect(out[0]).toBe(Math.fround(Math.exp(0.5)));
    } finally {
      backends.setNumThreads(64);
    }
  });

  it('streamed outputs (non-temporal stores) carry the same bits as ordinary stores, at any offset, in place too', () => {
    const before = status.info!.streamBytes;
    const n = 3 * 8192 + 37; // several chunks and a tail
    const data = Float32Array.from({ length: n + 16 }, (_, i) => Math.sin(i * 0.61) * 9);
    const cases = [ir.max(x0, ir.constant(0)), ir.add(x0, x1), ir.div(x0, ir.add(ir.abs(x0), ir.constant(1)))];
    try {
      for (const e of cases) {
        for (const offset of [0, 1, 3, 5]) {
          const results: Float32Array[] = [];
          for (const bytes of [Infinity, 0]) {
            expect(native.setStreamBytes(bytes)).toBe(bytes);
            for (const threads of [1, Number.MAX_SAFE_INTEGER]) {
              native.setThreads(threads);
              const out = new Float32Array(n + 8).fill(7);
              const ops = [{ data, offset, strides: [1] }, { data, offset: 2, strides: [1] }];
              expect(backend!.elementwise(e, 'float32', [n], { data: out, offset: offset + 1, strides: [1] }, false, ops, {})).toBe(true);
              results.push(out);
              // In place: the output is the first operand's own elements.
              const own = data.slice();
              expect(backend!.elementwise(e, 'float32', [n], { data: own, offset, strides: [1] }, false, [{ data: own, offset, strides: [1] }, ops[1]!], {})).toBe(true);
              results.push(own);
            }
          }
          // [out, in place] per (plain, streamed) x (one thread, all): each equal to the first pair.
          results.forEach((r, i) => expect(Buffer.from(r.buffer).equals(Buffer.from(results[i % 2]!.buffer))).toBe(true));
          // The streamed output left its neighbours untouched.
          expect(results[6]![offset]).toBe(7);
          expect(results[6]![offset + 1 + n]).toBe(7);
        }
      }
    } finally {
      native.setStreamBytes(before);
    }
  });

  it('takes contiguous, strided and broadcast operands; declines other dtypes and unknown formulas', () => {
    const n = 4096;
    const data = Float32Array.from({ length: 2 * n }, (_, i) => Math.sin(i) * 5);
    const out = new Float32Array(n);
    const o = { data: out, offset: 0, strides: [1] };
    const e = ir.sigmoid(x0);
    expect(backend!.elementwise(e, 'float32', [n], o, false, [{ data, offset: 3, strides: [1] }], {})).toBe(true);
    expect(out[0]).toBe(run('js', e, 'float32', [data.subarray(3, 3 + n)])[0]);
    expect(backend!.elementwise(ir.add(x0, x1), 'float32', [n], o, false, [{ data, offset: 0, strides: [1] }, { data, offset: 5, strides: [0] }], {})).toBe(true);
    expect(out[7]).toBe(Math.fround(data[7]! + data[5]!));
    // Strided operands are gathered (exactly) and run natively: the same bits as a contiguous copy.
    expect(backend!.elementwise(e, 'float32', [n], o, false, [{ data, offset: 0, strides: [2] }], {})).toBe(true);
    expect(out[5]).toBe(run('native', e, 'float32', [Float32Array.from({ length: n }, (_, i) => data[2 * i]!)])[5]);
    const strided = new Float32Array(2 * n);
    expect(backend!.elementwise(e, 'float32', [n], { data: strided, offset: 1, strides: [2] }, false, [{ data, offset: 0, strides: [1] }], {})).toBe(true);
    expect(strided[2 * 5 + 1]).toBe(run('native', e, 'float32', [data.subarray(0, n)])[5]);
    expect(backend!.elementwise(e, 'float32', [n], o, false, [{ data: new Float64Array(n), offset: 0, strides: [1] }], {})).toBe(false);
    expect(backend!.elementwise(e, 'int32', [n], { data: new Int32Array(n), offset: 0, strides: [1] }, false, [{ data: new Int32Array(n), offset: 0, strides: [1] }], {})).toBe(false);
    expect(backend!.elementwise(ir.sin(x0), 'float32', [n], o, false, [{ data, offset: 0, strides: [1] }], {})).toBe(false);
    // Conversions are copies.
    const f64 = new Float64Array(n);
    expect(backend!.elementwise(x0, 'float64', [n], { data: f64, offset: 0, strides: [1] }, false, [{ data, offset: 1, strides: [1] }], {})).toBe(true);
    expect(f64[0]).toBe(data[1]);
    const back = new Float32Array(n);
    const wide = Float64Array.from({ length: n }, (_, i) => 1 + i * 2 ** -40);
    expect(backend!.elementwise(x0, 'float32', [n], { data: back, offset: 0, strides: [1] }, false, [{ data: wide, offset: 0, strides: [1] }], {})).toBe(true);
    expect(Array.from(back.subarray(0, 64))).toEqual(Array.from(wide.subarray(0, 64), Math.fround));
  });

  it('runs through the backend selection, and falls back to JavaScript for what it declines', () => {
    backends.setBackend('native');
    const before = { ...stats };
    const x = randn([64, 64], { dtype: 'float64' });
    const y = x.t().tanh(); // a transposed view: gathered, then the same kernel
    const z = x.tanh();
    expect(stats.taken).toBeGreaterThan(before.taken);
    expect(y.t().tolist()).toEqual(z.tolist());
    const b = randn([64]);
    const row = randn([64, 64]).add(b); // a row broadcast: gathered too
    expect(row.shape).toEqual([64, 64]);
    expect(stats.declined).toBe(before.declined);
    // A kernel that is not precompiled (a user's formula) runs in JavaScript.
    const out = new Float32Array(100);
    runElementwise(ir.mul(ir.sin(x0), 2), 'float32', [100], { data: out, offset: 0, strides: [1] }, false, [{ data: new Float32Array(100).fill(1), offset: 0, strides: [1] }], {});
    expect(out[0]).toBe(Math.fround(Math.sin(1) * 2));
    expect(stats.declined).toBe(before.declined + 1);
  });

  it('checks the arrays it is given (an out-of-range call throws instead of touching memory)', () => {
    const k = 0;
    expect(backend!.addon.keys()[k]).toBe('float32>bool|eq(in0, $#0)');
    expect(() => backend!.addon.ew(k, 100, new Uint8Array(10), 0, new Float32Array(100), 0, 0.5)).toThrow(/out of range/);
    expect(() => backend!.addon.ew(k, 100, new Uint8Array(100), 0, new Float32Array(100), 1, 0.5)).toThrow(/out of range/);
    expect(() => backend!.addon.ew(k, 100, new Float32Array(100), 0, new Float32Array(100), 0, 0.5)).toThrow(/wrong type/);
    expect(() => backend!.addon.ew(k, 100, new Uint8Array(100), 0, new Float32Array(100), 0)).toThrow(/too few/);
    expect(() => backend!.addon.gemm(1, 4, 4, 4, new Float32Array(15), 0, 16, 4, 1, new Float32Array(16), 0, 16, 4, 1, new Float32Array(16), 0, null, 0)).toThrow(/out of range/);
    expect(() => backend!.addon.gemm(1, 4, 4, 4, new Float32Array(16), 0, 16, 4, 1, new Float64Array(16), 0, 16, 4, 1, new Float32Array(16), 0, null, 0)).toThrow(/wrong type/);
  });
});

// ---------------------------------------------------------------------------------------------
// Matrix products, sums, softmax, optimizers
// ---------------------------------------------------------------------------------------------

describe.skipIf(skip)('matrix products', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [7, 13, 17],
    [6, 16, 1],
    [64, 64, 64],
    [65, 33, 129],
    [128, 256, 300],
    [5, 1100, 9],
    [300, 7, 260],
    // Whole 6-row strips and k a multiple of 8 (the transposing packers' last vector stores run
    // past the strip); k in equal blocks with a remainder of 4 (784 = 4 x 196).
    [12, 32, 16],
    [130, 40, 784],
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    it.each(shapes)(`${dtype} %i x %i x %i, plain and transposed operands`, (m, n, k) =>
      checkLayouts('native', dtype, m, n, k, () => stats.matmul, m * n * k >= config.minMatmulWork),
    );
  }

  it('batched and broadcast products, and F.linear with its bias', () => checkLinearAndBatched('native'));

  it('propagates NaN and infinity as IEEE arithmetic (0 * inf = NaN), like JavaScript', () => {
    for (const dtype of ['float32', 'float64'] as const) checkNonFinite('native', dtype);
  });
});

describe.skipIf(skip)('calls over strided rows', () => {
  it('GLU halves, column slices, row broadcasts and in-place row views run by rows, with the gathered path\'s bits', () => {
    manualSeed(11);
    const cases: [string, () => Tensor][] = [
      ['glu', () => F.glu(xs.f32)],
      ['glu float64', () => F.glu(xs.f64)],
      ['glu backward', () => autograd.grad(F.glu(xs.f32g), xs.f32g, { gradOutputs: xs.g })[0]!],
      ['column slice sigmoid', () => xs.f32.narrow(1, 3, 40).sigmoid()],
      ['row broadcast add', () => xs.f32.add(xs.bias)],
      ['3-d slice gelu', () => F.gelu(xs.f3.narrow(2, 1, 33))],
      ['in-place relu of a slice', () => xs.f32.clone().narrow(1, 0, 64).relu_()],
      ['copy of a slice', () => xs.f32.narrow(1, 5, 70).contiguous()],
      ['copy into a slice', () => xs.f32.clone().narrow(1, 2, 64).copy_(xs.g)],
    ];
    const xs = {
      f32: randn([37, 128]),
      f64: randn([37, 128], { dtype: 'float64' }),
      f32g: randn([37, 128], { requiresGrad: true }),
      g: randn([37, 64]),
      bias: randn([128]),
      f3: randn([3, 5, 40]),
    };
    backends.setBackend('native');
    for (const [name, run] of cases) {
      const before = stats.rows;
      const got = run().toTypedArray();
      expect(stats.rows, `${name} ran by rows`).toBeGreaterThan(before);
      const saved = config.minRow;
      config.minRow = Number.MAX_SAFE_INTEGER;
      let want: ArrayLike<number>;
      try {
        want = run().toTypedArray();
      } finally {
        config.minRow = saved;
      }
      expect(got.length).toBe(want.length);
      for (let i = 0; i < got.length; i++) expect(Object.is(got[i], want[i]), `${name}[${i}]: ${got[i]} vs ${want[i]}`).toBe(true);
    }
  });

  it('the addon checks row ranges and overlaps', () => {
    const addon = (backendNamed('native') as NativeBackend).addon;
    const k = addon.keys().indexOf('float32|abs(in0)');
    expect(k).toBeGreaterThanOrEqual(0);
    const out = new Float32Array(100);
    const x = new Float32Array(100);
    expect(() => addon.ewRows(k, 10, 10, out, 1, 10, x, 0, 10, 0, 0, 0, 0, 0, 0)).toThrow(/out of range/);
    expect(() => addon.ewRows(k, 10, 10, out, 0, 10, x, 5, 10, 0, 0, 0, 0, 0, 0)).toThrow(/out of range/);
    expect(() => addon.ewRows(k, 4, 10, out, 0, 10, out, 5, 10, 0, 0, 0, 0, 0, 0)).toThrow(/overlap/);
    expect(() => addon.ewRows(k, 4, 10, out, 0, 5, x, 0, 10, 0, 0, 0, 0, 0, 0)).toThrow(/overlap/);
  });
});

describe.skipIf(skip)('sums, softmax and optimizers', () => {
  it('sums over leading and trailing dims match JavaScript (float32 exactly)', () => {
    manualSeed(7);
    for (const dtype of ['float32', 'float64'] as const) {
      const x = randn([37, 50, 3], { dtype }).mul(100);
      for (const dims of [[0], [2], [1, 2], [0, 1], [0, 1, 2]]) {
        backends.setBackend('js');
        const want = x.sum(dims).toTypedArray();
        backends.setBackend('native');
        const before = stats.sum;
        const got = x.sum(dims).toTypedArray();
        expect(stats.sum, `sum ${dims} native`).toBe(before + 1);
        for (let i = 0; i < want.length; i++) {
          const tol = dtype === 'float32' ? 0 : 1e-12 * Math.max(1, Math.abs(want[i]!));
          expect(Math.abs(got[i]! - want[i]!), `${dtype} sum over ${dims}[${i}]`).toBeLessThanOrEqual(tol);
        }
      }
    }
  });

  it('softmax and log-softmax along the last dim match JavaScript, NaN rows included', () => {
    manualSeed(8);
    for (const dtype of ['float32', 'float64'] as const) {
      const x = randn([20, 300], { dtype }).mul(10);
      const d = x.toTypedArray();
      d[5 * 300 + 7] = NaN;
      d[6 * 300 + 1] = Infinity;
      d[7 * 300 + 2] = -Infinity;
      for (const fn of ['softmax', 'log_softmax'] as const) {
        backends.setBackend('js');
        const want = activations.get(fn).call(x, { dim: -1 }).toTypedArray();
        backends.setBackend('native');
        const got = activations.get(fn).call(x, { dim: -1 }).toTypedArray();
        for (let i = 0; i < want.length; i++) {
          if (Object.is(got[i], want[i])) continue;
          expect(Number.isFinite(want[i]!), `${dtype} ${fn}[${i}] ${got[i]} vs ${want[i]}`).toBe(true);
          const u = dtype === 'float32' ? ulp32(want[i]!) : ulp64(want[i]!);
          expect(Math.abs(got[i]! - want[i]!) / u, `${dtype} ${fn}[${i}]`).toBeLessThanOrEqual(dtype === 'float32' ? 1 : 8 * Math.max(1, Math.abs(Math.log(Math.abs(want[i]!) || 1))));
        }
      }
    }
  });

  it('softmax and log-softmax along a middle dim (softmax2d, dim=1) match JavaScript, NaN columns included', () => {
    manualSeed(9);
    for (const dtype of ['float32', 'float64'] as const) {
      for (const shape of [[3, 5, 7], [2, 16, 300], [1, 4, 1, 513]]) {
        const x = randn(shape, { dtype }).mul(10);
        const d = x.toTypedArray();
        d[3] = NaN;
        d[shape.at(-1)! + 1] = Infinity;
        for (const fn of ['softmax', 'log_softmax'] as const) {
          backends.setBackend('js');
          const want = activations.get(fn).call(x, { dim: 1 }).toTypedArray();
          backends.setBackend('native');
          const before = stats.softmax;
          const got = activations.get(fn).call(x, { dim: 1 }).toTypedArray();
          expect(stats.softmax, 'ran natively').toBe(before + 1);
          for (let i = 0; i < want.length; i++) {
            if (Object.is(got[i], want[i])) continue;
            expect(Number.isFinite(want[i]!), `${dtype} ${fn}[${i}] ${got[i]} vs ${want[i]}`).toBe(true);
            const u = dtype === 'float32' ? ulp32(want[i]!) : ulp64(want[i]!);
            expect(Math.abs(got[i]! - want[i]!) / u, `${dtype} ${fn}[${i}]`).toBeLessThanOrEqual(dtype === 'float32' ? 1 : 8 * Math.max(1, Math.abs(Math.log(Math.abs(want[i]!) || 1))));
          }
        }
      }
    }
  });

  it('the fused softmax and log-softmax backward give the composition of tensor operations bit for bit', () => {
    manualSeed(10);
    backends.setBackend('native');
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [shape, dim] of [[[20, 300], 1], [[4, 37], 1], [[3, 6, 50], 1], [[2, 5, 600], 1], [[7, 3], 0]] as const) {
        const x = randn([...shape], { dtype, requiresGrad: true });
        const g = randn([...shape], { dtype });
        for (const log of [false, true]) {
          const y = log ? F.logSoftmax(x, dim) : F.softmax(x, dim);
          const before = stats.softmax;
          const [got] = autograd.grad(y, x, { gradOutputs: g });
          expect(stats.softmax, `the fused kernel ran: ${dtype} ${shape} ${dim} ${log}`).toBe(before + 1);
          const ys = y.detach();
          const want = log ? g.sub(ys.exp().mul(g.sum([dim], { keepdim: true }))) : ys.mul(g.sub(g.mul(ys).sum([dim], { keepdim: true })));
          const a = got!.toTypedArray();
          const b = want.toTypedArray();
          for (let i = 0; i < a.length; i++) expect(Object.is(a[i], b[i]), `${dtype} ${log ? 'log_softmax' : 'softmax'} ${shape} dim ${dim} [${i}]: ${a[i]} vs ${b[i]}`).toBe(true);
        }
      }
    }
  });

  it('softmax backward with createGraph records the composition (second derivatives stay exact)', () => {
    backends.setBackend('native');
    const x = randn([4, 9], { dtype: 'float64', requiresGrad: true });
    const g = randn([4, 9], { dtype: 'float64', requiresGrad: true });
    const [gx] = autograd.grad(F.softmax(x, 1), x, { gradOutputs: g, createGraph: true });
    expect(gx!.requiresGrad).toBe(true);
    const [gg] = autograd.grad(gx!.sum(), g);
    backends.setBackend('js');
    const [gxJ] = autograd.grad(F.softmax(x, 1), x, { gradOutputs: g, createGraph: true });
    const [ggJ] = autograd.grad(gxJ!.sum(), g);
    backends.setBackend('native');
    const a = gg!.toTypedArray();
    const b = ggJ!.toTypedArray();
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-15);
  });

  it("exponential_ (Gumbel noise) in bulk through the addon draws the JavaScript numbers bit for bit and leaves the stream where they do", () => {
    const installed = setExponentialFill(null);
    try {
      expect(installed, "the C library's log was checked and the bulk sampler installed at load").not.toBeNull();
      for (const Arr of [Float32Array, Float64Array]) {
        for (const [n, skip] of [[256, 7], [1000, 0], [20000, 312], [300, 623]] as const) {
          const js = new Generator(3);
          js.uniform_(new Float64Array(skip)); // start anywhere in the state, its end included
          const want = js.exponential_(new Arr(n), 0.7);
          const wantAfter = js.uniform_(new Float64Array(700));
          setExponentialFill(installed);
          const c = new Generator(3);
          c.uniform_(new Float64Array(skip));
          const got = c.exponential_(new Arr(n), 0.7);
          const gotAfter = c.uniform_(new Float64Array(700));
          setExponentialFill(null);
          for (let i = 0; i < want.length; i++) expect(Object.is(got[i], want[i]), `${Arr.name} n=${n} [${i}] ${got[i]} vs ${want[i]}`).toBe(true);
          expect(Array.from(gotAfter)).toEqual(Array.from(wantAfter));
        }
      }
    } finally {
      setExponentialFill(installed);
    }
  });

  it('SGD (momentum, nesterov, weight decay) and Adam/AdamW (amsgrad) steps are bit for bit the JavaScript loops', () => {
    const variants: [string, (p: nn.Parameter[]) => optim.Optimizer<never, never>][] = [
      ['sgd', (p) => new optim.SGD(p, { lr: 0.1 }) as never],
      ['sgd momentum', (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, weightDecay: 0.01 }) as never],
      ['sgd nesterov', (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.8, nesterov: true, maximize: true }) as never],
      ['adam', (p) => new optim.Adam(p, { lr: 0.01, weightDecay: 0.1 }) as never],
      ['adam amsgrad', (p) => new optim.Adam(p, { lr: 0.01, amsgrad: true }) as never],
      ['adamw', (p) => new optim.AdamW(p, { lr: 0.01 }) as never],
    ];
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [name, make] of variants) {
        const finals: number[][] = [];
        for (const be of ['js', 'native']) {
          backends.setBackend(be);
          manualSeed(9);
          const p = new nn.Parameter(randn([300, 7], { dtype }));
          const opt = make([p]);
          for (let step = 0; step < 5; step++) {
            p.grad = randn([300, 7], { dtype });
            opt.step();
          }
          finals.push(Array.from(p.toTypedArray()));
        }
        expect(finals[1], `${dtype} ${name}`).toEqual(finals[0]);
      }
    }
    expect(stats.optimizer).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Several JavaScript threads
// ---------------------------------------------------------------------------------------------

describe.skipIf(skip)('from several worker threads at once', () => {
  // One addon instance serves every worker_thread of a process. Its thread pool is taken by one
  // caller at a time (the others run inline), and each calling thread has its own matrix-product
  // scratch: the same computation gives the same bits whether it runs alone or beside another.
  it('gives the same numbers as a run alone', () => {
    // Plain JavaScript that loads the TypeScript entry through tsx's API, so that the workers
    // (which do not inherit the main thread's loader hooks) can load it too.
    const file = join(tmpdir(), `paoding-native-threads-${process.pid}.mjs`);
    const tsxApi = JSON.stringify(pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'api', 'index.mjs')).href);
    const entry = JSON.stringify(pathToFileURL(join(ROOT, 'src', 'index.node.ts')).href);
    writeFileSync(
      file,
      `import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
const { tsImport } = await import(${tsxApi});
const { backends, F, manualSeed, nn, optim, randn, randint } = await tsImport(${entry}, import.meta.url);
function train(seed) {
  manualSeed(seed);
  const model = new nn.Sequential(new nn.Linear(300, 256), new nn.GELU(), new nn.Linear(256, 256), new nn.Tanh(), new nn.Linear(256, 10));
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = randn([192, 300]);
  const y = randint(0, 10, [192]);
  const losses = [];
  for (let step = 0; step < 12; step++) {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return { backend: backends.getBackend(), losses, w: Array.from(model.parameters()[0].toTypedArray().slice(0, 64)) };
}
if (isMainThread) {
  const alone = [train(1), train(2)];
  const run = (seed) => new Promise((ok, fail) => {
    const w = new Worker(new URL(import.meta.url), { workerData: seed });
    w.once('message', ok);
    w.once('error', fail);
  });
  const together = [];
  for (let round = 0; round < 3; round++) together.push(...(await Promise.all([run(1), run(2), run(1)])));
  console.log(JSON.stringify({ alone, together }));
  process.exit(0);
} else {
  parentPort.postMessage(train(workerData));
}
`,
    );
    const r = spawnSync(process.execPath, [file], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, PAODING_QUIET: '1' } });
    expect(r.status, r.stderr).toBe(0);
    type Run = { backend: string; losses: number[]; w: number[] };
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { alone: Run[]; together: Run[] };
    expect(out.alone[0]!.backend).toBe('native');
    out.together.forEach((run, i) => {
      expect(run.backend).toBe('native');
      expect(run, `worker run ${i}`).toEqual(out.alone[i % 3 === 1 ? 1 : 0]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Without the addon
// ---------------------------------------------------------------------------------------------

describe('without the addon', () => {
  /** Run a script importing the Node entry in a fresh Node, with `env` added. */
  function child(script: string, env: Record<string, string>): { stdout: string; stderr: string; status: number | null } {
    const file = join(tmpdir(), `paoding-native-${process.pid}-${Math.random().toString(36).slice(2)}.mts`);
    writeFileSync(file, script);
    const clean = { ...process.env };
    delete clean['VITEST'];
    delete clean['VITEST_WORKER_ID'];
    delete clean['VITEST_POOL_ID'];
    delete clean['NODE_ENV'];
    delete clean['PAODING_BACKEND'];
    delete clean['PAODING_QUIET'];
    const r = spawnSync(process.execPath, ['--import', 'tsx/esm', file], { cwd: ROOT, env: { ...clean, ...env }, encoding: 'utf8', timeout: 60_000 });
    return { stdout: r.stdout, stderr: r.stderr, status: r.status };
  }
  const entry = JSON.stringify(join(ROOT, 'src', 'index.node.ts'));
  const script = `import { backends, F, tensor } from ${entry};
console.log(JSON.stringify({ backend: backends.getBackend(), y: F.relu(tensor([-1, 2])).tolist() }));
F.sigmoid(tensor([1, 2, 3]));
`;

  it('falls back to WebAssembly (or JavaScript) and says so once when the addon is missing', () => {
    const r = child(script, { PAODING_NATIVE_ADDON: join(tmpdir(), 'no-such-addon.node') });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { backend: string; y: number[] };
    expect(['wasm', 'js']).toContain(out.backend);
    expect(out.y).toEqual([0, 2]);
    const lines = r.stderr.split('\n').filter((l) => l.includes('native backend is not available'));
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(/was not built/);
  });

  it('falls back when the addon fails to load, and the message can be silenced', () => {
    const bad = join(tmpdir(), `paoding-bad-${process.pid}.node`);
    writeFileSync(bad, 'not a shared object');
    const r = child(script, { PAODING_NATIVE_ADDON: bad });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/native backend is not available \(the addon failed to load/);
    const quiet = child(script, { PAODING_NATIVE_ADDON: bad, PAODING_QUIET: '1' });
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toMatch(/native backend/);
  });

  it.skipIf(skip)('uses the addon by default in Node, and PAODING_BACKEND chooses another', () => {
    const r = child(script, {});
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!).backend).toBe('native');
    expect(r.stderr).not.toMatch(/native backend/);
    const js = child(script, { PAODING_BACKEND: 'js' });
    expect(JSON.parse(js.stdout.trim().split('\n').pop()!).backend).toBe('js');
  });
});
