/**
 * The wasm backend's runtime: one linear memory used by every generated kernel (shared between
 * threads once they are on), staging through scratch regions, the kernel cache and the dispatch
 * rules.
 *
 * Tensor storage stays ordinary typed arrays (so the tensor core is unchanged and garbage
 * collection works as before). A kernel call stages its operands chunk by chunk: each chunk of
 * every array operand is copied into its scratch region (`view.set(src.subarray(...))`), the
 * kernel runs over the chunk, and the result is copied out. Chunks are small enough to stay in
 * the L1/L2 cache, so the memory traffic stays one read and one write per element; the copies
 * are `memcpy`s the engine does at cache speed.
 *
 * Memory layout: region r (r = 0 for the output, 1.. for the operands) starts at
 * `r * REGION_BYTES`. Regions are added (the memory grows) when a kernel has more operands.
 */
import { type Expr, topoOrder } from '../../ir/expr.js';
import { castScalar, type DType, type TypedArray } from '../../tensor/dtype.js';
import { coalesce, type Operand } from '../js/elementwise.js';
import { compileKernel, type FloatDType, type OperandKind, Unsupported } from './codegen.js';
import { encodeModule, type ModuleFunction } from './encoder.js';
import type { VecOptions } from './vec.js';
import { getPool, type Pool, runParallel, threadConfig } from './threads.js';

/** Tunables (measured by bench/elementwise.mjs; see the report in the backend's README). */
export const config = {
  /** Elements per staging chunk (32 KiB of float32 or 64 KiB of float64 per region). */
  chunk: 8192,
  /**
   * Below this many elements the JavaScript backend is faster (call and staging overhead):
   * measured crossovers ~64–256 elements for kernels with a transcendental primitive and
   * ~256–1024 for arithmetic/selection ones (`minElementsCheap`).
   */
  minElements: 128,
  minElementsCheap: 512,
  /** Rows shorter than this make a strided/broadcast iteration decline. */
  minRow: 256,
  /** Constants hoisted into locals before the loop. */
  hoistConstants: true,
};

const PAGE = 65536;

/** Counters: kernel calls taken by the backend and declined to JavaScript (for tests). */
export const stats = { taken: 0, declined: 0 };

type Kernel = (...args: number[]) => void;

interface CompiledKernel {
  fn: Kernel;
  params: string[];
  bytes: number;
  /** A process-unique id and the module (for the worker pool). */
  id: number;
  module: WebAssembly.Module;
  /** Whether the kernel computes a transcendental primitive (worth threads despite staging). */
  heavy: boolean;
}

let nextKernelId = 1;
const HEAVY = new Set(['exp', 'expm1', 'log', 'log1p', 'tanh', 'sigmoid', 'erf', 'erfc']);

let memory: WebAssembly.Memory | undefined;
/** Whether the memory is shared (what the worker pool needs). */
let sharedMem = false;
/** Bumped when the memory is replaced (kernels compiled against the old one are dropped). */
let generation = 0;

/** Whether the memory should be shared: only while the worker pool may run (it needs one). */
function wantShared(): boolean {
  return threadConfig.threads !== 1 && typeof SharedArrayBuffer === 'function';
}
const MAX_PAGES = 16384; // 1 GiB: a shared memory reserves its maximum up front
let regionBytes = 0;
let regions = 0;

/** Byte size of one region (the chunk of the widest dtype, float64). */
function regionSize(): number {
  return config.chunk * 8;
}

function ensureMemory(nRegions: number): WebAssembly.Memory {
  const rb = regionSize();
  if (memory === undefined) {
    regionBytes = rb;
    regions = Math.max(nRegions, 4);
    const initial = Math.ceil((regions * rb) / PAGE);
    // Non-shared unless threads are on: V8 copies out of a shared memory with relaxed atomics,
    // 2-3x slower than out of a non-shared one (see the README, Staging).
    memory = wantShared() ? newShared(initial) : undefined;
    sharedMem = memory !== undefined;
    memory ??= new WebAssembly.Memory({ initial, maximum: MAX_PAGES });
  } else if (rb !== regionBytes || nRegions > regions) {
    regionBytes = rb;
    regions = Math.max(regions, nRegions);
    const need = Math.ceil((regions * rb) / PAGE) - memory.buffer.byteLength / PAGE;
    if (need > 0) memory.grow(need);
  }
  return memory;
}

/** A shared memory, or undefined where the engine refuses one (no cross-origin isolation). */
function newShared(initial: number): WebAssembly.Memory | undefined {
  try {
    return new WebAssembly.Memory({ initial, maximum: MAX_PAGES, shared: true });
  } catch {
    return undefined;
  }
}

/**
 * Call at the start of an operation, before any kernel is looked up: when threads have been
 * turned on since the memory was made non-shared, replace it by a shared one of the same size
 * (staging regions hold nothing between calls) and drop every kernel compiled against the old
 * one. Never inside an operation, whose kernels are bound to the memory they started with.
 */
export function syncMemoryKind(): void {
  if (memory === undefined || sharedMem || !wantShared()) return;
  const next = newShared(memory.buffer.byteLength / PAGE);
  if (next === undefined) return;
  memory = next;
  sharedMem = true;
  generation++;
  kernels.clear();
  viewCache = undefined;
  threadViews = undefined;
}

/** Changes whenever the memory is replaced: caches of instances compare it. */
export function memoryGeneration(): number {
  return generation;
}

const kernels = new Map<string, CompiledKernel | null>();

/** Compile (or fetch) the kernel for an expression, dtype and operand pattern; null if declined. */
export function getKernel(expr: Expr, dtype: FloatDType, kinds: readonly OperandKind[], options: VecOptions = { hoistConstants: config.hoistConstants }): CompiledKernel | null {
  const key = `${expr.id}|${dtype}|${kinds.map((k) => (k === 'array' ? 'a' : 's')).join('')}|${options.hoistConstants ? 1 : 0}`;
  const known = kernels.get(key);
  if (known !== undefined) return known;
  let bytes: Uint8Array<ArrayBuffer>;
  let params: string[];
  try {
    const c = compileKernel({ expr, dtype, operands: kinds }, options);
    params = c.params;
    ensureMemory(kinds.length + 1);
    bytes = encodeModule([{ name: 'k', body: c.body }], { initial: 1, maximum: MAX_PAGES, shared: sharedMem });
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    kernels.set(key, null); // a primitive without SIMD code: the JavaScript backend runs it
    return null;
  }
  const mem = ensureMemory(kinds.length + 1);
  const heavy = topoOrder([expr]).some((n) => HEAVY.has(n.op));
  const make = (module: WebAssembly.Module): CompiledKernel => {
    const instance = new WebAssembly.Instance(module, { env: { mem } });
    return { fn: instance.exports['k'] as Kernel, params, bytes: bytes.length, id: nextKernelId++, module, heavy };
  };
  try {
    const k = make(new WebAssembly.Module(bytes));
    kernels.set(key, k);
    return k;
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    // A browser's main thread may refuse to compile a large module synchronously (Chrome's
    // limit was 4 KB before it became 8 MB): compile it in the background and let the
    // JavaScript backend run this expression until it is ready.
    kernels.set(key, null);
    const gen = generation;
    void WebAssembly.compile(bytes).then(
      // Against the memory it was compiled for; dropped if that memory has been replaced since.
      (module) => void (gen === generation && kernels.set(key, make(module))),
      () => undefined,
    );
    return null;
  }
}

/** Whether this engine runs WebAssembly SIMD (checked once). */
let simdOk: boolean | undefined;
export function simdSupported(): boolean {
  if (simdOk !== undefined) return simdOk;
  try {
    // (module (func (result v128) v128.const i32x4 0 0 0 0))
    const bytes = Uint8Array.from([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
    ]);
    simdOk = typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    simdOk = false;
  }
  return simdOk;
}

function viewOf(dtype: FloatDType, mem: WebAssembly.Memory, region: number): Float32Array | Float64Array {
  const n = config.chunk;
  const buffer = mem.buffer as ArrayBuffer;
  return dtype === 'float32' ? new Float32Array(buffer, region * regionBytes, n) : new Float64Array(buffer, region * regionBytes, n);
}

/** Views on the regions, recreated when the memory grows (its buffer is replaced). */
let viewCache: { buffer: ArrayBufferLike; f32: Float32Array[]; f64: Float64Array[] } | undefined;
function views(dtype: FloatDType, count: number): (Float32Array | Float64Array)[] {
  const mem = ensureMemory(count);
  if (viewCache === undefined || viewCache.buffer !== mem.buffer || viewCache.f32.length < count || viewCache.f32[0]!.length !== config.chunk) {
    const n = Math.max(count, regions);
    viewCache = {
      buffer: mem.buffer,
      f32: Array.from({ length: n }, (_, r) => viewOf('float32', mem, r) as Float32Array),
      f64: Array.from({ length: n }, (_, r) => viewOf('float64', mem, r) as Float64Array),
    };
  }
  return dtype === 'float32' ? viewCache.f32 : viewCache.f64;
}

const isDtypeArray = (dtype: FloatDType, a: TypedArray): boolean => (dtype === 'float32' ? a instanceof Float32Array : a instanceof Float64Array);

/**
 * Run one contiguous row: `n` elements of the output from `outOff`, array operands from their
 * offsets, scalar operands by value.
 */
function runRow(
  k: CompiledKernel,
  dtype: FloatDType,
  n: number,
  out: TypedArray,
  outOff: number,
  kinds: readonly OperandKind[],
  data: readonly TypedArray[],
  offs: readonly number[],
  paramValues: readonly number[],
): void {
  if (k.heavy && n >= threadConfig.minElements) {
    const p = getPool(ensureMemory(kinds.length + 1), sharedMem);
    if (p !== undefined) {
      runRowThreaded(p, k, dtype, n, out, outOff, kinds, data, offs, paramValues);
      return;
    }
  }
  const vs = views(dtype, kinds.length + 1);
  const elem = dtype === 'float32' ? 4 : 8;
  const lanes = 16 / elem;
  const args: number[] = [0, 0];
  for (let j = 0; j < kinds.length; j++) args.push(kinds[j] === 'array' ? (j + 1) * regionBytes : data[j]![offs[j]!]!);
  for (const p of paramValues) args.push(p);
  const chunk = config.chunk;
  const outView = vs[0]!;
  for (let s = 0; s < n; s += chunk) {
    const len = Math.min(chunk, n - s);
    for (let j = 0; j < kinds.length; j++) {
      if (kinds[j] !== 'array') continue;
      const o = offs[j]! + s;
      vs[j + 1]!.set(data[j]!.subarray(o, o + len));
    }
    args[0] = Math.ceil(len / lanes) * 16;
    k.fn(...args);
    out.set(len === chunk ? outView : outView.subarray(0, len), outOff + s);
  }
}

/** Views on the per-thread staging regions (after the single-thread ones), by buffer. */
let threadViews: { buffer: ArrayBufferLike; key: string; base: number; views: (Float32Array | Float64Array)[] } | undefined;

/**
 * `runRow` on the worker pool: each round stages one slice per thread into that thread's
 * regions, runs the kernel on all threads (the main thread included), and copies the slices out.
 */
function runRowThreaded(
  p: Pool,
  k: CompiledKernel,
  dtype: FloatDType,
  n: number,
  out: TypedArray,
  outOff: number,
  kinds: readonly OperandKind[],
  data: readonly TypedArray[],
  offs: readonly number[],
  paramValues: readonly number[],
): void {
  const T = p.size;
  const slice = threadConfig.slice;
  const R = kinds.length + 1;
  const sliceBytes = slice * 8;
  const mem = ensureMemory(R);
  const base = regions * regionBytes;
  const need = base + T * R * sliceBytes;
  if (mem.buffer.byteLength < need) mem.grow(Math.ceil((need - mem.buffer.byteLength) / PAGE));
  const key = `${dtype}|${T}|${R}|${slice}`;
  if (threadViews === undefined || threadViews.buffer !== mem.buffer || threadViews.key !== key || threadViews.base !== base) {
    const buffer = mem.buffer as ArrayBuffer;
    const views: (Float32Array | Float64Array)[] = [];
    for (let i = 0; i < T * R; i++) views.push(dtype === 'float32' ? new Float32Array(buffer, base + i * sliceBytes, slice) : new Float64Array(buffer, base + i * sliceBytes, slice));
    threadViews = { buffer: mem.buffer, key, base, views };
  }
  const vs = threadViews.views;
  const lanes = dtype === 'float32' ? 4 : 2;
  const lens = new Array<number>(T).fill(0);
  const argsOf = (t: number): number[] => {
    const a = [Math.ceil(lens[t]! / lanes) * 16, base + t * R * sliceBytes];
    for (let j = 0; j < kinds.length; j++) a.push(kinds[j] === 'array' ? base + (t * R + j + 1) * sliceBytes : data[j]![offs[j]!]!);
    for (const v of paramValues) a.push(v);
    return a;
  };
  for (let s = 0; s < n; s += T * slice) {
    for (let t = 0; t < T; t++) {
      const start = s + t * slice;
      const len = Math.max(0, Math.min(slice, n - start));
      lens[t] = len;
      if (len === 0) continue;
      for (let j = 0; j < kinds.length; j++) {
        if (kinds[j] !== 'array') continue;
        const o = offs[j]! + start;
        vs[t * R + j + 1]!.set(data[j]!.subarray(o, o + len));
      }
    }
    runParallel(p, k.id, k.module, k.fn, argsOf);
    for (let t = 0; t < T; t++) {
      const len = lens[t]!;
      if (len === 0) continue;
      const v = vs[t * R]!;
      out.set(len === slice ? v : v.subarray(0, len), outOff + s + t * slice);
    }
  }
}

/** The backend's `elementwise`: run the cases it takes, return false for the rest. */
export function elementwise(
  expr: Expr,
  dtype: DType,
  shape: readonly number[],
  out: Operand,
  outBool: boolean,
  operands: readonly Operand[],
  params: Readonly<Record<string, number>>,
): boolean {
  if (outBool || (dtype !== 'float32' && dtype !== 'float64')) return false;
  syncMemoryKind();
  let n = 1;
  for (const s of shape) n *= s;
  if (n < config.minElements) return false;
  if (!isDtypeArray(dtype, out.data)) return false;
  for (const o of operands) if (!isDtypeArray(dtype, o.data)) return false;
  const c = coalesce(shape, [out.strides, ...operands.map((o) => o.strides)]);
  const rank = c.shape.length;
  if (rank === 0) return false;
  const inner = c.strides.map((s) => s[rank - 1]!);
  if (inner[0] !== 1) return false;
  for (let j = 1; j < inner.length; j++) if (inner[j] !== 0 && inner[j] !== 1) return false;
  const rowLen = c.shape[rank - 1]!;
  if (rank > 1 && rowLen < config.minRow) return false;
  const kinds: OperandKind[] = inner.slice(1).map((s) => (s === 0 ? 'scalar' : 'array'));
  const k = getKernel(expr, dtype, kinds);
  if (k === null) {
    stats.declined++;
    return false;
  }
  if (!k.heavy && n < config.minElementsCheap) return false;
  stats.taken++;
  const paramValues = k.params.map((name) => {
    const v = params[name];
    if (v === undefined) throw new Error(`elementwise kernel: parameter '${name}' was not supplied`);
    return castScalar(v, dtype);
  });
  const data = operands.map((o) => o.data);
  if (rank === 1) {
    runRow(k, dtype, rowLen, out.data, out.offset, kinds, data, operands.map((o) => o.offset), paramValues);
    return true;
  }
  // Outer dimensions: walk them, one staged row at a time.
  const outer = c.shape.slice(0, rank - 1);
  const offs = [out.offset, ...operands.map((o) => o.offset)];
  const counter = new Array<number>(outer.length).fill(0);
  for (;;) {
    runRow(k, dtype, rowLen, out.data, offs[0]!, kinds, data, offs.slice(1), paramValues);
    let d = outer.length - 1;
    for (; d >= 0; d--) {
      counter[d]!++;
      for (let j = 0; j < offs.length; j++) offs[j]! += c.strides[j]![d]!;
      if (counter[d]! < outer[d]!) break;
      for (let j = 0; j < offs.length; j++) offs[j]! -= c.strides[j]![d]! * outer[d]!;
      counter[d] = 0;
    }
    if (d < 0) return true;
  }
}

/** Forget compiled kernels (after changing `config`). */
export function resetKernels(): void {
  kernels.clear();
}

/** Whether the kernels' memory is a shared one. */
export function memoryIsShared(): boolean {
  ensureMemory(1);
  syncMemoryKind();
  return sharedMem;
}

/** The linear memory the kernels share (for benchmarks that run kernels in place). */
export function sharedMemory(): WebAssembly.Memory {
  ensureMemory(4);
  syncMemoryKind();
  return ensureMemory(4);
}

/**
 * The linear memory grown to at least `bytes` (for kernels that stage whole slices, such as
 * softmax's, from address 0). Staging areas are reused by every kernel: calls never overlap (a
 * call stages, runs and copies out before returning), so one area serves them all.
 */
export function memoryOfAtLeast(bytes: number): WebAssembly.Memory {
  const mem = ensureMemory(1);
  const need = bytes - mem.buffer.byteLength;
  if (need > 0) mem.grow(Math.ceil(need / PAGE));
  return mem;
}

/**
 * Instantiate hand-assembled functions against the shared memory (synchronously: a module too
 * large for a browser main thread's limit throws, and the caller declines).
 */
export function instantiateFunctions(functions: readonly ModuleFunction[]): Record<string, (...args: number[]) => void> {
  const mem = ensureMemory(1);
  const bytes = encodeModule(functions, { initial: 1, maximum: MAX_PAGES, shared: sharedMem });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem } });
  return instance.exports as Record<string, (...args: number[]) => void>;
}
