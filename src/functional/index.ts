/**
 * `F`: the functional API, as PyTorch's `torch.nn.functional`. The activation functions are
 * generated from the declarations (`activations.ts`); everything else lives beside them.
 *
 * @packageDocumentation
 */
export * from './activations.js';
