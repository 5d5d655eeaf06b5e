import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';

/** Threshold: `value` where `x <= threshold`, else `x`. */
export default defineActivation({
  id: 'threshold',
  module: 'Threshold',
  summary: 'Replaces every input at or below a threshold with a fixed value.',
  formula: 'value if x <= threshold else x',
  params: {
    threshold: { type: 'float', doc: 'inputs at or below this are replaced', range: [-3, 3] },
    value: { type: 'float', doc: 'the replacement', range: [-3, 3] },
  },
  integers: 'keep',
  kernelName: 'threshold_cpu',
  forward: (x, p) => ir.where(ir.le(x, p.threshold), p.value, x),
  inplace: { gradFn: 'ThresholdBackward1' },
  gradFn: 'ThresholdBackward0',
  reference: (x, p) => (x <= p.threshold ? p.value : x),
  properties: {
    range: [-Infinity, Infinity],
    monotonic: (p) => p.value <= p.threshold,
    kinks: (p) => [p.threshold],
    zeroCentered: false,
    saturates: 'none',
    deadZone: (p) => [-Infinity, p.threshold],
  },
});
