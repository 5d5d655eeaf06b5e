/**
 * `optim.lrScheduler`: learning-rate schedules, as PyTorch 1.13's `torch.optim.lr_scheduler`.
 * A scheduler rewrites `lr` in its optimizer's parameter groups each time its `step()` runs
 * (once per epoch, after the optimizer's steps of that epoch).
 */
import { glibcCos } from '../tensor/random.js';
import { formatFloatExp } from '../util/pyformat.js';
import { warn } from '../util/warn.js';
import { powi } from './kernels.js';
import { camelCase, checkBoolean, checkNumber, checkOptionNames, describe, Optimizer, pyNumber } from './optimizer.js';

/** Options every scheduler takes. */
export interface SchedulerOptions {
  /**
   * The index of the last epoch, to resume a schedule (the optimizer's groups must then carry
   * `initialLr`). Default -1: start from the groups' current `lr`.
   */
  lastEpoch?: number;
  /** Print each change of a learning rate, as PyTorch's `verbose=True`. Default false. */
  verbose?: boolean;
}

const BASE_OPTIONS = ['lastEpoch', 'verbose'];

/** A scheduler's state (`scheduler.state_dict()`): its fields, camelCased, except the optimizer. */
export type SchedulerStateDict = Record<string, unknown>;

/** An optimizer whose groups have an `lr`: schedulers read and write only `lr` and `initialLr`. */
export type SchedulableOptimizer = Optimizer<{ lr: number }, object>;

/**
 * The base class of learning-rate schedulers, as PyTorch's `_LRScheduler` (`LRScheduler` in
 * PyTorch 2). Subclasses implement `getLr()`, PyTorch's chainable form: the new learning rates
 * computed from the current ones and `lastEpoch`.
 *
 * Creating a scheduler records each group's `initialLr` (unless resuming) and takes a first
 * step to epoch 0.
 */
export abstract class LRScheduler {
  /** The optimizer whose learning rates this scheduler sets. */
  readonly optimizer: SchedulableOptimizer;
  /** The groups' `initialLr`s: the learning rates the schedule starts from. */
  baseLrs: number[];
  /** The index of the current epoch (0 after construction, +1 per `step()`). */
  lastEpoch: number;
  /** Whether each change is printed. */
  verbose: boolean;
  /** @internal How many times `step()` ran (PyTorch's `_step_count`). */
  _stepCount = 0;
  /** @internal The learning rates after the last step (PyTorch's `_last_lr`). */
  _lastLr: number[] = [];

  /** @param optimizer - the optimizer to schedule. */
  constructor(optimizer: SchedulableOptimizer, options: SchedulerOptions = {}) {
    const where = `${new.target.name}()`;
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${where}: ${describe(optimizer)} is not an Optimizer`);
    const lastEpoch = options.lastEpoch ?? -1;
    if (!Number.isInteger(lastEpoch)) throw new TypeError(`${where}: argument 'lastEpoch' must be an integer, got ${String(lastEpoch)}`);
    this.optimizer = optimizer;
    const groups = this.optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const g of groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined) throw new Error(`${where}: param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer (set paramGroups[${i}].initialLr)`);
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
    this.verbose = checkBoolean(where, 'verbose', options.verbose ?? false);
  }

  /**
   * The first step, to epoch 0. Subclasses call it at the end of their constructor, once their
   * own fields are set (PyTorch's base constructor can call it only because Python subclasses
   * set their fields before calling it).
   */
  protected initialStep(): void {
    this.optimizer._stepCount = 0;
    this._stepCount = 0;
    this.step();
  }

  /** The learning rates for the epoch `lastEpoch`, from the current ones (PyTorch's `get_lr`). */
  protected abstract getLr(): number[];

  /**
   * Advance to the next epoch and set the groups' learning rates.
   *
   * @example
   * ```ts
   * import { optim, nn, tensor } from 'paoding';
   * const opt = new optim.SGD([new nn.Parameter(tensor([1]))], { lr: 1 });
   * const sched = new optim.lrScheduler.StepLR(opt, 2, { gamma: 0.5 });
   * const lrs: number[] = [];
   * for (let epoch = 0; epoch < 5; epoch++) {
   *   lrs.push(opt.paramGroups[0]!.lr);
   *   opt.step();
   *   sched.step();
   * }
   * console.log(lrs, sched.lastEpoch); // [ 1, 1, 0.5, 0.5, 0.25 ] 5
   * ```
   */
  step(): void {
    if (this._stepCount === 1 && this.optimizer._stepCount < 1) {
      warn(
        'Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first value of the learning rate schedule. See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate',
      );
    }
    this._stepCount++;
    this.lastEpoch++;
    const values = this.getLr();
    const groups = this.optimizer.paramGroups;
    groups.forEach((g, i) => {
      const lr = values[i]!;
      g.lr = lr;
      // NOTE(torch): PyTorch prints with print(); console.log is the browser-safe equivalent.
      if (this.verbose) console.log(`Adjusting learning rate of group ${i} to ${formatFloatExp(lr, 4)}.`);
    });
    this._lastLr = groups.map((g) => g.lr);
  }

  /**
   * The learning rates the last `step()` set, one per group.
   *
   * @example
   * ```ts
   * import { optim, nn, tensor } from 'paoding';
   * const opt = new optim.SGD([new nn.Parameter(tensor([1]))], { lr: 0.1 });
   * const sched = new optim.lrScheduler.ExponentialLR(opt, 0.5);
   * opt.step();
   * sched.step();
   * console.log(sched.getLastLr()); // [ 0.05 ]
   * ```
   */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /** The field names of the state dict besides the base class's (the schedule's settings). */
  protected abstract get settings(): readonly string[];

  /**
   * The scheduler's state, as PyTorch's `state_dict()`: every field but the optimizer, camelCased
   * (`base_lrs` → `baseLrs`, `last_epoch` → `lastEpoch`, `_step_count` → `_stepCount`,
   * `_last_lr` → `_lastLr`, `step_size` → `stepSize`, `T_max` → `tMax`, `eta_min` → `etaMin`).
   *
   * @example
   * ```ts
   * import { optim, nn, tensor } from 'paoding';
   * const opt = new optim.SGD([new nn.Parameter(tensor([1]))], { lr: 0.1 });
   * const sched = new optim.lrScheduler.StepLR(opt, 30);
   * console.log(sched.stateDict()); // { stepSize: 30, gamma: 0.1, baseLrs: [ 0.1 ], lastEpoch: 0, verbose: false, _stepCount: 1, _lastLr: [ 0.1 ] }
   * ```
   */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = {};
    const self = this as unknown as Record<string, unknown>;
    for (const k of [...this.settings, 'baseLrs', 'lastEpoch', 'verbose', '_stepCount', '_lastLr']) out[k] = copy(self[k]);
    return out;
  }

  /**
   * Restore a state saved by `stateDict()` (PyTorch's snake_case keys are accepted too).
   *
   * @example
   * ```ts
   * import { optim, nn, tensor } from 'paoding';
   * const opt = new optim.SGD([new nn.Parameter(tensor([1]))], { lr: 1 });
   * const sched = new optim.lrScheduler.ExponentialLR(opt, 0.5);
   * opt.step();
   * sched.step();
   * const resumed = new optim.lrScheduler.ExponentialLR(opt, 0.5);
   * resumed.loadStateDict(sched.stateDict());
   * console.log(resumed.lastEpoch, resumed.getLastLr()); // 1 [ 0.5 ]
   * ```
   */
  loadStateDict(stateDict: SchedulerStateDict): void {
    if (typeof stateDict !== 'object' || stateDict === null) {
      throw new TypeError(`${this.constructor.name}.loadStateDict(): expected a state dict object, got ${describe(stateDict)}`);
    }
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(stateDict)) {
      const key = k === 'T_max' ? 'tMax' : camelCase(k);
      self[key] = key === 'milestones' ? toCounts(v) : copy(v);
    }
  }
}

function copy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copy);
  if (v instanceof Map) return new Map(v);
  return v;
}

/** Milestones as a count per epoch, from a list or a `{ epoch: count }` object (PyTorch's Counter). */
function toCounts(v: unknown): Map<number, number> {
  const counts = new Map<number, number>();
  if (v instanceof Map) for (const [k, c] of v) counts.set(Number(k), Number(c));
  else if (Array.isArray(v)) for (const m of v) counts.set(Number(m), (counts.get(Number(m)) ?? 0) + 1);
  else if (typeof v === 'object' && v !== null) for (const [k, c] of Object.entries(v)) counts.set(Number(k), Number(c));
  return counts;
}

/** Options of `StepLR`. */
export interface StepLROptions extends SchedulerOptions {
  /** The factor applied every `stepSize` epochs. Default 0.1. */
  gamma?: number;
}

/**
 * Multiply the learning rates by `gamma` every `stepSize` epochs, as PyTorch's `StepLR`.
 *
 * @example
 * ```ts
 * import { optim, nn, tensor } from 'paoding';
 * const opt = new optim.SGD([new nn.Parameter(tensor([1]))], { lr: 0.05 });
 * const sched = new optim.lrScheduler.StepLR(opt, 30, { gamma: 0.1 });
 * for (let epoch = 0; epoch < 60; epoch++) {
 *   opt.step();
 *   sched.step();
 * }
 * console.log(sched.getLastLr()); // [ 0.0005000000000000001 ]
 * ```
 */
export class StepLR extends LRScheduler {
  /** The period of the decay, in epochs. */
  stepSize: number;
  /** The factor of each decay. */
  gamma: number;

  /**
   * @param optimizer - the optimizer to schedule.
   * @param stepSize - the period of the decay, in epochs.
   */
  constructor(optimizer: SchedulableOptimizer, stepSize: number, options: StepLROptions = {}) {
    checkOptionNames('StepLR()', options, ['gamma', ...BASE_OPTIONS]);
    super(optimizer, options);
    if (!Number.isInteger(stepSize)) throw new TypeError(`StepLR(): argument 'stepSize' must be an integer, got ${String(stepSize)}`);
    this.stepSize = stepSize;
    this.gamma = checkNumber('StepLR()', 'gamma', options.gamma ?? 0.1);
    this.initialStep();
  }

  protected get settings(): readonly string[] {
    return ['stepSize', 'gamma'];
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }
}

/** Options of `MultiStepLR`. */
export interface MultiStepLROptions extends SchedulerOptions {
  /** The factor applied at each milestone. Default 0.1. */
  gamma?: number;
}

/**
 * Multiply the learning rates by `gamma` at each milestone epoch (by `gamma^k` at a milestone
 * listed `k` times), as PyTorch's `MultiStepLR`.
 *
 * @example
 * ```ts
 * import { optim, nn, tensor } from 'paoding';
 * const opt = new optim.SGD([new nn.Parameter(tensor([1]))], { lr: 1 });
 * const sched = new optim.lrScheduler.MultiStepLR(opt, [2, 4], { gamma: 0.5 });
 * const lrs: number[] = [];
 * for (let epoch = 0; epoch < 6; epoch++) {
 *   lrs.push(opt.paramGroups[0]!.lr);
 *   opt.step();
 *   sched.step();
 * }
 * console.log(lrs); // [ 1, 1, 0.5, 0.5, 0.25, 0.25 ]
 * ```
 */
export class MultiStepLR extends LRScheduler {
  /** How many times each milestone epoch was listed (PyTorch's `Counter`). */
  milestones: Map<number, number>;
  /** The factor of each decay. */
  gamma: number;

  /**
   * @param optimizer - the optimizer to schedule.
   * @param milestones - the epochs at which to decay (increasing).
   */
  constructor(optimizer: SchedulableOptimizer, milestones: Iterable<number>, options: MultiStepLROptions = {}) {
    checkOptionNames('MultiStepLR()', options, ['gamma', ...BASE_OPTIONS]);
    super(optimizer, options);
    if (milestones === null || typeof milestones !== 'object' || typeof milestones[Symbol.iterator] !== 'function') {
      throw new TypeError(`MultiStepLR(): argument 'milestones' must be a list of integers, got ${describe(milestones)}`);
    }
    const list = [...milestones];
    for (const m of list) if (!Number.isInteger(m)) throw new TypeError(`MultiStepLR(): argument 'milestones' must be a list of integers, got ${String(m)} in it`);
    this.milestones = toCounts(list);
    this.gamma = checkNumber('MultiStepLR()', 'gamma', options.gamma ?? 0.1);
    this.initialStep();
  }

  protected get settings(): readonly string[] {
    return ['milestones', 'gamma'];
  }

  /** The state; `milestones` is `{ epoch: count }`, as PyTorch's `Counter`. */
  override stateDict(): SchedulerStateDict {
    const out = super.stateDict();
    out.milestones = Object.fromEntries(this.milestones);
    return out;
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const count = this.milestones.get(this.lastEpoch);
    if (count === undefined) return groups.map((g) => g.lr);
    // Python's float ** int; glibc's pow is exact for a power of 1 and correctly rounded in
    // practice for the small powers here.
    const factor = powi(this.gamma, count);
    return groups.map((g) => g.lr * factor);
  }
}

/**
 * Multiply the learning rates by `gamma` every epoch, as PyTorch's `ExponentialLR`.
 *
 * @example
 * ```ts
 * import { optim, nn, tensor } from 'paoding';
 * const opt = new optim.SGD([new nn.Parameter(tensor([1]))], { lr: 1 });
 * const sched = new optim.lrScheduler.ExponentialLR(opt, 0.9);
 * for (let epoch = 0; epoch < 3; epoch++) {
 *   opt.step();
 *   sched.step();
 * }
 * console.log(sched.getLastLr()); // [ 0.7290000000000001 ]
 * ```
 */
export class ExponentialLR extends LRScheduler {
  /** The factor of each decay. */
  gamma: number;

  /**
   * @param optimizer - the optimizer to schedule.
   * @param gamma - the factor applied every epoch.
   */
  constructor(optimizer: SchedulableOptimizer, gamma: number, options: SchedulerOptions = {}) {
    checkOptionNames('ExponentialLR()', options, BASE_OPTIONS);
    super(optimizer, options);
    this.gamma = checkNumber('ExponentialLR()', 'gamma', gamma);
    this.initialStep();
  }

  protected get settings(): readonly string[] {
    return ['gamma'];
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }
}

/** A factor of the initial learning rate, as a function of the epoch. */
export type LrLambda = (epoch: number) => number;

/**
 * Set each learning rate to its initial value times `lrLambda(epoch)`, as PyTorch's `LambdaLR`.
 * Give one function, or one per parameter group.
 *
 * @example
 * ```ts
 * import { optim, nn, tensor } from 'paoding';
 * const opt = new optim.SGD([new nn.Parameter(tensor([1]))], { lr: 0.1 });
 * const warmup = new optim.lrScheduler.LambdaLR(opt, (epoch) => Math.min(1, (epoch + 1) / 4));
 * const lrs: number[] = [];
 * for (let epoch = 0; epoch < 5; epoch++) {
 *   lrs.push(opt.paramGroups[0]!.lr);
 *   opt.step();
 *   warmup.step();
 * }
 * console.log(lrs); // [ 0.025, 0.05, 0.07500000000000001, 0.1, 0.1 ]
 * ```
 */
export class LambdaLR extends LRScheduler {
  /** The factor functions, one per group. */
  lrLambdas: LrLambda[];

  /**
   * @param optimizer - the optimizer to schedule.
   * @param lrLambda - the factor as a function of the epoch, or one function per group.
   */
  constructor(optimizer: SchedulableOptimizer, lrLambda: LrLambda | readonly LrLambda[], options: SchedulerOptions = {}) {
    checkOptionNames('LambdaLR()', options, BASE_OPTIONS);
    super(optimizer, options);
    const n = this.optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) throw new RangeError(`LambdaLR(): Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
      this.lrLambdas = [...(lrLambda as readonly LrLambda[])];
    } else this.lrLambdas = new Array<LrLambda>(n).fill(lrLambda as LrLambda);
    for (const f of this.lrLambdas) if (typeof f !== 'function') throw new TypeError(`LambdaLR(): argument 'lrLambda' must be a function or a list of functions, got ${describe(f)}`);
    this.initialStep();
  }

  protected get settings(): readonly string[] {
    return [];
  }

  /**
   * The state; as in PyTorch, the functions themselves are not saved (`lrLambdas` holds one
   * `null` per group).
   */
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), lrLambdas: this.lrLambdas.map(() => null) };
  }

  override loadStateDict(stateDict: SchedulerStateDict): void {
    const { lrLambdas: _ignored, lr_lambdas: _ignored2, ...rest } = stateDict;
    super.loadStateDict(rest);
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }
}

/** Options of `CosineAnnealingLR`. */
export interface CosineAnnealingLROptions extends SchedulerOptions {
  /** The minimum learning rate. Default 0. */
  etaMin?: number;
}

/**
 * Anneal the learning rates along a cosine from their initial value down to `etaMin` over
 * `tMax` epochs (and back up over the next `tMax`), as PyTorch's `CosineAnnealingLR`:
 * `etaMin + (base - etaMin) * (1 + cos(pi * epoch / tMax)) / 2`.
 *
 * NOTE(torch): PyTorch computes the schedule recursively from the current learning rate, not
 * from the closed form above; this follows the same recursion and the same cosine (glibc's), so
 * the values match PyTorch's to the last bit, and changes made to `lr` from outside carry on as
 * in PyTorch.
 *
 * @example
 * ```ts
 * import { optim, nn, tensor } from 'paoding';
 * const opt = new optim.SGD([new nn.Parameter(tensor([1]))], { lr: 0.1 });
 * const sched = new optim.lrScheduler.CosineAnnealingLR(opt, 4, { etaMin: 0.001 });
 * const lrs: number[] = [];
 * for (let epoch = 0; epoch < 5; epoch++) {
 *   lrs.push(opt.paramGroups[0]!.lr);
 *   opt.step();
 *   sched.step();
 * }
 * console.log(lrs.map((lr) => lr.toFixed(5))); // [ '0.10000', '0.08550', '0.05050', '0.01550', '0.00100' ]
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  /** The number of epochs from the initial learning rate to the minimum (PyTorch's `T_max`). */
  tMax: number;
  /** The minimum learning rate (PyTorch's `eta_min`). */
  etaMin: number;

  /**
   * @param optimizer - the optimizer to schedule.
   * @param tMax - the number of epochs of a half period.
   */
  constructor(optimizer: SchedulableOptimizer, tMax: number, options: CosineAnnealingLROptions = {}) {
    checkOptionNames('CosineAnnealingLR()', options, ['etaMin', ...BASE_OPTIONS]);
    super(optimizer, options);
    this.tMax = checkNumber('CosineAnnealingLR()', 'tMax', tMax);
    if (!(tMax > 0)) throw new RangeError(`CosineAnnealingLR(): argument 'tMax' must be positive, got ${pyNumber(tMax)}`);
    this.etaMin = checkNumber('CosineAnnealingLR()', 'etaMin', options.etaMin ?? 0);
    this.initialStep();
  }

  protected get settings(): readonly string[] {
    return ['tMax', 'etaMin'];
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { lastEpoch: e, tMax: T, etaMin } = this;
    // The same expressions, in the same evaluation order, as PyTorch's get_lr.
    if (e === 0) return groups.map((g) => g.lr);
    if (this._stepCount === 1 && e > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + glibcCos((e * Math.PI) / T))) / 2);
    }
    if ((e - 1 - T) % (2 * T) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - glibcCos(Math.PI / T))) / 2);
    }
    return groups.map((g) => ((1 + glibcCos((Math.PI * e) / T)) / (1 + glibcCos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) + etaMin);
  }
}
