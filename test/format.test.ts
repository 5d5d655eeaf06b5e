import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PRINT_OPTIONS,
  formatTensor,
  formatTensorData,
  type PrintDtype,
  type PrintOptions,
  type PrintValues,
} from '../src/tensor/format.js';

interface Case {
  name: string;
  dtype: PrintDtype;
  shape: number[];
  values: (number | string | boolean)[];
  suffixes: string[];
  data: string;
  repr: string;
  bigint?: boolean;
  options?: Partial<PrintOptions>;
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/format.json', import.meta.url), 'utf8'),
) as { torch: string; cases: Case[] };

/** Decodes the fixture's JSON-safe values into what a tensor would hold. */
function decodeValues(c: Case): PrintValues {
  if (c.bigint) return BigInt64Array.from(c.values, (v) => BigInt(v as string));
  const numbers = c.values.map((v) => {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'string') return v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity;
    return v;
  });
  return c.dtype === 'float32' ? Float32Array.from(numbers) : Float64Array.from(numbers);
}

describe('formatTensor against PyTorch', () => {
  it(`has a fixture of about 150 tensors from torch ${fixture.torch}`, () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(150);
    const dtypes = new Set(fixture.cases.map((c) => c.dtype));
    expect([...dtypes].sort()).toEqual(['bool', 'float32', 'float64', 'int32', 'int64', 'uint8']);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const values = decodeValues(c);
      expect(formatTensorData(values, c.shape, c.dtype, c.options)).toBe(c.data);
      expect(formatTensor(values, c.shape, c.dtype, c.suffixes, c.options)).toBe(c.repr);
    });
  }
});

describe('formatTensor details', () => {
  it('prints the examples of the brief', () => {
    expect(formatTensor([1, 2, 3], [3], 'float32')).toBe('tensor([1., 2., 3.])');
    expect(formatTensor([0.1234, -1.5, 2, 3], [2, 2], 'float32')).toBe(
      'tensor([[ 0.1234, -1.5000],\n        [ 2.0000,  3.0000]])',
    );
    expect(formatTensor([3.5], [], 'float32')).toBe('tensor(3.5000)');
    expect(formatTensor([], [0, 3], 'float32')).toBe('tensor([], size=(0, 3))');
    expect(formatTensor([1, 2], [2], 'int64')).toBe('tensor([1, 2])');
    expect(formatTensor([1, 2], [2], 'int32')).toBe('tensor([1, 2], dtype=torch.int32)');
    expect(formatTensor([1, 0], [2], 'bool')).toBe('tensor([ True, False])');
    expect(formatTensor([1e-5, 1e5], [2], 'float32')).toBe('tensor([1.0000e-05, 1.0000e+05])');
  });

  it('does not repeat a derived suffix the caller also passes', () => {
    expect(formatTensor([1, 2], [2], 'float64', ['dtype=torch.float64', 'grad_fn=<ReluBackward0>'])).toBe(
      'tensor([1., 2.], dtype=torch.float64, grad_fn=<ReluBackward0>)',
    );
  });

  it('rounds float32 inputs to float32 as a tensor would', () => {
    // 0.1 as float32 is 0.100000001490116…, which still prints as 0.1000; 16777217 is not a float32.
    expect(formatTensor([16777217, 0.5], [2], 'float32')).toBe(formatTensor([16777216, 0.5], [2], 'float32'));
  });

  it('keeps all 64 bits of bigint int64 values', () => {
    expect(formatTensor(BigInt64Array.from([2n ** 62n + 1n, -1n]), [2], 'int64')).toBe(
      'tensor([4611686018427387905,                  -1])',
    );
  });

  it('rejects values that do not fill the shape', () => {
    expect(() => formatTensor([1, 2, 3], [2, 2], 'float32')).toThrow(RangeError);
  });

  it('exposes PyTorch’s default options', () => {
    expect(DEFAULT_PRINT_OPTIONS).toEqual({ precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: undefined });
  });
});
