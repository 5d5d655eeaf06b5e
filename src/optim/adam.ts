/**
 * `optim.Adam`, and the update it shares with `optim.AdamW`: PyTorch 1.13's single-tensor Adam,
 * operation by operation.
 */
import { Tensor } from '../tensor/tensor.js';
import { getDefaultDtype } from '../tensor/dtype.js';
import { zeros, zerosLike } from '../ops/creation.js';
import { checkInplaceAllowed } from '../ops/inplace.js';
import type { TypedArray } from '../tensor/dtype.js';
import { fma64, fmaf, powi, runKernel } from './kernels.js';
import {
  checkBoolean,
  checkNumber,
  checkOptionNames,
  describe,
  Optimizer,
  pyNumber,
  type OptimizerStateDict,
  type ParamGroup,
  type Params,
} from './optimizer.js';

/** Options of `optim.Adam` and `optim.AdamW` (PyTorch's keywords, camelCased). */
export interface AdamOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Decay rates of the running averages of the gradient and of its square. Default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Added to the denominator for numerical stability. Default 1e-8. */
  eps?: number;
  /** Weight decay: L2 penalty for Adam, decoupled for AdamW. Default 0 (Adam), 1e-2 (AdamW). */
  weightDecay?: number;
  /** The AMSGrad variant (normalise by the maximum of the second moments so far). Default false. */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize?: boolean;
}

/** The options of an Adam or AdamW parameter group (every option filled in). */
export interface AdamGroupOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/**
 * The state Adam and AdamW keep per parameter: PyTorch's `step` (a 0-dim float tensor, as in
 * PyTorch 1.13), `exp_avg`, `exp_avg_sq` and, with AMSGrad, `max_exp_avg_sq`.
 */
export interface AdamState {
  step: Tensor;
  expAvg: Tensor;
  expAvgSq: Tensor;
  maxExpAvgSq?: Tensor;
}

const OPTIONS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize'] as const;

function validate(where: string, o: Partial<AdamGroupOptions>): void {
  const lr = checkNumber(where, 'lr', o.lr);
  if (!(lr >= 0)) throw new RangeError(`${where}: Invalid learning rate: ${pyNumber(lr)}`);
  const eps = checkNumber(where, 'eps', o.eps);
  if (!(eps >= 0)) throw new RangeError(`${where}: Invalid epsilon value: ${pyNumber(eps)}`);
  const betas = o.betas as unknown;
  if (!Array.isArray(betas) || betas.length !== 2) throw new TypeError(`${where}: argument 'betas' must be a pair of numbers, got ${describe(betas)}`);
  (betas as unknown[]).forEach((v, i) => {
    const b = checkNumber(where, `betas[${i}]`, v);
    if (!(b >= 0 && b < 1)) throw new RangeError(`${where}: Invalid beta parameter at index ${i}: ${pyNumber(b)}`);
  });
  const weightDecay = checkNumber(where, 'weightDecay', o.weightDecay);
  if (!(weightDecay >= 0)) throw new RangeError(`${where}: Invalid weight_decay value: ${pyNumber(weightDecay)}`);
  checkBoolean(where, 'amsgrad', o.amsgrad);
  checkBoolean(where, 'maximize', o.maximize);
}

/** @internal Resolve and check Adam/AdamW options. */
export function adamDefaults(where: string, options: AdamOptions, weightDecay: number): AdamGroupOptions {
  checkOptionNames(where, options, OPTIONS);
  const defaults = {
    lr: options.lr ?? 1e-3,
    betas: (options.betas ?? [0.9, 0.999]) as [number, number],
    eps: options.eps ?? 1e-8,
    weightDecay: options.weightDecay ?? weightDecay,
    amsgrad: options.amsgrad ?? false,
    maximize: options.maximize ?? false,
  };
  validate(where, defaults);
  return { ...defaults, betas: [defaults.betas[0], defaults.betas[1]] };
}

/** @internal Check a group's options (PyTorch checks only the defaults; see the NOTE in SGD). */
export function validateAdamGroup(group: ParamGroup<AdamGroupOptions>, where: string): void {
  validate(where, group);
}

/**
 * @internal One Adam or AdamW step over every group of `opt`, PyTorch 1.13's
 * `_single_tensor_adam` / `_single_tensor_adamw` with their rounding: for each parameter,
 *
 * ```text
 * step += 1
 * p *= 1 - lr * weightDecay                                      (AdamW)
 * g = g + weightDecay * p                                        (Adam, weightDecay != 0)
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g * g
 * vmax = max(vmax, v)                                            (amsgrad; v = vmax below)
 * p = p - (lr / (1 - beta1^step)) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps)
 * ```
 */
export function adamUpdate(opt: Optimizer<AdamGroupOptions, AdamState>, decoupled: boolean, where: string): void {
  let index = 0;
  for (const group of opt.paramGroups) {
    const { lr, betas, eps, weightDecay, amsgrad, maximize } = group;
    const [beta1, beta2] = betas;
    // The step-dependent scalars, shared by the group's parameters at the same step.
    let cachedStep = NaN;
    let cachedF32 = false;
    let c: AdamScalars | undefined;
    for (const p of group.params) {
      const i = index++;
      const grad = p.grad;
      if (grad === null) continue;
      let state = opt.state.get(p);
      if (state === undefined || state.step === undefined) {
        // NOTE(torch): PyTorch 1.13 keeps the step count as a 0-dim tensor of the default
        // dtype, `torch.tensor(0.)`; in float32 it stops counting at 2^24, as PyTorch's does.
        state = { step: zeros([], { dtype: getDefaultDtype() }), expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
        if (amsgrad) state.maxExpAvgSq = zerosLike(p);
        opt.state.set(p, state);
      }
      if (amsgrad && state.maxExpAvgSq === undefined) state.maxExpAvgSq = zerosLike(p);
      checkInplaceAllowed(p, where);

      // step_t += 1; the bias corrections are Python floats computed from step_t.item().
      const stepT = state.step;
      if (!(stepT instanceof Tensor) || stepT.numel() !== 1) {
        throw new TypeError(`${where}: state 'step' of parameter ${i} must be a one-element tensor, got ${describe(stepT)}`);
      }
      const sd = stepT._storage.data;
      sd[stepT.offset] = sd[stepT.offset]! + 1;
      stepT._bumpVersion();
      const step = sd[stepT.offset]!;
      const f32 = p.dtype === 'float32';
      if (c === undefined || step !== cachedStep || f32 !== cachedF32) {
        const biasCorrection1 = 1 - powi(beta1, step);
        const biasCorrection2 = 1 - powi(beta2, step);
        const stepSize = lr / biasCorrection1;
        const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
        // Python scalars converted to the parameter's dtype, as PyTorch's kernels convert them.
        const R = f32 ? Math.fround : same;
        c = {
          decoupled,
          decay: R(1 - lr * weightDecay),
          weightDecay: weightDecay !== 0,
          wd: R(weightDecay),
          maximize,
          amsgrad,
          b1: R(beta1),
          oneMinusB1: R(1 - beta1),
          b2: R(beta2),
          oneMinusB2: R(1 - beta2),
          bc2: R(biasCorrection2Sqrt),
          eps: R(eps),
          negStep: R(-stepSize),
        };
        cachedStep = step;
        cachedF32 = f32;
      }
      const { expAvg, expAvgSq } = state;
      const maxSq = amsgrad ? state.maxExpAvgSq! : expAvgSq;
      runKernel(where, i, p, [grad, expAvg, expAvgSq, maxSq], LABELS, f32 ? adam32 : adam64, c);
      // The version bumps of PyTorch's in-place operations: mul_ + add_, mul_ + addcmul_,
      // maximum(out=), and mul_ (AdamW) + addcdiv_ on the parameter.
      expAvg._storage.version += 2;
      expAvgSq._storage.version += 2;
      if (amsgrad) maxSq._bumpVersion();
      if (decoupled) p._bumpVersion();
      p._bumpVersion();
    }
  }
}

const LABELS = ['the gradient', "state 'expAvg'", "state 'expAvgSq'", "state 'maxExpAvgSq'"];

/** The scalars of an Adam step, in the parameter's dtype. */
interface AdamScalars {
  decoupled: boolean;
  decay: number;
  weightDecay: boolean;
  wd: number;
  maximize: boolean;
  amsgrad: boolean;
  b1: number;
  oneMinusB1: number;
  b2: number;
  oneMinusB2: number;
  bc2: number;
  eps: number;
  negStep: number;
}

// The kernels, one PyTorch operation per line, in float32 (Math.fround after every operation,
// fmaf for the fused ones) and float64. Operands: param, grad, exp_avg, exp_avg_sq, and
// max_exp_avg_sq (exp_avg_sq again without amsgrad; then it is not touched).

function adam32(n: number, a: readonly TypedArray[], o: readonly number[], s: readonly number[], c: AdamScalars): void {
  const P = a[0]!;
  const G = a[1]!;
  const M = a[2]!;
  const V = a[3]!;
  const X = a[4]!;
  const sp = s[0]!;
  const sg = s[1]!;
  const sm = s[2]!;
  const sv = s[3]!;
  const sx = s[4]!;
  const { decoupled, decay, weightDecay, wd, maximize, amsgrad, b1, oneMinusB1, b2, oneMinusB2, bc2, eps, negStep } = c;
  const fr = Math.fround;
  for (let k = 0, ip = o[0]!, ig = o[1]!, im = o[2]!, iv = o[3]!, ix = o[4]!; k < n; k++, ip += sp, ig += sg, im += sm, iv += sv, ix += sx) {
    let g = maximize ? -G[ig]! : G[ig]!; // -grad
    let q = P[ip]!;
    if (decoupled) q = fr(q * decay); // param.mul_(1 - lr * weight_decay)
    else if (weightDecay) g = fmaf(wd, q, g); // grad.add(param, alpha=weight_decay)
    const m = fmaf(oneMinusB1, g, fr(M[im]! * b1)); // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    M[im] = m;
    let v = fmaf(fr(oneMinusB2 * g), g, fr(V[iv]! * b2)); // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    V[iv] = v;
    if (amsgrad) {
      const x = X[ix]!;
      v = x !== x || x > v ? x : v; // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq): NaN wins
      X[ix] = v;
    }
    const denom = fr(fr(fr(Math.sqrt(v)) / bc2) + eps); // (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
    P[ip] = q + fr(fr(negStep * m) / denom); // param.addcdiv_(exp_avg, denom, value=-step_size)
  }
}

function adam64(n: number, a: readonly TypedArray[], o: readonly number[], s: readonly number[], c: AdamScalars): void {
  const P = a[0]!;
  const G = a[1]!;
  const M = a[2]!;
  const V = a[3]!;
  const X = a[4]!;
  const sp = s[0]!;
  const sg = s[1]!;
  const sm = s[2]!;
  const sv = s[3]!;
  const sx = s[4]!;
  const { decoupled, decay, weightDecay, wd, maximize, amsgrad, b1, oneMinusB1, b2, oneMinusB2, bc2, eps, negStep } = c;
  for (let k = 0, ip = o[0]!, ig = o[1]!, im = o[2]!, iv = o[3]!, ix = o[4]!; k < n; k++, ip += sp, ig += sg, im += sm, iv += sv, ix += sx) {
    let g = maximize ? -G[ig]! : G[ig]!;
    let q = P[ip]!;
    if (decoupled) q *= decay;
    else if (weightDecay) g = fma64(wd, q, g);
    const m = fma64(oneMinusB1, g, M[im]! * b1);
    M[im] = m;
    let v = fma64(oneMinusB2 * g, g, V[iv]! * b2);
    V[iv] = v;
    if (amsgrad) {
      const x = X[ix]!;
      v = x !== x || x > v ? x : v;
      X[ix] = v;
    }
    const denom = Math.sqrt(v) / bc2 + eps;
    P[ip] = q + (negStep * m) / denom;
  }
}

/** @internal After loading a state dict: PyTorch's `__setstate__` turns numeric steps into tensors. */
export function fixSteps(opt: Optimizer<AdamGroupOptions, AdamState>): void {
  for (const s of opt.state.values()) {
    const step = s.step as unknown;
    if (typeof step === 'number') s.step = zeros([], { dtype: getDefaultDtype() }).fill_(step);
  }
}

function same(x: number): number {
  return x;
}

/**
 * Adam, as PyTorch's `torch.optim.Adam` (the single-tensor implementation PyTorch 1.13 runs on
 * the CPU). For each parameter `p` with gradient `g` (`-g` when maximizing), at step `t`:
 *
 * ```text
 * g = g + weightDecay * p                       (L2 penalty, if weightDecay != 0)
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g²
 * p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * ```
 *
 * with `v` replaced by its running maximum under `amsgrad`. Defaults are PyTorch's: `lr` 1e-3,
 * `betas` [0.9, 0.999], `eps` 1e-8, `weightDecay` 0.
 *
 * NOTE(torch): the update is computed as PyTorch computes it, one rounding per PyTorch operation
 * (with the fused multiply-adds of its `add(alpha=)` and `addcmul`), and the bias corrections
 * with a correctly rounded power, so float32 and float64 trajectories match PyTorch's bit for
 * bit (see `test/optim.test.ts`).
 *
 * @example
 * ```ts
 * import { optim, nn, tensor } from 'paoding';
 * const w = new nn.Parameter(tensor([1, -2]));
 * const opt = new optim.Adam([w], { lr: 0.1 });
 * for (let i = 0; i < 3; i++) {
 *   opt.zeroGrad();
 *   w.mul(w).sum().backward();
 *   opt.step();
 * }
 * console.log(w.detach().toString()); // tensor([ 0.7016, -1.7006])
 * console.log(opt.state.get(w)!.step.item()); // 3
 * ```
 */
export class Adam extends Optimizer<AdamGroupOptions, AdamState> {
  /**
   * @param params - the tensors to optimize, or parameter groups `{ params, ...options }`.
   * @param options - the defaults of every group.
   */
  constructor(params: Params<AdamGroupOptions>, options: AdamOptions = {}) {
    super(params, adamDefaults('Adam()', options, 0));
  }

  protected override get optimizerName(): string {
    return 'Adam';
  }

  protected override validateGroup(group: ParamGroup<AdamGroupOptions>, where: string): void {
    validateAdamGroup(group, where);
  }

  protected update(): void {
    adamUpdate(this, false, 'Adam.step()');
  }

  override loadStateDict(stateDict: OptimizerStateDict<AdamGroupOptions, AdamState>): void {
    super.loadStateDict(stateDict);
    fixSteps(this);
  }
}
