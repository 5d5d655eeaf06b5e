import { softmax as softmaxOp } from '../ops/softmax.js';
import { defineActivation } from './define.js';
import { softmaxRef } from './softmax_family.js';

/** Softmax2d: softmax over the channels of a (C, H, W) or (N, C, H, W) tensor. */
export default defineActivation({
  id: 'softmax2d',
  module: 'Softmax2d',
  kind: 'dim',
  functional: false,
  summary: 'Softmax over the channel dimension at every spatial location of an image batch.',
  formula: 'softmax(x, dim=-3)',
  params: {},
  apply: (x, _p, ctx) => {
    if (x.dim() !== 3 && x.dim() !== 4) {
      throw new RangeError(`${ctx.where}: Softmax2d requires a 3D or 4D tensor as input (got ${x.dim()}D)`);
    }
    return softmaxOp(x, -3, ctx.where);
  },
  reference: (xs) => softmaxRef(xs),
  properties: { range: [0, 1], monotonic: true, kinks: [], zeroCentered: false, saturates: 'both' },
});
