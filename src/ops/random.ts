/**
 * Random tensors and in-place random fills, drawing from PyTorch's generator algorithms so that
 * the same seed gives the same numbers as PyTorch on the CPU.
 */
import { defaultGenerator, Generator, manualSeed as seedDefault } from '../tensor/random.js';
import { checkDtype, type DType, type FloatDType, getDefaultDtype, isFloat } from '../tensor/dtype.js';
import { checkShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { empty, tensor } from './creation.js';
import { checkInplaceAllowed } from './inplace.js';

export { Generator };

/** Options of the random constructors. */
export interface RandomOptions {
  /** Element type (default: the default float dtype). */
  dtype?: DType;
  /** Make the result a leaf that requires grad. */
  requiresGrad?: boolean;
  /** Draw from this generator instead of the default one. */
  generator?: Generator;
}

function shapeOf(shape: readonly number[] | number, where: string): number[] {
  return checkShape(typeof shape === 'number' ? [shape] : [...shape], where);
}

function floatDtype(dtype: DType | undefined, where: string): FloatDType {
  const d = dtype === undefined ? getDefaultDtype() : checkDtype(dtype, where);
  if (!isFloat(d)) throw new TypeError(`${where}: "check_uniform_bounds" not implemented for '${d}' (expected float32 or float64)`);
  return d;
}

/**
 * Seed the default generator, as `torch.manual_seed`: afterwards `rand`, `randn`, `randperm`,
 * `nn.Linear`'s initialisation, dropout and RReLU draw the same numbers as PyTorch does after
 * the same seed.
 *
 * @example
 * ```ts
 * import { manualSeed, rand } from 'paoding';
 * manualSeed(0);
 * console.log(rand([3]).tolist()); // [ 0.49625658988952637, 0.7682217955589294, 0.08847743272781372 ]
 * ```
 */
export function manualSeed(seed: number | bigint): Generator {
  return seedDefault(seed);
}

/** Seed the default generator non-deterministically and return the seed, as `torch.seed()`. */
export function seed(): bigint {
  return defaultGenerator.seed();
}

/** The seed of the default generator, as `torch.initial_seed()`. */
export function initialSeed(): bigint {
  return defaultGenerator.initialSeed();
}

/** Run `fill` on the contiguous storage of `t` (through a temporary when `t` is a strided view). */
function fillWith(t: Tensor, where: string, fill: (data: Float32Array | Float64Array) => void): Tensor {
  checkInplaceAllowed(t, where);
  if (!isFloat(t.dtype)) throw new TypeError(`${where}: expected a float32 or float64 tensor, got ${t.dtype}`);
  if (t.isContiguous()) {
    const data = t._storage.data as Float32Array | Float64Array;
    fill(data.subarray(t.offset, t.offset + t.numel()) as Float32Array | Float64Array);
  } else {
    const tmp = empty(t.shape, { dtype: t.dtype });
    fill(tmp._storage.data as Float32Array | Float64Array);
    t._copyFrom(tmp);
  }
  t._bumpVersion();
  return t;
}

/** `t.uniform_(from, to)` in place. */
export function uniform_(t: Tensor, from = 0, to = 1, generator: Generator = defaultGenerator): Tensor {
  return fillWith(t, 'uniform_()', (d) => generator.uniform_(d, from, to));
}

/** `t.normal_(mean, std)` in place. */
export function normal_(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  return fillWith(t, 'normal_()', (d) => generator.normal_(d, mean, std));
}

/** `t.exponential_(lambd)` in place. */
export function exponential_(t: Tensor, lambd = 1, generator: Generator = defaultGenerator): Tensor {
  return fillWith(t, 'exponential_()', (d) => generator.exponential_(d, lambd));
}

/** `t.bernoulli_(p)` in place. */
export function bernoulli_(t: Tensor, p = 0.5, generator: Generator = defaultGenerator): Tensor {
  return fillWith(t, 'bernoulli_()', (d) => generator.bernoulli_(d, p));
}

/**
 * Uniform samples in [0, 1), as `torch.rand`.
 *
 * @example
 * ```ts
 * import { rand } from 'paoding';
 * console.log(rand([2, 3]).shape); // [ 2, 3 ]
 * ```
 */
export function rand(shape: readonly number[] | number, opts: RandomOptions = {}): Tensor {
  const t = empty(shapeOf(shape, 'rand()'), { dtype: floatDtype(opts.dtype, 'rand()') });
  uniform_(t, 0, 1, opts.generator);
  return opts.requiresGrad ? t.requiresGrad_() : t;
}

/**
 * Standard normal samples, as `torch.randn`.
 *
 * @example
 * ```ts
 * import { manualSeed, randn } from 'paoding';
 * manualSeed(0);
 * console.log(randn([2]).tolist()); // [ 1.5409960746765137, -0.293428897857666 ]
 * ```
 */
export function randn(shape: readonly number[] | number, opts: RandomOptions = {}): Tensor {
  const t = empty(shapeOf(shape, 'randn()'), { dtype: floatDtype(opts.dtype, 'randn()') });
  normal_(t, 0, 1, opts.generator);
  return opts.requiresGrad ? t.requiresGrad_() : t;
}

/** `rand` shaped like `t`. */
export function randLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  return rand(t.shape, { dtype: t.dtype, ...opts });
}

/** `randn` shaped like `t`. */
export function randnLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  return randn(t.shape, { dtype: t.dtype, ...opts });
}

/**
 * Integers uniform in [low, high), int64, as `torch.randint(low, high, size)`.
 *
 * @example
 * ```ts
 * import { randint } from 'paoding';
 * console.log(randint(0, 10, [4]).dtype); // int64
 * ```
 */
export function randint(low: number, high: number, shape: readonly number[] | number, opts: Omit<RandomOptions, 'requiresGrad'> = {}): Tensor {
  const s = shapeOf(shape, 'randint()');
  const n = s.reduce((a, b) => a * b, 1);
  if (!(low < high)) throw new RangeError(`randint(): random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const g = opts.generator ?? defaultGenerator;
  const t = tensor(g.randint(low, high, n), { shape: s, dtype: 'int64' });
  return opts.dtype && opts.dtype !== 'int64' ? t.to(opts.dtype) : t;
}

/**
 * A random permutation of 0..n-1 (int64), as `torch.randperm`.
 *
 * @example
 * ```ts
 * import { randperm } from 'paoding';
 * console.log(randperm(5).numel()); // 5
 * ```
 */
export function randperm(n: number, opts: Omit<RandomOptions, 'requiresGrad'> = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm(): n must be non-negative, got ${n}`);
  const g = opts.generator ?? defaultGenerator;
  const t = tensor(g.randperm(n), { dtype: 'int64' });
  return opts.dtype && opts.dtype !== 'int64' ? t.to(opts.dtype) : t;
}
