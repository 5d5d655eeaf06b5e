/**
 * `nn` layers, initialisation, losses and module machinery against PyTorch 1.13: the fixture
 * test/fixtures/nn.json is written by tools/fixtures/generate_nn.py (run by hand with Debian's
 * PyTorch); these tests never need Python.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { autograd, F, manualSeed, nn, rand, randn, setWarningHandler, tensor, type DType, type Tensor } from '../src/index.js';

type Num = number | string | boolean;
interface Enc {
  dtype: DType;
  shape: number[];
  values: Num[];
}

const fx = JSON.parse(readFileSync(new URL('./fixtures/nn.json', import.meta.url), 'utf8'));

const num = (v: Num): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v));

function dec(e: Enc, opts: { requiresGrad?: boolean } = {}): Tensor {
  const vals = e.values.map(num);
  const data = e.dtype === 'float32' ? Float32Array.from(vals) : Float64Array.from(vals);
  return tensor(data, { shape: e.shape, dtype: e.dtype, requiresGrad: opts.requiresGrad ?? false });
}

function flat(t: Tensor): number[] {
  return Array.from(t.toTypedArray() as ArrayLike<number>);
}

/** Compare with a PyTorch tensor: dtype, shape and values (relative + absolute tolerance). */
function expectClose(actual: Tensor | null | undefined, expected: Enc | null, label: string, tol?: number): void {
  if (expected === null) {
    expect(actual ?? null, label).toBeNull();
    return;
  }
  expect(actual, label).toBeTruthy();
  expect(actual!.dtype, `${label} dtype`).toBe(expected.dtype);
  expect(actual!.shape, `${label} shape`).toEqual(expected.shape);
  const t = tol ?? (expected.dtype === 'float64' ? 1e-12 : 3e-6);
  const a = flat(actual!);
  const b = expected.values.map(num);
  for (let i = 0; i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(y)) expect(x, `${label}[${i}]`).toBeNaN();
    else if (!Number.isFinite(y)) expect(x, `${label}[${i}]`).toBe(y);
    else if (Math.abs(x - y) > t * (1 + Math.abs(y))) expect.fail(`${label}[${i}]: paoding ${x}, torch ${y}\n  paoding ${JSON.stringify(a)}\n  torch   ${JSON.stringify(b)}`);
  }
}

/** Bit-for-bit equality (values drawn from the generator). */
function expectExact(actual: Tensor | null | undefined, expected: Enc, label: string): void {
  expect(actual!.dtype, `${label} dtype`).toBe(expected.dtype);
  expect(actual!.shape, `${label} shape`).toEqual(expected.shape);
  expect(flat(actual!), label).toEqual(expected.values.map(num));
}

describe('nn.Linear initialisation draws PyTorch\'s numbers', () => {
  for (const c of fx.linearInit.cases) {
    it(`seed ${c.seed}: Linear(${c.in}, ${c.out}, bias=${c.bias}) ${c.dtype}`, () => {
      manualSeed(c.seed);
      const m = new nn.Linear(c.in, c.out, { bias: c.bias, dtype: c.dtype });
      expectExact(m.weight, c.weight, 'weight');
      if (c.bias) expectExact(m.bias, c.biasValues, 'bias');
      else expect(m.bias).toBeNull();
    });
  }

  it('two layers continue one stream', () => {
    manualSeed(fx.linearInit.chain.seed);
    const layers = [new nn.Linear(4, 3), new nn.Linear(3, 2)];
    layers.forEach((l, i) => {
      expectExact(l.weight, fx.linearInit.chain.layers[i][0], `layer ${i} weight`);
      expectExact(l.bias, fx.linearInit.chain.layers[i][1], `layer ${i} bias`);
    });
  });

  it('Linear(784, 128): every value (sha256 of the float32 bytes), sampled values and sums', () => {
    const big = fx.linearInit.big;
    manualSeed(big.seed);
    const m = new nn.Linear(784, 128);
    const w = m.weight.toTypedArray() as Float32Array;
    expect(createHash('sha256').update(new Uint8Array(w.buffer, w.byteOffset, w.byteLength)).digest('hex')).toBe(big.weight.sha256);
    big.weight.indices.forEach((idx: number, k: number) => expect(w[idx], `weight[${idx}]`).toBe(num(big.weight.values[k])));
    let s = 0;
    let s2 = 0;
    for (const v of w) {
      s += v;
      s2 += v * v;
    }
    expect(s).toBeCloseTo(num(big.weight.sum), 9);
    expect(s2).toBeCloseTo(num(big.weight.sumsq), 9);
    expectExact(m.bias, big.bias, 'bias');
  });
});

describe('nn.init', () => {
  const fns: Record<string, (t: Tensor, a: Record<string, unknown>) => Tensor> = {
    uniform_: (t, a) => nn.init.uniform_(t, a as { a: number; b: number }),
    normal_: (t, a) => nn.init.normal_(t, a as { mean: number; std: number }),
    constant_: (t, a) => nn.init.constant_(t, a.val as number),
    zeros_: (t) => nn.init.zeros_(t),
    ones_: (t) => nn.init.ones_(t),
    xavier_uniform_: (t, a) => nn.init.xavierUniform_(t, a),
    xavier_normal_: (t, a) => nn.init.xavierNormal_(t, a),
    kaiming_uniform_: (t, a) => nn.init.kaimingUniform_(t, a as nn.init.KaimingOptions),
    kaiming_normal_: (t, a) => nn.init.kaimingNormal_(t, a as nn.init.KaimingOptions),
  };
  for (const c of fx.init.cases) {
    it(`${c.name} ${JSON.stringify(c.args)} on ${c.dtype} ${JSON.stringify(c.shape)}`, () => {
      manualSeed(c.seed);
      const t = randn(c.shape, { dtype: c.dtype }).mul(0); // any starting values: init overwrites
      manualSeed(c.seed);
      const out = fns[c.name]!(t, c.args);
      expect(out).toBe(t);
      expectExact(t, c.value, c.name);
    });
  }

  it('fan in and fan out', () => {
    for (const c of fx.init.fans) expect(nn.init.calculateFanInAndFanOut(randn(c.shape))).toEqual([c.fanIn, c.fanOut]);
    expect(() => nn.init.calculateFanInAndFanOut(randn([3]))).toThrow(/Fan in and fan out can not be computed for tensor with fewer than 2 dimensions/);
  });

  it('works on parameters without recording history, and has PyTorch\'s names and errors', () => {
    const p = new nn.Parameter(randn([3, 4]));
    nn.init.kaiming_normal_(p, { mode: 'fan_out', nonlinearity: 'relu' });
    expect(p.isLeaf && p.requiresGrad).toBe(true);
    manualSeed(1);
    const a = nn.init.xavier_uniform_(randn([5, 5]).mul(0));
    manualSeed(1);
    const b = nn.init.xavierUniform_(randn([5, 5]).mul(0), 1);
    expect(flat(a)).toEqual(flat(b));
    expect(() => nn.init.kaimingUniform_(randn([2, 2]), { mode: 'fan_avg' as 'fan_in' })).toThrow("Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']");
    const warnings: string[] = [];
    setWarningHandler((m) => warnings.push(m));
    try {
      nn.init.kaimingUniform_(randn([0, 3]));
    } finally {
      setWarningHandler(undefined);
    }
    expect(warnings).toEqual(['UserWarning: Initializing zero-element tensors is a no-op']);
  });
});

describe('F.linear', () => {
  for (const c of fx.linear) {
    it(c.name, () => {
      const x = dec(c.x, { requiresGrad: true });
      const w = dec(c.w, { requiresGrad: true });
      const b = c.b ? dec(c.b, { requiresGrad: true }) : undefined;
      const y = F.linear(x, w, b);
      expectClose(y, c.y, 'y');
      expect(y.gradFn!.name).toBe(c.gradFn);
      const grads = autograd.grad(y, b ? [x, w, b] : [x, w], { gradOutputs: dec(c.gy) });
      expectClose(grads[0], c.gx, 'gx');
      expectClose(grads[1], c.gw, 'gw');
      if (b) expectClose(grads[2], c.gb, 'gb');
    });
  }

  it('second derivatives and an in-place activation on its output', () => {
    const x = randn([3, 4], { dtype: 'float64', requiresGrad: true });
    const w = randn([2, 4], { dtype: 'float64', requiresGrad: true });
    const b = randn([2], { dtype: 'float64', requiresGrad: true });
    expect(autograd.gradcheck((xx, ww, bb) => F.tanh(F.linear(xx!, ww!, bb!)), [x, w, b])).toBe(true);
    expect(autograd.gradgradcheck((xx, ww, bb) => F.tanh(F.linear(xx!, ww!, bb!)), [x, w, b])).toBe(true);
    const y = F.relu(F.linear(x, w, b), { inplace: true });
    y.sum().backward();
    expect(w.grad).not.toBeNull();
  });

  it("PyTorch's errors", () => {
    expect(() => F.linear(randn([4, 3]), randn([2, 2]))).toThrow('mat1 and mat2 shapes cannot be multiplied (4x3 and 2x2)');
    expect(() => F.linear(randn([2, 3, 5]), randn([4, 6]))).toThrow('mat1 and mat2 shapes cannot be multiplied (6x5 and 6x4)');
    expect(() => F.linear(randn([4, 3]), randn([2, 3], { dtype: 'float64' }))).toThrow('expected scalar type Float but found Double');
    expect(() => F.linear(randn([4, 3]), randn([2, 3]), randn([3]))).toThrow('The expanded size of the tensor (2) must match the existing size (3)');
  });
});

describe('nn.BatchNorm1d', () => {
  for (const c of fx.batchNorm) {
    it(`${c.name}: three training steps, running statistics, evaluation`, () => {
      const m = new nn.BatchNorm1d(c.shape[1], { ...c.options, dtype: c.dtype });
      expect(m.toString()).toBe(c.repr);
      if (m.affine) {
        m.weight!.requiresGrad_(false).copy_(dec(c.weight)).requiresGrad_(true);
        m.bias!.requiresGrad_(false).copy_(dec(c.bias)).requiresGrad_(true);
      }
      for (const [i, s] of c.train.entries()) {
        const x = dec(s.x, { requiresGrad: true });
        const y = m.forward(x);
        expectClose(y, s.y, `step ${i} y`, c.dtype === 'float32' ? 1e-5 : 1e-11);
        expect(y.gradFn!.name).toBe(s.gradFn);
        const params = m.affine ? [x, m.weight!, m.bias!] : [x];
        const grads = autograd.grad(y, params, { gradOutputs: dec(s.gy) });
        expectClose(grads[0], s.gx, `step ${i} gx`, c.dtype === 'float32' ? 2e-5 : 1e-10);
        if (m.affine) {
          expectClose(grads[1], s.gw, `step ${i} gw`, 2e-5);
          expectClose(grads[2], s.gb, `step ${i} gb`, 2e-5);
        }
        expectClose(m.runningMean, s.runningMean, `step ${i} running_mean`, 1e-6);
        expectClose(m.runningVar, s.runningVar, `step ${i} running_var`, 1e-6);
        expect(m.numBatchesTracked === null ? null : m.numBatchesTracked.item()).toBe(s.numBatchesTracked);
      }
      m.eval();
      const e = c.eval;
      const x = dec(e.x, { requiresGrad: true });
      const y = m.forward(x);
      expectClose(y, e.y, 'eval y', c.dtype === 'float32' ? 1e-5 : 1e-11);
      const grads = autograd.grad(y, m.affine ? [x, m.weight!, m.bias!] : [x], { gradOutputs: dec(e.gy) });
      expectClose(grads[0], e.gx, 'eval gx', 2e-5);
      if (m.affine) {
        expectClose(grads[1], e.gw, 'eval gw', 2e-5);
        expectClose(grads[2], e.gb, 'eval gb', 2e-5);
      }
    });
  }

  it('double backward in training mode', () => {
    const x = randn([5, 3], { dtype: 'float64', requiresGrad: true });
    const w = randn([3], { dtype: 'float64', requiresGrad: true });
    const b = randn([3], { dtype: 'float64', requiresGrad: true });
    const f = (xx?: Tensor, ww?: Tensor, bb?: Tensor) => F.batchNorm(xx!, null, null, { weight: ww!, bias: bb!, training: true }).pow(2);
    expect(autograd.gradcheck(f, [x, w, b])).toBe(true);
    expect(autograd.gradgradcheck(f, [x, w, b])).toBe(true);
  });

  it("PyTorch's errors", () => {
    expect(() => new nn.BatchNorm1d(3).forward(randn([1, 3]))).toThrow(fx.batchNormErrors.batch1);
    expect(() => new nn.BatchNorm1d(3).forward(randn([2, 3, 4, 5]))).toThrow(fx.batchNormErrors.dim4);
    expect(() => F.batchNorm(randn([4, 3]), randn([4]), randn([3]))).toThrow('running_mean should contain 3 elements not 4');
    expect(() => F.batchNorm(randn([4, 3]), null, null)).toThrow('running_mean must be defined in evaluation mode');
  });
});

describe('Dropout and AlphaDropout', () => {
  for (const c of fx.dropout.dropout) {
    it(`dropout seed ${c.seed}, p ${c.p}${c.inplace ? ', in place' : ''}: PyTorch's mask, then the stream continues`, () => {
      const x = dec(c.x, { requiresGrad: !c.inplace });
      manualSeed(c.seed);
      const input = c.inplace ? x.clone() : x;
      const y = F.dropout(input, { p: c.p, inplace: c.inplace });
      if (c.inplace) expect(y).toBe(input);
      expectExact(y, c.y, 'y');
      F.dropout(tensor([5]), { p: 0 }); // p = 0 returns the input without drawing
      expectExact(rand([3]), c.after, 'next draws');
      if (!c.inplace) {
        const [g] = autograd.grad(y, x, { gradOutputs: y.detach().mul(0).add(1) });
        expectExact(g, c.gx, 'gx');
      }
    });
  }

  it('the module follows train/eval, transposed inputs draw in memory order', () => {
    const d = new nn.Dropout(0.3);
    manualSeed(0);
    const a = d.forward(randn([4, 5]).mul(0).add(1));
    manualSeed(0);
    const b = F.dropout(randn([4, 5]).mul(0).add(1), { p: 0.3 });
    expect(flat(a)).toEqual(flat(b));
    d.eval();
    const x = randn([3]);
    expect(d.forward(x)).toBe(x);
    // NOTE(torch): the mask is drawn into a contiguous tensor, in row-major order of the shape,
    // even for a transposed input (checked against PyTorch 1.13).
    manualSeed(5);
    const mask = F.dropout(randn([3, 4]).mul(0).add(1), { p: 0.5 });
    manualSeed(5);
    const maskT = F.dropout(randn([4, 3]).mul(0).add(1).t(), { p: 0.5 });
    expect(maskT.tolist()).toEqual(mask.tolist());
  });

  it('p = 1 gives zeros, bad p is refused', () => {
    expectExact(F.dropout(tensor([1, 1, 1]), { p: 1 }), fx.dropout.p1, 'p=1');
    expectExact(F.alphaDropout(tensor([1, 1, 1]), { p: 1, training: true }), fx.dropout.alphaP1, 'alpha p=1');
    expect(() => F.dropout(tensor([1, 1]), { p: 1.5 })).toThrow(fx.dropout.error);
    expect(() => new nn.Dropout(-0.1)).toThrow('dropout probability has to be between 0 and 1, but got -0.1');
  });

  for (const c of fx.dropout.alpha) {
    it(`alpha dropout seed ${c.seed}, p ${c.p}`, () => {
      const x = dec(c.x, { requiresGrad: true });
      manualSeed(c.seed);
      const y = F.alphaDropout(x, { p: c.p, training: true });
      expectClose(y, c.y, 'y', c.x.dtype === 'float64' ? 1e-15 : 1e-7);
      expect(y.gradFn!.name).toBe(c.gradFn);
      const [g] = autograd.grad(y, x, { gradOutputs: y.detach().mul(0).add(1) });
      expectExact(g, c.gx, 'gx');
      manualSeed(c.seed);
      const m = new nn.AlphaDropout(c.p);
      expectClose(m.forward(x), c.y, 'module y', 1e-7);
      expect(m.eval().forward(x)).toBe(x);
    });
  }

  it('alpha dropout keeps zero mean and unit variance', () => {
    manualSeed(9);
    const x = randn([200000], { dtype: 'float64' });
    for (const s of fx.dropout.alphaStats) {
      const y = F.alphaDropout(x, { p: s.p, training: true });
      expect(Math.abs(y.mean().item() - s.mean)).toBeLessThan(0.01);
      expect(Math.abs(y.std().item() - s.std)).toBeLessThan(0.01);
      expect(Math.abs(y.mean().item())).toBeLessThan(0.01);
      expect(Math.abs(y.std().item() - 1)).toBeLessThan(0.01);
    }
  });
});

describe('losses against PyTorch (values, gradients of every differentiable argument)', () => {
  const run: Record<string, (inputs: Tensor[], o: Record<string, unknown>) => Tensor> = {
    crossEntropy: (i, o) => F.crossEntropy(i[0]!, i[1]!, o),
    nllLoss: (i, o) => F.nllLoss(i[0]!, i[1]!, o),
    mseLoss: (i, o) => F.mseLoss(i[0]!, i[1]!, o),
    bceWithLogits: (i, o) => F.binaryCrossEntropyWithLogits(i[0]!, i[1]!, o),
  };
  const singleNode = new Set(['NllLossBackward0', 'NllLoss2DBackward0', 'MseLossBackward0', 'BinaryCrossEntropyWithLogitsBackward0']);
  for (const c of fx.losses) {
    it(`${c.kind}: ${c.name}`, () => {
      const gradIdx = Object.keys(c.grads).map(Number);
      const inputs = c.inputs.map((e: Enc, i: number) => (e.dtype === 'int64' ? tensor(e.values.map(num), { dtype: 'int64' }).reshape(e.shape) : dec(e, { requiresGrad: gradIdx.includes(i) })));
      // Options name the tensor inputs by position (weight: 2, posWeight: 2 or 3).
      const opts: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(c.options)) opts[k] = k === 'weight' || k === 'posWeight' ? inputs[v as number] : v;
      const y = run[c.kind]!(inputs, opts);
      const tol = c.y.dtype === 'float64' ? 1e-12 : 2e-6;
      expectClose(y, c.y, 'loss', tol);
      if (singleNode.has(c.gradFn)) expect(y.gradFn!.name).toBe(c.gradFn);
      const grads = autograd.grad(
        y,
        gradIdx.map((i) => inputs[i]!),
        { gradOutputs: dec(c.gy) },
      );
      gradIdx.forEach((i, k) => expectClose(grads[k], c.grads[String(i)], `grad of input ${i}`, tol));
    });
  }

  it('second derivatives', () => {
    const x = randn([4, 3], { dtype: 'float64', requiresGrad: true });
    const t = tensor([0, 2, 1, 2], { dtype: 'int64' });
    const p = randn([4, 3], { dtype: 'float64' }).softmax(1);
    const w = tensor([0.5, 1, 2], { dtype: 'float64' });
    const tb = randn([4, 3], { dtype: 'float64' }).sigmoid().requiresGrad_();
    const pw = tensor([0.5, 2, 3], { dtype: 'float64' });
    expect(autograd.gradgradcheck((xx) => F.crossEntropy(xx!, t, { weight: w, labelSmoothing: 0.2 }), [x])).toBe(true);
    expect(autograd.gradgradcheck((xx) => F.crossEntropy(xx!, p, { reduction: 'sum' }), [x])).toBe(true);
    expect(autograd.gradgradcheck((xx, tt) => F.mseLoss(xx!, tt!), [x, tb])).toBe(true);
    expect(autograd.gradcheck((xx, tt) => F.binaryCrossEntropyWithLogits(xx!, tt!, { posWeight: pw, weight: w }), [x, tb])).toBe(true);
    expect(autograd.gradgradcheck((xx, tt) => F.binaryCrossEntropyWithLogits(xx!, tt!, { posWeight: pw, reduction: 'sum' }), [x, tb])).toBe(true);
  });

  it("PyTorch's errors", () => {
    const e = fx.lossErrors;
    expect(() => F.crossEntropy(randn([2, 3]), tensor([0, 3], { dtype: 'int64' }))).toThrow(e.targetOutOfBounds);
    expect(() => F.crossEntropy(randn([3, 3]), tensor([0, 1], { dtype: 'int64' }))).toThrow(e.batchMismatch);
    expect(() => F.nllLoss(randn([3, 3]), tensor([0, 1, 2]))).toThrow(e.floatTargetShape);
    expect(() => F.binaryCrossEntropyWithLogits(randn([3]), randn([4]))).toThrow(e.bceShape);
    expect(() => F.crossEntropy(randn([2, 3]), tensor([0, 1], { dtype: 'int64' }), { labelSmoothing: 1.5 })).toThrow('label_smoothing must be between 0.0 and 1.0. Got: 1.5');
    expect(() => F.crossEntropy(randn([2, 3]), randn([2, 3]), { ignoreIndex: 1 })).toThrow('ignore_index is not supported for floating point target');
    expect(() => F.crossEntropy(randn([2, 3]), tensor([0, 1], { dtype: 'int64' }), { reduction: 'avg' as 'mean' })).toThrow('avg is not a valid value for reduction');
    expect(() => F.nllLoss(randn([2, 3]), tensor([0, 1], { dtype: 'int64' }), { weight: randn([4]) })).toThrow(
      'weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [4]',
    );
    expect(() => F.nllLoss(randn([2, 3, 4]), tensor([[0, 1, 2], [0, 1, 2]], { dtype: 'int64' }))).toThrow('Expected target size [2, 4], got [2, 3]');
    const warnings: string[] = [];
    setWarningHandler((m) => warnings.push(m));
    try {
      F.mseLoss(randn([3]), randn([2, 3]));
    } finally {
      setWarningHandler(undefined);
    }
    expect(warnings[0]).toContain('Using a target size (torch.Size([2, 3])) that is different to the input size (torch.Size([3]))');
  });

  it('loss modules call the functions with their options, and register weights as buffers', () => {
    const x = randn([4, 3], { requiresGrad: true });
    const t = tensor([0, 2, 1, 2], { dtype: 'int64' });
    const w = tensor([0.5, 1, 2]);
    const ce = new nn.CrossEntropyLoss({ weight: w, labelSmoothing: 0.1, reduction: 'sum' });
    expect(ce.forward(x, t).item()).toBe(F.crossEntropy(x, t, { weight: w, labelSmoothing: 0.1, reduction: 'sum' }).item());
    expect([...ce.stateDict().keys()]).toEqual(['weight']);
    expect(new nn.NLLLoss({ ignoreIndex: 2 }).forward(x.logSoftmax(1), t).item()).toBe(F.nllLoss(x.logSoftmax(1), t, { ignoreIndex: 2 }).item());
    expect(new nn.MSELoss().forward(x, x.detach().mul(2)).item()).toBe(F.mseLoss(x, x.detach().mul(2)).item());
    const bce = new nn.BCEWithLogitsLoss({ posWeight: tensor([1, 2, 3]) });
    const tb = randn([4, 3]).sigmoid();
    expect(bce.forward(x, tb).item()).toBe(F.binaryCrossEntropyWithLogits(x, tb, { posWeight: tensor([1, 2, 3]) }).item());
    expect([...bce.stateDict().keys()]).toEqual(['pos_weight']);
    expect(bce.double().posWeight!.dtype).toBe('float64');
  });
});

describe('module reprs are PyTorch\'s', () => {
  const build: Record<string, () => nn.Module> = {
    linear: () => new nn.Linear(2, 3),
    'linear no bias': () => new nn.Linear(5, 1, { bias: false }),
    sequential: () => new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU({ inplace: true }), new nn.Softmax({ dim: 1 })),
    batchnorm: () => new nn.BatchNorm1d(3),
    'batchnorm options': () => new nn.BatchNorm1d(4, { eps: 1e-3, momentum: null, affine: false, trackRunningStats: false }),
    dropout: () => new nn.Dropout(),
    'dropout options': () => new nn.Dropout(0.25, { inplace: true }),
    'alpha dropout': () => new nn.AlphaDropout(0.2),
    flatten: () => new nn.Flatten(),
    'flatten options': () => new nn.Flatten({ startDim: 0, endDim: 2 }),
    identity: () => new nn.Identity(),
    'cross entropy': () => new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }),
    nll: () => new nn.NLLLoss(),
    mse: () => new nn.MSELoss({ reduction: 'sum' }),
    bce: () => new nn.BCEWithLogitsLoss({ posWeight: tensor([1, 1, 1]) }),
    'module list': () => new nn.ModuleList([new nn.Linear(1, 2), new nn.Tanh()]),
    nested: () =>
      new nn.Sequential(new nn.Flatten(), new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3)), new nn.Dropout(0.1), new nn.Identity()),
  };
  for (const r of fx.reprs) {
    it(r.name, () => expect(build[r.name]!().toString()).toBe(r.repr));
  }
});

describe('containers', () => {
  it('Sequential: names, indexing, append, Map form, chaining', () => {
    const s = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU());
    s.append(new nn.Linear(4, 2));
    expect(s.length).toBe(3);
    expect(s.at(-1)).toBeInstanceOf(nn.Linear);
    expect(s.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect([...s].length).toBe(3);
    const x = randn([5, 3]);
    const manual = (s.at(2) as nn.Linear).forward(F.relu((s.at(0) as nn.Linear).forward(x)));
    expect(flat(s.forward(x))).toEqual(flat(manual));
    const named = new nn.Sequential(new Map<string, nn.Module>([['fc', new nn.Linear(2, 2)], ['act', new nn.Tanh()]]));
    expect(named.namedParameters().map(([n]) => n)).toEqual(['fc.weight', 'fc.bias']);
    expect(() => s.at(3)).toThrow(/out of range/);
    expect(() => new nn.Sequential({} as nn.Module)).toThrow(TypeError);
  });

  it('ModuleList registers its modules and has no forward', () => {
    const l = new nn.ModuleList([new nn.Linear(2, 2)]).append(new nn.Linear(2, 1));
    expect(l.length).toBe(2);
    expect(l.parameters().length).toBe(4);
    expect(() => l.forward()).toThrow('Module [ModuleList] is missing the required "forward" function');
  });

  it('Flatten and Identity', () => {
    expect(new nn.Flatten().forward(randn([2, 3, 4])).shape).toEqual([2, 12]);
    expect(new nn.Flatten({ startDim: 0, endDim: 1 }).forward(randn([2, 3, 4])).shape).toEqual([6, 4]);
  });
});

function mlpOf(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Dropout(0.1), new nn.Linear(4, 2, { bias: false }));
}

describe('stateDict and loadStateDict', () => {
  const st = fx.stateDict;
  it("keys in PyTorch's order, and a round trip into a fresh model", () => {
    const src = mlpOf();
    expect([...src.stateDict().keys()]).toEqual(st.keys);
    const sd = toMapOf(st.values);
    const dst = mlpOf();
    const r = dst.loadStateDict(sd);
    expect(r).toEqual({ missingKeys: [], unexpectedKeys: [] });
    for (const [k, t] of dst.stateDict()) expectExact(t, st.values[k], k);
    const again = mlpOf();
    again.loadStateDict(Object.fromEntries(dst.stateDict()));
    expect(flat((again.at(0) as nn.Linear).weight)).toEqual(flat((dst.at(0) as nn.Linear).weight));
    // The state dict is detached and shares memory with the module.
    const w = dst.stateDict().get('0.weight')!;
    expect(w.requiresGrad).toBe(false);
    expect(w._storage).toBe((dst.at(0) as nn.Linear).weight._storage);
  });

  it("PyTorch's error texts, and nothing copied when loading fails", () => {
    const base = () => toMapOf(st.values);
    const cases: [string, Map<string, Tensor>, boolean][] = [];
    let d = base();
    d.delete('0.bias');
    d.delete('1.running_var');
    cases.push(['missing', d, true]);
    d = base();
    d.set('extra', randn([1]));
    d.set('4.bias', randn([2]));
    d.set('1.foo.bar', randn([2]));
    cases.push(['unexpected', d, true]);
    d = base();
    d.set('0.weight', randn([4, 2]));
    d.set('4.weight', randn([3]));
    cases.push(['size mismatch', d, true]);
    d = base();
    d.delete('0.bias');
    d.set('0.weight', randn([2, 3]));
    d.set('zzz', randn([1]));
    cases.push(['all three', d, true]);
    d = new Map([...base()].slice(1));
    d.set('extra', randn([1]));
    cases.push(['non-strict', d, false]);
    d = base();
    d.delete('1.num_batches_tracked');
    cases.push(['no num_batches_tracked', d, true]);
    for (const [key, dict, strict] of cases) {
      const m = mlpOf();
      const before = [...m.stateDict()].map(([k, t]) => [k, flat(t)]);
      const exp = st.errors[key];
      if (exp.error !== undefined) {
        expect(() => m.loadStateDict(dict, { strict }), key).toThrow(exp.error);
        expect([...m.stateDict()].map(([k, t]) => [k, flat(t)]), `${key}: untouched`).toEqual(before);
      } else {
        expect(m.loadStateDict(dict, { strict }), key).toEqual({ missingKeys: exp.missing, unexpectedKeys: exp.unexpected });
      }
    }
  });

  it('loading converts dtypes and keeps parameter identity', () => {
    const m = new nn.Linear(2, 2);
    const w = m.weight;
    m.loadStateDict({ weight: tensor([[1, 2], [3, 4]], { dtype: 'float64' }), bias: tensor([5, 6], { dtype: 'float64' }) });
    expect(m.weight).toBe(w);
    expect(m.weight.dtype).toBe('float32');
    expect(m.weight.tolist()).toEqual([[1, 2], [3, 4]]);
    expect(m.weight.requiresGrad).toBe(true);
    expect(() => m.loadStateDict({ weight: [[1]] as unknown as Tensor, bias: tensor([1, 2]) })).toThrow(
      'While copying the parameter named "weight", expected torch.Tensor or Tensor-like object from checkpoint but received object',
    );
  });
});

describe('to(), double(), float(), requiresGrad_(), non-persistent buffers', () => {
  it('converts floating parameters (same objects, gradients too) and buffers; integer buffers stay', () => {
    const m = mlpOf();
    const w = (m.at(0) as nn.Linear).weight;
    m.forward(randn([4, 3])).sum().backward();
    m.double();
    expect((m.at(0) as nn.Linear).weight).toBe(w);
    expect(w.dtype).toBe('float64');
    expect(w.grad!.dtype).toBe('float64');
    const bn = m.at(1) as nn.BatchNorm1d;
    expect(bn.runningMean!.dtype).toBe('float64');
    expect(bn.numBatchesTracked!.dtype).toBe('int64');
    expect(m.forward(randn([4, 3], { dtype: 'float64' })).dtype).toBe('float64');
    m.float();
    expect(w.dtype).toBe('float32');
    expect(() => m.to('int64')).toThrow('nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=int64');
    m.requiresGrad_(false);
    expect(m.parameters().every((p) => !p.requiresGrad)).toBe(true);
    m.requiresGrad_();
    expect(m.parameters().every((p) => p.requiresGrad)).toBe(true);
  });

  it('non-persistent buffers stay out of the state dict', () => {
    class WithBuf extends nn.Module {
      constructor() {
        super();
        this.registerBuffer('kept', tensor([1]));
        this.registerBuffer('scratch', tensor([2]), { persistent: false });
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    const m = new WithBuf();
    expect([...m.stateDict().keys()]).toEqual(['kept']);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['kept', 'scratch']);
  });
});

describe('full backward hooks', () => {
  const hk = fx.hooks;
  const mlp = () =>
    new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 4), new nn.ReLU(), new nn.Linear(4, 2));

  it('see the grad_input and grad_output PyTorch gives, in the same order, for every layer of a small MLP', () => {
    const model = mlp();
    model.loadStateDict(toMapOf(hk.params));
    const calls: { module: string; gradInput: (Tensor | null)[]; gradOutput: (Tensor | null)[] }[] = [];
    for (const [name, m] of model.namedModules()) {
      m.registerFullBackwardHook((_m, gi, go) => {
        calls.push({ module: name || 'root', gradInput: gi, gradOutput: go });
      });
    }
    const x = dec(hk.x);
    for (const [i, requires] of [false, true].entries()) {
      const xi = x.clone().requiresGrad_(requires);
      const y = model.forward(xi) as Tensor;
      expect(y.gradFn!.name).toBe(hk.outputGradFn);
      y.backward(dec(hk.gys[i]));
    }
    expect(calls.map((c) => c.module)).toEqual(hk.calls.map((c: { module: string }) => c.module));
    calls.forEach((c, k) => {
      const e = hk.calls[k];
      expect(c.gradInput.length).toBe(e.gradInput.length);
      c.gradInput.forEach((g, j) => expectClose(g, e.gradInput[j], `call ${k} (${c.module}) grad_input[${j}]`, 1e-5));
      c.gradOutput.forEach((g, j) => expectClose(g, e.gradOutput[j], `call ${k} (${c.module}) grad_output[${j}]`, 1e-5));
    });
  });

  it('a hook that returns a new grad_input changes the gradients of the layers before it', () => {
    const r = hk.replace;
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.Linear(3, 1));
    model.loadStateDict(toMapOf(r.params));
    model.at(1).registerFullBackwardHook((_m, gi) => [gi[0]!.mul(10)]);
    (model.forward(dec(r.x)) as Tensor).sum().backward();
    for (const [name, p] of model.namedParameters()) expectClose(p.grad, r.grads[name], name, 1e-5);
  });

  it('modules with several inputs: one call with every input gradient; removal works', () => {
    class Two extends nn.Module {
      forward(x: Tensor, y: Tensor, scale: number): Tensor {
        return x.mul(2).add(y.mul(scale));
      }
    }
    const m = new Two();
    const seen: (number[] | null)[][] = [];
    const h = m.registerFullBackwardHook((_m, gi, go) => {
      seen.push([...gi.map((g) => (g ? flat(g) : null)), flat(go[0]!)]);
    });
    const x = tensor([1, 1], { requiresGrad: true });
    const y = tensor([1, 1], { requiresGrad: true });
    const out = m.forward(x, y, 3);
    out.sum().add(y.sum().mul(5)).backward();
    // PyTorch: only the gradient through the module reaches the hook; y.grad also has the 5.
    expect(seen).toEqual([[[2, 2], [3, 3], null, [1, 1]]]);
    expect(y.grad!.tolist()).toEqual([8, 8]);
    // An input that does not require grad gets zeros, as PyTorch materialises them.
    m.forward(x, tensor([1, 1]), 3).sum().backward();
    expect(seen[1]).toEqual([[2, 2], [0, 0], null, [1, 1]]);
    h.remove();
    m.forward(x, y, 3).sum().backward();
    expect(seen.length).toBe(2);
  });

  it('the wrong number of grad_input is an error', () => {
    const m = new nn.Linear(2, 2);
    m.registerFullBackwardHook(() => [null, null]);
    expect(() => m.forward(randn([1, 2], { requiresGrad: true })).sum().backward()).toThrow('Backward hook returned an invalid number of grad_input, got 2, but expected 1');
  });
});

function toMapOf(o: Record<string, Enc>): Map<string, Tensor> {
  return new Map(Object.entries(o).map(([k, e]) => [k, e.dtype === 'int64' ? tensor(e.values.map(num), { dtype: 'int64' }).reshape(e.shape) : dec(e)]));
}

describe('training a small network end to end', () => {
  it('a few SGD steps on a seeded MLP reduce the cross-entropy loss', () => {
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dropout(0.1), new nn.Linear(8, 3));
    const x = randn([16, 4]);
    const y = tensor(Array.from({ length: 16 }, (_, i) => i % 3), { dtype: 'int64' });
    const lossFn = new nn.CrossEntropyLoss();
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      model.zeroGrad();
      const loss = lossFn.forward(model.forward(x), y);
      loss.backward();
      losses.push(loss.item());
      autograd.noGrad(() => {
        for (const p of model.parameters()) p.sub_(p.grad!.mul(0.1));
      });
    }
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.7);
  });
});
