/**
 * `nn`: modules, parameters and initialisation, as PyTorch's `torch.nn`.
 *
 * @packageDocumentation
 */
export { Module, Parameter } from './module.js';
export type { ForwardHook, ForwardPreHook, HookHandle } from './module.js';
export * from './activations.js';
export * as init from './init.js';
