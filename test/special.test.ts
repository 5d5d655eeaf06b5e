import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erf, erfc } from '../src/ir/special.js';

/** Rows [x, erf_hi, erf_d, erf_k, erfc_hi, erfc_d, erfc_k]; see tools/fixtures/generate_special.py. */
type Row = [number, number, number, number, number, number, number];

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/special.json', import.meta.url), 'utf8'),
) as { rows: Row[] };

/** v·2^n without overflowing the intermediate power of two (n reaches 1074). */
function scaleByPow2(v: number, n: number): number {
  const half = Math.trunc(n / 2);
  return v * 2 ** half * 2 ** (n - half);
}

/**
 * |computed − exact| in ulps of the exact value, where exact = hi + d·2^k and 2^k is its ulp.
 * computed − hi is exact (Sterbenz) whenever the two are close, which is the case that matters.
 */
function ulpError(computed: number, hi: number, d: number, k: number): number {
  const e = Math.abs(scaleByPow2(computed - hi, -k) - d);
  return Number.isNaN(e) ? Infinity : e;
}

interface Worst {
  error: number;
  x: number;
}

function worstError(fn: (x: number) => number, column: 1 | 4, filter: (k: number) => boolean): Worst {
  let worst: Worst = { error: 0, x: NaN };
  for (const row of fixture.rows) {
    const [x] = row;
    const hi = row[column];
    const d = row[column + 1]!;
    const k = row[column + 2]!;
    if (!filter(k)) continue;
    const error = ulpError(fn(x), hi, d, k);
    if (error > worst.error) worst = { error, x };
  }
  return worst;
}

/** Results whose ulp is 2^-1074 are subnormal (or zero): their error is measured absolutely. */
const SUBNORMAL_ULP = -1074;
const normal = (k: number): boolean => k > SUBNORMAL_ULP;
const subnormal = (k: number): boolean => k === SUBNORMAL_ULP;

describe('erf / erfc against mpmath (50 digits)', () => {
  it('has a fixture of a few thousand points', () => {
    expect(fixture.rows.length).toBeGreaterThan(3000);
  });

  it('erf is within 1 ulp everywhere', () => {
    const worst = worstError(erf, 1, normal);
    console.info(`erf: max error ${worst.error.toFixed(3)} ulp at x = ${worst.x}`);
    expect(worst.error).toBeLessThanOrEqual(1);
  });

  it('erfc is within 1 ulp everywhere it is normal', () => {
    const worst = worstError(erfc, 4, normal);
    console.info(`erfc: max error ${worst.error.toFixed(3)} ulp at x = ${worst.x}`);
    expect(worst.error).toBeLessThanOrEqual(1);
  });

  it('subnormal results are within one smallest-subnormal step (times two for the double rounding)', () => {
    const erfWorst = worstError(erf, 1, subnormal);
    const erfcWorst = worstError(erfc, 4, subnormal);
    console.info(
      `subnormal results: erf ${erfWorst.error.toFixed(3)}, erfc ${erfcWorst.error.toFixed(3)} × 2^-1074`,
    );
    expect(erfWorst.error).toBeLessThanOrEqual(2);
    expect(erfcWorst.error).toBeLessThanOrEqual(2);
  });

  it('covers the subnormal range of erfc', () => {
    const subnormalRows = fixture.rows.filter((r) => r[6] === SUBNORMAL_ULP && r[4] > 0);
    expect(subnormalRows.length).toBeGreaterThan(5);
  });
});

describe('erf / erfc special values', () => {
  it('keeps the sign of zero in erf', () => {
    expect(Object.is(erf(0), 0)).toBe(true);
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(erfc(0)).toBe(1);
    expect(erfc(-0)).toBe(1);
  });

  it('saturates at the infinities', () => {
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
  });

  it('propagates NaN', () => {
    expect(erf(NaN)).toBeNaN();
    expect(erfc(NaN)).toBeNaN();
  });

  it('gives 2x/√π for tiny and subnormal x without underflowing to 0', () => {
    expect(erf(1e-300)).toBe(1.1283791670955126e-300);
    expect(erf(-1e-300)).toBe(-1.1283791670955126e-300);
    expect(erf(5e-324)).toBe(5e-324); // 1.128 · 2^-1074 rounds to 2^-1074
    expect(erf(1e-310)).toBeGreaterThan(0);
  });

  it('underflows erfc gradually and then to 0', () => {
    expect(erfc(26.5)).toBe(2.2109076642637343e-307);
    expect(erfc(27)).toBeGreaterThan(0);
    expect(erfc(27)).toBeLessThan(2.2250738585072014e-308); // subnormal
    expect(erfc(27.3)).toBe(0); // exact value 4.4e-326 is below half the smallest subnormal
    expect(erfc(28)).toBe(0);
    expect(erfc(1e300)).toBe(0);
    expect(erfc(-30)).toBe(2);
  });

  it('matches the documented examples', () => {
    expect(erf(0.5)).toBe(0.5204998778130465);
    expect(erfc(0.5)).toBe(0.4795001221869535);
    expect(erfc(10)).toBe(2.088487583762545e-45);
  });
});

describe('erf / erfc identities', () => {
  const finite = fc.double({ min: -30, max: 30, noNaN: true });

  it('erf is exactly odd', () => {
    fc.assert(
      fc.property(finite, (x) => {
        expect(Object.is(erf(-x), -erf(x))).toBe(true);
      }),
    );
  });

  it('erf and erfc add up to 1 within a few ulps of 1', () => {
    fc.assert(
      fc.property(finite, (x) => {
        expect(Math.abs(erf(x) + erfc(x) - 1)).toBeLessThanOrEqual(4 * Number.EPSILON);
      }),
    );
  });

  it('erfc(-x) = 2 − erfc(x) within an ulp of 2', () => {
    fc.assert(
      fc.property(finite, (x) => {
        expect(Math.abs(erfc(-x) - (2 - erfc(x)))).toBeLessThanOrEqual(2 * Number.EPSILON);
      }),
    );
  });

  it('stays in range', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        const e = erf(x);
        const c = erfc(x);
        expect(e).toBeGreaterThanOrEqual(-1);
        expect(e).toBeLessThanOrEqual(1);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(2);
      }),
    );
  });
});
