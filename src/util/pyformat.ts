/**
 * Python's number and string formatting, so that module and tensor reprs print exactly what
 * PyTorch prints.
 *
 * JavaScript's `String(x)` differs from Python's `repr(x)` in small ways (`1` vs `1.0`,
 * `0.00001` vs `1e-05`, `1e-7` vs `1e-07`, `10000000000000000` vs `1e+16`), and
 * `toFixed` / `toExponential` round ties away from zero where Python rounds the exact binary value
 * half-to-even (`(0.125).toFixed(2)` is `0.13`, `'{:.2f}'.format(0.125)` is `0.12`). The
 * fixed/exponential formatters here therefore work on the exact value with BigInt arithmetic.
 *
 * @packageDocumentation
 */

/** Python's spelling of the non-finite floats, or undefined for a finite x. */
function nonFinite(x: number): string | undefined {
  if (Number.isNaN(x)) return 'nan'; // Python prints NaN without a sign, whatever its sign bit
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return undefined;
}

/** '-' for negative numbers including −0, as Python prints them. */
function signOf(x: number): string {
  return x < 0 || Object.is(x, -0) ? '-' : '';
}

/** Python's exponent suffix: sign always, at least two digits (`e-05`, `e+16`, `e+308`). */
function exponentSuffix(exp: number): string {
  return `e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/**
 * Shortest round-trip decimal digits of |x| (finite) and the decimal exponent of the first one,
 * so that |x| = 0.d₁d₂… × 10^(exp+1). ECMAScript's `toExponential()` without an argument picks
 * the same digits as Python's `repr`: the fewest that round-trip, closest to x among those.
 */
function shortestDigits(x: number): { digits: string; exp: number } {
  const [mantissa, exponent] = Math.abs(x).toExponential().split('e') as [string, string];
  return { digits: mantissa.replace('.', ''), exp: Number(exponent) };
}

/**
 * Python's `repr(float)` (identical to `str(float)` since Python 3.2): the shortest digits that
 * round-trip, with `.0` on integral values and scientific notation when the decimal exponent is
 * below −4 or at least 16.
 *
 * @example
 * ```ts
 * import { pyFloat } from './pyformat.js';
 * pyFloat(1); // '1.0'
 * pyFloat(1e-5); // '1e-05'
 * pyFloat(-0); // '-0.0'
 * pyFloat(123456789012345678); // '1.2345678901234568e+17'
 * ```
 */
export function pyFloat(x: number): string {
  const special = nonFinite(x);
  if (special !== undefined) return special;
  const { digits, exp } = shortestDigits(x);
  const sign = signOf(x);
  if (exp < -4 || exp >= 16) {
    const mantissa = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    return sign + mantissa + exponentSuffix(exp);
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intLength = exp + 1;
  if (digits.length <= intLength) return `${sign}${digits.padEnd(intLength, '0')}.0`;
  return `${sign}${digits.slice(0, intLength)}.${digits.slice(intLength)}`;
}

/**
 * Python's `str(int)`: the exact decimal value, never in exponent notation and without a sign
 * on zero (Python's int has no −0).
 *
 * @throws RangeError when x is not an integer.
 * @example
 * ```ts
 * import { pyInt } from './pyformat.js';
 * pyInt(-3); // '-3'
 * pyInt(1e16); // '10000000000000000'
 * pyInt(1e23); // '99999999999999991611392' (the double nearest 1e23)
 * ```
 */
export function pyInt(x: number | bigint): string {
  if (typeof x === 'bigint') return x.toString();
  if (!Number.isInteger(x)) throw new RangeError(`pyInt: ${x} is not an integer`);
  return BigInt(x).toString();
}

/** Characters Python's `str.isprintable()` rejects: other, separator (except ' '), unassigned. */
const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

/** Escapes one code point the way CPython's `unicode_repr` does inside the given quotes. */
function escapeChar(ch: string, quote: string): string {
  if (ch === quote || ch === '\\') return `\\${ch}`;
  if (ch === '\t') return '\\t';
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  const code = ch.codePointAt(0)!;
  const printable = code < 0x7f ? code >= 0x20 : code !== 0x7f && !NON_PRINTABLE.test(ch);
  if (printable) return ch;
  const hex = code.toString(16);
  if (code <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

/**
 * Python's `repr(str)`: single quotes unless the text contains a single quote and no double
 * quote; backslash escapes for the quote, backslash, \t \n \r and every non-printable character.
 */
function pyStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let body = '';
  for (const ch of s) body += escapeChar(ch, quote); // for…of walks code points (lone surrogates alone)
  return quote + body + quote;
}

/**
 * Python's `repr()` of a plain value: strings quoted and escaped, `True`/`False`, `None` for
 * null/undefined, numbers as a Python float unless `kind` says the user passed an int.
 *
 * @param kind - the Python type the number stands for; JavaScript has only doubles, so a
 *   module that wants `ELU(alpha=2)` rather than `ELU(alpha=2.0)` must remember it. Defaults to
 *   `'float'`.
 * @example
 * ```ts
 * import { pyRepr } from './pyformat.js';
 * pyRepr('none'); // "'none'"
 * pyRepr("it's"); // `"it's"`
 * pyRepr(true); // 'True'
 * pyRepr(null); // 'None'
 * pyRepr(2); // '2.0'
 * pyRepr(2, 'int'); // '2'
 * ```
 */
export function pyRepr(v: number | string | boolean | null | undefined, kind: 'float' | 'int' = 'float'): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return pyStr(v);
  return kind === 'int' ? pyInt(v) : pyFloat(v);
}

// ---------------------------------------------------------------------------------------------
// Exact decimal rounding for '{:.Nf}' and '{:.Ne}'.
// ---------------------------------------------------------------------------------------------

const BITS = new DataView(new ArrayBuffer(8));

/** |x| = num / den exactly, for finite x, with den a power of two. */
function exactFraction(x: number): { num: bigint; den: bigint } {
  BITS.setFloat64(0, x);
  const high = BITS.getUint32(0);
  const biased = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(BITS.getUint32(4));
  // Subnormals (and zero) have no implicit leading bit and the exponent of the smallest normal.
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exp = biased === 0 ? -1074 : biased - 1075;
  return exp >= 0 ? { num: mantissa << BigInt(exp), den: 1n } : { num: mantissa, den: 1n << BigInt(-exp) };
}

/** |x| · 10^p as an exact fraction (p may be negative). */
function scaledFraction(x: number, p: number): { num: bigint; den: bigint } {
  const { num, den } = exactFraction(x);
  return p >= 0 ? { num: num * 10n ** BigInt(p), den } : { num, den: den * 10n ** BigInt(-p) };
}

/** round(|x| · 10^p) to an integer, ties to even, on the exact binary value. */
function scaledRound(x: number, p: number): bigint {
  const { num, den } = scaledFraction(x, p);
  const q = num / den;
  const twiceRemainder = 2n * (num - q * den);
  if (twiceRemainder > den || (twiceRemainder === den && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** |x| < 10^e, decided exactly. */
function belowPow10(x: number, e: number): boolean {
  const { num, den } = scaledFraction(x, -e);
  return num < den;
}

/**
 * floor(log10 |x|) for finite non-zero x (0 for zero). The shortest repr's exponent is either
 * that or one more: the double nearest 1e23 is 9.999…e22 but prints as 1e+23.
 */
function decimalExponent(x: number): number {
  if (x === 0) return 0;
  const e = shortestDigits(x).exp;
  return belowPow10(x, e) ? e - 1 : e;
}

/**
 * Whether rounding |x| to `digits` decimals could meet an exact tie. A tie needs the exact
 * decimal expansion of x to end right after that position; the shortest repr is never longer
 * than the exact expansion, so a shortest repr with more decimals than digits + 1 rules it out.
 */
function mayTieFixed(x: number, digits: number): boolean {
  const { digits: d, exp } = shortestDigits(x);
  return d.length - 1 - exp <= digits + 1;
}

/** The same for `digits` decimals after the first significant digit. */
function mayTieExp(x: number, digits: number): boolean {
  return shortestDigits(x).digits.length <= digits + 2;
}

function checkDigits(digits: number): void {
  if (!Number.isInteger(digits) || digits < 0) throw new RangeError(`digits must be a non-negative integer, got ${digits}`);
}

/**
 * Python's `'{:.{digits}f}'.format(x)`: fixed notation with exactly `digits` decimals, rounded
 * half-to-even on the exact binary value, never switching to exponent notation.
 *
 * @example
 * ```ts
 * import { formatFloatFixed } from './pyformat.js';
 * formatFloatFixed(0.125, 2); // '0.12' (JavaScript's toFixed gives '0.13')
 * formatFloatFixed(-0, 4); // '-0.0000'
 * formatFloatFixed(1e22, 1); // '10000000000000000000000.0'
 * ```
 */
export function formatFloatFixed(x: number, digits: number): string {
  checkDigits(digits);
  const special = nonFinite(x);
  if (special !== undefined) return special;
  // toFixed rounds the exact value too and only breaks ties differently; it is much faster.
  // It also switches to exponent notation from 1e21 on and stops at 100 digits.
  if (Math.abs(x) < 1e21 && digits <= 100 && !mayTieFixed(x, digits)) {
    return signOf(x) + Math.abs(x).toFixed(digits);
  }
  const text = scaledRound(x, digits).toString().padStart(digits + 1, '0');
  const intPart = text.slice(0, text.length - digits);
  return signOf(x) + (digits === 0 ? intPart : `${intPart}.${text.slice(intPart.length)}`);
}

/**
 * Python's `'{:.{digits}e}'.format(x)`: one digit before the point, `digits` after, rounded
 * half-to-even on the exact binary value, and an exponent of at least two digits.
 *
 * @example
 * ```ts
 * import { formatFloatExp } from './pyformat.js';
 * formatFloatExp(1, 4); // '1.0000e+00'
 * formatFloatExp(12345.678, 2); // '1.23e+04'
 * formatFloatExp(5e-324, 3); // '4.941e-324'
 * ```
 */
export function formatFloatExp(x: number, digits: number): string {
  checkDigits(digits);
  const special = nonFinite(x);
  if (special !== undefined) return special;
  if (digits <= 100 && !mayTieExp(x, digits)) {
    // As for toFixed: exact rounding, only ties differ. Its exponent lacks the padding.
    const [mantissa, exponent] = Math.abs(x).toExponential(digits).split('e') as [string, string];
    return signOf(x) + mantissa + exponentSuffix(Number(exponent));
  }
  let exp = decimalExponent(x);
  let n = scaledRound(x, digits - exp);
  if (n >= 10n ** BigInt(digits + 1)) {
    // Rounding carried into a new digit (9.99995 → 10.0000); redo it one decade up, from the
    // exact value again so that nothing is rounded twice.
    exp += 1;
    n = scaledRound(x, digits - exp);
  }
  const text = n.toString().padStart(digits + 1, '0');
  const mantissa = digits === 0 ? text : `${text[0]}.${text.slice(1)}`;
  return signOf(x) + mantissa + exponentSuffix(exp);
}
