import * as ir from '../ir/expr.js';
import { record } from '../autograd/record.js';
import { noGrad } from '../autograd/grad_mode.js';
import { runElementwise } from '../backends/index.js';
import type { Operand } from '../backends/js/elementwise.js';
import { cat } from '../ops/creation.js';
import { fused, type FusedSpec, needsGrad } from '../ops/fused.js';
import { allocateUninit } from '../tensor/dtype.js';
import { contiguousStrides } from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';
import { normalizeDim } from '../tensor/shape.js';
import { defineActivation } from './define.js';

const GLU = ir.mul(ir.input(0), ir.sigmoid(ir.input(1)));
/** d/da: g * sigmoid(b), over (b, g); d/db: g * (a * (sigmoid(b) * sigmoid(-b))), over (a, b, g). */
const GLU_DA = ir.mul(ir.input(1), ir.sigmoid(ir.input(0)));
const GLU_DB = ir.mul(ir.input(2), ir.mul(ir.input(0), ir.mul(ir.sigmoid(ir.input(1)), ir.sigmoid(ir.neg(ir.input(1))))));

/** A tensor as an elementwise operand. */
const operand = (t: Tensor): Operand => ({ data: t._storage.data, offset: t.offset, strides: t.strides });

/**
 * GLU's input gradient from the output gradient `g`: the two halves written in place into one
 * uncleared tensor. When the backward is itself recorded (createGraph with a gradient that
 * requires grad), the same formulas as fused differentiable operations, joined with `cat`.
 */
function gluBackward(g: Tensor, x: Tensor, d: number): Tensor {
  const h = x.shape[d]! / 2;
  const a = x.narrow(d, 0, h);
  const b = x.narrow(d, h, h);
  if (needsGrad([g, x])) {
    // Each formula one fused operation (one rounding, differentiable again), as autograd derives
    // them through the halves.
    const spec = (expr: ir.Expr): FusedSpec => ({ name: 'GluBackwardBackward0', expr, computeDtype: x.dtype, outDtype: x.dtype });
    const gg = g.dtype === x.dtype ? g : g.to(x.dtype);
    return cat([fused([b, gg], spec(GLU_DA)), fused([a, b, gg], spec(GLU_DB))], d);
  }
  const gi = new Tensor(new Storage(allocateUninit(x.dtype, x.numel())), [...x.shape], contiguousStrides(x.shape), 0, x.dtype);
  const half = a.shape;
  const first = gi.narrow(d, 0, h);
  const second = gi.narrow(d, h, h);
  // The gradient in x's dtype, broadcast to the half's shape if it came as a broadcast scalar.
  const gg = g.dtype === x.dtype ? g.expand(half) : g.to(x.dtype).expand(half);
  runElementwise(GLU_DA, x.dtype, half, operand(first), false, [operand(b), operand(gg)], {});
  runElementwise(GLU_DB, x.dtype, half, operand(second), false, [operand(a), operand(b), operand(gg)], {});
  return gi;
}

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
    const spec = { name: 'GluBackward0', expr: GLU, computeDtype: x.dtype, outDtype: x.dtype };
    if (!needsGrad([x])) return fused([a!, b!], spec);
    // Recorded as one node on x with a backward that writes both halves of x's gradient in one
    // pass each, as PyTorch's glu_backward does, instead of differentiating through the two
    // views (which zero-fills a gradient per half and adds them).
    const y = noGrad(() => fused([a!, b!], spec));
    return record(y, 'GluBackward0', [x], [x], (g, [xs]) => [gluBackward(g, xs!, d)]);
  },
  reference: (xs) => {
    const h = xs.length / 2;
    return xs.slice(0, h).map((a, i) => a / (1 + Math.exp(-xs[h + i]!)));
  },
  properties: { range: [-Infinity, Infinity], monotonic: false, kinks: [], zeroCentered: false, saturates: 'none' },
});
