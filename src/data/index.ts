/**
 * `data`: data sets and loading, as PyTorch's `torch.utils.data`, plus the IDX format of
 * MNIST-style data sets and small synthetic data sets. Everything here runs in browsers; reading
 * files from disk is in `paoding/node`.
 *
 * @packageDocumentation
 */
export { parseIdx, encodeIdx, IdxError } from './idx.js';
export type { ParseIdxOptions } from './idx.js';
export { gunzip, inflateRaw, InflateError } from './inflate.js';
export { TensorDataset, Subset, DataLoader, randomSplit, collate, standardize, scale } from './loader.js';
export type { Dataset, Collated, DataLoaderOptions, StandardizeOptions, Standardized, ScaleOptions } from './loader.js';
export { circle, xor, gaussian, spiral, moons, sine, linear } from './synthetic.js';
export type { SyntheticOptions, LinearOptions, Classification, Regression } from './synthetic.js';

/**
 * The ten Fashion-MNIST classes, by label.
 *
 * @example
 * ```ts
 * import { data } from 'paoding';
 * console.log(data.FASHION_MNIST_CLASSES[9]); // Ankle boot
 * ```
 */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);
