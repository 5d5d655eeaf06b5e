/**
 * Custom differentiable operations, as PyTorch's `torch.autograd.Function`: a user forward and
 * backward, with saved tensors that are version-checked like the built-in ones.
 */
import { Tensor } from '../tensor/tensor.js';
import { shapeStr } from '../tensor/shape.js';
import { isFloat } from '../tensor/dtype.js';
import { Node, SavedTensor } from './node.js';
import { isGradEnabled, noGrad } from './grad_mode.js';
import { attachInplaceHistory } from '../ops/inplace.js';

/** What `forward` and `backward` of a custom Function share. */
export class FunctionCtx {
  /** @internal */ _saved: (SavedTensor | null)[] = [];
  /** @internal What `saveForBackward` was given; packed once `forward` has returned. */
  _toSave: (Tensor | null)[] = [];
  /** @internal */ _dirty: Tensor[] = [];
  /** @internal */ _node: Node | null = null;
  /** For each input: whether its gradient is needed (a tensor that requires grad). */
  needsInputGrad: boolean[] = [];
  /** Free storage for anything else `backward` needs (numbers, shapes). */
  [key: string]: unknown;

  /** Save tensors for `backward` (checked against later in-place modification). */
  saveForBackward(...tensors: (Tensor | null | undefined)[]): void {
    this._toSave = tensors.map((t) => (t instanceof Tensor ? t : null));
  }

  /** The tensors given to `saveForBackward`, in order. */
  get savedTensors(): (Tensor | null)[] {
    return this._saved.map((s) => (s === null ? null : s.unpack(this._node!)));
  }

  /** Declare that `forward` modified these inputs in place (their history is rewritten). */
  markDirty(...tensors: Tensor[]): void {
    this._dirty = tensors;
  }
}

class FunctionNode extends Node {
  constructor(
    name: string,
    private readonly fn: typeof Function,
    private readonly ctx: FunctionCtx,
    private readonly inputs: readonly unknown[],
  ) {
    super(name);
  }

  override get runsUserCode(): boolean {
    return true;
  }

  override release(): void {
    super.release();
    for (const s of this.ctx._saved) s?.release();
  }

  apply(grad: Tensor): (Tensor | null)[] {
    const raw = this.fn.backward(this.ctx, grad);
    let grads = Array.isArray(raw) ? raw : [raw];
    // NOTE(torch): extra gradients are allowed when they are all null; they are dropped.
    if (grads.length > this.inputs.length && grads.slice(this.inputs.length).every((g) => g === null || g === undefined)) {
      grads = grads.slice(0, this.inputs.length);
    }
    if (grads.length !== this.inputs.length) {
      throw new Error(`function ${this.name} returned an incorrect number of gradients (expected ${this.inputs.length}, got ${grads.length})`);
    }
    return this.inputs.map((inp, i) => {
      const g = grads[i] ?? null;
      if (!(inp instanceof Tensor) || !inp.requiresGrad) return null;
      if (g === null) return null;
      if (!(g instanceof Tensor)) throw new TypeError(`function ${this.name} returned a gradient at index ${i} that is not a Tensor`);
      if (g.shape.length === inp.shape.length && g.shape.every((s, k) => s === inp.shape[k])) return g;
      try {
        return g.sum(
          [...Array(g.dim()).keys()].filter((d) => d < g.dim() - inp.dim() || (inp.shape[d - (g.dim() - inp.dim())] === 1 && g.shape[d] !== 1)),
          { keepdim: true },
        ).reshape(inp.shape);
      } catch {
        throw new RangeError(`Function ${this.name} returned an invalid gradient at index ${i} - got ${shapeStr(g.shape)} but expected shape compatible with ${shapeStr(inp.shape)}`);
      }
    });
  }
}

/**
 * Base class of custom differentiable operations. Subclass it with static `forward(ctx, ...)`
 * and `backward(ctx, grad)` (returning one gradient per forward argument, `null` for
 * non-tensors), then call `MyFn.apply(...)`. The backward runs with grad recording on only when
 * `createGraph` is set, so it can itself be differentiated.
 *
 * @example
 * ```ts
 * import { autograd, tensor, Tensor } from 'paoding';
 * class Cube extends autograd.Function {
 *   static override forward(ctx: autograd.FunctionCtx, x: Tensor): Tensor {
 *     ctx.saveForBackward(x);
 *     return x.pow(3);
 *   }
 *   static override backward(ctx: autograd.FunctionCtx, g: Tensor): Tensor {
 *     const [x] = ctx.savedTensors;
 *     return g.mul(x!.pow(2)).mul(3);
 *   }
 * }
 * const x = tensor([2], { requiresGrad: true });
 * const y = Cube.apply(x);
 * y.backward();
 * console.log(y.gradFn!.name, x.grad!.tolist()); // CubeBackward [ 12 ]
 * ```
 */
export class Function {
  /** The forward computation (runs without recording). */
  static forward(_ctx: FunctionCtx, ..._args: never[]): Tensor {
    throw new Error(`You must implement the forward function for custom autograd.Function ${this.name}.`);
  }

  /** The gradients of the inputs from the gradient of the output. */
  static backward(_ctx: FunctionCtx, _grad: Tensor): Tensor | null | (Tensor | null)[] {
    throw new Error(
      'You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.',
    );
  }

  /** Run the operation, recording it for autograd when an input requires grad. */
  static apply(...args: unknown[]): Tensor {
    const ctx = new FunctionCtx();
    ctx.needsInputGrad = args.map((a) => a instanceof Tensor && a.requiresGrad);
    const out = noGrad(() => (this.forward as (c: FunctionCtx, ...a: unknown[]) => Tensor)(ctx, ...args));
    if (!(out instanceof Tensor)) throw new TypeError(`${this.name}.forward() must return a Tensor, got ${typeof out}`);
    const record = isGradEnabled() && ctx.needsInputGrad.some(Boolean) && isFloat(out.dtype);
    if (!record) return out;
    for (const d of ctx._dirty) {
      if (d.isLeaf && d.requiresGrad) throw new Error('a leaf Variable that requires grad has been used in an in-place operation.');
    }
    const node = new FunctionNode(`${this.name}Backward`, this, ctx, args);
    ctx._node = node;
    node.next = args.map((a) => (a instanceof Tensor ? a._gradEdge() : null));
    let result = out;
    if (ctx._dirty.includes(out)) {
      out._bumpVersion();
      attachInplaceHistory(out, node);
    } else {
      // An input returned unchanged must not have its history replaced: return a view of it.
      result = args.includes(out) ? out._alias().detach() : out;
      result._gradFn = node;
      result._gradFnVersion = result._version;
    }
    // NOTE(torch): saved tensors are packed after forward returned and dirty tensors were
    // bumped, so an in-place Function may save its own (modified) output; a saved output's
    // version error names this Function's node.
    ctx._saved = ctx._toSave.map((t) => (t === null ? null : new SavedTensor(t, t === result)));
    return result;
  }
}
