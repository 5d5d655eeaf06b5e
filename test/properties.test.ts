/**
 * Identities between activations, checked on random inputs with fast-check (float64).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activations, autograd, F, tensor, type Tensor } from '../src/index.js';

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

const t = (xs: number[]): Tensor => tensor(Float64Array.from(xs), { dtype: 'float64' });
const arr = (y: Tensor): number[] => Array.from(y.toTypedArray());
const values = fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 1, maxLength: 40 });
/** Inputs whose magnitude stays below softplus's default threshold (20), where no branch switches. */
const belowThreshold = fc.array(fc.double({ min: -19.99, max: 19.99, noNaN: true }), { minLength: 1, maxLength: 40 });

function close(a: number[], b: number[], rel = 1e-12, abs = 1e-15): void {
  a.forEach((v, i) => expect(Math.abs(v - b[i]!), `at ${i}: ${v} vs ${b[i]}`).toBeLessThanOrEqual(abs + rel * Math.abs(b[i]!)));
}

describe('identities', () => {
  it('sigmoid(x) + sigmoid(-x) = 1', () => {
    fc.assert(fc.property(values, (xs) => close(arr(F.sigmoid(t(xs)).add(F.sigmoid(t(xs).neg()))), xs.map(() => 1))));
  });
  it('tanh(x) = 2 sigmoid(2x) - 1', () => {
    fc.assert(fc.property(values, (xs) => close(arr(F.tanh(t(xs))), arr(F.sigmoid(t(xs).mul(2)).mul(2).sub(1)), 1e-12, 1e-15)));
  });
  it('softplus(x) - softplus(-x) = x below the threshold', () => {
    fc.assert(fc.property(belowThreshold, (xs) => close(arr(F.softplus(t(xs)).sub(F.softplus(t(xs).neg()))), xs, 1e-12, 1e-14)));
  });
  it('logsigmoid(x) = -softplus(-x) (threshold out of reach)', () => {
    fc.assert(fc.property(values, (xs) => close(arr(F.logsigmoid(t(xs))), arr(F.softplus(t(xs).neg(), { threshold: 1e9 }).neg()))));
  });
  it('relu(x) - relu(-x) = x, and relu6 is hardtanh(0, 6)', () => {
    fc.assert(fc.property(values, (xs) => close(arr(F.relu(t(xs)).sub(F.relu(t(xs).neg()))), xs)));
    fc.assert(fc.property(values, (xs) => close(arr(F.relu6(t(xs))), arr(F.hardtanh(t(xs), { minVal: 0, maxVal: 6 })))));
  });
  it('silu(x) = x sigmoid(x); hardswish(x) = x hardsigmoid(x); mish(x) = x tanh(softplus(x))', () => {
    fc.assert(fc.property(values, (xs) => close(arr(F.silu(t(xs))), arr(t(xs).mul(F.sigmoid(t(xs)))), 1e-12, 1e-15)));
    fc.assert(fc.property(values, (xs) => close(arr(F.hardswish(t(xs))), arr(t(xs).mul(F.hardsigmoid(t(xs)))), 1e-15, 1e-15)));
    fc.assert(fc.property(values, (xs) => close(arr(F.mish(t(xs))), arr(t(xs).mul(F.tanh(F.softplus(t(xs), { threshold: 1e9 })))), 1e-12, 1e-15)));
  });
  it('selu(x) = scale elu(x, alpha); celu(x, 1) = elu(x, 1); leaky_relu with slope 1 is the identity', () => {
    fc.assert(fc.property(values, (xs) => close(arr(F.selu(t(xs))), arr(F.elu(t(xs), { alpha: SELU_ALPHA }).mul(SELU_SCALE)), 1e-15, 1e-15)));
    fc.assert(fc.property(values, (xs) => close(arr(F.celu(t(xs))), arr(F.elu(t(xs))))));
    fc.assert(fc.property(values, (xs) => close(arr(F.leakyRelu(t(xs), { negativeSlope: 1 })), xs)));
  });
  it("GELU's tanh form stays within 5e-4 of the exact one", () => {
    fc.assert(fc.property(values, (xs) => close(arr(F.gelu(t(xs), { approximate: 'tanh' })), arr(F.gelu(t(xs))), 0, 5e-4)));
  });
  it('softmax sums to 1, is shift-invariant; log_softmax = log(softmax); softmin(x) = softmax(-x)', () => {
    fc.assert(
      fc.property(values, fc.double({ min: -100, max: 100, noNaN: true }), (xs, c) => {
        const s = arr(F.softmax(t(xs), 0));
        close([s.reduce((a, b) => a + b, 0)], [1], 1e-14);
        close(arr(F.softmax(t(xs).add(c), 0)), s, 1e-10, 1e-15);
        close(arr(F.logSoftmax(t(xs), 0)), s.map(Math.log), 1e-10, 1e-12);
        close(arr(F.softmin(t(xs), 0)), arr(F.softmax(t(xs).neg(), 0)));
      }),
    );
  });
  it('declared monotonic activations never decrease', () => {
    const mono = activations.list().filter((a) => (a.spec.kind ?? 'elementwise') === 'elementwise' && a.spec.properties.monotonic === true);
    expect(mono.length).toBeGreaterThan(8);
    for (const a of mono) {
      if (Object.values(a.spec.params).some((p) => p.default === undefined)) continue;
      fc.assert(
        fc.property(fc.double({ min: -40, max: 40, noNaN: true }), fc.double({ min: -40, max: 40, noNaN: true }), (u, v) => {
          const [lo, hi] = u <= v ? [u, v] : [v, u];
          const y = arr(a.call(t([lo, hi]), {}));
          expect(y[1]!, `${a.id}(${lo}) <= ${a.id}(${hi})`).toBeGreaterThanOrEqual(y[0]!);
        }),
        { numRuns: 60 },
      );
    }
  });
});

describe('tanhshrink near 0 (where x - tanh(x) cancels)', () => {
  // x - tanh(x) = x^3/3 - 2x^5/15 + 17x^7/315 - 62x^9/2835 + ...: below 0.01 these four terms
  // leave an error below 1e-22 relative. The derivative is tanh(x)^2.
  const series = (x: number): number => {
    const u = x * x;
    return x * u * (1 / 3 - u * (2 / 15 - u * (17 / 315 - (u * 62) / 2835)));
  };
  const xs = [1e-30, -3e-20, 1e-10, -(2 ** -13), 1e-5, 3e-4, -0.001, 0.009];
  it.each(['float64', 'float32'] as const)('%s: value and gradient to the precision of the dtype', (dtype) => {
    const x = tensor(xs, { dtype, requiresGrad: true });
    const y = F.tanhshrink(x);
    const [g] = autograd.grad(y.sum(), x);
    const got = Array.from(y.toTypedArray());
    const grad = Array.from(g!.toTypedArray());
    const inputs = Array.from(x.toTypedArray());
    // float64: within 4 ulps; float32: within an ulp of the float32 result (PyTorch's float32
    // gives 0 for the value below |x| = 2^-12 and for the gradient below 2^-12.5).
    // Results below float32's range (1e-30 cubed) are 0 there: the smallest subnormal is allowed.
    const rel = dtype === 'float64' ? 4 * 2 ** -52 : 2 ** -23;
    const abs = dtype === 'float64' ? 0 : 2 ** -149;
    inputs.forEach((v, i) => {
      expect(Math.abs(got[i]! - series(v)), `tanhshrink(${v}) = ${got[i]}`).toBeLessThanOrEqual(abs + rel * Math.abs(series(v)));
      const d = Math.tanh(v) ** 2;
      expect(Math.abs(grad[i]! - d), `tanhshrink'(${v}) = ${grad[i]}`).toBeLessThanOrEqual(abs + rel * d);
    });
  });
});
