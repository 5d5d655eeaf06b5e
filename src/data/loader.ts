/**
 * Data sets and the data loader, as `torch.utils.data`: `TensorDataset`, `Subset`,
 * `randomSplit` and `DataLoader`, whose shuffling reproduces PyTorch's `RandomSampler` order
 * after the same seed; plus `standardize` and `scale` for preparing inputs.
 */
import { stack, tensor } from '../ops/creation.js';
import { allocate, type DType, type FloatDType, getDefaultDtype, isFloat } from '../tensor/dtype.js';
import { defaultGenerator, Generator } from '../tensor/random.js';
import { contiguousStrides, numel, shapeStr } from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';

/**
 * A map-style data set: `length` items, item i from `get(i)`. A data set may add `getBatch`,
 * which returns the collated batch of several items at once (the `DataLoader` then uses it
 * instead of collating items one by one, as `TensorDataset` does to gather rows quickly).
 */
export interface Dataset<T> {
  /** The number of items. */
  readonly length: number;
  /** Item `index`, for 0 <= index < length. */
  get(index: number): T;
  /** The items at `indices`, already collated. Optional: a fast path for the loader. */
  getBatch?(indices: readonly number[]): Collated<T>;
}

/**
 * What collating items of type T gives: tensors and numbers become one tensor with a new first
 * dimension, arrays and objects are collated element by element, as PyTorch's
 * `default_collate` does.
 */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : never;

/**
 * Gather rows `indices` of `t` (along dim 0) into a new contiguous tensor, copying each row's
 * elements straight from storage: no per-element tensor operations, and no autograd history.
 */
function gatherRows(t: Tensor, indices: readonly number[]): Tensor {
  const rest = t.shape.slice(1);
  const row = numel(rest);
  const restStrides = contiguousStrides(rest);
  // Rows are runs of consecutive elements when the trailing dims are laid out row-major; the
  // rows themselves may be anywhere (slices and steps along dim 0 are fine).
  const rowsContiguous = rest.every((s, k) => s === 1 || t.strides[k + 1] === restStrides[k]);
  const src = rowsContiguous ? t : t.contiguous();
  const data = src._storage.data;
  const base = src.offset;
  const step = src.strides[0]!;
  const out = allocate(t.dtype, indices.length * row);
  if (row === 1) {
    for (let i = 0; i < indices.length; i++) out[i] = data[base + indices[i]! * step]!;
  } else if (row < 32) {
    for (let i = 0; i < indices.length; i++) {
      const from = base + indices[i]! * step;
      for (let k = 0; k < row; k++) out[i * row + k] = data[from + k]!;
    }
  } else {
    for (let i = 0; i < indices.length; i++) {
      const from = base + indices[i]! * step;
      out.set(data.subarray(from, from + row) as never, i * row);
    }
  }
  const shape = [indices.length, ...rest];
  return new Tensor(new Storage(out), shape, contiguousStrides(shape), 0, t.dtype);
}

function checkIndex(index: number, length: number, where: string): number {
  if (!Number.isInteger(index)) throw new TypeError(`${where}: index must be an integer, got ${index}`);
  if (index < -length || index >= length) throw new RangeError(`${where}: index ${index} is out of range for a data set of ${length} items`);
  return index < 0 ? index + length : index;
}

/**
 * A data set whose item i is row i of each tensor, as `torch.utils.data.TensorDataset`. All
 * tensors must have the same size in dimension 0.
 *
 * @example
 * ```ts
 * import { data, tensor, arange } from 'paoding';
 * const ds = new data.TensorDataset(tensor([[1, 2], [3, 4], [5, 6]]), arange(3));
 * const [x1, y1] = ds.get(1);
 * console.log(ds.length, x1.tolist(), y1.item()); // 3 [ 3, 4 ] 1
 * ```
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> implements Dataset<T> {
  /** The tensors, as given. */
  readonly tensors: T;

  constructor(...tensors: T) {
    if (tensors.length === 0) throw new RangeError('TensorDataset(): expected at least one tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset(): argument ${i} must be a Tensor, got ${typeof t}`);
      if (t.dim() === 0) throw new RangeError(`TensorDataset(): tensor ${i} is 0-dimensional; items are rows along dimension 0, so every tensor needs at least one dimension`);
      if (t.shape[0] !== tensors[0]!.shape[0]) {
        throw new RangeError(
          `TensorDataset(): size mismatch between tensors: tensor 0 has ${tensors[0]!.shape[0]} rows (shape ${shapeStr(tensors[0]!.shape)}) but tensor ${i} has ${t.shape[0]} (shape ${shapeStr(t.shape)})`,
        );
      }
    });
    this.tensors = tensors;
  }

  /** The number of rows. */
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  /** Row `index` of every tensor (views; a negative index counts from the end). */
  get(index: number): T {
    const i = checkIndex(index, this.length, 'TensorDataset.get()');
    return this.tensors.map((t) => t.select(0, i)) as T;
  }

  /** Rows `indices` of every tensor, gathered into new tensors. */
  getBatch(indices: readonly number[]): Collated<T> {
    const n = this.length;
    let rows = indices;
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        // Rare: validate every index (throws when out of range) and count negatives from the end.
        rows = indices.map((j) => checkIndex(j, n, 'TensorDataset.getBatch()'));
        break;
      }
    }
    return this.tensors.map((t) => gatherRows(t, rows)) as Collated<T>;
  }
}

/**
 * The items of `dataset` at `indices`, as `torch.utils.data.Subset`.
 *
 * @example
 * ```ts
 * import { data, arange } from 'paoding';
 * const sub = new data.Subset(new data.TensorDataset(arange(10)), [9, 0]);
 * console.log(sub.length, sub.get(0)[0]!.item()); // 2 9
 * ```
 */
export class Subset<T> implements Dataset<T> {
  readonly getBatch?: (indices: readonly number[]) => Collated<T>;

  constructor(
    readonly dataset: Dataset<T>,
    readonly indices: readonly number[],
  ) {
    checkDataset(dataset, 'Subset()');
    for (const i of indices) checkIndex(i, dataset.length, 'Subset()');
    const inner = dataset.getBatch;
    if (inner !== undefined) this.getBatch = (idx) => inner.call(dataset, idx.map((i) => this.indices[checkIndex(i, this.length, 'Subset.getBatch()')]!));
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    return this.dataset.get(this.indices[checkIndex(index, this.length, 'Subset.get()')]!);
  }
}

/**
 * Split a data set into non-overlapping random subsets, as `torch.utils.data.random_split`:
 * `lengths` are item counts, or fractions summing to 1 (each floor(fraction · n), then the
 * remainder handed out one by one from the first subset). The order is
 * `randperm(n, generator)`, PyTorch's for the same seed; the default generator is used unless
 * one is given.
 *
 * @example
 * ```ts
 * import { data, arange, manualSeed } from 'paoding';
 * manualSeed(0);
 * const [train, test] = data.randomSplit(new data.TensorDataset(arange(10)), [0.8, 0.2]);
 * console.log(train!.length, test!.indices); // 8 [ 6, 2 ]
 * ```
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], generator: Generator = defaultGenerator): Subset<T>[] {
  checkDataset(dataset, 'randomSplit()');
  const n = dataset.length;
  let counts = [...lengths];
  const sum = counts.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) < 1e-9 && sum !== n) {
    counts = lengths.map((f, i) => {
      if (f < 0 || f > 1) throw new RangeError(`randomSplit(): fraction at index ${i} is not between 0 and 1: ${f}`);
      return Math.floor(n * f);
    });
    const remainder = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) counts[i % counts.length]!++;
  }
  if (!counts.every((c) => Number.isInteger(c) && c >= 0)) throw new RangeError(`randomSplit(): lengths must be non-negative integers or fractions summing to 1, got [${lengths.join(', ')}]`);
  if (counts.reduce((a, b) => a + b, 0) !== n) {
    throw new RangeError(`randomSplit(): sum of input lengths (${counts.reduce((a, b) => a + b, 0)}) does not equal the length of the input dataset (${n})`);
  }
  const perm = Array.from(generator.randperm(n), Number);
  let off = 0;
  return counts.map((c) => {
    off += c;
    return new Subset(dataset, perm.slice(off - c, off));
  });
}

/**
 * Collate items into a batch as PyTorch's `default_collate`: tensors are stacked along a new
 * dimension 0, numbers become a tensor (int64 if all are integers, else float64; booleans
 * bool), arrays and plain objects are collated position by position or key by key, strings
 * are left as an array.
 *
 * NOTE: JavaScript cannot tell `1.0` from `1`, so a batch of whole-number floats collates to
 * int64; return tensors from `get` when the dtype matters.
 *
 * @example
 * ```ts
 * import { data, tensor } from 'paoding';
 * const batch = data.collate([[tensor([1, 2]), 0], [tensor([3, 4]), 1]]);
 * console.log(batch[0].shape, batch[1].dtype); // [ 2, 2 ] int64
 * ```
 */
export function collate<T>(items: readonly T[]): Collated<T> {
  if (items.length === 0) throw new RangeError('collate(): expected at least one item');
  const first = items[0];
  if (first instanceof Tensor) return stack(items as unknown as Tensor[]) as Collated<T>;
  if (typeof first === 'number' || typeof first === 'boolean') {
    const values = items as unknown as (number | boolean)[];
    if (!values.every((v) => typeof v === typeof first)) throw new TypeError('collate(): a batch mixes numbers and other types');
    if (typeof first === 'boolean') return tensor(values) as Collated<T>;
    return tensor(values as number[], { dtype: (values as number[]).every(Number.isInteger) ? 'int64' : 'float64' }) as Collated<T>;
  }
  if (typeof first === 'string') return [...items] as Collated<T>;
  if (Array.isArray(first)) {
    const len = first.length;
    for (const it of items) {
      if (!Array.isArray(it) || it.length !== len) throw new RangeError('collate(): each element in list of batch should be of equal size');
    }
    return first.map((_, k) => collate(items.map((it) => (it as unknown as unknown[])[k]))) as Collated<T>;
  }
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) out[key] = collate(items.map((it) => (it as Record<string, unknown>)[key]));
    return out as Collated<T>;
  }
  throw new TypeError(`collate(): batch must contain tensors, numbers, booleans, strings, arrays or objects; found ${first === null ? 'null' : typeof first}`);
}

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Items per batch. Default 1. */
  batchSize?: number;
  /** Visit the items in a new random order every epoch. Default false. */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than `batchSize`. Default false. */
  dropLast?: boolean;
  /** Draw the shuffling (and the per-epoch base seed) from this generator instead of the default. */
  generator?: Generator;
}

const LOADER_OPTIONS = new Set(['batchSize', 'shuffle', 'dropLast', 'generator']);

function checkDataset(dataset: unknown, where: string): void {
  const d = dataset as Dataset<unknown> | null;
  if (d === null || typeof d !== 'object' || typeof d.get !== 'function' || !Number.isInteger(d.length) || d.length < 0) {
    throw new TypeError(`${where}: expected a data set (an object with an integer 'length' and a 'get(index)' method), got ${d === null ? 'null' : typeof d}`);
  }
}

/** One int64 `random_()` draw, as `torch.empty((), dtype=torch.int64).random_(generator=g)`. */
function drawSeed(g: Generator): bigint {
  return g.random_(new BigInt64Array(1))[0]!;
}

/**
 * PyTorch 1.13's `RandomSampler.__iter__` (without replacement, `num_samples = n`): without a
 * generator it seeds a fresh one with an int64 drawn from the default generator; it yields one
 * `randperm(n)`, then takes `randperm(n)[:0]`: that second permutation is drawn (and advances a
 * user's generator) once the last index has been handed out and the next one is asked for.
 */
function* randomSampler(n: number, generator: Generator | undefined): IterableIterator<number> {
  const g = generator ?? new Generator(drawSeed(defaultGenerator));
  const perm = g.randperm(n);
  for (let i = 0; i < n; i++) yield Number(perm[i]!);
  g.randperm(n);
}

function* sequentialSampler(n: number): IterableIterator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** PyTorch 1.13's `BatchSampler.__iter__`, including when it asks the sampler for more. */
function* batchSampler(sampler: Iterator<number>, batchSize: number, dropLast: boolean): IterableIterator<number[]> {
  if (dropLast) {
    for (;;) {
      const batch: number[] = [];
      for (let k = 0; k < batchSize; k++) {
        const r = sampler.next();
        if (r.done) return;
        batch.push(r.value);
      }
      yield batch;
    }
  }
  let batch: number[] = [];
  for (let r = sampler.next(); !r.done; r = sampler.next()) {
    batch.push(r.value);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Iterates over a data set in batches, as `torch.utils.data.DataLoader` with `num_workers=0`:
 * each `for..of` is one epoch. Batches of a `TensorDataset` are arrays of tensors, one per
 * dataset tensor, gathered row by row from storage; other data sets are collated with
 * {@link collate} (or their own `getBatch`).
 *
 * Shuffling is PyTorch's: after `manualSeed(s)` the epochs come in the order
 * `torch.manual_seed(s)` gives, because every epoch draws the same random numbers as PyTorch's
 * `_SingleProcessDataLoaderIter`: starting an epoch draws one int64 (PyTorch's worker base
 * seed, drawn even without workers and without shuffling) from `generator` or the default
 * generator; with `shuffle` the first batch then draws the sampler's seed (default generator)
 * or permutes with `generator`. So code that draws random numbers after a loop also stays in
 * step with PyTorch.
 *
 * @example
 * ```ts
 * import { data, arange, manualSeed } from 'paoding';
 * manualSeed(0);
 * const loader = new data.DataLoader(new data.TensorDataset(arange(10)), { batchSize: 3, shuffle: true });
 * // As torch.manual_seed(0); list(DataLoader(TensorDataset(torch.arange(10)), batch_size=3, shuffle=True)):
 * console.log([...loader].map(([batch]) => batch.tolist())); // [ [ 6, 7, 1 ], [ 4, 2, 0 ], [ 9, 8, 3 ], [ 5 ] ]
 * // Each for..of is an epoch, in a new order (PyTorch's second epoch):
 * for (const [batch] of loader) console.log(batch.tolist()); // [ 2, 4, 7 ]
 * console.log(loader.length); // 4
 * ```
 */
export class DataLoader<T> implements Iterable<Collated<T>> {
  /** Items per batch. */
  readonly batchSize: number;
  /** Whether every epoch visits the items in a new random order. */
  readonly shuffle: boolean;
  /** Whether a last, smaller batch is dropped. */
  readonly dropLast: boolean;
  /** The generator shuffling draws from (`undefined`: the default generator). */
  readonly generator: Generator | undefined;

  constructor(
    readonly dataset: Dataset<T>,
    opts: DataLoaderOptions = {},
  ) {
    checkDataset(dataset, 'DataLoader()');
    for (const k of Object.keys(opts)) {
      if (!LOADER_OPTIONS.has(k)) throw new TypeError(`DataLoader(): unknown option '${k}' (expected one of ${[...LOADER_OPTIONS].join(', ')})`);
    }
    const bs = opts.batchSize ?? 1;
    if (!Number.isInteger(bs) || bs <= 0) throw new RangeError(`DataLoader(): batchSize should be a positive integer value, but got batchSize=${bs}`);
    if (opts.generator !== undefined && !(opts.generator instanceof Generator)) throw new TypeError('DataLoader(): generator must be a paoding Generator');
    this.batchSize = bs;
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.generator = opts.generator;
    if (this.shuffle && dataset.length === 0) {
      throw new RangeError('DataLoader(): num_samples should be a positive integer value, but got num_samples=0 (cannot shuffle an empty data set)');
    }
  }

  /** The number of batches per epoch, as `len(loader)`. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Start an epoch. */
  [Symbol.iterator](): Iterator<Collated<T>> {
    const n = this.dataset.length;
    // Created before the base seed is drawn, as PyTorch does; its body runs at the first batch.
    const sampler = this.shuffle ? randomSampler(n, this.generator) : sequentialSampler(n);
    const indices = batchSampler(sampler, this.batchSize, this.dropLast);
    drawSeed(this.generator ?? defaultGenerator);
    const dataset = this.dataset;
    return (function* () {
      for (const batch of indices) {
        yield dataset.getBatch ? dataset.getBatch(batch) : collate(batch.map((i) => dataset.get(i)));
      }
    })();
  }
}

// ---- preparing inputs --------------------------------------------------------------------------

/** Options of {@link standardize}. */
export interface StandardizeOptions {
  /**
   * Statistics per feature, over dimension 0 (each column of [n, d] data, each pixel of
   * [n, h, w] images), or one mean and std over all elements when false. Default true.
   */
  perFeature?: boolean;
  /** Use this mean (e.g. the training set's) instead of computing it; needs `std` too. */
  mean?: Tensor | number;
  /** Use this standard deviation instead of computing it; needs `mean` too. */
  std?: Tensor | number;
  /** Degrees-of-freedom correction of the computed std: 0 (population, the default) or 1. */
  correction?: number;
}

/** The result of {@link standardize}. */
export interface Standardized {
  /** `(x - mean) / std`. */
  x: Tensor;
  /** The mean used: shape `x.shape.slice(1)` per feature, else 0-dimensional. */
  mean: Tensor;
  /** The standard deviation used (1 where the data's was 0). */
  std: Tensor;
}

function floatOut(x: Tensor): FloatDType {
  return isFloat(x.dtype) ? x.dtype : getDefaultDtype();
}

function contiguousValues(x: Tensor): ArrayLike<number> {
  const c = x.contiguous();
  return c._storage.data.subarray(c.offset, c.offset + c.numel());
}

/** A given statistic as `size` values broadcast over the feature shape. */
function statValues(v: Tensor | number, featureShape: number[], name: string, dtype: FloatDType): Float64Array {
  const size = numel(featureShape);
  const out = new Float64Array(size);
  if (typeof v === 'number') return out.fill(dtype === 'float32' ? Math.fround(v) : v);
  if (!(v instanceof Tensor)) throw new TypeError(`standardize(): ${name} must be a Tensor or a number, got ${typeof v}`);
  let e: Tensor;
  try {
    e = v.expand(featureShape);
  } catch {
    throw new RangeError(`standardize(): ${name} of shape ${shapeStr(v.shape)} does not broadcast to the feature shape ${shapeStr(featureShape)}`);
  }
  const vals = contiguousValues(e.to(dtype));
  out.set(vals);
  return out;
}

/**
 * Standardise to zero mean and unit variance: `(x - mean) / std`, with the statistics computed
 * from `x` (per feature by default), or given, to apply a training set's statistics to a test
 * set. A feature whose std is 0 gets std 1 (it maps to 0 rather than NaN), as scikit-learn's
 * `StandardScaler` does. Integer inputs give the default float dtype.
 *
 * The statistics are accumulated in float64 and rounded to the output dtype before use, so the
 * returned `mean` and `std` transform a test set exactly as they transformed `x`.
 *
 * @example
 * ```ts
 * import { data, tensor } from 'paoding';
 * const train = tensor([[1, 10], [3, 10], [5, 10]]);
 * const { x, mean, std } = data.standardize(train);
 * console.log(mean.tolist(), std.tolist()); // [ 3, 10 ] [ 1.632993221282959, 1 ]
 * console.log(x.tolist()); // [ [ -1.2247447967529297, 0 ], [ 0, 0 ], [ 1.2247447967529297, 0 ] ]
 * const test = data.standardize(tensor([[3, 12]]), { mean, std });
 * console.log(test.x.tolist()); // [ [ 0, 2 ] ]
 * ```
 */
export function standardize(x: Tensor, opts: StandardizeOptions = {}): Standardized {
  if (!(x instanceof Tensor)) throw new TypeError(`standardize(): expected a Tensor, got ${typeof x}`);
  for (const k of Object.keys(opts)) {
    if (!['perFeature', 'mean', 'std', 'correction'].includes(k)) throw new TypeError(`standardize(): unknown option '${k}' (expected perFeature, mean, std, correction)`);
  }
  const perFeature = opts.perFeature ?? true;
  if (perFeature && x.dim() === 0) throw new RangeError('standardize(): per-feature statistics need at least one dimension (samples along dim 0); pass perFeature: false');
  const dtype = floatOut(x);
  const featureShape = perFeature ? x.shape.slice(1) : [];
  const f = numel(featureShape);
  const n = f === 0 ? 0 : x.numel() / f;
  const src = contiguousValues(x);
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  let mean: Float64Array;
  let std: Float64Array;
  if ((opts.mean === undefined) !== (opts.std === undefined)) throw new TypeError('standardize(): give both mean and std, or neither');
  if (opts.mean !== undefined && opts.std !== undefined) {
    mean = statValues(opts.mean, featureShape, 'mean', dtype);
    std = statValues(opts.std, featureShape, 'std', dtype);
  } else {
    const correction = opts.correction ?? 0;
    if (n - correction <= 0) throw new RangeError(`standardize(): ${n} samples are too few to estimate a standard deviation with correction ${correction}`);
    mean = new Float64Array(f);
    std = new Float64Array(f);
    // Flat loops with a wrapping feature index: fast whether f is 1 or 784.
    const total = n * f;
    for (let j = 0, k = 0; j < total; j++) {
      mean[k]! += src[j]!;
      if (++k === f) k = 0;
    }
    for (let k = 0; k < f; k++) mean[k] = mean[k]! / n;
    // Two passes (the second on deviations) keep the variance accurate when |mean| >> std.
    for (let j = 0, k = 0; j < total; j++) {
      const d = src[j]! - mean[k]!;
      std[k]! += d * d;
      if (++k === f) k = 0;
    }
    for (let k = 0; k < f; k++) {
      mean[k] = round(mean[k]!);
      const s = round(Math.sqrt(std[k]! / (n - correction)));
      std[k] = s === 0 ? 1 : s;
    }
  }
  const out = allocate(dtype, x.numel());
  for (let j = 0, k = 0, total = n * f; j < total; j++) {
    out[j] = (src[j]! - mean[k]!) / std[k]!;
    if (++k === f) k = 0;
  }
  const make = (a: ArrayLike<number>, shape: readonly number[]): Tensor => new Tensor(new Storage(a as Float64Array), [...shape], contiguousStrides(shape), 0, dtype);
  return { x: make(out, x.shape), mean: make(Float64Array.from(mean), featureShape).to(dtype), std: make(Float64Array.from(std), featureShape).to(dtype) };
}

/** Options of {@link scale}. */
export interface ScaleOptions {
  /**
   * The input range mapped onto `to`. Default: [0, 255] for uint8 (pixels), [0, 1] for bool,
   * otherwise the data's own minimum and maximum (min-max scaling).
   */
  from?: readonly [number, number];
  /** The output range. Default [0, 1]. */
  to?: readonly [number, number];
  /** The output dtype. Default: the input's if floating point, else the default dtype. */
  dtype?: FloatDType;
}

/**
 * Map values linearly from the range `from` onto `to`:
 * `to[0] + (x - from[0]) * (to[1] - to[0]) / (from[1] - from[0])`, computed in float64 and
 * rounded once. For uint8 images the default is torchvision's `ToTensor` scaling, `x / 255`
 * (bit for bit). A constant input (from[0] = from[1]) maps to `to[0]`.
 *
 * @example
 * ```ts
 * import { data, tensor } from 'paoding';
 * const pixels = tensor(new Uint8Array([0, 51, 255]));
 * console.log(data.scale(pixels).tolist()); // [ 0, 0.20000000298023224, 1 ]
 * console.log(data.scale(tensor([2, 4, 6]), { to: [-1, 1] }).tolist()); // [ -1, 0, 1 ]
 * ```
 */
export function scale(x: Tensor, opts: ScaleOptions = {}): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`scale(): expected a Tensor, got ${typeof x}`);
  for (const k of Object.keys(opts)) {
    if (!['from', 'to', 'dtype'].includes(k)) throw new TypeError(`scale(): unknown option '${k}' (expected from, to, dtype)`);
  }
  const dtype: DType = opts.dtype ?? floatOut(x);
  if (!isFloat(dtype)) throw new TypeError(`scale(): dtype must be float32 or float64, got ${String(dtype)}`);
  const src = contiguousValues(x);
  let from = opts.from;
  if (from === undefined) {
    if (x.dtype === 'uint8') from = [0, 255];
    else if (x.dtype === 'bool') from = [0, 1];
    else {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < src.length; i++) {
        const v = src[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      from = src.length === 0 ? [0, 1] : [lo, hi];
    }
  }
  const to = opts.to ?? [0, 1];
  for (const [name, r] of [['from', from], ['to', to]] as const) {
    if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new TypeError(`scale(): ${name} must be a pair of finite numbers [low, high], got ${JSON.stringify(r)}`);
    }
  }
  const [f0, f1] = from;
  const [t0, t1] = to;
  const out = allocate(dtype, src.length);
  if (f0 === f1) out.fill(t0);
  else for (let i = 0; i < src.length; i++) out[i] = ((src[i]! - f0) * (t1 - t0)) / (f1 - f0) + t0;
  return new Tensor(new Storage(out), [...x.shape], contiguousStrides(x.shape), 0, dtype);
}
