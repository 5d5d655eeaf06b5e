/**
 * Reading test/fixtures/tensor_ops.json (written by tools/fixtures/generate_tensor_ops.py from
 * real PyTorch) and comparing paoding tensors with its encoded tensors.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { tensor, type DType, type Tensor } from '../../src/index.js';

/** A tensor as the fixture stores it: flat row-major values, non-finite floats as strings. */
export interface Encoded {
  dtype: DType;
  shape: number[];
  values: (number | boolean | string)[];
  strides?: number[];
  offset?: number;
  contiguous?: boolean;
}

export interface ForwardCase {
  name: string;
  inputs: Encoded[];
  outputs: Encoded[];
  exact?: boolean;
  view?: boolean;
}

export interface AutogradCase {
  name: string;
  inputs: Encoded[];
  requiresGrad: boolean[];
  gradFn: string;
  output: Encoded;
  gy: Encoded;
  grads: (Encoded | null)[];
  second?: { ggx: Encoded[]; d2x: Encoded[]; d2gy: Encoded };
}

export interface Fixture {
  torch: string;
  forward: ForwardCase[];
  autograd: AutogradCase[];
  reprs: { name: string; repr: string }[];
}

export const fixture = JSON.parse(readFileSync(new URL('../fixtures/tensor_ops.json', import.meta.url), 'utf8')) as Fixture;

function decodeNumber(v: number | boolean | string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity;
  return v;
}

/** The fixture's numbers as JavaScript numbers. */
export function decodeValues(e: Encoded): number[] {
  return e.values.map(decodeNumber);
}

/** Build the paoding tensor an encoded tensor describes. */
export function decode(e: Encoded, opts: { requiresGrad?: boolean } = {}): Tensor {
  const values = decodeValues(e);
  const typed = e.dtype === 'float32' ? Float32Array.from(values) : e.dtype === 'int32' ? Int32Array.from(values) : e.dtype === 'bool' || e.dtype === 'uint8' ? Uint8Array.from(values) : Float64Array.from(values);
  return tensor(typed, { dtype: e.dtype, shape: e.shape, requiresGrad: opts.requiresGrad ?? false });
}

/** Flat values of a paoding tensor, in row-major order. */
export function flatValues(t: Tensor): number[] {
  return Array.from(t.toTypedArray() as ArrayLike<number>);
}

/** Tolerances of inexact comparisons, per dtype. */
const TOL: Record<string, { rtol: number; atol: number }> = {
  float32: { rtol: 1e-6, atol: 1e-6 },
  float64: { rtol: 1e-12, atol: 1e-12 },
};

/** Whether `a` matches `b`: NaN matches NaN; exact mode also tells -0 from +0. */
export function sameNumber(a: number, b: number, exact: boolean, tol = TOL.float64!): boolean {
  if (Number.isNaN(b)) return Number.isNaN(a);
  if (exact || !Number.isFinite(b)) return Object.is(a, b);
  return Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(b);
}

/**
 * Expect a paoding tensor to equal an encoded PyTorch tensor: dtype, shape and values (bit for
 * bit when `exact`, else within a few ulps of the dtype), naming the first differing element.
 */
export function expectTensor(actual: Tensor, expected: Encoded, opts: { exact?: boolean; label?: string; tol?: { rtol: number; atol: number } } = {}): void {
  const label = opts.label ?? '';
  expect(actual.dtype, `${label} dtype`).toBe(expected.dtype);
  expect(actual.shape, `${label} shape`).toEqual(expected.shape);
  const a = flatValues(actual);
  const b = decodeValues(expected);
  const tol = opts.tol ?? TOL[expected.dtype] ?? TOL.float64!;
  const exact = opts.exact === true || !(expected.dtype === 'float32' || expected.dtype === 'float64');
  const bad = a.findIndex((v, i) => !sameNumber(v, b[i]!, exact, tol));
  if (bad >= 0) {
    expect.fail(`${label} element ${bad}: paoding ${Object.is(a[bad], -0) ? '-0' : a[bad]}, torch ${Object.is(b[bad], -0) ? '-0' : b[bad]}\n  paoding ${JSON.stringify(a)}\n  torch   ${JSON.stringify(expected.values)}`);
  }
}

/** The cases of a section by name, failing loudly when a test names a case the fixture lacks. */
export function byName<T extends { name: string }>(cases: readonly T[]): (name: string) => T {
  const m = new Map(cases.map((c) => [c.name, c]));
  return (name) => {
    const c = m.get(name);
    if (c === undefined) throw new Error(`fixture has no case '${name}' (rerun tools/fixtures/generate_tensor_ops.py)`);
    return c;
  };
}
