/**
 * Finite-difference checks of gradients, as `torch.autograd.gradcheck` and `gradgradcheck`:
 * compare the Jacobian autograd computes with central differences in float64.
 */
import { Tensor } from '../tensor/tensor.js';
import { Generator } from '../tensor/random.js';
import { grad } from './engine.js';
import { cat } from '../ops/creation.js';

/** Options of `gradcheck` / `gradgradcheck` (PyTorch's defaults). */
export interface GradcheckOptions {
  /** Finite-difference step. Default 1e-6. */
  eps?: number;
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
  /** Relative tolerance. Default 1e-3. */
  rtol?: number;
  /** Throw a descriptive error on mismatch (default true); otherwise return false. */
  raiseException?: boolean;
}

type Fn = (...inputs: Tensor[]) => Tensor;

function checkInputs(inputs: readonly Tensor[], where: string): Tensor[] {
  const diffable = inputs.filter((t) => t instanceof Tensor && t.requiresGrad);
  if (diffable.length === 0) throw new Error(`${where}: at least one input tensor should require gradient`);
  for (const [i, t] of inputs.entries()) {
    if (t.requiresGrad && t.dtype !== 'float64') {
      throw new TypeError(`${where}: input #${i} requires gradient and is not a float64 tensor (got ${t.dtype}); finite differences need double precision`);
    }
  }
  return diffable;
}

/** Flat float64 values of `t` (contiguous order). */
function values(t: Tensor): Float64Array {
  return Float64Array.from(t.contiguous().toTypedArray() as Float64Array);
}

/** Numerical Jacobian d out / d input (rows: input elements, columns: output elements). */
function numerical(fn: Fn, inputs: Tensor[], target: Tensor, eps: number): Float64Array[] {
  const rows: Float64Array[] = [];
  const data = target._storage.data;
  const n = target.numel();
  const c = target.contiguous();
  if (c !== target) throw new TypeError('gradcheck: inputs must be contiguous');
  for (let k = 0; k < n; k++) {
    const at = target.offset + k;
    const orig = data[at]!;
    // The input is perturbed through its storage, not through an operation, so no version
    // bump or leaf check applies; grad mode stays on for functions that differentiate inside.
    const evalAt = (v: number): Float64Array => {
      data[at] = v;
      return values(fn(...inputs).detach());
    };
    const plus = evalAt(orig + eps);
    const minus = evalAt(orig - eps);
    data[at] = orig;
    rows.push(plus.map((p, j) => (p - minus[j]!) / (2 * eps)));
  }
  return rows;
}

/** Analytical Jacobian via one backward pass per output element. */
function analytical(fn: Fn, inputs: Tensor[], diffable: Tensor[]): Float64Array[][] {
  const out = fn(...inputs);
  const m = out.numel();
  const jac = diffable.map((t) => Array.from({ length: t.numel() }, () => new Float64Array(m)));
  if (!out.requiresGrad) return jac;
  for (let j = 0; j < m; j++) {
    const e = out.detach().mul(0);
    e._storage.data[j] = 1;
    const gs = grad(out, diffable, { gradOutputs: e.contiguous(), retainGraph: true, allowUnused: true });
    gs.forEach((g, i) => {
      if (g === null) return;
      const v = values(g);
      v.forEach((x, k) => (jac[i]![k]![j] = x));
    });
  }
  return jac;
}

/**
 * Check the gradients of `fn` at `inputs` (float64 tensors; those that require grad are
 * checked) against central finite differences. Returns true, or throws (or returns false)
 * naming the first mismatch.
 *
 * @example
 * ```ts
 * import { autograd, F, tensor } from 'paoding';
 * const x = tensor([-1.5, 0.3, 2], { dtype: 'float64', requiresGrad: true });
 * console.log(autograd.gradcheck((t) => F.gelu(t), [x])); // true
 * ```
 */
export function gradcheck(fn: Fn, inputs: Tensor | readonly Tensor[], opts: GradcheckOptions = {}): boolean {
  const where = 'gradcheck()';
  const ins = inputs instanceof Tensor ? [inputs] : [...inputs];
  const diffable = checkInputs(ins, where);
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const ana = analytical(fn, ins, diffable);
  for (const [i, t] of diffable.entries()) {
    const num = numerical(fn, ins, t, eps);
    for (let k = 0; k < num.length; k++) {
      for (let j = 0; j < num[k]!.length; j++) {
        const a = ana[i]![k]![j]!;
        const b = num[k]![j]!;
        if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) {
          if (opts.raiseException === false) return false;
          throw new Error(
            `${where}: Jacobian mismatch for output 0 with respect to input ${ins.indexOf(t)}, ` +
              `at input element ${k} and output element ${j}: numerical ${b}, analytical ${a} (atol ${atol}, rtol ${rtol})`,
          );
        }
      }
    }
  }
  return true;
}

/**
 * Check second derivatives: gradcheck of the function (inputs, v) → the vector-Jacobian
 * product of `fn` with `v`, built with `createGraph`. `gradOutputs` defaults to deterministic
 * standard-normal values.
 *
 * @example
 * ```ts
 * import { autograd, F, tensor } from 'paoding';
 * const x = tensor([-1.5, 0.3, 2], { dtype: 'float64', requiresGrad: true });
 * console.log(autograd.gradgradcheck((t) => F.mish(t), [x])); // true
 * ```
 */
export function gradgradcheck(
  fn: Fn,
  inputs: Tensor | readonly Tensor[],
  gradOutputs?: Tensor,
  opts: GradcheckOptions = {},
): boolean {
  const ins = inputs instanceof Tensor ? [inputs] : [...inputs];
  checkInputs(ins, 'gradgradcheck()');
  const out = fn(...ins);
  let v = gradOutputs;
  if (v === undefined) {
    const g = new Generator(0);
    v = out.detach().mul(0);
    g.normal_(v._storage.data as Float64Array);
  }
  v = v.detach().clone().requiresGrad_(true);
  const diffable = ins.filter((t) => t.requiresGrad);
  const vjp = (...args: Tensor[]): Tensor => {
    const xs = args.slice(0, ins.length);
    const gv = args[ins.length]!;
    const y = fn(...xs);
    const gs = grad(y, xs.filter((t) => t.requiresGrad), { gradOutputs: gv, createGraph: true, allowUnused: true });
    const parts = gs.map((g, i) => (g ?? diffable[i]!.detach().mul(0)).reshape([-1]));
    return parts.length === 1 ? parts[0]! : cat(parts);
  };
  return gradcheck(vjp, [...ins, v], opts);
}
