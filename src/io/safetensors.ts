/**
 * The safetensors format (Hugging Face's weight files), read and written from bytes, so it works
 * in browsers as well as in Node (`paoding/node` adds `save` and `load` of files).
 *
 * Layout: an 8-byte little-endian unsigned header length N; N bytes of UTF-8 JSON,
 * `{"__metadata__": {string: string}?, name: {"dtype": "F32", "shape": [2, 3],
 * "data_offsets": [begin, end]}, ...}`, padded with spaces so that the data starts on a multiple
 * of 8; then the tensors' bytes, little-endian and row-major, `data_offsets` counting from the
 * start of that data region. The tensors tile the data region exactly: no gaps, no overlaps.
 */
import type { Module } from '../nn/module.js';
import type { DType } from '../tensor/dtype.js';
import { contiguousStrides, numel, shapeStr } from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';

/**
 * Thrown for a malformed safetensors file; says what is wrong, where (byte offset, key).
 *
 * @example
 * ```ts
 * import { io } from 'paoding';
 * try {
 *   io.parseSafetensors(new Uint8Array(4), { source: 'model.safetensors' });
 * } catch (e) {
 *   console.log(e instanceof io.SafetensorsError, (e as Error).message.split(':')[0]); // true model.safetensors
 * }
 * ```
 */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/** One tensor's entry in a safetensors header. */
export interface SafetensorsEntry {
  /** The tensor's name (PyTorch's state-dict key, e.g. `fc1.weight`). */
  name: string;
  /** The safetensors dtype name: `F32`, `F64`, `I64`, `I32`, `U8`, `BOOL`, `F16`, ... */
  dtype: string;
  shape: number[];
  /** Begin and end of the tensor's bytes, relative to the start of the data region. */
  dataOffsets: [number, number];
}

/** A parsed safetensors header. */
export interface SafetensorsHeader {
  /** The `__metadata__` strings, or null when the file has none. */
  metadata: Record<string, string> | null;
  /** The tensors, in the order of their data. */
  tensors: SafetensorsEntry[];
  /** The file offset of the data region (8 + header length). */
  dataStart: number;
}

/** Options of the parsing functions. */
export interface ParseSafetensorsOptions {
  /** Names the bytes in error messages (a file path, say). Default `'safetensors data'`. */
  source?: string;
}

/**
 * How each safetensors dtype is read. paoding has float32, float64, int32, int64, uint8 and bool;
 * the narrower types widen losslessly (F16 and BF16 to float32, I8/I16/U16 to int32, U32 to
 * int64) and U64 reads as int64 when its values fit in 2^53.
 */
const READ: Record<string, { size: number; dtype: DType }> = {
  BOOL: { size: 1, dtype: 'bool' },
  U8: { size: 1, dtype: 'uint8' },
  I8: { size: 1, dtype: 'int32' },
  I16: { size: 2, dtype: 'int32' },
  U16: { size: 2, dtype: 'int32' },
  F16: { size: 2, dtype: 'float32' },
  BF16: { size: 2, dtype: 'float32' },
  I32: { size: 4, dtype: 'int32' },
  U32: { size: 4, dtype: 'int64' },
  F32: { size: 4, dtype: 'float32' },
  F64: { size: 8, dtype: 'float64' },
  I64: { size: 8, dtype: 'int64' },
  U64: { size: 8, dtype: 'int64' },
};

/** Valid safetensors dtypes paoding cannot represent (named so that the error can say so). */
const UNSUPPORTED = new Set(['F4', 'F6_E2M3', 'F6_E3M2', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'C64']);

/**
 * The dtype written for each paoding dtype, with the reference implementation's sort rank:
 * tensors are laid out by descending dtype (its enum order, which puts wider types first, so
 * every tensor stays aligned), then by name.
 */
const WRITE: Record<DType, { name: string; size: number; rank: number }> = {
  bool: { name: 'BOOL', size: 1, rank: 0 },
  uint8: { name: 'U8', size: 1, rank: 1 },
  int32: { name: 'I32', size: 4, rank: 2 },
  float32: { name: 'F32', size: 4, rank: 3 },
  float64: { name: 'F64', size: 8, rank: 4 },
  int64: { name: 'I64', size: 8, rank: 5 },
};

/** The reference implementation refuses headers over 100 MB; so do we (a corrupt length). */
const MAX_HEADER = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Read and validate a safetensors header without decoding any tensor.
 *
 * @example
 * ```ts
 * import { io, tensor } from 'paoding';
 * const bytes = io.serializeSafetensors({ w: tensor([[1, 2, 3]]) }, { format: 'pt' });
 * const header = io.parseSafetensorsHeader(bytes);
 * console.log(header.metadata, header.tensors[0]); // { format: 'pt' } { name: 'w', dtype: 'F32', shape: [ 1, 3 ], dataOffsets: [ 0, 12 ] }
 * ```
 */
export function parseSafetensorsHeader(bytes: Uint8Array, opts: ParseSafetensorsOptions = {}): SafetensorsHeader {
  const src = opts.source ?? 'safetensors data';
  const fail = (msg: string): never => {
    throw new SafetensorsError(`${src}: ${msg}`);
  };
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`parseSafetensors(): expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  if (bytes.length < 8) fail(`${bytes.length} bytes is too short: a safetensors file starts with an 8-byte little-endian header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > MAX_HEADER) fail(`header length ${n} (bytes 0-7) is over the 100 MB limit of the format: the file is corrupt or not safetensors`);
  if (8 + n > bytes.length) fail(`header length ${n} (bytes 0-7) runs past the end of the file (${bytes.length} bytes, so at most ${bytes.length - 8})`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail(`the header (bytes 8-${8 + n}) is not valid UTF-8`);
  }
  if (!text.startsWith('{')) fail(`the header (bytes 8-${8 + n}) must be a JSON object starting with '{', found ${JSON.stringify(text.slice(0, 20))}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`the header (bytes 8-${8 + n}) is not valid JSON: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return fail(`the header (bytes 8-${8 + n}) must be a JSON object`);
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const tensors: SafetensorsEntry[] = [];
  for (const [name, info] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info)) fail(`'__metadata__' must be an object of strings, got ${JSON.stringify(info)}`);
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`'__metadata__' value of key '${k}' must be a string, got ${JSON.stringify(v)}`);
      }
      metadata = { ...(info as Record<string, string>) };
      continue;
    }
    const at = `tensor '${name}'`;
    if (info === null || typeof info !== 'object' || Array.isArray(info)) return fail(`${at}: expected {"dtype", "shape", "data_offsets"}, got ${JSON.stringify(info)}`);
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== 'string') fail(`${at}: 'dtype' must be a string, got ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && (s as number) >= 0)) {
      fail(`${at}: 'shape' must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((s) => Number.isSafeInteger(s) && (s as number) >= 0)) {
      fail(`${at}: 'data_offsets' must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) fail(`${at}: data_offsets [${begin}, ${end}] end before they begin`);
    const kind = READ[dtype as string];
    if (kind === undefined) {
      if (UNSUPPORTED.has(dtype as string)) fail(`${at}: dtype ${dtype} is valid safetensors but paoding cannot hold it (supported: ${Object.keys(READ).join(', ')})`);
      fail(`${at}: unknown dtype ${JSON.stringify(dtype)} (expected one of ${Object.keys(READ).join(', ')})`);
    }
    const need = numel(shape as number[]) * kind!.size;
    if (end - begin !== need) {
      fail(
        `${at}: dtype ${dtype} and shape ${shapeStr(shape as number[])} need ${need} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin} (file bytes ${dataStart + begin}-${dataStart + end})`,
      );
    }
    if (end > dataLen) {
      fail(`${at}: data_offsets [${begin}, ${end}] are out of range: the data region holds ${dataLen} bytes (file bytes ${dataStart}-${bytes.length})`);
    }
    tensors.push({ name, dtype: dtype as string, shape: [...(shape as number[])], dataOffsets: [begin, end] });
  }
  tensors.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let prev: SafetensorsEntry | undefined;
  let pos = 0;
  for (const t of tensors) {
    const [begin, end] = t.dataOffsets;
    if (begin < pos) fail(`tensors '${prev!.name}' [${prev!.dataOffsets.join(', ')}] and '${t.name}' [${begin}, ${end}] overlap (data_offsets)`);
    if (begin > pos) {
      fail(`${begin - pos} unused bytes before tensor '${t.name}' (data_offsets [${begin}, ${end}], file bytes ${dataStart + pos}-${dataStart + begin}): the tensors must tile the data region`);
    }
    pos = end;
    prev = t;
  }
  if (pos !== dataLen) fail(`${dataLen - pos} bytes after the last tensor (file bytes ${dataStart + pos}-${bytes.length}) belong to no tensor: the file is corrupt or was appended to`);
  return { metadata, tensors, dataStart };
}

/** Decode one tensor's little-endian bytes into the storage of its paoding dtype. */
function decodeTensor(bytes: Uint8Array, t: SafetensorsEntry, dataStart: number, src: string): Tensor {
  const { size, dtype } = READ[t.dtype]!;
  const off = dataStart + t.dataOffsets[0];
  const count = numel(t.shape);
  const view = new DataView(bytes.buffer, bytes.byteOffset + off, count * size);
  // A copy into a fresh, aligned buffer: the typed views below need the alignment, and the
  // tensors must not keep the whole file alive. (Not bytes.slice(): on a Node Buffer that is a
  // view into a shared pool.)
  const copy = (): ArrayBuffer => new Uint8Array(bytes.subarray(off, off + count * size)).buffer;
  let data: Float32Array | Float64Array | Int32Array | Uint8Array;
  switch (t.dtype) {
    case 'BOOL': {
      data = new Uint8Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getUint8(i) !== 0 ? 1 : 0;
      break;
    }
    case 'U8':
      data = new Uint8Array(copy());
      break;
    case 'I8':
      data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt8(i);
      break;
    case 'I16':
      data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt16(2 * i, true);
      break;
    case 'U16':
      data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getUint16(2 * i, true);
      break;
    case 'F16':
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = halfToFloat(view.getUint16(2 * i, true));
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const u = new Uint32Array(count);
      for (let i = 0; i < count; i++) u[i] = view.getUint16(2 * i, true) << 16;
      data = new Float32Array(u.buffer);
      break;
    }
    case 'I32':
      if (LITTLE_ENDIAN) data = new Int32Array(copy());
      else {
        data = new Int32Array(count);
        for (let i = 0; i < count; i++) data[i] = view.getInt32(4 * i, true);
      }
      break;
    case 'U32':
      data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getUint32(4 * i, true);
      break;
    case 'F32':
      if (LITTLE_ENDIAN) data = new Float32Array(copy());
      else {
        data = new Float32Array(count);
        for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i, true);
      }
      break;
    case 'F64':
      if (LITTLE_ENDIAN) data = new Float64Array(copy());
      else {
        data = new Float64Array(count);
        for (let i = 0; i < count; i++) data[i] = view.getFloat64(8 * i, true);
      }
      break;
    default: {
      // I64, U64: paoding's int64 is a float64 holding integers exactly up to 2^53.
      data = new Float64Array(count);
      const signed = t.dtype === 'I64';
      for (let i = 0; i < count; i++) {
        const lo = view.getUint32(8 * i, true);
        const hi = signed ? view.getInt32(8 * i + 4, true) : view.getUint32(8 * i + 4, true);
        const v = hi * 2 ** 32 + lo;
        if (hi >= 2 ** 21 || hi < -(2 ** 21)) {
          const exact = signed ? view.getBigInt64(8 * i, true) : view.getBigUint64(8 * i, true);
          throw new SafetensorsError(
            `${src}: tensor '${t.name}' (${t.dtype}) element ${i} is ${exact}, beyond 2^53: paoding's int64 holds integers exactly only up to 2^53 (file byte ${off + 8 * i})`,
          );
        }
        data[i] = v;
      }
    }
  }
  return new Tensor(new Storage(data), [...t.shape], contiguousStrides(t.shape), 0, dtype);
}

/** IEEE binary16 bits to a number (exact: every half is a float32). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

/**
 * Parse a safetensors file into tensors by name (in the order of their data). Everything is
 * validated first (header, dtypes, sizes, offsets), and a corrupt file raises a
 * `SafetensorsError` naming the key and byte offsets.
 *
 * @example
 * ```ts
 * import { io, tensor } from 'paoding';
 * const bytes = io.serializeSafetensors({ w: tensor([[1, 2]]), steps: tensor([7], { dtype: 'int64' }) });
 * const tensors = io.parseSafetensors(bytes);
 * console.log([...tensors.keys()], tensors.get('w')!.tolist()); // [ 'steps', 'w' ] [ [ 1, 2 ] ]
 * ```
 */
export function parseSafetensors(bytes: Uint8Array, opts: ParseSafetensorsOptions = {}): Map<string, Tensor> {
  const header = parseSafetensorsHeader(bytes, opts);
  const out = new Map<string, Tensor>();
  for (const t of header.tensors) out.set(t.name, decodeTensor(bytes, t, header.dataStart, opts.source ?? 'safetensors data'));
  return out;
}

/** Tensors by name: a Map, a plain object, or [name, tensor] pairs (as `namedParameters()`). */
export type NamedTensors = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>> | Iterable<readonly [string, Tensor]>;

function entriesOf(tensors: NamedTensors, where: string): [string, Tensor][] {
  let list: [string, Tensor][];
  if (tensors instanceof Map) list = [...tensors.entries()];
  else if (tensors !== null && typeof tensors === 'object' && Symbol.iterator in tensors) list = [...(tensors as Iterable<readonly [string, Tensor]>)].map(([k, v]) => [k, v]);
  else if (tensors !== null && typeof tensors === 'object') list = Object.entries(tensors as Record<string, Tensor>);
  else throw new TypeError(`${where}: expected tensors by name (a Map, an object or [name, tensor] pairs), got ${tensors === null ? 'null' : typeof tensors}`);
  const seen = new Set<string>();
  for (const [name, t] of list) {
    if (typeof name !== 'string') throw new TypeError(`${where}: tensor names must be strings, got ${typeof name}`);
    if (name === '__metadata__') throw new RangeError(`${where}: '__metadata__' is reserved by the format and cannot name a tensor`);
    if (seen.has(name)) throw new RangeError(`${where}: duplicate tensor name '${name}'`);
    seen.add(name);
    if (!(t instanceof Tensor)) throw new TypeError(`${where}: value of '${name}' must be a Tensor, got ${typeof t}`);
  }
  return list;
}

/** Compare strings by UTF-8 bytes (code points), the order of the reference implementation. */
function byteOrder(a: string, b: string): number {
  const ca = [...a];
  const cb = [...b];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = ca[i]!.codePointAt(0)! - cb[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

/**
 * Serialise tensors (and optional string metadata) to safetensors bytes, laid out as the
 * reference implementation lays them out: by descending dtype, then by name, the header padded
 * with spaces to a multiple of 8 bytes. For the same tensors and metadata, the bytes equal
 * `safetensors.torch.save`'s.
 *
 * @example
 * ```ts
 * import { io, tensor } from 'paoding';
 * const bytes = io.serializeSafetensors({ b: tensor([0.5]), a: tensor([1, 2], { dtype: 'int64' }) });
 * console.log(bytes.length, new TextDecoder().decode(bytes.subarray(8, 108)).trim());
 * // 132 {"a":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}
 * ```
 */
export function serializeSafetensors(tensors: NamedTensors, metadata?: Readonly<Record<string, string>> | null): Uint8Array {
  const where = 'serializeSafetensors()';
  const list = entriesOf(tensors, where).map(([name, t]) => ({ name, t, w: WRITE[t.dtype] }));
  list.sort((a, b) => b.w.rank - a.w.rank || byteOrder(a.name, b.name));
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) throw new TypeError(`${where}: metadata must be an object of strings`);
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`${where}: metadata value of '${k}' must be a string, got ${typeof v}`);
    }
    header.__metadata__ = { ...metadata };
  }
  let pos = 0;
  for (const { name, t, w } of list) {
    const len = t.numel() * w.size;
    header[name] = { dtype: w.name, shape: [...t.shape], data_offsets: [pos, pos + len] };
    pos += len;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + pos);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded % 2 ** 32, true);
  view.setUint32(4, Math.floor(padded / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const { t, w } of list) {
    const c = t.contiguous();
    const vals = c._storage.data.subarray(c.offset, c.offset + c.numel());
    if (t.dtype === 'int64') {
      for (let i = 0; i < vals.length; i++) {
        const v = vals[i]!;
        const hi = Math.floor(v / 2 ** 32);
        view.setUint32(at + 8 * i, v - hi * 2 ** 32, true);
        view.setInt32(at + 8 * i + 4, hi, true);
      }
    } else if (LITTLE_ENDIAN || w.size === 1) out.set(new Uint8Array(vals.buffer, vals.byteOffset, vals.byteLength), at);
    else if (t.dtype === 'float32') for (let i = 0; i < vals.length; i++) view.setFloat32(at + 4 * i, vals[i]!, true);
    else if (t.dtype === 'float64') for (let i = 0; i < vals.length; i++) view.setFloat64(at + 8 * i, vals[i]!, true);
    else for (let i = 0; i < vals.length; i++) view.setInt32(at + 4 * i, vals[i]!, true);
    at += vals.length * w.size;
  }
  return out;
}

// ---- modules ----------------------------------------------------------------------------------

/**
 * Serialise a module's parameters and buffers, under PyTorch's names (`0.weight`, `fc1.bias`),
 * to safetensors bytes. The metadata defaults to `{ format: 'pt' }`, which Hugging Face's
 * loaders expect of PyTorch weights.
 *
 * @example
 * ```ts
 * import { io, nn, tensor } from 'paoding';
 * const prelu = new nn.PReLU({ numParameters: 2, init: 0.1 });
 * const bytes = io.stateDictToSafetensors(prelu);
 * console.log(io.parseSafetensors(bytes).get('weight')!.tolist()); // [ 0.10000000149011612, 0.10000000149011612 ]
 * ```
 */
export function stateDictToSafetensors(module: Module, metadata: Readonly<Record<string, string>> | null = { format: 'pt' }): Uint8Array {
  checkModule(module, 'stateDictToSafetensors()');
  return serializeSafetensors(module.stateDict(), metadata);
}

/** Options of {@link loadSafetensorsInto}. */
export interface LoadOptions extends ParseSafetensorsOptions {
  /**
   * Require the file's names to be exactly the module's (PyTorch's `strict`). Default true.
   * Shapes must match either way.
   */
  strict?: boolean;
}

/** Keys that did not match, as PyTorch's `load_state_dict` returns them. */
export interface LoadResult {
  /** The module's keys that the file does not have. */
  missingKeys: string[];
  /** The file's keys that the module does not have. */
  unexpectedKeys: string[];
}

function checkModule(module: unknown, where: string): void {
  const m = module as Module | null;
  if (m === null || typeof m !== 'object' || typeof m.stateDict !== 'function' || typeof m.loadStateDict !== 'function') {
    throw new TypeError(`${where}: expected an nn.Module, got ${m === null ? 'null' : typeof m}`);
  }
}

/**
 * Load safetensors bytes into a module's parameters and buffers, as PyTorch's
 * `model.load_state_dict(safetensors.torch.load(bytes))`. All-or-nothing: the file is parsed
 * and validated and every name and shape checked before the first value is copied, so an error
 * leaves the module untouched. Values are converted to each parameter's dtype (as `copy_` does).
 *
 * @example
 * ```ts
 * import { io, nn } from 'paoding';
 * const a = new nn.PReLU({ init: 0.5 });
 * const b = new nn.PReLU();
 * console.log(io.loadSafetensorsInto(b, io.stateDictToSafetensors(a))); // { missingKeys: [], unexpectedKeys: [] }
 * console.log(b.weight.tolist()); // [ 0.5 ]
 * ```
 */
export function loadSafetensorsInto(module: Module, bytes: Uint8Array, opts: LoadOptions = {}): LoadResult {
  checkModule(module, 'loadSafetensorsInto()');
  for (const k of Object.keys(opts)) {
    if (k !== 'strict' && k !== 'source') throw new TypeError(`loadSafetensorsInto(): unknown option '${k}' (expected strict, source)`);
  }
  const src = opts.source ?? 'safetensors data';
  const loaded = parseSafetensors(bytes, { source: src });
  try {
    // loadStateDict checks every name and shape before it copies anything.
    return module.loadStateDict(loaded, { strict: opts.strict ?? true });
  } catch (e) {
    // A mismatch between file and model is not a corrupt file: a plain Error, as PyTorch's.
    throw new Error(`${src}: ${(e as Error).message}\n(nothing was loaded)`, { cause: e });
  }
}
