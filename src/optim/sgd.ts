/**
 * `optim.SGD`: stochastic gradient descent with momentum, dampening, Nesterov momentum, weight
 * decay and maximisation, as PyTorch 1.13's `torch.optim.SGD`.
 */
import { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../ops/creation.js';
import { checkInplaceAllowed } from '../ops/inplace.js';
import type { TypedArray } from '../tensor/dtype.js';
import { fma64, fmaf, runKernel } from './kernels.js';
import {
  checkBoolean,
  checkNumber,
  checkOptionNames,
  Optimizer,
  pyNumber,
  type ParamGroup,
  type ParamGroupInput,
} from './optimizer.js';

/** Options of `optim.SGD` (PyTorch's keywords, camelCased). */
export interface SGDOptions {
  /** Learning rate (required, in the options or in every group). */
  lr: number;
  /** Momentum factor. Default 0. */
  momentum?: number;
  /** Dampening of the gradient's contribution to the momentum. Default 0. */
  dampening?: number;
  /** L2 penalty: `weightDecay * param` is added to the gradient. Default 0. */
  weightDecay?: number;
  /** Nesterov momentum (needs `momentum > 0` and zero dampening). Default false. */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize?: boolean;
}

/** The options of an SGD parameter group (every option filled in). */
export type SGDGroupOptions = Required<SGDOptions>;

/** The state SGD keeps per parameter: PyTorch's `momentum_buffer` (null without momentum). */
export interface SGDState {
  momentumBuffer: Tensor | null;
}

const OPTIONS = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize'] as const;

function validate(where: string, o: Partial<SGDOptions>): void {
  if (o.lr !== undefined && !(checkNumber(where, 'lr', o.lr) >= 0)) throw new RangeError(`${where}: Invalid learning rate: ${pyNumber(o.lr)}`);
  const momentum = checkNumber(where, 'momentum', o.momentum);
  if (momentum < 0) throw new RangeError(`${where}: Invalid momentum value: ${pyNumber(momentum)}`);
  const weightDecay = checkNumber(where, 'weightDecay', o.weightDecay);
  if (weightDecay < 0) throw new RangeError(`${where}: Invalid weight_decay value: ${pyNumber(weightDecay)}`);
  const dampening = checkNumber(where, 'dampening', o.dampening);
  checkBoolean(where, 'maximize', o.maximize);
  if (checkBoolean(where, 'nesterov', o.nesterov) && (momentum <= 0 || dampening !== 0)) {
    throw new RangeError(`${where}: Nesterov momentum requires a momentum and zero dampening`);
  }
}

/**
 * Stochastic gradient descent, optionally with momentum, as PyTorch's `torch.optim.SGD`. For
 * each parameter `p` with gradient `g` (`-g` when maximizing):
 *
 * ```text
 * g = g + weightDecay * p                      (if weightDecay != 0)
 * b = g  on the first step,  else  b = momentum * b + (1 - dampening) * g     (if momentum != 0)
 * g = nesterov ? g + momentum * b : b
 * p = p - lr * g
 * ```
 *
 * NOTE(torch): this is PyTorch's form, where the learning rate multiplies the velocity (not
 * Sutskever et al.'s); the momentum buffer starts as a copy of the first gradient, undampened.
 * The arithmetic is PyTorch 1.13's CPU arithmetic operation by operation (fused multiply-adds
 * where its `add(alpha=)` fuses), so float32 and float64 parameters follow PyTorch's bit for bit.
 *
 * @example
 * ```ts
 * import { optim, nn, tensor } from 'paoding';
 * const w = new nn.Parameter(tensor([1, -2]));
 * const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
 * for (let i = 0; i < 3; i++) {
 *   opt.zeroGrad();
 *   w.mul(w).sum().backward(); // the gradient of sum(w²) is 2w
 *   opt.step();
 * }
 * console.log(w.detach().toString()); // tensor([ 0.0620, -0.1240])
 * ```
 *
 * Parameter groups override the defaults per group, e.g. no weight decay on PReLU's slopes:
 *
 * ```ts
 * import { optim, nn, tensor } from 'paoding';
 * const weight = new nn.Parameter(tensor([[0.5, -0.5]]));
 * const prelu = new nn.PReLU();
 * const opt = new optim.SGD(
 *   [{ params: [weight] }, { params: prelu.parameters(), weightDecay: 0 }],
 *   { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 },
 * );
 * console.log(opt.paramGroups.map((g) => g.weightDecay)); // [ 0.0005, 0 ]
 * ```
 */
export class SGD extends Optimizer<SGDGroupOptions, SGDState> {
  /**
   * @param params - the tensors to optimize, or parameter groups `{ params, ...options }`.
   * @param options - the defaults; `lr` is required unless every group gives its own.
   */
  constructor(params: Iterable<Tensor>, options: SGDOptions);
  constructor(params: Iterable<ParamGroupInput<SGDGroupOptions>>, options?: Partial<SGDOptions>);
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput<SGDGroupOptions>>, options: Partial<SGDOptions> = {}) {
    const where = 'SGD()';
    checkOptionNames(where, options, OPTIONS);
    const defaults = {
      lr: options.lr,
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0,
      nesterov: options.nesterov ?? false,
      maximize: options.maximize ?? false,
    };
    validate(where, defaults);
    // An undefined `lr` default makes it required in every group (PyTorch's `required`).
    super(params, defaults as SGDGroupOptions);
  }

  protected override get optimizerName(): string {
    return 'SGD';
  }

  protected override validateGroup(group: ParamGroup<SGDGroupOptions>, where: string): void {
    // NOTE(torch): PyTorch validates only the constructor's defaults; the groups' own values
    // are checked here too, with the same messages.
    validate(where, group);
  }

  protected update(): void {
    const where = 'SGD.step()';
    let index = 0;
    for (const group of this.paramGroups) {
      const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
      for (const p of group.params) {
        const i = index++;
        const grad = p.grad;
        if (grad === null) continue;
        let state = this.state.get(p);
        if (state === undefined) {
          state = { momentumBuffer: null };
          this.state.set(p, state);
        }
        checkInplaceAllowed(p, where);
        const f32 = p.dtype === 'float32';
        const R = f32 ? Math.fround : same;
        // Python scalars converted to the parameter's dtype, as PyTorch's kernels convert them.
        const c: SGDScalars = {
          negLr: R(-lr),
          wd: R(weightDecay),
          decay: weightDecay !== 0,
          maximize,
          mom: R(momentum),
          oneMinusDampening: R(1 - dampening),
          nesterov,
          first: false,
        };
        if (momentum === 0) {
          runKernel(where, i, p, [grad], GRAD, f32 ? sgd32 : sgd64, c);
        } else {
          c.first = state.momentumBuffer === null;
          const buf = state.momentumBuffer ?? zerosLike(p);
          state.momentumBuffer = buf;
          runKernel(where, i, p, [grad, buf], GRAD_BUF, f32 ? sgdMomentum32 : sgdMomentum64, c);
          // mul_ and add_ each bump the buffer's version in PyTorch (the first step's clone does not).
          if (!c.first) buf._storage.version += 2;
        }
        p._bumpVersion();
      }
    }
  }
}

const GRAD = ['the gradient'];
const GRAD_BUF = ['the gradient', 'the momentum buffer'];

/** The scalars of an SGD step, in the parameter's dtype. */
interface SGDScalars {
  negLr: number;
  wd: number;
  decay: boolean;
  maximize: boolean;
  mom: number;
  oneMinusDampening: number;
  nesterov: boolean;
  first: boolean;
}

// The kernels, one PyTorch operation per line, in float32 (Math.fround after every operation,
// fmaf for the fused ones) and float64. Operands: [param, grad] or [param, grad, momentum buffer].

function sgd32(n: number, a: readonly TypedArray[], o: readonly number[], s: readonly number[], c: SGDScalars): void {
  const P = a[0]!;
  const G = a[1]!;
  const sp = s[0]!;
  const sg = s[1]!;
  const { negLr, wd, decay, maximize } = c;
  for (let k = 0, ip = o[0]!, ig = o[1]!; k < n; k++, ip += sp, ig += sg) {
    let g = maximize ? -G[ig]! : G[ig]!; // -grad
    if (decay) g = fmaf(wd, P[ip]!, g); // d_p.add(param, alpha=weight_decay)
    P[ip] = fmaf(negLr, g, P[ip]!); // param.add_(d_p, alpha=-lr)
  }
}

function sgd64(n: number, a: readonly TypedArray[], o: readonly number[], s: readonly number[], c: SGDScalars): void {
  const P = a[0]!;
  const G = a[1]!;
  const sp = s[0]!;
  const sg = s[1]!;
  const { negLr, wd, decay, maximize } = c;
  for (let k = 0, ip = o[0]!, ig = o[1]!; k < n; k++, ip += sp, ig += sg) {
    let g = maximize ? -G[ig]! : G[ig]!;
    if (decay) g = fma64(wd, P[ip]!, g);
    P[ip] = fma64(negLr, g, P[ip]!);
  }
}

function sgdMomentum32(n: number, a: readonly TypedArray[], o: readonly number[], s: readonly number[], c: SGDScalars): void {
  const P = a[0]!;
  const G = a[1]!;
  const B = a[2]!;
  const sp = s[0]!;
  const sg = s[1]!;
  const sb = s[2]!;
  const { negLr, wd, decay, maximize, mom, oneMinusDampening, nesterov, first } = c;
  for (let k = 0, ip = o[0]!, ig = o[1]!, ib = o[2]!; k < n; k++, ip += sp, ig += sg, ib += sb) {
    let g = maximize ? -G[ig]! : G[ig]!;
    if (decay) g = fmaf(wd, P[ip]!, g);
    // buf = clone(d_p) on the first step, then buf.mul_(momentum).add_(d_p, alpha=1 - dampening)
    const b = first ? g : fmaf(oneMinusDampening, g, Math.fround(B[ib]! * mom));
    B[ib] = b;
    if (nesterov) g = fmaf(mom, b, g); // d_p.add(buf, alpha=momentum)
    else g = b;
    P[ip] = fmaf(negLr, g, P[ip]!);
  }
}

function sgdMomentum64(n: number, a: readonly TypedArray[], o: readonly number[], s: readonly number[], c: SGDScalars): void {
  const P = a[0]!;
  const G = a[1]!;
  const B = a[2]!;
  const sp = s[0]!;
  const sg = s[1]!;
  const sb = s[2]!;
  const { negLr, wd, decay, maximize, mom, oneMinusDampening, nesterov, first } = c;
  for (let k = 0, ip = o[0]!, ig = o[1]!, ib = o[2]!; k < n; k++, ip += sp, ig += sg, ib += sb) {
    let g = maximize ? -G[ig]! : G[ig]!;
    if (decay) g = fma64(wd, P[ip]!, g);
    const b = first ? g : fma64(oneMinusDampening, g, B[ib]! * mom);
    B[ib] = b;
    if (nesterov) g = fma64(mom, b, g);
    else g = b;
    P[ip] = fma64(negLr, g, P[ip]!);
  }
}

function same(x: number): number {
  return x;
}
