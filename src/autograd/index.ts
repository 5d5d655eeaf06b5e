/** Automatic differentiation: PyTorch's `torch.autograd`. */
export { grad } from './engine.js';
export type { GradOptions } from './engine.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled, setDetectAnomaly, isAnomalyEnabled } from './grad_mode.js';
export { Function, FunctionCtx } from './function.js';
export { gradcheck, gradgradcheck } from './gradcheck.js';
export type { GradcheckOptions } from './gradcheck.js';
export { Node } from './node.js';
export type { GradHook } from './node.js';

import { backward as engineBackward } from './engine.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Backward from several tensors at once, as `torch.autograd.backward(tensors, grad_tensors)`.
 *
 * @example
 * ```ts
 * import { autograd, tensor } from 'paoding';
 * const x = tensor([1, 2], { requiresGrad: true });
 * autograd.backward([x.mul(2).sum(), x.mul(3).sum()]);
 * console.log(x.grad!.tolist()); // [ 5, 5 ]
 * ```
 */
export function backward(
  tensors: Tensor | readonly Tensor[],
  gradTensors?: Tensor | readonly (Tensor | null)[],
  opts: { retainGraph?: boolean; createGraph?: boolean; inputs?: readonly Tensor[] } = {},
): void {
  const ts = Array.isArray(tensors) ? tensors : [tensors as Tensor];
  const gs = gradTensors === undefined ? undefined : Array.isArray(gradTensors) ? gradTensors : [gradTensors as Tensor];
  engineBackward(ts, gs, opts);
}
