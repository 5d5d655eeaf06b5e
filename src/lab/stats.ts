/** Small statistics over seeds, with censored values (a target not reached within the run). */

export function mean(a: readonly number[]): number {
  return a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN;
}

/** Sample standard deviation (0 for one value). */
export function sd(a: readonly number[]): number {
  if (a.length < 2) return 0;
  const m = mean(a);
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1));
}

export function median(a: readonly number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/**
 * Steps to a target over seeds. `null` means the target was not reached within `budget` steps,
 * so the true value is above the budget: the mean is then a lower bound (`censored > 0`).
 */
export interface StepsSummary {
  values: (number | null)[];
  /** Seeds that reached the target. */
  reached: number;
  /** Seeds that did not (values counted as the budget in `mean`). */
  censored: number;
  /** Mean with unreached seeds counted as the budget: exact when censored = 0, else a lower bound. */
  mean: number;
  budget: number;
}

export function summarizeSteps(values: readonly (number | null)[], budget: number): StepsSummary {
  const reached = values.filter((v): v is number => v !== null);
  return {
    values: [...values],
    reached: reached.length,
    censored: values.length - reached.length,
    mean: round4(mean(values.map((v) => v ?? budget))),
    budget,
  };
}

/**
 * How many times longer `slow` takes than `fast` (steps / steps), with bounds when either is
 * censored: `exact`, `atLeast` (only slow censored: the ratio is at least this), `atMost` (only
 * fast censored), or `unknown` (both censored).
 */
export interface Ratio {
  value: number | null;
  kind: 'exact' | 'atLeast' | 'atMost' | 'unknown';
}

export function ratio(slow: StepsSummary, fast: StepsSummary): Ratio {
  if (slow.censored && fast.censored) return { value: null, kind: 'unknown' };
  const v = round4(slow.mean / fast.mean);
  if (slow.censored) return { value: v, kind: 'atLeast' };
  if (fast.censored) return { value: v, kind: 'atMost' };
  return { value: v, kind: 'exact' };
}

export function fmtRatio(r: Ratio): string {
  if (r.value === null) return 'unknown (neither reached the target)';
  const v = `${r.value.toFixed(2)}×`;
  return r.kind === 'exact' ? v : r.kind === 'atLeast' ? `≥ ${v}` : `≤ ${v}`;
}

export function round4(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
}

/** Round to `d` significant digits for display (not for stored numbers). */
export function fmt(v: number | null | undefined, d = 3): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(d - 1);
  return Number(v.toPrecision(d)).toString();
}

export function pct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || Number.isNaN(v) ? '–' : `${(v * 100).toFixed(digits)}%`;
}
