/**
 * Softmax along a dim other than the last, on contiguous tensors, runs column-wise over the
 * contiguous rows; it must give the same bits as the slice-by-slice path (which a transposed,
 * non-contiguous view of the same values takes), special values included.
 */
import { describe, expect, it } from 'vitest';
import { backends, F, manualSeed, randn, tensor, type Tensor } from '../src/index.js';

const SPECIALS = [NaN, Infinity, -Infinity, 1e30, -1e30, 0, -0, 88, -104, 1000];

/** Random values of `shape` with special values sprinkled in (one slice all -inf). */
function input(shape: number[], dtype: 'float32' | 'float64', seed: number): Tensor {
  manualSeed(seed);
  const d = randn(shape, { dtype }).mul(4).toTypedArray() as Float32Array | Float64Array;
  for (let k = 0; k < SPECIALS.length; k++) d[(k * 7919) % d.length] = SPECIALS[k]!;
  return tensor(d, { shape, dtype });
}

const bits = (t: Tensor): number[] => Array.from(t.contiguous().toTypedArray() as Float64Array, (v) => (Number.isNaN(v) ? NaN : v));

describe.each(backends.list())('softmax along an inner dim (%s backend)', (name) => {
  it.each([
    [[3, 5, 4], 0],
    [[3, 5, 4], 1],
    [[2, 3, 4, 5], 1],
    [[2, 3, 4, 5], 2],
    [[6, 1, 7], 0],
    [[4, 9, 1], 1],
    [[1, 300, 2, 33], 1],
  ] as [number[], number][])('%j along %i: the same bits as the slice-by-slice path', (shape, dim) => {
    const previous = backends.getBackend();
    backends.setBackend(name);
    try {
      for (const dtype of ['float32', 'float64'] as const) {
        const x = input(shape, dtype, shape.length * 10 + dim);
        const last = shape.length - 1;
        // The same values through a non-contiguous view: the generic path.
        const xt = x.transpose(0, last).contiguous().transpose(0, last);
        expect(xt.isContiguous()).toBe(false);
        for (const f of [F.softmax, F.logSoftmax, F.softmin]) {
          const a = f(x, { dim });
          const b = f(xt, { dim });
          expect(bits(a), `${f.name} ${dtype}`).toEqual(bits(b));
        }
      }
    } finally {
      backends.setBackend(previous);
    }
  });
});
