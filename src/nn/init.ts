/**
 * Weight initialisation, as PyTorch's `torch.nn.init`: every initialiser fills its tensor in
 * place without recording autograd history, draws from the default generator in PyTorch's order
 * (so a seeded initialisation gives PyTorch's numbers) and returns the tensor.
 */
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad_mode.js';
import * as randomOps from '../ops/random.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { warn } from '../util/warn.js';

/** The nonlinearities `calculateGain` knows, as PyTorch spells them. */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';

const LINEAR = new Set(['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d']);

/**
 * The recommended gain for a nonlinearity, as `torch.nn.init.calculate_gain`: the factor by
 * which to scale initial weights so activations keep their variance through the layer.
 * `param` is leaky ReLU's negative slope (default 0.01) and is ignored otherwise.
 *
 * @example
 * ```ts
 * import { nn } from 'paoding';
 * console.log(nn.init.calculateGain('relu'), nn.init.calculateGain('leaky_relu', 0.2)); // 1.4142135623730951 1.3867504905630728
 * ```
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  if (LINEAR.has(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  switch (nonlinearity) {
    case 'tanh':
      return 5.0 / 3;
    case 'relu':
      return Math.sqrt(2.0);
    case 'leaky_relu': {
      let slope = 0.01;
      if (param !== undefined && param !== null) {
        // NOTE(torch): only a real number (not a bool, string or tensor) is a valid slope.
        if (typeof param !== 'number') throw new TypeError(`calculateGain(): negative_slope ${String(param)} not a valid number`);
        slope = param;
      }
      return Math.sqrt(2.0 / (1 + slope * slope));
    }
    case 'selu':
      // NOTE(torch): 3/4, chosen empirically in PyTorch (pull 50664) to keep SELU networks' activations in range.
      return 3.0 / 4;
    default:
      throw new RangeError(`calculateGain(): Unsupported nonlinearity ${String(nonlinearity)}`);
  }
}

/** PyTorch's snake_case name, for code ported verbatim. */
export const calculate_gain = calculateGain;

// ---- in-place initialisers ----------------------------------------------------------------------

/** Options shared by the random initialisers. */
export interface GeneratorOption {
  /** Draw from this generator instead of the default one. */
  generator?: Generator;
}

function checkTensorArg(t: unknown, where: string): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${where}: argument 'tensor' must be a Tensor, got ${t === null ? 'null' : typeof t}`);
}

function checkOpts(opts: object, known: readonly string[], where: string): void {
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw new TypeError(`${where}: unknown option '${k}' (expected one of ${known.join(', ')})`);
  }
}

/** Options of {@link uniform_}. */
export interface UniformOptions extends GeneratorOption {
  /** Lower bound. Default `0`. */
  a?: number;
  /** Upper bound. Default `1`. */
  b?: number;
}

/**
 * Fill `tensor` in place with values drawn from U(a, b), without recording it for autograd, as
 * `torch.nn.init.uniform_(tensor, a=0., b=1.)`. The bounds may be given positionally
 * (`uniform_(w, -0.1, 0.1)`) or as options. Returns `tensor`.
 *
 * @example
 * ```ts
 * import { nn, manualSeed, empty } from 'paoding';
 * manualSeed(0);
 * const w = nn.init.uniform_(empty([3]), -1, 1);
 * console.log(w.tolist()); // [ -0.007486820220947266, 0.5364435911178589, -0.8230451345443726 ]
 * ```
 */
export function uniform_(tensor: Tensor, a: number | UniformOptions = {}, b?: number): Tensor {
  const where = 'nn.init.uniform_()';
  checkTensorArg(tensor, where);
  const opts: UniformOptions = typeof a === 'number' ? { a, ...(b === undefined ? {} : { b }) } : a;
  checkOpts(opts, ['a', 'b', 'generator'], where);
  const lo = opts.a ?? 0;
  const hi = opts.b ?? 1;
  return noGrad(() => randomOps.uniform_(tensor, lo, hi, opts.generator ?? defaultGenerator));
}

/** Options of {@link normal_}. */
export interface NormalOptions extends GeneratorOption {
  /** Mean. Default `0`. */
  mean?: number;
  /** Standard deviation. Default `1`. */
  std?: number;
}

/**
 * Fill `tensor` in place with values drawn from N(mean, std²), without recording it for
 * autograd, as `torch.nn.init.normal_(tensor, mean=0., std=1.)`. Returns `tensor`.
 *
 * @example
 * ```ts
 * import { nn, manualSeed, empty } from 'paoding';
 * manualSeed(0);
 * console.log(nn.init.normal_(empty([2]), { std: 0.1 }).tolist()); // [ 0.15409961342811584, -0.0293428897857666 ]
 * ```
 */
export function normal_(tensor: Tensor, mean: number | NormalOptions = {}, std?: number): Tensor {
  const where = 'nn.init.normal_()';
  checkTensorArg(tensor, where);
  const opts: NormalOptions = typeof mean === 'number' ? { mean, ...(std === undefined ? {} : { std }) } : mean;
  checkOpts(opts, ['mean', 'std', 'generator'], where);
  return noGrad(() => randomOps.normal_(tensor, opts.mean ?? 0, opts.std ?? 1, opts.generator ?? defaultGenerator));
}

/**
 * Fill `tensor` in place with `val`, as `torch.nn.init.constant_`. Returns `tensor`.
 *
 * @example
 * ```ts
 * import { nn, empty } from 'paoding';
 * console.log(nn.init.constant_(empty([3]), 0.5).tolist()); // [ 0.5, 0.5, 0.5 ]
 * ```
 */
export function constant_(tensor: Tensor, val: number): Tensor {
  checkTensorArg(tensor, 'nn.init.constant_()');
  if (typeof val !== 'number') throw new TypeError(`nn.init.constant_(): argument 'val' must be a number, got ${typeof val}`);
  return noGrad(() => tensor.fill_(val));
}

/**
 * Fill `tensor` in place with zeros, as `torch.nn.init.zeros_`. Returns `tensor`.
 *
 * @example
 * ```ts
 * import { nn, ones } from 'paoding';
 * console.log(nn.init.zeros_(ones([2])).tolist()); // [ 0, 0 ]
 * ```
 */
export function zeros_(tensor: Tensor): Tensor {
  checkTensorArg(tensor, 'nn.init.zeros_()');
  return noGrad(() => tensor.zero_());
}

/**
 * Fill `tensor` in place with ones, as `torch.nn.init.ones_`. Returns `tensor`.
 *
 * @example
 * ```ts
 * import { nn, zeros } from 'paoding';
 * console.log(nn.init.ones_(zeros([2])).tolist()); // [ 1, 1 ]
 * ```
 */
export function ones_(tensor: Tensor): Tensor {
  checkTensorArg(tensor, 'nn.init.ones_()');
  return noGrad(() => tensor.fill_(1));
}

/**
 * The fan-in and fan-out of a weight, as PyTorch's `_calculate_fan_in_and_fan_out`: for a
 * `(out, in, *kernel)` weight, `in * prod(kernel)` and `out * prod(kernel)`.
 *
 * @example
 * ```ts
 * import { nn, empty } from 'paoding';
 * console.log(nn.init.calculateFanInAndFanOut(empty([16, 3, 5, 5]))); // [ 75, 400 ]
 * ```
 */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  checkTensorArg(tensor, 'nn.init.calculateFanInAndFanOut()');
  if (tensor.dim() < 2) {
    throw new RangeError('nn.init.calculateFanInAndFanOut(): Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  }
  const receptive = tensor.shape.slice(2).reduce((a, s) => a * s, 1);
  return [tensor.shape[1]! * receptive, tensor.shape[0]! * receptive];
}

/** Options of {@link xavierUniform_} and {@link xavierNormal_}. */
export interface XavierOptions extends GeneratorOption {
  /** Scaling factor, e.g. `calculateGain('relu')`. Default `1`. */
  gain?: number;
}

function xavierStd(tensor: Tensor, gain: number | XavierOptions, where: string): { std: number; generator: Generator } {
  checkTensorArg(tensor, where);
  const opts: XavierOptions = typeof gain === 'number' ? { gain } : gain;
  checkOpts(opts, ['gain', 'generator'], where);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return { std: (opts.gain ?? 1) * Math.sqrt(2.0 / (fanIn + fanOut)), generator: opts.generator ?? defaultGenerator };
}

/**
 * Glorot/Xavier uniform initialisation in place, as `torch.nn.init.xavier_uniform_`: values from
 * U(-a, a) with `a = gain * sqrt(6 / (fan_in + fan_out))`. Returns `tensor`.
 *
 * @example
 * ```ts
 * import { nn, empty } from 'paoding';
 * const w = nn.init.xavierUniform_(empty([20, 30]), { gain: nn.init.calculateGain('tanh') });
 * console.log(w.abs().max().item() <= (5 / 3) * Math.sqrt(6 / 50)); // true
 * ```
 */
export function xavierUniform_(tensor: Tensor, gain: number | XavierOptions = {}): Tensor {
  const { std, generator } = xavierStd(tensor, gain, 'nn.init.xavierUniform_()');
  const a = Math.sqrt(3.0) * std;
  return noGrad(() => randomOps.uniform_(tensor, -a, a, generator));
}

/**
 * Glorot/Xavier normal initialisation in place, as `torch.nn.init.xavier_normal_`: values from
 * N(0, std²) with `std = gain * sqrt(2 / (fan_in + fan_out))`. Returns `tensor`.
 *
 * @example
 * ```ts
 * import { nn, empty } from 'paoding';
 * const w = nn.init.xavierNormal_(empty([200, 300]));
 * console.log(Math.abs(w.std().item() - Math.sqrt(2 / 500)) < 1e-3); // true
 * ```
 */
export function xavierNormal_(tensor: Tensor, gain: number | XavierOptions = {}): Tensor {
  const { std, generator } = xavierStd(tensor, gain, 'nn.init.xavierNormal_()');
  return noGrad(() => randomOps.normal_(tensor, 0, std, generator));
}

/** Options of {@link kaimingUniform_} and {@link kaimingNormal_}. */
export interface KaimingOptions extends GeneratorOption {
  /** The negative slope of the rectifier that follows (leaky_relu only). Default `0`. */
  a?: number;
  /** `'fan_in'` (default) keeps the forward variance, `'fan_out'` the backward variance. */
  mode?: 'fan_in' | 'fan_out';
  /** The nonlinearity that follows, as {@link calculateGain} names it. Default `'leaky_relu'`. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(tensor: Tensor, a: number | KaimingOptions, where: string): { std: number; generator: Generator } | undefined {
  checkTensorArg(tensor, where);
  const opts: KaimingOptions = typeof a === 'number' ? { a } : a;
  checkOpts(opts, ['a', 'mode', 'nonlinearity', 'generator'], where);
  const mode = opts.mode ?? 'fan_in';
  if (mode !== 'fan_in' && mode !== 'fan_out') {
    throw new RangeError(`${where}: Mode ${String(mode)} not supported, please use one of ['fan_in', 'fan_out']`);
  }
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  if (tensor.numel() === 0) {
    warn('Initializing zero-element tensors is a no-op');
    return undefined;
  }
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return { std: gain / Math.sqrt(mode === 'fan_in' ? fanIn : fanOut), generator: opts.generator ?? defaultGenerator };
}

/**
 * He/Kaiming uniform initialisation in place, as `torch.nn.init.kaiming_uniform_`: values from
 * U(-bound, bound) with `bound = gain * sqrt(3 / fan)`, `gain = calculateGain(nonlinearity, a)`
 * and `fan` the fan-in or fan-out. `nn.Linear` initialises its weight with `{ a: Math.sqrt(5) }`,
 * which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Returns `tensor`.
 *
 * @example
 * ```ts
 * import { nn, empty } from 'paoding';
 * const w = nn.init.kaimingUniform_(empty([64, 100]), { mode: 'fan_in', nonlinearity: 'relu' });
 * console.log(w.abs().max().item() <= Math.sqrt(6 / 100)); // true
 * ```
 */
export function kaimingUniform_(tensor: Tensor, a: number | KaimingOptions = {}): Tensor {
  const s = kaimingStd(tensor, a, 'nn.init.kaimingUniform_()');
  if (s === undefined) return tensor;
  const bound = Math.sqrt(3.0) * s.std;
  return noGrad(() => randomOps.uniform_(tensor, -bound, bound, s.generator));
}

/**
 * He/Kaiming normal initialisation in place, as `torch.nn.init.kaiming_normal_`: values from
 * N(0, std²) with `std = gain / sqrt(fan)`. Returns `tensor`.
 *
 * LeCun normal initialisation (the one SELU networks want) is
 * `kaimingNormal_(w, { nonlinearity: 'linear' })`: std = 1 / sqrt(fan_in).
 *
 * @example
 * ```ts
 * import { nn, empty } from 'paoding';
 * const w = nn.init.kaimingNormal_(empty([300, 400]), { mode: 'fan_out', nonlinearity: 'relu' });
 * console.log(Math.abs(w.std().item() - Math.sqrt(2 / 300)) < 1e-3); // true
 * const lecun = nn.init.kaimingNormal_(empty([300, 400]), { nonlinearity: 'linear' });
 * console.log(Math.abs(lecun.std().item() - 1 / Math.sqrt(400)) < 1e-3); // true
 * ```
 */
export function kaimingNormal_(tensor: Tensor, a: number | KaimingOptions = {}): Tensor {
  const s = kaimingStd(tensor, a, 'nn.init.kaimingNormal_()');
  if (s === undefined) return tensor;
  return noGrad(() => randomOps.normal_(tensor, 0, s.std, s.generator));
}

// PyTorch's snake_case names, for code ported verbatim.
/** PyTorch's name of {@link xavierUniform_}. */
export const xavier_uniform_ = xavierUniform_;
/** PyTorch's name of {@link xavierNormal_}. */
export const xavier_normal_ = xavierNormal_;
/** PyTorch's name of {@link kaimingUniform_}. */
export const kaiming_uniform_ = kaimingUniform_;
/** PyTorch's name of {@link kaimingNormal_}. */
export const kaiming_normal_ = kaimingNormal_;
/** PyTorch's (private) name of {@link calculateFanInAndFanOut}. */
export const _calculate_fan_in_and_fan_out = calculateFanInAndFanOut;
