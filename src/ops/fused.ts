/**
 * Fused elementwise operations: one expression over broadcast tensor operands, evaluated by one
 * kernel, differentiated symbolically.
 *
 * Every elementwise operation in paoding goes through `fused` (or `fusedInplace`): `x.add(y)`,
 * `x.exp()`, every activation, a user's own activation, and every backward of them. The backward
 * of a fused operation is again a fused operation (the upstream gradient times the derivative
 * expression), recorded like any other when `createGraph` is on: that is how derivatives of any
 * order come out of the one set of primitive rules in `ir/diff.ts`.
 */
import { diff } from '../ir/diff.js';
import { type Expr, input, inputsOf, mul, substitute } from '../ir/expr.js';
import { type Operand, runElementwise } from '../backends/index.js';
import { allocateUninit, type DType, isFloat, torchTypeName } from '../tensor/dtype.js';
import { broadcastShapes, broadcastStrides, contiguousStrides, numel, sameShape, shapeStr } from '../tensor/shape.js';
import { Node, SavedTensor } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { Tensor, Storage } from '../tensor/tensor.js';
import { attachInplaceHistory, checkInplaceAllowed } from './inplace.js';
import { sumToShape } from './reduce.js';

/** What a fused operation computes and how it differentiates. */
export interface FusedSpec {
  /** PyTorch's name for the backward node, e.g. `MulBackward0`. */
  name: string;
  /** The value, over `input(0..n-1)` (the operands) and named parameters. */
  expr: Expr;
  /**
   * Hand-written derivatives, one per operand (undefined: differentiate `expr`). They may read
   * `input(n)`, the operation's own output, which is then saved for backward instead of the
   * operands, as PyTorch saves a sigmoid's result.
   */
  derivatives?: readonly (Expr | undefined)[];
  /** The dtype the kernel computes in (constants and parameters are converted to it). */
  computeDtype: DType;
  /** The output dtype (bool for comparisons). */
  outDtype: DType;
  /** Values of the expression's named parameters. */
  params?: Readonly<Record<string, number>>;
  /** An error the backward raises instead of running (PyTorch's in-place negative-slope rule). */
  backwardError?: string;
  /** An error raised when the backward itself is differentiated (hardsigmoid in PyTorch). */
  doubleBackwardError?: string;
}

/** The upstream gradient's operand index in a backward expression over `n` operands. */
const gradIndex = (n: number): number => n + 1;

interface BackwardPlan {
  /** The gradient expression over compacted operands. */
  expr: Expr;
  /** For each compacted operand: an original operand index, `n` for the output, `n+1` for g. */
  refs: number[];
}

const planCache = new Map<string, BackwardPlan>();

/** `g * d(expr)/d(operand i)`, with its operands renumbered densely. Cached per formula. */
function backwardPlan(spec: FusedSpec, n: number, i: number): BackwardPlan {
  const d = spec.derivatives?.[i];
  const key = `${spec.expr.id}|${d?.id ?? '-'}|${n}|${i}`;
  let plan = planCache.get(key);
  if (plan) return plan;
  const g = mul(input(gradIndex(n)), d ?? diff(spec.expr, i));
  const refs = inputsOf([g]);
  const pos = new Map(refs.map((r, k) => [r, k] as const));
  plan = { expr: substitute(g, (k) => input(pos.get(k)!)), refs };
  planCache.set(key, plan);
  return plan;
}

const backwardNames = new Map<string, string>();

/** The name of the backward of a backward: `MulBackward0` → `MulBackwardBackward0` (cached: it is asked on every backward). */
function backwardName(name: string): string {
  let b = backwardNames.get(name);
  if (b === undefined) {
    b = /Backward\d*$/.test(name) ? name.replace(/Backward(\d*)$/, 'BackwardBackward$1') : `${name}Backward`;
    backwardNames.set(name, b);
  }
  return b;
}

/** The autograd node of a fused operation. */
export class FusedNode extends Node {
  private readonly saved = new Map<number, SavedTensor>();
  private readonly shapes: (readonly number[])[];
  private readonly dtypes: DType[];

  constructor(
    private readonly spec: FusedSpec,
    inputs: readonly Tensor[],
    needs: readonly boolean[],
    output: Tensor | undefined,
    /** Saved values standing in for operands (the clone of an input overwritten in place). */
    substitutes: ReadonlyMap<number, Tensor> = new Map(),
  ) {
    super(spec.name);
    const n = inputs.length;
    this.shapes = inputs.map((t) => t.shape);
    this.dtypes = inputs.map((t) => t.dtype);
    for (let i = 0; i < n; i++) {
      if (!needs[i]) continue;
      for (const r of backwardPlan(spec, n, i).refs) {
        if (r === gradIndex(n) || this.saved.has(r)) continue;
        // An in-place operation (`output` undefined) has no result yet: `fusedInplace` saves it
        // with `saveOutput` once the kernel has run (relu_, sigmoid_ save their result).
        if (r === n && output === undefined) continue;
        const t = r === n ? output! : (substitutes.get(r) ?? inputs[r]!);
        this.saved.set(r, new SavedTensor(t, r === n));
      }
    }
  }

  /** @internal Let `fusedInplace` save the output once it exists. */
  saveOutput(index: number, t: Tensor): void {
    this.saved.set(index, new SavedTensor(t, true));
  }

  override savedTensors(): SavedTensor[] {
    return [...this.saved.values()];
  }

  override release(): void {
    super.release();
    for (const s of this.saved.values()) s.release();
  }

  apply(grad: Tensor): (Tensor | null)[] {
    if (this.spec.backwardError !== undefined) throw new Error(this.spec.backwardError);
    const n = this.shapes.length;
    return this.next.map((edge, i) => {
      if (edge === null) return null;
      const plan = backwardPlan(this.spec, n, i);
      const operands = plan.refs.map((r) => (r === gradIndex(n) ? grad : this.saved.get(r)!.unpack(this)));
      const spec: FusedSpec = {
        name: backwardName(this.spec.name),
        expr: plan.expr,
        computeDtype: grad.dtype,
        outDtype: grad.dtype,
        ...(this.spec.params ? { params: this.spec.params } : {}),
        ...(this.spec.doubleBackwardError !== undefined ? { backwardError: this.spec.doubleBackwardError } : {}),
      };
      let g = fused(operands.length ? operands : [grad], spec);
      g = sumToShape(g, this.shapes[i]!);
      return g.dtype === this.dtypes[i] ? g : g.to(this.dtypes[i]!);
    });
  }
}

/** Read an operand in the computation dtype (PyTorch converts operands before computing). */
function asCompute(t: Tensor, dtype: DType): Tensor {
  // Integers and bools read exactly as numbers; only a float64 operand of a float32 (or integer)
  // computation must be rounded first.
  return t.dtype === 'float64' && dtype !== 'float64' ? t.to(dtype) : t;
}

/** Whether autograd must record an operation over these inputs. */
export function needsGrad(inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/** The parameters of a kernel that has none (one shared object, not one per call). */
const EMPTY_PARAMS: Readonly<Record<string, number>> = Object.freeze({});

/**
 * Evaluate a fused elementwise operation into a new tensor, recording it for autograd when an
 * operand requires grad.
 */
export function fused(inputs: readonly Tensor[], spec: FusedSpec): Tensor {
  // One operand (every unary activation's forward): its own shape, nothing to broadcast. Calls
  // on small tensors are dominated by this bookkeeping, so the common case skips it.
  const single = inputs.length === 1;
  const shape = single
    ? inputs[0]!.shape.slice()
    : broadcastShapes(
        inputs.map((t) => t.shape),
        // The operation's name only matters in the error message: computed then, not on every call.
        () => spec.name.replace(/Backward\d*$/, ''),
      );
  const out = new Tensor(new Storage(allocateUninit(spec.outDtype, numel(shape))), shape, contiguousStrides(shape), 0, spec.outDtype);
  const operands: Operand[] = [];
  for (const input of inputs) {
    const t = asCompute(input, spec.computeDtype);
    operands.push({ data: t._storage.data, offset: t.offset, strides: single ? t.strides : broadcastStrides(t.shape, t.strides, shape) });
  }
  runElementwise(spec.expr, spec.computeDtype, shape, { data: out._storage.data, offset: 0, strides: out.strides }, spec.outDtype === 'bool', operands, spec.params ?? EMPTY_PARAMS);
  if (isFloat(spec.outDtype) && needsGrad(inputs)) {
    const needs = inputs.map((t) => t.requiresGrad);
    const node = new FusedNode(spec, inputs, needs, out);
    out._setHistory(node, inputs);
  }
  return out;
}

/** Options of an in-place fused operation. */
export interface InplaceOptions {
  /**
   * Derivatives in terms of the result (`input(n)`), used instead of `spec.derivatives` when the
   * operation overwrites its input: PyTorch's `relu_`, `elu_`, `leaky_relu_` save their result.
   * Without them, a clone of the overwritten input is saved when the derivative needs it.
   */
  derivatives?: readonly (Expr | undefined)[];
  /** Checked when backward runs (PyTorch raises the in-place negative-slope errors there). */
  backwardError?: string;
}

/**
 * Evaluate a fused operation whose first operand is overwritten with the result: PyTorch's
 * `x.add_(y)`, `x.relu_()`, `F.elu(x, { inplace: true })`. Returns `self`.
 */
export function fusedInplace(self: Tensor, others: readonly Tensor[], spec: FusedSpec, opts: InplaceOptions = {}): Tensor {
  const where = spec.name.replace(/Backward\d*$/, '').toLowerCase() + '_';
  const inputs = [self, ...others];
  const shape = broadcastShapes(
    inputs.map((t) => t.shape),
    where,
  );
  if (!sameShape(shape, self.shape)) {
    throw new RangeError(`${where}: output with shape ${shapeStr(self.shape)} doesn't match the broadcast shape ${shapeStr(shape)}`);
  }
  if (spec.outDtype !== self.dtype) {
    throw new TypeError(`${where}: result type ${torchTypeName(spec.outDtype)} can't be cast to the desired output type ${torchTypeName(self.dtype)}`);
  }
  checkInplaceAllowed(self, where);
  const record = isFloat(self.dtype) && needsGrad(inputs);
  const n = inputs.length;
  let node: FusedNode | undefined;
  if (record) {
    const effective: FusedSpec = {
      ...spec,
      ...(opts.derivatives ? { derivatives: opts.derivatives } : {}),
      ...(opts.backwardError !== undefined ? { backwardError: opts.backwardError } : {}),
    };
    const needs = inputs.map((t) => t.requiresGrad);
    // The overwritten input can only be saved as a copy taken now, before the kernel runs.
    const readsSelf = needs.some((need, i) => need && backwardPlan(effective, n, i).refs.includes(0));
    const substitutes = new Map<number, Tensor>();
    if (readsSelf) substitutes.set(0, self.clone());
    node = new FusedNode(effective, inputs, needs, undefined, substitutes);
    node.next = inputs.map((t) => t._gradEdge());
  }
  // Aliasing operands (x.add_(x.t())) must read the old values: compute aside, then copy.
  const aliased = others.some((t) => t._storage === self._storage);
  const target = aliased ? new Tensor(new Storage(allocateUninit(self.dtype, self.numel())), self.shape, contiguousStrides(self.shape), 0, self.dtype) : self;
  const ops = inputs.map((t) => asCompute(t, spec.computeDtype));
  runElementwise(
    spec.expr,
    spec.computeDtype,
    shape,
    { data: target._storage.data, offset: target.offset, strides: target.strides },
    spec.outDtype === 'bool',
    ops.map((t) => ({ data: t._storage.data, offset: t.offset, strides: broadcastStrides(t.shape, t.strides, shape) })),
    spec.params ?? {},
  );
  if (aliased) copyInto(self, target);
  self._bumpVersion();
  if (node) {
    const plans = inputs.map((t, i) => (t.requiresGrad ? backwardPlan({ ...spec, ...(opts.derivatives ? { derivatives: opts.derivatives } : {}) }, n, i) : undefined));
    if (plans.some((p) => p?.refs.includes(n))) node.saveOutput(n, self);
    attachInplaceHistory(self, node);
  }
  return self;
}

/** Copy `src` into `dst` elementwise (same shape), without autograd. */
export function copyInto(dst: Tensor, src: Tensor): void {
  const shape = dst.shape;
  runElementwise(
    input(0),
    dst.dtype,
    shape,
    { data: dst._storage.data, offset: dst.offset, strides: dst.strides },
    dst.dtype === 'bool',
    [{ data: src._storage.data, offset: src.offset, strides: broadcastStrides(src.shape, src.strides, shape) }],
    {},
  );
}
