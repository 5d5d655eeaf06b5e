/**
 * The IDX format of MNIST and Fashion-MNIST, read from bytes (raw or gzipped) into tensors.
 *
 * An IDX file is: two zero bytes, a type code, the number of dimensions d, then d big-endian
 * uint32 sizes, then the elements, big-endian, row-major. Type codes: 0x08 unsigned byte,
 * 0x09 signed byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64.
 */
import { tensor } from '../ops/creation.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { gunzip, isGzip } from './inflate.js';

/** Options of {@link parseIdx}. */
export interface ParseIdxOptions {
  /** Names the data in error messages (a file path, say). Default `'IDX data'`. */
  source?: string;
  /**
   * The dtype of the result. By default: unsigned bytes give uint8 (images stay compact),
   * the other integer types int32 (paoding has no int8 or int16; the values are exact), float32
   * and float64 stay themselves; and one-dimensional integer data, the labels of MNIST-style
   * data sets, give int64, as torchvision's MNIST and `F.crossEntropy` want.
   */
  dtype?: DType;
}

const TYPES: Record<number, { name: string; size: number; dtype: DType }> = {
  0x08: { name: 'unsigned byte', size: 1, dtype: 'uint8' },
  0x09: { name: 'signed byte', size: 1, dtype: 'int32' },
  0x0b: { name: 'int16', size: 2, dtype: 'int32' },
  0x0c: { name: 'int32', size: 4, dtype: 'int32' },
  0x0d: { name: 'float32', size: 4, dtype: 'float32' },
  0x0e: { name: 'float64', size: 8, dtype: 'float64' },
};

/**
 * Thrown for malformed IDX data; says what was expected, where.
 *
 * @example
 * ```ts
 * import { data } from 'paoding';
 * try {
 *   data.parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 7]), { source: 'labels.idx' });
 * } catch (e) {
 *   console.log(e instanceof data.IdxError, (e as Error).message.split(':')[1]); // true  truncated data
 * }
 * ```
 */
export class IdxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdxError';
  }
}

/**
 * Parse IDX bytes into a tensor; gzipped bytes (magic 1f 8b) are decompressed first, so
 * `train-images-idx3-ubyte` and `train-images-idx3-ubyte.gz` read alike.
 *
 * @example
 * ```ts
 * import { data } from 'paoding';
 * // magic 00 00 08 01 (unsigned bytes, 1 dimension), size 3, then the labels 7, 2, 1:
 * const labels = data.parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]));
 * console.log(labels.dtype, labels.tolist()); // int64 [ 7, 2, 1 ]
 * // magic 00 00 08 02, sizes 1 x 2:
 * const image = data.parseIdx(new Uint8Array([0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 255]));
 * console.log(image.dtype, image.shape); // uint8 [ 1, 2 ]
 * ```
 */
export function parseIdx(bytes: Uint8Array, opts: ParseIdxOptions = {}): Tensor {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`parseIdx(): expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  const source = opts.source ?? 'IDX data';
  const raw = isGzip(bytes) ? gunzip(bytes, source) : bytes;
  const where = isGzip(bytes) ? `${source} (after gunzip)` : source;
  if (raw.length < 4) throw new IdxError(`${where}: ${raw.length} bytes is too short for an IDX file (the magic number alone is 4 bytes)`);
  if (raw[0] !== 0 || raw[1] !== 0) {
    throw new IdxError(
      `${where}: bad magic number 0x${hex(raw, 0, 4)} at byte 0 (an IDX file starts with two zero bytes, a type code and the number of dimensions, e.g. 0x00000803 for MNIST images)`,
    );
  }
  const type = TYPES[raw[2]!];
  if (type === undefined) {
    throw new IdxError(
      `${where}: unknown IDX type code 0x${hex(raw, 2, 1)} at byte 2 (expected 0x08 unsigned byte, 0x09 signed byte, 0x0B int16, 0x0C int32, 0x0D float32 or 0x0E float64)`,
    );
  }
  const ndim = raw[3]!;
  const headerSize = 4 + 4 * ndim;
  if (raw.length < headerSize) {
    throw new IdxError(`${where}: truncated header: ${ndim} dimensions need ${headerSize} header bytes, but the data has ${raw.length}`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const n = shape.reduce((a, b) => a * b, 1);
  const expected = headerSize + n * type.size;
  if (raw.length < expected) {
    throw new IdxError(
      `${where}: truncated data: shape [${shape.join(', ')}] of ${type.name} needs ${n * type.size} bytes after the ${headerSize}-byte header (${expected} in all), but the data has ${raw.length}`,
    );
  }
  if (raw.length > expected) {
    throw new IdxError(
      `${where}: wrong size: shape [${shape.join(', ')}] of ${type.name} takes ${expected} bytes in all, but the data has ${raw.length} (${raw.length - expected} extra bytes from byte ${expected})`,
    );
  }
  const dtype = opts.dtype ?? (ndim === 1 && type.dtype !== 'float32' && type.dtype !== 'float64' ? 'int64' : type.dtype);
  return tensor(decode(raw, view, headerSize, n, raw[2]!), { shape, dtype });
}

/** The n elements from byte `off`, big-endian, in the smallest typed array that holds them. */
function decode(raw: Uint8Array, view: DataView, off: number, n: number, code: number): Uint8Array | Int32Array | Float32Array | Float64Array {
  switch (code) {
    case 0x08:
      return raw.subarray(off, off + n);
    case 0x09: {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt8(off + i);
      return out;
    }
    case 0x0b: {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(off + 2 * i, false);
      return out;
    }
    case 0x0c: {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(off + 4 * i, false);
      return out;
    }
    case 0x0d: {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(off + 4 * i, false);
      return out;
    }
    default: {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(off + 8 * i, false);
      return out;
    }
  }
}

/**
 * Encode a tensor as IDX bytes (uncompressed): the inverse of {@link parseIdx}, for tests and for
 * writing small data sets. float32 and float64 keep their type; uint8 is written as unsigned
 * bytes; int32, int64 and bool as the narrowest IDX integer type that holds every value
 * (unsigned byte, int16 or int32).
 *
 * @example
 * ```ts
 * import { data, tensor } from 'paoding';
 * const bytes = data.encodeIdx(tensor([7, 2, 1], { dtype: 'int64' }));
 * console.log(bytes.join(' ')); // 0 0 8 1 0 0 0 3 7 2 1
 * ```
 */
export function encodeIdx(t: Tensor): Uint8Array {
  if (t.dim() > 255) throw new RangeError(`encodeIdx(): IDX holds at most 255 dimensions, got ${t.dim()}`);
  const values = t.toTypedArray();
  let code: number;
  if (t.dtype === 'float32') code = 0x0d;
  else if (t.dtype === 'float64') code = 0x0e;
  else {
    let lo = 0;
    let hi = 0;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo >= 0 && hi <= 255) code = 0x08;
    else if (lo >= -32768 && hi <= 32767) code = 0x0b;
    else if (lo >= -(2 ** 31) && hi < 2 ** 31) code = 0x0c;
    else throw new RangeError(`encodeIdx(): values from ${lo} to ${hi} do not fit IDX's largest integer type, int32`);
  }
  const size = TYPES[code]!.size;
  const header = 4 + 4 * t.dim();
  const out = new Uint8Array(header + size * values.length);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = t.dim();
  t.shape.forEach((s, d) => view.setUint32(4 + 4 * d, s, false));
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const at = header + size * i;
    if (code === 0x08) out[at] = v;
    else if (code === 0x0b) view.setInt16(at, v, false);
    else if (code === 0x0c) view.setInt32(at, v, false);
    else if (code === 0x0d) view.setFloat32(at, v, false);
    else view.setFloat64(at, v, false);
  }
  return out;
}

function hex(bytes: Uint8Array, start: number, count: number): string {
  let s = '';
  for (let i = start; i < start + count; i++) s += (bytes[i] ?? 0).toString(16).padStart(2, '0');
  return s.toUpperCase();
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return typeof v;
}
