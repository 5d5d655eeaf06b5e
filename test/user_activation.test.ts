/**
 * A user-defined activation is as first-class as a built-in one: functional form, module with
 * learnable parameters, first and second derivatives, gradcheck, registration.
 */
import { describe, expect, it } from 'vitest';
import { activations, autograd, defineActivation, ir, tensor } from '../src/index.js';
import { swish } from './helpers/swish.js';

describe('a user-defined Swish with a learnable beta', () => {
  it('has a functional form taking beta as a number or a tensor', () => {
    const x = tensor([-1, 0.5, 2], { dtype: 'float64' });
    const y = swish.fn(x, { beta: 2 }).tolist() as number[];
    [-1, 0.5, 2].forEach((v, i) => expect(y[i]).toBeCloseTo(v / (1 + Math.exp(-2 * v)), 15));
    const beta = tensor(2, { dtype: 'float64', requiresGrad: true });
    const yt = swish.fn(x, { beta });
    expect(yt.tolist()).toEqual(y);
    yt.sum().backward();
    // d/dbeta x sigmoid(beta x) = x^2 s (1 - s)
    const want = [-1, 0.5, 2].reduce((a, v) => {
      const s = 1 / (1 + Math.exp(-2 * v));
      return a + v * v * s * (1 - s);
    }, 0);
    expect(beta.grad!.item()).toBeCloseTo(want, 14);
  });

  it('has a module that owns beta as a Parameter and prints like a PyTorch module', () => {
    const m = new swish.Module({ beta: 1.5 });
    expect(m.toString()).toBe('Swish(beta=1.5)');
    expect(m.namedParameters().map(([n, p]) => [n, p.item()])).toEqual([['beta', 1.5]]);
    const x = tensor([-1, 0.5, 2]);
    m.forward(x).sum().backward();
    expect(m.parameters()[0]!.grad).not.toBeNull();
  });

  it('passes gradcheck and gradgradcheck with respect to x and beta', () => {
    const x = tensor([-1.3, 0.4, 2.2], { dtype: 'float64', requiresGrad: true });
    const beta = tensor(0.7, { dtype: 'float64', requiresGrad: true });
    const f = (t: typeof x, b: typeof beta) => swish.fn(t, { beta: b });
    expect(autograd.gradcheck(f, [x, beta])).toBe(true);
    expect(autograd.gradgradcheck(f, [x, beta])).toBe(true);
  });

  it('joins the registry (and then every tool that lists activations)', () => {
    activations.register(swish);
    expect(activations.get('swish')).toBe(swish);
    expect(() => activations.register({ ...swish } as typeof swish)).toThrow("an activation with id 'swish' is already registered");
  });

  it('reports mistakes in a declaration where they are made', () => {
    const base = { module: 'X', summary: 'a test function', formula: 'x', params: {}, forward: (x: ir.Expr) => x, reference: (x: number) => x, gradFn: 'XBackward0', properties: { range: [0, 1], monotonic: true, kinks: [], zeroCentered: false, saturates: 'none' } } as const;
    expect(() => defineActivation({ ...base, id: 'Bad Name' })).toThrow("'id' must be a snake_case name");
    expect(() => defineActivation({ ...base, id: 'ok', params: { a: { type: 'vector', doc: 'x' } } } as never)).toThrow("parameter 'a' of 'ok' has unknown type");
    expect(() => defineActivation({ ...base, id: 'ok2', params: { a: { type: 'choice', doc: 'x' } } } as never)).toThrow("needs a non-empty 'choices' list");
    expect(() => defineActivation({ ...base, id: 'ok3', forward: undefined } as never)).toThrow("needs a 'forward' formula");
  });
});
