/** Backend choice as the package exposes it (`backends.setBackend('js')`). */
import { list, registerBackend, setBackend } from './index.js';
import { wasmAvailable, wasmBackend } from './wasm/index.js';
import { warn } from '../util/warn.js';

export { getBackend, getNumThreads, list, registerBackend, setBackend, setNumThreads } from './index.js';
export type { Backend, Operand } from './index.js';

// The WebAssembly SIMD backend is available wherever the engine runs wasm SIMD.
if (wasmAvailable()) registerBackend(wasmBackend);

// PAODING_BACKEND=wasm (or js) chooses the backend once, at load, where there is a `process`.
const requested = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['PAODING_BACKEND'];
if (requested !== undefined && requested !== '') {
  if (list().includes(requested)) setBackend(requested);
  // 'native' is registered (and chosen) by the Node entry, which loads the addon after this.
  else if (requested !== 'native') warn(`PAODING_BACKEND='${requested}' is not an available backend (${list().join(', ')}); using 'js'`);
}
