import * as ir from '../ir/expr.js';
import { pyFloat } from '../util/pyformat.js';
import { defineActivation } from './define.js';

/** Softshrink: shrinks inputs toward zero by `lambd`, zero inside the band. */
export default defineActivation({
  id: 'softshrink',
  module: 'Softshrink',
  summary: 'Soft thresholding: moves every input lambd toward zero, zeroing the band [-lambd, lambd].',
  formula: 'x - lambd if x > lambd else x + lambd if x < -lambd else 0',
  params: { lambd: { type: 'float', default: 0.5, doc: 'the shrinkage (must be >= 0)', range: [0, 2] } },
  kernelName: 'softshrink_cpu',
  // NOTE(torch): a NaN lambda fails the same check (PyTorch: "... but found to be nan.").
  validate: (p) => (p.lambd >= 0 ? undefined : `lambda must be greater or equal to 0, but found to be ${pyFloat(p.lambd)}.`),
  // NOTE(torch): written so NaN falls through to x + lambd = NaN: PyTorch 2.6 (pull 138421)
  // fixed softshrink(NaN), which 1.13 returned as 0.
  forward: (x, p) =>
    ir.where(ir.and(ir.ge(x, ir.neg(p.lambd)), ir.le(x, p.lambd)), 0, ir.where(ir.gt(x, p.lambd), ir.sub(x, p.lambd), ir.add(x, p.lambd))),
  gradFn: 'SoftshrinkBackward0',
  reference: (x, p) => (x > p.lambd ? x - p.lambd : x < -p.lambd ? x + p.lambd : Number.isNaN(x) ? NaN : 0),
  extraRepr: (p) => pyFloat(p.lambd),
  properties: {
    range: [-Infinity, Infinity],
    monotonic: true,
    kinks: (p) => (p.lambd > 0 ? [-p.lambd, p.lambd] : [0]),
    zeroCentered: true,
    saturates: 'none',
    deadZone: (p) => [-p.lambd, p.lambd],
  },
});
