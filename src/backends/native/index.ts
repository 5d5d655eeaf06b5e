/**
 * The native backend: paoding's elementwise expressions precompiled to C (`tools/generate-native.ts`
 * renders `native/generated/kernels.c`), built at install by node-gyp into a Node-API addon with
 * AVX-512 / AVX2+FMA / SSE2 variants chosen at load, and a thread pool for large tensors; plus a
 * blocked SIMD matrix product, sums and softmax. See `native/README.md`.
 *
 * This module is browser-safe: it gets the loaded addon from `src/node/native.ts` (the Node
 * entry), which is the only place that touches Node APIs.
 *
 * A call runs natively when its output and operands are contiguous float32/float64 arrays of the
 * computation dtype (operands broadcast from a single value are passed as parameters) and the
 * addon has a kernel for the call's canonical key; otherwise it is declined, and the JavaScript
 * backend runs it (or WebAssembly, with `config.fallback = 'wasm'`).
 */
import { type Expr, input } from '../../ir/expr.js';
import { castScalar, type DType, type TypedArray } from '../../tensor/dtype.js';
import { contiguousStrides } from '../../tensor/shape.js';
import { backendNamed, type Backend, type Operand, type StridedArray } from '../index.js';
import { broadcastScalar, canonicalKernel, contiguous, kernelKey, plan, rowsPlan, unitSpecialized } from './kernels.js';
import { runElementwise as runJs } from '../js/elementwise.js';

/** The addon's exports (native/src/addon.c). */
export interface NativeAddon {
  info(): NativeInfo;
  keys(): string[];
  setIsa(name: string): boolean;
  setThreads(n: number): number;
  setParallelWork(work: number): number;
  setStreamBytes(bytes: number): number;
  /** Whether the C library keeps freed memory for reuse (see `native/src/addon.c`); false: unsupported. */
  keepFreedMemory?(on: boolean): boolean;
  /** Return the C library's free memory to the system (malloc_trim); false: unsupported. */
  releaseMemory?(): boolean;
  /** Kernel k over n elements: out, its offset, then (array or null, offset) per operand slot, then the parameters. */
  ew(k: number, n: number, out: TypedArray, outOffset: number, ...operandsThenParams: (TypedArray | number | null)[]): void;
  gemm(
    batch: number,
    m: number,
    n: number,
    k: number,
    a: TypedArray,
    aOffset: number,
    aBatchStride: number,
    aRowStride: number,
    aColStride: number,
    b: TypedArray,
    bOffset: number,
    bBatchStride: number,
    bRowStride: number,
    bColStride: number,
    c: TypedArray,
    cOffset: number,
    bias: TypedArray | null,
    biasOffset: number,
  ): void;
  convert(out: TypedArray, outOffset: number, x: TypedArray, xOffset: number, n: number): void;
  sumRows(x: TypedArray, xOffset: number, rows: number, cols: number, out: TypedArray, outOffset: number): void;
  sumCols(x: TypedArray, xOffset: number, rows: number, cols: number, out: TypedArray, outOffset: number): void;
  softmax(x: TypedArray, xOffset: number, rows: number, cols: number, out: TypedArray, outOffset: number, log: boolean): void;
  ewRows(...args: (TypedArray | number | null)[]): void;
  exponential?(mt: Uint32Array, state: Float64Array, n: number, out: TypedArray, outOffset: number, scale: number): void;
  log?(x: Float64Array, out: Float64Array): void;
  softmaxDim(x: TypedArray, xOffset: number, outer: number, size: number, inner: number, out: TypedArray, outOffset: number, log: boolean): void;
  softmaxBackward(
    y: TypedArray,
    yOffset: number,
    g: TypedArray,
    gOffset: number,
    outer: number,
    size: number,
    inner: number,
    out: TypedArray,
    outOffset: number,
    log: boolean,
  ): void;
  optim(kind: number, n: number, scalars: Float64Array, ...operands: (TypedArray | number | null)[]): void;
}

/** What the addon reports about itself. */
export interface NativeInfo {
  /** The instruction set the kernels run with: 'avx512', 'avx2', 'sse2' (or 'generic' off x86). */
  isa: string;
  /** The best one this CPU supports. */
  bestIsa: string;
  /** Every variant this CPU can run. */
  isas: string[];
  /** Threads used for large calls (the calling thread included), and the cores available. */
  threads: number;
  maxThreads: number;
  /** Work (elements x relative cost) from which a call is split across threads. */
  parallelWork: number;
  /** Outputs of at least this many bytes are written with streaming stores (Infinity: never). */
  streamBytes: number;
  /** Precompiled elementwise kernels. */
  kernels: number;
  /**
   * The thread pool's counters since load (native/src/pool.c): jobs given to several threads;
   * of those, `hurt` (the calling thread waited for a worker's chunk) and `absent` (no worker
   * came in time, the calling thread ran every chunk); `backoffs` (periods of running alone
   * after repeated hurt or absent jobs), jobs run alone during them, and wake-ups of sleeping
   * workers. What to look at when two threads are no faster than one.
   */
  pool: { parallel: number; hurt: number; absent: number; backoffs: number; inlineWhileBackedOff: number; wakeups: number };
}

/** Tunables of the JavaScript side (measured with `npm run bench:native`). */
export const config = {
  /** Elementwise calls below this many elements go to the fallback (its per-call cost is lower). */
  minElements: 1,
  /** Matrix products with fewer multiply-adds than this stay in JavaScript. */
  minMatmulWork: 4096,
  /**
   * Where declined elementwise calls go: 'js' (the default: the same numbers as the native
   * kernels' contract) or 'wasm' (faster for kernels the addon lacks, with float32 arithmetic).
   */
  fallback: 'js' as 'wasm' | 'js',
  /** Calls over strided rows (see `rowsPlan`) need rows at least this long; shorter ones are gathered. */
  minRow: 16,
  /** Optimizer updates of fewer elements than this stay in JavaScript. */
  minOptimizerElements: 64,
  /** Take the kernels specialised for parameters equal to 1 (`unitSpecialized`) where the addon has them. */
  unitKernels: true,
};

/** Counters, for the tests: calls run natively and calls passed to the fallback. */
export const stats = { taken: 0, declined: 0, matmul: 0, sum: 0, softmax: 0, optimizer: 0, rows: 0, unit: 0 };

interface Resolved {
  /** Kernel index, or -1 when the addon has no kernel for this call. */
  index: number;
  /** Where the kernel's parameters come from, in its order: a parameter's name, or `@i` for scalar operand i. */
  params: string[];
  /** Operands the kernel reads as arrays: their indices (the rest are unused or scalars). */
  arrays: number[];
  /** Per operand slot: whether the kernel reads it as an array. */
  used: boolean[];
  /** Number of operand slots the kernel takes (its highest array operand + 1). */
  slots: number;
  /**
   * The call for contiguous operands when the kernel reads one or two arrays (every slot) and at
   * most one named parameter (most activations and their backwards): the addon's `ew` called
   * directly, with no argument array to fill. Other kernels go through `fillCall`.
   */
  direct?: (n: number, out: Operand, operands: readonly Operand[], params: Readonly<Record<string, number>>) => void;
}

const IDENTITY = input(0);

/** The backend object, once the addon is loaded. */
export interface NativeBackend extends Backend {
  readonly addon: NativeAddon;
  info(): NativeInfo;
}

/** Build the native backend over a loaded addon. */
export function createNativeBackend(addon: NativeAddon): NativeBackend {
  const keyIndex = new Map<string, number>();
  addon.keys().forEach((k, i) => keyIndex.set(k, i));
  const resolved = new Map<number, Resolved>();
  const callArgs: (TypedArray | number | null)[] = [];
  const ew = addon.ew as (...args: (TypedArray | number | null)[]) => void;
  const ewRows = addon.ewRows;
  const optimScratch = new Float64Array(16);
  const args: (TypedArray | number | null)[] = [];

  /**
   * `ew` with the argument array spread: a call with a fixed count of arguments costs about 0.1 us
   * less than `Function.prototype.apply` (0.30-0.45 against 0.40-0.58 us for a relu over 1024
   * elements), a tenth of a small activation call. Unary and binary kernels with up to two
   * parameters take the direct forms.
   */
  const callEw = (c: (TypedArray | number | null)[]): void => {
    switch (c.length) {
      case 6:
        ew(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!);
        return;
      case 7:
        ew(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!);
        return;
      case 8:
        ew(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!);
        return;
      case 9:
        ew(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, c[8]!);
        return;
      default:
        ew.apply(addon, c);
    }
  };

  const fallback: Backend['elementwise'] = (expr, dtype, shape, out, outBool, operands, params) => {
    stats.declined++;
    if (config.fallback === 'wasm') {
      const wasm = backendNamed('wasm');
      if (wasm !== undefined) return wasm.elementwise(expr, dtype, shape, out, outBool, operands, params);
    }
    return false;
  };

  /** A named parameter's value as the kernel takes it: converted to the computation's dtype. */
  const paramValue = (params: Readonly<Record<string, number>>, name: string, dtype: DType): number => {
    const v = params[name];
    if (v === undefined) throw new Error(`elementwise kernel: parameter '${name}' was not supplied`);
    return castScalar(v, dtype);
  };

  /**
   * `Resolved.direct` for a kernel, when its shape allows: a call over 1024 elements spends
   * about as long filling and spreading the argument array as the kernel takes.
   */
  const directCall = (r: Resolved, dtype: DType): Resolved['direct'] => {
    const k = r.index;
    if (k < 0 || r.params.length > 1 || r.params.some((name) => name.charCodeAt(0) === 64) || r.arrays.length !== r.slots) return undefined;
    const name = r.params[0];
    if (r.slots === 1) {
      if (name === undefined) return (n, out, ops) => void ew(k, n, out.data, out.offset, ops[0]!.data, ops[0]!.offset);
      return (n, out, ops, params) => void ew(k, n, out.data, out.offset, ops[0]!.data, ops[0]!.offset, paramValue(params, name, dtype));
    }
    if (r.slots === 2) {
      if (name === undefined) return (n, out, ops) => void ew(k, n, out.data, out.offset, ops[0]!.data, ops[0]!.offset, ops[1]!.data, ops[1]!.offset);
      return (n, out, ops, params) => void ew(k, n, out.data, out.offset, ops[0]!.data, ops[0]!.offset, ops[1]!.data, ops[1]!.offset, paramValue(params, name, dtype));
    }
    return undefined;
  };

  const resolve = (expr: Expr, dtype: DType, outBool: boolean, scalar: readonly boolean[]): Resolved => {
    let mask = 0;
    for (let i = 0; i < scalar.length; i++) if (scalar[i]) mask |= 1 << i;
    const cacheKey = ((expr.id * 2 + (dtype === 'float64' ? 1 : 0)) * 2 + (outBool ? 1 : 0)) * 65536 + mask;
    let r = resolved.get(cacheKey);
    if (r === undefined) {
      const { expr: e, sources: params } = canonicalKernel(expr, scalar);
      const index = scalar.length > 16 ? undefined : keyIndex.get(kernelKey(e, dtype, outBool));
      const arrays: number[] = [];
      for (let i = 0; i < scalar.length; i++) if (!scalar[i] && (e === IDENTITY || usesInput(e, i))) arrays.push(i);
      const slots = arrays.length ? arrays[arrays.length - 1]! + 1 : 0;
      r = { index: index ?? -1, params, arrays, used: Array.from({ length: slots }, (_, i) => arrays.includes(i)), slots };
      const direct = directCall(r, dtype);
      if (direct !== undefined) r.direct = direct;
      resolved.set(cacheKey, r);
    }
    return r;
  };

  /**
   * A call with strided or row-broadcast operands, or a strided output: the operands are gathered
   * into contiguous arrays (an exact copy), the kernel runs, and the result is scattered into the
   * output. So a formula gives the same bits whatever the layout of its operands (a transposed
   * view and its contiguous copy agree), at the cost of the copies.
   */
  const strided = (
    expr: Expr,
    dtype: 'float32' | 'float64',
    shape: readonly number[],
    out: Operand,
    outBool: boolean,
    operands: readonly Operand[],
    params: Readonly<Record<string, number>>,
  ): boolean => {
    let n = 1;
    for (const d of shape) n *= d;
    if (n === 0) return true;
    const Arr = dtype === 'float32' ? Float32Array : Float64Array;
    const scalar = operands.map((o) => !contiguous(shape, o.strides) && broadcastScalar(shape, o.strides));
    // A strided copy is one pass either way: the JavaScript backend does it.
    if (expr === IDENTITY || resolve(expr, dtype, outBool, scalar).index < 0) return fallback(expr, dtype, shape, out, outBool, operands, params);
    const strides = contiguousStrides(shape);
    const gathered: Operand[] = [];
    for (let i = 0; i < operands.length; i++) {
      const o = operands[i]!;
      if (scalar[i] || contiguous(shape, o.strides)) gathered.push(o);
      else if (o.data instanceof Arr) {
        const data = new Arr(n);
        runJs(IDENTITY, dtype, shape, { data, offset: 0, strides }, false, [o], {});
        gathered.push({ data, offset: 0, strides });
      } else return fallback(expr, dtype, shape, out, outBool, operands, params);
    }
    const direct = contiguous(shape, out.strides);
    const target: Operand = direct ? out : { data: outBool ? new Uint8Array(n) : new Arr(n), offset: 0, strides };
    if (!backend.elementwise(expr, dtype, shape, target, outBool, gathered, params)) return fallback(expr, dtype, shape, out, outBool, operands, params);
    if (!direct) runJs(IDENTITY, dtype, shape, out, false, [target], {});
    return true;
  };

  /** The kernel for a call whose arrays all have the computation's element type, or undefined. */
  const kernelFor = (expr: Expr, dtype: 'float32' | 'float64', outBool: boolean, out: Operand, operands: readonly Operand[], scalar: readonly boolean[]): Resolved | undefined => {
    const Arr = dtype === 'float32' ? Float32Array : Float64Array;
    if (outBool ? !(out.data instanceof Uint8Array) : !(out.data instanceof Arr)) return undefined;
    const r = resolve(expr, dtype, outBool, scalar);
    if (r.index < 0) return undefined;
    for (const i of r.arrays) if (!(operands[i]!.data instanceof Arr)) return undefined;
    return r;
  };

  /**
   * The kernel for a call: the one specialised for its parameters equal to 1 (`unitSpecialized`)
   * when the addon has it, else the general one, else undefined.
   */
  const kernelForCall = (
    expr: Expr,
    params: Readonly<Record<string, number>>,
    dtype: 'float32' | 'float64',
    outBool: boolean,
    out: Operand,
    operands: readonly Operand[],
    scalar: readonly boolean[],
  ): Resolved | undefined => {
    const unit = config.unitKernels ? unitSpecialized(expr, params) : undefined;
    const r = unit === undefined ? undefined : kernelFor(unit, dtype, outBool, out, operands, scalar);
    if (r !== undefined) {
      stats.unit++;
      return r;
    }
    return kernelFor(expr, dtype, outBool, out, operands, scalar);
  };

  /**
   * The one reused argument array of a kernel call, filled from `head` on (the caller writes the
   * head): per operand slot its array (null when unused or a scalar), offset and, for calls by
   * rows, row stride; then the parameters.
   */
  const fillCall = (
    r: Resolved,
    head: number,
    operands: readonly Operand[],
    rowStrides: readonly number[] | undefined,
    params: Readonly<Record<string, number>>,
    dtype: DType,
  ): (TypedArray | number | null)[] => {
    const per = rowStrides === undefined ? 2 : 3;
    const call = callArgs;
    call.length = head + per * r.slots + r.params.length;
    for (let i = 0; i < r.slots; i++) {
      const used = r.used[i]!;
      const at = head + per * i;
      call[at] = used ? operands[i]!.data : null;
      call[at + 1] = used ? operands[i]!.offset : 0;
      if (rowStrides !== undefined) call[at + 2] = used ? rowStrides[i]! : 0;
    }
    fillParams(call, head + per * r.slots, r.params, operands, params, dtype);
    return call;
  };

  /** The kernel's parameters from `base` on: named ones, and scalar operands' values. */
  const fillParams = (
    call: (TypedArray | number | null)[],
    base: number,
    names: readonly string[],
    operands: readonly Operand[],
    params: Readonly<Record<string, number>>,
    dtype: DType,
  ): void => {
    for (let j = 0; j < names.length; j++) {
      const name = names[j]!;
      if (name.charCodeAt(0) === 64 /* '@' */) {
        // A scalar operand: its value as the JavaScript backend reads it (not re-rounded).
        const o = operands[Number(name.slice(1))]!;
        call[base + j] = Number(o.data[o.offset]);
      } else call[base + j] = paramValue(params, name, dtype);
    }
  };

  /**
   * A call over strided rows (`rowsPlan`): one kernel call per row in the addon, no gathering
   * (copies into or out of a slice included: the identity kernel). Returns false when it does
   * not apply (the caller gathers instead).
   */
  const byRows = (
    expr: Expr,
    dtype: 'float32' | 'float64',
    shape: readonly number[],
    out: Operand,
    outBool: boolean,
    operands: readonly Operand[],
    params: Readonly<Record<string, number>>,
  ): boolean => {
    const rp = rowsPlan(shape, out, operands);
    if (rp === undefined || rp.cols < config.minRow) return false;
    const r = kernelForCall(expr, params, dtype, outBool, out, operands, rp.scalar);
    if (r === undefined) return false;
    // ewRows(k, rows, cols, out, outOffset, outRowStride, (array | null, offset, rowStride) per slot, ...parameters)
    const call = fillCall(r, 6, operands, rp.rowStrides, params, dtype);
    call[0] = r.index;
    call[1] = rp.rows;
    call[2] = rp.cols;
    call[3] = out.data;
    call[4] = out.offset;
    call[5] = rp.outRowStride;
    ewRows.apply(addon, call);
    stats.taken++;
    stats.rows++;
    return true;
  };

  const backend: NativeBackend = {
    name: 'native',
    addon,
    info: () => addon.info(),
    setNumThreads: (n) => addon.setThreads(n),
    numThreads: () => addon.info().threads,

    elementwise(expr, dtype, shape, out, outBool, operands, params) {
      if (dtype !== 'float32' && dtype !== 'float64') return fallback(expr, dtype, shape, out, outBool, operands, params);
      const p = plan(shape, out, operands);
      if (p === undefined) {
        if (byRows(expr, dtype, shape, out, outBool, operands, params)) return true;
        return strided(expr, dtype, shape, out, outBool, operands, params);
      }
      if (p.n < config.minElements) return fallback(expr, dtype, shape, out, outBool, operands, params);
      // Copies and float conversions (`clone`, `to`, `contiguous` of a contiguous tensor).
      if (expr === IDENTITY && !outBool && !p.scalar[0] && isFloatArray(out.data) && isFloatArray(operands[0]!.data)) {
        addon.convert(out.data, out.offset, operands[0]!.data, operands[0]!.offset, p.n);
        stats.taken++;
        return true;
      }
      const r = kernelForCall(expr, params, dtype, outBool, out, operands, p.scalar);
      if (r === undefined) return fallback(expr, dtype, shape, out, outBool, operands, params);
      if (r.direct !== undefined) {
        r.direct(p.n, out, operands, params);
        stats.taken++;
        return true;
      }
      // ew(k, n, out, outOffset, (array | null, offset) per slot, ...parameters)
      const call = fillCall(r, 4, operands, undefined, params, dtype);
      call[0] = r.index;
      call[1] = p.n;
      call[2] = out.data;
      call[3] = out.offset;
      callEw(call);
      stats.taken++;
      return true;
    },

    matmul(dtype, batch, m, n, k, a, b, out, bias) {
      if (dtype !== 'float32' && dtype !== 'float64') return false;
      if (batch * m * n * Math.max(k, 1) < config.minMatmulWork) return false;
      const Arr = dtype === 'float32' ? Float32Array : Float64Array;
      if (!(a.data instanceof Arr) || !(b.data instanceof Arr) || !(out instanceof Arr)) return false;
      if (bias !== undefined && !(bias.data instanceof Arr)) return false;
      const [abs, ars, acs] = a.strides as [number, number, number];
      const [bbs, brs, bcs] = b.strides as [number, number, number];
      if (abs < 0 || ars < 0 || acs < 0 || bbs < 0 || brs < 0 || bcs < 0) return false;
      addon.gemm(batch, m, n, k, a.data, a.offset, abs, ars, acs, b.data, b.offset, bbs, brs, bcs, out, 0, bias?.data ?? null, bias?.offset ?? 0);
      stats.matmul++;
      return true;
    },

    sum(x, dims, out) {
      const rc = rowsAndCols(x, dims);
      if (rc === undefined || !sameFloatArray(x.data, out)) return false;
      if (rc.leading) addon.sumCols(x.data, x.offset, rc.rows, rc.cols, out, 0);
      else addon.sumRows(x.data, x.offset, rc.rows, rc.cols, out, 0);
      stats.sum++;
      return true;
    },

    optimizerStep(kernel, n, arrays, offsets, scalars) {
      if (n < config.minOptimizerElements) return false;
      const f32 = kernel.endsWith('32');
      const Arr = f32 ? Float32Array : Float64Array;
      if (!f32 && !kernel.endsWith('64')) return false;
      const c = scalars as Record<string, unknown>;
      const s = optimScratch;
      let kind: number;
      let count: number;
      if (kernel === 'sgd32' || kernel === 'sgd64' || kernel === 'sgdMomentum32' || kernel === 'sgdMomentum64') {
        if (!fill(s, c, SGD_SCALARS)) return false;
        kind = kernel.startsWith('sgdMomentum') ? 1 : 0;
        count = kind === 1 ? 3 : 2;
      } else if (kernel === 'adam32' || kernel === 'adam64') {
        if (!fill(s, c, ADAM_SCALARS)) return false;
        kind = 2;
        count = c['amsgrad'] ? 5 : 4;
      } else return false;
      if (arrays.length < count) return false;
      for (let i = 0; i < count; i++) if (!(arrays[i] instanceof Arr)) return false;
      args.length = 0;
      for (let i = 0; i < count; i++) args.push(arrays[i]!, offsets[i]!);
      if (kind === 2 && count === 4) args.push(null, 0);
      addon.optim(kind, n, s, ...args);
      stats.optimizer++;
      return true;
    },

    softmax(x, dim, out, log) {
      if (x.shape.length === 0 || !sameFloatArray(x.data, out)) return false;
      const l = sliceLayout(x, dim);
      if (l === undefined) return false;
      if (l.inner === 1) addon.softmax(x.data, x.offset, l.outer, l.size, out, 0, log);
      else addon.softmaxDim(x.data, x.offset, l.outer, l.size, l.inner, out, 0, log);
      stats.softmax++;
      return true;
    },

    softmaxBackward(y, g, dim, out, log) {
      if (y.shape.length === 0 || !sameFloatArray(y.data, out) || !sameFloatArray(g.data, out)) return false;
      const l = sliceLayout(y, dim);
      if (l === undefined || sliceLayout(g, dim) === undefined) return false;
      addon.softmaxBackward(y.data, y.offset, g.data, g.offset, l.outer, l.size, l.inner, out, 0, log);
      stats.softmax++;
      return true;
    },
  };
  return backend;
}

/** The scalars of src/optim's SGD and Adam loops, in the order native/src/isa.c reads them. */
const SGD_SCALARS = ['negLr', 'wd', 'decay', 'maximize', 'mom', 'oneMinusDampening', 'nesterov', 'first'];
const ADAM_SCALARS = ['decoupled', 'decay', 'weightDecay', 'wd', 'maximize', 'amsgrad', 'b1', 'oneMinusB1', 'b2', 'oneMinusB2', 'bc2', 'eps', 'negStep'];

/** Copy named number/boolean scalars into `s`; false if one is missing (the loop changed). */
function fill(s: Float64Array, c: Record<string, unknown>, names: readonly string[]): boolean {
  for (let i = 0; i < names.length; i++) {
    const v = c[names[i]!];
    if (typeof v === 'number') s[i] = v;
    else if (typeof v === 'boolean') s[i] = v ? 1 : 0;
    else return false;
  }
  return true;
}

function isFloatArray(a: TypedArray): boolean {
  return a instanceof Float32Array || a instanceof Float64Array;
}

function sameFloatArray(a: TypedArray, b: TypedArray): boolean {
  return (a instanceof Float32Array && b instanceof Float32Array) || (a instanceof Float64Array && b instanceof Float64Array);
}

function usesInput(e: Expr, i: number): boolean {
  const seen = new Set<number>();
  const stack = [e];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    if (n.op === 'input' && n.value === i) return true;
    stack.push(...n.args);
  }
  return false;
}

/**
 * A contiguous tensor reduced over leading dims (`leading`: rows summed per column) or over
 * trailing dims (each row summed), as a rows x cols matrix; undefined otherwise.
 */
/**
 * A contiguous `x` (size-1 dims may carry any stride) seen as [outer, size, inner] around `dim`,
 * or undefined when it is not contiguous.
 */
function sliceLayout(x: StridedArray, dim: number): { outer: number; size: number; inner: number } | undefined {
  const { shape, strides } = x;
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 1) continue;
    if (strides[d] !== expected) return undefined;
    expected *= shape[d]!;
  }
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d]!;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d]!;
  return { outer, size: shape[dim]!, inner };
}

function rowsAndCols(x: StridedArray, dims: readonly number[]): { rows: number; cols: number; leading: boolean } | undefined {
  const { shape, strides } = x;
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 1) continue;
    if (strides[d] !== expected) return undefined;
    expected *= shape[d]!;
  }
  const nd = shape.length;
  const k = dims.length;
  if (k === 0) return undefined;
  const trailing = dims.every((d, i) => d === nd - k + i);
  const leading = dims.every((d, i) => d === i);
  let reduced = 1;
  for (const d of dims) reduced *= shape[d]!;
  let total = 1;
  for (const s of shape) total *= s;
  const kept = reduced === 0 ? 0 : total / reduced;
  if (trailing) return { rows: kept, cols: reduced, leading: false };
  if (leading) return { rows: reduced, cols: kept, leading: true };
  return undefined;
}
