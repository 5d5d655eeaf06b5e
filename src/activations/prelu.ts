import * as ir from '../ir/expr.js';
import { torchTypeName } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { defineActivation } from './define.js';

/**
 * PReLU: leaky ReLU with a learnable slope, one per channel (dimension 1) or one for all.
 */
export default defineActivation({
  id: 'prelu',
  module: 'PReLU',
  summary: 'Leaky ReLU whose negative slope is learned: one weight, or one per channel (dim 1).',
  formula: 'x if x > 0 else weight[c] * x',
  source: 'He, Zhang, Ren & Sun, "Delving Deep into Rectifiers", ICCV 2015',
  params: { weight: { type: 'tensor', doc: 'the slopes: one element, or one per channel (size of dim 1)' } },
  kernelName: 'prelu_cpu',
  // NOTE(torch): PyTorch 2's prelu reshapes a per-channel weight to [1, C, 1, ...] so it
  // broadcasts along dim 1; a 1-D input counts as one channel.
  prepare: (x, p, where) => {
    const w = p.weight as Tensor;
    if (w.dtype !== x.dtype) {
      throw new TypeError(`${where}: prelu: Type promoting not supported. Got ${torchTypeName(x.dtype)} and ${torchTypeName(w.dtype)} (argument 'weight' must have the input's dtype)`);
    }
    const n = w.numel();
    if (n !== 1) {
      if (x.dim() === 0) throw new RangeError(`${where}: Not allow zero-dim input tensor. (argument 'weight' has ${n} elements, so the input needs a channel dimension)`);
      const channels = x.dim() >= 2 ? x.shape[1]! : 1;
      if (n !== channels) {
        throw new RangeError(`${where}: Mismatch of parameter numbers and input channel size. Found parameter numbers = ${n} and channel size = ${channels}.`);
      }
    }
    if (w.dim() > 1) throw new RangeError(`${where}: prelu: Expected \`weight\` to be a scalar or 1D tensor, but got: ndim = ${w.dim()}`);
    // One slope: a [1] weight broadcasts over an input with dimensions as it is (no view to
    // make per call); a 0-d input needs it 0-d, or the result would gain a dimension.
    if (n === 1) return { weight: w.dim() === 0 || x.dim() === 0 ? w.reshape([]) : w };
    return { weight: w.reshape([1, n, ...Array<number>(Math.max(0, x.dim() - 2)).fill(1)]) };
  },
  forward: (x, p) => ir.where(ir.gt(x, 0), x, ir.mul(p.weight, x)),
  gradFn: 'PreluBackward0',
  reference: (x, p) => (x > 0 ? x : (p.weight as unknown as number) * x),
  moduleSetup: {
    params: {
      numParameters: { type: 'int', default: 1, doc: 'number of slopes: 1, or the number of input channels', range: [1, 64] },
      init: { type: 'float', default: 0.25, doc: 'the initial slope', range: [0, 1] },
    },
    init: (m, v) => {
      m['weight'] = newWeight(v['numParameters'] as number, v['init'] as number);
    },
    callOptions: (m) => ({ weight: m['weight'] }),
  },
  extraRepr: (p) => `num_parameters=${(p as unknown as { numParameters: number }).numParameters}`,
  properties: { range: [-Infinity, Infinity], monotonic: false, kinks: [0], zeroCentered: false, saturates: 'none' },
});

let newWeight: (n: number, init: number) => Tensor = () => {
  throw new Error('PReLU: parameter creation is not initialised');
};

/** @internal Connect the weight factory (nn.Parameter of full([n], init)) without an import cycle. */
export function setPreluWeightFactory(f: (n: number, init: number) => Tensor): void {
  newWeight = f;
}
