/**
 * The explorer's logic in Node: the catalogue built from the declarations, the curves (autograd
 * against the float64 references and finite differences), regions, numerics, the URL state,
 * the generated code (which is run), the playground's trainer, and the `paoding explore`
 * static server. The page itself is tested in a real browser in explorer.e2e.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activations, autograd, F, linspace, manualSeed, nn, onesLike, tensor, type Tensor } from '../src/index.js';
import { apply, catalogue, complete, defaults, entry, sliderStep, VARIANTS } from '../src/explorer/catalogue.js';
import { activationCurve, fdStep, formatNumber, grid, regions } from '../src/explorer/compute.js';
import { codeFor, curvesCode, playgroundCode, torchCall, torchModule, tsCall, tsModule } from '../src/explorer/code.js';
import { errorProfile, evaluateFloat32, NAIVE, relativeError, specialValues } from '../src/explorer/numerics.js';
import { Trainer } from '../src/explorer/playground.js';
import { decode, defaultState, encode, paramsOf } from '../src/explorer/state.js';
import { main as exploreMain, MIME, serve, type Served } from '../src/cli/explore.js';
import * as ir from '../src/ir/index.js';

const SRC_INDEX = fileURLToPath(new URL('../src/index.ts', import.meta.url));

describe('explorer catalogue', () => {
  it('has an entry for every registered activation, with controls from the declarations', () => {
    const ids = catalogue().map((e) => e.id);
    expect(ids).toEqual(activations.list().map((a) => a.id));
    expect(ids.length).toBeGreaterThanOrEqual(29);
    const leaky = entry('leaky_relu');
    expect(leaky.controls).toEqual([
      expect.objectContaining({ key: 'negativeSlope', torchName: 'negative_slope', type: 'float', default: 0.01, required: false, range: [0, 0.5], step: 0.005 }),
    ]);
    expect(entry('gelu').controls[0]).toMatchObject({ key: 'approximate', type: 'choice', default: 'none', choices: ['none', 'tanh'] });
    expect(entry('softplus').controls.map((c) => [c.key, c.default])).toEqual([
      ['beta', 1],
      ['threshold', 20],
    ]);
    // PyTorch requires threshold and value: example values, marked required (positional).
    expect(entry('threshold').controls.map((c) => [c.key, c.required])).toEqual([
      ['threshold', true],
      ['value', true],
    ]);
    // PReLU's weight comes from the module's `init`; the softmax family's dim and dtype are hidden.
    expect(entry('prelu').controls).toEqual([expect.objectContaining({ key: 'init', default: 0.25, moduleOnly: true })]);
    expect(entry('softmax').controls).toEqual([]);
    expect(entry('gumbel_softmax').controls.map((c) => c.key)).toEqual(['tau', 'hard']);
    expect(entry('rrelu').controls.map((c) => c.key)).toEqual(['lower', 'upper', 'training']);
    expect(entry('softmax').form).toBe('pair-zero');
    expect(entry('glu').form).toBe('pair-same');
    expect(entry('softmax2d').form).toBe('image-pair');
    expect(entry('prelu').form).toBe('weight');
    expect(catalogue().filter((e) => e.trainable).length).toBeGreaterThanOrEqual(22);
  });

  it('picks round slider steps', () => {
    expect(sliderStep([0, 0.5], 'float')).toBe(0.005);
    expect(sliderStep([-5, 0], 'float')).toBe(0.05);
    expect(sliderStep([0.1, 5], 'float')).toBeCloseTo(0.02);
    expect(sliderStep([1, 64], 'int')).toBe(1);
  });

  it('fills defaults and rejects bad values', () => {
    const e = entry('hardtanh');
    expect(defaults(e)).toEqual({ minVal: -1, maxVal: 1 });
    expect(complete(e, { minVal: -2, maxVal: 'x' as never })).toEqual({ minVal: -2, maxVal: 1 });
  });
});

/** f and f' and f'' by autograd, written out plainly (not through the explorer's code). */
function plainCurve(f: (x: Tensor) => Tensor, lo: number, hi: number, n: number): { y: number[]; dy: number[]; d2y: number[] } {
  const x = linspace(lo, hi, n, { dtype: 'float64', requiresGrad: true });
  const y = f(x);
  const [dy] = autograd.grad(y, x, { gradOutputs: onesLike(y), createGraph: true });
  const [d2y] = dy!.requiresGrad ? autograd.grad(dy!, x, { gradOutputs: onesLike(dy!), allowUnused: true }) : [null];
  const list = (t: Tensor | null | undefined) => (t ? Array.from(t.detach().toTypedArray() as Float64Array) : new Array<number>(n).fill(0));
  return { y: list(y), dy: list(dy), d2y: list(d2y) };
}

describe('explorer curves', () => {
  const LO = -6;
  const HI = 6;
  const N = 241;

  for (const e of catalogue()) {
    it(`${e.id}: autograd's values, against the float64 reference and finite differences`, () => {
      const values = complete(e);
      const c = activationCurve(e, values, LO, HI, N, 'float64');
      expect(c.error).toBeUndefined();
      expect(c.x).toEqual(grid(LO, HI, N, 'float64'));
      // The same numbers as calling the library directly.
      const plain = plainCurve((x) => apply(e, values, x), LO, HI, N);
      expect(c.y).toEqual(plain.y);
      expect(c.dy).toEqual(plain.dy);
      expect(c.d2y).toEqual(plain.d2y);
      // Against the declaration's float64 reference (a random activation's reference has no noise).
      if (e.id !== 'gumbel_softmax') {
        const spec = e.act.spec;
        const p = { ...values, weight: values['init'] } as never;
        const ref = c.x.map((x) => {
          if (spec.kind === undefined || spec.kind === 'elementwise') return (spec.reference as (x: number, p: never) => number)(x, p);
          const slice = e.form === 'pair-same' ? [x, x] : [x, 0];
          return (spec.reference as (xs: number[], p: never) => number[])(slice, p)[0]!;
        });
        c.y.forEach((v, i) => expect(Math.abs(v - ref[i]!), `${e.id}(${c.x[i]})`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(ref[i]!))));
      }
      // Finite differences agree away from the kinks (within h where the second derivative
      // jumps: ELU's and softsign's at 0).
      const kinks = regions(e, values, c, 0.01).kinks;
      const far = (x: number) => kinks.every((k) => Math.abs(x - k) > 3 * fdStep(x, 'float64'));
      c.x.forEach((x, i) => {
        if (!far(x)) return;
        expect(Math.abs(c.dy[i]! - c.fd1[i]!), `${e.id}'(${x})`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(c.dy[i]!)) + fdStep(x, 'float64'));
        // ... and f'' where it does not jump (ELU's jumps from 1 to 0 at 0: no kink in f, one in f').
        const jump = Math.max(Math.abs(c.d2y[i]! - (c.d2y[i - 1] ?? c.d2y[i]!)), Math.abs((c.d2y[i + 1] ?? c.d2y[i]!) - c.d2y[i]!));
        if (jump < 0.2) expect(Math.abs(c.d2y[i]! - c.fd2[i]!), `${e.id}''(${x})`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(c.d2y[i]!)));
      });
    });
  }

  it('draws variants through the library', () => {
    for (const v of VARIANTS) {
      const x = linspace(-4, 4, 9, { dtype: 'float64' });
      expect(v.apply(x).shape).toEqual([9]);
    }
    const hs = VARIANTS.find((v) => v.key === 'hardsigmoid:0.2')!;
    expect(hs.apply(tensor([-3, 0, 1, 3], { dtype: 'float64' })).tolist()).toEqual([0, 0.5, 0.7, 1]);
  });

  it('reports an invalid parameter combination instead of throwing', () => {
    const c = activationCurve(entry('hardtanh'), { minVal: 1, maxVal: -1 }, -2, 2, 11, 'float64');
    expect(c.error).toMatch(/min_val cannot be greater than max_val/);
  });

  it('computes in float32 too', () => {
    const c = activationCurve(entry('silu'), {}, -3, 3, 7, 'float32');
    expect(c.y.every((v) => Math.fround(v) === v)).toBe(true);
    expect(c.dy[3]).toBeCloseTo(0.5, 6);
  });

  it('shades dead zones, kinks and saturated tails from the declarations', () => {
    const relu = entry('relu');
    const r = regions(relu, {}, activationCurve(relu, {}, -6, 6, 121, 'float64'), 0.01);
    expect(r.kinks).toEqual([0]);
    expect(r.deadZone).toEqual([-6, 0]);
    expect(r.saturated).toEqual([]);
    const sig = entry('sigmoid');
    const s = regions(sig, {}, activationCurve(sig, {}, -8, 8, 161, 'float64'), 0.01);
    // sigmoid' < 0.01 for |x| > 4.59.
    expect(s.saturated.length).toBe(2);
    expect(s.saturated[0]![0]).toBe(-8);
    expect(s.saturated[0]![1]).toBeGreaterThan(-4.7);
    expect(s.saturated[0]![1]).toBeLessThan(-4.5);
    expect(s.saturated[1]![1]).toBe(8);
    // GELU saturates on the left only; its minimum near -0.75 (f' = 0) is not saturation.
    const gelu = entry('gelu');
    const g = regions(gelu, complete(gelu), activationCurve(gelu, complete(gelu), -6, 6, 401, 'float64'), 0.01);
    expect(g.saturated.length).toBe(1);
    expect(g.saturated[0]![1]).toBeLessThan(-2);
    // Hardshrink's dead zone follows lambd.
    const hs = entry('hardshrink');
    expect(regions(hs, { lambd: 1 }, activationCurve(hs, { lambd: 1 }, -3, 3, 61, 'float64'), 0.01).deadZone).toEqual([-1, 1]);
  });

  it('formats numbers for reading', () => {
    expect(formatNumber(-0)).toBe('−0');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('−∞');
    expect(formatNumber(0.123456789)).toBe('0.123457');
    expect(formatNumber(1.5e-9)).toBe('1.5e−9');
  });
});

describe('explorer numerics', () => {
  it('evaluates a formula with every operation rounded to float32', () => {
    const x = ir.input(0);
    const e = ir.add(ir.mul(x, 0.1), ir.exp(x));
    const v = 1.3;
    const f = Math.fround;
    expect(evaluateFloat32(e, v)).toBe(f(f(f(v) * f(0.1)) + f(Math.exp(f(v)))));
    expect(evaluateFloat32(ir.where(ir.gt(x, 0), x, ir.neg(x)), -2)).toBe(2);
  });

  it('measures relative errors, absolutely below the smallest normal number', () => {
    expect(relativeError(1, 1)).toBe(0);
    expect(relativeError(NaN, NaN)).toBe(0);
    expect(relativeError(-0, 0)).toBe(0);
    expect(relativeError(1.5, 1)).toBe(0.5);
    expect(relativeError(NaN, 1)).toBe(Infinity);
    expect(relativeError(0, 1e-50, 2 ** -126)).toBeLessThan(1e-10);
  });

  it("shows GELU's naive tail losing every digit, and paoding's float32 holding", () => {
    const e = entry('gelu');
    const p = errorProfile(e, complete(e), -10, 10, 401);
    const by = Object.fromEntries(p.series.map((s) => [s.key, s]));
    expect(Object.keys(by)).toEqual(['paoding32', 'formula32', 'naive64', 'naive32']);
    expect(by['naive32']!.max).toBeGreaterThan(0.5);
    expect(p.x[by['naive32']!.argmax]!).toBeLessThan(-3);
    expect(by['naive64']!.max).toBeGreaterThan(1e-3);
    // Only the float32-rounded constant 1/sqrt(2) costs anything, in the tail.
    expect(by['paoding32']!.max).toBeLessThan(1e-5);
  });

  it('shows float32 within half an ulp where no constant rounds', () => {
    for (const id of ['sigmoid', 'tanh', 'softsign', 'silu', 'elu', 'softplus']) {
      const p = errorProfile(entry(id), complete(entry(id)), -20, 20, 801);
      expect(p.series[0]!.max, id).toBeLessThanOrEqual(2 ** -24 * (1 + 1e-9));
    }
  });

  it('has naive forms only where they differ, and they are what the text says', () => {
    for (const [id, n] of Object.entries(NAIVE)) {
      expect(activations.has(id)).toBe(true);
      const e = entry(id);
      const expr = n.formula(ir.input(0), complete(e));
      // In float64 at a moderate point the naive and stable forms agree.
      const ref = apply(e, complete(e), tensor([0.7], { dtype: 'float64' })).item();
      expect(ir.evaluate(expr, [0.7])).toBeCloseTo(ref, 12);
    }
    const sp = errorProfile(entry('softplus'), complete(entry('softplus')), -30, 0, 301);
    const naive32 = sp.series.find((s) => s.key === 'naive32')!;
    expect(naive32.rel[0]).toBe(1); // log(1 + exp(-30)) = log(1) = 0 in float32
  });

  it('tabulates NaN, infinities and signed zeros through the library', () => {
    const relu = specialValues(entry('relu'), {});
    expect(typeof relu).not.toBe('string');
    const rows = relu as { x: number; y: number; dy: number }[];
    const at = (x: number) => rows.find((r) => Object.is(r.x, x))!;
    expect(Number.isNaN(at(NaN).y)).toBe(true);
    expect(Object.is(at(-0).y, -0)).toBe(true);
    expect(at(Infinity).y).toBe(Infinity);
    expect(at(-Infinity).y).toBe(0);
    expect(at(Infinity).dy).toBe(1);
    const sig = specialValues(entry('sigmoid'), {}) as { x: number; y: number; dy: number }[];
    expect(sig.map((r) => r.y)).toEqual([NaN, 0, 0.5, 0.5, 1]);
    // The output gradient is ones even where other values are NaN.
    expect(sig.map((r) => r.dy).slice(1)).toEqual([0, 0.25, 0.25, 0]);
  });
});

describe('explorer URL state', () => {
  it('writes nothing for the defaults', () => {
    expect(encode(defaultState())).toBe('');
    expect(decode('')).toEqual(defaultState());
  });

  it('round-trips a full state', () => {
    const s = defaultState();
    s.tab = 'playground';
    s.acts = ['gelu', 'leaky_relu', 'threshold'];
    s.params = { gelu: { approximate: 'tanh' }, leaky_relu: { negativeSlope: 0.2 }, threshold: { threshold: 0.5, value: 2 } };
    s.variants = ['gelu:quick'];
    s.focus = 'leaky_relu';
    s.lo = -3;
    s.hi = 5;
    s.dtype = 'float32';
    s.threshold = 0.001;
    s.showFd = false;
    s.probe = 2;
    s.nlo = -40;
    s.code = true;
    s.pg = { dataset: 'spiral', noise: 0.2, act: 'elu', params: { alpha: 0.5 }, depth: 3, width: 12, lr: 0.1, optimizer: 'momentum', batch: 32, seed: 7, layer: 2 };
    const hash = encode(s);
    expect(hash).toContain('a=gelu,leaky_relu,threshold');
    expect(hash).toContain('p.leaky_relu.negativeSlope=0.2');
    expect(hash).toContain('pg.p.alpha=0.5');
    expect(hash).toContain('v=gelu:quick');
    expect(decode(`#${hash}`)).toEqual(s);
  });

  it('ignores what it does not know', () => {
    const s = decode('#a=gelu,nope,relu&p.gelu.approximate=sideways&p.relu.x=1&p.nope.a=1&tab=x&lo=5&hi=1&pg.act=softmax&pg.depth=99&v=bad,gelu:tanh');
    expect(s.acts).toEqual(['gelu', 'relu']);
    expect(s.params).toEqual({});
    expect(s.tab).toBe('curves');
    expect([s.lo, s.hi]).toEqual([-6, 6]);
    expect(s.pg.act).toBe('relu');
    expect(s.pg.depth).toBe(4);
    expect(s.variants).toEqual(['gelu:tanh']);
    expect(paramsOf(s, 'gelu')).toEqual({ approximate: 'none' });
  });
});

/** Run a generated TypeScript snippet against the sources; returns its module. */
async function runSnippet(ts: string, exports = ''): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'paoding-snippet-'));
  const file = join(dir, 'snippet.ts');
  writeFileSync(file, `${ts.replace(/from 'paoding'/g, `from ${JSON.stringify(SRC_INDEX)}`)}\n${exports}\n`);
  // The snippets print what they computed; keep the test output quiet.
  const log = console.log;
  console.log = () => {};
  try {
    return (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('explorer "show code"', () => {
  it("uses PyTorch's names and keywords, and paoding's options", () => {
    const lr = entry('leaky_relu');
    expect(torchCall(lr, { negativeSlope: 0.2 }, 'float64')).toBe('F.leaky_relu(x, negative_slope=0.2)');
    expect(torchModule(lr, { negativeSlope: 0.2 })).toBe('nn.LeakyReLU(negative_slope=0.2)');
    expect(tsCall(lr, { negativeSlope: 0.2 }, 'float64')).toBe('F.leakyRelu(x, { negativeSlope: 0.2 })');
    expect(tsModule(lr, { negativeSlope: 0.2 })).toBe('new nn.LeakyReLU({ negativeSlope: 0.2 })');
    expect(torchCall(lr, { negativeSlope: 0.01 }, 'float64')).toBe('F.leaky_relu(x)');
    const th = entry('threshold');
    expect(torchCall(th, { threshold: 1, value: -0.5 }, 'float64')).toBe('F.threshold(x, 1.0, -0.5)');
    expect(tsModule(th, { threshold: 1, value: -0.5 })).toBe('new nn.Threshold(1, -0.5)');
    expect(torchModule(entry('gelu'), { approximate: 'tanh' })).toBe("nn.GELU(approximate='tanh')");
    expect(torchModule(entry('rrelu'), { lower: 0.1, upper: 0.3333333333333333, training: true })).toBe('nn.RReLU(lower=0.1)');
    expect(torchCall(entry('softmax'), {}, 'float64')).toBe('F.softmax(torch.stack([x, torch.zeros_like(x)], dim=1), dim=1)[:, 0]');
    expect(torchModule(entry('prelu'), { init: 0.1 })).toBe('nn.PReLU(init=0.1)');
    expect(torchCall(entry('prelu'), { init: 0.1 }, 'float32')).toBe('F.prelu(x, torch.tensor([0.1], dtype=torch.float32))');
    expect(torchModule(entry('elu'), { alpha: 2 })).toBe('nn.ELU(alpha=2.0)');
  });

  it('generates curve code that runs and gives the plotted numbers', async () => {
    const s = decode('#a=gelu,leaky_relu,threshold,prelu,softmax,softmax2d,glu,gumbel_softmax&p.gelu.approximate=tanh&p.leaky_relu.negativeSlope=0.2&v=gelu:tanh,gelu:quick');
    const code = curvesCode(s, 41);
    expect(code.torch).toContain('F.leaky_relu(t, negative_slope=0.2)');
    expect(code.torch).toContain('nn.LeakyReLU(negative_slope=0.2)');
    expect(code.torch).toContain("x = torch.linspace(-6.0, 6.0, 41, dtype=torch.float64, requires_grad=True)");
    expect(code.ts).toContain("F.gelu(t, { approximate: 'tanh' })");
    const m = await runSnippet(code.ts, 'export { gelu, leakyRelu, softmax2d, gumbelSoftmax, modules };');
    const lr = activationCurve(entry('leaky_relu'), { negativeSlope: 0.2 }, -6, 6, 41, 'float64');
    expect((m['leakyRelu'] as { y: number[] }).y).toEqual(lr.y);
    expect((m['leakyRelu'] as { dy: number[] }).dy).toEqual(lr.dy);
    const sm = activationCurve(entry('softmax2d'), {}, -6, 6, 41, 'float64');
    expect((m['softmax2d'] as { y: number[] }).y).toEqual(sm.y);
    const gs = activationCurve(entry('gumbel_softmax'), complete(entry('gumbel_softmax')), -6, 6, 41, 'float64');
    expect((m['gumbelSoftmax'] as { y: number[] }).y).toEqual(gs.y);
    expect((m['modules'] as nn.Module[]).map((x) => x.toString())).toContain('LeakyReLU(negative_slope=0.2)');
  });

  it('generates numerics code that runs', async () => {
    const s = decode('#tab=numerics&a=softplus');
    const code = codeFor(s, { points: 401, steps: 0 });
    expect(code.torch).toContain('naive = torch.log(1 + torch.exp(x))');
    await runSnippet(code.ts);
  });

  it("generates playground code that trains exactly as the page's trainer", async () => {
    const s = decode('#tab=playground&pg.data=moons&pg.act=leaky_relu&pg.p.negativeSlope=0.1&pg.batch=32&pg.opt=momentum&pg.lr=0.1&pg.seed=3');
    const code = playgroundCode(s, 12);
    expect(code.torch).toContain('nn.LeakyReLU(negative_slope=0.1)');
    expect(code.torch).toContain('torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)');
    expect(code.torch).toContain('torch.manual_seed(3)');
    const t = new Trainer(s.pg);
    for (let i = 0; i < 12; i++) t.step();
    const m = await runSnippet(code.ts, 'export { model, x, y };');
    const snippetParams = (m['model'] as nn.Module).parameters().map((p) => p.tolist());
    expect(snippetParams).toEqual(t.model.parameters().map((p) => p.tolist()));
  });
});

describe('explorer playground trainer', () => {
  it('learns the circle and reports per-layer statistics', () => {
    const s = defaultState();
    const t = new Trainer({ ...s.pg, dataset: 'circle', act: 'relu', depth: 2, width: 8, lr: 0.03, optimizer: 'adam' });
    for (let i = 0; i < 150; i++) t.step();
    expect(t.losses[149]!).toBeLessThan(t.losses[0]! / 2);
    expect(t.accuracy()).toBeGreaterThan(0.85);
    const stats = t.layerStats(0.01);
    expect(stats.map((x) => x.units)).toEqual([8, 8]);
    for (const st of stats) {
      expect(st.inDeadZone).toBeGreaterThan(0);
      expect(st.inDeadZone + st.saturated).toBeLessThanOrEqual(1);
      expect(st.dead).toBeGreaterThanOrEqual(0);
    }
    const probs = t.probabilities(8);
    expect(probs.length).toBe(64);
    expect(probs.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(t.preactivations().map((z) => z.shape)).toEqual([
      [200, 8],
      [200, 8],
    ]);
  });

  it('is reproducible from its seed, and trains with every trainable activation', () => {
    const pg = { ...defaultState().pg, dataset: 'xor' as const, act: 'tanh', optimizer: 'sgd' as const, lr: 0.3 };
    const a = new Trainer(pg);
    const b = new Trainer(pg);
    for (let i = 0; i < 5; i++) expect(a.step()).toBe(b.step());
    for (const e of catalogue().filter((x) => x.trainable)) {
      const t = new Trainer({ ...pg, act: e.id, params: {} });
      const loss = t.step();
      expect(Number.isFinite(loss), e.id).toBe(true);
      expect(t.layerStats(0.01).length).toBe(2);
    }
  });

  it('refuses activations that are not elementwise', () => {
    expect(() => new Trainer({ ...defaultState().pg, act: 'softmax' })).toThrow(/cannot train/);
  });
});

describe('paoding explore (the static server)', () => {
  let dir: string;
  let served: Served;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paoding-explore-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(dir, 'app.js'), 'export {};');
    writeFileSync(join(dir, 'style.css'), 'body{}');
    writeFileSync(join(dir, 'app.js.map'), '{}');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'x.wasm'), new Uint8Array([0, 97, 115, 109]));
    served = await serve({ root: dir, port: 0 });
  });
  afterAll(async () => {
    await served.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, method = 'GET') =>
    new Promise<{ status: number; type: string | undefined; body: string }>((ok, fail) => {
      const u = new URL(served.url);
      const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => ok({ status: res.statusCode!, type: res.headers['content-type'], body }));
      });
      req.on('error', fail);
      req.end();
    });

  it('prints a loopback address and serves the files with their MIME types', async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await get('/')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(await get('/?a=gelu')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(await get('/app.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8', body: 'export {};' });
    expect(await get('/style.css')).toMatchObject({ status: 200, type: 'text/css; charset=utf-8' });
    expect(await get('/app.js.map')).toMatchObject({ status: 200, type: 'application/json; charset=utf-8' });
    expect(await get('/sub/x.wasm')).toMatchObject({ status: 200, type: 'application/wasm' });
    expect(await get('/app.js', 'HEAD')).toMatchObject({ status: 200, body: '' });
    expect(MIME['.html']).toBe('text/html; charset=utf-8');
  });

  it('answers 404, 403 and 405 where it should', async () => {
    expect((await get('/missing.js')).status).toBe(404);
    expect((await get('/..%2f..%2fetc%2fpasswd')).status).toBe(403);
    expect((await get('/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
    expect((await get('/app.js', 'POST')).status).toBe(405);
  });

  it('has a --help and rejects bad options', async () => {
    const log = console.log;
    const err = console.error;
    const out: string[] = [];
    console.log = (s: string) => out.push(s);
    console.error = (s: string) => out.push(s);
    try {
      expect(await exploreMain(['--help'])).toBe(0);
      expect(out.join('\n')).toMatch(/usage: paoding explore \[--port N\] \[--host ADDRESS\] \[--open\]/);
      expect(await exploreMain(['--port', 'abc'])).toBe(2);
      expect(await exploreMain(['--nope'])).toBe(2);
      expect(await exploreMain(['--dir', join(dir, 'sub')])).toBe(1);
    } finally {
      console.log = log;
      console.error = err;
    }
  });
});

describe('explorer: seeded random activations leave the default generator alone', () => {
  it('restores the generator state after drawing gumbel-softmax', () => {
    manualSeed(5);
    const a = tensor([0]).add(0);
    void a;
    const before = F.dropout(tensor([1, 1, 1, 1, 1, 1, 1, 1]), { p: 0.5 }).tolist();
    manualSeed(5);
    apply(entry('gumbel_softmax'), complete(entry('gumbel_softmax')), tensor([0, 1, 2]));
    expect(F.dropout(tensor([1, 1, 1, 1, 1, 1, 1, 1]), { p: 0.5 }).tolist()).toEqual(before);
  });
});
