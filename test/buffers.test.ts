/**
 * Outputs that an operation fills entirely are allocated without clearing (in Node, from
 * memory the C library kept when earlier tensors were freed). These tests make every such
 * buffer arrive full of NaN bit patterns and check that no result ever shows one: each
 * operation that asks for an uncleared buffer writes every element of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The Node entry's side: registers the native backend where it was built.
import '../src/node/native.js';
import { backends, F, manualSeed, nn, randn, tensor, zeros, type Tensor } from '../src/index.js';
import { setBufferSource } from '../src/tensor/dtype.js';

let served = 0;
/** Bytes inside a larger poisoned buffer, at an 8-byte offset, as Node's pool hands them out. */
function poisoned(bytes: number): Uint8Array {
  served++;
  return new Uint8Array(bytes + 16).fill(0xff).subarray(8, 8 + bytes); // every float reads as NaN
}

/** Run `f` with clean buffers and with poisoned ones; the results must agree bit for bit. */
function same(f: () => Tensor | Tensor[]): void {
  setBufferSource(null);
  manualSeed(7);
  const clean = [f()].flat().map((t) => Array.from(t.detach().contiguous().toTypedArray()));
  setBufferSource(poisoned);
  manualSeed(7);
  const before = served;
  const dirty = [f()].flat().map((t) => Array.from(t.detach().contiguous().toTypedArray()));
  expect(served, 'the operation did not take an uncleared buffer').toBeGreaterThan(before);
  dirty.forEach((d, i) => {
    expect(d.length).toBe(clean[i]!.length);
    const bad = d.findIndex((v, j) => !Object.is(v, clean[i]![j]));
    expect(bad, `output ${i} differs at ${bad}: ${d[bad]} vs ${clean[i]![bad]}`).toBe(-1);
  });
}

const BIG = 1 << 19; // float32 elements (2 MiB): large enough for every backend's threaded paths

describe.each(backends.list())('uncleared outputs are always fully written (%s backend)', (name) => {
  let previous = '';
  beforeAll(() => {
    previous = backends.getBackend();
    backends.setBackend(name);
  });
  afterAll(() => {
    setBufferSource(null);
    backends.setBackend(previous);
  });

  it('elementwise: activations, broadcasting, strided operands, in place on an alias', () => {
    same(() => F.gelu(randn([BIG])));
    same(() => F.gelu(randn([1500]))); // just above the slab sizes
    same(() => F.softmax(randn([7, 300]), { dim: 0 }));
    same(() => randn([512, BIG / 512]).add(randn([512, 1])).mul(randn([BIG / 512])));
    same(() => F.sigmoid(randn([BIG / 512, 512]).t()));
    // In place where the output overlaps an input at another offset: computed into a fresh
    // buffer, then copied back.
    same(() => {
      const x = randn([BIG + 1]);
      x.narrow(0, 1, BIG).add_(x.narrow(0, 0, BIG));
      return x;
    });
  });

  it('autograd: the backward kernels of an activation', () => {
    same(() => {
      const x = randn([BIG], { requiresGrad: true });
      F.silu(x).sum().backward();
      return x.grad!;
    });
  });

  it('copies and conversions', () => {
    same(() => randn([BIG / 512, 512]).t().contiguous());
    same(() => randn([BIG]).to('float64'));
    same(() => randn([BIG]).clone());
  });

  it('matrix products and linear layers', () => {
    same(() => randn([600, 300]).matmul(randn([300, 500])));
    same(() => randn([4, 300, 200]).matmul(randn([4, 200, 300])));
    same(() => {
      const lin = new nn.Linear(300, 1000);
      return lin.forward(randn([600, 300]));
    });
  });

  it('the product of empty matrices (k = 0) is zeros, which only a cleared buffer holds', () => {
    setBufferSource(poisoned);
    expect(zeros([700, 0]).matmul(zeros([0, 600])).abs().sum().item()).toBe(0);
    expect(F.linear(zeros([700, 0]), zeros([600, 0])).abs().sum().item()).toBe(0);
    expect(zeros([2, 700, 0]).matmul(zeros([2, 0, 600])).abs().sum().item()).toBe(0);
    setBufferSource(null);
  });

  it('softmax and log_softmax along every dim', () => {
    same(() => F.softmax(randn([512, BIG / 512]), { dim: 1 }));
    same(() => F.softmax(randn([512, BIG / 512]), { dim: 0 }));
    same(() => F.logSoftmax(randn([BIG / 512, 512]), { dim: -1 }));
  });

  it('zeros and sums stay zero-filled', () => {
    setBufferSource(poisoned);
    expect(zeros([BIG]).sum().item()).toBe(0);
    expect(tensor(new Float32Array(BIG), { shape: [BIG] }).abs().sum().item()).toBe(0);
    expect(randn([BIG / 512, 512]).sum(0).isnan().sum().item()).toBe(0);
    setBufferSource(null);
  });
});

describe('small outputs carved from shared slabs', () => {
  it('never overlap: many live results keep their values, in both dtypes', () => {
    manualSeed(3);
    const xs = Array.from({ length: 300 }, (_, i) => randn([1 + ((i * 37) % 900)], { dtype: i % 2 ? 'float64' : 'float32' }));
    const ys = xs.map((x) => F.tanh(x).mul(2)); // fresh small outputs, all alive at once
    const again = xs.map((x) => Array.from(x.toTypedArray(), (v) => Math.fround(Math.tanh(v)) * 2));
    ys.forEach((y, i) => {
      expect(y.dtype).toBe(xs[i]!.dtype);
      const got = Array.from(y.toTypedArray());
      if (y.dtype === 'float32') expect(got).toEqual(again[i]!.map((v) => Math.fround(v)));
      else expect(got.every((v, j) => Math.abs(v - 2 * Math.tanh(xs[i]!.toTypedArray()[j] as number)) < 1e-15)).toBe(true);
    });
  });
});
