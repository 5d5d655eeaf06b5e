/**
 * The shape of an activation declaration. Every activation in paoding, and every activation a
 * user defines, is one object of this shape; the functional form, the module class, autograd,
 * the docs, the lab and the tests all derive from it.
 */
import type { Expr } from '../ir/expr.js';
import type { Tensor } from '../tensor/tensor.js';

/** The kinds of parameter an activation can take. */
export type ParamType = 'float' | 'int' | 'bool' | 'choice' | 'tensor';

/** One parameter, with PyTorch's keyword name camelCased as its key. */
export interface ParamSpec {
  type: ParamType;
  /**
   * The default (PyTorch's). A parameter without a default is required and is passed
   * positionally, in declaration order (`F.threshold(x, threshold, value)`). `null` stands for
   * Python's `None`.
   */
  default?: number | string | boolean | null;
  /** The allowed values of a `choice`. */
  choices?: readonly string[];
  /** PyTorch's keyword (defaults to the key in snake_case). */
  torchName?: string;
  /** What it means, one line. */
  doc: string;
  /** A sensible range for sliders and sweeps (the explorer and the lab). */
  range?: readonly [number, number];
  /**
   * Whether a module owns it as a learnable parameter (e.g. a Swish's beta). The functional
   * form then accepts a number or a tensor for it.
   */
  learnable?: boolean;
  /**
   * Whether a float parameter is converted to the tensor's dtype before use, as PyTorch's
   * kernels convert their scalars, with PyTorch's overflow check (`value cannot be converted to
   * type float without overflow` for 1e39 on a float32 tensor). Default true; false for a value
   * that only divides a tensor (gumbel_softmax's tau), which PyTorch does not check.
   */
  convert?: boolean;
}

/** The parameter declarations of an activation. */
export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** The JavaScript value a parameter takes. */
export type ParamValue<S extends ParamSpec> = S['type'] extends 'float' | 'int'
  ? S['learnable'] extends true
    ? number | Tensor
    : S['default'] extends null
      ? number | null
      : number
  : S['type'] extends 'bool'
    ? boolean
    : S['type'] extends 'choice'
      ? S['choices'] extends readonly (infer C)[]
        ? C
        : string
      : S['type'] extends 'tensor'
        ? Tensor
        : never;

/** The resolved values of all parameters (defaults filled in). */
export type ParamValues<P extends ParamSpecs> = { -readonly [K in keyof P]: ParamValue<P[K]> };

/**
 * What a formula sees of the parameters: numbers (and tensors) as expressions, choices and
 * flags as their plain values, so a formula can branch on them (`approximate: 'tanh'`).
 */
export type ParamExprs<P extends ParamSpecs> = {
  -readonly [K in keyof P]: P[K]['type'] extends 'float' | 'int' | 'tensor' ? Expr : ParamValue<P[K]>;
};

/** Plain numbers for every numeric parameter (tensor parameters become their values, unused). */
export type ParamNumbers<P extends ParamSpecs> = {
  -readonly [K in keyof P]: P[K]['type'] extends 'float' | 'int' ? number : ParamValue<P[K]>;
};

/** Claims about the function that the generic tests check and the lab and explorer use. */
export interface Properties<P extends ParamSpecs = ParamSpecs> {
  /** The closure of the output range (`[-Infinity, Infinity]` when unbounded). */
  range: readonly [number, number] | ((p: ParamNumbers<P>) => readonly [number, number]);
  /** Whether it is non-decreasing. */
  monotonic: boolean | ((p: ParamNumbers<P>) => boolean);
  /** Inputs where the first derivative jumps (and PyTorch picks a value). */
  kinks: readonly number[] | ((p: ParamNumbers<P>) => readonly number[]);
  /** Whether outputs are centred on zero for inputs centred on zero (f(-x) = -f(x) or close). */
  zeroCentered: boolean;
  /** Where the derivative tends to 0 far from the origin: the side(s) that saturate. */
  saturates: 'none' | 'negative' | 'positive' | 'both';
  /** An interval where the derivative is exactly zero (a dead zone), if any. */
  deadZone?: readonly [number, number] | ((p: ParamNumbers<P>) => readonly [number, number] | undefined);
}

/** How integer (and bool) inputs are treated, following PyTorch per function. */
export type IntegerPolicy =
  /** Integer inputs are an error (most activations: `"elu_cpu" not implemented for 'Long'`). */
  | 'reject'
  /** Integer inputs keep their dtype; parameters are truncated to it (relu, threshold, hardtanh). */
  | 'keep'
  /** Integer and bool inputs compute in the default float dtype (sigmoid, tanh, softsign). */
  | 'promote'
  /** The implementation decides (the softmax family accepts integers only with a `dtype`). */
  | 'custom';

/** What in-place forms an activation has, and how their backward works. */
export interface InplaceSpec<P extends ParamSpecs> {
  /**
   * The derivative in terms of the result `y`, used when the input is overwritten (PyTorch's
   * `relu_`, `elu_`, `leaky_relu_` save their result). Without it, a copy of the input is saved.
   */
  derivative?: (y: Expr, p: ParamExprs<P>) => Expr;
  /** An error the in-place backward raises for these parameters (PyTorch's negative-slope rule). */
  backwardError?: (p: ParamNumbers<P>) => string | undefined;
  /** The backward node's name for the in-place form, when PyTorch names it differently. */
  gradFn?: string;
}

/** Fields every kind of activation declares. */
interface CommonSpec<P extends ParamSpecs> {
  /** The canonical id: PyTorch's functional name, snake_case (`leaky_relu`). */
  id: string;
  /** The module class name, PyTorch's (`LeakyReLU`). */
  module: string;
  /** One sentence: what it is. */
  summary: string;
  /** The formula in plain text, for docs and the explorer (`x if x > 0 else negative_slope * x`). */
  formula: string;
  /** Where it comes from (a paper), if anywhere. */
  source?: string;
  params: P;
  /** Extra checks of parameter values at call time; return an error message or undefined. */
  validate?: (p: ParamNumbers<P>) => string | undefined;
  /**
   * Checks of the input against the parameters, at call time: an error message (thrown as a
   * TypeError naming the function) or undefined. For PyTorch's refusals that depend on the
   * input's dtype: softsign of a bool tensor, hardtanh of uint8 with a negative bound.
   */
  checkInput?: (x: Tensor, p: ParamValues<P>) => string | undefined;
  /** Whether `inplace: true` and the `_` form exist, and how they differentiate. */
  inplace?: InplaceSpec<P> | false;
  /** How integer inputs are treated. Default 'reject'. */
  integers?: IntegerPolicy;
  /** PyTorch's kernel name, quoted in dtype errors (`elu_cpu`). */
  kernelName?: string;
  /** Custom module `extra_repr` (the part inside the parentheses of `toString()`). */
  extraRepr?: (p: ParamValues<P>, inplace: boolean) => string;
  /** A runnable TypeScript example for the docs (it is run by the test-suite). */
  example?: string;
  /** Customisations of the module class, where PyTorch's module differs from the function. */
  moduleSetup?: ModuleSetup;
  /**
   * Optional parameters that may also be passed positionally after the required ones, where
   * PyTorch code almost always does (`F.softmax(x, 1)`).
   */
  positional?: readonly string[];
  /** False for module-only activations (`Softmax2d`), which get no functional form in `F`. */
  functional?: boolean;
}

/**
 * How an activation's module differs from its functional form: PReLU's module owns its weight
 * (built from `numParameters` and `init`), RReLU's takes `training` from the module's mode.
 */
export interface ModuleSetup {
  /** Constructor options of the module that the functional form does not take. */
  params?: ParamSpecs;
  /** Checks the module constructor makes (most of PyTorch's make none). */
  validate?: (p: Record<string, unknown>) => string | undefined;
  /** Functional parameters the module does not take as options. */
  omit?: readonly string[];
  /** Create the module's own parameters from its resolved options. */
  init?: (module: ModuleLike, values: Record<string, unknown>) => void;
  /** Turn the module's state into the options of the functional call. */
  callOptions?: (module: ModuleLike, opts: Record<string, unknown>) => Record<string, unknown>;
}

/** What a module setup sees of the module. */
export interface ModuleLike {
  training: boolean;
  [key: string]: unknown;
}

/** An activation applied elementwise, as a formula over primitives. */
export interface ElementwiseSpec<P extends ParamSpecs = ParamSpecs> extends CommonSpec<P> {
  kind?: 'elementwise';
  /** The value, in its numerically stable form, over the input `x`. */
  forward: (x: Expr, p: ParamExprs<P>) => Expr;
  /**
   * A hand-written derivative in terms of the input `x` and/or the result `y`, only where
   * stability or PyTorch's choice at a kink requires one (say why in a `NOTE(torch):`). Otherwise
   * the derivative comes from differentiating `forward`, as it also does where this returns
   * undefined (for some choices of a parameter). Second derivatives differentiate this.
   */
  derivative?: (x: Expr, y: Expr, p: ParamExprs<P>) => Expr | undefined;
  /** PyTorch's backward node name (`ReluBackward0`). */
  gradFn: string;
  /** When set, differentiating the backward raises this (PyTorch has no double backward). */
  noDoubleBackward?: string;
  /** The float64 reference: plain math, never used by kernels. */
  reference: (x: number, p: ParamNumbers<P>) => number;
  /** The derivative's float64 reference, when the tests should check it pointwise. */
  referenceDerivative?: (x: number, p: ParamNumbers<P>) => number;
  /**
   * Scalar coefficients derived from the parameter values, computed in float64 and then
   * converted to the computation dtype like the parameters themselves; formulas read them as
   * `ir.param(name)`. NOTE(torch): PyTorch derives such coefficients in double before converting
   * them (CELU's 1 / alpha), which a formula over the converted parameters cannot reproduce.
   */
  coefficients?: (p: ParamNumbers<P>) => Readonly<Record<string, number>>;
  /**
   * Adjust tensor parameters before use (PReLU reshapes its weight to broadcast on dim 1, and
   * validates it). Receives the input and returns the tensor parameters to broadcast.
   */
  prepare?: (x: Tensor, p: ParamValues<P>, where: string) => Partial<Record<keyof P, Tensor>>;
  properties: Properties<P>;
}

/** An activation computed along a dimension or with its own tensor-level implementation. */
export interface TensorSpec<P extends ParamSpecs = ParamSpecs> extends CommonSpec<P> {
  kind: 'dim' | 'gated' | 'random';
  /** The implementation, with differentiable tensor operations. */
  apply: (x: Tensor, p: ParamValues<P>, ctx: ApplyContext) => Tensor;
  /** The float64 reference over one slice along the dimension. */
  reference: (xs: readonly number[], p: ParamNumbers<P>) => number[];
  properties: Properties<P>;
}

/** Call-time facts a tensor-level activation may need. */
export interface ApplyContext {
  /** The function's display name, for error messages (`F.softmax()`). */
  where: string;
  /** Whether to write into the input. */
  inplace: boolean;
}

/** Any activation declaration. */
export type ActivationSpec<P extends ParamSpecs = ParamSpecs> = ElementwiseSpec<P> | TensorSpec<P>;
