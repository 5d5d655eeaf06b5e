/**
 * Copies: `clone`, dtype conversion, and the in-place writes `copy_` and `fill_`.
 */
import * as ir from '../ir/expr.js';
import { allocateUninit, type DType, isFloat } from '../tensor/dtype.js';
import { broadcastStrides, contiguousStrides } from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';
import { ClosureNode, record } from '../autograd/record.js';
import { runElementwise } from '../backends/index.js';
import { fusedInplace, needsGrad } from './fused.js';
import { checkInplaceAllowed, attachInplaceHistory } from './inplace.js';

/** The conversion formula from `from` to `to` (float to integer truncates toward zero). */
function conversion(from: DType, to: DType): ir.Expr {
  const x = ir.input(0);
  if (to === 'bool') return ir.tonum(ir.ne(x, 0));
  if (isFloat(from) && !isFloat(to)) return ir.trunc(x);
  return x;
}

/**
 * A contiguous copy of `x` in `dtype`; differentiable when both dtypes are floating point
 * (the gradient is converted back), as PyTorch's `clone` and `to`.
 */
export function toDtype(x: Tensor, dtype: DType, isClone: boolean): Tensor {
  const out = new Tensor(new Storage(allocateUninit(dtype, x.numel())), [...x.shape], contiguousStrides(x.shape), 0, dtype);
  runElementwise(
    conversion(x.dtype, dtype),
    dtype === 'bool' ? x.dtype : dtype,
    x.shape,
    { data: out._storage.data, offset: 0, strides: out.strides },
    false,
    [{ data: x._storage.data, offset: x.offset, strides: x.strides }],
    {},
  );
  if (!isFloat(dtype)) return out;
  const from = x.dtype;
  return record(out, isClone ? 'CloneBackward0' : 'ToCopyBackward0', [x], [], (g) => [g.dtype === from ? g : g.to(from)]);
}

/**
 * Copy `src` (broadcast to `self`'s shape, converted to its dtype) into `self`, in place.
 * The gradient flows to `src`; `self`'s old values get none.
 */
export function copy_(self: Tensor, src: Tensor): Tensor {
  if (!(src instanceof Tensor)) throw new TypeError(`copy_(): argument 'src' must be a Tensor, got ${typeof src}`);
  checkInplaceAllowed(self, 'copy_()');
  const track = isFloat(self.dtype) && needsGrad([self, src]);
  let node: ClosureNode | undefined;
  if (track) {
    const srcShape = src.shape;
    const srcDtype = src.dtype;
    node = new ClosureNode('CopyBackwards', [], (g) => [null, sumTo(g, srcShape, srcDtype)]);
    node.next = [self._gradEdge(), src._gradEdge()];
  }
  const tmp = src._storage === self._storage ? src.clone() : src;
  runElementwise(
    conversion(src.dtype, self.dtype),
    self.dtype === 'bool' ? src.dtype : self.dtype,
    self.shape,
    { data: self._storage.data, offset: self.offset, strides: self.strides },
    false,
    [{ data: tmp._storage.data, offset: tmp.offset, strides: broadcastStrides(tmp.shape, tmp.strides, self.shape) }],
    {},
  );
  self._bumpVersion();
  if (node) attachInplaceHistory(self, node);
  return self;
}

function sumTo(g: Tensor, shape: readonly number[], dtype: DType): Tensor {
  const r = g.dim() === shape.length && g.shape.every((s, i) => s === shape[i]) ? g : sumToShapeLazy(g, shape);
  return r.dtype === dtype ? r : r.to(dtype);
}

function sumToShapeLazy(g: Tensor, shape: readonly number[]): Tensor {
  const lead = g.dim() - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.dim(); i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  return g.sum(dims, { keepdim: true }).reshape(shape);
}

/** Fill `self` with `value`, in place (its old values get no gradient). */
export function fill_(self: Tensor, value: number): Tensor {
  if (typeof value !== 'number' || (Number.isNaN(value) && !isFloat(self.dtype))) {
    throw new TypeError(`fill_(): argument 'value' must be a number, got ${typeof value}`);
  }
  return fusedInplace(self, [], {
    name: 'FillBackward0',
    expr: ir.param('value'),
    computeDtype: self.dtype,
    outDtype: self.dtype,
    params: { value },
  });
}

