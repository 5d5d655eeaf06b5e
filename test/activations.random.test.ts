/**
 * The random activations against PyTorch after the same seed: RReLU's training slopes and
 * Gumbel-softmax's noise come from the same generator stream, so the values must agree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { activations, autograd, manualSeed, nn, tensor, F, setWarningHandler } from '../src/index.js';

type Num = number | string;
const dec = (v: Num): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));

interface Case {
  name: string;
  id: string;
  seed: number;
  dtype: 'float32' | 'float64';
  shape: number[];
  params: Record<string, unknown>;
  x: Num[];
  y: Num[];
  gy?: Num[];
  gx: Num[];
}

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures/random_activations.json'), 'utf8')) as { cases: Case[] };

function close(ours: ArrayLike<number>, torch: Num[], dtype: string): void {
  const tol = dtype === 'float32' ? 2 ** -21 : 1e-13;
  expect(ours.length).toBe(torch.length);
  for (let i = 0; i < torch.length; i++) {
    const t = dec(torch[i]!);
    const o = ours[i]!;
    if (Number.isNaN(t)) expect(o, `index ${i}`).toBeNaN();
    else expect(Math.abs(o - t), `index ${i}: ours ${o}, torch ${t}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(t)));
  }
}

describe('random activations reproduce PyTorch after the same seed', () => {
  for (const c of fixture.cases) {
    it(`${c.name} (${c.dtype})`, () => {
      const x = tensor(Float64Array.from(c.x.map(dec)), { shape: c.shape, dtype: c.dtype, requiresGrad: true });
      manualSeed(c.seed);
      const y = activations.get(c.id).call(x, c.params);
      close(y.toTypedArray(), c.y, c.dtype);
      const g = c.gy ? tensor(Float64Array.from(c.gy.map(dec)), { shape: c.shape, dtype: c.dtype }) : tensor(new Float64Array(y.numel()).fill(1), { shape: c.shape, dtype: c.dtype });
      const [gx] = autograd.grad(y, x, { gradOutputs: g });
      close(gx!.toTypedArray(), c.gx, c.dtype);
    });
  }
});

describe('rrelu', () => {
  it('draws slopes within [lower, upper] in training and uses their mean in evaluation', () => {
    manualSeed(3);
    const x = tensor(new Float64Array(2000).fill(-1), { dtype: 'float64' });
    const slopes = Array.from(F.rrelu(x, { lower: 0.1, upper: 0.3, training: true }).neg().toTypedArray());
    expect(Math.min(...slopes)).toBeGreaterThanOrEqual(0.1);
    expect(Math.max(...slopes)).toBeLessThan(0.3);
    const mean = slopes.reduce((a, b) => a + b, 0) / slopes.length;
    expect(Math.abs(mean - 0.2)).toBeLessThan(0.01);
    expect(F.rrelu(x, { lower: 0.1, upper: 0.3 }).tolist()).toEqual(new Array(2000).fill(-0.2));
  });

  it('nn.RReLU is random in train mode and deterministic in eval mode', () => {
    const m = new nn.RReLU({ lower: 0.1, upper: 0.3 });
    const x = tensor([-1, -1, -1, 2]);
    manualSeed(0);
    const a = m.forward(x).tolist();
    manualSeed(1);
    const b = m.forward(x).tolist();
    expect(a).not.toEqual(b);
    m.eval();
    expect(m.forward(x).toTypedArray()).toEqual(Float32Array.from([-0.2, -0.2, -0.2, 2]));
    expect(m.toString()).toBe('RReLU(lower=0.1, upper=0.3)');
  });
});

describe('gumbel_softmax', () => {
  it('hard samples are exactly one-hot and follow softmax(logits) in frequency', () => {
    manualSeed(0);
    const logits = tensor([0.2, 0.8, 0.1], { dtype: 'float64' });
    const counts = [0, 0, 0];
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const s = F.gumbelSoftmax(logits, { hard: true }).tolist() as number[];
      expect(s.reduce((a, b) => a + b, 0)).toBe(1);
      expect(s.every((v) => v === 0 || v === 1)).toBe(true);
      counts[s.indexOf(1)]!++;
    }
    const p = F.softmax(logits, 0).tolist() as number[];
    counts.forEach((c, k) => {
      // A z-test at about 4.5 standard deviations.
      const sd = Math.sqrt(n * p[k]! * (1 - p[k]!));
      expect(Math.abs(c - n * p[k]!)).toBeLessThan(4.5 * sd);
    });
  });

  it('hard and soft samples give the same gradient (straight-through)', () => {
    const logits = tensor([[0.5, -1, 2]], { dtype: 'float64', requiresGrad: true });
    const w = tensor([[1, 2, 3]], { dtype: 'float64' });
    manualSeed(9);
    const [gSoft] = autograd.grad(F.gumbelSoftmax(logits).mul(w).sum(), logits);
    manualSeed(9);
    const [gHard] = autograd.grad(F.gumbelSoftmax(logits, { hard: true }).mul(w).sum(), logits);
    expect(gHard!.tolist()).toEqual(gSoft!.tolist());
  });

  it('warns that eps is deprecated', () => {
    const seen: string[] = [];
    setWarningHandler((m) => seen.push(m));
    F.gumbelSoftmax(tensor([1, 2]), { eps: 1e-5 });
    setWarningHandler(undefined);
    expect(seen).toEqual(['UserWarning: `eps` parameter is deprecated and has no effect.']);
  });
});
