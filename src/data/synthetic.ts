/**
 * Small seeded 2-D data sets in the spirit of TensorFlow Playground, for trying models quickly:
 * five two-class problems (`circle`, `xor`, `gaussian`, `spiral`, `moons`) and two regression
 * problems (`sine`, `linear`).
 *
 * Every set draws from a private `Generator`, so a seed gives the same points on every machine
 * and never disturbs the default generator. The draws are, in order: the shape randomness of
 * the set (uniforms in [0, 1), written u, or normals for `gaussian`), then the noise, standard
 * normals z scaled by `noise`, all as float64 arrays drawn in one call each
 * (`torch.empty(k, dtype=torch.float64).uniform_(generator=g)` and `.normal_(generator=g)` give
 * the same numbers). Because the noise is drawn last, changing `noise` moves the same points.
 * Sample i of a classification set has label `i % 2`, so classes are balanced (class 0 has one
 * more point when n is odd). Values are computed in float64 and rounded once to float32.
 */
import { tensor } from '../ops/creation.js';
import { defaultGenerator, Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';

/** Options of the synthetic data sets. */
export interface SyntheticOptions {
  /** Standard deviation of the Gaussian noise added to every coordinate (or target). Default 0. */
  noise?: number;
  /**
   * Seed of the private generator. When omitted, the seed is one int64 draw from the default
   * generator (as PyTorch's `RandomSampler` seeds itself), so successive calls give different
   * sets and `manualSeed` makes the whole sequence reproducible.
   */
  seed?: number | bigint;
}

/** A two-class data set: points `x` (float32 [n, 2]) and labels `y` (int64 [n], 0 or 1). */
export interface Classification {
  x: Tensor;
  y: Tensor;
}

/** A regression data set: inputs `x` (float32 [n, d]) and targets `y` (float32 [n, 1]). */
export interface Regression {
  x: Tensor;
  y: Tensor;
}

const KNOWN = new Set(['noise', 'seed', 'weight', 'bias']);

function setup(where: string, n: number, opts: SyntheticOptions, extra: string[] = []): { g: Generator; noise: number } {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${where}: n must be a non-negative integer, got ${n}`);
  for (const k of Object.keys(opts)) {
    if (!KNOWN.has(k) || (k !== 'noise' && k !== 'seed' && !extra.includes(k))) {
      throw new TypeError(`${where}: unknown option '${k}' (expected ${['noise', 'seed', ...extra].join(', ')})`);
    }
  }
  const noise = opts.noise ?? 0;
  if (typeof noise !== 'number' || !(noise >= 0) || !Number.isFinite(noise)) throw new RangeError(`${where}: noise must be a finite number >= 0, got ${noise}`);
  const seed = opts.seed ?? defaultGenerator.random_(new BigInt64Array(1))[0]!;
  if (typeof seed !== 'bigint' && !Number.isInteger(seed)) throw new TypeError(`${where}: seed must be an integer, got ${seed}`);
  return { g: new Generator(seed), noise };
}

function uniforms(g: Generator, k: number): Float64Array {
  return g.uniform_(new Float64Array(k));
}

function normals(g: Generator, k: number): Float64Array {
  return g.normal_(new Float64Array(k));
}

/** Build `{ x, y }` from a function giving sample i's clean point; adds noise and labels. */
function classification(n: number, g: Generator, noise: number, point: (i: number, label: number) => [number, number]): Classification {
  const pts = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [a, b] = point(i, i % 2);
    pts[2 * i] = a;
    pts[2 * i + 1] = b;
  }
  const z = normals(g, 2 * n);
  const x = new Float32Array(2 * n);
  for (let k = 0; k < 2 * n; k++) x[k] = pts[k]! + noise * z[k]!;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = i % 2;
  return { x: tensor(x, { shape: [n, 2] }), y: tensor(y, { dtype: 'int64' }) };
}

/**
 * Two classes as a disc inside a ring. With u₁, u₂ the two uniforms of sample i:
 * radius r = 0.5 u₁ for class 0 and 0.7 + 0.3 u₁ for class 1, angle θ = 2π u₂,
 * x = (r cos θ, r sin θ) + noise · (z₁, z₂).
 *
 * @example
 * ```ts
 * import { data } from 'paoding';
 * const { x, y } = data.circle(200, { noise: 0.05, seed: 1 });
 * console.log(x.shape, x.dtype, y.shape, y.dtype); // [ 200, 2 ] float32 [ 200 ] int64
 * console.log(y.sum().item()); // 100
 * ```
 */
export function circle(n: number, opts: SyntheticOptions = {}): Classification {
  const { g, noise } = setup('circle()', n, opts);
  const u = uniforms(g, 2 * n);
  return classification(n, g, noise, (i, c) => {
    const r = c === 0 ? 0.5 * u[2 * i]! : 0.7 + 0.3 * u[2 * i]!;
    const t = 2 * Math.PI * u[2 * i + 1]!;
    return [r * Math.cos(t), r * Math.sin(t)];
  });
}

/**
 * Two classes by quadrant: class 0 in the first and third quadrants, class 1 in the second and
 * fourth, 0.1 away from the axes. With u₁, u₂, u₃ the three uniforms of sample i: magnitudes
 * a = 0.1 + 0.9 u₁, b = 0.1 + 0.9 u₂, s = +1 if u₃ < 0.5 else -1, and
 * x = (s a, s b) for class 0, (s a, -s b) for class 1, plus noise · (z₁, z₂).
 *
 * @example
 * ```ts
 * import { data } from 'paoding';
 * const { x, y } = data.xor(4, { seed: 0 });
 * const sameSign = x.select(1, 0).mul(x.select(1, 1)).gt(0);
 * console.log(y.tolist(), sameSign.tolist()); // [ 0, 1, 0, 1 ] [ true, false, true, false ]
 * ```
 */
export function xor(n: number, opts: SyntheticOptions = {}): Classification {
  const { g, noise } = setup('xor()', n, opts);
  const u = uniforms(g, 3 * n);
  return classification(n, g, noise, (i, c) => {
    const a = 0.1 + 0.9 * u[3 * i]!;
    const b = 0.1 + 0.9 * u[3 * i + 1]!;
    const s = u[3 * i + 2]! < 0.5 ? 1 : -1;
    return [s * a, c === 0 ? s * b : -s * b];
  });
}

/**
 * Two Gaussian clusters of standard deviation 0.3, around (-0.5, -0.5) for class 0 and
 * (0.5, 0.5) for class 1. Its shape randomness is 2n normals w (not uniforms):
 * x = centre + 0.3 (w₁, w₂) + noise · (z₁, z₂).
 *
 * @example
 * ```ts
 * import { data } from 'paoding';
 * const { x } = data.gaussian(1000, { seed: 3 });
 * console.log(x.mean(0).tolist().map((v) => Math.abs(v as number) < 0.05)); // [ true, true ]
 * ```
 */
export function gaussian(n: number, opts: SyntheticOptions = {}): Classification {
  const { g, noise } = setup('gaussian()', n, opts);
  const w = normals(g, 2 * n);
  return classification(n, g, noise, (i, c) => {
    const m = c === 0 ? -0.5 : 0.5;
    return [m + 0.3 * w[2 * i]!, m + 0.3 * w[2 * i + 1]!];
  });
}

/**
 * Two interleaved spirals of 1.75 turns. With u the uniform of sample i: radius r = u, angle
 * θ = 3.5π u (+π for class 1), x = (r cos θ, r sin θ) + noise · (z₁, z₂).
 *
 * @example
 * ```ts
 * import { data } from 'paoding';
 * const { x } = data.spiral(500, { seed: 0 });
 * console.log(x.abs().max().item() <= 1); // true
 * ```
 */
export function spiral(n: number, opts: SyntheticOptions = {}): Classification {
  const { g, noise } = setup('spiral()', n, opts);
  const u = uniforms(g, n);
  return classification(n, g, noise, (i, c) => {
    const r = u[i]!;
    const t = 3.5 * Math.PI * r + (c === 0 ? 0 : Math.PI);
    return [r * Math.cos(t), r * Math.sin(t)];
  });
}

/**
 * Two interlocking half circles ("two moons"), centred on the origin. With u the uniform of
 * sample i and t = π u: class 0 is (cos t - 0.5, sin t - 0.25), class 1 the same point
 * reflected through the origin, (0.5 - cos t, 0.25 - sin t); plus noise · (z₁, z₂).
 *
 * @example
 * ```ts
 * import { data } from 'paoding';
 * const { x, y } = data.moons(6, { noise: 0.1, seed: 42 });
 * console.log(x.shape, y.tolist()); // [ 6, 2 ] [ 0, 1, 0, 1, 0, 1 ]
 * ```
 */
export function moons(n: number, opts: SyntheticOptions = {}): Classification {
  const { g, noise } = setup('moons()', n, opts);
  const u = uniforms(g, n);
  return classification(n, g, noise, (i, c) => {
    const t = Math.PI * u[i]!;
    const a = Math.cos(t) - 0.5;
    const b = Math.sin(t) - 0.25;
    return c === 0 ? [a, b] : [-a, -b];
  });
}

/**
 * A 1-D regression: x = 6u - 3 (uniform in [-3, 3)), y = sin(x) + noise · z, both float32 of
 * shape [n, 1] (the shape an `nn.Linear(1, 1)` output has, so a loss needs no broadcasting).
 *
 * @example
 * ```ts
 * import { data } from 'paoding';
 * const { x, y } = data.sine(100, { noise: 0.1, seed: 0 });
 * console.log(x.shape, y.shape, y.dtype); // [ 100, 1 ] [ 100, 1 ] float32
 * ```
 */
export function sine(n: number, opts: SyntheticOptions = {}): Regression {
  const { g, noise } = setup('sine()', n, opts);
  const u = uniforms(g, n);
  const z = normals(g, n);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const xi = 6 * u[i]! - 3;
    x[i] = xi;
    y[i] = Math.sin(xi) + noise * z[i]!;
  }
  return { x: tensor(x, { shape: [n, 1] }), y: tensor(y, { shape: [n, 1] }) };
}

/** Options of {@link linear}. */
export interface LinearOptions extends SyntheticOptions {
  /** The true weights; their number is the number of features. Default `[2, -1]`. */
  weight?: readonly number[];
  /** The true bias. Default 0.5. */
  bias?: number;
}

/**
 * A linear regression: x uniform in [-1, 1)^d (x = 2u - 1, row by row), y = x · weight + bias +
 * noise · z, float32 of shapes [n, d] and [n, 1].
 *
 * @example
 * ```ts
 * import { data } from 'paoding';
 * const { x, y } = data.linear(3, { weight: [1, 2, 3], bias: 0, seed: 0 });
 * console.log(x.shape, y.shape); // [ 3, 3 ] [ 3, 1 ]
 * ```
 */
export function linear(n: number, opts: LinearOptions = {}): Regression {
  const { g, noise } = setup('linear()', n, opts, ['weight', 'bias']);
  const w = opts.weight ?? [2, -1];
  const bias = opts.bias ?? 0.5;
  if (!Array.isArray(w) || w.length === 0 || !w.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new TypeError(`linear(): weight must be a non-empty array of finite numbers, got ${JSON.stringify(w)}`);
  }
  if (typeof bias !== 'number' || !Number.isFinite(bias)) throw new TypeError(`linear(): bias must be a finite number, got ${bias}`);
  const d = w.length;
  const u = uniforms(g, n * d);
  const z = normals(g, n);
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let acc = bias;
    for (let j = 0; j < d; j++) {
      const v = 2 * u[i * d + j]! - 1;
      x[i * d + j] = v;
      acc += v * w[j]!;
    }
    y[i] = acc + noise * z[i]!;
  }
  return { x: tensor(x, { shape: [n, d] }), y: tensor(y, { shape: [n, 1] }) };
}
