/**
 * `optim.AdamW`: Adam with decoupled weight decay, as PyTorch 1.13's `torch.optim.AdamW`.
 */
import { adamDefaults, adamUpdate, fixSteps, validateAdamGroup, type AdamGroupOptions, type AdamOptions, type AdamState } from './adam.js';
import { Optimizer, type OptimizerStateDict, type ParamGroup, type Params } from './optimizer.js';

/**
 * AdamW (Loshchilov and Hutter, "Decoupled Weight Decay Regularization"), as PyTorch's
 * `torch.optim.AdamW`: Adam whose weight decay shrinks the parameter directly,
 * `p = p * (1 - lr * weightDecay)`, before the Adam update, instead of adding an L2 term to the
 * gradient. Defaults are PyTorch's: `lr` 1e-3, `betas` [0.9, 0.999], `eps` 1e-8,
 * `weightDecay` 1e-2.
 *
 * NOTE(torch): as in PyTorch 1.13, the decay multiplication runs (and bumps the parameter's
 * version) even when `weightDecay` is 0. Trajectories match PyTorch's bit for bit, as Adam's.
 *
 * @example
 * ```ts
 * import { optim, nn, tensor } from 'paoding';
 * const w = new nn.Parameter(tensor([1, -2]));
 * const opt = new optim.AdamW([w], { lr: 0.1, weightDecay: 0.5 });
 * for (let i = 0; i < 3; i++) {
 *   opt.zeroGrad();
 *   w.mul(w).sum().backward();
 *   opt.step();
 * }
 * console.log(w.detach().toString()); // tensor([ 0.5750, -1.4310])
 * ```
 */
export class AdamW extends Optimizer<AdamGroupOptions, AdamState> {
  /**
   * @param params - the tensors to optimize, or parameter groups `{ params, ...options }`.
   * @param options - the defaults of every group.
   */
  constructor(params: Params<AdamGroupOptions>, options: AdamOptions = {}) {
    super(params, adamDefaults('AdamW()', options, 1e-2));
  }

  protected override get optimizerName(): string {
    return 'AdamW';
  }

  protected override validateGroup(group: ParamGroup<AdamGroupOptions>, where: string): void {
    validateAdamGroup(group, where);
  }

  protected update(): void {
    adamUpdate(this, true, 'AdamW.step()');
  }

  override loadStateDict(stateDict: OptimizerStateDict<AdamGroupOptions, AdamState>): void {
    super.loadStateDict(stateDict);
    fixSteps(this);
  }
}
