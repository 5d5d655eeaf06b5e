/// <reference types="node" />
/**
 * Loads the native backend's addon (built at install by node-gyp, see `native/README.md`) and
 * registers it as the backend `'native'`, the default in Node. Imported for its effect by the
 * Node entry (`paoding` under the `node` export condition) and by `paoding/node`.
 *
 * When the addon is missing (no compiler at install, an unsupported platform) or fails to load,
 * paoding falls back to WebAssembly (or JavaScript) and says so once on the console, unless
 * `PAODING_QUIET` is set, the backend was chosen explicitly with `PAODING_BACKEND`, or it runs
 * under a test runner.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getBackend, list, registerBackend, setBackend } from '../backends/index.js';
import { setBufferSource } from '../tensor/dtype.js';
import { glibcLog, setExponentialFill } from '../tensor/random.js';
import { createNativeBackend, type NativeAddon, type NativeBackend, type NativeInfo } from '../backends/native/index.js';

export { config as nativeConfig, stats as nativeStats } from '../backends/native/index.js';
export type { NativeInfo } from '../backends/native/index.js';

/** Where node-gyp puts the addon, relative to the package root. */
const ADDON = join('native', 'build', 'Release', 'paoding_native.node');

/** The package root: two levels above this file, in `src/node/` and in `dist/node/` alike. */
function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Whether and how the native backend loaded. */
export interface NativeStatus {
  loaded: boolean;
  /** Why it did not load. */
  reason?: string;
  /** The addon's path. */
  path: string;
  info?: NativeInfo;
}

let backend: NativeBackend | undefined;
let status: NativeStatus = { loaded: false, reason: 'not loaded yet', path: '' };

/**
 * Load the addon from `path` (default: the package's build, or `PAODING_NATIVE_ADDON`) and
 * register the `'native'` backend. Returns the status; loading twice returns the first result.
 */
export function loadNative(path?: string): NativeStatus {
  if (backend !== undefined) return status;
  const file = path ?? (process.env['PAODING_NATIVE_ADDON'] || join(packageRoot(), ADDON));
  if (!existsSync(file)) {
    status = { loaded: false, reason: `the addon was not built (${file} is missing)`, path: file };
    return status;
  }
  try {
    const addon = createRequire(import.meta.url)(file) as NativeAddon;
    backend = createNativeBackend(addon);
    registerBackend(backend);
    keepMemory(addon, process.env['PAODING_KEEP_MEMORY'] !== '0');
    installExponential(addon);
    status = { loaded: true, path: file, info: addon.info() };
  } catch (e) {
    status = { loaded: false, reason: `the addon failed to load: ${(e as Error).message.split('\n')[0]}`, path: file };
  }
  return status;
}

/**
 * The native backend's status, with what the addon reports when loaded (instruction set,
 * threads, kernel count).
 *
 * @example
 * ```ts
 * import { nativeStatus } from 'paoding/node';
 * const s = nativeStatus();
 * console.log(typeof s.loaded); // boolean
 * ```
 */
export function nativeStatus(): NativeStatus {
  if (backend !== undefined) status = { ...status, info: backend.info() };
  return status;
}

/**
 * Controls of the loaded addon: the instruction-set variant (`'avx512'`, `'avx2'`, `'sse2'`;
 * only those the CPU supports), the number of threads (at most the cores available; 1 turns
 * threading off), and the work from which a call is split across threads. Each returns false
 * or the value in effect; all are no-ops (undefined) when the addon is not loaded.
 */
export const native = {
  setIsa: (name: string): boolean | undefined => backend?.addon.setIsa(name),
  setThreads: (n: number): number | undefined => backend?.addon.setThreads(n),
  setParallelWork: (work: number): number | undefined => backend?.addon.setParallelWork(work),
  /**
   * Outputs of at least this many bytes are written with streaming (non-temporal) stores, which
   * skip reading each output line before writing it: for outputs larger than the cache, a third
   * less memory traffic (`Infinity` turns it off; x86-64 only, elsewhere the value is Infinity).
   */
  setStreamBytes: (bytes: number): number | undefined => backend?.addon.setStreamBytes(bytes),
  /**
   * Memory reuse. With the addon loaded, the C library keeps the memory of freed tensors and
   * hands it out again warm, instead of mapping fresh pages whose first touch costs more than a
   * relu over them (`keepMemory(false)` or `PAODING_KEEP_MEMORY=0` turns this off; it is
   * process-wide and glibc-only). The process then keeps its peak heap; `releaseMemory()`
   * returns what is free to the system, as `torch.cuda.empty_cache()` does for PyTorch's cache.
   */
  keepMemory: (on: boolean): boolean => (backend ? keepMemory(backend.addon, on) : false),
  releaseMemory: (): boolean => backend?.addon.releaseMemory?.() ?? false,
};

/**
 * The exponential sampler (Gumbel noise) in bulk through the addon, whose logs come from the C
 * library's `log` (the one PyTorch calls): only if that log gives the bits of paoding's rendering
 * of glibc's on a spread of inputs of both of its branches (it does with glibc 2.28 or later on
 * CPUs with FMA; elsewhere the JavaScript loop stays).
 */
function installExponential(addon: NativeAddon): void {
  const { exponential, log } = addon;
  if (exponential === undefined || log === undefined) return;
  const n = 4096;
  const xs = new Float64Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const u = s / 4294967296;
    // 1 - u over (0, 1], points near 1 (the polynomial branch), tiny and subnormal ones.
    xs[i] = i % 4 === 0 ? 1 - u : i % 4 === 1 ? 0.9375 + u * 0.127 : i % 4 === 2 ? u * 2 ** -(i % 1070) : 1 - u * 2 ** -40;
  }
  xs[0] = 1;
  const got = new Float64Array(n);
  log.call(addon, xs, got);
  for (let i = 0; i < n; i++) if (!Object.is(got[i], glibcLog(xs[i]!))) return;
  setExponentialFill((mt, state, count, out, scale) => exponential.call(addon, mt, state, count, out, 0, scale));
}

function keepMemory(addon: NativeAddon, on: boolean): boolean {
  return addon.keepFreedMemory?.(on) ?? false;
}

// Outputs that paoding's operations fill entirely (elementwise results, copies, products,
// softmax) skip the zero-fill of a fresh ArrayBuffer: Node's uninitialised allocation, freed by
// the garbage collector like any other (small ones come from slabs, see allocateUninit).
// Independent of the addon. Measured: 1.4-5 us for 64 KiB against 18-40 us zero-filled.
setBufferSource((bytes) => Buffer.allocUnsafeSlow(bytes));

let told = false;

/** Tell the user once that the native backend is not in use, unless asked not to. */
function tellOnce(message: string): void {
  if (told) return;
  told = true;
  const env = process.env;
  if (env['PAODING_QUIET'] || env['VITEST'] !== undefined || env['NODE_ENV'] === 'test') return;
  console.warn(message);
}

// Load at import, make 'native' the default unless PAODING_BACKEND chose another backend.
const requested = process.env['PAODING_BACKEND'];
const loaded = loadNative();
if (requested === undefined || requested === '' || requested === 'native') {
  if (loaded.loaded) setBackend('native');
  else {
    const instead = list().includes('wasm') ? 'wasm' : getBackend();
    if (instead === 'wasm') setBackend('wasm');
    tellOnce(
      `paoding: the native backend is not available (${loaded.reason}); using ${instead === 'wasm' ? 'WebAssembly' : 'JavaScript'}. ` +
        'Reinstall with a C compiler, python3 and make present (npm rebuild paoding) to build it; PAODING_QUIET=1 silences this.',
    );
  }
}
