/** The activations PyTorch offers as tensor methods (`x.relu()`, `x.softmax(dim)`), by id. */
import * as registry from '../activations/registry.js';
import type { Tensor } from '../tensor/tensor.js';

/** Apply the registered activation `id` to `x` with named options. */
export function call(id: string, x: Tensor, opts: Record<string, unknown>): Tensor {
  return registry.get(id).call(x, opts);
}
