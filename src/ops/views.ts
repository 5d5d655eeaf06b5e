/**
 * Views: tensors that share another tensor's storage with a different shape, strides or offset
 * (`view`, `transpose`, `narrow`, `expand`, ...). A view writes through to its base, shares its
 * version counter, and carries a backward that maps its gradient back to the input's shape.
 */
import { Node } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { allocate } from '../tensor/dtype.js';
import {
  broadcastStrides,
  checkShape,
  contiguousStrides,
  inferShape,
  normalizeDim,
  numel,
  sameShape,
  shapeStr,
  viewStrides,
} from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';
import { sumToShape } from './reduce.js';

/** The geometry of a view relative to its base's storage. */
export interface Geometry {
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

/** A view's backward: maps the view's gradient to its input's gradient. */
class ViewNode extends Node {
  constructor(
    name: string,
    private readonly back: (g: Tensor) => Tensor,
  ) {
    super(name);
  }
  apply(grad: Tensor): (Tensor | null)[] {
    return [this.back(grad)];
  }
}

/**
 * Make a view of `src`. `back` maps a gradient of the view to a gradient of `src`, using
 * differentiable operations so that double backward works through views.
 */
export function makeView(src: Tensor, g: Geometry, name: string, back: (grad: Tensor) => Tensor): Tensor {
  const v = new Tensor(src._storage, [...g.shape], [...g.strides], g.offset, src.dtype);
  v._base = src._base ?? src;
  if (isGradEnabled() && src.requiresGrad) v._setHistory(new ViewNode(name, back), [src]);
  else if (src._noGradView || (!isGradEnabled() && src.requiresGrad)) v._noGradView = true;
  v._gradFnVersion = v._version;
  return v;
}

/**
 * The gradient of a base tensor from the gradient of one of its views, given the view's
 * geometry in the base's (contiguous) storage: scatter-add, since a view may map several of its
 * elements onto one base element (`expand`).
 */
export function asStridedScatter(grad: Tensor, baseShape: readonly number[], geom: Geometry): Tensor {
  const out = new Tensor(new Storage(allocate(grad.dtype, numel(baseShape))), [...baseShape], contiguousStrides(baseShape), 0, grad.dtype);
  const g = grad.contiguous();
  const data = out._storage.data;
  const src = g._storage.data;
  const rank = geom.shape.length;
  const n = numel(geom.shape);
  const idx = new Array<number>(rank).fill(0);
  let off = geom.offset;
  for (let k = 0; k < n; k++) {
    data[off] += src[g.offset + k]!;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      off += geom.strides[d]!;
      if (idx[d]! < geom.shape[d]!) break;
      off -= geom.strides[d]! * geom.shape[d]!;
      idx[d] = 0;
    }
  }
  if (isGradEnabled() && grad.requiresGrad) {
    out._setHistory(new ViewNode('AsStridedScatterBackward0', (gg) => asStrided(gg.contiguous(), geom)), [grad]);
  }
  return out;
}

/** The view of a contiguous tensor with an explicit geometry (`torch.as_strided`). */
export function asStrided(src: Tensor, geom: Geometry): Tensor {
  const baseShape = src.shape;
  if (!src.isContiguous() || src.offset !== 0) {
    return asStrided(src.contiguous(), geom);
  }
  return makeView(src, geom, 'AsStridedBackward0', (g) => asStridedScatter(g, baseShape, geom));
}

/** `x.view(...shape)`: same storage, new shape; throws when the strides do not allow it. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.numel(), 'view');
  const strides = viewStrides(x.shape, x.strides, target);
  if (strides === undefined) {
    throw new RangeError(
      `view(): view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.`,
    );
  }
  const inShape = x.shape;
  return makeView(x, { shape: target, strides, offset: x.offset }, 'ViewBackward0', (g) => reshape(g, inShape));
}

/** `x.reshape(...shape)`: a view when possible, a copy otherwise. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.numel(), 'reshape');
  if (sameShape(target, x.shape)) return x._alias();
  const strides = viewStrides(x.shape, x.strides, target);
  if (strides !== undefined) return view(x, target);
  return view(x.contiguous(), target);
}

/** `x.permute(...dims)`. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const n = x.dim();
  if (dims.length !== n) {
    throw new RangeError(`permute(): number of dims don't match in permute: got ${dims.length} dims for a tensor with ${n} (shape ${shapeStr(x.shape)})`);
  }
  const norm = dims.map((d) => normalizeDim(d, n, 'permute()'));
  if (new Set(norm).size !== n) throw new RangeError(`permute(): duplicate dims are not allowed. (got [${dims.join(', ')}])`);
  const inverse = new Array<number>(n);
  norm.forEach((d, i) => (inverse[d] = i));
  return makeView(
    x,
    { shape: norm.map((d) => x.shape[d]!), strides: norm.map((d) => x.strides[d]!), offset: x.offset },
    'PermuteBackward0',
    (g) => permute(g, inverse),
  );
}

/** `x.transpose(d0, d1)`. */
export function transpose(x: Tensor, d0: number, d1: number): Tensor {
  const n = x.dim();
  if (n === 0) return x._alias();
  const a = normalizeDim(d0, n, 'transpose()');
  const b = normalizeDim(d1, n, 'transpose()');
  const dims = [...Array(n).keys()];
  dims[a] = b;
  dims[b] = a;
  return makeView(
    x,
    { shape: dims.map((d) => x.shape[d]!), strides: dims.map((d) => x.strides[d]!), offset: x.offset },
    'TransposeBackward0',
    (g) => transpose(g, a, b),
  );
}

/** `x.expand(...shape)`: broadcast without copying (stride 0 on expanded dims); -1 keeps a size. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < x.dim()) {
    throw new RangeError(
      `expand(): the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in the tensor (${x.dim()})`,
    );
  }
  const lead = shape.length - x.dim();
  const target = shape.map((s, i) => {
    if (s === -1) {
      if (i < lead) throw new RangeError(`expand(): The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
      return x.shape[i - lead]!;
    }
    const have = i < lead ? 1 : x.shape[i - lead]!;
    if (have !== 1 && have !== s) {
      throw new RangeError(
        `expand(): The expanded size of the tensor (${s}) must match the existing size (${have}) at non-singleton dimension ${i}.  Target sizes: ${shapeStr(shape)}.  Tensor sizes: ${shapeStr(x.shape)}`,
      );
    }
    return s;
  });
  checkShape(target, 'expand()');
  const inShape = x.shape;
  return makeView(x, { shape: target, strides: broadcastStrides(x.shape, x.strides, target), offset: x.offset }, 'ExpandBackward0', (g) =>
    sumToShape(g, inShape),
  );
}

/** `x.narrow(dim, start, length)`. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  if (x.dim() === 0) throw new RangeError('narrow(): cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, x.dim(), 'narrow()');
  const size = x.shape[d]!;
  if (!Number.isInteger(start) || !Number.isInteger(length)) {
    throw new TypeError(`narrow(): arguments 'start' and 'length' must be integers, got ${start} and ${length}`);
  }
  const s = start < 0 ? start + size : start;
  if (s < 0 || s > size) throw new RangeError(`narrow(): start (${start}) is out of bounds for dimension ${d} of size ${size}`);
  if (length < 0 || s + length > size) {
    throw new RangeError(`narrow(): start (${start}) + length (${length}) exceeds dimension size (${size}).`);
  }
  return slice(x, d, s, s + length, 1);
}

/** `x.slice(dim, start, end, step)` (Python's `x[..., start:end:step]` on one dimension). */
export function slice(x: Tensor, dim: number, start = 0, end = Infinity, step = 1): Tensor {
  if (x.dim() === 0) throw new RangeError('slice(): cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, x.dim(), 'slice()');
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`slice(): step must be a positive integer, got ${step}`);
  const size = x.shape[d]!;
  // Python slicing semantics: negative indices count from the end, out-of-range clamps.
  const clampIndex = (i: number): number => {
    const j = i < 0 ? i + size : i;
    return Math.min(Math.max(j, 0), size);
  };
  const s = clampIndex(start);
  const e = Math.max(clampIndex(end === Infinity ? size : end), s);
  const len = Math.ceil((e - s) / step);
  const shape = [...x.shape];
  shape[d] = len;
  const strides = [...x.strides];
  strides[d] = x.strides[d]! * step;
  const inShape = x.shape;
  return makeView(x, { shape, strides, offset: x.offset + s * x.strides[d]! }, 'SliceBackward0', (g) =>
    embed(g, inShape, (t) => slice(t, d, s, e, step)),
  );
}

/** `x.select(dim, index)`: removes the dimension. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  if (x.dim() === 0) throw new RangeError('select(): cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, x.dim(), 'select()');
  const size = x.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new RangeError(`select(): index ${index} out of range for tensor of size ${shapeStr(x.shape)} at dimension ${d}`);
  }
  const i = index < 0 ? index + size : index;
  const shape = x.shape.filter((_, k) => k !== d);
  const strides = x.strides.filter((_, k) => k !== d);
  const inShape = x.shape;
  return makeView(x, { shape, strides, offset: x.offset + i * x.strides[d]! }, 'SelectBackward0', (g) =>
    embed(g, inShape, (t) => select(t, d, i)),
  );
}

/** `x.unsqueeze(dim)`. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.dim() + 1, 'unsqueeze()');
  const shape = [...x.shape];
  const strides = [...x.strides];
  const stride = d < x.dim() ? x.strides[d]! * x.shape[d]! : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, stride);
  return makeView(x, { shape, strides, offset: x.offset }, 'UnsqueezeBackward0', (g) => squeeze(g, d));
}

/** `x.squeeze(dim?)`: drops size-1 dimensions (all of them, or only `dim` if it has size 1). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  let drop: Set<number>;
  if (dim === undefined) drop = new Set(x.shape.flatMap((s, i) => (s === 1 ? [i] : [])));
  else {
    const dims = (typeof dim === 'number' ? [dim] : dim).map((d) => normalizeDim(d, x.dim(), 'squeeze()'));
    drop = new Set(dims.filter((d) => x.dim() > 0 && x.shape[d] === 1));
  }
  if (drop.size === 0) return x._alias();
  const inShape = x.shape;
  return makeView(
    x,
    { shape: x.shape.filter((_, i) => !drop.has(i)), strides: x.strides.filter((_, i) => !drop.has(i)), offset: x.offset },
    'SqueezeBackward0',
    (g) => reshape(g, inShape),
  );
}

/** `x.flatten(startDim, endDim)`. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.dim() === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.dim(), 'flatten()');
  const e = normalizeDim(endDim, x.dim(), 'flatten()');
  if (s > e) throw new RangeError('flatten(): start_dim cannot come after end_dim');
  if (s === e) return x._alias();
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/** `x.unflatten(dim, sizes)`. */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim(dim, x.dim(), 'unflatten()');
  const inner = inferShape(sizes, x.shape[d]!, 'unflatten()');
  return reshape(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

/** Pieces of `x` along `dim` of `sizes` elements each (views). */
export function splitSizes(x: Tensor, sizes: readonly number[], dim: number): Tensor[] {
  const d = normalizeDim(dim, x.dim(), 'split()');
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== x.shape[d]) {
    throw new RangeError(`split_with_sizes(): expects split_sizes to sum exactly to ${x.shape[d]} (input tensor's size at dimension ${d}), but got split_sizes=${shapeStr(sizes)}`);
  }
  let start = 0;
  return sizes.map((s) => {
    const piece = narrow(x, d, start, s);
    start += s;
    return piece;
  });
}

/** `x.split(size, dim)` or `x.split([sizes], dim)`. */
export function split(x: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  if (typeof size !== 'number') return splitSizes(x, size, dim);
  const d = normalizeDim(dim, x.dim(), 'split()');
  if (!Number.isInteger(size) || size <= 0) throw new RangeError(`split(): split_size must be a positive integer, got ${size}`);
  const n = x.shape[d]!;
  const sizes: number[] = [];
  for (let s = 0; s < n; s += size) sizes.push(Math.min(size, n - s));
  if (sizes.length === 0) sizes.push(0);
  return splitSizes(x, sizes, d);
}

/** `x.chunk(chunks, dim)`. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new RangeError(`chunk(): chunks must be a positive integer, got ${chunks}`);
  const d = normalizeDim(dim, x.dim(), 'chunk()');
  return split(x, Math.max(1, Math.ceil(x.shape[d]! / chunks)), d);
}

/** `x.unbind(dim)`: the slices along `dim`, each without that dimension. */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  const d = normalizeDim(dim, x.dim(), 'unbind()');
  return Array.from({ length: x.shape[d]! }, (_, i) => select(x, d, i));
}

/** Write `grad` into a zero tensor of `shape` through the same view `sel` the forward took. */
class EmbedNode extends Node {
  constructor(private readonly sel: (t: Tensor) => Tensor) {
    super('EmbedBackward0');
  }
  apply(grad: Tensor): (Tensor | null)[] {
    return [this.sel(grad)];
  }
}

/**
 * The gradient of a slicing view: zeros of the input's shape with the view's gradient written
 * through the same view. Differentiable (its backward takes the same view of its gradient).
 */
export function embed(grad: Tensor, shape: readonly number[], sel: (t: Tensor) => Tensor): Tensor {
  const out = new Tensor(new Storage(allocate(grad.dtype, numel(shape))), [...shape], contiguousStrides(shape), 0, grad.dtype);
  const target = sel(out.detach());
  target._copyFrom(grad);
  if (isGradEnabled() && grad.requiresGrad) out._setHistory(new EmbedNode(sel), [grad]);
  return out;
}
