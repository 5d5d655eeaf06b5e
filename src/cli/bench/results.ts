/** What a benchmark run records, and the implementations it knows. */

export type Dir = 'fwd' | 'bwd';

/** One measured (or absent) cell. */
export interface Result {
  /** The implementation's key (`paoding-wasm`, `torch`, `tfjs-wasm`, `copy`, ...). */
  impl: string;
  /** The row (activation) name; `copy` for the copy bandwidth. */
  case: string;
  dir: Dir;
  /** log2 of the number of input elements. */
  size: number;
  /** The threads the implementation ran on. */
  threads: number;
  /** Median seconds per call, or null when absent. */
  seconds: number | null;
  /** Interquartile range over the median. */
  iqr?: number;
  samples?: number;
  callsPerSample?: number;
  /** The peer composes this activation from several of its ops. */
  composite?: boolean;
  /** Why a cell is absent, or a remark. */
  note?: string;
}

/** How an implementation takes part in the comparisons. */
export type Role =
  /** A paoding backend. */
  | 'paoding'
  /** A peer through its usual API: counted in "the fastest peer". */
  | 'peer'
  /** An informational variant (preallocated output, a data read): shown, not counted. */
  | 'info';

export interface Impl {
  key: string;
  label: string;
  role: Role;
  /** It runs on one thread whatever is asked (its result is shown in every thread column). */
  oneThread: boolean;
  /** It is WebAssembly (the browser path). */
  wasm: boolean;
  /** It has no forward+backward (no autograd). */
  forwardOnly?: boolean;
}

/** The peers, in table order. */
export const PEERS: Impl[] = [
  { key: 'torch', label: 'PyTorch', role: 'peer', oneThread: false, wasm: false },
  { key: 'ort', label: 'onnxruntime-node', role: 'peer', oneThread: false, wasm: false, forwardOnly: true },
  { key: 'tfjs-wasm', label: 'TF.js wasm', role: 'peer', oneThread: true, wasm: true },
  { key: 'tfjs-cpu', label: 'TF.js cpu', role: 'peer', oneThread: true, wasm: false },
  { key: 'ort-web', label: 'onnxruntime-web (wasm)', role: 'peer', oneThread: true, wasm: true, forwardOnly: true },
  { key: 'torch-out', label: 'PyTorch out=', role: 'info', oneThread: false, wasm: false, forwardOnly: true },
  { key: 'tfjs-wasm-read', label: 'TF.js wasm + dataSync', role: 'info', oneThread: true, wasm: true, forwardOnly: true },
];

/** The paoding implementation of a backend. */
export function paodingImpl(backend: string, threaded: boolean): Impl {
  return { key: `paoding-${backend}`, label: `paoding ${backend}`, role: 'paoding', oneThread: !threaded, wasm: backend === 'wasm' };
}

/** One training-step measurement. */
export interface TrainingRow {
  impl: string;
  label: string;
  role: Role;
  threads: number;
  msPerStep: number | null;
  note: string;
}
