/**
 * Checks of a backend's matrix product against the JavaScript backend's, shared by the native
 * and wasm suites.
 */
import { expect } from 'vitest';
import { autograd, backends, F, manualSeed, randn, tensor, type Tensor } from '../../src/index.js';

/** |got - js| <= 2 (k + 2) eps sum |a||b| per element (the standard dot-product error bound). */
export function checkProduct(got: Tensor, want: Tensor, a: Tensor, b: Tensor, what: string): void {
  const eps = got.dtype === 'float32' ? 2 ** -24 : 2 ** -53;
  const k = a.shape[a.dim() - 1]!;
  backends.setBackend('js');
  const mag = a.abs().matmul(b.abs()).toTypedArray();
  const g = got.toTypedArray();
  const w = want.toTypedArray();
  for (let i = 0; i < w.length; i++) {
    if (Object.is(g[i], w[i])) continue;
    if (!Number.isFinite(w[i]!) || !Number.isFinite(g[i]!)) expect(`${what}[${i}] = ${g[i]}`).toBe(`${what}[${i}] = ${w[i]}`);
    const tol = 2 * (k + 2) * eps * mag[i]!;
    if (Math.abs(g[i]! - w[i]!) > tol) expect(Math.abs(g[i]! - w[i]!), `${what}[${i}]: ${got.dtype} ${g[i]}, js ${w[i]}`).toBeLessThanOrEqual(tol);
  }
}

/** Batched and broadcast products, and F.linear with its bias and gradients, on `backend` against js. */
export function checkLinearAndBatched(backend: string): void {
  manualSeed(3);
  const a = randn([4, 33, 20]);
  const b = randn([20, 50]);
  const w = randn([50, 20], { requiresGrad: true });
  const bias = randn([50], { requiresGrad: true });
  const x = randn([33, 20], { requiresGrad: true });
  const results: Record<string, Tensor[]> = {};
  for (const be of ['js', backend]) {
    backends.setBackend(be);
    const y = F.linear(x, w, bias);
    const [gx, gw, gb] = autograd.grad(y.sigmoid().sum(), [x, w, bias]);
    results[be] = [a.matmul(b), a.bmm(b.expand([4, 20, 50])), y, gx!, gw!, gb!];
  }
  results['js']!.forEach((want, i) => {
    const got = results[backend]![i]!;
    expect(got.shape).toEqual(want.shape);
    const g = got.toTypedArray();
    const wv = want.toTypedArray();
    for (let j = 0; j < wv.length; j++) expect(Math.abs(g[j]! - wv[j]!), `result ${i}[${j}]`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(wv[j]!)));
  });
}

/** NaN and infinity propagate as IEEE arithmetic says (0 * inf = NaN), as in the JavaScript backend. */
export function checkNonFinite(backend: string, dtype: 'float32' | 'float64', ran: () => void = () => {}): void {
  manualSeed(5);
  const ad = randn([20, 30], { dtype }).toTypedArray();
  const bd = randn([30, 40], { dtype }).toTypedArray();
  ad[3 * 30 + 4] = Infinity; // row 3
  ad[5 * 30 + 6] = NaN; // row 5
  ad[7 * 30 + 9] = 0;
  bd[9 * 40 + 2] = Infinity; // row 9 of B: a 0 in A's column 9 must still give NaN
  bd[11 * 40 + 8] = -Infinity;
  const at = tensor(ad, { dtype, shape: [20, 30] });
  const bt = tensor(bd, { dtype, shape: [30, 40] });
  backends.setBackend('js');
  const want = at.matmul(bt).toTypedArray();
  backends.setBackend(backend);
  const got = at.matmul(bt).toTypedArray();
  ran();
  for (let i = 0; i < want.length; i++) {
    if (!Number.isFinite(want[i]!) || !Number.isFinite(got[i]!)) expect(Object.is(got[i], want[i]), `${dtype}[${i}]: ${got[i]} vs ${want[i]}`).toBe(true);
  }
}

/**
 * An m x k by k x n product on `backend` with plain and transposed operands (NN, NT, TN, TT),
 * each within the dot-product bound of the JavaScript backend's; `counted` returns the backend's
 * count of products it took, which must grow by one per product when `mustRun`.
 */
export function checkLayouts(backend: string, dtype: 'float32' | 'float64', m: number, n: number, k: number, counted: () => number, mustRun: boolean): void {
  manualSeed(m * 1000 + n);
  const a = randn([m, k], { dtype });
  const b = randn([k, n], { dtype });
  const at = randn([k, m], { dtype });
  const bt = randn([n, k], { dtype });
  for (const [l, r, what] of [
    [a, b, 'NN'],
    [a, bt.t(), 'NT'],
    [at.t(), b, 'TN'],
    [at.t(), bt.t(), 'TT'],
  ] as const) {
    backends.setBackend('js');
    const want = l.matmul(r);
    backends.setBackend(backend);
    const before = counted();
    const got = l.matmul(r);
    if (mustRun) expect(counted(), `ran on ${backend}`).toBe(before + 1);
    checkProduct(got, want, l, r, `${dtype} ${m}x${n}x${k} ${what}`);
  }
}
