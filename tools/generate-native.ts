/**
 * Renders the native backend's elementwise kernels: `native/generated/kernels.c`.
 *
 *   npm run generate:native        (npx tsx tools/generate-native.ts [--check])
 *
 * Which kernels: exactly the elementwise expressions paoding runs for the built-in activations
 * and the common tensor arithmetic. They are not listed by hand: the generator runs every
 * registered activation (every value of its choice and bool parameters, float32 and float64,
 * functional, in-place and module forms), its backward through autograd (with a full upstream
 * gradient and with `y.sum()`'s broadcast scalar), each primitive on its own, the tensor
 * arithmetic (add, sub, mul, div by tensors and scalars, neg, exp, log, ..., comparisons) and a
 * small training step, all on a
 * recording backend that notes each call's expression, dtype and operand layout. Each distinct
 * canonical key (`src/backends/native/kernels.ts`), and the key of the same call with its
 * parameters equal to 1 made constants (`unitSpecialized`), becomes one C function: a loop over
 * contiguous arrays that computes the expression in double (float32 kernels round once on
 * store, as the JavaScript backend does), with runtime scalar parameters. The native backend
 * computes the same key for a call and runs the kernel when the addon has it.
 *
 * `test/backend.native.test.ts` fails when the committed file differs from a fresh rendering.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { activations, autograd, F, manualSeed, nn, optim, rand, randint, randn, tensor, type Tensor } from '../src/index.js';
import { getBackend, registerBackend, runElementwise, setBackend } from '../src/backends/index.js';
import { broadcastScalar, canonicalKernel, contiguous, kernelKey, plan, unitSpecialized } from '../src/backends/native/kernels.js';
import { type Expr, input, topoOrder, unary } from '../src/ir/expr.js';
import { castScalar, type DType } from '../src/tensor/dtype.js';
import { setWarningHandler } from '../src/util/warn.js';

/** One kernel to render. */
export interface KernelSource {
  key: string;
  expr: Expr;
  dtype: 'float32' | 'float64';
  outBool: boolean;
}

// ---------------------------------------------------------------------------------------------
// Capture
// ---------------------------------------------------------------------------------------------

type ParamDecl = { type: string; default?: unknown; choices?: readonly string[]; range?: readonly [number, number] };

/** Every combination of an activation's choice and bool parameters. */
function choiceCombos(params: Record<string, ParamDecl>): Record<string, unknown>[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const [k, p] of Object.entries(params)) {
    if (p.type !== 'choice' && p.type !== 'bool') continue;
    const values: unknown[] = p.type === 'bool' ? [false, true] : [...p.choices!];
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  }
  return combos;
}

/** Values for required number parameters (the structure of the formula does not depend on them). */
function requiredValues(params: Record<string, ParamDecl>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, p] of Object.entries(params)) {
    if (p.default !== undefined || (p.type !== 'float' && p.type !== 'int')) continue;
    out[k] = p.range ? p.range[0] + (p.range[1] - p.range[0]) / 3 : 0.5;
    if (p.type === 'int') out[k] = Math.round(out[k]!);
  }
  return out;
}

/** Forward, then backward with a full gradient and with `sum()`'s scalar gradient. */
function exercise(f: (x: Tensor) => Tensor, x: Tensor): void {
  const y = f(x);
  if (y.requiresGrad) {
    autograd.grad(y, x, { gradOutputs: randn(y.shape, { dtype: y.dtype }), allowUnused: true });
    const y2 = f(x);
    autograd.grad(y2.sum(), x, { allowUnused: true });
  }
}

function tryRun(what: () => void): void {
  try {
    what();
  } catch {
    // Combinations a declaration rejects (or that need other inputs) simply add no kernels.
  }
}

function captureActivations(dtype: 'float32' | 'float64'): void {
  for (const a of activations.list()) {
    const params = a.spec.params as Record<string, ParamDecl>;
    const required = requiredValues(params);
    const dimOpt = 'dim' in params ? { dim: -1 } : {};
    for (const combo of choiceCombos(params)) {
      const opts = { ...required, ...dimOpt, ...combo };
      const x = () => randn([4, 6], { dtype, requiresGrad: true });
      tryRun(() => exercise((t) => a.call(t, opts), x()));
      if (a.spec.inplace) tryRun(() => exercise((t) => a.call(t.mul(1), { ...opts, inplace: true }), x()));
      tryRun(() => {
        const positional = Object.entries(params)
          .filter(([, p]) => p.default === undefined && p.type !== 'tensor')
          .map(([k]) => required[k]);
        const m = new a.Module(...positional, combo);
        m.to(dtype);
        exercise((t) => m.forward(t), x());
        m.eval();
        exercise((t) => m.forward(t), x());
      });
    }
  }
}

function captureArithmetic(dtype: 'float32' | 'float64'): void {
  const a = () => randn([4, 6], { dtype, requiresGrad: true });
  const pos = () => rand([4, 6], { dtype }).add(0.5).requiresGrad_(true);
  const b = randn([4, 6], { dtype });
  const binary: ((x: Tensor) => Tensor)[] = [
    (x) => x.add(b),
    (x) => x.sub(b),
    (x) => x.mul(b),
    (x) => x.div(b),
    (x) => b.div(x),
    (x) => x.add(b, { alpha: 2 }),
    (x) => x.add(2),
    (x) => x.sub(2),
    (x) => x.mul(2),
    (x) => x.div(2),
    (x) => x.rsub(2),
    (x) => x.neg(),
    (x) => x.exp(),
    (x) => x.abs(),
    (x) => x.square(),
    (x) => x.pow(2),
    (x) => x.clamp(-1, 1),
    (x) => x.maximum(b),
    (x) => x.minimum(b),
    (x) => x.mul(x),
    (x) => x.add(x),
  ];
  for (const f of binary) tryRun(() => exercise(f, a()));
  for (const f of [(x: Tensor) => x.log(), (x: Tensor) => x.sqrt(), (x: Tensor) => x.rsqrt(), (x: Tensor) => x.reciprocal()]) {
    tryRun(() => exercise(f, pos()));
  }
  // In place, and the comparisons (boolean outputs).
  tryRun(() => a().detach().add_(b).mul_(2).sub_(1).div_(3).neg_().exp_());
  for (const f of [(x: Tensor) => x.lt(b), (x: Tensor) => x.le(b), (x: Tensor) => x.gt(b), (x: Tensor) => x.ge(b), (x: Tensor) => x.eq(b), (x: Tensor) => x.ne(b)]) {
    tryRun(() => f(a()));
  }
  for (const f of [(x: Tensor) => x.lt(0), (x: Tensor) => x.le(0), (x: Tensor) => x.gt(0), (x: Tensor) => x.ge(0), (x: Tensor) => x.eq(0), (x: Tensor) => x.ne(0)]) {
    tryRun(() => f(a()));
  }
  tryRun(() => a().detach().clone());
}

/** One step of a small MLP with SGD and Adam: what a training loop runs. */
function captureTraining(dtype: 'float32' | 'float64'): void {
  const model = new nn.Sequential(new nn.Linear(6, 5), new nn.ReLU(), new nn.Linear(5, 3));
  model.to(dtype);
  const x = randn([4, 6], { dtype });
  const y = randint(0, 3, [4]);
  for (const opt of [new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }), new optim.Adam(model.parameters())]) {
    for (let step = 0; step < 2; step++) {
      opt.zeroGrad();
      const loss = F.crossEntropy(model.forward(x) as Tensor, y);
      loss.backward();
      opt.step();
      const mse = F.mseLoss(model.forward(x) as Tensor, randn([4, 3], { dtype }));
      mse.backward();
    }
  }
}

/** Each primitive on its own (for user-defined formulas, and so the tests can measure it). */
function capturePrimitives(dtype: 'float32' | 'float64'): void {
  const ops = ['neg', 'abs', 'sign', 'exp', 'expm1', 'log', 'log1p', 'sqrt', 'rsqrt', 'reciprocal', 'tanh', 'sigmoid', 'erf', 'erfc', 'floor', 'ceil', 'round', 'trunc'] as const;
  const x = randn([4, 6], { dtype });
  const data = x._storage.data;
  for (const op of ops) {
    const out = dtype === 'float32' ? new Float32Array(data.length) : new Float64Array(data.length);
    runElementwise(unary(op, input(0)), dtype, [data.length], { data: out, offset: 0, strides: [1] }, false, [{ data, offset: 0, strides: [1] }], {});
  }
}

/** Run the capture: every distinct kernel, sorted by key. */
export function captureKernels(): KernelSource[] {
  const found = new Map<string, KernelSource>();
  const previous = getBackend();
  registerBackend({
    name: 'native-capture',
    elementwise(expr, dtype, shape, out, outBool, operands, params) {
      if (dtype !== 'float32' && dtype !== 'float64') return false;
      // Strided calls (views such as GLU's halves) too, canonicalised as the backend's strided
      // path does: operands it gathers count as arrays, broadcast single values as scalars.
      const p = plan(shape, out, operands);
      const scalar = p?.scalar ?? operands.map((o) => !contiguous(shape, o.strides) && broadcastScalar(shape, o.strides));
      if (p === undefined && expr === input(0)) return false; // strided copies stay in JavaScript
      // The general kernel, and the one the backend prefers when parameters are 1 (see
      // unitSpecialized): both, as other calls pass other values.
      const unit = unitSpecialized(expr, params);
      for (const x of unit === undefined ? [expr] : [expr, unit]) {
        const e = canonicalKernel(x, scalar).expr;
        const key = kernelKey(e, dtype, outBool);
        if (!found.has(key) && supported(e)) found.set(key, { key, expr: e, dtype, outBool });
      }
      return false;
    },
  });
  setBackend('native-capture');
  setWarningHandler(() => undefined);
  try {
    manualSeed(0);
    for (const dtype of ['float32', 'float64'] as const) {
      captureActivations(dtype);
      capturePrimitives(dtype);
      captureArithmetic(dtype);
      captureTraining(dtype);
    }
    void tensor;
  } finally {
    setWarningHandler(undefined);
    setBackend(previous);
  }
  return [...found.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

/** Primitives with no vectorised C spelling (yet): kernels using them are not generated. */
const UNSUPPORTED = new Set(['sin', 'cos']);

function supported(e: Expr): boolean {
  return topoOrder([e]).every((n) => !UNSUPPORTED.has(n.op));
}

/** A double literal for C, exact: JavaScript prints the shortest string that reads back the same. */
function literal(v: number): string {
  if (Number.isNaN(v)) return '(__builtin_nan(""))';
  if (v === Infinity) return '(__builtin_inf())';
  if (v === -Infinity) return '(-__builtin_inf())';
  if (Object.is(v, -0)) return '(-0.0)';
  let s = String(v);
  if (!/[.eE]/.test(s)) s += '.0';
  return v < 0 ? `(${s})` : s;
}

/**
 * Relative cost of one element (a relu is about 1), from which the addon derives the size
 * above which a call is split across threads.
 */
const OP_COST: Partial<Record<string, number>> = {
  exp: 6,
  expm1: 8,
  log: 9,
  log1p: 10,
  tanh: 10,
  sigmoid: 8,
  erf: 25,
  erfc: 25,
  div: 2,
  sqrt: 2,
  rsqrt: 3,
  reciprocal: 2,
  pow: 40,
};

export function kernelCost(e: Expr): number {
  let c = 1;
  for (const n of topoOrder([e])) c += OP_COST[n.op] ?? (n.args.length > 0 ? 0.25 : 0);
  return Math.round(c * 4) / 4;
}

/** A canonical kernel's parameters (`#0`, `#1`, ...) in the order it takes them. */
function kernelParams(e: Expr): string[] {
  const names = [...new Set(topoOrder([e]).filter((n) => n.op === 'param').map((n) => n.name))];
  return names.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
}

/** Operations a float32-arithmetic kernel may contain (see `floatArithmetic`). */
const FLOAT_OPS = new Set(['input', 'param', 'const', 'detach', 'add', 'sub', 'mul', 'div', 'neg', 'max', 'min', 'abs', 'sign', 'where', 'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'and', 'or', 'not', 'isnan', 'tonum', 'pow', 'exp', 'expm1', 'sigmoid', 'log1p']);
const FLOAT_TRANSCENDENTAL = new Set(['exp', 'expm1', 'sigmoid', 'log1p']);
/** Arithmetic a float32-arithmetic kernel evaluates in double when it forms an exponential's argument. */
const WIDE_ARITH = new Set(['add', 'sub', 'mul', 'div', 'neg', 'abs']);

/** Whether a node's float32 evaluation rounds (so its double value carries more bits). */
function rounds(n: Expr): boolean {
  return n.op === 'add' || n.op === 'sub' || n.op === 'mul' || n.op === 'div' || ((n.op === 'neg' || n.op === 'abs') && rounds(n.args[0]!));
}

/**
 * Whether a float32 kernel computes in float32 lanes rather than in double: when its only
 * transcendental primitives are exp, expm1, sigmoid and log1p (the sigmoid, SiLU, ELU, CELU,
 * softplus and log-sigmoid families, GLU, the tanh-approximate GELU), the float32 routines of
 * vmath.h (the WebAssembly backend's, within 2.4 ulp, PyTorch's float32 level) run eight lanes per
 * AVX2 vector. An exponential's argument that is itself rounded arithmetic (CELU's x/alpha,
 * softplus's beta x, the GELU polynomial) is computed in double and passed as a float32 value
 * plus a correction, as the WebAssembly backend does, so its rounding is not amplified by the
 * exponential. tanh, erf, erfc and log keep the kernel in double (float32 routines for them would
 * be less accurate than PyTorch's). Kernels without a transcendental primitive take float32 lanes
 * only where that gives the double kernel's bits (`sameBitsInFloat`: the selections, one product
 * or sum of operands); the rest (hardswish's chain, softsign's quotient) stay in double.
 */
export function floatArithmetic(e: Expr, dtype: DType, outBool = false): boolean {
  if (dtype !== 'float32') return false;
  let transcendental = false;
  for (const n of topoOrder([e])) {
    if (!FLOAT_OPS.has(n.op)) return false;
    if (n.op === 'pow' && !n.args[1]!.isConst(2)) return false;
    if (FLOAT_TRANSCENDENTAL.has(n.op)) transcendental = true;
  }
  // A number stored as a flag (nonzero and not NaN) is not covered: a product that underflows
  // to zero in float32 is nonzero in double.
  return transcendental ? !floatPolynomialProduct(e) : sameBitsInFloat(e) && !(outBool && e.kind !== 'bool');
}

/**
 * Whether a float32 kernel without transcendental primitives gives the same bits in float32
 * arithmetic as in double rounded once on store, so that it can run eight lanes per AVX2 vector
 * instead of four (relu, the clamps, thresholds and shrinks, leaky ReLU and PReLU, their
 * backwards, tensor sums and products: 2-4x faster in cache). The proof follows each node's
 * class:
 * - exact: its double value is a float32 value, so float32 evaluation gives the same value:
 *   operands, parameters and constants (float32 kernels receive them rounded to float32), and
 *   selections of exact values (max, min, where, abs, neg, comparisons, flags).
 * - rounded once: its float32 value is its double value rounded to float32. One add, sub, mul or
 *   div of exact operands: the double result rounded to float32 is the correctly rounded
 *   float32 result, since double carries more than 2 x 24 + 2 bits (the products are even
 *   exact in double). neg and abs commute with rounding (it is symmetric), max and min and
 *   where's branches with it (it is monotonic and leaves float32 values alone).
 * Anything else breaks the proof: arithmetic on a rounded value (double would keep its extra
 * bits: hardsigmoid's (x + 3) / 6), a comparison of one (the double value may lie on the other
 * side), or its sign (a product that underflows to zero in float32 keeps its sign in double).
 */
export function sameBitsInFloat(e: Expr): boolean {
  const cls = new Map<number, 'exact' | 'rounded'>();
  for (const n of topoOrder([e])) {
    const a = n.args.map((x) => cls.get(x.id)!);
    const allExact = a.every((c) => c === 'exact');
    let c: 'exact' | 'rounded' | undefined;
    if (n.op === 'isnan') {
      c = 'exact'; // rounding keeps NaN and makes none
    } else if (n.kind === 'bool' || n.op === 'sign' || n.op === 'tonum') {
      c = allExact ? 'exact' : undefined; // comparisons and flags: of exact values only
    } else {
      switch (n.op) {
        case 'input':
        case 'param':
        case 'const':
          c = 'exact';
          break;
        case 'detach':
          c = a[0];
          break;
        case 'add':
        case 'sub':
        case 'mul':
        case 'div':
          c = allExact ? 'rounded' : undefined;
          break;
        case 'neg':
        case 'abs':
        case 'max':
        case 'min':
          c = allExact ? 'exact' : 'rounded';
          break;
        case 'where':
          c = a[0] !== 'exact' ? undefined : a[1] === 'exact' && a[2] === 'exact' ? 'exact' : 'rounded';
          break;
        default:
          c = undefined;
      }
    }
    if (c === undefined) return false;
    cls.set(n.id, c);
  }
  return true;
}

/**
 * Whether float32 arithmetic would multiply (or divide) two polynomials in the inputs outside an
 * exponential's argument (which is computed in double): x * x overflows float32 from |x| = 1.8e19
 * where double does not, and the tanh-approximate GELU's backward would then give inf * 0 = NaN
 * at x = 1e30 where its double formula gives x. Products with a bounded factor (x * sigmoid(x))
 * stay in float32.
 */
function floatPolynomialProduct(e: Expr): boolean {
  const dependent = new Map<number, boolean>();
  const poly = new Map<number, boolean>();
  for (const n of topoOrder([e])) {
    const d = n.op === 'input' || n.args.some((a) => dependent.get(a.id)!);
    dependent.set(n.id, d);
    poly.set(n.id, d && !FLOAT_TRANSCENDENTAL.has(n.op) && n.args.every((a) => !dependent.get(a.id) || poly.get(a.id)));
  }
  // The nodes evaluated in float32: every node reached without entering an exponential's argument.
  const seen = new Set<number>();
  const stack = [e];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    const [a, b] = n.args;
    if ((n.op === 'mul' || n.op === 'div' || n.op === 'pow') && poly.get(a!.id) && (n.op === 'pow' || poly.get(b!.id))) return true;
    if (n.op === 'exp' || n.op === 'expm1' || n.op === 'sigmoid') {
      if (!rounds(a!)) stack.push(a!); // an exact argument is the float32 value itself
      continue;
    }
    stack.push(...n.args);
  }
  return false;
}

/** `max(u, 0) + log1p(exp(-|u|))` (the stable softplus, either order of the sum): its u. */
function softplusForm(n: Expr): Expr | undefined {
  if (n.op !== 'add') return undefined;
  for (const [m, l] of [n.args, [...n.args].reverse()] as [Expr, Expr][]) {
    if (m.op !== 'max' || !m.args[1]!.isConst(0) || l.op !== 'log1p') continue;
    const e = l.args[0]!;
    if (e.op !== 'exp' || e.args[0]!.op !== 'neg') continue;
    const a = e.args[0]!.args[0]!;
    if (a.op === 'abs' && a.args[0] === m.args[0]) return m.args[0];
  }
  return undefined;
}

/**
 * The softplus identities of vmath.h (tanh(sp(u)), sigmoid(2 sp(u)), sigmoid(-2 sp(u)) from one
 * exponential and a division) when `n` is one of those forms: the routine's name and u. Mish and
 * its derivative are these forms; a double kernel evaluates them 3-4x faster than through exp,
 * log1p and tanh, within the double routines' accuracy.
 */
function softplusIdentity(n: Expr): [string, Expr] | undefined {
  if (n.op === 'tanh') {
    const u = softplusForm(n.args[0]!);
    return u === undefined ? undefined : ['tanh_softplus', u];
  }
  if (n.op !== 'sigmoid' || n.args[0]!.op !== 'mul') return undefined;
  const [a, b] = n.args[0]!.args as [Expr, Expr];
  for (const [c, sp] of [[a, b], [b, a]] as [Expr, Expr][]) {
    const u = softplusForm(sp);
    if (u === undefined) continue;
    if (c.isConst(2)) return ['sigmoid_2softplus', u];
    if (c.isConst(-2)) return ['sigmoid_m2softplus', u];
  }
  return undefined;
}

/** `a / (1 + exp(z))`: its exponential node z, when `n` has that form. */
function siluForm(n: Expr): Expr | undefined {
  if (n.op !== 'div') return undefined;
  const d = n.args[1]!;
  if (d.op !== 'add') return undefined;
  const [l, r] = d.args as [Expr, Expr];
  const e = l.isConst(1) ? r : r.isConst(1) ? l : undefined;
  return e !== undefined && e.op === 'exp' ? e.args[0] : undefined;
}

/**
 * C for one kernel function. Double arithmetic (float32 operands widened, one rounding on store),
 * or float32 arithmetic for the kernels `floatArithmetic` selects: the same spelling with float
 * types, float literals, the `pf32_` routines, and SiLU's `a / (1 + exp(z))` as
 * `a * sigmoid(-z)`.
 */
function renderKernel(k: KernelSource, index: number): string {
  const f32 = floatArithmetic(k.expr, k.dtype, k.outBool);
  const T = k.dtype === 'float32' ? 'float' : 'double';
  const C = f32 ? 'float' : 'double'; // the arithmetic type
  const grade = f32 ? 'pf32' : k.dtype === 'float32' ? 'pf' : 'pm';
  const helper = f32 ? 'pf32' : 'pm';
  const one = f32 ? '1.0f' : '1.0';
  const zero = f32 ? '0.0f' : '0.0';
  const order = topoOrder([k.expr]);
  const params = kernelParams(k.expr);
  const inputs = [...new Set(order.filter((n) => n.op === 'input').map((n) => n.value))].sort((a, b) => a - b);
  const name = new Map<number, string>();
  const body: string[] = [];
  const ref = (n: Expr): string => name.get(n.id)!;
  let t = 0;
  /** A temporary: `const type tK = value;`, its name returned. */
  const temp = (type: string, value: string): string => {
    const id = `t${t++}`;
    body.push(`    const ${type} ${id} = ${value};`);
    return id;
  };
  // float32 arithmetic: an exponential's rounded argument in double (operands, parameters and
  // constants as their float32 values, arithmetic as the JavaScript backend evaluates it; other
  // nodes as their float32 value), then split into a float32 value and its correction.
  const wide = new Map<number, string>();
  const wideRef = (n: Expr): string => {
    let w = wide.get(n.id);
    if (w !== undefined) return w;
    if (n.op === 'const') w = `(double)((float)${literal(castScalar(n.value, 'float32'))})`;
    else if (!WIDE_ARITH.has(n.op)) w = `(double)${ref(n)}`;
    else {
      const [a, b] = n.args.map(wideRef);
      const op = { add: '+', sub: '-', mul: '*', div: '/' }[n.op as 'add'];
      w = temp('double', n.op === 'neg' ? `-${a}` : n.op === 'abs' ? `pm_abs(${a})` : `${a} ${op} ${b}`);
    }
    wide.set(n.id, w);
    return w;
  };
  const splits = new Map<number, [string, string?]>();
  const split = (n: Expr): [string, string?] => {
    if (!rounds(n)) return [ref(n)];
    let r = splits.get(n.id);
    if (r === undefined) {
      const w = wideRef(n);
      const hi = temp('float', `(float)${w}`);
      r = [hi, temp('float', `pf32_split_lo(${w}, ${hi})`)];
      splits.set(n.id, r);
    }
    return r;
  };
  /** exp, expm1 or sigmoid in float32 lanes, with its argument's correction when it has one. */
  const exponential = (op: string, arg: [string, string?], negate = false): string => {
    const m = negate ? '-' : '';
    return arg[1] === undefined ? `pf32_${op}(${m}${arg[0]})` : `pf32_${op}_lo(${m}${arg[0]}, ${m}${arg[1]})`;
  };
  for (const n of order) {
    switch (n.op) {
      case 'input':
        name.set(n.id, `x${n.value}`);
        continue;
      case 'param':
        name.set(n.id, `p${params.indexOf(n.name)}`);
        continue;
      case 'const':
        name.set(n.id, f32 ? `((float)${literal(castScalar(n.value, 'float32'))})` : literal(castScalar(n.value, k.dtype)));
        continue;
      case 'detach':
        name.set(n.id, ref(n.args[0]!));
        continue;
    }
    const [a, b, c] = n.args.map(ref);
    const z = f32 ? siluForm(n) : undefined;
    const identity = f32 ? undefined : softplusIdentity(n);
    let v: string;
    if (identity !== undefined) {
      v = `${grade}_${identity[0]}(${ref(identity[1])})`;
    } else if (z !== undefined) {
      // a / (1 + exp(z)) as a * sigmoid(-z): no overflow of exp(z) where the quotient is still
      // a normal number (x < -88.7 for SiLU), as the WebAssembly backend computes it.
      v = `${a} * ${exponential('sigmoid', split(z), true)}`;
    } else {
      switch (n.op) {
        case 'add':
          v = `${a} + ${b}`;
          break;
        case 'sub':
          v = `${a} - ${b}`;
          break;
        case 'mul':
          v = `${a} * ${b}`;
          break;
        case 'div':
          v = `${a} / ${b}`;
          break;
        case 'neg':
          v = `-${a}`;
          break;
        case 'pow':
          v = n.args[1]!.isConst(2) ? `${a} * ${a}` : `pm_pow(${a}, ${b})`;
          break;
        case 'max':
        case 'min':
        case 'abs':
        case 'sign':
          v = `${helper}_${n.op}(${n.args.map(ref).join(', ')})`;
          break;
        case 'floor':
        case 'ceil':
        case 'trunc':
          v = `pm_${n.op}(${a})`;
          break;
        case 'round':
          v = `pm_rint(${a})`;
          break;
        case 'exp':
        case 'expm1':
        case 'sigmoid':
          v = f32 ? exponential(n.op, split(n.args[0]!)) : `${grade}_${n.op}(${a})`;
          break;
        case 'log':
        case 'log1p':
        case 'tanh':
        case 'erf':
        case 'erfc':
          v = `${grade}_${n.op}(${a})`;
          break;
        case 'sqrt':
          v = `__builtin_sqrt(${a})`;
          break;
        case 'rsqrt':
          v = `1.0 / __builtin_sqrt(${a})`;
          break;
        case 'reciprocal':
          v = `1.0 / ${a}`;
          break;
        case 'lt':
          v = `${a} < ${b}`;
          break;
        case 'le':
          v = `${a} <= ${b}`;
          break;
        case 'gt':
          v = `${a} > ${b}`;
          break;
        case 'ge':
          v = `${a} >= ${b}`;
          break;
        case 'eq':
          v = `${a} == ${b}`;
          break;
        case 'ne':
          v = `${a} != ${b}`;
          break;
        case 'and':
          v = `${a} & ${b}`;
          break;
        case 'or':
          v = `${a} | ${b}`;
          break;
        case 'not':
          v = `!${a}`;
          break;
        case 'isnan':
          v = `${a} != ${a}`;
          break;
        case 'where':
          v = `${a} ? ${b} : ${c}`;
          break;
        case 'tonum':
          v = `${a} ? ${one} : ${zero}`;
          break;
        default:
          throw new Error(`generate-native: no C spelling for '${n.op}'`);
      }
    }
    name.set(n.id, temp(n.kind === 'bool' ? 'int' : C, v));
  }
  const root = ref(k.expr);
  // Temporaries the SiLU form left unread (its 1 + exp(z)) are dropped, last first.
  for (let i = body.length - 1; i >= 0; i--) {
    const id = /const \w+ (t\d+) =/.exec(body[i]!)![1]!;
    const used = new RegExp(`\\b${id}\\b`);
    if (id !== root && !body.some((line, j) => j !== i && used.test(line.split(' = ')[1] ?? ''))) body.splice(i, 1);
  }
  const store = k.outBool
    ? k.expr.kind === 'bool'
      ? `(unsigned char)${root}`
      : `(unsigned char)(${root} != ${zero} && ${root} == ${root})`
    : k.dtype === 'float32' && !f32
      ? `(float)${root}`
      : root;
  const outT = k.outBool ? 'unsigned char' : T;
  return [
    `/* ${index}: ${k.key}${f32 ? ' (float32 arithmetic)' : ''} */`,
    `static void k${index}(long n, void *out_, const void *const *in_, const double *p) {`,
    `  ${outT} *restrict out = (${outT} *)out_;`,
    ...inputs.map((i) => `  const ${T} *restrict a${i} = (const ${T} *)in_[${i}];`),
    ...params.map((_, i) => (f32 ? `  const float p${i} = (float)p[${i}];` : `  const double p${i} = p[${i}];`)),
    ...(inputs.length === 0 ? ['  (void)in_;'] : []),
    ...(params.length === 0 ? ['  (void)p;'] : []),
    '  for (long i = 0; i < n; i++) {',
    ...inputs.map((i) => `    const ${C} x${i} = a${i}[i];`),
    ...body,
    `    out[i] = ${store};`,
    '  }',
    '}',
  ].join('\n');
}

/** The whole generated file. */
export function renderKernelsC(kernels: readonly KernelSource[]): string {
  const info = kernels.map((k) => {
    const inputs = topoOrder([k.expr]).filter((n) => n.op === 'input').map((n) => n.value);
    const nIn = inputs.length ? Math.max(...inputs) + 1 : 0;
    const size = k.dtype === 'float32' ? 4 : 8;
    return `  X(${JSON.stringify(k.key)}, ${size}, ${k.outBool ? 1 : size}, ${nIn}, ${kernelParams(k.expr).length}, ${kernelCost(k.expr)})`;
  });
  return [
    '/*',
    ' * Generated by tools/generate-native.ts (npm run generate:native) from the activation registry',
    ' * and the tensor arithmetic: do not edit. One function per canonical kernel key (see',
    ' * src/backends/native/kernels.ts); float32 kernels compute in double and round once on store,',
    ' * except those marked "float32 arithmetic" (exp, expm1, sigmoid and log1p, and selections and',
    ' * single operations that give the same bits in float32: see floatArithmetic in the generator).',
    ' *',
    ' * Included twice: with PAODING_KERNEL_INFO defined, it lists (key, input element size, output',
    ' * element size, operand count, parameter count, relative cost) through the macro X; otherwise',
    ' * it defines the functions and the table PAODING_KERNEL_TABLE (compiled once per instruction set).',
    ' */',
    `#define PAODING_KERNEL_COUNT ${kernels.length}`,
    '#ifdef PAODING_KERNEL_INFO',
    '#define PAODING_KERNEL_LIST(X) \\',
    info.join(' \\\n'),
    '#else',
    '',
    kernels.map(renderKernel).join('\n\n'),
    '',
    'static const paoding_kernel_fn PAODING_KERNEL_TABLE[PAODING_KERNEL_COUNT] = {',
    ...kernels.map((_, i) => `  k${i},`),
    '};',
    '#endif',
    '',
  ].join('\n');
}

export const GENERATED_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'native', 'generated', 'kernels.c');

/** The file as the generator renders it now. */
export function renderNative(): string {
  return renderKernelsC(captureKernels());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = renderNative();
  if (process.argv.includes('--check')) {
    const current = readFileSync(GENERATED_PATH, 'utf8');
    if (current !== text) {
      console.error(`${GENERATED_PATH} is stale: run npm run generate:native`);
      process.exit(1);
    }
    console.log(`${GENERATED_PATH} is up to date`);
  } else {
    writeFileSync(GENERATED_PATH, text);
    const count = /PAODING_KERNEL_COUNT (\d+)/.exec(text)![1];
    console.log(`wrote ${GENERATED_PATH}: ${count} kernels`);
  }
}
