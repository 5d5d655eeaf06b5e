/**
 * How an elementwise call maps onto a precompiled native kernel: the operand classification and
 * the canonical kernel key. Shared by the native backend (at run time) and by
 * `tools/generate-native.ts` (which renders one C kernel per key), so that a key computed for a
 * call is, by construction, the key of the kernel generated for it.
 *
 * Browser-safe: no Node APIs here (the addon is loaded by `src/node/native.ts`).
 */
import { constant, type Expr, input, param, paramsOf, substitute, topoOrder } from '../../ir/expr.js';
import type { DType } from '../../tensor/dtype.js';
import type { Operand } from '../js/elementwise.js';

/**
 * A call the native kernels can take: `n` contiguous output elements; per operand, whether it
 * is a contiguous run of `n` elements (false) or one value broadcast over the whole iteration
 * (true: every stride 0), which the kernel takes as a parameter.
 */
export interface Plan {
  n: number;
  scalar: boolean[];
}

/** Whether `strides` walk `shape` contiguously (row-major, dims of size 1 ignored). */
export function contiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const s = shape[d]!;
    if (s === 1) continue;
    if (strides[d] !== expected) return false;
    expected *= s;
  }
  return true;
}

/** Whether `strides` broadcast one value over all of `shape` (every stride 0 where the size is not 1). */
export function broadcastScalar(shape: readonly number[], strides: readonly number[]): boolean {
  for (let d = 0; d < shape.length; d++) if (shape[d] !== 1 && strides[d] !== 0) return false;
  return true;
}

/**
 * Classify a call: the output and every operand must be contiguous over the iteration shape,
 * except operands broadcast from one value (a 0-d tensor, `y.sum()`'s gradient), which become
 * parameters. Anything else (strided views, row broadcasts) is not a native case: `undefined`.
 */
export function plan(shape: readonly number[], out: Operand, operands: readonly Operand[]): Plan | undefined {
  if (!contiguous(shape, out.strides)) return undefined;
  let n = 1;
  for (const s of shape) n *= s;
  const scalar: boolean[] = [];
  for (const o of operands) {
    if (contiguous(shape, o.strides)) scalar.push(false);
    else if (broadcastScalar(shape, o.strides)) scalar.push(true);
    else return undefined;
  }
  return { n, scalar };
}

/** The parameter standing for scalar operand `i` before renaming (see `canonicalKernel`). */
export function scalarParam(i: number): string {
  return `@${i}`;
}

/** A call's kernel: the canonical expression and where each of its parameters comes from. */
export interface CanonicalKernel {
  /** The expression with parameters renamed `#0`, `#1`, ... in order of first appearance. */
  expr: Expr;
  /**
   * For kernel parameter j (`#j`): the original parameter name, or `@i` for scalar operand i.
   * The kernel takes its parameters in this order.
   */
  sources: string[];
}

/**
 * The kernel for a call: scalar operands become parameters, then every parameter is renamed by
 * its first appearance in the expression, so formulas that differ only in their parameters'
 * names share one kernel (`x + $scalar` and `x + <0-d tensor>`, leaky ReLU's slope and RReLU's).
 */
export function canonicalKernel(expr: Expr, scalar: readonly boolean[]): CanonicalKernel {
  const withScalars = scalar.includes(true) ? substitute(expr, (i) => (scalar[i] ? param(scalarParam(i)) : input(i))) : expr;
  const sources: string[] = [];
  for (const n of topoOrder([withScalars])) if (n.op === 'param' && !sources.includes(n.name)) sources.push(n.name);
  if (sources.length === 0) return { expr: withScalars, sources };
  const renamed = substitute(withScalars, input, (name) => param(`#${sources.indexOf(name)}`));
  return { expr: renamed, sources };
}

/**
 * The expression with every parameter whose value in this call is exactly 1 replaced by the
 * constant 1, or undefined when none is (or nothing simplifies). The smart constructors then
 * drop the multiplications and divisions by it, which are exact (x * 1 = x for every x, -0 and
 * NaN included), so the result is the same function of the operands: CELU with alpha = 1 is
 * ELU's kernel, softplus with beta = 1 loses three products and a division. The generator
 * renders these kernels for the calls it records with unit parameters (the defaults of most
 * activations), and the backend takes one when the addon has it, the general kernel otherwise.
 */
export function unitSpecialized(expr: Expr, params: Readonly<Record<string, number>>): Expr | undefined {
  // Per expression: its parameter names, and the specialised expression per mask of unit ones
  // (null: nothing simplified). A call builds no key: most default calls come through here.
  let entry = specialized.get(expr.id);
  if (entry === undefined) specialized.set(expr.id, (entry = { names: paramsOf([expr]), byMask: new Map() }));
  const { names, byMask } = entry;
  let mask = 0;
  for (let i = 0; i < names.length && i < 30; i++) if (params[names[i]!] === 1) mask |= 1 << i;
  if (mask === 0) return undefined;
  let e = byMask.get(mask);
  if (e === undefined) {
    const unit = new Set(names.filter((_, i) => (mask >> i) & 1));
    const s = substitute(expr, input, (name) => (unit.has(name) ? constant(1) : param(name)));
    byMask.set(mask, (e = s === expr ? null : s));
  }
  return e ?? undefined;
}
const specialized = new Map<number, { names: string[]; byMask: Map<number, Expr | null> }>();

/**
 * The canonical key of a kernel: its computation dtype, whether it stores booleans, and the
 * canonical expression's printed form (interned expressions print uniquely; constants exactly).
 */
export function kernelKey(expr: Expr, dtype: DType, outBool: boolean): string {
  return `${dtype}${outBool ? '>bool' : ''}|${expr.toString()}`;
}

/**
 * A call over rows: `rows` rows of `cols` contiguous elements in every array (the output
 * included), row r of each at its offset + r * its row stride (0 repeats one row). Strided views
 * whose innermost dim is contiguous (a slice of columns, GLU's halves) and row broadcasts (a
 * bias over a batch) fit; scalar operands are as in `Plan`.
 */
export interface RowsPlan {
  rows: number;
  cols: number;
  outRowStride: number;
  rowStrides: number[];
  scalar: boolean[];
}

/** Classify a call `plan` declined as a rows call, or undefined. */
export function rowsPlan(shape: readonly number[], out: Operand, operands: readonly Operand[]): RowsPlan | undefined {
  const dims: number[] = [];
  for (let d = 0; d < shape.length; d++) if (shape[d] !== 1) dims.push(d);
  if (dims.length < 2) return undefined;
  const last = dims[dims.length - 1]!;
  const lead = dims.slice(0, -1);
  const cols = shape[last]!;
  let rows = 1;
  for (const d of lead) rows *= shape[d]!;
  // The leading dims must collapse into one row index: each stride the next one's times its size.
  const rowStride = (strides: readonly number[]): number | undefined => {
    if (strides[last] !== 1) return undefined;
    for (let i = 0; i + 1 < lead.length; i++) if (strides[lead[i]!] !== strides[lead[i + 1]!]! * shape[lead[i + 1]!]!) return undefined;
    const rs = strides[lead[lead.length - 1]!]!;
    return rs >= 0 ? rs : undefined;
  };
  const outRowStride = rowStride(out.strides);
  if (outRowStride === undefined || outRowStride < cols) return undefined;
  const rowStrides: number[] = [];
  const scalar: boolean[] = [];
  for (const o of operands) {
    if (broadcastScalar(shape, o.strides)) {
      scalar.push(true);
      rowStrides.push(0);
      continue;
    }
    const rs = rowStride(o.strides);
    if (rs === undefined) return undefined;
    scalar.push(false);
    rowStrides.push(rs);
  }
  return { rows, cols, outRowStride, rowStrides, scalar };
}
