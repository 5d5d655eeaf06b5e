import * as ir from '../ir/expr.js';
import { pyFloat } from '../util/pyformat.js';
import { defineActivation } from './define.js';

/** Hardshrink: zero inside `[-lambd, lambd]`, the identity outside. */
export default defineActivation({
  id: 'hardshrink',
  module: 'Hardshrink',
  summary: 'Zeroes inputs of magnitude at most lambd and keeps the rest unchanged.',
  formula: '0 if -lambd <= x <= lambd else x',
  params: { lambd: { type: 'float', default: 0.5, doc: 'half-width of the zeroed band (a negative lambd zeroes nothing)', range: [0, 2] } },
  kernelName: 'hardshrink_cpu',
  forward: (x, p) => ir.where(ir.and(ir.ge(x, ir.neg(p.lambd)), ir.le(x, p.lambd)), 0, x),
  gradFn: 'HardshrinkBackward0',
  reference: (x, p) => (x >= -p.lambd && x <= p.lambd ? 0 : x),
  extraRepr: (p) => pyFloat(p.lambd),
  properties: {
    range: [-Infinity, Infinity],
    monotonic: (p) => p.lambd <= 0,
    kinks: (p) => (p.lambd > 0 ? [-p.lambd, p.lambd] : []),
    zeroCentered: true,
    saturates: 'none',
    deadZone: (p) => (p.lambd >= 0 ? [-p.lambd, p.lambd] : undefined),
  },
});
