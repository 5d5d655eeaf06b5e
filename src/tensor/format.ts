/**
 * PyTorch-style tensor printing as pure functions of (values, shape, dtype).
 *
 * Reproduces `repr(tensor)` of PyTorch 1.13 (`torch/_tensor_str.py`) character for character:
 *
 * - One formatter per tensor decides the notation from the non-zero finite values that will be
 *   shown: integral floats print as `1.` ("int mode"); scientific notation (`1.0000e-05`) is used
 *   when max/min > 1000, max > 1e8, or (non-integral only) min < 1e-4; otherwise fixed
 *   notation with `precision` decimals. Every element is left-padded to the widest one.
 * - Tensors with more than `threshold` elements are summarised: each dimension longer than
 *   2·edgeitems shows only its first and last `edgeitems` entries around a `...`, and only
 *   those entries take part in the formatter's decisions.
 * - Rows wrap so that a line holds ⌊(linewidth − indent) / (width + 2)⌋ elements.
 * - Suffixes (`dtype=…`, `size=…`, `grad_fn=…`) follow `, ` on the last line, or go to a new
 *   line indented under the data when the line would exceed `linewidth`.
 *
 * Numbers are formatted with Python's rules ({@link formatFloatFixed} and friends), because
 * JavaScript's toFixed rounds ties differently.
 *
 * @packageDocumentation
 */

import { formatFloatExp, formatFloatFixed, pyInt } from '../util/pyformat.js';

/** The dtypes this printer knows; float32 is PyTorch's default dtype. */
export type PrintDtype = 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'uint8';

/** PyTorch's `torch.set_printoptions` knobs (`sciMode` is `sci_mode`: undefined = automatic). */
export interface PrintOptions {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  sciMode: boolean | undefined;
}

/**
 * PyTorch's default print options (`torch.set_printoptions(profile='default')`).
 *
 * @example
 * ```ts
 * import { DEFAULT_PRINT_OPTIONS } from './format.js';
 * DEFAULT_PRINT_OPTIONS.precision; // 4
 * ```
 */
export const DEFAULT_PRINT_OPTIONS: Readonly<PrintOptions> = Object.freeze({
  precision: 4,
  threshold: 1000,
  edgeitems: 3,
  linewidth: 80,
  sciMode: undefined,
});

/** Element values as the caller holds them; int64 may come as bigint to keep all 64 bits. */
export type PrintValues = ArrayLike<number> | ArrayLike<bigint>;

/** `tensor(` — its length is the indent of every continuation line. */
const PREFIX = 'tensor(';

const isFloating = (dtype: PrintDtype): boolean => dtype === 'float32' || dtype === 'float64';

/** A tensor's data seen through its shape: element i of dimension d lies `strides[d]` apart. */
interface View {
  readonly values: PrintValues;
  readonly dtype: PrintDtype;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
}

function makeView(values: PrintValues, shape: readonly number[], dtype: PrintDtype): View {
  const strides: number[] = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d]!;
  }
  if (values.length !== stride) {
    throw new RangeError(`formatTensor: ${values.length} values do not fill shape (${shape.join(', ')})`);
  }
  return { values, dtype, shape, strides };
}

const numelOf = (shape: readonly number[]): number => shape.reduce((n, s) => n * s, 1);

/** The element at a flat offset, as the number Python would see (float32 rounded to float32). */
function valueAt(view: View, offset: number): number | bigint {
  const v = view.values[offset]!;
  if (typeof v === 'bigint') return v;
  return view.dtype === 'float32' ? Math.fround(v) : v;
}

// ---------------------------------------------------------------------------------------------
// Summarisation
// ---------------------------------------------------------------------------------------------

/** The integers start, start + 1, …, end − 1. */
const range = (start: number, end: number): number[] => Array.from({ length: end - start }, (_, i) => start + i);

/**
 * Indices shown along a dimension of the given size. PyTorch takes the tail with the slice
 * `t[-edgeitems:]` for vectors (and `[-0:]` is everything, so edgeitems = 0 keeps the whole
 * vector after the `...`) but with `range(len - edgeitems, len)` for the outer dimensions.
 */
function shownIndices(size: number, summarize: boolean, edgeitems: number, isVector: boolean): {
  head: number[];
  tail: number[];
  elided: boolean;
} {
  if (!summarize || size <= 2 * edgeitems) return { head: range(0, size), tail: [], elided: false };
  const tailStart = isVector && edgeitems === 0 ? 0 : size - edgeitems;
  return { head: range(0, edgeitems), tail: range(tailStart, size), elided: true };
}

/** The values PyTorch feeds to its formatter: everything, or only the entries left after summarising. */
function shownValues(view: View, summarize: boolean, edgeitems: number): (number | bigint)[] {
  const out: (number | bigint)[] = [];
  const visit = (dim: number, offset: number): void => {
    if (dim === view.shape.length) {
      out.push(valueAt(view, offset));
      return;
    }
    const isVector = dim === view.shape.length - 1;
    const { head, tail } = shownIndices(view.shape[dim]!, summarize, edgeitems, isVector);
    for (const i of [...head, ...tail]) visit(dim + 1, offset + i * view.strides[dim]!);
  };
  visit(0, 0);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The formatter (PyTorch's _Formatter)
// ---------------------------------------------------------------------------------------------

/** Formats single elements of one tensor, all padded to a common width. */
interface Formatter {
  readonly width: number;
  format(value: number | bigint): string;
}

const padLeft = (s: string, width: number): string => (s.length >= width ? s : ' '.repeat(width - s.length) + s);

/** str() of an element of an integer or bool tensor. */
function formatInteger(value: number | bigint, dtype: PrintDtype): string {
  if (dtype === 'bool') return Number(value) !== 0 ? 'True' : 'False';
  return pyInt(value);
}

function integerFormatter(shown: readonly (number | bigint)[], dtype: PrintDtype): Formatter {
  const width = shown.reduce<number>((w, v) => Math.max(w, formatInteger(v, dtype).length), 1);
  return { width, format: (v) => padLeft(formatInteger(v, dtype), width) };
}

/** The notation a float formatter settled on, with the width it measured for it. */
interface FloatMode {
  intMode: boolean;
  sciMode: boolean;
  width: number;
}

/**
 * PyTorch's notation choice. The width is measured in the automatically chosen notation; a
 * forced `sciMode` only changes the notation afterwards (so the width may not fit it), and is
 * ignored altogether when there is no non-zero finite value, as in PyTorch.
 */
function chooseFloatMode(shown: readonly number[], options: PrintOptions): FloatMode {
  const finite = shown.filter((v) => Number.isFinite(v) && v !== 0);
  if (finite.length === 0) return { intMode: true, sciMode: false, width: 1 };
  // reduce rather than Math.max(...spread): with threshold = Infinity there may be millions.
  const max = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const min = finite.reduce((m, v) => Math.min(m, Math.abs(v)), Infinity);
  const intMode = finite.every((v) => v === Math.ceil(v));
  const spread = max / min > 1000 || max > 1e8;
  const sciMode = intMode ? spread : spread || min < 1e-4;
  const measure = (text: (v: number) => string): number =>
    finite.reduce((w, v) => Math.max(w, text(v).length), 1);
  let width: number;
  if (sciMode) width = measure((v) => formatFloatExp(v, options.precision));
  else if (intMode) width = measure((v) => formatFloatFixed(v, 0) + '.');
  else width = measure((v) => formatFloatFixed(v, options.precision));
  return { intMode, sciMode: options.sciMode ?? sciMode, width };
}

function floatFormatter(shown: readonly number[], options: PrintOptions): Formatter {
  const { intMode, sciMode, width } = chooseFloatMode(shown, options);
  const text = (v: number): string => {
    if (sciMode) return formatFloatExp(v, options.precision);
    if (intMode) return Number.isFinite(v) ? formatFloatFixed(v, 0) + '.' : formatFloatFixed(v, 0);
    return formatFloatFixed(v, options.precision);
  };
  return { width, format: (v) => padLeft(text(Number(v)), width) };
}

function makeFormatter(view: View, summarize: boolean, options: PrintOptions): Formatter {
  const shown = shownValues(view, summarize, options.edgeitems);
  if (!isFloating(view.dtype)) return integerFormatter(shown, view.dtype);
  return floatFormatter(shown.map(Number), options);
}

// ---------------------------------------------------------------------------------------------
// Layout (PyTorch's _vector_str and _tensor_str_with_formatter)
// ---------------------------------------------------------------------------------------------

interface Layout {
  readonly view: View;
  readonly formatter: Formatter;
  readonly summarize: boolean;
  readonly options: PrintOptions;
}

/** A 1-d slice: elements wrapped so that each line fits `linewidth` after `indent` columns. */
function vectorStr(layout: Layout, offset: number, indent: number): string {
  const { view, formatter, summarize, options } = layout;
  const dim = view.shape.length - 1;
  const elementLength = formatter.width + 2; // the element plus ", "
  const perLine = Math.max(1, Math.floor((options.linewidth - indent) / elementLength));
  const { head, tail, elided } = shownIndices(view.shape[dim]!, summarize, options.edgeitems, true);
  const at = (i: number): string => formatter.format(valueAt(view, offset + i * view.strides[dim]!));
  // The ellipsis counts as an element when lines are filled, exactly as in PyTorch.
  const items = [...head.map(at), ...(elided ? [' ...'] : []), ...tail.map(at)];
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
  return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
}

/** A slice starting at `dim`: nested brackets, one blank line fewer per inner dimension. */
function nestedStr(layout: Layout, dim: number, offset: number, indent: number): string {
  const { view, formatter, summarize, options } = layout;
  const rank = view.shape.length;
  if (rank === 0) return formatter.format(valueAt(view, 0));
  if (dim === rank - 1) return vectorStr(layout, offset, indent);
  const { head, tail, elided } = shownIndices(view.shape[dim]!, summarize, options.edgeitems, false);
  const sub = (i: number): string => nestedStr(layout, dim + 1, offset + i * view.strides[dim]!, indent + 1);
  const slices = [...head.map(sub), ...(elided ? ['...'] : []), ...tail.map(sub)];
  const separator = `,${'\n'.repeat(rank - dim - 1)}${' '.repeat(indent + 1)}`;
  return `[${slices.join(separator)}]`;
}

function resolveOptions(options: Partial<PrintOptions> | undefined): PrintOptions {
  return { ...DEFAULT_PRINT_OPTIONS, ...options };
}

/**
 * The text PyTorch 1.13 prints between `tensor(` and the suffixes, for a contiguous tensor whose
 * elements are `values` in row-major order. Continuation lines are indented for the 7-column
 * `tensor(` prefix.
 *
 * @param values - the elements in row-major order (bool as 0/1; int64 may be bigint).
 * @param shape - the tensor's shape; `[]` for a 0-d tensor.
 * @param dtype - the element type, which decides integer or float formatting.
 * @param options - print options to override (PyTorch's defaults otherwise).
 * @example
 * ```ts
 * import { formatTensorData } from './format.js';
 * formatTensorData([1, 2.5, -3], [3], 'float32'); // '[ 1.0000,  2.5000, -3.0000]'
 * formatTensorData([7], [], 'int64'); // '7'
 * formatTensorData([], [0, 3], 'float32'); // '[]'
 * ```
 */
export function formatTensorData(
  values: PrintValues,
  shape: readonly number[],
  dtype: PrintDtype,
  options?: Partial<PrintOptions>,
): string {
  const opts = resolveOptions(options);
  const view = makeView(values, shape, dtype);
  const numel = numelOf(shape);
  if (numel === 0) return '[]';
  const summarize = numel > opts.threshold;
  const formatter = makeFormatter(view, summarize, opts);
  return nestedStr({ view, formatter, summarize, options: opts }, 0, 0, PREFIX.length);
}

/** Python's str() of a tuple of ints: `(2, 0, 3)`, and `(0,)` for one element. */
function pyTuple(items: readonly number[]): string {
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** The suffixes PyTorch derives from the tensor itself: `size=` for empty tensors, `dtype=`. */
function intrinsicSuffixes(shape: readonly number[], dtype: PrintDtype): string[] {
  const suffixes: string[] = [];
  const dtypeSuffix = `dtype=torch.${dtype}`;
  if (numelOf(shape) === 0) {
    // An empty tensor shows its shape unless it is (0,), and any non-default dtype, since no
    // element can hint at it (so even int64 and bool get a dtype= here).
    if (shape.length !== 1) suffixes.push(`size=${pyTuple(shape)}`);
    if (dtype !== 'float32') suffixes.push(dtypeSuffix);
  } else if (dtype !== 'float32' && dtype !== 'int64' && dtype !== 'bool') {
    suffixes.push(dtypeSuffix);
  }
  return suffixes;
}

/**
 * Appends `, suffix` for each suffix, moving a suffix to its own line (indented by `indent`)
 * when the current line would exceed the line width. The line-length bookkeeping is PyTorch's
 * own, including its habit of counting the first line two columns longer than it is.
 */
function addSuffixes(text: string, suffixes: readonly string[], indent: number, linewidth: number): string {
  const parts = [text];
  let lastLineLength = text.length - text.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > linewidth) {
      parts.push(`,\n${' '.repeat(indent)}${suffix}`);
      lastLineLength = indent + suffix.length;
    } else {
      parts.push(`, ${suffix}`);
      lastLineLength += suffix.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

/**
 * The whole `repr(tensor)` of PyTorch 1.13: `tensor(` + data + suffixes + `)`.
 *
 * The `size=` and `dtype=` suffixes follow from `shape` and `dtype` (float32 is the default dtype;
 * int64 and bool are implied by their elements unless the tensor is empty). `suffixes` holds the
 * caller's extra ones in PyTorch's order, typically `grad_fn=<ReluBackward0>` or
 * `requires_grad=True`; a caller-supplied copy of a derived suffix is not repeated.
 *
 * @example
 * ```ts
 * import { formatTensor } from './format.js';
 * formatTensor([1, 2, 3], [3], 'float32', []); // 'tensor([1., 2., 3.])'
 * formatTensor([1, 2], [2], 'int32', []); // 'tensor([1, 2], dtype=torch.int32)'
 * formatTensor([3.5], [], 'float64', ['requires_grad=True']);
 * // 'tensor(3.5000, dtype=torch.float64, requires_grad=True)'
 * ```
 */
export function formatTensor(
  values: PrintValues,
  shape: readonly number[],
  dtype: PrintDtype,
  suffixes: readonly string[] = [],
  options?: Partial<PrintOptions>,
): string {
  const opts = resolveOptions(options);
  const data = formatTensorData(values, shape, dtype, opts);
  const derived = intrinsicSuffixes(shape, dtype);
  const all = [...derived, ...suffixes.filter((s) => !derived.includes(s))];
  return addSuffixes(PREFIX + data, all, PREFIX.length, opts.linewidth);
}
