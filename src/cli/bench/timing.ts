/**
 * The timing method, one for every implementation (the PyTorch side restates it in
 * bench/peers/torch_activations.py): warm up, calibrate a repetition count so that one sample
 * lasts at least `sampleSeconds`, take `samples` samples and keep the median time per call and
 * the interquartile range. Calls slower than `slowCall` seconds take fewer samples, so that the
 * largest sizes of the slowest peers stay affordable.
 */

/** How long and how often to measure. */
export interface TimingPlan {
  /** Minimum duration of one sample, seconds. */
  sampleSeconds: number;
  /** Samples per measurement (the median is reported). */
  samples: number;
  /** Warm-up: at least two calls and at least this many seconds. */
  warmupSeconds: number;
  /** Above this many seconds per call, take `slowSamples` samples of one call each. */
  slowCall: number;
  slowSamples: number;
}

export const FULL_PLAN: TimingPlan = { sampleSeconds: 0.025, samples: 7, warmupSeconds: 0.05, slowCall: 0.2, slowSamples: 3 };
export const QUICK_PLAN: TimingPlan = { sampleSeconds: 0.002, samples: 3, warmupSeconds: 0.002, slowCall: 0.05, slowSamples: 2 };

/** A measurement: median seconds per call, its spread, and how it was taken. */
export interface Timing {
  seconds: number;
  /** Interquartile range over the median. */
  iqr: number;
  samples: number;
  callsPerSample: number;
}

function summarise(perCall: number[], reps: number): Timing {
  const s = [...perCall].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.round(p * (s.length - 1)))]!;
  const med = q(0.5);
  return { seconds: med, iqr: med > 0 ? (q(0.75) - q(0.25)) / med : 0, samples: s.length, callsPerSample: reps };
}

const now = (): number => performance.now() / 1000;

/** Runs a call `reps` times and returns the seconds it took. */
export type Loop = (reps: number) => number | Promise<number>;

/** A loop over a synchronous call (no `await` between calls). */
export function syncLoop(fn: () => unknown): Loop {
  return (reps) => {
    const t0 = now();
    for (let i = 0; i < reps; i++) fn();
    return now() - t0;
  };
}

/** A loop over an asynchronous call (onnxruntime's `session.run`), awaiting each call. */
export function asyncLoop(fn: () => Promise<unknown>): Loop {
  return async (reps) => {
    const t0 = now();
    for (let i = 0; i < reps; i++) await fn();
    return now() - t0;
  };
}

/** Measure a call with the plan. */
export async function measure(loop: Loop, plan: TimingPlan): Promise<Timing> {
  const w0 = now();
  let calls = 0;
  while (calls < 2 || now() - w0 < plan.warmupSeconds) {
    await loop(1);
    calls++;
  }
  const one = (now() - w0) / calls;
  if (one > plan.slowCall) {
    const xs: number[] = [];
    for (let i = 0; i < plan.slowSamples; i++) xs.push(await loop(1));
    return summarise(xs, 1);
  }
  // Calibrate on the warm code: grow the repetitions until one sample lasts long enough.
  let reps = Math.max(1, Math.ceil(plan.sampleSeconds / Math.max(one, 1e-9)));
  for (;;) {
    const dt = await loop(reps);
    if (dt >= plan.sampleSeconds || reps >= 1 << 24) break;
    reps = Math.max(reps + 1, Math.ceil((reps * plan.sampleSeconds * 1.2) / Math.max(dt, 1e-9)));
  }
  const xs: number[] = [];
  for (let s = 0; s < plan.samples; s++) xs.push((await loop(reps)) / reps);
  return summarise(xs, reps);
}
