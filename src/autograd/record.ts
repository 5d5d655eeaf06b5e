/**
 * Recording an operation whose backward is written with ordinary (differentiable) tensor
 * operations, so that its gradient can itself be differentiated.
 */
import { Node, SavedTensor } from './node.js';
import { isGradEnabled } from './grad_mode.js';
import type { Tensor } from '../tensor/tensor.js';

/** Node whose backward is a closure over differentiable tensor operations. */
export class ClosureNode extends Node {
  private saved: SavedTensor[];
  constructor(
    name: string,
    save: Tensor[],
    private readonly back: (g: Tensor, saved: Tensor[]) => (Tensor | null)[],
    /** The node's output, when it is among `save` (for the version error's wording). */
    output?: Tensor,
  ) {
    super(name);
    this.saved = save.map((t) => new SavedTensor(t, t === output));
  }
  override savedTensors(): SavedTensor[] {
    return this.saved;
  }
  override release(): void {
    super.release();
    for (const s of this.saved) s.release();
  }
  apply(grad: Tensor): (Tensor | null)[] {
    return this.back(
      grad,
      this.saved.map((s) => s.unpack(this)),
    );
  }
}

/**
 * Record `out = f(inputs)` with a backward closure. `save` lists the tensors the closure needs
 * (version-checked); the closure receives them unpacked.
 */
export function record(
  out: Tensor,
  name: string,
  inputs: readonly Tensor[],
  save: Tensor[],
  back: (g: Tensor, saved: Tensor[]) => (Tensor | null)[],
): Tensor {
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) out._setHistory(new ClosureNode(name, save, back, out), inputs);
  return out;
}

