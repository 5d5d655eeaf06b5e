import { softmax as softmaxOp } from '../ops/softmax.js';
import { onesLike, zerosLike } from '../ops/creation.js';
import { allocate } from '../tensor/dtype.js';
import { defaultGenerator } from '../tensor/random.js';
import { contiguousStrides } from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';
import { warn } from '../util/warn.js';
import { defineActivation } from './define.js';
import { softmaxRef } from './softmax_family.js';

/**
 * Gumbel noise -log(E), E ~ Exponential(1), shaped like `logits`. NOTE(torch): drawn as
 * `torch.empty_like(logits).exponential_().log()` negated, from the same generator stream.
 */
function gumbelNoise(logits: Tensor): Tensor {
  const n = logits.numel();
  const e = new Tensor(new Storage(allocate(logits.dtype, n)), [...logits.shape], contiguousStrides(logits.shape), 0, logits.dtype);
  defaultGenerator.exponential_(e._storage.data as Float32Array | Float64Array, 1);
  return e.log().neg();
}

/** Gumbel-softmax: a differentiable sample from the categorical distribution of `logits`. */
export default defineActivation({
  id: 'gumbel_softmax',
  module: 'GumbelSoftmax',
  kind: 'random',
  summary: 'Samples from softmax(logits) with Gumbel noise and temperature tau; hard samples are one-hot with straight-through gradients.',
  formula: 'softmax((logits + g) / tau), g = -log(-log(U))',
  source: 'Jang, Gu & Poole, "Categorical Reparameterization with Gumbel-Softmax", ICLR 2017',
  params: {
    // PyTorch divides by tau without converting it (1e39 gives a uniform sample, no error).
    tau: { type: 'float', default: 1, doc: 'temperature (lower is closer to one-hot)', range: [0.1, 5], convert: false },
    hard: { type: 'bool', default: false, doc: 'return one-hot samples with the soft sample\'s gradient' },
    eps: { type: 'float', default: 1e-10, doc: 'deprecated; has no effect' },
    dim: { type: 'int', default: -1, doc: 'the dimension of the categories' },
  },
  kernelName: 'softmax_lastdim_kernel_impl',
  apply: (logits, p, ctx) => {
    if (p.eps !== 1e-10) warn('`eps` parameter is deprecated and has no effect.');
    const ySoft = softmaxOp(logits.add(gumbelNoise(logits)).div(p.tau), p.dim, ctx.where);
    if (!p.hard) return ySoft;
    if (ySoft.dim() > 0 && ySoft.shape[((p.dim % ySoft.dim()) + ySoft.dim()) % ySoft.dim()] === 0) {
      throw new RangeError(`${ctx.where}: max(): Expected reduction dim ${p.dim} to have non-zero size.`);
    }
    // Straight-through: the value is exactly one-hot, the gradient is the soft sample's.
    const index = ySoft.max(p.dim, { keepdim: true }).indices;
    const yHard = zerosLike(ySoft).scatterAdd(p.dim, index, onesLike(index, { dtype: ySoft.dtype }));
    return yHard.sub(ySoft.detach()).add(ySoft);
  },
  reference: (xs, p) => softmaxRef(xs.map((v) => v / p.tau)),
  properties: { range: [0, 1], monotonic: false, kinks: [], zeroCentered: false, saturates: 'both' },
});
