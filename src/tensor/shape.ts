/** Shape and stride arithmetic shared by tensors, views and kernels. */

/** The number of elements of a shape (1 for a 0-dimensional shape). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major (C-contiguous) strides for `shape`, in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= Math.max(shape[i]!, 1);
  }
  return strides;
}

/** Whether a layout is row-major contiguous (dimensions of size 1 may have any stride). */
export function isContiguousLayout(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const size = shape[i]!;
    if (size === 0) return true;
    if (size !== 1) {
      if (strides[i] !== expected) return false;
      expected *= size;
    }
  }
  return true;
}

/** Format a shape the way PyTorch prints sizes in messages: `[2, 3]`. */
export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Whether two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Wrap a possibly negative dimension index, as PyTorch does, or throw PyTorch's message.
 * A 0-dimensional tensor accepts dims in [-1, 0].
 */
export function normalizeDim(dim: number, ndim: number, where: string): number {
  if (!Number.isInteger(dim)) {
    throw new TypeError(`${where}: argument 'dim' must be an integer, got ${String(dim)}`);
  }
  const n = Math.max(ndim, 1);
  if (dim < -n || dim >= n) {
    throw new RangeError(`${where}: Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

/**
 * Broadcast shapes with NumPy/PyTorch rules, or throw a message naming the mismatch. As
 * PyTorch's `infer_size`, the shapes are combined pairwise from the right, so the message names
 * the first mismatching dimension from the end, numbered in the broadcast result.
 */
export function broadcastShapes(shapes: readonly (readonly number[])[], where: string | (() => string)): number[] {
  // The common cases first: operands of the first one's shape, and one-element operands (a
  // scalar tensor, a [1] weight) of no more dimensions. Small elementwise calls are dominated by
  // bookkeeping like this.
  const first = shapes[0];
  if (first !== undefined && shapes.every((s) => s === first || (s.length <= first.length && (sameShape(s, first) || s.every((d) => d === 1))))) {
    return first.slice();
  }
  let acc: readonly number[] = [];
  for (const s of shapes) {
    const ndim = Math.max(acc.length, s.length);
    const out = new Array<number>(ndim);
    for (let i = ndim - 1; i >= 0; i--) {
      const fromEnd = ndim - 1 - i;
      const a = acc[acc.length - 1 - fromEnd] ?? 1;
      const b = s[s.length - 1 - fromEnd] ?? 1;
      if (a !== b && a !== 1 && b !== 1) {
        throw new RangeError(
          `${typeof where === 'string' ? where : where()}: The size of tensor a (${a}) must match the size of tensor b (${b}) at non-singleton dimension ${i}` +
            ` (shapes ${shapes.map(shapeStr).join(' and ')} do not broadcast)`,
        );
      }
      out[i] = a === 1 ? b : a;
    }
    acc = out;
  }
  return [...acc];
}

/** Strides that read a tensor of `shape`/`strides` broadcast to `target` (0 on broadcast dims). */
export function broadcastStrides(shape: readonly number[], strides: readonly number[], target: readonly number[]): number[] {
  const out = new Array<number>(target.length).fill(0);
  const off = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[off + i] = shape[i] === 1 && target[off + i] !== 1 ? 0 : strides[i]!;
  return out;
}

/** Validate a user-supplied shape (non-negative integers). */
export function checkShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${where}: argument 'size' must be an array of integers, got ${String(shape)}`);
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0) {
      throw new TypeError(`${where}: argument 'size' must contain non-negative integers, got ${shapeStr(shape as number[])}`);
    }
  }
  return [...(shape as number[])];
}

/**
 * Resolve a shape that may contain one -1 for `numel` elements (as `view`/`reshape`).
 */
export function inferShape(shape: readonly number[], n: number, where: string): number[] {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i]!;
    if (s === -1) {
      if (infer >= 0) throw new RangeError(`${where}: only one dimension can be inferred`);
      infer = i;
    } else if (!Number.isInteger(s) || s < 0) {
      throw new RangeError(`${where}: invalid shape dimension ${s}`);
    } else known *= s;
  }
  const out = [...shape];
  if (infer >= 0) {
    if (known === 0 || n % known !== 0) {
      throw new RangeError(`${where}: shape '${shapeStr(shape)}' is invalid for input of size ${n}`);
    }
    out[infer] = n / known;
  } else if (known !== n) {
    throw new RangeError(`${where}: shape '${shapeStr(shape)}' is invalid for input of size ${n}`);
  }
  return out;
}

/**
 * Strides for viewing a tensor of (`shape`, `strides`) as `newShape` without copying, or
 * `undefined` when the memory layout does not allow it (PyTorch's `computeStride`).
 */
export function viewStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | undefined {
  if (numel(shape) === 0) return contiguousStrides(newShape);
  // A 0-dim tensor has no strides to chain; every view of its one element is valid.
  if (shape.length === 0) return newShape.map(() => 1);
  const newStrides = new Array<number>(newShape.length).fill(0);
  let viewD = newShape.length - 1;
  let chunkBaseStride = strides[strides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let tensorD = shape.length - 1; tensorD >= 0; tensorD--) {
    tensorNumel *= shape[tensorD]!;
    // A chunk ends where the next outer dimension is not laid out contiguously after this one.
    if (tensorD === 0 || (shape[tensorD - 1] !== 1 && strides[tensorD - 1] !== tensorNumel * chunkBaseStride)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return undefined;
      if (tensorD > 0) {
        chunkBaseStride = strides[tensorD - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return undefined;
  return newStrides;
}
