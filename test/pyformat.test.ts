import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFloatExp, formatFloatFixed, pyFloat, pyInt, pyRepr } from '../src/util/pyformat.js';

interface FloatCase {
  bits: string;
  repr: string;
  fixed?: Record<string, string>;
  exp: Record<string, string>;
  int?: string;
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/pyformat.json', import.meta.url), 'utf8'),
) as { floats: FloatCase[]; strings: { value: string; repr: string }[] };

function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

const floats = fixture.floats.map((c) => ({ ...c, x: fromBits(c.bits) }));

/** Runs `check` over every case and reports all mismatches at once rather than the first. */
function mismatches<T>(cases: T[], check: (c: T) => [string, string] | undefined): string[] {
  const out: string[] = [];
  for (const c of cases) {
    const bad = check(c);
    if (bad) out.push(`got ${bad[0]}, Python ${bad[1]}`);
  }
  return out;
}

describe('pyFloat matches repr(float)', () => {
  it('has a fixture of a few thousand floats', () => {
    expect(floats.length).toBeGreaterThan(2000);
  });

  it('on every fixture value', () => {
    const bad = mismatches(floats, (c) => (pyFloat(c.x) === c.repr ? undefined : [pyFloat(c.x), c.repr]));
    expect(bad).toEqual([]);
  });

  it('round-trips through Number()', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(Object.is(Number(pyFloat(x)), x)).toBe(true);
      }),
    );
  });

  it('handles the notation switches', () => {
    expect(pyFloat(0.0001)).toBe('0.0001');
    expect(pyFloat(0.00009999999999999999)).toBe('9.999999999999999e-05');
    expect(pyFloat(1e-5)).toBe('1e-05');
    expect(pyFloat(2.5e-5)).toBe('2.5e-05');
    expect(pyFloat(9999999999999998)).toBe('9999999999999998.0');
    expect(pyFloat(1e16)).toBe('1e+16');
    expect(pyFloat(20)).toBe('20.0');
    expect(pyFloat(-0)).toBe('-0.0');
    expect(pyFloat(Infinity)).toBe('inf');
    expect(pyFloat(-Infinity)).toBe('-inf');
    expect(pyFloat(NaN)).toBe('nan');
    expect(pyFloat(1 / 8)).toBe('0.125');
    expect(pyFloat(1 / 3)).toBe('0.3333333333333333');
  });
});

describe('pyInt matches str(int)', () => {
  it('on every integral fixture value', () => {
    const ints = floats.filter((c) => c.int !== undefined);
    expect(ints.length).toBeGreaterThan(500);
    const bad = mismatches(ints, (c) => (pyInt(c.x) === c.int ? undefined : [pyInt(c.x), c.int!]));
    expect(bad).toEqual([]);
  });

  it('prints plain digits, no sign on zero, and accepts bigint', () => {
    expect(pyInt(-3)).toBe('-3');
    expect(pyInt(1e16)).toBe('10000000000000000');
    expect(pyInt(-0)).toBe('0');
    expect(pyInt(2n ** 70n)).toBe('1180591620717411303424');
  });

  it('rejects non-integers', () => {
    expect(() => pyInt(1.5)).toThrow(RangeError);
    expect(() => pyInt(NaN)).toThrow(RangeError);
    expect(() => pyInt(Infinity)).toThrow(RangeError);
  });
});

describe("formatFloatFixed matches '{:.Nf}'.format", () => {
  it('on every fixture value and precision', () => {
    const cases = floats.flatMap((c) =>
      Object.entries(c.fixed ?? {}).map(([digits, expected]) => ({ x: c.x, digits: Number(digits), expected })),
    );
    expect(cases.length).toBeGreaterThan(10000);
    const bad = mismatches(cases, ({ x, digits, expected }) => {
      const got = formatFloatFixed(x, digits);
      return got === expected ? undefined : [`${got} (${digits} digits)`, expected];
    });
    expect(bad).toEqual([]);
  });

  it('rounds ties to even on the exact binary value, unlike toFixed', () => {
    expect(formatFloatFixed(0.125, 2)).toBe('0.12');
    expect((0.125).toFixed(2)).toBe('0.13');
    expect(formatFloatFixed(2.5, 0)).toBe('2');
    expect(formatFloatFixed(3.5, 0)).toBe('4');
    expect(formatFloatFixed(2.675, 2)).toBe('2.67'); // 2.675 is 2.67499999… in binary
    expect(formatFloatFixed(-0, 4)).toBe('-0.0000');
    expect(formatFloatFixed(-0.00001, 4)).toBe('-0.0000');
    expect(formatFloatFixed(1e22, 1)).toBe('10000000000000000000000.0');
  });

  it('rejects a negative or fractional number of digits', () => {
    expect(() => formatFloatFixed(1, -1)).toThrow(RangeError);
    expect(() => formatFloatFixed(1, 1.5)).toThrow(RangeError);
  });
});

describe("formatFloatExp matches '{:.Ne}'.format", () => {
  it('on every fixture value and precision', () => {
    const cases = floats.flatMap((c) =>
      Object.entries(c.exp).map(([digits, expected]) => ({ x: c.x, digits: Number(digits), expected })),
    );
    expect(cases.length).toBeGreaterThan(10000);
    const bad = mismatches(cases, ({ x, digits, expected }) => {
      const got = formatFloatExp(x, digits);
      return got === expected ? undefined : [`${got} (${digits} digits)`, expected];
    });
    expect(bad).toEqual([]);
  });

  it('writes at least two exponent digits and carries into a new decade', () => {
    expect(formatFloatExp(1, 4)).toBe('1.0000e+00');
    expect(formatFloatExp(1e-5, 4)).toBe('1.0000e-05');
    expect(formatFloatExp(1e100, 1)).toBe('1.0e+100');
    expect(formatFloatExp(9.99995, 4)).toBe('1.0000e+01');
    expect(formatFloatExp(0, 4)).toBe('0.0000e+00');
    expect(formatFloatExp(-0, 4)).toBe('-0.0000e+00');
    expect(formatFloatExp(1, 0)).toBe('1e+00');
    expect(formatFloatExp(NaN, 4)).toBe('nan');
    expect(formatFloatExp(-Infinity, 4)).toBe('-inf');
  });
});

describe('pyRepr', () => {
  it('quotes and escapes strings like repr(str)', () => {
    const bad = mismatches(fixture.strings, (c) => (pyRepr(c.value) === c.repr ? undefined : [pyRepr(c.value), c.repr]));
    expect(bad).toEqual([]);
  });

  it('prints booleans, None and numbers of either Python type', () => {
    expect(pyRepr(true)).toBe('True');
    expect(pyRepr(false)).toBe('False');
    expect(pyRepr(null)).toBe('None');
    expect(pyRepr(undefined)).toBe('None');
    expect(pyRepr(2)).toBe('2.0');
    expect(pyRepr(2, 'int')).toBe('2');
    expect(pyRepr(0.1, 'float')).toBe('0.1');
    expect(pyRepr('none')).toBe("'none'");
    expect(pyRepr("it's")).toBe('"it\'s"');
  });
});
