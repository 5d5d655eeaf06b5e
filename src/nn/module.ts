/**
 * `nn.Module` and `nn.Parameter`: the containers networks are built from, with PyTorch's
 * naming, printing, train/eval modes and hooks.
 */
import { Storage, Tensor } from '../tensor/tensor.js';
import { allocate, checkDtype, type DType, isFloat } from '../tensor/dtype.js';
import { contiguousStrides } from '../tensor/shape.js';
import { isGradEnabled, noGrad } from '../autograd/grad_mode.js';
import { ClosureNode, record } from '../autograd/record.js';
import { cat, zerosLike } from '../ops/creation.js';

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

/**
 * A full backward hook: called once per backward pass through a module call with the gradients
 * of the module's inputs and outputs. Entries are `null` for arguments that are not tensors (and
 * every `gradInput` entry is `null` when no input requires grad). Returning an array replaces
 * `gradInput`.
 */
export type FullBackwardHook = (module: Module, gradInput: (Tensor | null)[], gradOutput: (Tensor | null)[]) => (Tensor | null)[] | void | undefined;

/** A state dict: PyTorch's dotted names (`0.weight`, `bn.running_mean`) to tensors, in order. */
export type StateDict = Map<string, Tensor>;

/** What `loadStateDict` returns: the keys it did not find, and the keys it did not expect. */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

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
  /** @internal Names of the buffers left out of the state dict (`persistent: false`). */
  declare _nonPersistent: Set<string>;
  /** @internal */
  declare _backwardHooks: FullBackwardHook[];

  constructor() {
    // Internal state is non-enumerable so that it never looks like a parameter or submodule.
    Object.defineProperty(this, '_forwardHooks', { value: [], enumerable: false });
    Object.defineProperty(this, '_forwardPreHooks', { value: [], enumerable: false });
    Object.defineProperty(this, '_buffers', { value: new Map(), enumerable: false });
    Object.defineProperty(this, '_nonPersistent', { value: new Set(), enumerable: false });
    Object.defineProperty(this, '_backwardHooks', { value: [], enumerable: false });
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
    const bw = this._backwardHooks.length > 0 ? new BackwardHookState(this, [...this._backwardHooks]) : undefined;
    if (bw) inputs = bw.setupInputs(inputs);
    let out = impl.apply(this, inputs);
    for (const h of [...globalForwardHooks, ...this._forwardHooks]) {
      const r = h(this, inputs, out);
      if (r !== undefined) out = r;
    }
    if (bw) out = bw.setupOutputs(out);
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

  /**
   * Register a hook called with the gradients of the module's inputs and outputs each time a
   * backward pass goes through a call of this module, as PyTorch's
   * `register_full_backward_hook`: `hook(module, gradInput, gradOutput)`. Returning an array
   * replaces `gradInput` (the gradients passed on to the layers before). The module's output is
   * then produced by a `BackwardHookFunctionBackward` node, as in PyTorch.
   *
   * @example
   * ```ts
   * import { nn, tensor } from 'paoding';
   * const layer = new nn.Linear(2, 1);
   * layer.registerFullBackwardHook((m, gradInput, gradOutput) => {
   *   console.log(gradInput[0]!.shape, gradOutput[0]!.tolist()); // [ 3, 2 ] [ [ 1 ], [ 1 ], [ 1 ] ]
   * });
   * layer.forward(tensor([[1, 2], [3, 4], [5, 6]], { requiresGrad: true })).sum().backward();
   * ```
   */
  registerFullBackwardHook(hook: FullBackwardHook): HookHandle {
    if (typeof hook !== 'function') throw new TypeError(`registerFullBackwardHook(): argument 'hook' must be a function, got ${typeof hook}`);
    return removable(this._backwardHooks, hook);
  }

  /**
   * Register a tensor (not a parameter) that is part of the module's state, e.g. running means,
   * as PyTorch's `register_buffer`. The buffer is reachable as a property of that name, moves
   * with `to()`/`double()`, and (unless `persistent: false`) is saved in the state dict.
   */
  registerBuffer(name: string, value: Tensor | null, opts: { persistent?: boolean } = {}): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw new TypeError(`registerBuffer(): buffer name must be a non-empty string without ".", got ${JSON.stringify(name)}`);
    }
    if (value !== null && !(value instanceof Tensor)) {
      throw new TypeError(`registerBuffer(): cannot assign '${typeof value}' object to buffer '${name}' (Tensor or null required)`);
    }
    if (opts.persistent ?? true) this._nonPersistent.delete(name);
    else this._nonPersistent.add(name);
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

  /**
   * The module's state as PyTorch's `state_dict()`: every parameter and persistent buffer under
   * its dotted name (`0.weight`, `1.running_mean`), this module's own first (parameters, then
   * buffers), then each submodule's, in registration order. The tensors are detached (they share
   * memory with the module, so copy them if the module will keep training).
   *
   * @example
   * ```ts
   * import { nn } from 'paoding';
   * const model = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
   * console.log([...model.stateDict().keys()]); // [ '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked' ]
   * ```
   */
  stateDict(opts: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    const out: StateDict = new Map();
    const visit = (m: Module, prefix: string): void => {
      for (const [name, t] of m._localState()) out.set(prefix + name, opts.keepVars ? t : t.detach());
      for (const [name, c] of m.namedChildren()) visit(c, `${prefix}${name}.`);
    };
    visit(this, opts.prefix ?? '');
    return out;
  }

  /** @internal This module's own parameters and persistent buffers (not null), by local name. */
  _localState(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, v] of Object.entries(this)) if (v instanceof Parameter) out.push([k, v]);
    for (const [k, v] of this._buffers) if (v !== null && !this._nonPersistent.has(k)) out.push([k, v]);
    return out;
  }

  /**
   * @internal Called with this module's slice of the dict (keys with `prefix`) before it is
   * checked; subclasses fill in keys older checkpoints lack (BatchNorm's `num_batches_tracked`).
   */
  _upgradeStateDict(_dict: Map<string, unknown>, _prefix: string): void {}

  /**
   * Copy parameters and buffers from `stateDict` into this module and its submodules, as
   * PyTorch's `load_state_dict`. Every key and shape is checked before anything is copied, so a
   * failed load leaves the module untouched (NOTE(torch): PyTorch copies the entries that match
   * before raising). With `strict` (the default) missing and unexpected keys are errors; without
   * it they are returned. Values are converted to each parameter's dtype.
   *
   * @example
   * ```ts
   * import { nn } from 'paoding';
   * const a = new nn.Linear(2, 2);
   * const b = new nn.Linear(2, 2);
   * b.loadStateDict(a.stateDict());
   * console.log(b.weight.tolist().toString() === a.weight.tolist().toString()); // true
   * const sd = a.stateDict();
   * sd.delete('bias');
   * try {
   *   b.loadStateDict(sd);
   * } catch (e) {
   *   console.log((e as Error).message.split('\n')); // [ 'Error(s) in loading state_dict for Linear:', '\tMissing key(s) in state_dict: "bias". ' ]
   * }
   * ```
   */
  loadStateDict(stateDict: Map<string, unknown> | Record<string, unknown>, opts: { strict?: boolean } = {}): IncompatibleKeys {
    const strict = opts.strict ?? true;
    if (typeof strict !== 'boolean') throw new TypeError(`loadStateDict(): option 'strict' must be a boolean, got ${typeof strict}`);
    if (stateDict === null || typeof stateDict !== 'object') {
      throw new TypeError(`loadStateDict(): Expected state_dict to be dict-like, got ${stateDict === null ? 'null' : typeof stateDict}.`);
    }
    const dict = new Map<string, unknown>(stateDict instanceof Map ? stateDict : Object.entries(stateDict));
    const missingKeys: string[] = [];
    const unexpectedKeys: string[] = [];
    const errors: string[] = [];
    const copies: [Tensor, Tensor][] = [];
    const load = (m: Module, local: Map<string, unknown>, prefix: string): void => {
      m._upgradeStateDict(local, prefix);
      const state = new Map(m._localState());
      for (const [name, param] of state) {
        const key = prefix + name;
        if (!local.has(key)) {
          missingKeys.push(key);
          continue;
        }
        const input = local.get(key);
        if (!(input instanceof Tensor)) {
          errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${input === null ? 'null' : typeof input}`);
          continue;
        }
        if (input.shape.length !== param.shape.length || input.shape.some((s, i) => s !== param.shape[i])) {
          errors.push(
            `size mismatch for ${key}: copying a param with shape ${torchSize(input.shape)} from checkpoint, the shape in current model is ${torchSize(param.shape)}.`,
          );
          continue;
        }
        copies.push([param, input]);
      }
      const children = new Map(m.namedChildren());
      for (const key of local.keys()) {
        if (!key.startsWith(prefix)) continue;
        const first = key.slice(prefix.length).split('.', 1)[0]!;
        if (!children.has(first) && !state.has(first)) unexpectedKeys.push(key);
      }
      for (const [name, child] of children) {
        const p = `${prefix}${name}.`;
        load(child, new Map([...local].filter(([k]) => k.startsWith(p))), p);
      }
    };
    load(this, dict, '');
    if (strict) {
      if (unexpectedKeys.length > 0) errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
      if (missingKeys.length > 0) errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
    }
    if (errors.length > 0) throw new Error(`Error(s) in loading state_dict for ${this.reprName}:\n\t${errors.join('\n\t')}`);
    noGrad(() => {
      for (const [param, input] of copies) param.copy_(input);
    });
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Set `requiresGrad` on every parameter (freezing with `false`), as PyTorch's
   * `requires_grad_()`. Returns this module.
   *
   * @example
   * ```ts
   * import { nn } from 'paoding';
   * const m = new nn.Linear(2, 2).requiresGrad_(false);
   * console.log(m.weight.requiresGrad); // false
   * ```
   */
  requiresGrad_(requiresGrad = true): this {
    if (typeof requiresGrad !== 'boolean') throw new TypeError(`requiresGrad_(): argument 'requires_grad' must be a boolean, got ${typeof requiresGrad}`);
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Convert the floating-point parameters and buffers to `dtype` in place, as PyTorch's
   * `module.to(dtype)`: each parameter stays the same object (optimisers holding it keep
   * working) with its data and gradient converted; integer buffers such as
   * `num_batches_tracked` are left alone.
   *
   * @example
   * ```ts
   * import { nn } from 'paoding';
   * const m = new nn.Linear(2, 2);
   * const w = m.weight;
   * m.to('float64');
   * console.log(m.weight === w, m.weight.dtype, m.bias!.dtype); // true float64 float64
   * ```
   */
  to(dtype: DType): this {
    checkDtype(dtype, 'to()');
    if (!isFloat(dtype)) throw new TypeError(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=${dtype}`);
    for (const m of this.modules()) {
      for (const v of Object.values(m)) {
        if (!(v instanceof Parameter) || !isFloat(v.dtype) || v.dtype === dtype) continue;
        replaceData(v, v.detach().to(dtype));
        if (v.grad !== null && isFloat(v.grad.dtype)) replaceData(v.grad, v.grad.detach().to(dtype));
      }
      for (const [k, b] of m._buffers) {
        if (b !== null && isFloat(b.dtype) && b.dtype !== dtype) m._buffers.set(k, b.detach().to(dtype));
      }
    }
    return this;
  }

  /** Convert floating-point parameters and buffers to float64 (`to('float64')`). */
  double(): this {
    return this.to('float64');
  }

  /** Convert floating-point parameters and buffers to float32 (`to('float32')`). */
  float(): this {
    return this.to('float32');
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
    // NOTE(torch): as PyTorch's __repr__, each child's own lines after the first are indented by
    // two spaces, and each entry (not each of its lines) is put on a line of its own.
    for (const [k, m] of children) lines.push(`(${k}): ${m.toString().split('\n').join('\n  ')}`);
    if (children.length === 0 && lines.length <= 1) return `${this.reprName}(${extra})`;
    return `${this.reprName}(\n  ${lines.join('\n  ')}\n)`;
  }
}

/** `torch.Size([2, 3])`, as PyTorch prints shapes in messages. */
function torchSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}

/**
 * Make `t` hold `src`'s data (PyTorch's `t.data = src`): same object, new storage, shape and
 * dtype. Used by `to()` so that parameters keep their identity.
 */
function replaceData(t: Tensor, src: Tensor): void {
  const m = t as unknown as { _storage: Storage; shape: readonly number[]; strides: readonly number[]; offset: number; dtype: DType };
  m._storage = src._storage;
  m.shape = src.shape;
  m.strides = src.strides;
  m.offset = src.offset;
  m.dtype = src.dtype;
}

const HOOK_NODE = 'BackwardHookFunctionBackward';

/**
 * Identity copies of `tensors` whose backward calls `onGrads` once, with the gradients of all
 * of them (zeros for a tensor no gradient reached, as PyTorch materialises them), and passes on
 * what it returns. Tensors that do not require grad are passed through unchanged.
 *
 * Autograd nodes here have one output, so several tensors share one node through a packed
 * tensor: each identity node sends its gradient into its own segment of the packed gradient,
 * the engine sums them, and the shared node runs once every identity node has run.
 */
function hookedIdentity(tensors: Tensor[], onGrads: (grads: Tensor[]) => (Tensor | null)[]): Tensor[] {
  const req = tensors.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  const full = (got: Map<number, Tensor>): Tensor[] => tensors.map((t, i) => got.get(i) ?? zerosLike(t));
  if (req.length === 1) {
    const i = req[0]!;
    const out = [...tensors];
    out[i] = record(tensors[i]!.detach(), HOOK_NODE, [tensors[i]!], [], (g) => [onGrads(full(new Map([[i, g]])))[i] ?? null]);
    return out;
  }
  const dtypes = new Set(req.map((i) => tensors[i]!.dtype));
  const dtype: DType = dtypes.size === 1 ? [...dtypes][0]! : 'float64';
  const sizes = req.map((i) => tensors[i]!.numel());
  const offsets = sizes.map((_, j) => sizes.slice(0, j).reduce((a, b) => a + b, 0));
  const total = sizes.reduce((a, b) => a + b, 0);
  const shared = new ClosureNode(HOOK_NODE, [], (packed) => {
    const got = new Map<number, Tensor>();
    req.forEach((i, j) => {
      const t = tensors[i]!;
      const part = packed.narrow(0, offsets[j]!, sizes[j]!).reshape(t.shape);
      got.set(i, part.dtype === t.dtype ? part : part.to(t.dtype));
    });
    const res = onGrads(full(got));
    return req.map((i) => res[i] ?? null);
  });
  const packedT = new Tensor(new Storage(allocate(dtype, 0)), [0], contiguousStrides([0]), 0, dtype);
  packedT._setHistory(shared, req.map((i) => tensors[i]!));
  const zerosOf = (n: number): Tensor => new Tensor(new Storage(allocate(dtype, n)), [n], [1], 0, dtype);
  const out = [...tensors];
  req.forEach((i, j) => {
    const node = new ClosureNode(HOOK_NODE, [], (g) => {
      const flat = g.reshape([-1]);
      const parts = [zerosOf(offsets[j]!), flat.dtype === dtype ? flat : flat.to(dtype), zerosOf(total - offsets[j]! - sizes[j]!)];
      return [cat(parts)];
    });
    const alias = tensors[i]!.detach();
    alias._setHistory(node, [packedT]);
    out[i] = alias;
  });
  return out;
}

/** One module call's full backward hooks: PyTorch's `BackwardHook`. */
class BackwardHookState {
  private gradOutputs: (Tensor | null)[] | null = null;
  private nInputs = 0;
  private inputsHooked = false;

  constructor(
    private readonly module: Module,
    private readonly hooks: FullBackwardHook[],
  ) {}

  private static tensorIndices(args: unknown[]): number[] {
    return args.map((a, i) => (a instanceof Tensor ? i : -1)).filter((i) => i >= 0);
  }

  setupInputs(args: unknown[]): unknown[] {
    this.nInputs = args.length;
    const idx = BackwardHookState.tensorIndices(args);
    const tensors = idx.map((i) => args[i] as Tensor);
    if (!isGradEnabled() || !tensors.some((t) => t.requiresGrad)) return args;
    this.inputsHooked = true;
    const wrapped = hookedIdentity(tensors, (grads) => {
      // NOTE(torch): a gradient that reaches the inputs without passing through the output
      // (double backward) does not call the hooks.
      if (this.gradOutputs === null) return grads;
      let res: (Tensor | null)[] = new Array<Tensor | null>(this.nInputs).fill(null);
      idx.forEach((i, k) => (res[i] = grads[k]!));
      for (const hook of this.hooks) {
        const out = hook(this.module, res, this.gradOutputs);
        if (out === undefined || out === null) continue;
        if (!Array.isArray(out) || out.length !== res.length) {
          throw new Error(`Backward hook returned an invalid number of grad_input, got ${Array.isArray(out) ? out.length : typeof out}, but expected ${res.length}`);
        }
        res = out;
      }
      this.gradOutputs = null;
      return idx.map((i) => res[i] ?? null);
    });
    const out = [...args];
    idx.forEach((i, k) => (out[i] = wrapped[k]));
    return out;
  }

  setupOutputs(result: unknown): unknown {
    const isArray = Array.isArray(result);
    const outs: unknown[] = isArray ? [...(result as unknown[])] : [result];
    const idx = BackwardHookState.tensorIndices(outs);
    const tensors = idx.map((i) => outs[i] as Tensor);
    if (!isGradEnabled() || !tensors.some((t) => t.requiresGrad)) return result;
    const wrapped = hookedIdentity(tensors, (grads) => {
      const go: (Tensor | null)[] = new Array<Tensor | null>(outs.length).fill(null);
      idx.forEach((i, k) => (go[i] = grads[k]!));
      this.gradOutputs = go;
      if (!this.inputsHooked) {
        // No input requires grad: the hooks run now, with no input gradients.
        const gi = new Array<Tensor | null>(this.nInputs).fill(null);
        for (const hook of this.hooks) {
          const r = hook(this.module, gi, go);
          if (r !== undefined && r !== null && !(Array.isArray(r) && r.every((e) => e === null || e === undefined))) {
            throw new Error('Backward hook for Modules where no input requires gradient should always return None or None for all gradients.');
          }
        }
        this.gradOutputs = null;
      }
      return grads;
    });
    idx.forEach((i, k) => (outs[i] = wrapped[k]));
    return isArray ? outs : outs[0];
  }
}

/** @internal Hooks run after every module's forward (used by tools that observe whole models). */
export function registerGlobalForwardHook(hook: ForwardHook): HookHandle {
  return removable(globalForwardHooks, hook);
}
