/**
 * The JavaScript backend's elementwise engine: compiles an expression into a JavaScript loop
 * (via `new Function`, so V8 optimises each fused kernel like hand-written code) and runs it
 * over strided, broadcast operands.
 *
 * The backend is a table over primitives (`UNARY`, `BINARY` below): it knows how to spell each
 * primitive in JavaScript and nothing about activations.
 */
import { type Expr, type Op, topoOrder, fmax, fmin, fsign, roundHalfEven, cpow } from '../../ir/expr.js';
import { erf, erfc } from '../../ir/special.js';
import { castScalar, type DType, type TypedArray } from '../../tensor/dtype.js';

/** A strided view of an array, as the kernels read and write it. */
export interface Operand {
  data: TypedArray;
  offset: number;
  /** Strides in elements, one per dimension of the iteration shape (0 on broadcast dims). */
  strides: readonly number[];
}

type RowKernel = (
  n: number,
  out: TypedArray,
  oo: number,
  os: number,
  ins: readonly TypedArray[],
  offs: readonly number[],
  strides: readonly number[],
  params: readonly number[],
) => void;

/** How each primitive is written in JavaScript; `$0`, `$1`, `$2` are the arguments. */
const SPELLING: Partial<Record<Op, string>> = {
  add: '($0 + $1)',
  sub: '($0 - $1)',
  mul: '($0 * $1)',
  div: '($0 / $1)',
  pow: 'cpow($0, $1)',
  max: 'fmax($0, $1)',
  min: 'fmin($0, $1)',
  neg: '(-$0)',
  abs: 'Math.abs($0)',
  sign: 'fsign($0)',
  exp: 'Math.exp($0)',
  expm1: 'Math.expm1($0)',
  log: 'Math.log($0)',
  log1p: 'Math.log1p($0)',
  sqrt: 'Math.sqrt($0)',
  rsqrt: '(1 / Math.sqrt($0))',
  reciprocal: '(1 / $0)',
  tanh: 'Math.tanh($0)',
  sigmoid: '(1 / (1 + Math.exp(-$0)))',
  erf: 'erf($0)',
  erfc: 'erfc($0)',
  sin: 'Math.sin($0)',
  cos: 'Math.cos($0)',
  floor: 'Math.floor($0)',
  ceil: 'Math.ceil($0)',
  round: 'rne($0)',
  trunc: 'Math.trunc($0)',
  lt: '($0 < $1)',
  le: '($0 <= $1)',
  gt: '($0 > $1)',
  ge: '($0 >= $1)',
  eq: '($0 === $1)',
  ne: '($0 !== $1)',
  and: '($0 && $1)',
  or: '($0 || $1)',
  not: '(!$0)',
  isnan: 'Number.isNaN($0)',
  where: '($0 ? $1 : $2)',
  tonum: '($0 ? 1 : 0)',
  detach: '$0',
};

/** Integer arithmetic that must not round through float64 (int32 products exceed 2^53). */
const INT32_SPELLING: Partial<Record<Op, string>> = { mul: 'Math.imul($0, $1)' };

function literal(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  return `(${String(v)})`;
}

/** The parameter order a compiled kernel expects. */
export function kernelParams(expr: Expr): string[] {
  const names = new Set<string>();
  for (const n of topoOrder([expr])) if (n.op === 'param') names.add(n.name);
  return [...names].sort();
}

/** Generate the body of one element: declarations plus the final value expression. */
function generate(expr: Expr, dtype: DType, paramIndex: Map<string, number>): { decls: string[]; value: string; inputs: number[] } {
  const order = topoOrder([expr]);
  const uses = new Map<number, number>();
  for (const n of order) for (const a of n.args) uses.set(a.id, (uses.get(a.id) ?? 0) + 1);
  const names = new Map<number, string>();
  const decls: string[] = [];
  const inputs = new Set<number>();
  const spell = dtype === 'int32' ? { ...SPELLING, ...INT32_SPELLING } : SPELLING;
  const text = (n: Expr): string => names.get(n.id) ?? inline(n);
  const inline = (n: Expr): string => {
    switch (n.op) {
      case 'input':
        inputs.add(n.value);
        return `a${n.value}`;
      case 'param':
        return `p${paramIndex.get(n.name)}`;
      case 'const':
        return literal(castScalar(n.value, dtype));
      default: {
        const pattern = spell[n.op];
        if (pattern === undefined) throw new Error(`js backend: no spelling for primitive '${n.op}'`);
        return pattern.replace(/\$(\d)/g, (_, i: string) => text(n.args[Number(i)]!));
      }
    }
  };
  for (const n of order) {
    if (n.op === 'input' || n.op === 'param' || n.op === 'const') {
      inline(n);
      continue;
    }
    // Shared sub-expressions (and arguments NaN checks read twice) are computed once; the rest
    // is inlined, which keeps an unselected `where` branch from being evaluated at all.
    if ((uses.get(n.id) ?? 0) > 1 && n !== expr) {
      const name = `t${decls.length}`;
      decls.push(`const ${name} = ${inline(n)};`);
      names.set(n.id, name);
    }
  }
  return { decls, value: text(expr), inputs: [...inputs].sort((a, b) => a - b) };
}

const cache = new Map<string, { contiguous: RowKernel; strided: RowKernel; params: string[] }>();

/**
 * Compile `expr` (operands `input(0..nInputs-1)`) for a computation dtype. The result is cached
 * by expression identity, so each distinct formula is compiled once per dtype.
 */
export function compile(expr: Expr, nInputs: number, dtype: DType, outBool: boolean) {
  const key = `${expr.id}|${nInputs}|${dtype}|${outBool ? 1 : 0}`;
  let k = cache.get(key);
  if (k) return k;
  const params = kernelParams(expr);
  const paramIndex = new Map(params.map((p, i) => [p, i] as const));
  const { decls, value, inputs } = generate(expr, dtype, paramIndex);
  const store = outBool ? `(${value} ? 1 : 0)` : value;
  const head = [
    ...inputs.map((i) => `const i${i} = ins[${i}], s${i} = strides[${i}]; let o${i} = offs[${i}];`),
    ...params.map((_, i) => `const p${i} = params[${i}];`),
  ].join('\n');
  const contiguousBody = `${head}
for (let k = 0; k < n; k++) {
${inputs.map((i) => `const a${i} = i${i}[o${i} + k];`).join('\n')}
${decls.join('\n')}
out[oo + k] = ${store};
}`;
  const stridedBody = `${head}
for (let k = 0; k < n; k++) {
${inputs.map((i) => `const a${i} = i${i}[o${i}]; o${i} += s${i};`).join('\n')}
${decls.join('\n')}
out[oo] = ${store}; oo += os;
}`;
  const make = (body: string): RowKernel =>
    new Function('erf', 'erfc', 'fmax', 'fmin', 'fsign', 'rne', 'cpow', `return function kernel(n, out, oo, os, ins, offs, strides, params) {\n${body}\n};`)(
      erf,
      erfc,
      fmax,
      fmin,
      fsign,
      roundHalfEven,
      cpow,
    ) as RowKernel;
  k = { contiguous: make(contiguousBody), strided: make(stridedBody), params };
  cache.set(key, k);
  return k;
}

/**
 * Merge dimensions that every operand walks contiguously, so a broadcast or permuted iteration
 * runs as few, long rows. Returns the reduced shape and per-operand strides.
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const dims: number[] = [];
  for (let d = 0; d < shape.length; d++) if (shape[d] !== 1) dims.push(d);
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (const d of dims) {
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, j) => outStrides[j]![last] === s[d]! * shape[d]!)) {
      outShape[last]! *= shape[d]!;
      strides.forEach((s, j) => (outStrides[j]![last] = s[d]!));
    } else {
      outShape.push(shape[d]!);
      strides.forEach((s, j) => outStrides[j]!.push(s[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Walk an iteration space row by row: `row(offsets, n, innerStrides)` is called for each
 * innermost row with the starting offset of every operand.
 */
export function forEachRow(
  shape: readonly number[],
  offsets: readonly number[],
  strides: readonly (readonly number[])[],
  row: (offs: number[], n: number, inner: number[]) => void,
): void {
  const c = coalesce(shape, strides);
  for (const s of c.shape) if (s === 0) return;
  const rank = c.shape.length;
  if (rank === 0) {
    row([...offsets], 1, strides.map(() => 0));
    return;
  }
  const n = c.shape[rank - 1]!;
  const inner = c.strides.map((s) => s[rank - 1]!);
  const offs = [...offsets];
  if (rank === 1) {
    row(offs, n, inner);
    return;
  }
  const counter = new Array<number>(rank - 1).fill(0);
  for (;;) {
    row([...offs], n, inner);
    let d = rank - 2;
    for (; d >= 0; d--) {
      counter[d]!++;
      for (let j = 0; j < offs.length; j++) offs[j]! += c.strides[j]![d]!;
      if (counter[d]! < c.shape[d]!) break;
      for (let j = 0; j < offs.length; j++) offs[j]! -= c.strides[j]![d]! * c.shape[d]!;
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}

/**
 * Evaluate `expr` elementwise over broadcast operands into `out` (whose strides are given over
 * the same iteration `shape`). `params` are converted to `dtype` first, as PyTorch converts
 * scalar arguments to the tensor's dtype.
 */
export function runElementwise(
  expr: Expr,
  dtype: DType,
  shape: readonly number[],
  out: Operand,
  outBool: boolean,
  operands: readonly Operand[],
  params: Readonly<Record<string, number>>,
): void {
  const k = compile(expr, operands.length, dtype, outBool);
  const p = k.params.map((name) => {
    const v = params[name];
    if (v === undefined) throw new Error(`elementwise kernel: parameter '${name}' was not supplied`);
    return castScalar(v, dtype);
  });
  const ins = operands.map((o) => o.data);
  forEachRow(shape, [out.offset, ...operands.map((o) => o.offset)], [out.strides, ...operands.map((o) => o.strides)], (offs, n, inner) => {
    const contiguous = inner.every((s) => s === 1);
    const fn = contiguous ? k.contiguous : k.strided;
    fn(n, out.data, offs[0]!, inner[0]!, ins, offs.slice(1), inner.slice(1), p);
  });
}
