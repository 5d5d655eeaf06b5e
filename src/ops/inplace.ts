/**
 * The rules for modifying tensors in place, as PyTorch enforces them: no in-place change of a
 * leaf that requires grad (or a view of one) while grad mode is on, no writing through
 * overlapping memory, and history rewriting (`CopySlices`) when a view of a tensor is modified,
 * so that gradients through the base stay correct.
 */
import { Node } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import type { Tensor } from '../tensor/tensor.js';
import { asStrided, type Geometry } from './views.js';

/** Throw PyTorch's errors for in-place operations that autograd forbids. */
export function checkInplaceAllowed(self: Tensor, where: string): void {
  if (hasInternalOverlap(self)) {
    throw new Error(
      `${where}: unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.`,
    );
  }
  if (!isGradEnabled()) return;
  // NOTE(torch): autograd could not tell whether such a write should be recorded (the view has
  // no history to rewrite), so PyTorch refuses it rather than silently dropping the gradient.
  if (self._base !== null && self._noGradView) {
    throw new Error(
      `${where}: A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. ` +
        `You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).`,
    );
  }
  if (self._base === null && self.isLeaf && self.requiresGrad) {
    throw new Error(`${where}: a leaf Variable that requires grad is being used in an in-place operation.`);
  }
  const base = self._base;
  if (base !== null && base.isLeaf && base.requiresGrad) {
    throw new Error(`${where}: a view of a leaf Variable that requires grad is being used in an in-place operation.`);
  }
}

/** Whether two elements of `t` share memory (a stride of 0 on a dimension longer than 1). */
function hasInternalOverlap(t: Tensor): boolean {
  for (let d = 0; d < t.dim(); d++) if (t.strides[d] === 0 && t.shape[d]! > 1) return true;
  return false;
}

/**
 * The history of a base tensor after one of its views was modified in place: the gradient of
 * the base passes unchanged outside the view's region, and through the in-place operation's
 * backward inside it.
 */
class CopySlices extends Node {
  constructor(
    private readonly geom: Geometry,
    private readonly fn: Node,
  ) {
    super('CopySlices');
  }

  apply(grad: Tensor): (Tensor | null)[] {
    const result = grad.clone();
    const region = asStrided(result, this.geom);
    const inner = this.fn.apply(region.clone());
    if (inner[0]) region.copy_(inner[0]);
    else region.zero_();
    return [result, ...inner.slice(1)];
  }

  override release(): void {
    super.release();
    this.fn.release();
  }
}

/**
 * After an in-place operation recorded as `node` (whose edges were taken before the write),
 * make `self` (and, for a view, its base) carry the new history.
 */
export function attachInplaceHistory(self: Tensor, node: Node): void {
  const base = self._base;
  if (base === null) {
    self._gradFn = node;
    if (self._retainsGrad) self._retainGradOn(node);
    return;
  }
  // The view's old history pointed into the base's old history; rewrite the base instead.
  const copy = new CopySlices({ shape: self.shape, strides: self.strides, offset: self.offset - base.offset }, node);
  copy.next = [base._gradEdge(), ...node.next.slice(1)];
  base._gradFn = copy;
  self._regenerateViewHistory();
}
