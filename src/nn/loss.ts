/**
 * Loss modules, as PyTorch's `torch.nn` losses: thin modules over the functions of `F` that hold
 * the options (and register class weights as buffers, so they follow `to()` and appear in the
 * state dict as in PyTorch).
 */
import { Module } from './module.js';
import { Tensor } from '../tensor/tensor.js';
import * as F from '../functional/nn.js';
import type { Reduction } from '../functional/nn.js';

function checkOptions(opts: object, known: readonly string[], where: string): void {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`${where}: options must be an object, got ${opts === null ? 'null' : typeof opts}`);
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw new TypeError(`${where}: unknown option '${k}' (expected one of ${known.join(', ')})`);
  }
}

function checkReduction(r: unknown, where: string): Reduction {
  if (r === 'none' || r === 'mean' || r === 'sum') return r;
  throw new RangeError(`${where}: ${String(r)} is not a valid value for reduction (expected 'none', 'mean' or 'sum')`);
}

function optionalTensor(v: unknown, where: string, name: string): Tensor | null {
  if (v === undefined || v === null) return null;
  if (!(v instanceof Tensor)) throw new TypeError(`${where}: option '${name}' must be a Tensor, got ${typeof v}`);
  return v;
}

/** Options of {@link CrossEntropyLoss}. */
export interface CrossEntropyLossOptions {
  /** A weight per class, `(C)` (registered as the buffer `weight`). */
  weight?: Tensor | null;
  /** Targets equal to this are ignored. Default `-100`. */
  ignoreIndex?: number;
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** Amount of label smoothing in [0, 1]. Default `0`. */
  labelSmoothing?: number;
}

/**
 * The cross-entropy loss between logits and class indices (or class probabilities), as
 * `torch.nn.CrossEntropyLoss(weight=None, ignore_index=-100, reduction='mean',
 * label_smoothing=0.0)`; see {@link F.crossEntropy}.
 *
 * @example
 * ```ts
 * import { nn, tensor } from 'paoding';
 * const lossFn = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const logits = tensor([[2, 0.5, -1], [0, 1, 0]], { dtype: 'float64' });
 * console.log(lossFn.toString(), lossFn.forward(logits, tensor([0, 2], { dtype: 'int64' })).item()); // CrossEntropyLoss() 0.9547113386279376
 * ```
 */
export class CrossEntropyLoss extends Module {
  /** Targets equal to this are ignored. */
  ignoreIndex: number;
  /** How the per-sample losses are reduced. */
  reduction: Reduction;
  /** Amount of label smoothing. */
  labelSmoothing: number;
  /** The class weights (buffer `weight`), or null. */
  declare weight: Tensor | null;

  constructor(opts: CrossEntropyLossOptions = {}) {
    super();
    const where = 'nn.CrossEntropyLoss()';
    checkOptions(opts, ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'], where);
    this.registerBuffer('weight', optionalTensor(opts.weight, where, 'weight'));
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.reduction = checkReduction(opts.reduction ?? 'mean', where);
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}

/** Options of {@link NLLLoss}. */
export interface NLLLossOptions {
  /** A weight per class, `(C)` (registered as the buffer `weight`). */
  weight?: Tensor | null;
  /** Targets equal to this are ignored. Default `-100`. */
  ignoreIndex?: number;
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/**
 * The negative log-likelihood loss on log-probabilities, as `torch.nn.NLLLoss(weight=None,
 * ignore_index=-100, reduction='mean')`; see {@link F.nllLoss}.
 *
 * @example
 * ```ts
 * import { nn, tensor } from 'paoding';
 * const loss = new nn.NLLLoss().forward(tensor([[-0.5, -1.5]]), tensor([1], { dtype: 'int64' }));
 * console.log(loss.item()); // 1.5
 * ```
 */
export class NLLLoss extends Module {
  /** Targets equal to this are ignored. */
  ignoreIndex: number;
  /** How the per-sample losses are reduced. */
  reduction: Reduction;
  /** The class weights (buffer `weight`), or null. */
  declare weight: Tensor | null;

  constructor(opts: NLLLossOptions = {}) {
    super();
    const where = 'nn.NLLLoss()';
    checkOptions(opts, ['weight', 'ignoreIndex', 'reduction'], where);
    this.registerBuffer('weight', optionalTensor(opts.weight, where, 'weight'));
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.reduction = checkReduction(opts.reduction ?? 'mean', where);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Options of {@link MSELoss}. */
export interface MSELossOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/**
 * The mean squared error, as `torch.nn.MSELoss(reduction='mean')`; see {@link F.mseLoss}.
 *
 * @example
 * ```ts
 * import { nn, tensor } from 'paoding';
 * console.log(new nn.MSELoss({ reduction: 'sum' }).forward(tensor([1, 2]), tensor([0, 0])).item()); // 5
 * ```
 */
export class MSELoss extends Module {
  /** How the squared errors are reduced. */
  reduction: Reduction;

  constructor(opts: MSELossOptions = {}) {
    super();
    checkOptions(opts, ['reduction'], 'nn.MSELoss()');
    this.reduction = checkReduction(opts.reduction ?? 'mean', 'nn.MSELoss()');
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Options of {@link BCEWithLogitsLoss}. */
export interface BCEWithLogitsLossOptions {
  /** A weight per element, broadcast against the input (buffer `weight`). */
  weight?: Tensor | null;
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** A weight of the positive term per class (buffer `pos_weight`). */
  posWeight?: Tensor | null;
}

/**
 * Binary cross-entropy on logits, as `torch.nn.BCEWithLogitsLoss(weight=None, reduction='mean',
 * pos_weight=None)`; see {@link F.binaryCrossEntropyWithLogits}.
 *
 * @example
 * ```ts
 * import { nn, tensor } from 'paoding';
 * const lossFn = new nn.BCEWithLogitsLoss({ posWeight: tensor([2]) });
 * console.log(lossFn.forward(tensor([0]), tensor([1])).item()); // 1.3862943649291992
 * ```
 */
export class BCEWithLogitsLoss extends Module {
  /** How the per-element losses are reduced. */
  reduction: Reduction;
  /** The per-element weights (buffer `weight`), or null. */
  declare weight: Tensor | null;

  constructor(opts: BCEWithLogitsLossOptions = {}) {
    super();
    const where = 'nn.BCEWithLogitsLoss()';
    checkOptions(opts, ['weight', 'reduction', 'posWeight'], where);
    this.registerBuffer('weight', optionalTensor(opts.weight, where, 'weight'));
    this.registerBuffer('pos_weight', optionalTensor(opts.posWeight, where, 'posWeight'));
    this.reduction = checkReduction(opts.reduction ?? 'mean', where);
  }

  /** The positive-class weights (buffer `pos_weight`), or null. */
  get posWeight(): Tensor | null {
    return this._buffers.get('pos_weight') ?? null;
  }
  set posWeight(t: Tensor | null) {
    this._buffers.set('pos_weight', t);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}
