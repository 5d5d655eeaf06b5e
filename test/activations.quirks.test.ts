/**
 * What individual activations do that the generic suite cannot express: PyTorch's module
 * reprs, argument errors, in-place restrictions, the softmax dim rule, PReLU's channels, and
 * nn.init.calculateGain.
 */
import { describe, expect, it } from 'vitest';
import { autograd, F, ir, manualSeed, nn, ones, randn, setWarningHandler, tensor, Tensor, zeros } from '../src/index.js';
import { fused } from '../src/ops/fused.js';

describe('module reprs read like PyTorch', () => {
  const cases: [unknown, string][] = [
    [new nn.Threshold(0.1, 20), 'Threshold(threshold=0.1, value=20.0)'],
    [new nn.Threshold(0.1, 20, { inplace: true }), 'Threshold(threshold=0.1, value=20.0, inplace=True)'],
    [new nn.ReLU(), 'ReLU()'],
    [new nn.ReLU({ inplace: true }), 'ReLU(inplace=True)'],
    [new nn.ReLU6(), 'ReLU6()'],
    [new nn.ReLU6({ inplace: true }), 'ReLU6(inplace=True)'],
    [new nn.Hardtanh(), 'Hardtanh(min_val=-1.0, max_val=1.0)'],
    [new nn.Hardtanh({ minVal: -2, maxVal: 2, inplace: true }), 'Hardtanh(min_val=-2.0, max_val=2.0, inplace=True)'],
    [new nn.Hardswish({ inplace: true }), 'Hardswish()'],
    [new nn.Hardsigmoid({ inplace: true }), 'Hardsigmoid()'],
    [new nn.ELU(), 'ELU(alpha=1.0)'],
    [new nn.ELU({ alpha: 0.5, inplace: true }), 'ELU(alpha=0.5, inplace=True)'],
    [new nn.SELU(), 'SELU()'],
    [new nn.SELU({ inplace: true }), 'SELU(inplace=True)'],
    [new nn.CELU(), 'CELU(alpha=1.0)'],
    [new nn.CELU({ alpha: 0.5, inplace: true }), 'CELU(alpha=0.5, inplace=True)'],
    [new nn.LeakyReLU(), 'LeakyReLU(negative_slope=0.01)'],
    [new nn.LeakyReLU({ negativeSlope: 0.2, inplace: true }), 'LeakyReLU(negative_slope=0.2, inplace=True)'],
    [new nn.LeakyReLU({ negativeSlope: 1e-5 }), 'LeakyReLU(negative_slope=1e-05)'],
    [new nn.PReLU(), 'PReLU(num_parameters=1)'],
    [new nn.PReLU({ numParameters: 3 }), 'PReLU(num_parameters=3)'],
    [new nn.RReLU(), 'RReLU(lower=0.125, upper=0.3333333333333333)'],
    [new nn.RReLU({ lower: 0.1, upper: 0.3, inplace: true }), 'RReLU(lower=0.1, upper=0.3, inplace=True)'],
    [new nn.GLU(), 'GLU(dim=-1)'],
    [new nn.GLU({ dim: 1 }), 'GLU(dim=1)'],
    [new nn.GELU(), "GELU(approximate='none')"],
    [new nn.GELU({ approximate: 'tanh' }), "GELU(approximate='tanh')"],
    [new nn.LogSigmoid(), 'LogSigmoid()'],
    [new nn.Hardshrink(), 'Hardshrink(0.5)'],
    [new nn.Softshrink({ lambd: 1.5 }), 'Softshrink(1.5)'],
    [new nn.Tanhshrink(), 'Tanhshrink()'],
    [new nn.Softsign(), 'Softsign()'],
    // NOTE(torch): later PyTorch made the defaults floats: Softplus(beta=1.0, threshold=20.0).
    [new nn.Softplus(), 'Softplus(beta=1.0, threshold=20.0)'],
    [new nn.Softplus({ beta: 0.5, threshold: 20 }), 'Softplus(beta=0.5, threshold=20.0)'],
    [new nn.SiLU(), 'SiLU()'],
    [new nn.SiLU({ inplace: true }), 'SiLU(inplace=True)'],
    [new nn.Mish(), 'Mish()'],
    [new nn.Mish({ inplace: true }), 'Mish(inplace=True)'],
    [new nn.Sigmoid(), 'Sigmoid()'],
    [new nn.Tanh(), 'Tanh()'],
    [new nn.Softmax(), 'Softmax(dim=None)'],
    [new nn.Softmax({ dim: -1 }), 'Softmax(dim=-1)'],
    [new nn.LogSoftmax({ dim: 1 }), 'LogSoftmax(dim=1)'],
    [new nn.Softmin({ dim: 0 }), 'Softmin(dim=0)'],
    [new nn.Softmax2d(), 'Softmax2d()'],
  ];
  it.each(cases.map(([m, s]) => [s, m]))('%s', (s, m) => {
    expect(String(m)).toBe(s);
  });
});

describe('argument errors', () => {
  const x = tensor([[1, 2, 3]]);
  it("glu's one-node backward gives the bits of differentiating through its two halves", () => {
    // The previous formulation: the fused product over the two views, differentiated by autograd.
    const viaViews = (x: Tensor, d: number): Tensor => {
      const [a, b] = x.chunk(2, d);
      return fused([a!, b!], { name: 'GluBackward0', expr: ir.mul(ir.input(0), ir.sigmoid(ir.input(1))), computeDtype: x.dtype, outDtype: x.dtype });
    };
    manualSeed(12);
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [shape, d] of [[[6, 8], 1], [[6, 8], 0], [[3, 10, 40], 1], [[2, 3, 64], -1]] as const) {
        const x = randn([...shape], { dtype, requiresGrad: true });
        const y = F.glu(x, { dim: d });
        expect(y.gradFn?.name).toBe('GluBackward0');
        const g = randn(y.shape, { dtype });
        const [got] = autograd.grad(y, x, { gradOutputs: g });
        const [want] = autograd.grad(viaViews(x, d), x, { gradOutputs: g });
        expect(Array.from(got!.toTypedArray())).toEqual(Array.from(want!.toTypedArray()));
        // The gradient of a sum: a broadcast scalar upstream.
        const [gs] = autograd.grad(F.glu(x, { dim: d }).sum(), x);
        const [ws] = autograd.grad(viaViews(x, d).sum(), x);
        expect(Array.from(gs!.toTypedArray())).toEqual(Array.from(ws!.toTypedArray()));
      }
    }
    // Second derivatives (createGraph): the backward recorded as operations.
    const x = randn([4, 6], { dtype: 'float64', requiresGrad: true });
    const g = randn([4, 3], { dtype: 'float64', requiresGrad: true });
    const [gx] = autograd.grad(F.glu(x), x, { gradOutputs: g, createGraph: true });
    const [gxv] = autograd.grad(viaViews(x, 1), x, { gradOutputs: g, createGraph: true });
    const [h1, k1] = autograd.grad(gx!.mul(gx!).sum(), [x, g]);
    const [h2, k2] = autograd.grad(gxv!.mul(gxv!).sum(), [x, g]);
    for (const [p, q] of [[h1, h2], [k1, k2]] as const) {
      const a = p!.toTypedArray();
      const b = q!.toTypedArray();
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b[i]!)));
    }
    // An in-place change of the input after the forward is caught at backward.
    const w = randn([2, 4], { requiresGrad: true });
    const z = w.mul(1);
    const yz = F.glu(z);
    z.mul_(2);
    expect(() => autograd.grad(yz.sum(), w)).toThrow(/modified by an inplace operation/);
  });

  it('glu on an odd dimension, on a scalar, and a bad dim', () => {
    expect(() => F.glu(x)).toThrow('F.glu(): Halving dimension must be even, but dimension 1 is size 3');
    expect(() => F.glu(tensor(1))).toThrow('glu does not support scalars because halving size must be even');
    expect(() => F.glu(tensor([[1, 2]]), { dim: 2 })).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
  });
  it('prelu weight that does not match the channels, has too many dims, or another dtype', () => {
    expect(() => F.prelu(zeros([2, 3]), ones([2]))).toThrow('Mismatch of parameter numbers and input channel size. Found parameter numbers = 2 and channel size = 3.');
    expect(() => F.prelu(tensor(1), ones([2]))).toThrow('Not allow zero-dim input tensor.');
    expect(() => F.prelu(zeros([2, 3]), ones([3, 1]))).toThrow('prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = 2');
    expect(() => F.prelu(zeros([2, 3]), ones([3], { dtype: 'float64' }))).toThrow('prelu: Type promoting not supported. Got Float and Double');
    expect(() => F.prelu(zeros([4]), ones([4]))).toThrow('channel size = 1');
    expect(() => F.prelu(zeros([2]), 0.25 as unknown as Tensor)).toThrow("F.prelu(): argument 'weight' must be a Tensor");
  });
  it('celu with alpha 0 fails in forward, not in the module constructor', () => {
    expect(() => F.celu(x, { alpha: 0 })).toThrow('ZeroDivisionError: alpha cannot be 0 for CELU');
    const m = new nn.CELU({ alpha: 0 });
    expect(String(m)).toBe('CELU(alpha=0.0)');
    expect(() => m.forward(x)).toThrow('alpha cannot be 0');
  });
  it('hardtanh with min above max (functional, as PyTorch 2.3+) and the module with min >= max', () => {
    expect(() => F.hardtanh(x, { minVal: 1, maxVal: -1 })).toThrow('min_val cannot be greater than max_val');
    expect(F.hardtanh(tensor([-2, 0, 2]), { minVal: 1, maxVal: 1 }).tolist()).toEqual([1, 1, 1]);
    expect(() => new nn.Hardtanh({ minVal: 1, maxVal: 1 })).toThrow('max_val must be greater than min_val');
    expect(() => new nn.Hardtanh({ minVal: 2, maxVal: 1 })).toThrow('nn.Hardtanh()');
  });
  it('softshrink with a negative lambda, rrelu with lower > upper, gelu with an unknown approximation', () => {
    expect(() => F.softshrink(x, { lambd: -0.5 })).toThrow('lambda must be greater or equal to 0, but found to be -0.5.');
    expect(() => F.rrelu(x, { lower: 0.3, upper: 0.1 })).toThrow('Lower bound should be less than or equal to the upper bound');
    expect(() => F.gelu(x, { approximate: 'fast' as 'none' })).toThrow("argument 'approximate' must be one of 'none', 'tanh'");
    expect(new nn.RReLU({ lower: 0.5, upper: 0.1 }).toString()).toBe('RReLU(lower=0.5, upper=0.1)');
  });
  it('an unknown option, a wrong type, a missing required argument', () => {
    expect(() => F.leakyRelu(x, { negative_slope: 0.2 } as never)).toThrow("F.leakyRelu(): unknown option 'negative_slope' (expected 'negativeSlope', 'inplace')");
    expect(() => F.leakyRelu(x, { negativeSlope: '0.2' } as never)).toThrow("F.leakyRelu(): argument 'negativeSlope' must be a number, got the string \"0.2\"");
    expect(() => (F.threshold as (...a: unknown[]) => Tensor)(x, 0.5)).toThrow("F.threshold(): missing required argument 'value'");
    expect(() => F.relu(x, { inplace: 1 } as never)).toThrow("option 'inplace' must be a boolean");
    expect(() => F.gelu(x, { inplace: true } as never)).toThrow("unknown option 'inplace'");
    expect(() => new nn.LeakyReLU({ slope: 1 } as never)).toThrow("nn.LeakyReLU(): unknown option 'slope'");
  });
  it('integer tensors where PyTorch refuses them, and where it accepts them', () => {
    const ints = tensor([-1, 0, 1], { dtype: 'int64' });
    expect(() => F.elu(ints)).toThrow(`"elu_cpu" not implemented for 'Long'`);
    expect(() => F.gelu(ints)).toThrow(`"GeluKernelImpl" not implemented for 'Long'`);
    expect(() => F.softmax(ints, 0)).toThrow(`"softmax_lastdim_kernel_impl" not implemented for 'Long'`);
    expect(F.softmax(ints, 0, { dtype: 'float64' }).dtype).toBe('float64');
    expect(() => F.relu(tensor([true, false]))).toThrow('Boolean inputs not supported for relu');
    expect(F.relu(ints).tolist()).toEqual([0, 0, 1]);
    expect(F.sigmoid(ints).dtype).toBe('float32');
    // NOTE(torch): threshold and value are truncated to the integer dtype first.
    expect(F.threshold(ints, -0.5, 9).tolist()).toEqual([9, 9, 1]);
    expect(F.hardtanh(tensor([-5, 0, 9], { dtype: 'int64' }), { minVal: -2.9, maxVal: 6.9 }).tolist()).toEqual([-2, 0, 6]);
  });
  it('bool tensors where a composite refuses them, and uint8 with a negative hardtanh bound', () => {
    const bools = tensor([true, false]);
    expect(() => F.softsign(bools)).toThrow(`F.softsign(): "abs_cpu" not implemented for 'Bool'`);
    expect(() => F.tanhshrink(bools)).toThrow('F.tanhshrink(): Subtraction, the `-` operator, with a bool tensor is not supported');
    expect(F.softsign(tensor([2], { dtype: 'int64' })).tolist()).toEqual([Math.fround(2 / 3)]);
    const u8 = tensor([0, 9], { dtype: 'uint8' });
    expect(() => F.hardtanh(u8)).toThrow('F.hardtanh(): cannot do hardtanh on an unsigned type with negative limits');
    // The bounds are truncated first: -0.5 becomes 0.
    expect(F.hardtanh(u8, { minVal: -0.5, maxVal: 3 }).tolist()).toEqual([0, 3]);
    expect(F.relu6(u8).tolist()).toEqual([0, 6]);
  });
  it('scalars that overflow the dtype they are converted to, as PyTorch checks them', () => {
    const f32 = tensor([-5, 2]);
    const msg = (type: string): RegExp => new RegExp(`value cannot be converted to type ${type} without overflow`);
    expect(() => F.threshold(f32, 1e39, 0)).toThrow(msg('float'));
    expect(() => F.threshold(f32, 3.4028235e38, 0)).toThrow("argument 'threshold' = 3.4028235e+38");
    expect(() => F.leakyRelu(f32, { negativeSlope: -1e39 })).toThrow(msg('float'));
    expect(() => F.elu(f32, { alpha: 1e39 })).toThrow(msg('float'));
    expect(() => F.softplus(f32, { threshold: 1e39 })).toThrow(msg('float'));
    expect(() => F.hardshrink(f32, { lambd: 1e39 })).toThrow(msg('float'));
    expect(() => F.rrelu(f32, { lower: 0.1, upper: 1e39 })).toThrow(msg('float'));
    // CELU's 1/alpha is converted too.
    expect(() => F.celu(f32, { alpha: 1e-39 })).toThrow("the derived scalar 'inputScale'");
    // Infinities and NaN convert; float64 takes any number; tau only divides.
    expect(F.threshold(f32, Infinity, 2).tolist()).toEqual([2, 2]);
    expect(F.threshold(f32.double(), 1e39, 0).tolist()).toEqual([0, 0]);
    expect(F.gumbelSoftmax(f32, { tau: 1e39 }).tolist()).toEqual([0.5, 0.5]);
    const u8 = tensor([0, 9], { dtype: 'uint8' });
    expect(() => F.threshold(u8, 2, 300)).toThrow(msg('uint8_t'));
    expect(() => F.threshold(u8, 2, 255.5)).toThrow(msg('uint8_t'));
    expect(() => F.threshold(u8, -256, 3)).toThrow(msg('uint8_t'));
    expect(F.threshold(u8, -255, 3).tolist()).toEqual([3, 9]);
    expect(() => F.threshold(tensor([0, 9], { dtype: 'int32' }), 2, 1e10)).toThrow(msg('int'));
    expect(() => F.threshold(tensor([0, 9], { dtype: 'int64' }), 2, 1e20)).toThrow(msg('int64_t'));
    expect(() => F.hardtanh(tensor([0, 9], { dtype: 'int32' }), { minVal: -1e10, maxVal: 3 })).toThrow(msg('int'));
  });
  it('softshrink with a NaN lambda fails the lambda check; hardtanh with a NaN bound gives NaN (a clamp)', () => {
    expect(() => F.softshrink(x, { lambd: NaN })).toThrow('lambda must be greater or equal to 0, but found to be nan.');
    expect(F.hardtanh(tensor([-5, 2]), { minVal: NaN, maxVal: 1 }).tolist()).toEqual([NaN, NaN]);
    expect(F.hardtanh(tensor([-5, 2]), { minVal: -1, maxVal: NaN }).tolist()).toEqual([NaN, NaN]);
    const y = F.hardtanh(tensor([-0, 0, -3, 3, NaN]), { minVal: -1, maxVal: 1 }).toTypedArray();
    expect(Array.from(y)).toEqual([-0, 0, -1, 1, NaN]);
    expect(Object.is(y[0], -0)).toBe(true);
  });
});

describe('backward rules that ignore the upstream gradient, and tails', () => {
  it("hardswish's gradient is 0 below -3 whatever the upstream gradient, NaN and inf included", () => {
    const x = tensor([-5, -Infinity, -3, 0, 4, NaN], { dtype: 'float64', requiresGrad: true });
    const g = tensor([NaN, Infinity, Infinity, NaN, NaN, 2], { dtype: 'float64' });
    const [gx] = autograd.grad(F.hardswish(x), x, { gradOutputs: g });
    // PyTorch: x < -3 ? 0 : x <= 3 ? g * (x / 3 + 0.5) : g (NaN falls through to g).
    expect(gx!.tolist()).toEqual([0, 0, -Infinity, NaN, NaN, 2]);
  });
  it("softplus's gradient keeps its subnormal tail in float64 (exp(beta x) down to beta x = -745)", () => {
    const x = tensor([-720, -710, -800, 0], { dtype: 'float64', requiresGrad: true });
    const [gx] = autograd.grad(F.softplus(x), x, { gradOutputs: tensor([1, Infinity, 1, 1], { dtype: 'float64' }) });
    expect(gx!.tolist()).toEqual([Math.exp(-720), Infinity, 0, 0.5]);
    const [gb] = autograd.grad(F.softplus(x, { beta: 2 }), x, { gradOutputs: tensor([1, 1, 1, 1], { dtype: 'float64' }) });
    expect(gb!.tolist()).toEqual([0, 0, 0, 0.5]);
    const h = tensor([-360], { dtype: 'float64', requiresGrad: true });
    expect(autograd.grad(F.softplus(h, { beta: 2 }), h)[0]!.tolist()).toEqual([Math.exp(-720)]);
  });
  it("softsign's gradient is 1 / (1 + |x|)^2 at every magnitude, NaN at infinity", () => {
    const x = tensor([1e7, 1e200, -1e38, 0, Infinity, -Infinity, NaN], { dtype: 'float64', requiresGrad: true });
    const [gx] = autograd.grad(F.softsign(x), x, { gradOutputs: tensor([1, 1, 1, 1, 1, 1, 1], { dtype: 'float64' }) });
    expect(gx!.tolist()).toEqual([1 / ((1e7 + 1) * (1e7 + 1)), 0, 1 / (1e38 * 1e38), 1, NaN, NaN, NaN]);
    const f = tensor([1e19, 316227.78125], { requiresGrad: true });
    const [gf] = autograd.grad(F.softsign(f), f, { gradOutputs: tensor([1, 1]) });
    expect(gf!.tolist()).toEqual([Math.fround(1e19), 316227.78125].map((v) => Math.fround(1 / ((v + 1) * (v + 1)))));
  });
  it("the tanh-approximate GELU's gradient is its limit for huge finite |x| (no x^2 overflow), NaN at infinity", () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = tensor([1e154, -1e154, 1.2e19, -1.2e19, 1e300, 1e11, Infinity], { dtype, requiresGrad: true });
      const [gx] = autograd.grad(F.gelu(x, { approximate: 'tanh' }), x, { gradOutputs: tensor([1, 1, 1, 1, 1, 1, 1], { dtype }) });
      const want = dtype === 'float64' ? [1, 0, 1, 0, 1, 1, NaN] : [Infinity, -Infinity, 1, 0, Infinity, 1, NaN];
      // float32 1e154 and 1e300 are infinities: NaN gradient there, as PyTorch's.
      expect(gx!.tolist(), dtype).toEqual(dtype === 'float64' ? want : [NaN, NaN, 1, 0, NaN, 1, NaN]);
    }
    // Moderate |x| keeps the formula: gradcheck-level agreement with the difference quotient.
    const m = tensor([-3, -0.5, 0.7, 4], { dtype: 'float64', requiresGrad: true });
    expect(autograd.gradcheck((t: Tensor) => F.gelu(t, { approximate: 'tanh' }), [m])).toBe(true);
  });
  it('logsigmoid\'s gradient keeps its subnormal tail in float64 (exp(-x) up to x = 745)', () => {
    const x = tensor([720, 740, 710.0000000000002, 800, -800, 0], { dtype: 'float64', requiresGrad: true });
    const g = tensor([1, 1, -Infinity, 1, 1, 1], { dtype: 'float64' });
    const [gx] = autograd.grad(F.logsigmoid(x), x, { gradOutputs: g });
    expect(gx!.tolist()).toEqual([Math.exp(-720), Math.exp(-740), -Infinity, 0, 1, 0.5]);
  });
});

describe('in-place forms', () => {
  it('return the same tensor object', () => {
    const h = tensor([-1, 2]);
    expect(F.relu(h, { inplace: true })).toBe(h);
    expect(h.relu_()).toBe(h);
    expect(F.elu_(h)).toBe(h);
  });
  it('refuse a leaf that requires grad, at once', () => {
    const w = tensor([-1, 2], { requiresGrad: true });
    expect(() => F.relu_(w)).toThrow('a leaf Variable that requires grad is being used in an in-place operation.');
    expect(() => w.narrow(0, 0, 1).relu_()).toThrow('a view of a leaf Variable that requires grad is being used in an in-place operation.');
    autograd.noGrad(() => F.relu_(w));
    expect(w.tolist()).toEqual([0, 2]);
  });
  it('with a negative slope or alpha fail at backward, as PyTorch', () => {
    const w = tensor([-1, 2], { requiresGrad: true });
    const y = F.leakyRelu(w.mul(1), { negativeSlope: -0.1, inplace: true });
    expect(y.tolist()).toEqual([Math.fround(0.1), 2]);
    expect(() => y.sum().backward()).toThrow('In-place leakyReLu backward calculation is triggered with a negative slope which is not supported.');
    const z = F.elu(w.mul(1), { alpha: -0.5, inplace: true });
    expect(() => z.sum().backward()).toThrow('In-place elu backward calculation is triggered with a negative slope');
    const r = F.rrelu(w.mul(1), { lower: -0.5, upper: -0.1, inplace: true });
    expect(() => r.sum().backward()).toThrow('In-place leakyReLu backward');
    // Out of place, negative slopes are fine.
    F.leakyRelu(w, { negativeSlope: -0.1 }).sum().backward();
    expect(w.grad!.toTypedArray()).toEqual(Float32Array.from([-0.1, 1]));
  });
  it('that save their result make later in-place edits of it fail at backward', () => {
    const w = tensor([-1, 2], { requiresGrad: true });
    const y = F.relu(w.mul(1), { inplace: true });
    y.mul_(2);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation: \[paoding\.FloatTensor \[2\]\], which is output 0 of ReluBackward0, is at version 2; expected version 1 instead/);
  });
  it('that save a copy of their input give correct gradients', () => {
    for (const f of [(t: Tensor) => F.hardtanh_(t), (t: Tensor) => F.threshold_(t, 0.5, 2), (t: Tensor) => F.silu_(t), (t: Tensor) => F.hardswish_(t)]) {
      const a = tensor([-1.5, 0.2, 0.7, 2.5], { dtype: 'float64', requiresGrad: true });
      const b = tensor([-1.5, 0.2, 0.7, 2.5], { dtype: 'float64', requiresGrad: true });
      const h = a.mul(1);
      f(h).pow(2).sum().backward();
      const ref = b.mul(1);
      const out = f(ref.clone());
      out.pow(2).sum().backward();
      expect(a.grad!.tolist()).toEqual(b.grad!.tolist());
    }
  });
});

describe('softmax family', () => {
  it('warns and picks dim 0 for 0-, 1- and 3-D inputs and dim 1 otherwise when dim is omitted', () => {
    const seen: string[] = [];
    setWarningHandler((m) => seen.push(m));
    try {
      expect(F.softmax(zeros([2, 3])).sum(1).tolist()).toEqual([1, 1]);
      expect(F.softmax(zeros([2, 3, 4])).sum(0).tolist()).toEqual(new Array(3).fill(new Array(4).fill(1)));
      expect(F.logSoftmax(zeros([2])).shape).toEqual([2]);
      expect(new nn.Softmin().forward(zeros([2, 2, 2, 2])).sum(1).tolist()).toEqual(ones([2, 2, 2]).tolist());
    } finally {
      setWarningHandler(undefined);
    }
    expect(seen[0]).toBe('UserWarning: Implicit dimension choice for softmax has been deprecated. Change the call to include dim=X as an argument.');
    expect(seen).toContain('UserWarning: Implicit dimension choice for log_softmax has been deprecated. Change the call to include dim=X as an argument.');
  });
  it('handles the special slices as PyTorch', () => {
    const inf = Infinity;
    const x = tensor([
      [-inf, -inf],
      [-inf, 0],
      [inf, 0],
      [1000, 0],
    ]);
    expect(F.softmax(x, 1).tolist()).toEqual([
      [NaN, NaN],
      [0, 1],
      [NaN, NaN],
      [1, 0],
    ]);
    expect(F.logSoftmax(x, 1).tolist()).toEqual([
      [NaN, NaN],
      [-inf, 0],
      [NaN, NaN],
      [0, -1000],
    ]);
    expect(F.softmin(tensor([inf, 0]), 0).tolist()).toEqual([0, 1]);
    expect(F.softmax(tensor(3), 0).item()).toBe(1);
  });
  it('Softmax2d works over channels and wants 3 or 4 dims', () => {
    const s = new nn.Softmax2d().forward(zeros([2, 4, 3, 3]));
    expect(s.sum(1).tolist()).toEqual(ones([2, 3, 3]).tolist());
    expect(() => new nn.Softmax2d().forward(zeros([2, 3]))).toThrow('Softmax2d requires a 3D or 4D tensor as input');
  });
  it('converts to dtype first and differentiates through the conversion', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = F.softmax(x, 0, { dtype: 'float64' });
    expect(y.dtype).toBe('float64');
    y.mul(tensor([1, 0, -1], { dtype: 'float64' })).sum().backward();
    expect(x.grad!.dtype).toBe('float32');
  });
});

describe('nn.PReLU', () => {
  it('owns one learnable slope per channel, applied along dim 1', () => {
    const m = new nn.PReLU({ numParameters: 3, init: 0.1 });
    expect(m.parameters().length).toBe(1);
    expect(m.weight.shape).toEqual([3]);
    const x = tensor([[[-1, -1], [-2, -2], [-3, 3]]], { requiresGrad: true });
    const y = m.forward(x);
    expect(y.toTypedArray()).toEqual(Float32Array.from([-0.1, -0.1, -0.2, -0.2, -0.3, 3]));
    y.sum().backward();
    expect(m.weight.grad!.tolist()).toEqual([-2, -4, -3]);
  });

  it('with one slope keeps the input shape (0-d included) and gives the slope a gradient of its own shape', () => {
    for (const wShape of [[1], []] as number[][]) {
      for (const x of [tensor([[-1, 2], [-3, 4]], { requiresGrad: true }), tensor(-2, { requiresGrad: true })]) {
        const w = tensor(wShape.length ? [0.5] : 0.5, { requiresGrad: true });
        const y = F.prelu(x, w);
        expect(y.shape).toEqual(x.shape);
        y.sum().backward();
        expect(w.grad!.shape).toEqual(wShape);
        expect(w.grad!.sum().item()).toBe(x.dim() ? -4 : -2);
        expect(Array.from(x.grad!.toTypedArray())).toEqual(x.dim() ? [0.5, 1, 0.5, 1] : [0.5]);
      }
    }
  });
});

describe('nn.init.calculateGain', () => {
  it('gives PyTorch\'s values', () => {
    const g = nn.init.calculateGain;
    expect(g('linear')).toBe(1);
    expect(g('conv2d')).toBe(1);
    expect(g('sigmoid')).toBe(1);
    expect(g('tanh')).toBe(1.6666666666666667);
    expect(g('relu')).toBe(1.4142135623730951);
    expect(g('leaky_relu')).toBe(1.4141428569978354);
    expect(g('leaky_relu', 0)).toBe(1.4142135623730951);
    expect(g('leaky_relu', 0.2)).toBe(1.3867504905630728);
    expect(g('leaky_relu', 1)).toBe(1);
    expect(g('leaky_relu', 10)).toBe(0.14071950894605836);
    expect(g('selu')).toBe(0.75);
    expect(g('relu', 5)).toBe(Math.SQRT2);
  });
  it('rejects unknown nonlinearities and bad slopes', () => {
    expect(() => nn.init.calculateGain('gelu' as never)).toThrow('Unsupported nonlinearity gelu');
    expect(() => nn.init.calculateGain('identity' as never)).toThrow('Unsupported nonlinearity identity');
    expect(() => nn.init.calculateGain('leaky_relu', true as never)).toThrow('negative_slope true not a valid number');
  });
});
