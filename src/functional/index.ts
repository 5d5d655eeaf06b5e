/**
 * `F`: the functional API, as PyTorch's `torch.nn.functional`. The activation functions are
 * generated from the declarations (`activations.ts`); the layer and loss functions are in
 * `nn.ts`.
 *
 * @packageDocumentation
 */
export * from './activations.js';
export * from './nn.js';
