/**
 * `optim`: optimizers and learning-rate schedulers, as PyTorch's `torch.optim`.
 *
 * @packageDocumentation
 */
export { Optimizer } from './optimizer.js';
export type { OptimizerStateDict, PackedParamGroup, ParamGroup, ParamGroupInput, Params, ZeroGradOptions } from './optimizer.js';
export { SGD } from './sgd.js';
export type { SGDOptions, SGDGroupOptions, SGDState } from './sgd.js';
export { Adam } from './adam.js';
export type { AdamOptions, AdamGroupOptions, AdamState } from './adam.js';
export { AdamW } from './adamw.js';
export * as lrScheduler from './lr_scheduler.js';
