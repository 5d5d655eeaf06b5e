/**
 * The generic suite: every registered activation, built-in or user-defined, is checked against
 * its own declaration: the float64 reference, finite-difference gradients (first and second),
 * declared properties, in-place forms, shapes, dtypes, the module, and argument errors.
 * Nothing here is specific to one activation; quirks live in activations.quirks.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { activations, autograd, Generator, tensor, Tensor, type Activation } from '../src/index.js';
import type { ElementwiseSpec, ParamNumbers, ParamSpecs, Properties, TensorSpec } from '../src/activations/spec.js';
import { setWarningHandler } from '../src/util/warn.js';
import { swish } from './helpers/swish.js';

// A user-defined activation goes through the same door and gets the same checks.
activations.register(swish);
const list = activations.list() as Activation[];
const isElementwise = (a: Activation): boolean => a.spec.kind === undefined || a.spec.kind === 'elementwise';
const hasTensorParam = (a: Activation): boolean => Object.values(a.spec.params).some((p) => p.type === 'tensor');

/** Deterministic pseudo-random values in [lo, hi). */
function uniform(n: number, lo: number, hi: number, seed: number): number[] {
  const g = new Generator(seed);
  const u = g.uniform_(new Float64Array(n));
  return Array.from(u, (v) => lo + (hi - lo) * v);
}

/** The parameters to call with: the defaults, plus required ones and the PReLU weight. */
function callParams(a: Activation, x?: Tensor): Record<string, unknown> {
  const p: Record<string, unknown> = { ...a.defaults() };
  for (const [k, s] of Object.entries(a.spec.params)) {
    if (s.default !== undefined) continue;
    if (s.type === 'tensor') p[k] = tensor([0.25], { dtype: x?.dtype ?? 'float64' });
    else p[k] = k === 'threshold' ? 0.5 : 1.5;
  }
  if (a.id === 'softmax' || a.id === 'log_softmax' || a.id === 'softmin') p['dim'] = -1;
  return p;
}

function numbers(a: Activation, p: Record<string, unknown>): ParamNumbers<ParamSpecs> {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v instanceof Tensor ? v.item() : v])) as ParamNumbers<ParamSpecs>;
}

function prop<T>(v: T | ((p: ParamNumbers<ParamSpecs>) => T), p: ParamNumbers<ParamSpecs>): T {
  return typeof v === 'function' ? (v as (p: ParamNumbers<ParamSpecs>) => T)(p) : v;
}

/** Inputs away from every declared kink (gradcheck's finite differences straddle nothing). */
function smoothPoints(a: Activation, p: ParamNumbers<ParamSpecs>, n: number, seed: number): number[] {
  const kinks = prop((a.spec.properties as Properties).kinks, p);
  return uniform(n, -4, 4, seed).map((v) => {
    let x = v;
    for (const k of kinks) if (Math.abs(x - k) < 1e-3) x = k + 0.01;
    return x;
  });
}

describe.each(list.map((a) => [a.id, a] as const))('%s', (_id, a) => {
  const spec = a.spec;
  const props = spec.properties as Properties;

  it('declares what the rest of the library relies on', () => {
    expect(spec.id).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(spec.module).toMatch(/^[A-Z]/);
    expect(spec.summary.length).toBeGreaterThan(10);
    expect(spec.formula.length).toBeGreaterThan(2);
    for (const [k, p] of Object.entries(spec.params)) expect(p.doc.length, `param ${k} has a doc`).toBeGreaterThan(3);
  });

  it('agrees with its float64 reference', () => {
    const p = callParams(a);
    const pn = numbers(a, p);
    const xs = [...uniform(64, -6, 6, 1), -0.0, 0, 1, -1, 3, -3];
    if (isElementwise(a)) {
      const y = a.call(tensor(Float64Array.from(xs), { dtype: 'float64' }), p).toTypedArray();
      const ref = (spec as ElementwiseSpec).reference;
      xs.forEach((x, i) => {
        const r = ref(x, pn);
        expect(Math.abs(y[i]! - r), `x = ${x}: ours ${y[i]}, reference ${r}`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(r)));
      });
    } else if ((a.spec.kind !== 'random' || a.id === 'rrelu') && a.id !== 'softmax2d') {
      const x = tensor(Float64Array.from(xs.slice(0, 64)), { dtype: 'float64', shape: [8, 8] });
      const y = a.call(x, p).toTypedArray();
      const ref = (spec as TensorSpec).reference;
      const width = y.length / 8;
      for (let r = 0; r < 8; r++) {
        const want = ref(xs.slice(r * 8, r * 8 + 8), pn);
        for (let j = 0; j < width; j++) expect(Math.abs(y[r * width + j]! - want[j]!)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(want[j]!)));
      }
    }
  });

  it.skipIf(spec.kind === 'random')('passes gradcheck and gradgradcheck in float64 away from kinks', () => {
    const p = callParams(a);
    const pn = numbers(a, p);
    const shape = spec.id === 'softmax2d' ? [2, 3, 2] : [3, 4];
    const xs = smoothPoints(a, pn, shape.reduce((u, v) => u * v, 1), 2);
    const x = tensor(Float64Array.from(xs), { dtype: 'float64', shape, requiresGrad: true });
    const f = (t: Tensor) => a.call(t, p);
    expect(autograd.gradcheck(f, [x])).toBe(true);
    expect(autograd.gradgradcheck(f, [x])).toBe(true);
  });

  it.skipIf(!isElementwise(a))('keeps its declared range, monotonicity, dead zone and saturation', () => {
    const p = callParams(a);
    const pn = numbers(a, p);
    const xs = [...uniform(400, -50, 50, 3), ...uniform(200, -5, 5, 4)].sort((u, v) => u - v);
    const x = tensor(Float64Array.from(xs), { dtype: 'float64', requiresGrad: true });
    const y = a.call(x, p);
    const [g] = autograd.grad(y.sum(), x);
    const yv = y.toTypedArray();
    const gv = g!.toTypedArray();
    const [lo, hi] = prop(props.range, pn);
    for (const v of yv) {
      expect(v).toBeGreaterThanOrEqual(lo - 1e-12);
      expect(v).toBeLessThanOrEqual(hi + 1e-12);
    }
    if (prop(props.monotonic, pn)) for (let i = 1; i < yv.length; i++) expect(yv[i]!).toBeGreaterThanOrEqual(yv[i - 1]!);
    const dead = props.deadZone ? prop(props.deadZone, pn) : undefined;
    if (dead) xs.forEach((v, i) => (v > dead[0] && v < dead[1] ? expect(gv[i], `f'(${v}) in the dead zone`).toBe(0) : undefined));
    const at = (v: number): number => {
      const t = tensor([v], { dtype: 'float64', requiresGrad: true });
      return autograd.grad(a.call(t, p).sum(), t)[0]!.item();
    };
    // Saturation: the derivative vanishes far out (1e4 lets softsign's polynomial tail count).
    // A dead zone is flat by definition, so that side is not a claim about saturation.
    const s = props.saturates;
    const far = 1e4;
    if (!(dead && dead[0] <= -far)) expect(Math.abs(at(-far)) < 1e-6, 'saturates on the negative side').toBe(s === 'negative' || s === 'both');
    if (!(dead && dead[1] >= far)) expect(Math.abs(at(far)) < 1e-6, 'saturates on the positive side').toBe(s === 'positive' || s === 'both');
  });

  it.skipIf(!spec.inplace || !isElementwise(a))('has in-place forms that match the out-of-place one, values and gradients', () => {
    const p = callParams(a);
    const xs = smoothPoints(a, numbers(a, p), 12, 5);
    for (const dtype of ['float32', 'float64'] as const) {
      const leaf1 = tensor(Float64Array.from(xs), { dtype, requiresGrad: true });
      const leaf2 = tensor(Float64Array.from(xs), { dtype, requiresGrad: true });
      const out = a.call(leaf1.mul(2), p);
      const h = leaf2.mul(2);
      const same = a.call(h, { ...p, inplace: true });
      expect(same).toBe(h);
      expect(same.toTypedArray()).toEqual(out.toTypedArray());
      const w = tensor(Float64Array.from(uniform(12, -1, 1, 6)), { dtype });
      out.mul(w).sum().backward();
      same.mul(w).sum().backward();
      // In-place forms that save their result (elu_, leaky_relu_) compute the same derivative
      // from the rounded result, as PyTorch's do: equal up to the dtype's rounding.
      const tol = dtype === 'float32' ? 1e-6 : 1e-14;
      const g1 = leaf1.grad!.toTypedArray();
      leaf2.grad!.toTypedArray().forEach((v, i) => expect(Math.abs(v - g1[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(g1[i]!))));
    }
  });

  it('handles empty, 0-dimensional and non-contiguous inputs', () => {
    if (spec.id === 'softmax2d' || spec.id === 'glu' || hasTensorParam(a)) return;
    const p = callParams(a);
    const empty = a.call(tensor(new Float32Array(0), { shape: [0, 3] }), p);
    expect(empty.shape).toEqual([0, 3]);
    const scalar = a.call(tensor(0.5), spec.kind === 'dim' || spec.id === 'gumbel_softmax' ? { ...p, dim: 0 } : p);
    expect(scalar.shape).toEqual([]);
    const base = tensor(Float64Array.from(uniform(12, -3, 3, 7)), { shape: [3, 4], dtype: 'float64' });
    const t = base.t();
    expect(t.isContiguous()).toBe(false);
    if (spec.kind !== 'random') expect(a.call(t, p).tolist()).toEqual(a.call(t.contiguous(), p).tolist());
  });

  it('keeps float32 and float64 and treats integers as PyTorch does', () => {
    if (spec.id === 'softmax2d' || hasTensorParam(a)) return;
    const p = callParams(a);
    for (const dtype of ['float32', 'float64'] as const) {
      expect(a.call(tensor([[0.5, -1.5]], { dtype }), p).dtype).toBe(dtype);
    }
    const ints = tensor([[1, -2]], { dtype: 'int64' });
    const policy = spec.integers ?? 'reject';
    if (policy === 'reject' || policy === 'custom') expect(() => a.call(ints, p)).toThrow(/not implemented for 'Long'/);
    else if (policy === 'keep') expect(a.call(ints, p).dtype).toBe('int64');
    else expect(a.call(ints, p).dtype).toBe('float32');
  });

  it('rejects unknown options and wrongly typed ones, naming the function and the argument', () => {
    const x = tensor([1, 2]);
    expect(() => a.call(x, { ...callParams(a), bogus: 1 })).toThrow(new RegExp(`F\\.${a.name}\\(\\): unknown option 'bogus'`));
    const numeric = Object.entries(spec.params).find(([, s]) => s.type === 'float' && s.default !== undefined);
    if (numeric) {
      expect(() => a.call(x, { ...callParams(a), [numeric[0]]: 'a' })).toThrow(new RegExp(`argument '${numeric[0]}' must be a number`));
    }
    expect(() => a.call(1 as unknown as Tensor, {})).toThrow(/argument 'input' must be a Tensor/);
  });

  it.skipIf(spec.id === 'gumbel_softmax')('has a module that applies the function and prints like PyTorch', () => {
    const p = callParams(a);
    const req = Object.entries(spec.params).filter(([, s]) => s.default === undefined && s.type !== 'tensor');
    const M = a.Module as unknown as new (...args: unknown[]) => { forward(x: Tensor): Tensor; toString(): string; eval(): unknown };
    const m = new M(...req.map(([k]) => p[k]), {});
    m.eval();
    expect(m.toString()).toMatch(new RegExp(`^${spec.module}\\(.*\\)$`));
    const x = tensor(Float64Array.from(uniform(12, -3, 3, 8)), { shape: spec.id === 'softmax2d' ? [3, 2, 2] : [3, 4], dtype: 'float32' });
    setWarningHandler(() => undefined);
    try {
      const fnOpts = spec.id === 'prelu' ? { weight: tensor([0.25]) } : spec.kind === 'dim' && spec.id !== 'softmax2d' ? { ...p, dim: null } : p;
      if (spec.kind !== 'random' || spec.id === 'rrelu') expect(m.forward(x).tolist()).toEqual(a.call(x, fnOpts).tolist());
    } finally {
      setWarningHandler(undefined);
    }
  });
});
