import * as ir from '../ir/expr.js';
import { fused } from '../ops/fused.js';
import { normalizeDim } from '../tensor/shape.js';
import { defineActivation } from './define.js';

/** GLU: the first half of `dim` gated by the sigmoid of the second half. */
export default defineActivation({
  id: 'glu',
  module: 'GLU',
  kind: 'gated',
  summary: 'Gated linear unit: splits the input in two along dim and returns a * sigmoid(b).',
  formula: 'a * sigmoid(b), where a, b = split(x, 2, dim)',
  source: 'Dauphin, Fan, Auli & Grangier, "Language Modeling with Gated Convolutional Networks", ICML 2017',
  params: { dim: { type: 'int', default: -1, doc: 'the dimension split in half' } },
  kernelName: 'glu_cpu',
  positional: ['dim'],
  apply: (x, p, ctx) => {
    if (x.dim() === 0) throw new RangeError(`${ctx.where}: glu does not support scalars because halving size must be even`);
    const d = normalizeDim(p.dim, x.dim(), ctx.where);
    const size = x.shape[d]!;
    if (size % 2 !== 0) throw new RangeError(`${ctx.where}: Halving dimension must be even, but dimension ${d} is size ${size}`);
    const [a, b] = x.chunk(2, d).length === 2 ? x.chunk(2, d) : [x.narrow(d, 0, 0), x.narrow(d, 0, 0)];
    return fused([a!, b!], {
      name: 'GluBackward0',
      expr: ir.mul(ir.input(0), ir.sigmoid(ir.input(1))),
      computeDtype: x.dtype,
      outDtype: x.dtype,
    });
  },
  reference: (xs) => {
    const h = xs.length / 2;
    return xs.slice(0, h).map((a, i) => a / (1 + Math.exp(-xs[h + i]!)));
  },
  properties: { range: [-Infinity, Infinity], monotonic: false, kinks: [], zeroCentered: false, saturates: 'none' },
});
