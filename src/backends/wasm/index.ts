/**
 * The WebAssembly SIMD backend: kernels generated from the expressions at run time (see
 * `codegen.ts`), emitted as wasm binaries by a small encoder (`encoder.ts`) and instantiated
 * synchronously. It runs in Node and in browsers alike (no `node:` imports, no build step).
 *
 * It takes contiguous and scalar-broadcast float32/float64 cases (and broadcast iterations whose
 * rows are contiguous and long) and declines the rest, which the JavaScript backend runs; float32
 * softmax and log-softmax, forward and backward, and float32 matrix products run in
 * hand-assembled kernels (`softmax.ts`, `gemm.ts`).
 */
import type { Backend } from '../index.js';
import { matmul } from './gemm.js';
import { elementwise, simdSupported } from './runtime.js';
import { softmax, softmaxBackward } from './softmax.js';

export { config, getKernel, resetKernels } from './runtime.js';
export { softmaxConfig } from './softmax.js';
export { gemmConfig } from './gemm.js';
export { threadConfig } from './threads.js';

/** The backend object, registered as `'wasm'` where WebAssembly SIMD is available. */
export const wasmBackend: Backend = {
  name: 'wasm',
  elementwise,
  matmul,
  softmax,
  softmaxBackward,
};

/** Whether this engine can run the wasm backend. */
export function wasmAvailable(): boolean {
  return simdSupported();
}
