/**
 * `nn`: modules, parameters and initialisation, as PyTorch's `torch.nn`.
 *
 * @packageDocumentation
 */
export { Module, Parameter } from './module.js';
export type { ForwardHook, ForwardPreHook, FullBackwardHook, HookHandle, IncompatibleKeys, StateDict } from './module.js';
export * from './activations.js';
export { Linear, BatchNorm1d, Dropout, AlphaDropout, Flatten, Identity, Sequential, ModuleList } from './layers.js';
export type { LinearOptions, BatchNormOptions, DropoutModuleOptions, FlattenOptions } from './layers.js';
export { CrossEntropyLoss, NLLLoss, MSELoss, BCEWithLogitsLoss } from './loss.js';
export type { CrossEntropyLossOptions, NLLLossOptions, MSELossOptions, BCEWithLogitsLossOptions } from './loss.js';
export * as init from './init.js';
