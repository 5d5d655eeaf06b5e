/**
 * Backend selection. A backend runs fused elementwise expressions over strided operands; the
 * JavaScript backend runs everything and is the correctness baseline, faster backends register
 * here and take the cases they support (falling back to JavaScript for the rest).
 */
import type { Expr } from '../ir/expr.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { type Operand, runElementwise as runJs } from './js/elementwise.js';

export type { Operand };

/** A strided array with its shape (the layout of a tensor). */
export interface StridedArray extends Operand {
  shape: readonly number[];
}

/** The contract a backend implements. */
export interface Backend {
  /** Its name, as `setBackend` takes it. */
  readonly name: string;
  /**
   * Run `expr` elementwise over broadcast operands into `out` (see `backends/js/elementwise.ts`
   * for the semantics, which every backend must reproduce up to its stated accuracy), or return
   * false to let the JavaScript backend do it.
   */
  elementwise(
    expr: Expr,
    dtype: DType,
    shape: readonly number[],
    out: Operand,
    outBool: boolean,
    operands: readonly Operand[],
    params: Readonly<Record<string, number>>,
  ): boolean;
  /**
   * Optional fast path for matrix products: `out` (contiguous `[batch, m, n]` from 0) = `a`
   * (`[batch, m, k]`, strides per batch, row, column) times `b` (`[batch, k, n]`), plus `bias`
   * (`n` values) per row when given. Returns false to decline (the caller computes it).
   */
  matmul?(
    dtype: DType,
    batch: number,
    m: number,
    n: number,
    k: number,
    a: Operand,
    b: Operand,
    out: TypedArray,
    bias?: { data: TypedArray; offset: number },
  ): boolean;
  /** Optional fast path for float sums of `x` over the sorted `dims` into contiguous `out`. */
  sum?(x: StridedArray, dims: readonly number[], out: TypedArray): boolean;
  /** Optional fast path for (log-)softmax of `x` along `dim` into contiguous `out` (same shape). */
  softmax?(x: StridedArray, dim: number, out: TypedArray, log: boolean): boolean;
  /**
   * Optional fast path for the backward of (log-)softmax along `dim`: from the forward's output
   * `y` and its gradient `g` (same shape), the input's gradient into contiguous `out`, with the
   * roundings of the composition in src/ops/softmax.ts.
   */
  softmaxBackward?(y: StridedArray, g: StridedArray, dim: number, out: TypedArray, log: boolean): boolean;
  /**
   * Optional fast path for an optimizer's update loop (`src/optim`) over `n` contiguous elements
   * of each array from its offset: `kernel` names the JavaScript loop it replaces (`sgd32`,
   * `sgdMomentum64`, `adam32`, ...), `scalars` are that loop's scalars.
   */
  optimizerStep?(kernel: string, n: number, arrays: readonly TypedArray[], offsets: readonly number[], scalars: object): boolean;
  /**
   * Optional: use at most `n` threads for one operation (the calling thread included) and return
   * the number in effect (a backend may cap it at the cores it has). See `setNumThreads`.
   */
  setNumThreads?(n: number): number;
  /** Optional: the number of threads one operation may use now. */
  numThreads?(): number;
}

const js: Backend = {
  name: 'js',
  elementwise(expr, dtype, shape, out, outBool, operands, params) {
    runJs(expr, dtype, shape, out, outBool, operands, params);
    return true;
  },
};

const backends = new Map<string, Backend>([['js', js]]);
let current: Backend = js;

/**
 * Make a backend available (backends register themselves when loaded).
 *
 * @example
 * ```ts
 * import { backends } from 'paoding';
 * console.log(backends.list()); // [ 'js', 'wasm' ]
 * ```
 */
export function registerBackend(b: Backend): void {
  backends.set(b.name, b);
  if (numThreads > 0) b.setNumThreads?.(numThreads);
}

/** The names of the available backends. */
export function list(): string[] {
  return [...backends.keys()];
}

/**
 * Choose the backend by name (`'js'`, and `'wasm'` or `'native'` where available).
 *
 * @example
 * ```ts
 * import { backends } from 'paoding';
 * backends.setBackend('js');
 * console.log(backends.getBackend()); // js
 * ```
 */
export function setBackend(name: string): void {
  const b = backends.get(name);
  if (b === undefined) throw new RangeError(`setBackend(): unknown backend '${name}' (available: ${list().join(', ')})`);
  current = b;
}

/** Threads per operation, as last set (0: each backend's default, all cores for 'native'). */
let numThreads = 0;

/**
 * Use at most `n` threads within one operation, as PyTorch's `torch.set_num_threads(n)`: the
 * native backend splits large calls across that many threads (the calling thread included,
 * capped at the cores available); `1` keeps every call on the calling thread. The JavaScript
 * backend always runs on the calling thread, and the WebAssembly backend's worker pool has its
 * own setting (off by default; see src/backends/wasm/README.md). Backends registered later get
 * the same setting.
 *
 * @example
 * ```ts
 * import { backends } from 'paoding';
 * backends.setNumThreads(1);
 * console.log(backends.getNumThreads()); // 1
 * ```
 */
export function setNumThreads(n: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new TypeError(`setNumThreads(): argument 'n' must be a positive integer (the number of threads), got ${String(n)}`);
  }
  numThreads = n;
  for (const b of backends.values()) b.setNumThreads?.(n);
}

/**
 * The number of threads an operation may use, as PyTorch's `torch.get_num_threads()`: the native
 * backend's thread count when it is loaded (all cores until `setNumThreads`), else 1.
 *
 * @example
 * ```ts
 * import { backends } from 'paoding';
 * console.log(backends.getNumThreads() >= 1); // true
 * ```
 */
export function getNumThreads(): number {
  let most = 1;
  for (const b of backends.values()) most = Math.max(most, b.numThreads?.() ?? 1);
  return most;
}

/** The name of the current backend. */
export function getBackend(): string {
  return current.name;
}

/** The current backend object (for the optional fast paths: `currentBackend().matmul?.(...)`). */
export function currentBackend(): Backend {
  return current;
}

/** A registered backend by name, or undefined. */
export function backendNamed(name: string): Backend | undefined {
  return backends.get(name);
}

/** Run a fused elementwise expression on the current backend (JavaScript when it declines). */
export function runElementwise(
  expr: Expr,
  dtype: DType,
  shape: readonly number[],
  out: Operand,
  outBool: boolean,
  operands: readonly Operand[],
  params: Readonly<Record<string, number>>,
): void {
  if (current !== js && current.elementwise(expr, dtype, shape, out, outBool, operands, params)) return;
  runJs(expr, dtype, shape, out, outBool, operands, params);
}
