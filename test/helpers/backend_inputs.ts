/**
 * Shared by the backend suites (test/backend.*.test.ts): units in the last place, a
 * deterministic generator, and the inputs every backend is checked on.
 */
import { tensor, type Activation, type Tensor } from '../../src/index.js';
import type { DType } from '../../src/tensor/dtype.js';

/** The spacing of float32 values at magnitude |r|. */
export function ulp32(r: number): number {
  const a = Math.abs(r);
  if (a < 2 ** -126) return 2 ** -149;
  if (a >= 2 ** 128) return 2 ** 104;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

/** The spacing of float64 values at magnitude |r|. */
export function ulp64(r: number): number {
  const a = Math.abs(r);
  if (a < 2 ** -1022) return 2 ** -1074;
  return 2 ** (Math.floor(Math.log2(a)) - 52);
}

/** Deterministic pseudo-random 32-bit integers. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

/** Where the primitives' approximations switch, overflow, underflow or lose digits. */
export const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2 ** -149, -(2 ** -149), 2 ** -126, 1e-30, -1e-30, 1e-8, -1e-8, 3.4028234663852886e38, -3.4028234663852886e38, 88.72, 88.73, -87.3, -103.9, -104, 0.5, -0.5, 0.84375, -0.84375, 1.25, -1.25, 2.857142857142857, 3, -3, 6, -6, 20, -20, 27, -27, 1e4, -1e4];

/** `n` values: SPECIALS, then random bit patterns (every magnitude), then a ramp over [lo, hi]. */
export function sweep(n: number, dtype: DType, lo = -30, hi = 30, seed = 7): Float32Array | Float64Array {
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const rnd = lcg(seed);
  out.set(SPECIALS);
  const half = SPECIALS.length + ((n - SPECIALS.length) >> 1);
  const bits = new Uint32Array(out.buffer);
  if (dtype === 'float32') for (let i = SPECIALS.length; i < half; i++) bits[i] = rnd();
  else for (let i = SPECIALS.length; i < half; i++) [bits[2 * i], bits[2 * i + 1]] = [rnd(), rnd()];
  for (let i = half; i < n; i++) out[i] = lo + ((hi - lo) * (i - half)) / (n - half);
  return out;
}

/** Special values, then random values at four scales. */
export function activationInputs(n: number, seed: number): number[] {
  const special = [0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30, 1e-40, -1e-40, 1e-300, 1e30, -1e30, 1e300, -1e300, 3, -3, 6, -6, 0.5, -0.5, 1, -1, 1.5, -1.5, 20, -20, 88, -88, -100, 100, 750, -750];
  const rnd = lcg(seed);
  const out = [...special];
  while (out.length < n) {
    const u = rnd() / 2 ** 32;
    const m = rnd() % 4;
    out.push((u - 0.5) * [2, 10, 40, 300][m]!);
  }
  return out;
}

/** Parameters for calling activation `a` on `x`: its defaults, `combo`, and values for required ones. */
export function callParams(a: Activation, x: Tensor, combo: Record<string, unknown> = {}): Record<string, unknown> {
  const p: Record<string, unknown> = { ...a.defaults(), ...combo };
  for (const [k, s] of Object.entries(a.spec.params)) {
    if (s.default !== undefined) continue;
    if (s.type === 'tensor') p[k] = tensor([0.25], { dtype: x.dtype });
    else p[k] = k === 'threshold' ? 0.5 : 1.5;
  }
  if ('dim' in a.spec.params) p['dim'] = -1;
  if (a.id === 'rrelu' && combo['training'] === undefined) p['training'] = false;
  return p;
}

/**
 * Error bounds: forward in ulp of the JavaScript float32 result; backward in ulp of the result
 * plus ulp of the terms' scale (max(1, |x|) times the upstream gradient) for results that cancel.
 * Piecewise-linear activations are exact. Measured maxima are noted; bounds leave a margin.
 */
export const FLOAT32_BOUNDS: Record<string, number> = {
  // bit-exact: selections and single correctly rounded operations
  threshold: 0,
  relu: 0,
  relu6: 0,
  hardtanh: 0,
  leaky_relu: 0,
  prelu: 0,
  rrelu: 0,
  hardshrink: 0,
  softshrink: 0,
  // measured maxima (forward / backward): float32 arithmetic as PyTorch's float32 kernels
  hardsigmoid: 2, // 1 / 0
  hardswish: 3, // 2 / 0.67
  softsign: 2, // 1 / 0.67
  elu: 2, // 1 / 0.5
  selu: 2, // 1 / 0.67
  celu: 2, // 1 / 0.5
  sigmoid: 3, // 2 / 0.44
  tanh: 1, // 0 / 0.5
  silu: 3, // 2 / 1
  softplus: 2, // 1 / 0.67
  logsigmoid: 2, // 1 / 0.5
  mish: 3, // 2 / 0.67
  tanhshrink: 3, // 2 / 1.33
  gelu: 2, // 1 / 0.5
  glu: 2, // 0 / 0
  softmax: 2, // 0 / 0
  log_softmax: 2, // 0 / 0.22
  softmin: 2, // 0 / 0
  gumbel_softmax: 2, // 0 / 0
};
