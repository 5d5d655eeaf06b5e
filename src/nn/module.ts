/**
 * `nn.Module` and `nn.Parameter`: the containers networks are built from, with PyTorch's
 * naming, printing, train/eval modes and hooks.
 */
import { Tensor } from '../tensor/tensor.js';
import { isFloat } from '../tensor/dtype.js';
import { noGrad } from '../autograd/grad_mode.js';

/**
 * A tensor that a module owns as a learnable parameter: a leaf that requires grad (unless told
 * otherwise), found by `module.parameters()`.
 *
 * @example
 * ```ts
 * import { nn, zeros } from 'paoding';
 * const w = new nn.Parameter(zeros([3]));
 * console.log(w.requiresGrad, w.isLeaf); // true true
 * ```
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new TypeError(`Parameter(): argument 'data' must be a Tensor, got ${typeof data}`);
    const d = data.detach();
    super(d._storage, d.shape, d.strides, d.offset, d.dtype);
    if (requiresGrad) this.requiresGrad_(isFloat(this.dtype));
  }

  /** PyTorch prints parameters as `Parameter containing:` and the tensor. */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/** A forward hook: sees the inputs and output of a module call, may replace the output. */
export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown;
/** A forward pre-hook: sees the inputs before the call, may replace them (return an array). */
export type ForwardPreHook = (module: Module, inputs: unknown[]) => unknown[] | void;

/** A handle that removes a hook. */
export interface HookHandle {
  remove(): void;
}

function removable<T>(list: T[], item: T): HookHandle {
  list.push(item);
  return {
    remove: () => {
      const i = list.indexOf(item);
      if (i >= 0) list.splice(i, 1);
    },
  };
}

const globalForwardHooks: ForwardHook[] = [];

/**
 * The base class of every layer and model. Subclasses define `forward`; calling
 * `module.forward(x)` runs the pre-hooks, the subclass's forward and the forward hooks, as
 * calling a PyTorch module does.
 *
 * Parameters and submodules are found by looking at the instance's own properties (in the order
 * they were assigned), so `this.fc = new nn.Linear(2, 3)` registers `fc` like PyTorch's
 * `__setattr__` does.
 *
 * @example
 * ```ts
 * import { nn, tensor, F, Tensor } from 'paoding';
 * class Scale extends nn.Module {
 *   w = new nn.Parameter(tensor([2]));
 *   forward(x: Tensor): Tensor {
 *     return F.relu(x).mul(this.w);
 *   }
 * }
 * const m = new Scale();
 * console.log(m.forward(tensor([-1, 3])).tolist(), m.namedParameters().map(([n]) => n)); // [ 0, 6 ] [ 'w' ]
 * ```
 */
export abstract class Module {
  /** Whether the module is in training mode (`train()`) or evaluation mode (`eval()`). */
  training = true;

  /** @internal */
  declare _forwardHooks: ForwardHook[];
  /** @internal */
  declare _forwardPreHooks: ForwardPreHook[];
  /** @internal */
  declare _buffers: Map<string, Tensor | null>;

  constructor() {
    // Internal state is non-enumerable so that it never looks like a parameter or submodule.
    Object.defineProperty(this, '_forwardHooks', { value: [], enumerable: false });
    Object.defineProperty(this, '_forwardPreHooks', { value: [], enumerable: false });
    Object.defineProperty(this, '_buffers', { value: new Map(), enumerable: false });
    const impl = (this as unknown as { forward: (...a: unknown[]) => unknown }).forward;
    Object.defineProperty(this, 'forward', {
      value: (...args: unknown[]) => this._callImpl(impl, args),
      enumerable: false,
      writable: true,
    });
  }

  /** Run the module on its inputs. Subclasses implement it. */
  abstract forward(...inputs: never[]): unknown;

  /** @internal Call `impl` with the pre-hooks and hooks around it. */
  _callImpl(impl: (...a: unknown[]) => unknown, args: unknown[]): unknown {
    let inputs = args;
    for (const h of this._forwardPreHooks) {
      const r = h(this, inputs);
      if (r !== undefined) inputs = Array.isArray(r) ? r : [r];
    }
    let out = impl.apply(this, inputs);
    for (const h of [...globalForwardHooks, ...this._forwardHooks]) {
      const r = h(this, inputs, out);
      if (r !== undefined) out = r;
    }
    return out;
  }

  /**
   * Register a hook run after every forward call: `hook(module, inputs, output)`; returning a
   * value replaces the output.
   */
  registerForwardHook(hook: ForwardHook): HookHandle {
    return removable(this._forwardHooks, hook);
  }

  /** Register a hook run before every forward call; returning an array replaces the inputs. */
  registerForwardPreHook(hook: ForwardPreHook): HookHandle {
    return removable(this._forwardPreHooks, hook);
  }

  /** Register a tensor (not a parameter) that is part of the module's state, e.g. running means. */
  registerBuffer(name: string, value: Tensor | null): void {
    this._buffers.set(name, value);
    Object.defineProperty(this, name, {
      get: () => this._buffers.get(name) ?? null,
      set: (v: Tensor | null) => this._buffers.set(name, v),
      enumerable: false,
      configurable: true,
    });
  }

  /** The direct submodules with their names. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, v] of Object.entries(this)) if (v instanceof Module) out.push([k, v]);
    return out;
  }

  /** The direct submodules. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every submodule, with dotted names (`''` for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [k, m] of this.namedChildren()) out.push(...m.namedModules(prefix ? `${prefix}.${k}` : k));
    return out;
  }

  /** This module and every submodule. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters with PyTorch's dotted names (`0.weight`, `fc1.bias`). */
  namedParameters(prefix = '', recurse = true): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    const visit = (m: Module, pre: string): void => {
      for (const [k, v] of Object.entries(m)) {
        if (v instanceof Parameter && !seen.has(v)) {
          seen.add(v);
          out.push([pre ? `${pre}.${k}` : k, v]);
        }
      }
      if (!recurse) return;
      for (const [k, c] of m.namedChildren()) visit(c, pre ? `${pre}.${k}` : k);
    };
    visit(this, prefix);
    return out;
  }

  /** The parameters (each once). */
  parameters(recurse = true): Parameter[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  /** Registered buffers with dotted names. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, v] of this._buffers) if (v !== null) out.push([prefix ? `${prefix}.${k}` : k, v]);
    for (const [k, c] of this.namedChildren()) out.push(...c.namedBuffers(prefix ? `${prefix}.${k}` : k));
    return out;
  }

  /** Set training mode on this module and every submodule. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError(`train(): argument 'mode' must be a boolean, got ${typeof mode}`);
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Set evaluation mode (`train(false)`). */
  eval(): this {
    return this.train(false);
  }

  /** Reset the gradients of all parameters (to null by default, as PyTorch 2). */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (opts.setToNone ?? true) p.grad = null;
      else noGrad(() => p.grad!.zero_());
    }
  }

  /** Call `fn` on every submodule (children first) and this module. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** The part of the printed form inside the parentheses (`in_features=2, ...`). */
  extraRepr(): string {
    return '';
  }

  /** The class name used when printing (PyTorch's class name). */
  protected get reprName(): string {
    return this.constructor.name;
  }

  /**
   * The module printed as PyTorch prints it:
   * `Sequential(\n  (0): Linear(in_features=2, out_features=2, bias=True)\n  (1): ReLU()\n)`.
   */
  toString(): string {
    const extra = this.extraRepr();
    const children = this.namedChildren();
    const lines: string[] = extra ? extra.split('\n') : [];
    for (const [k, m] of children) {
      const body = m.toString().split('\n');
      lines.push(`(${k}): ${body[0]}`, ...body.slice(1).map((l) => `  ${l}`));
    }
    if (children.length === 0 && lines.length <= 1) return `${this.reprName}(${extra})`;
    return `${this.reprName}(\n${lines.map((l) => `  ${l}`).join('\n')}\n)`;
  }
}

/** @internal Hooks run after every module's forward (used by tools that observe whole models). */
export function registerGlobalForwardHook(hook: ForwardHook): HookHandle {
  return removable(globalForwardHooks, hook);
}
