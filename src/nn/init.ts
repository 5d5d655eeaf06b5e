/**
 * Weight initialisation, as PyTorch's `torch.nn.init`.
 */

/** The nonlinearities `calculateGain` knows, as PyTorch spells them. */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';

const LINEAR = new Set(['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d']);

/**
 * The recommended gain for a nonlinearity, as `torch.nn.init.calculate_gain`: the factor by
 * which to scale initial weights so activations keep their variance through the layer.
 * `param` is leaky ReLU's negative slope (default 0.01) and is ignored otherwise.
 *
 * @example
 * ```ts
 * import { nn } from 'paoding';
 * console.log(nn.init.calculateGain('relu'), nn.init.calculateGain('leaky_relu', 0.2)); // 1.4142135623730951 1.3867504905630728
 * ```
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  if (LINEAR.has(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  switch (nonlinearity) {
    case 'tanh':
      return 5.0 / 3;
    case 'relu':
      return Math.sqrt(2.0);
    case 'leaky_relu': {
      let slope = 0.01;
      if (param !== undefined && param !== null) {
        // NOTE(torch): only a real number (not a bool, string or tensor) is a valid slope.
        if (typeof param !== 'number') throw new TypeError(`calculateGain(): negative_slope ${String(param)} not a valid number`);
        slope = param;
      }
      return Math.sqrt(2.0 / (1 + slope * slope));
    }
    case 'selu':
      // NOTE(torch): 3/4, chosen empirically in PyTorch (pull 50664) to keep SELU networks' activations in range.
      return 3.0 / 4;
    default:
      throw new RangeError(`calculateGain(): Unsupported nonlinearity ${String(nonlinearity)}`);
  }
}

/** PyTorch's snake_case name, for code ported verbatim. */
export const calculate_gain = calculateGain;
