import * as ir from '../ir/expr.js';
import { pyFloat } from '../util/pyformat.js';
import { defineActivation } from './define.js';

/** Hardtanh: `x` clamped to `[minVal, maxVal]`. */
export default defineActivation({
  id: 'hardtanh',
  module: 'Hardtanh',
  summary: 'The identity clamped to [min_val, max_val]: a piecewise-linear tanh.',
  formula: 'min(max(x, min_val), max_val)',
  params: {
    minVal: { type: 'float', default: -1, doc: 'lower bound of the output', range: [-5, 0] },
    maxVal: { type: 'float', default: 1, doc: 'upper bound of the output', range: [0, 6] },
  },
  integers: 'keep',
  kernelName: 'hardtanh',
  // NOTE(torch): bounds are truncated to the integer type, and a negative one is refused for
  // uint8 (so the default call on uint8 fails).
  checkInput: (x, p) =>
    x.dtype === 'uint8' && (Math.trunc(p.minVal) < 0 || Math.trunc(p.maxVal) < 0)
      ? `cannot do hardtanh on an unsigned type with negative limits (min_val=${p.minVal}, max_val=${p.maxVal} for a uint8 input)`
      : undefined,
  // NOTE(torch): PyTorch 2.3+ rejects min_val > max_val (1.13 silently clamped to max_val).
  validate: (p) => (p.minVal > p.maxVal ? `min_val cannot be greater than max_val (got min_val=${p.minVal}, max_val=${p.maxVal})` : undefined),
  // NOTE(torch): min(max(x, min_val), max_val) with NaN-propagating max and min, as PyTorch's
  // clamp: a NaN bound makes every element NaN; ties keep x, so -0.0 stays -0.0.
  forward: (x, p) => ir.min(ir.max(x, p.minVal), p.maxVal),
  // NOTE(torch): the gradient is 0 at both bounds (x <= min or x >= max), 1 strictly inside.
  derivative: (x, _y, p) => ir.where(ir.or(ir.le(x, p.minVal), ir.ge(x, p.maxVal)), 0, 1),
  inplace: {},
  gradFn: 'HardtanhBackward0',
  reference: (x, p) => (Number.isNaN(p.minVal) || Number.isNaN(p.maxVal) ? NaN : x < p.minVal ? p.minVal : x > p.maxVal ? p.maxVal : x),
  moduleSetup: {
    // NOTE(torch): nn.Hardtanh asserts max_val > min_val strictly in its constructor.
    validate: (p) => ((p['maxVal'] as number) > (p['minVal'] as number) ? undefined : `max_val must be greater than min_val (got min_val=${String(p['minVal'])}, max_val=${String(p['maxVal'])})`),
  },
  extraRepr: (p, inplace) => `min_val=${pyFloat(p.minVal)}, max_val=${pyFloat(p.maxVal)}${inplace ? ', inplace=True' : ''}`,
  properties: {
    range: (p) => [p.minVal, p.maxVal],
    monotonic: true,
    kinks: (p) => [p.minVal, p.maxVal],
    zeroCentered: true,
    saturates: 'both',
  },
});
