/**
 * The float64 interpreter: evaluates an expression on plain numbers. It is the semantic
 * reference for the backends (which must agree with it up to rounding) and what the explorer
 * and the tests use to evaluate formulas one point at a time.
 */
import { evalBinary, evalCompare, evalUnary, type BinaryOp, type CompareOp, type Expr, topoOrder, type UnaryOp } from './expr.js';

/** Options of `evaluate`. */
export interface EvaluateOptions {
  /**
   * Applied to every numeric value the expression forms, operands, parameters and constants
   * included: `Math.fround` evaluates the formula as float32 arithmetic would, one rounding per
   * operation (what a naive float32 implementation computes).
   */
  round?: (v: number) => number;
}

/**
 * Evaluate `e` in float64 with operand values `inputs` and parameter values `params`.
 *
 * @example
 * ```ts
 * import { ir } from 'paoding';
 * const x = ir.input(0);
 * console.log(ir.evaluate(x.mul(ir.param('a')).exp(), [1], { a: 2 })); // 7.38905609893065
 * // log(1 + exp(x)) in float32 arithmetic loses the tail that log1p keeps:
 * console.log(ir.evaluate(x.exp().add(1).log(), [-20], {}, { round: Math.fround })); // 0
 * ```
 */
export function evaluate(
  e: Expr,
  inputs: readonly number[],
  params: Readonly<Record<string, number>> = {},
  options: EvaluateOptions = {},
): number {
  const round = options.round;
  const values = new Map<number, number | boolean>();
  for (const n of topoOrder([e])) {
    const v = step(n, values, inputs, params);
    values.set(n.id, round !== undefined && typeof v === 'number' ? round(v) : v);
  }
  const v = values.get(e.id)!;
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

function step(
  n: Expr,
  values: Map<number, number | boolean>,
  inputs: readonly number[],
  params: Readonly<Record<string, number>>,
): number | boolean {
  const arg = (i: number): number => values.get(n.args[i]!.id) as number;
  const flag = (i: number): boolean => values.get(n.args[i]!.id) as boolean;
  switch (n.op) {
    case 'input': {
      const v = inputs[n.value];
      if (v === undefined) throw new RangeError(`ir.evaluate: operand ${n.value} was not supplied (got ${inputs.length})`);
      return v;
    }
    case 'param': {
      const v = params[n.name];
      if (v === undefined) throw new RangeError(`ir.evaluate: parameter '${n.name}' was not supplied`);
      return v;
    }
    case 'const':
      return n.value;
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'pow':
    case 'max':
    case 'min':
      return evalBinary(n.op as BinaryOp, arg(0), arg(1));
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge':
    case 'eq':
    case 'ne':
      return evalCompare(n.op as CompareOp, arg(0), arg(1));
    case 'and':
      return flag(0) && flag(1);
    case 'or':
      return flag(0) || flag(1);
    case 'not':
      return !flag(0);
    case 'isnan':
      return Number.isNaN(arg(0));
    case 'where':
      return flag(0) ? arg(1) : arg(2);
    case 'tonum':
      return flag(0) ? 1 : 0;
    case 'detach':
      return arg(0);
    default:
      return evalUnary(n.op as UnaryOp, arg(0));
  }
}
