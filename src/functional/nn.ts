/**
 * The layer and loss functions of `F` (PyTorch's `torch.nn.functional`): `linear`, `dropout`,
 * `alphaDropout`, `batchNorm`, and the losses `crossEntropy`, `nllLoss`, `mseLoss` and
 * `binaryCrossEntropyWithLogits`, with PyTorch's defaults, numerics, gradients and errors.
 *
 * Each loss is recorded as one autograd node with PyTorch's name (`NllLossBackward0`,
 * `MseLossBackward0`, ...) whose backward is written with differentiable tensor operations, so
 * that gradients of gradients work as everywhere else in paoding.
 *
 * @packageDocumentation
 */
import { record } from '../autograd/record.js';
import { isGradEnabled, noGrad } from '../autograd/grad_mode.js';
import { type DType, isFloat, torchTypeName } from '../tensor/dtype.js';
import { broadcastShapes, numel, sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { linearProduct, matmul } from '../ops/linalg.js';
import { logSoftmax } from '../ops/softmax.js';
import { empty, zeros } from '../ops/creation.js';
import { bernoulli_ } from '../ops/random.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { warn } from '../util/warn.js';

/** How a loss reduces its per-element values: PyTorch's `reduction`. */
export type Reduction = 'none' | 'mean' | 'sum';

/** `torch.Size([2, 3])`, as PyTorch prints shapes in messages. */
function torchSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}

function checkTensor(v: unknown, where: string, name: string): asserts v is Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${where}: argument '${name}' must be a Tensor, got ${v === null ? 'null' : typeof v}`);
}

function optionalTensor(v: unknown, where: string, name: string): Tensor | undefined {
  if (v === undefined || v === null) return undefined;
  checkTensor(v, where, name);
  return v;
}

function checkReduction(r: unknown, where: string): Reduction {
  if (r === 'none' || r === 'mean' || r === 'sum') return r;
  throw new RangeError(`${where}: ${String(r)} is not a valid value for reduction (expected 'none', 'mean' or 'sum')`);
}

function checkOptions(opts: object, known: readonly string[], where: string): void {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`${where}: options must be an object, got ${opts === null ? 'null' : typeof opts}`);
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw new TypeError(`${where}: unknown option '${k}' (expected one of ${known.join(', ')})`);
  }
}

/** A fresh tensor (no view base) holding `values` (float64 numbers) in `dtype`. */
function fromValues(values: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
  const t = empty(shape, { dtype });
  t._storage.data.set(values as never);
  return t;
}

/** The element values of `t` in row-major order, as float64. */
function valuesOf(t: Tensor): Float64Array {
  const c = t.contiguous();
  const out = new Float64Array(t.numel());
  const d = c._storage.data;
  for (let i = 0; i < out.length; i++) out[i] = d[c.offset + i]!;
  return out;
}

// ---- linear -------------------------------------------------------------------------------------

/**
 * `input @ weight.T (+ bias)`, for a 2-D input one matrix product with the bias added to its
 * result, recorded as one node (PyTorch's `AddmmBackward0`, or `MmBackward0` without bias).
 */
function linear2d(x: Tensor, w: Tensor, b: Tensor | undefined): Tensor {
  // `detach()` drops the view base that `mm` leaves, so in-place ops on the result (an in-place
  // ReLU after a Linear layer) rewrite this node's history, not a history-less base's.
  const product = noGrad(() => linearProduct(x, w, b));
  const out = product.out.detach();
  if (b !== undefined && !product.biasAdded) {
    const [rows, cols] = out.shape as [number, number];
    const o = out._storage.data;
    const bv = valuesOf(b.expand([cols]));
    for (let i = 0; i < rows; i++) {
      const base = out.offset + i * cols;
      for (let j = 0; j < cols; j++) o[base + j]! += bv[j]!;
    }
  }
  const inputs = b === undefined ? [x, w] : [x, w, b];
  // NOTE(torch): addmm saves the input only when the weight needs a gradient and the weight only
  // when the input needs one, so modifying the other in place does not break backward.
  const save = [w.requiresGrad ? x : undefined, x.requiresGrad ? w : undefined].filter((t): t is Tensor => t !== undefined);
  return record(out, b === undefined ? 'MmBackward0' : 'AddmmBackward0', inputs, save, (g, saved) => {
    const xs = w.requiresGrad ? saved[0]! : undefined;
    const ws = x.requiresGrad ? saved[w.requiresGrad ? 1 : 0]! : undefined;
    const grads: (Tensor | null)[] = [x.requiresGrad ? g.mm(ws!) : null, w.requiresGrad ? g.t().mm(xs!) : null];
    if (b !== undefined) grads.push(b.requiresGrad ? g.sum(0).reshape(b.shape) : null);
    return grads;
  });
}

/**
 * Apply an affine map to the last dimension: `input @ weight.T + bias`, as
 * `torch.nn.functional.linear`. `input` is `(*, in)`, `weight` `(out, in)`, `bias` `(out)`.
 *
 * A 2-D input runs one matrix product (the matmul kernel) with the bias added to its result; a
 * contiguous 3-D input is flattened to 2-D first, as in PyTorch.
 *
 * @example
 * ```ts
 * import { F, tensor } from 'paoding';
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const w = tensor([[1, 0], [0.5, -1]], { requiresGrad: true });
 * const b = tensor([0, 10], { requiresGrad: true });
 * const y = F.linear(x, w, b);
 * y.sum().backward();
 * console.log(y.tolist(), y.gradFn!.name); // [ [ 1, 8.5 ], [ 3, 7.5 ] ] AddmmBackward0
 * console.log(w.grad!.tolist(), b.grad!.tolist()); // [ [ 4, 6 ], [ 4, 6 ] ] [ 2, 2 ]
 * ```
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const where = 'linear()';
  checkTensor(input, where, 'input');
  checkTensor(weight, where, 'weight');
  const b = optionalTensor(bias, where, 'bias');
  if (input.dim() === 0 || weight.dim() === 0) {
    throw new RangeError(`${where}: both arguments to matmul need to be at least 1D, but they are ${input.dim()}D and ${weight.dim()}D`);
  }
  if (weight.dim() > 2) throw new RangeError(`${where}: argument 'weight' must be 1-D or 2-D, got a ${weight.dim()}-D tensor`);
  for (const [name, t] of [['weight', weight], ['bias', b]] as const) {
    if (t !== undefined && t.dtype !== input.dtype) {
      throw new TypeError(`${where}: expected scalar type ${torchTypeName(input.dtype)} but found ${torchTypeName(t.dtype)} (argument '${name}')`);
    }
  }
  const inF = input.shape[input.dim() - 1]!;
  if (weight.dim() === 2 && inF !== weight.shape[1]) {
    const rows = numel(input.shape) / Math.max(inF, 1);
    throw new RangeError(`${where}: mat1 and mat2 shapes cannot be multiplied (${input.dim() === 1 ? 1 : rows}x${inF} and ${weight.shape[1]}x${weight.shape[0]})`);
  }
  if (b !== undefined && weight.dim() === 2) {
    const out = weight.shape[0]!;
    if (b.dim() > 1 || (b.numel() !== out && b.numel() !== 1)) {
      throw new RangeError(
        `${where}: The expanded size of the tensor (${out}) must match the existing size (${b.shape[b.dim() - 1] ?? 1}) at non-singleton dimension ${Math.max(input.dim() - 1, 0)}.  Target sizes: [${[...input.shape.slice(0, -1), out].join(', ')}].  Tensor sizes: [${b.shape.join(', ')}]`,
      );
    }
  }
  if (weight.dim() === 2 && isFloat(input.dtype)) {
    if (input.dim() === 2) return linear2d(input, weight, b);
    // NOTE(torch): a contiguous 3-D input with a bias is flattened into one addmm and viewed
    // back (ViewBackward0); other shapes use matmul and then add the bias.
    if (input.dim() === 3 && b !== undefined && input.isContiguous()) {
      const [n, l] = input.shape as [number, number, number];
      return linear2d(input.view([n * l, inF]), weight, b).view([n, l, weight.shape[0]!]);
    }
  }
  const y = matmul(input, weight.t());
  return b === undefined ? y : y.add(b);
}

// ---- dropout ------------------------------------------------------------------------------------

/** Options of {@link dropout} and {@link alphaDropout}. */
export interface DropoutOptions {
  /** Probability of zeroing an element (PyTorch: `p`). Default `0.5`. */
  p?: number;
  /** Apply dropout (`true`) or return the input unchanged (PyTorch: `training`). */
  training?: boolean;
  /** Overwrite the input with the result (PyTorch: `inplace`). Default `false`. */
  inplace?: boolean;
  /** Draw the mask from this generator instead of the default one. */
  generator?: Generator;
}

function checkP(p: unknown, where: string): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new RangeError(`${where}: dropout probability has to be between 0 and 1, but got ${String(p)}`);
  }
  return p;
}

/** PyTorch's `_dropout_impl`: the mask, its scaling, and the alpha-dropout affine correction. */
function dropoutImpl(input: Tensor, opts: DropoutOptions, alpha: boolean, where: string): Tensor {
  checkTensor(input, where, 'input');
  checkOptions(opts, ['p', 'training', 'inplace', 'generator'], where);
  const p = checkP(opts.p ?? 0.5, where);
  const training = opts.training ?? !alpha;
  const inplace = opts.inplace ?? false;
  if (typeof training !== 'boolean') throw new TypeError(`${where}: option 'training' must be a boolean, got ${typeof training}`);
  if (typeof inplace !== 'boolean') throw new TypeError(`${where}: option 'inplace' must be a boolean, got ${typeof inplace}`);
  if (p === 0 || !training || input.numel() === 0) return input;
  if (!isFloat(input.dtype)) throw new TypeError(`${where}: expected a floating-point input, got ${input.dtype}`);
  if (p === 1) {
    const z = zeros([], { dtype: input.dtype });
    return inplace ? input.mul_(z) : input.mul(z);
  }
  // NOTE(torch): one bernoulli_(1 - p) draw per element from the default generator into a
  // contiguous tensor (row-major order even for a transposed input), so the mask equals
  // PyTorch's after the same seed.
  const noise = noGrad(() => bernoulli_(empty(input.shape, { dtype: input.dtype }), 1 - p, opts.generator ?? defaultGenerator));
  if (!alpha) {
    noGrad(() => noise.div_(1 - p));
    return inplace ? input.mul_(noise) : input.mul(noise);
  }
  // NOTE(torch): alpha dropout sets dropped units to SELU's negative saturation -alpha' and
  // applies a * x + b so that zero mean and unit variance are kept (Klambauer et al. 2017);
  // alpha' is SELU's scale * alpha.
  const alphaPrime = 1.7580993408473766;
  const a = 1 / Math.sqrt((alphaPrime * alphaPrime * p + 1) * (1 - p));
  const b = noGrad(() => noise.add(-1).mul_(alphaPrime * a).add_(alphaPrime * a * p));
  noGrad(() => noise.mul_(a));
  return inplace ? input.mul_(noise).add_(b) : input.mul(noise).add_(b);
}

/**
 * Randomly zero elements with probability `p` and scale the rest by `1 / (1 - p)`, as
 * `torch.nn.functional.dropout`. With `training: false` (or `p = 0`) the input is returned
 * unchanged. The mask is drawn from the default generator as PyTorch draws it, so after
 * `manualSeed(s)` it equals PyTorch's mask for the same seed.
 *
 * NOTE(torch): `F.dropout` defaults to `training: true`, unlike the module, which follows its
 * own `training` flag.
 *
 * @example
 * ```ts
 * import { F, manualSeed, ones } from 'paoding';
 * manualSeed(0);
 * console.log(F.dropout(ones([6]), { p: 0.5 }).tolist()); // [ 0, 0, 2, 0, 0, 0 ]
 * console.log(F.dropout(ones([2]), { training: false }).tolist()); // [ 1, 1 ]
 * ```
 */
export function dropout(input: Tensor, opts: DropoutOptions = {}): Tensor {
  return dropoutImpl(input, opts, false, 'dropout()');
}

/**
 * Alpha dropout, the dropout that keeps SELU networks self-normalising, as
 * `torch.nn.functional.alpha_dropout`: dropped elements are set to SELU's negative saturation
 * value and an affine correction keeps the mean and variance of standard-normal inputs.
 *
 * NOTE(torch): unlike `F.dropout`, `F.alpha_dropout` defaults to `training: false`.
 *
 * @example
 * ```ts
 * import { F, manualSeed, randn } from 'paoding';
 * manualSeed(0);
 * const x = randn([100000], { dtype: 'float64' });
 * const y = F.alphaDropout(x, { p: 0.2, training: true });
 * console.log(Math.abs(y.mean().item()) < 0.01, Math.abs(y.std().item() - 1) < 0.01); // true true
 * ```
 */
export function alphaDropout(input: Tensor, opts: DropoutOptions = {}): Tensor {
  return dropoutImpl(input, opts, true, 'alpha_dropout()');
}

// ---- batch norm -----------------------------------------------------------------------------------

/** Options of {@link batchNorm}. */
export interface BatchNormOptions {
  /** Per-channel scale (gamma), shape `(C)`. */
  weight?: Tensor | null;
  /** Per-channel shift (beta), shape `(C)`. */
  bias?: Tensor | null;
  /** Normalise with the batch's statistics and update the running ones. Default `false`. */
  training?: boolean;
  /** Weight of the new batch statistics in the running averages. Default `0.1`. */
  momentum?: number;
  /** Added to the variance before its square root. Default `1e-5`. */
  eps?: number;
}

/**
 * Batch normalisation over every dimension except the channel dimension 1, as
 * `torch.nn.functional.batch_norm`: `(x - mean) / sqrt(var + eps) * weight + bias`.
 *
 * In training the batch mean and biased variance normalise, and the running statistics (when
 * given) are updated in place with the unbiased variance:
 * `running = (1 - momentum) * running + momentum * batch`. In evaluation the running statistics
 * normalise. The gradient (PyTorch's `NativeBatchNormBackward0`) flows to input, weight and bias.
 *
 * @example
 * ```ts
 * import { F, tensor, zeros, ones } from 'paoding';
 * const x = tensor([[1, 10], [3, 30]]);
 * const rm = zeros([2]);
 * const rv = ones([2]);
 * const y = F.batchNorm(x, rm, rv, { training: true });
 * console.log(y.tolist(), rm.tolist(), rv.tolist()); // [ [ -0.9999949932098389, -0.9999999403953552 ], [ 0.9999949932098389, 0.9999999403953552 ] ] [ 0.20000000298023224, 2 ] [ 1.100000023841858, 20.899999618530273 ]
 * ```
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null | undefined, runningVar: Tensor | null | undefined, opts: BatchNormOptions = {}): Tensor {
  const where = 'batch_norm()';
  checkTensor(input, where, 'input');
  checkOptions(opts, ['weight', 'bias', 'training', 'momentum', 'eps'], where);
  const rm = optionalTensor(runningMean, where, 'running_mean');
  const rv = optionalTensor(runningVar, where, 'running_var');
  const weight = optionalTensor(opts.weight, where, 'weight');
  const bias = optionalTensor(opts.bias, where, 'bias');
  const training = opts.training ?? false;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  if (typeof training !== 'boolean') throw new TypeError(`${where}: option 'training' must be a boolean, got ${typeof training}`);
  if (typeof momentum !== 'number') throw new TypeError(`${where}: option 'momentum' must be a number, got ${typeof momentum}`);
  if (typeof eps !== 'number') throw new TypeError(`${where}: option 'eps' must be a number, got ${typeof eps}`);
  if (!isFloat(input.dtype)) throw new TypeError(`${where}: expected a floating-point input, got ${input.dtype}`);
  if (input.dim() < 2) throw new RangeError(`${where}: expected an input with at least 2 dimensions (N, C, ...), got ${input.dim()}-D`);
  const shape = input.shape;
  const C = shape[1]!;
  for (const [name, t] of [['running_mean', rm], ['running_var', rv], ['weight', weight], ['bias', bias]] as const) {
    if (t !== undefined && t.numel() !== C) throw new RangeError(`${where}: ${name} should contain ${C} elements not ${t.numel()}`);
  }
  if (!training && (rm === undefined || rv === undefined)) {
    throw new Error(`${where}: running_${rm === undefined ? 'mean' : 'var'} must be defined in evaluation mode`);
  }
  const N = shape[0]!;
  const L = numel(shape.slice(2));
  const count = N * L;
  if (training && count === 1) {
    throw new RangeError(`${where}: Expected more than 1 value per channel when training, got input size ${torchSize(shape)}`);
  }
  // Per-channel statistics in float64 (two passes: mean, then squared deviations).
  const xv = valuesOf(input);
  const mean = new Float64Array(C);
  const invstd = new Float64Array(C);
  if (training) {
    const varSum = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let n = 0; n < N; n++) for (let l = 0, o = (n * C + c) * L; l < L; l++) s += xv[o + l]!;
      const m = s / count;
      let v = 0;
      for (let n = 0; n < N; n++) {
        for (let l = 0, o = (n * C + c) * L; l < L; l++) {
          const d = xv[o + l]! - m;
          v += d * d;
        }
      }
      mean[c] = m;
      varSum[c] = v;
      invstd[c] = 1 / Math.sqrt(v / count + eps);
    }
    // NOTE(torch): the running variance is updated with the unbiased batch variance, while the
    // batch is normalised with the biased one.
    noGrad(() => {
      if (rm !== undefined) {
        const old = valuesOf(rm);
        rm.copy_(fromValues(old.map((r, c) => momentum * mean[c]! + (1 - momentum) * r), rm.shape, 'float64'));
      }
      if (rv !== undefined) {
        const old = valuesOf(rv);
        rv.copy_(fromValues(old.map((r, c) => momentum * (varSum[c]! / (count - 1)) + (1 - momentum) * r), rv.shape, 'float64'));
      }
    });
  } else {
    mean.set(valuesOf(rm!));
    const v = valuesOf(rv!);
    for (let c = 0; c < C; c++) invstd[c] = 1 / Math.sqrt(v[c]! + eps);
  }
  const wv = weight ? valuesOf(weight) : undefined;
  const bv = bias ? valuesOf(bias) : undefined;
  const yv = new Float64Array(xv.length);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const scale = invstd[c]! * (wv ? wv[c]! : 1);
      const shift = bv ? bv[c]! : 0;
      const m = mean[c]!;
      for (let l = 0, o = (n * C + c) * L; l < L; l++) yv[o + l] = (xv[o + l]! - m) * scale + shift;
    }
  }
  const out = fromValues(yv, shape, input.dtype);
  const inputs = [input, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const bshape = shape.map((s, i) => (i === 1 ? s : 1));
  const dims = shape.map((_, i) => i).filter((i) => i !== 1);
  const meanT = fromValues(mean, bshape, input.dtype);
  const invstdT = fromValues(invstd, bshape, input.dtype);
  return record(out, 'NativeBatchNormBackward0', inputs, [input], (g, [xs]) => {
    let m = meanT;
    let is = invstdT;
    // Recording the backward (createGraph): the statistics are functions of the input, so they
    // are recomputed with differentiable operations to get second derivatives right.
    if (training && isGradEnabled() && input.requiresGrad) {
      m = xs!.mean(dims, { keepdim: true });
      is = xs!.sub(m).square().mean(dims, { keepdim: true }).add(eps).rsqrt();
    }
    const xhat = xs!.sub(m).mul(is);
    const w = weight ? weight.reshape(bshape) : undefined;
    const grads: (Tensor | null)[] = [];
    if (input.requiresGrad) {
      const scale = w ? is.mul(w) : is;
      if (training) {
        const gMean = g.mean(dims, { keepdim: true });
        const gxMean = g.mul(xhat).mean(dims, { keepdim: true });
        grads.push(g.sub(gMean).sub(xhat.mul(gxMean)).mul(scale));
      } else grads.push(g.mul(scale));
    } else grads.push(null);
    if (weight) grads.push(weight.requiresGrad ? g.mul(xhat).sum(dims).reshape(weight.shape) : null);
    if (bias) grads.push(bias.requiresGrad ? g.sum(dims).reshape(bias.shape) : null);
    return grads;
  });
}

// ---- losses -------------------------------------------------------------------------------------

/** Options of {@link nllLoss}. */
export interface NllLossOptions {
  /** A weight per class, shape `(C)`. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing (and do not count in the mean). Default `-100`. */
  ignoreIndex?: number;
  /** `'mean'` (weighted mean over non-ignored targets, the default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mix the targets with the uniform distribution by this amount, in [0, 1]. Default `0`. */
  labelSmoothing?: number;
}

/** The class dimension and the layout checks shared by nll_loss and cross_entropy. */
function checkClassTarget(input: Tensor, target: Tensor, where: string): void {
  if (target.dtype !== 'int64') {
    throw new TypeError(`${where}: expected scalar type Long but found ${torchTypeName(target.dtype)} (class-index targets must be int64: tensor(labels, { dtype: 'int64' }))`);
  }
  const d = input.dim();
  if (d < 1) throw new RangeError(`${where}: input tensor should be 1D or more, got 0D`);
  if (d === 1) {
    if (target.dim() !== 0) throw new RangeError(`${where}: size mismatch (got input: [${input.shape.join(', ')}], target: [${target.shape.join(', ')}])`);
    return;
  }
  if (target.dim() === 0 || target.shape[0] !== input.shape[0]) {
    throw new RangeError(`${where}: Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0] ?? 0}).`);
  }
  const expected = [input.shape[0]!, ...input.shape.slice(2)];
  if (!sameShape(target.shape, expected)) {
    throw new RangeError(`${where}: Expected target size [${expected.join(', ')}], got [${target.shape.join(', ')}]`);
  }
}

/**
 * `nll_loss` on a class-index target: `-weight[t] * input[n, t, ...]`, reduced. Returns the
 * loss; the backward is the constant coefficient tensor times the upstream gradient.
 */
function nllCore(input: Tensor, target: Tensor, weight: Tensor | undefined, ignoreIndex: number, reduction: Reduction, where: string): Tensor {
  checkClassTarget(input, target, where);
  const unbatched = input.dim() === 1;
  const C = unbatched ? input.shape[0]! : input.shape[1]!;
  if (weight !== undefined && (weight.dim() !== 1 || weight.numel() !== C)) {
    throw new RangeError(`${where}: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: [${weight.shape.join(', ')}]`);
  }
  const N = unbatched ? 1 : input.shape[0]!;
  const L = unbatched ? 1 : numel(input.shape.slice(2));
  const xv = valuesOf(input);
  const tv = valuesOf(target);
  const wv = weight ? valuesOf(weight) : undefined;
  const losses = new Float64Array(N * L);
  const coef = new Float64Array(xv.length);
  let total = 0;
  let sum = 0;
  for (let n = 0; n < N; n++) {
    for (let l = 0; l < L; l++) {
      const k = n * L + l;
      const t = tv[k]!;
      if (t === ignoreIndex) continue;
      if (!(t >= 0 && t < C)) throw new RangeError(`${where}: Target ${t} is out of bounds.`);
      const w = wv ? wv[t]! : 1;
      const at = (n * C + t) * L + l;
      losses[k] = -w * xv[at]!;
      coef[at] = -w;
      total += w;
      sum += losses[k]!;
    }
  }
  const dtype = input.dtype;
  const outShape = unbatched ? [] : [input.shape[0]!, ...input.shape.slice(2)];
  // NOTE(torch): inputs of 3 or more dimensions go through nll_loss2d (NllLoss2DBackward0); the
  // unreduced loss of a non-4-D input is then a view of its (N, 1, L) result.
  const twoD = input.dim() >= 3;
  const name = twoD ? 'NllLoss2DBackward0' : 'NllLossBackward0';
  let out: Tensor;
  if (reduction === 'none') {
    out = fromValues(losses, twoD && input.dim() !== 4 ? [N, 1, L] : outShape, dtype);
  } else {
    // NOTE(torch): the mean divides by the total weight of the non-ignored targets (0/0 = NaN
    // when every target is ignored).
    out = fromValues([reduction === 'sum' ? sum : sum / total], [], dtype);
    if (reduction === 'mean') for (let i = 0; i < coef.length; i++) coef[i]! /= total;
  }
  const coefT = fromValues(coef, input.shape, dtype);
  const result = record(out, name, [input], [], (g) => {
    if (reduction !== 'none') return [coefT.mul(g)];
    const gl = g.reshape(unbatched ? [] : [N, 1, ...input.shape.slice(2)]);
    return [coefT.mul(gl)];
  });
  return twoD && reduction === 'none' && input.dim() !== 4 ? result.view(outShape) : result;
}

/**
 * The negative log-likelihood loss for log-probabilities `input` (`(N, C)`, `(N, C, d1, ...)` or
 * `(C)`) and int64 class indices `target` (`(N)`, `(N, d1, ...)` or `()`), as
 * `torch.nn.functional.nll_loss`. Combine with `logSoftmax`, or use {@link crossEntropy}.
 *
 * @example
 * ```ts
 * import { F, tensor } from 'paoding';
 * const logp = tensor([[-0.5, -1, -2], [-3, -0.1, -2]], { requiresGrad: true });
 * const loss = F.nllLoss(logp, tensor([0, 1], { dtype: 'int64' }));
 * loss.backward();
 * console.log(loss.item(), logp.grad!.tolist()); // 0.30000001192092896 [ [ -0.5, 0, 0 ], [ 0, -0.5, 0 ] ]
 * ```
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  const where = 'nll_loss()';
  checkTensor(input, where, 'input');
  checkTensor(target, where, 'target');
  checkOptions(opts, ['weight', 'ignoreIndex', 'reduction'], where);
  const weight = optionalTensor(opts.weight, where, 'weight');
  const reduction = checkReduction(opts.reduction ?? 'mean', where);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) throw new TypeError(`${where}: option 'ignoreIndex' must be an integer, got ${String(ignoreIndex)}`);
  if (!isFloat(input.dtype)) throw new TypeError(`${where}: expected a floating-point input, got ${input.dtype}`);
  return nllCore(input, target, weight, ignoreIndex, reduction, where);
}

/**
 * The cross-entropy loss between logits `input` and `target`, as
 * `torch.nn.functional.cross_entropy`: `log_softmax` over the class dimension (1, or 0 for an
 * unbatched `(C)` input) followed by the negative log-likelihood.
 *
 * `target` is either int64 class indices (`(N)`, `(N, d1, ...)`, or `()` for an unbatched
 * input), with `weight`, `ignoreIndex` and `labelSmoothing`, or class probabilities with the
 * input's shape (floating point; `ignoreIndex` is not supported there, as in PyTorch).
 *
 * @example
 * ```ts
 * import { F, tensor } from 'paoding';
 * const logits = tensor([[2, 0.5, -1], [0, 1, 0]], { dtype: 'float64', requiresGrad: true });
 * const labels = tensor([0, 2], { dtype: 'int64' });
 * const loss = F.crossEntropy(logits, labels);
 * loss.backward();
 * console.log(loss.item()); // 0.8963780052946041
 * console.log(F.crossEntropy(logits, labels, { labelSmoothing: 0.1, reduction: 'none' }).tolist()); // [ 0.391311296657157, 1.5181113805987176 ]
 * ```
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const where = 'cross_entropy()';
  checkTensor(input, where, 'input');
  checkTensor(target, where, 'target');
  checkOptions(opts, ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'], where);
  const weight = optionalTensor(opts.weight, where, 'weight');
  const reduction = checkReduction(opts.reduction ?? 'mean', where);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const ls = opts.labelSmoothing ?? 0;
  if (!Number.isInteger(ignoreIndex)) throw new TypeError(`${where}: option 'ignoreIndex' must be an integer, got ${String(ignoreIndex)}`);
  if (typeof ls !== 'number' || !(ls >= 0 && ls <= 1)) throw new RangeError(`${where}: label_smoothing must be between 0.0 and 1.0. Got: ${String(ls)}`);
  if (!isFloat(input.dtype)) throw new TypeError(`${where}: expected a floating-point input, got ${input.dtype}`);
  if (input.dim() < 1) throw new RangeError(`${where}: input tensor should be 1D or more, got 0D`);
  const classDim = input.dim() === 1 ? 0 : 1;
  const C = input.shape[classDim]!;
  if (weight !== undefined && (weight.dim() !== 1 || weight.numel() !== C)) {
    throw new RangeError(`${where}: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: [${weight.shape.join(', ')}]`);
  }
  const wshape = input.shape.map((s, i) => (i === classDim ? s : 1));
  const lp = logSoftmax(input, classDim, where);
  if (sameShape(input.shape, target.shape)) {
    // Class probabilities.
    if (!isFloat(target.dtype)) throw new TypeError(`${where}: Expected floating point type for target with class probabilities, got ${torchTypeName(target.dtype)}`);
    if (ignoreIndex >= 0) throw new RangeError(`${where}: ignore_index is not supported for floating point target`);
    const t = ls > 0 ? target.mul(1 - ls).add(ls / C) : target;
    let prod = lp.mul(t);
    if (weight !== undefined) prod = prod.mul(weight.reshape(wshape));
    if (reduction === 'none') return prod.sum(classDim).neg();
    if (reduction === 'sum') return prod.sum().neg();
    return prod.sum().neg().div(input.numel() / C);
  }
  const nll = nllCore(lp, target, weight, ignoreIndex, reduction, where);
  if (ls === 0) return nll;
  // NOTE(torch): with label smoothing the loss is (1 - ls) * nll + ls / C * smooth, where smooth
  // is the (weighted) sum of -log p over classes, zero at ignored targets, and its mean divides
  // by the same denominator as the nll mean.
  const ignored = target.eq(ignoreIndex);
  let smooth = weight !== undefined ? lp.mul(weight.reshape(wshape)).sum(classDim).neg() : lp.sum(classDim).neg();
  smooth = smooth.where(ignored.logicalNot(), 0);
  let ret: Tensor;
  if (reduction === 'none') ret = smooth;
  else if (reduction === 'sum') ret = smooth.sum();
  else {
    const tv = valuesOf(target);
    const wv = weight ? valuesOf(weight) : undefined;
    let denom = 0;
    for (const t of tv) if (t !== ignoreIndex) denom += wv ? wv[t]! : 1;
    ret = smooth.sum().div(fromValues([denom], [], input.dtype));
  }
  return nll.mul(1 - ls).add(ret.mul(ls / C));
}

/** Options of {@link mseLoss}. */
export interface MseLossOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

function reduceValues(v: Float64Array, reduction: Reduction, shape: readonly number[], dtype: DType): Tensor {
  if (reduction === 'none') return fromValues(v, shape, dtype);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return fromValues([reduction === 'sum' ? s : s / v.length], [], dtype);
}

/** A tensor's values broadcast to `shape`, as float64. */
function broadcastValues(t: Tensor, shape: readonly number[]): Float64Array {
  return valuesOf(sameShape(t.shape, shape) ? t : t.detach().expand(shape));
}

/**
 * The mean squared error `(input - target)^2`, reduced, as `torch.nn.functional.mse_loss`
 * (gradients flow to both arguments). Different shapes broadcast, with PyTorch's warning.
 *
 * @example
 * ```ts
 * import { F, tensor } from 'paoding';
 * const x = tensor([1, 2, 4], { requiresGrad: true });
 * const loss = F.mseLoss(x, tensor([1, 1, 1]));
 * loss.backward();
 * console.log(loss.item(), x.grad!.tolist(), loss.gradFn!.name); // 3.3333332538604736 [ 0, 0.6666666865348816, 2 ] MseLossBackward0
 * ```
 */
export function mseLoss(input: Tensor, target: Tensor, opts: MseLossOptions = {}): Tensor {
  const where = 'mse_loss()';
  checkTensor(input, where, 'input');
  checkTensor(target, where, 'target');
  checkOptions(opts, ['reduction'], where);
  const reduction = checkReduction(opts.reduction ?? 'mean', where);
  if (!sameShape(input.shape, target.shape)) {
    warn(
      `Using a target size (${torchSize(target.shape)}) that is different to the input size (${torchSize(input.shape)}). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.`,
    );
  }
  if (!isFloat(input.dtype) || !isFloat(target.dtype)) throw new TypeError(`${where}: expected floating-point input and target, got ${input.dtype} and ${target.dtype}`);
  const shape = broadcastShapes([input.shape, target.shape], where);
  const dtype: DType = input.dtype === 'float64' || target.dtype === 'float64' ? 'float64' : 'float32';
  const xv = broadcastValues(input, shape);
  const tv = broadcastValues(target, shape);
  const sq = xv.map((x, i) => (x - tv[i]!) ** 2);
  const out = reduceValues(sq, reduction, shape, dtype);
  const n = numel(shape);
  return record(out, 'MseLossBackward0', [input, target], [input, target], (g, [xs, ts]) => {
    // NOTE(torch): (input - target) * (2 * g), divided by the element count for the mean.
    const norm = reduction === 'mean' ? 2 / n : 2;
    const gx = xs!.sub(ts!).mul(g.mul(norm));
    return [input.requiresGrad ? sumTo(gx, input.shape) : null, target.requiresGrad ? sumTo(gx.neg(), target.shape) : null];
  });
}

/** Sum a broadcast gradient back to `shape`. */
function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.dim() - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.dim(); i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  return g.sum(dims, { keepdim: true }).reshape(shape);
}

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BceWithLogitsOptions {
  /** A weight per element, broadcast against the input. */
  weight?: Tensor | null;
  /** A weight of the positive term per class (broadcast along the last dimension). */
  posWeight?: Tensor | null;
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/** `log(sigmoid(x))` as differentiable tensor operations, stable for large |x|. */
function logSigmoid(x: Tensor): Tensor {
  // -softplus(-x) = -(max(-x, 0) + log1p(exp(-|x|)))
  return x.neg().clamp(0).add(x.abs().neg().exp().log1p()).neg();
}

/**
 * Binary cross-entropy on logits, as `torch.nn.functional.binary_cross_entropy_with_logits`:
 * `-weight * (posWeight * t * log(sigmoid(x)) + (1 - t) * log(1 - sigmoid(x)))`, computed in the
 * stable form `(1 - t) * x + (1 + (posWeight - 1) * t) * softplus(-x)`, which neither overflows
 * nor loses the small losses of confident predictions. Gradients flow to input and target.
 *
 * @example
 * ```ts
 * import { F, tensor } from 'paoding';
 * const x = tensor([-100, 0, 3], { dtype: 'float64', requiresGrad: true });
 * const t = tensor([0, 1, 1], { dtype: 'float64' });
 * console.log(F.binaryCrossEntropyWithLogits(x, t, { reduction: 'none' }).tolist()); // [ 0, 0.6931471805599453, 0.04858735157374206 ]
 * ```
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BceWithLogitsOptions = {}): Tensor {
  const where = 'binary_cross_entropy_with_logits()';
  checkTensor(input, where, 'input');
  checkTensor(target, where, 'target');
  checkOptions(opts, ['weight', 'posWeight', 'reduction'], where);
  const weight = optionalTensor(opts.weight, where, 'weight');
  const posWeight = optionalTensor(opts.posWeight, where, 'pos_weight');
  const reduction = checkReduction(opts.reduction ?? 'mean', where);
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(`${where}: Target size (${torchSize(target.shape)}) must be the same as input size (${torchSize(input.shape)})`);
  }
  if (!isFloat(input.dtype) || !isFloat(target.dtype)) throw new TypeError(`${where}: expected floating-point input and target, got ${input.dtype} and ${target.dtype}`);
  const shape = broadcastShapes([input.shape, ...(weight ? [weight.shape] : []), ...(posWeight ? [posWeight.shape] : [])], where);
  const dtype: DType = [input, target].some((t) => t.dtype === 'float64') ? 'float64' : 'float32';
  const xv = broadcastValues(input, shape);
  const tv = broadcastValues(target, shape);
  const wv = weight ? broadcastValues(weight, shape) : undefined;
  const pv = posWeight ? broadcastValues(posWeight, shape) : undefined;
  const lv = new Float64Array(xv.length);
  for (let i = 0; i < xv.length; i++) {
    const x = xv[i]!;
    const t = tv[i]!;
    // softplus(-x) = log(1 + exp(-x)), stably.
    const sp = Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    const lw = pv ? 1 + (pv[i]! - 1) * t : 1;
    let l = (1 - t) * x + lw * sp;
    if (wv) l *= wv[i]!;
    lv[i] = l;
  }
  const out = reduceValues(lv, reduction, shape, dtype);
  const n = input.numel();
  return record(out, 'BinaryCrossEntropyWithLogitsBackward0', [input, target], [input, target], (g, [xs, ts]) => {
    const scale = (gt: Tensor): Tensor => {
      let r = gt.mul(g);
      if (weight) r = r.mul(weight);
      return reduction === 'mean' ? r.div(n) : r;
    };
    let gx: Tensor | null = null;
    let gt: Tensor | null = null;
    if (input.requiresGrad) {
      // d/dx = (1 + (pw - 1) t) sigmoid(x) - pw t
      const base = posWeight ? posWeight.mul(ts!).add(1).sub(ts!).mul(xs!.sigmoid()).sub(posWeight.mul(ts!)) : xs!.sigmoid().sub(ts!);
      gx = sumTo(scale(base), input.shape);
    }
    if (target.requiresGrad) {
      // d/dt = log(sigmoid(-x)) - pw log(sigmoid(x)), which is -x without pos_weight.
      const base = posWeight ? logSigmoid(xs!.neg()).sub(logSigmoid(xs!).mul(posWeight)) : xs!.neg();
      gt = sumTo(scale(base), target.shape);
    }
    return [gx, gt];
  });
}
