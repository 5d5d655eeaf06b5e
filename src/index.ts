/**
 * paoding: PyTorch's activation functions, tensors and autograd for TypeScript.
 *
 * @packageDocumentation
 */
import './setup.js';

export { Tensor } from './tensor/tensor.js';
export type { BackwardOptions, NestedList, RemovableHandle } from './tensor/tensor.js';
export type { DType, FloatDType } from './tensor/dtype.js';
export { getDefaultDtype, setDefaultDtype } from './tensor/dtype.js';
export {
  tensor,
  zeros,
  ones,
  full,
  empty,
  zerosLike,
  onesLike,
  fullLike,
  arange,
  linspace,
  eye,
  cat,
  stack,
} from './ops/creation.js';
export type { TensorOptions, TypedTensorOptions, NestedArray } from './ops/creation.js';
export { rand, randn, randint, randperm, randLike, randnLike, manualSeed, seed, initialSeed, Generator } from './ops/random.js';
export { where, maximum, minimum } from './ops/free.js';
export * as F from './functional/index.js';
export * as nn from './nn/index.js';
export * as autograd from './autograd/index.js';
export * as optim from './optim/index.js';
export * as ir from './ir/index.js';
export * as activations from './activations/public.js';
export * as data from './data/index.js';
export * as io from './io/index.js';
export { defineActivation } from './activations/define.js';
export type { Activation, ActivationOptions } from './activations/define.js';
export type { ActivationSpec, ElementwiseSpec, TensorSpec, ParamSpec, ParamSpecs, Properties } from './activations/spec.js';
export { setWarningHandler } from './util/warn.js';
export * as backends from './backends/public.js';
