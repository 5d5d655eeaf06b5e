/**
 * The autograd graph: nodes (PyTorch's `grad_fn`s), the tensors they save for backward, and the
 * leaf accumulators.
 */
import type { Tensor } from '../tensor/tensor.js';
import { tensorTypeName } from '../tensor/dtype.js';
import { shapeStr } from '../tensor/shape.js';
import { isAnomalyEnabled } from './grad_mode.js';

let sequence = 0;

/** A tensor hook: sees the gradient flowing into a tensor and may replace it. */
export type GradHook = (grad: Tensor) => Tensor | void;

/**
 * One backward function in the graph. Every node has exactly one output (the tensor whose
 * `gradFn` it is) and one edge per differentiable input.
 */
export abstract class Node {
  /** Creation order; the engine runs newer nodes first, as PyTorch does. */
  readonly sequenceNr = sequence++;
  /** Where each input's gradient goes (`null` for inputs that do not require grad). */
  next: (Node | null)[] = [];
  /** Hooks registered on the output tensor (`tensor.registerHook`). */
  preHooks: GradHook[] = [];
  /** The forward's stack trace, kept only under anomaly detection. */
  readonly trace: string | undefined;
  /** Whether `apply` runs user code (a custom Function's backward), which may keep the tensors it sees. */
  get runsUserCode(): boolean {
    return false;
  }
  private freed = false;

  constructor(
    /** PyTorch's node name, e.g. `ReluBackward0`. */
    readonly name: string,
  ) {
    this.trace = isAnomalyEnabled() ? new Error().stack : undefined;
  }

  /** Compute the gradients of the inputs from the gradient of the output. */
  abstract apply(grad: Tensor): (Tensor | null)[];

  /** Whether `release()` has run (the saved tensors are gone). */
  get released(): boolean {
    return this.freed;
  }

  /** Drop saved tensors after a backward pass that does not retain the graph. */
  release(): void {
    this.freed = true;
  }

  /** Saved tensors, for `release` and debugging. Subclasses that save tensors override it. */
  savedTensors(): SavedTensor[] {
    return [];
  }

  toString(): string {
    return `<${this.name}>`;
  }
}

const FREED =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ' +
  'Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). ' +
  'Specify retainGraph: true if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.';

/**
 * A tensor saved for backward, with the version it had when saved: if it is modified in place
 * before backward runs, unpacking it raises PyTorch's error instead of computing a wrong
 * gradient.
 */
export class SavedTensor {
  private tensor: Tensor | null;
  private readonly version: number;

  /**
   * @param isOutput Whether `t` is the output of the node that saves it (sigmoid's result)
   *   rather than one of its inputs; only the version error's wording depends on it.
   */
  constructor(
    t: Tensor,
    private readonly isOutput = false,
  ) {
    this.tensor = t;
    this.version = t._version;
  }

  /** The saved tensor, checked against in-place modification. */
  unpack(owner: Node): Tensor {
    const t = this.tensor;
    if (t === null || owner.released) throw new Error(FREED);
    if (t._version !== this.version) {
      // NOTE(torch): a saved output names the node that saved it (its grad_fn at save time),
      // a saved input names its current grad_fn (the in-place op's), a leaf input names none.
      const fn = this.isOutput ? owner : t.gradFn;
      const which = fn ? `, which is output 0 of ${fn.name},` : '';
      let msg =
        `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
        `[${tensorTypeName(t.dtype)} ${shapeStr(t.shape)}]${which} is at version ${t._version}; expected version ${this.version} instead. `;
      msg += owner.trace
        ? `The forward call that saved it (${owner.name}) ran here:\n${owner.trace}`
        : `Hint: enable anomaly detection to find the operation that failed to compute its gradient, with autograd.setDetectAnomaly(true).`;
      throw new Error(msg);
    }
    return t;
  }

  /** Forget the tensor. */
  release(): void {
    this.tensor = null;
  }
}

/**
 * The node at the end of every path to a leaf that requires grad: it adds the arriving gradient
 * into the leaf's `.grad`.
 */
export class AccumulateGrad extends Node {
  constructor(readonly variable: Tensor) {
    super('AccumulateGrad');
  }

  apply(): (Tensor | null)[] {
    throw new Error('AccumulateGrad is run by the engine, not applied');
  }
}
