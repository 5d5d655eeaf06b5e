import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  Generator,
  bernoulli_,
  defaultGenerator,
  exponential_,
  fma,
  fmaf,
  glibcCos,
  glibcLog,
  glibcSin,
  initialSeed,
  manualSeed,
  normal_,
  rand,
  randint,
  randn,
  random_,
  randperm,
  uniformDouble,
  uniform_,
  type GeneratorState,
} from '../src/tensor/random.js';

// Streams recorded from PyTorch 1.13 by tools/fixtures/generate_random.py. Every comparison is
// bitwise (Object.is), float32 values included: the fixture stores the exact double of each
// float32 number, and a Float32Array element reads back as that same double.

type Dtype = 'float32' | 'float64';
type FloatOp = 'rand' | 'randn' | 'uniform' | 'normal' | 'exponential' | 'bernoulli';
type Sized<T> = Record<string, T>;

interface SeedSection {
  seed: string;
  initialSeed: string;
  raw32: number[];
  float32: Record<FloatOp, Sized<number[]>>;
  float64: Record<FloatOp, Sized<number[]>>;
  randint: Sized<number[]>;
  randperm: Sized<number[]>;
  random_: string[];
}

interface Fixture {
  meta: { torch: string; cpuCapability: string; threadIndependent: boolean };
  seeds: SeedSection[];
  extra: { seed: number; dtype: Dtype; op: string; n: number; values: number[] }[];
  wideRandint: { seed: number; low: string; high: string; values: string[] }[];
  seedForms: { seed: string; initialSeed: string; rand64: number[] }[];
  mixed: {
    seed: number;
    steps: { op: 'rand' | 'randn' | 'randperm'; n: number; dtype: Dtype | null; values: number[] }[];
    torchState: string;
    afterState: number[];
    freshTorchState: string;
  }[];
  rrelu: { seed: number; dtype: Dtype; lower: number; upper: number; x: number[]; y: number[]; next: number[] }[];
  linear: {
    seed: number;
    inFeatures: number;
    outFeatures: number;
    weightBound: number;
    biasBound: number;
    weight: number[];
    bias: number[];
  }[];
  sampler: { seed: number; n: number; order: number[] }[];
  libm: Record<'log' | 'sin' | 'cos', [number, number][]>;
  fma: Record<'fma' | 'fmaf', [number, number, number, number][]>;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/random.json', import.meta.url), 'utf8')) as Fixture;

/** Describes the first few bitwise differences between got and want (empty when identical). */
function differences(got: ArrayLike<number | bigint>, want: ArrayLike<number | bigint>): string[] {
  const out: string[] = [];
  if (got.length !== want.length) out.push(`length ${got.length} !== ${want.length}`);
  const n = Math.min(got.length, want.length);
  for (let i = 0; i < n && out.length < 5; i++) {
    if (!Object.is(got[i], want[i])) out.push(`[${i}] got ${String(got[i])}, want ${String(want[i])}`);
  }
  return out;
}

function makeArray(dtype: Dtype, n: number): Float32Array | Float64Array {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/** The TypeScript counterpart of each FLOAT_OPS entry of the generator script. */
function runFloatOp(g: Generator, op: FloatOp, dtype: Dtype, n: number): Float32Array | Float64Array {
  const out = makeArray(dtype, n);
  switch (op) {
    case 'rand':
      return g.uniform_(out);
    case 'randn':
      return g.normal_(out);
    case 'uniform':
      return g.uniform_(out, -2, 3);
    case 'normal':
      return g.normal_(out, 1.5, 0.5);
    case 'exponential':
      return g.exponential_(out);
    case 'bernoulli':
      return g.bernoulli_(out, 0.3);
  }
}

function runExtraOp(g: Generator, op: string, dtype: Dtype, n: number): Float32Array | Float64Array {
  const out = makeArray(dtype, n);
  switch (op) {
    case 'normal(-0.3,0.7)':
      return g.normal_(out, -0.3, 0.7);
    case 'uniform(-2.3,3.7)':
      return g.uniform_(out, -2.3, 3.7);
    case 'exponential(0.7)':
      return g.exponential_(out, 0.7);
    case 'bernoulli(0.75)':
      return g.bernoulli_(out, 0.75);
    default:
      throw new Error(`unknown extra op ${op}`);
  }
}

function hexToBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const FLOAT_OPS: FloatOp[] = ['rand', 'randn', 'uniform', 'normal', 'exponential', 'bernoulli'];

describe('fixture', () => {
  it('was recorded on the reference platform, with thread-independent streams', () => {
    expect(fixture.meta.torch.startsWith('1.13')).toBe(true);
    expect(['AVX2', 'AVX512']).toContain(fixture.meta.cpuCapability);
    expect(fixture.meta.threadIndependent).toBe(true);
  });
});

describe.each(fixture.seeds)('seed $seed', (section) => {
  const seed = BigInt(section.seed);

  it('seeds mt19937 like at::mt19937 and keeps the 64-bit initial seed', () => {
    const g = new Generator(seed);
    expect(g.initialSeed().toString()).toBe(section.initialSeed);
    expect(differences(Array.from({ length: 8 }, () => g.random()), section.raw32)).toEqual([]);
    g.manualSeed(seed);
    const [a, b, c, d] = section.raw32 as [number, number, number, number];
    expect(g.random64()).toBe((BigInt(a) << 32n) | BigInt(b));
    expect(g.random64()).toBe((BigInt(c) << 32n) | BigInt(d));
  });

  for (const dtype of ['float32', 'float64'] as const) {
    for (const op of FLOAT_OPS) {
      it(`${op} ${dtype}`, () => {
        const g = new Generator();
        for (const [n, want] of Object.entries(section[dtype][op])) {
          g.manualSeed(seed);
          expect(differences(runFloatOp(g, op, dtype, Number(n)), want), `n = ${n}`).toEqual([]);
        }
      });
    }
  }

  it('randint(0, 10)', () => {
    const g = new Generator();
    for (const [n, want] of Object.entries(section.randint)) {
      g.manualSeed(seed);
      expect(differences(Array.from(g.randint(0, 10, Number(n)), Number), want), `n = ${n}`).toEqual([]);
    }
  });

  it('randperm, including n = 5000', () => {
    const g = new Generator();
    expect(Object.keys(section.randperm)).toContain('5000');
    for (const [n, want] of Object.entries(section.randperm)) {
      g.manualSeed(seed);
      expect(differences(Array.from(g.randperm(Number(n)), Number), want), `n = ${n}`).toEqual([]);
    }
  });

  it('random_ on int64', () => {
    const g = new Generator(seed);
    expect(differences(g.random_(new BigInt64Array(5)), section.random_.map(BigInt))).toEqual([]);
  });
});

describe('parameters with inexact arithmetic', () => {
  it.each(fixture.extra.map((c) => [`${c.op} ${c.dtype} n=${c.n} seed ${c.seed}`, c] as const))('%s', (_, c) => {
    const g = new Generator(c.seed);
    expect(differences(runExtraOp(g, c.op, c.dtype, c.n), c.values)).toEqual([]);
  });
});

describe('randint with wide and negative ranges', () => {
  it.each(fixture.wideRandint.map((c) => [`[${c.low}, ${c.high})`, c] as const))('%s', (_, c) => {
    const g = new Generator(c.seed);
    const got = g.randint(BigInt(c.low), BigInt(c.high), c.values.length);
    expect(differences(got, c.values.map(BigInt))).toEqual([]);
    // Number bounds give the same stream when they are exact.
    const low = Number(c.low);
    const high = Number(c.high);
    if (Number.isSafeInteger(low) && Number.isSafeInteger(high)) {
      g.manualSeed(c.seed);
      expect(differences(g.randint(low, high, c.values.length), c.values.map(BigInt))).toEqual([]);
    }
  });
});

describe('seed forms', () => {
  it.each(fixture.seedForms.map((c) => [c.seed, c] as const))('manualSeed(%s)', (_, c) => {
    const g = new Generator(BigInt(c.seed));
    expect(g.initialSeed().toString()).toBe(c.initialSeed);
    expect(differences(g.uniform_(new Float64Array(3)), c.rand64)).toEqual([]);
    const n = Number(c.seed);
    if (Number.isSafeInteger(n)) expect(new Generator(n).initialSeed().toString()).toBe(c.initialSeed);
  });

  it('rejects seeds outside [-2^63, 2^64 - 1] and non-integers', () => {
    const g = new Generator();
    expect(() => g.manualSeed(2n ** 64n)).toThrow(RangeError);
    expect(() => g.manualSeed(-(2n ** 63n) - 1n)).toThrow(RangeError);
    expect(() => g.manualSeed(1.5)).toThrow(RangeError);
    expect(() => g.manualSeed(2 ** 60)).toThrow(RangeError);
  });

  it('starts a new Generator from default_rng_seed_val, like torch.Generator()', () => {
    const fresh = new Generator();
    expect(fresh.initialSeed()).toBe(67280421310721n);
    expect(fresh.random()).toBe(new Generator(67280421310721n).random());
  });

  it('seed() reseeds non-deterministically and reports the seed', () => {
    const g = new Generator();
    const s = g.seed();
    expect(g.initialSeed()).toBe(s);
    expect(s >= 0n && s < 2n ** 64n).toBe(true);
    expect(g.random()).toBe(new Generator(s).random());
  });
});

describe.each(fixture.mixed)('mixed calls after manual_seed($seed)', (mixed) => {
  function replay(g: Generator): void {
    for (const step of mixed.steps) {
      const label = `${step.op}(${step.n}, ${step.dtype ?? 'int64'})`;
      if (step.op === 'randperm') {
        expect(differences(Array.from(g.randperm(step.n), Number), step.values), label).toEqual([]);
      } else {
        const out = makeArray(step.dtype as Dtype, step.n);
        if (step.op === 'rand') g.uniform_(out);
        else g.normal_(out);
        expect(differences(out, step.values), label).toEqual([]);
      }
    }
  }

  it('carries the stream position and the cached normal from call to call', () => {
    const g = new Generator(mixed.seed);
    replay(g);
    // The state then holds a cached normal: the next randn(3) starts with it.
    expect(differences(g.normal_(new Float64Array(3)), mixed.afterState)).toEqual([]);
  });

  it('exports the same bytes as torch.get_rng_state()', () => {
    const g = new Generator(mixed.seed);
    expect(bytesToHex(g.toTorchState())).toBe(mixed.freshTorchState);
    replay(g);
    expect(bytesToHex(g.toTorchState())).toBe(mixed.torchState);
  });

  it('continues like torch after torch.set_rng_state()', () => {
    const g = new Generator(99).setTorchState(hexToBytes(mixed.torchState));
    expect(g.initialSeed()).toBe(BigInt(mixed.seed));
    expect(differences(g.normal_(new Float64Array(3)), mixed.afterState)).toEqual([]);
  });

  it('getState/setState round-trip through JSON', () => {
    const g = new Generator(mixed.seed);
    replay(g);
    const saved = JSON.parse(JSON.stringify(g.getState())) as GeneratorState;
    expect(saved.nextDoubleNormal).not.toBeNull();
    const h = new Generator(5).setState(saved);
    expect(bytesToHex(h.toTorchState())).toBe(mixed.torchState);
    expect(differences(h.normal_(new Float64Array(3)), mixed.afterState)).toEqual([]);
  });
});

describe('state validation', () => {
  it('rejects malformed states', () => {
    const g = new Generator(1);
    const good = g.getState();
    expect(() => g.setState({ ...good, state: good.state.slice(1) })).toThrow(RangeError);
    expect(() => g.setState({ ...good, left: 0 })).toThrow(RangeError);
    expect(() => g.setState({ ...good, next: 624 })).toThrow(RangeError);
    expect(() => g.setTorchState(new Uint8Array(100))).toThrow(RangeError);
  });
});

describe('rrelu training draws (uniformDouble)', () => {
  it.each(fixture.rrelu.map((c) => [c.dtype, c] as const))('%s', (dtype, c) => {
    const g = new Generator(c.seed);
    const f32 = dtype === 'float32';
    // rrelu casts lower/upper to the tensor's dtype, draws only for x <= 0, and casts the slope.
    const lower = f32 ? Math.fround(c.lower) : c.lower;
    const upper = f32 ? Math.fround(c.upper) : c.upper;
    const y = c.x.map((x) => {
      if (x > 0) return x;
      const r = g.uniformDouble(lower, upper);
      return f32 ? Math.fround(x * Math.fround(r)) : x * r;
    });
    expect(differences(y, c.y)).toEqual([]);
    expect(differences(g.uniform_(new Float64Array(1)), c.next)).toEqual([]);
  });
});

describe('nn.Linear default initialisation', () => {
  it.each(fixture.linear.map((c) => [`Linear(${c.inFeatures}, ${c.outFeatures})`, c] as const))('%s', (_, c) => {
    // kaiming_uniform_(weight, a=sqrt(5)) is weight.uniform_(-bound, bound) on the row-major
    // (out, in) float32 weight; then the bias is uniform_(-1/sqrt(in), 1/sqrt(in)).
    const g = new Generator(c.seed);
    const weight = g.uniform_(new Float32Array(c.inFeatures * c.outFeatures), -c.weightBound, c.weightBound);
    const bias = g.uniform_(new Float32Array(c.outFeatures), -c.biasBound, c.biasBound);
    expect(differences(weight, c.weight)).toEqual([]);
    expect(differences(bias, c.bias)).toEqual([]);
  });
});

describe('RandomSampler', () => {
  it.each(fixture.sampler.map((c) => [`seed ${c.seed}, n ${c.n}`, c] as const))('%s', (_, c) => {
    // One int64 random_() from the default generator seeds a fresh generator, which runs randperm.
    const g = new Generator(c.seed);
    const samplerSeed = g.random_(new BigInt64Array(1))[0] as bigint;
    const order = Array.from(new Generator(samplerSeed).randperm(c.n), Number);
    expect(order).toEqual(c.order);
  });
});

describe('glibc libm mirrors', () => {
  it.each([
    ['log', glibcLog],
    ['sin', glibcSin],
    ['cos', glibcCos],
  ] as const)('%s matches glibc bit for bit', (name, fn) => {
    const rows = fixture.libm[name];
    expect(rows.length).toBeGreaterThan(1000);
    expect(differences(rows.map(([x]) => fn(x)), rows.map(([, y]) => y))).toEqual([]);
  });

  it('handles the special values of log', () => {
    expect(glibcLog(0)).toBe(-Infinity);
    expect(glibcLog(-0)).toBe(-Infinity);
    expect(glibcLog(Infinity)).toBe(Infinity);
    expect(glibcLog(-1)).toBeNaN();
    expect(glibcLog(NaN)).toBeNaN();
    expect(Object.is(glibcLog(1), 0)).toBe(true);
  });
});

describe('fused multiply-add emulation', () => {
  it.each([
    ['fma', fma],
    ['fmaf', fmaf],
  ] as const)('%s matches libm', (name, fn) => {
    const rows = fixture.fma[name];
    expect(differences(rows.map(([a, b, c]) => fn(a, b, c)), rows.map((r) => r[3]))).toEqual([]);
  });

  it('rounds once', () => {
    expect(fma(0.1, 10, -1)).toBe(5.551115123125783e-17);
    expect(0.1 * 10 - 1).toBe(0);
    const a = Math.fround(1 + 2 ** -12);
    expect(fmaf(a, a, -Math.fround(1 + 2 ** -11))).toBe(2 ** -24);
  });
});

describe('module-level functions and the default generator', () => {
  const section = fixture.seeds[0] as SeedSection;
  const seed = Number(section.seed);

  it('manualSeed seeds the default generator', () => {
    expect(manualSeed(seed)).toBe(defaultGenerator);
    expect(initialSeed()).toBe(BigInt(seed));
    expect(differences(rand(7), section.float32.rand['7'] as number[])).toEqual([]);
    manualSeed(seed);
    expect(differences(rand(7, 'float64'), section.float64.rand['7'] as number[])).toEqual([]);
    manualSeed(seed);
    expect(differences(randn(17), section.float32.randn['17'] as number[])).toEqual([]);
    manualSeed(seed);
    expect(differences(randn(15, 'float64'), section.float64.randn['15'] as number[])).toEqual([]);
  });

  it('fill functions use the default generator unless given one', () => {
    const cases: [(g?: Generator) => ArrayLike<number | bigint>, ArrayLike<number | bigint>][] = [
      [(g) => uniform_(new Float32Array(33), -2, 3, g), section.float32.uniform['33'] as number[]],
      [(g) => normal_(new Float64Array(33), 1.5, 0.5, g), section.float64.normal['33'] as number[]],
      [(g) => exponential_(new Float32Array(31), 1, g), section.float32.exponential['31'] as number[]],
      [(g) => bernoulli_(new Float64Array(32), 0.3, g), section.float64.bernoulli['32'] as number[]],
      [(g) => Array.from(randint(0, 10, 100, g), Number), section.randint['100'] as number[]],
      [(g) => Array.from(randperm(100, g), Number), section.randperm['100'] as number[]],
      [(g) => random_(new BigInt64Array(5), g), section.random_.map(BigInt)],
    ];
    for (const [run, want] of cases) {
      manualSeed(seed);
      expect(differences(run(), want)).toEqual([]);
      // With an explicit generator the default one is left alone.
      manualSeed(12345);
      const before = defaultGenerator.getState();
      expect(differences(run(new Generator(seed)), want)).toEqual([]);
      expect(defaultGenerator.getState()).toEqual(before);
    }
  });

  it('uniformDouble draws one 53-bit uniform without FMA', () => {
    manualSeed(seed);
    const u = rand(1, 'float64')[0] as number;
    manualSeed(seed);
    expect(uniformDouble(0.125, 1 / 3)).toBe(u * (1 / 3 - 0.125) + 0.125);
  });

  it('empty arrays consume nothing', () => {
    const g = new Generator(seed);
    g.uniform_(new Float32Array(0));
    g.normal_(new Float64Array(0));
    g.exponential_(new Float64Array(0));
    g.bernoulli_(new Uint8Array(0));
    expect(g.randperm(0).length).toBe(0);
    expect(g.randperm(1)).toEqual(new BigInt64Array([0n]));
    expect(g.random()).toBe(section.raw32[0]);
  });

  it('validates arguments like torch', () => {
    const g = new Generator(0);
    expect(() => g.uniform_(new Float32Array(1), 3, 2)).toThrow(RangeError);
    expect(() => g.normal_(new Float32Array(1), 0, -1)).toThrow(RangeError);
    expect(() => g.bernoulli_(new Float32Array(1), 1.5)).toThrow(RangeError);
    expect(() => g.exponential_(new Float32Array(1), -1)).toThrow(RangeError);
    expect(() => g.randint(5, 5, 1)).toThrow(RangeError);
    expect(() => g.randperm(-1)).toThrow(RangeError);
  });
});
