import * as ir from '../ir/expr.js';
import { defineActivation } from './define.js';

/** Hardswish: `x * relu6(x + 3) / 6`. */
export default defineActivation({
  id: 'hardswish',
  module: 'Hardswish',
  summary: 'A piecewise-quadratic Swish, as in MobileNetV3.',
  formula: 'x * min(max(x + 3, 0), 6) / 6',
  source: 'Howard et al., "Searching for MobileNetV3", 2019',
  params: {},
  kernelName: 'hardswish_cpu',
  // NOTE(torch): multiply by x before dividing by 6, as the kernel does; so every x <= -3
  // gives -0.0 (x * +0) and -inf gives NaN. The clamp is min/max rather than ir.clamp, whose
  // selection of a literal 0 the IR would fold into x * 0 = +0.
  forward: (x) => ir.div(ir.mul(x, ir.min(ir.max(ir.add(x, 3), 0), 6)), 6),
  // NOTE(torch): x/3 + 0.5 on the closed interval [-3, 3] (so -0.5 at -3 and 1.5 at 3), 0
  // below and 1 above; NaN falls through to 1. The values at exactly ±3 are constants so that
  // the second derivative there is 0, as in PyTorch's double backward (-3 < x < 3). The test
  // x < -3 comes first with a literal 0, so the backward selects 0 there whatever the upstream
  // gradient (NaN or inf included), as PyTorch's kernel returns 0 before reading it.
  derivative: (x) =>
    ir.where(
      ir.lt(x, -3),
      0,
      ir.where(ir.and(ir.gt(x, -3), ir.lt(x, 3)), ir.add(ir.div(x, 3), 0.5), ir.where(ir.eq(x, -3), -0.5, ir.where(ir.eq(x, 3), 1.5, 1))),
    ),
  inplace: {},
  gradFn: 'HardswishBackward0',
  reference: (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6,
  extraRepr: () => '',
  properties: { range: [-0.375, Infinity], monotonic: false, kinks: [-3, 3], zeroCentered: false, saturates: 'negative', deadZone: [-Infinity, -3] },
});
