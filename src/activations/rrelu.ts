import * as ir from '../ir/expr.js';
import { fused, fusedInplace, type FusedSpec } from '../ops/fused.js';
import { allocate } from '../tensor/dtype.js';
import { defaultGenerator } from '../tensor/random.js';
import { contiguousStrides } from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';
import { defineActivation } from './define.js';
import { NEGATIVE_SLOPE_INPLACE } from './leaky_relu.js';

const X = ir.input(0);
const NOISE = ir.input(1);
// Built once: building (interning) an expression costs microseconds, more than the kernel on a
// small tensor.
/** Evaluation mode: leaky ReLU with the parameter `slope`. */
const EVAL = ir.where(ir.gt(X, 0), X, ir.mul(X, ir.param('slope')));
/** Its derivative read off the result (in place), as leaky_relu_'s. */
const EVAL_INPLACE_DERIVATIVE = ir.where(ir.gt(ir.input(1), 0), 1, ir.param('slope'));
/** Training mode: x times the sampled noise (the slope, or 1 where x > 0). */
const TRAIN = ir.mul(X, NOISE);

/**
 * The per-element slopes of training mode: one uniform draw in [lower, upper) for each
 * element with x <= 0, visited in memory order of a contiguous copy, 1 elsewhere (NaN draws
 * nothing, since NaN <= 0 is false). NOTE(torch): the same draws, in the same order, from the
 * same generator as PyTorch's rrelu_with_noise kernel.
 */
function sampleNoise(x: Tensor, lower: number, upper: number): Tensor {
  const c = x.contiguous();
  const n = x.numel();
  const noise = new Tensor(new Storage(allocate(x.dtype, n)), [...x.shape], contiguousStrides(x.shape), 0, x.dtype);
  const src = c._storage.data;
  const dst = noise._storage.data;
  for (let i = 0; i < n; i++) dst[i] = src[c.offset + i]! <= 0 ? defaultGenerator.uniformDouble(lower, upper) : 1;
  return noise;
}

/** RReLU: leaky ReLU with a random slope in training, the mean slope in evaluation. */
export default defineActivation({
  id: 'rrelu',
  module: 'RReLU',
  kind: 'random',
  summary: 'Randomised leaky ReLU: a slope drawn from U(lower, upper) per element in training, (lower + upper) / 2 otherwise.',
  formula: 'x if x >= 0 else a * x, a ~ U(lower, upper) in training, (lower + upper) / 2 in evaluation',
  source: 'Xu, Wang, Chen & Li, "Empirical Evaluation of Rectified Activations in Convolutional Network", 2015',
  params: {
    lower: { type: 'float', default: 1 / 8, doc: 'lower bound of the random slope', range: [0, 0.5] },
    upper: { type: 'float', default: 1 / 3, doc: 'upper bound of the random slope', range: [0, 0.5] },
    training: { type: 'bool', default: false, doc: 'draw random slopes (the functional form defaults to false)' },
  },
  kernelName: 'leaky_relu_cpu',
  validate: (p) => (p.lower <= p.upper ? undefined : 'Lower bound should be less than or equal to the upper bound'),
  apply: (x, p, ctx) => {
    if (!p.training) {
      // NOTE(torch): evaluation mode is leaky_relu with slope (lower + upper) / 2, computed in double.
      const spec: FusedSpec = {
        name: ctx.inplace ? 'RreluWithNoiseBackward1' : 'RreluWithNoiseBackward0',
        expr: EVAL,
        computeDtype: x.dtype,
        outDtype: x.dtype,
        params: { slope: (p.lower + p.upper) / 2 },
      };
      if (!ctx.inplace) return fused([x], spec);
      const slope = (p.lower + p.upper) / 2;
      return fusedInplace(x, [], spec, {
        derivatives: [EVAL_INPLACE_DERIVATIVE],
        ...(slope < 0 ? { backwardError: NEGATIVE_SLOPE_INPLACE } : {}),
      });
    }
    const noise = sampleNoise(x, p.lower, p.upper);
    // NOTE(torch): the training backward is g * noise whatever x is (NaN included).
    const spec: FusedSpec = {
      name: ctx.inplace ? 'RreluWithNoiseBackward1' : 'RreluWithNoiseBackward0',
      expr: TRAIN,
      derivatives: [NOISE],
      computeDtype: x.dtype,
      outDtype: x.dtype,
    };
    return ctx.inplace ? fusedInplace(x, [noise], spec) : fused([x, noise], spec);
  },
  reference: (xs, p) => xs.map((v) => (v >= 0 ? v : (v * (p.lower + p.upper)) / 2)),
  inplace: {},
  moduleSetup: { omit: ['training'], callOptions: (m, opts) => ({ ...opts, training: m.training }) },
  properties: {
    range: [-Infinity, Infinity],
    monotonic: (p) => p.lower >= 0,
    kinks: [0],
    zeroCentered: false,
    saturates: 'none',
  },
});
