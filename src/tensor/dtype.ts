/**
 * Data types. paoding computes in float32 and float64 like PyTorch; the integer and boolean types
 * exist for what indices, labels and masks need.
 */

/** The element types a tensor can hold. */
export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'bool';

/** The floating-point element types. */
export type FloatDType = 'float32' | 'float64';

/** Every dtype name, for validation. */
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool'];

/** The typed array behind each dtype. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/**
 * Allocate zero-filled storage for `n` elements of `dtype`.
 *
 * NOTE: int64 is held in a Float64Array: JavaScript numbers represent every integer up to 2^53
 * exactly, which covers indices and labels, while BigInt arithmetic would make every integer
 * kernel several times slower. Values beyond 2^53 are not exact.
 */
export function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
    case 'int64':
      return new Float64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
  }
}

/**
 * Where uninitialised buffers above SLAB_MAX_BYTES may come from: bytes at an 8-byte aligned
 * offset of some ArrayBuffer (in Node, `Buffer.allocUnsafeSlow`: no zero-fill, which for a 64
 * KiB output costs more than the operation). Returns undefined to decline; then the buffer is
 * allocated as usual. Storage never exposes its ArrayBuffer: `toTypedArray()` copies.
 */
export type BufferSource = (bytes: number) => Uint8Array | undefined;

let bufferSource: BufferSource | null = null;

/** Buffers up to this many bytes are plain allocations: V8 keeps them on its heap, cheapest of all. */
export const SMALL_BUFFER_BYTES = 64;

/**
 * Buffers up to this many bytes are carved from shared 32 KiB slabs: creating an ArrayBuffer
 * costs about 2 us whatever its size (a quarter of a small activation call), a view on a slab
 * about 0.3 us. A slab lives as long as any tensor carved from it, so a long-lived small tensor
 * keeps at most 32 KiB alive (Node's Buffer pool makes the same trade with 8 KiB).
 */
export const SLAB_MAX_BYTES = 4096;
const SLAB_BYTES = 32768;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

function carve(bytes: number): { buffer: ArrayBuffer; byteOffset: number } {
  if (slabUsed + bytes > slab.byteLength) {
    // Uncleared where the platform offers it (every carved buffer is written whole).
    const fresh = bufferSource?.(SLAB_BYTES);
    slab = fresh !== undefined && fresh.byteOffset === 0 && fresh.buffer.byteLength === SLAB_BYTES ? (fresh.buffer as ArrayBuffer) : new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const byteOffset = slabUsed;
  slabUsed += (bytes + 7) & ~7; // 8-byte alignment for float64 views
  return { buffer: slab, byteOffset };
}

/** @internal Install (or remove, with null) the source of uninitialised buffers. */
export function setBufferSource(source: BufferSource | null): void {
  bufferSource = source;
}

/**
 * @internal Storage for `n` elements that the caller will overwrite entirely: a view on a slab
 * (small sizes) or uncleared memory from the buffer source. Anything that reads before writing
 * must use `allocate`, which is zero-filled.
 */
export function allocateUninit(dtype: DType, n: number): TypedArray {
  const per = dtype === 'float32' || dtype === 'int32' ? 4 : dtype === 'uint8' || dtype === 'bool' ? 1 : 8;
  const bytes = n * per;
  if (bytes > SMALL_BUFFER_BYTES) {
    const u8 = bytes <= SLAB_MAX_BYTES ? carve(bytes) : bufferSource?.(bytes);
    if (u8 !== undefined) {
      const { buffer, byteOffset } = u8;
      switch (dtype) {
        case 'float32':
          return new Float32Array(buffer, byteOffset, n);
        case 'float64':
        case 'int64':
          return new Float64Array(buffer, byteOffset, n);
        case 'int32':
          return new Int32Array(buffer, byteOffset, n);
        case 'uint8':
        case 'bool':
          return new Uint8Array(buffer, byteOffset, n);
      }
    }
  }
  return allocate(dtype, n);
}

/** Whether `dtype` is float32 or float64. */
export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

/** Whether `dtype` is an integer type (bool excluded). */
export function isInteger(dtype: DType): boolean {
  return dtype === 'int32' || dtype === 'int64' || dtype === 'uint8';
}

/** The dtype floats default to, as `torch.get_default_dtype()`. */
let defaultFloat: FloatDType = 'float32';

/**
 * The default floating-point dtype (float32 unless changed), used for tensors built from
 * JavaScript numbers and for integer inputs that promote to float.
 *
 * @example
 * ```ts
 * import { getDefaultDtype } from 'paoding';
 * console.log(getDefaultDtype()); // float32
 * ```
 */
export function getDefaultDtype(): FloatDType {
  return defaultFloat;
}

/**
 * Set the default floating-point dtype, as `torch.set_default_dtype`.
 *
 * @example
 * ```ts
 * import { setDefaultDtype, getDefaultDtype, tensor } from 'paoding';
 * setDefaultDtype('float64');
 * console.log(tensor([1.5]).dtype); // float64
 * setDefaultDtype('float32');
 * ```
 */
export function setDefaultDtype(dtype: FloatDType): void {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new TypeError(`setDefaultDtype(): argument 'dtype' must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
  }
  defaultFloat = dtype;
}

/** Validate a user-supplied dtype name. */
export function checkDtype(dtype: unknown, where: string): DType {
  if (typeof dtype !== 'string' || !(DTYPES as readonly string[]).includes(dtype)) {
    throw new TypeError(`${where}: argument 'dtype' must be one of ${DTYPES.join(', ')}, got ${JSON.stringify(dtype)}`);
  }
  return dtype as DType;
}

/** PyTorch's type names, used in error messages (`'Long'`, `'Float'`, ...). */
export function torchTypeName(dtype: DType): string {
  return { float32: 'Float', float64: 'Double', int32: 'Int', int64: 'Long', uint8: 'Byte', bool: 'Bool' }[dtype];
}

/** PyTorch's legacy tensor type string (`FloatTensor`), used in autograd error messages. */
export function tensorTypeName(dtype: DType): string {
  return `paoding.${torchTypeName(dtype)}Tensor`;
}

// Promotion ---------------------------------------------------------------------------------

const RANK: Record<DType, number> = { bool: 0, uint8: 1, int32: 2, int64: 3, float32: 4, float64: 5 };

/** The larger of two dtypes in PyTorch's promotion lattice (uint8 with int32 gives int32). */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** One operand of a promotion: a tensor (with its dimensionality) or a JavaScript scalar. */
export type PromotionOperand = { dtype: DType; dim: number } | number | boolean;

/** PyTorch's `combine_categories`: a lower-priority operand only matters if it is "more float". */
function combine(higher: DType | undefined, lower: DType | undefined): DType | undefined {
  if (higher === undefined) return lower;
  if (lower === undefined) return higher;
  if (isFloat(higher)) return higher;
  if (higher === 'bool' || isFloat(lower)) return promoteTypes(higher, lower);
  return higher;
}

/**
 * The result dtype of an operation, with PyTorch's rules (`torch.result_type`): tensors with
 * dimensions outrank zero-dimensional tensors, which outrank scalars, unless a lower-priority
 * operand belongs to a higher category (bool < integer < float). A JavaScript number counts as
 * an integer scalar (int64) when it is integral and as a float scalar (the default dtype)
 * otherwise: JavaScript cannot tell `2` from `2.0`.
 */
export function resultType(...ops: PromotionOperand[]): DType {
  let dimT: DType | undefined;
  let zeroT: DType | undefined;
  let scalar: DType | undefined;
  const up = (acc: DType | undefined, d: DType): DType => (acc === undefined ? d : promoteTypes(acc, d));
  for (const o of ops) {
    if (typeof o === 'boolean') scalar = up(scalar, 'bool');
    else if (typeof o === 'number') scalar = up(scalar, Number.isInteger(o) ? 'int64' : getDefaultDtype());
    else if (o.dim > 0) dimT = up(dimT, o.dtype);
    else zeroT = up(zeroT, o.dtype);
  }
  return combine(dimT, combine(zeroT, scalar)) ?? getDefaultDtype();
}

/** The dtype an integer or boolean input is promoted to by functions that compute in float. */
export function toFloatType(dtype: DType): FloatDType {
  return isFloat(dtype) ? dtype : getDefaultDtype();
}

/** Round a JavaScript number to what `dtype` can hold, as PyTorch converts scalar arguments. */
export function castScalar(v: number, dtype: DType): number {
  switch (dtype) {
    case 'float32':
      return Math.fround(v);
    case 'float64':
      return v;
    case 'int32':
      return Math.trunc(v) | 0;
    case 'int64':
      return Math.trunc(v);
    case 'uint8':
      return Math.trunc(v) & 255;
    case 'bool':
      return v !== 0 ? 1 : 0;
  }
}
