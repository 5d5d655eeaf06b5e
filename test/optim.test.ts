/**
 * `optim` against PyTorch 1.13: parameter trajectories of SGD, Adam and AdamW (every option, both
 * float dtypes, parameter groups, with schedulers), state-dict round trips (including loading
 * PyTorch's own state dicts), learning-rate schedules, validation errors and a linear model trained
 * end to end. The reference is test/fixtures/optim.json, written by
 * tools/fixtures/generate_optim.py with real PyTorch; see that script for the problem and format.
 *
 * Trajectories are compared bit for bit: every step of every case must give PyTorch's float32 or
 * float64 parameters exactly. Only the end-to-end cases, whose gradients come from matmul and
 * mean (summed in another order than PyTorch's), use a tolerance.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { autograd, nn, optim, setWarningHandler, tensor, Tensor, zeros, type DType } from '../src/index.js';
import { fmaRoundToOdd as fma } from '../src/util/fma.js';
import { fmafRoundToOdd as fmafReference } from '../src/util/fma.js';
import { fma64, fmaf, powi } from '../src/optim/kernels.js';

// ---- the fixture ----------------------------------------------------------------------------

type Num = number | string;
interface Encoded {
  dtype: DType;
  shape: number[];
  values: Num[];
}
type Options = Record<string, unknown>;
interface SchedulerSpec {
  type: string;
  args?: unknown[];
  options?: Options;
}
interface TrajectoryCase {
  name: string;
  dtype: 'float32' | 'float64';
  optimizer: 'SGD' | 'Adam' | 'AdamW';
  options: Options;
  groups?: ({ params: number[] } & Options)[];
  scheduler?: SchedulerSpec;
  steps: number;
  trajectory: Num[][];
}
interface StateDictCase extends TrajectoryCase {
  stateDict: { state: Record<string, Record<string, Encoded | null>>; paramGroups: Options[] };
}
interface SchedulerCase {
  name: string;
  lrs: number[];
  scheduler: SchedulerSpec;
  epochs: number;
  values: number[][];
  lastLr: number[];
  stateDict: Options;
  groupsInitialLr?: number[];
}
interface EndToEndCase extends TrajectoryCase {
  x: Encoded;
  y: Encoded;
  w0: Encoded;
  b0: Encoded;
}
interface Fixture {
  torch: string;
  problem: { shapes: number[][]; gradEvery: number[]; params0: Encoded[]; targets: Encoded[]; curv: Encoded[] };
  trajectories: TrajectoryCase[];
  stateDicts: StateDictCase[];
  schedulers: SchedulerCase[];
  errors: { name: string; type: string; message: string }[];
  endToEnd: EndToEndCase[];
}

const fx = JSON.parse(readFileSync(new URL('./fixtures/optim.json', import.meta.url), 'utf8')) as Fixture;

function decodeNumber(v: Num): number {
  if (typeof v === 'number') return v;
  return v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity;
}

function decode(e: Encoded, dtype: DType = e.dtype): Tensor {
  const values = e.values.map(decodeNumber);
  return tensor(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), { dtype, shape: e.shape });
}

function flat(ts: readonly Tensor[]): number[] {
  return ts.flatMap((t) => Array.from(t.toTypedArray() as ArrayLike<number>));
}

/** Bit-for-bit equality (NaN equals NaN, -0 differs from 0), naming the first difference. */
function expectExact(got: readonly number[], want: readonly Num[], label: string): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  const i = got.findIndex((v, k) => !Object.is(v, decodeNumber(want[k]!)));
  if (i >= 0) expect.fail(`${label}: element ${i} is ${got[i]}, PyTorch has ${want[i]}`);
}

// ---- the problem: p.grad = (p - target) * curv ------------------------------------------

const P = fx.problem;

function makeParams(dtype: DType): nn.Parameter[] {
  return P.params0.map((e) => new nn.Parameter(decode(e, dtype)));
}

function setGrads(params: readonly Tensor[], k: number): void {
  params.forEach((p, i) => {
    if (k % P.gradEvery[i]! !== 0) return;
    p.grad = p.detach().sub(decode(P.targets[i]!, p.dtype)).mul(decode(P.curv[i]!, p.dtype));
  });
}

type AnyOptimizer = optim.SGD | optim.Adam | optim.AdamW;

function build(c: { optimizer: string; options: Options; groups?: ({ params: number[] } & Options)[] }, params: readonly Tensor[]): AnyOptimizer {
  const groups = c.groups?.map((g) => ({ ...g, params: g.params.map((i) => params[i]!) }));
  const arg = (groups ?? params) as never;
  switch (c.optimizer) {
    case 'SGD':
      return new optim.SGD(arg, c.options as never);
    case 'Adam':
      return new optim.Adam(arg, c.options as never);
    case 'AdamW':
      return new optim.AdamW(arg, c.options as never);
    default:
      throw new Error(`unknown optimizer ${c.optimizer}`);
  }
}

/** The LambdaLR factors of the fixture, by name (the same Python lambdas in the generator). */
const LAMBDAS: Record<string, optim.lrScheduler.LrLambda> = {
  inverse: (e) => 1 / (e + 1),
  warmup5: (e) => Math.min(1.0, (e + 1) / 5),
  halves: (e) => (e % 2 ? 0.5 : 1.0),
};

function buildScheduler(opt: AnyOptimizer, spec: SchedulerSpec): optim.lrScheduler.LRScheduler {
  const args = spec.args ?? [];
  const o = (spec.options ?? {}) as never;
  const S = optim.lrScheduler;
  switch (spec.type) {
    case 'StepLR':
      return new S.StepLR(opt, args[0] as number, o);
    case 'MultiStepLR':
      return new S.MultiStepLR(opt, args[0] as number[], o);
    case 'ExponentialLR':
      return new S.ExponentialLR(opt, args[0] as number, o);
    case 'CosineAnnealingLR':
      return new S.CosineAnnealingLR(opt, args[0] as number, o);
    case 'LambdaLR': {
      const a = args[0] as string | string[];
      return new S.LambdaLR(opt, Array.isArray(a) ? a.map((n) => LAMBDAS[n]!) : LAMBDAS[a]!, o);
    }
    default:
      throw new Error(`unknown scheduler ${spec.type}`);
  }
}

/** Run steps `from..to-1` of the problem; returns the parameters after each step. */
function run(opt: AnyOptimizer, params: readonly Tensor[], from: number, to: number, sched?: optim.lrScheduler.LRScheduler): number[][] {
  const out: number[][] = [];
  for (let k = from; k < to; k++) {
    opt.zeroGrad();
    setGrads(params, k);
    opt.step();
    sched?.step();
    out.push(flat(params));
  }
  return out;
}

// ---- trajectories ---------------------------------------------------------------------------

describe('trajectories match PyTorch bit for bit', () => {
  it('covers every optimizer, option and both dtypes', () => {
    const names = new Set(fx.trajectories.map((c) => c.name));
    expect(names.size).toBeGreaterThanOrEqual(20);
    for (const o of ['SGD', 'Adam', 'AdamW']) expect(fx.trajectories.some((c) => c.optimizer === o)).toBe(true);
    expect(fx.torch).toMatch(/^1\.13/);
  });

  for (const c of fx.trajectories) {
    it(`${c.name} (${c.dtype})`, () => {
      const params = makeParams(c.dtype);
      const opt = build(c, params);
      const sched = c.scheduler ? buildScheduler(opt, c.scheduler) : undefined;
      const got = run(opt, params, 0, c.steps, sched);
      got.forEach((values, k) => expectExact(values, c.trajectory[k]!, `step ${k}`));
      // Updates leave the parameters leaves without history, in their dtype.
      for (const p of params) {
        expect(p.isLeaf && p.requiresGrad && p.gradFn === null).toBe(true);
        expect(p.dtype).toBe(c.dtype);
      }
    });
  }
});

// ---- state dicts ----------------------------------------------------------------------------

/** PyTorch's spelling of a state dict (snake_case keys), as an interop test of loadStateDict. */
function torchSpelling(sd: StateDictCase['stateDict']): Record<string, unknown> {
  const snake = (k: string): string => k.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
  const state: Record<string, Record<string, unknown>> = {};
  for (const [i, s] of Object.entries(sd.state)) {
    state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [snake(k), v === null ? null : decode(v)]));
  }
  return { state, param_groups: sd.paramGroups.map((g) => Object.fromEntries(Object.entries(g).map(([k, v]) => [snake(k), v]))) };
}

/** PyTorch's group keys paoding does not have (CUDA, foreach and differentiable modes). */
const TORCH_ONLY = ['foreach', 'differentiable', 'capturable', 'fused'];

describe('state dicts', () => {
  for (const c of fx.stateDicts) {
    it(`${c.name} (${c.dtype}): PyTorch's layout, and a round trip continues the trajectory`, () => {
      const params = makeParams(c.dtype);
      const opt = build(c, params);
      run(opt, params, 0, c.steps);
      const sd = opt.stateDict() as unknown as { state: Record<number, Record<string, unknown>>; paramGroups: Options[] };

      // The same structure and values as PyTorch's state_dict(), keys camelCased.
      const want = c.stateDict;
      expect(Object.keys(sd.state)).toEqual(Object.keys(want.state));
      for (const [i, s] of Object.entries(want.state)) {
        const mine = sd.state[Number(i)]!;
        expect(Object.keys(mine).sort(), `state ${i} keys`).toEqual(Object.keys(s).sort());
        for (const [k, v] of Object.entries(s)) {
          if (v === null) {
            expect(mine[k], `state ${i}.${k}`).toBeNull();
            continue;
          }
          const t = mine[k] as Tensor;
          expect(t.dtype, `state ${i}.${k} dtype`).toBe(v.dtype);
          expect(t.shape, `state ${i}.${k} shape`).toEqual(v.shape);
          expectExact(flat([t]), v.values, `state ${i}.${k}`);
        }
      }
      const groups = want.paramGroups.map((g) => Object.fromEntries(Object.entries(g).filter(([k]) => !TORCH_ONLY.includes(k))));
      expect(sd.paramGroups).toEqual(groups);

      // Saving, loading into a new optimizer and continuing gives PyTorch's trajectory.
      const resumed = c.optimizer === 'SGD' ? new optim.SGD(params, { lr: 1 }) : build({ optimizer: c.optimizer, options: {} }, params);
      resumed.loadStateDict(structuredCloneState(sd) as never);
      const got = run(resumed, params, c.steps, 2 * c.steps);
      got.forEach((values, k) => expectExact(values, c.trajectory[k]!, `resumed step ${c.steps + k}`));
    });

    it(`${c.name} (${c.dtype}): loads PyTorch's own state dict (snake_case keys)`, () => {
      const params = makeParams(c.dtype);
      run(build(c, params), params, 0, c.steps);
      const fresh = c.optimizer === 'SGD' ? new optim.SGD(params, { lr: 1 }) : build({ optimizer: c.optimizer, options: {} }, params);
      fresh.loadStateDict(torchSpelling(c.stateDict) as never);
      const got = run(fresh, params, c.steps, 2 * c.steps);
      got.forEach((values, k) => expectExact(values, c.trajectory[k]!, `step ${c.steps + k}`));
    });
  }

  it('shares the state tensors (as PyTorch), copies on load, and casts to the parameter dtype', () => {
    const w = new nn.Parameter(tensor([1, 2]));
    const opt = new optim.Adam([w], { lr: 0.1 });
    w.grad = tensor([1, -1]);
    opt.step();
    const sd = opt.stateDict();
    expect(sd.state[0]!.expAvg).toBe(opt.state.get(w)!.expAvg);
    // A float64 state loads into a float32 parameter as float32; `step` keeps its dtype.
    const w2 = new nn.Parameter(tensor([1, 2]));
    const opt2 = new optim.Adam([w2]);
    opt2.loadStateDict({
      state: { 0: { step: zeros([], { dtype: 'float64' }).fill_(3), expAvg: tensor([0.5, 0.25], { dtype: 'float64' }), expAvgSq: tensor([1, 2], { dtype: 'float64' }) } },
      paramGroups: [{ ...sd.paramGroups[0]!, lr: 0.5 }],
    });
    const s = opt2.state.get(w2)!;
    expect([s.expAvg.dtype, s.expAvgSq.dtype, s.step.dtype]).toEqual(['float32', 'float32', 'float64']);
    expect(opt2.paramGroups[0]!.lr).toBe(0.5);
    expect(opt2.paramGroups[0]!.params[0]).toBe(w2);
    // A numeric step (older PyTorch state dicts) becomes a tensor, as PyTorch's __setstate__ does.
    opt2.loadStateDict({ state: { 0: { ...s, step: 7 as never } }, paramGroups: opt2.stateDict().paramGroups });
    expect(opt2.state.get(w2)!.step.item()).toBe(7);
    expect(() => opt2.loadStateDict({ state: { 5: s }, paramGroups: opt2.stateDict().paramGroups })).toThrow(/parameter 5/);
  });
});

/** A copy of a state dict whose tensors are clones (what saving and reading back gives). */
function structuredCloneState(sd: { state: Record<number, Record<string, unknown>>; paramGroups: Options[] }): unknown {
  const state: Record<number, Record<string, unknown>> = {};
  for (const [i, s] of Object.entries(sd.state)) {
    state[Number(i)] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v instanceof Tensor ? v.clone() : v]));
  }
  return { state, paramGroups: sd.paramGroups.map((g) => ({ ...g })) };
}

// ---- schedulers -----------------------------------------------------------------------------

describe('learning-rate schedulers match PyTorch', () => {
  for (const c of fx.schedulers) {
    it(c.name, () => {
      const groups = c.lrs.map((lr, i) => ({
        params: [new nn.Parameter(zeros([1]))],
        lr,
        ...(c.groupsInitialLr ? { initialLr: c.groupsInitialLr[i] } : {}),
      }));
      const opt = new optim.SGD(groups, { lr: 1 });
      const sched = buildScheduler(opt, c.scheduler);
      for (let e = 0; e < c.epochs; e++) {
        expect(
          opt.paramGroups.map((g) => g.lr),
          `epoch ${e}`,
        ).toEqual(c.values[e]);
        opt.step();
        sched.step();
      }
      expect(sched.getLastLr()).toEqual(c.lastLr);
      const sd = sched.stateDict();
      const want = { ...c.stateDict };
      expect(sd).toEqual(want);
    });
  }

  it('a state dict resumes the schedule', () => {
    const make = () => new optim.SGD([new nn.Parameter(zeros([1]))], { lr: 0.1 });
    const a = make();
    const sa = new optim.lrScheduler.CosineAnnealingLR(a, 7, { etaMin: 0.01 });
    for (let e = 0; e < 4; e++) {
      a.step();
      sa.step();
    }
    const b = make();
    b.loadStateDict(a.stateDict());
    const sb = new optim.lrScheduler.CosineAnnealingLR(b, 7);
    sb.loadStateDict(sa.stateDict());
    for (let e = 0; e < 10; e++) {
      a.step();
      sa.step();
      b.step();
      sb.step();
      expect(sb.getLastLr()).toEqual(sa.getLastLr());
    }
    expect(sb.etaMin).toBe(0.01);
  });

  it("warns, as PyTorch, when the scheduler steps before the optimizer", () => {
    const seen: string[] = [];
    setWarningHandler((m) => seen.push(m));
    try {
      const opt = new optim.SGD([new nn.Parameter(zeros([1]))], { lr: 0.1 });
      const s = new optim.lrScheduler.StepLR(opt, 1);
      s.step();
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatch(/Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`/);
      opt.step();
      s.step();
      expect(seen).toHaveLength(1);
    } finally {
      setWarningHandler(undefined);
    }
  });

  it('verbose prints each change as PyTorch does', () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (m: string) => lines.push(m);
    try {
      const opt = new optim.SGD([new nn.Parameter(zeros([1]))], { lr: 0.1 });
      const s = new optim.lrScheduler.ExponentialLR(opt, 0.5, { verbose: true });
      opt.step();
      s.step();
    } finally {
      console.log = log;
    }
    expect(lines).toEqual(['Adjusting learning rate of group 0 to 1.0000e-01.', 'Adjusting learning rate of group 0 to 5.0000e-02.']);
  });
});

// ---- errors ---------------------------------------------------------------------------------

const W = new nn.Parameter(tensor([1, 1]));
const V = new nn.Parameter(tensor([1, 1, 1]));
const twoGroups = () => new optim.SGD([{ params: [W] }, { params: [V] }], { lr: 0.1 });

/** The paoding spelling of each error case of the fixture, by name. */
const ERRORS: Record<string, () => unknown> = {
  sgd_negative_lr: () => new optim.SGD([W], { lr: -0.1 }),
  sgd_negative_momentum: () => new optim.SGD([W], { lr: 0.1, momentum: -0.5 }),
  sgd_negative_weight_decay: () => new optim.SGD([W], { lr: 0.1, weightDecay: -1e-4 }),
  sgd_nesterov_without_momentum: () => new optim.SGD([W], { lr: 0.1, nesterov: true }),
  sgd_nesterov_with_dampening: () => new optim.SGD([W], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
  sgd_missing_lr: () => new optim.SGD([W], {} as optim.SGDOptions),
  sgd_group_missing_lr: () => new optim.SGD([{ params: [W] }]),
  adam_negative_lr: () => new optim.Adam([W], { lr: -1 }),
  adam_negative_eps: () => new optim.Adam([W], { eps: -1e-8 }),
  adam_beta1_one: () => new optim.Adam([W], { betas: [1, 0.999] }),
  adam_beta2_negative: () => new optim.Adam([W], { betas: [0.9, -0.1] }),
  adam_negative_weight_decay: () => new optim.Adam([W], { weightDecay: -0.1 }),
  adamw_beta2_above_one: () => new optim.AdamW([W], { betas: [0.9, 1.5] }),
  adamw_negative_lr: () => new optim.AdamW([W], { lr: -0.001 }),
  empty_params: () => new optim.SGD([], { lr: 0.1 }),
  param_in_two_groups: () => new optim.SGD([{ params: [W, V] }, { params: [W] }], { lr: 0.1 }),
  add_param_group_twice: () => new optim.SGD([W], { lr: 0.1 }).addParamGroup({ params: [W] }),
  non_leaf: () => new optim.SGD([W.mul(2)], { lr: 0.1 }),
  non_tensor_param: () => new optim.SGD([W, 1.0 as never], { lr: 0.1 }),
  load_group_count: () => new optim.SGD([W], { lr: 0.1 }).loadStateDict(twoGroups().stateDict()),
  load_group_size: () => new optim.SGD([W], { lr: 0.1 }).loadStateDict(new optim.SGD([W, V], { lr: 0.1 }).stateDict()),
  lambda_lr_count: () => new optim.lrScheduler.LambdaLR(twoGroups(), [() => 1.0]),
  resume_without_initial_lr: () => new optim.lrScheduler.StepLR(new optim.SGD([W], { lr: 0.1 }), 3, { lastEpoch: 4 }),
};

describe("PyTorch's validation errors", () => {
  it('has a paoding spelling for every fixture case', () => {
    expect(Object.keys(ERRORS).sort()).toEqual(fx.errors.map((e) => e.name).sort());
  });

  for (const e of fx.errors) {
    it(e.name, () => {
      const thunk = ERRORS[e.name]!;
      // JavaScript has one number type where Python names a float.
      const message = e.message.replace(/is float$/, 'is number');
      expect(thunk).toThrow(message);
      // The message starts with the function's name.
      try {
        thunk();
      } catch (err) {
        expect((err as Error).message).toMatch(/^[A-Za-z.]+\(\): /);
      }
    });
  }

  it('rejects wrong option types, unknown options and snake_case spellings', () => {
    expect(() => new optim.SGD([W], { lr: '0.1' as never })).toThrow("SGD(): argument 'lr' must be a number, got string");
    expect(() => new optim.SGD([W], { lr: 0.1, weight_decay: 0.1 } as never)).toThrow("SGD(): unknown option 'weight_decay' (options are camelCased: 'weightDecay')");
    expect(() => new optim.Adam([W], { lr: 0.1, foo: 1 } as never)).toThrow(/unknown option 'foo' \(expected 'lr', 'betas'/);
    expect(() => new optim.SGD([{ params: [W], weight_decay: 0 } as never], { lr: 0.1 })).toThrow(/'weightDecay'/);
    expect(() => new optim.Adam([W], { betas: [0.9] as never })).toThrow("Adam(): argument 'betas' must be a pair of numbers, got array");
    expect(() => new optim.SGD(W as never, { lr: 0.1 })).toThrow('SGD(): params argument given to the optimizer should be an iterable of Tensors or dicts, but got paoding.FloatTensor');
    expect(() => new optim.Adam([{ params: [W], lr: -1 }])).toThrow('Adam(): Invalid learning rate: -1');
    expect(() => new optim.Adam([W]).addParamGroup({ params: [V], betas: [0.5, 2] })).toThrow('Adam.addParamGroup(): Invalid beta parameter at index 1: 2');
    expect(() => new optim.lrScheduler.StepLR({} as never, 3)).toThrow('StepLR(): object is not an Optimizer');
    expect(() => new optim.lrScheduler.CosineAnnealingLR(twoGroups(), 10, { eta_min: 0.1 } as never)).toThrow("CosineAnnealingLR(): unknown option 'eta_min' (options are camelCased: 'etaMin')");
    expect(() => new optim.Adam([W], null as never)).toThrow("Adam(): argument 'options' must be an object, got null");
  });

  it('checks gradients and state against the parameter', () => {
    const w = new nn.Parameter(tensor([1, 2]));
    const opt = new optim.SGD([w], { lr: 0.1 });
    w.grad = tensor([1, 2, 3]);
    expect(() => opt.step()).toThrow('SGD.step(): the gradient of parameter 0 has shape [3] but the parameter has shape [2]');
    w.grad = tensor([1, 2], { dtype: 'float64' });
    expect(() => opt.step()).toThrow('SGD.step(): the gradient of parameter 0 has dtype float64 but the parameter has dtype float32');
  });
});

// ---- end to end -----------------------------------------------------------------------------

describe('a linear model trained end to end', () => {
  for (const c of fx.endToEnd) {
    it(`${c.name} (${c.dtype})`, () => {
      const x = decode(c.x);
      const y = decode(c.y);
      const w = new nn.Parameter(decode(c.w0));
      const b = new nn.Parameter(decode(c.b0));
      const opt = build(c, [w, b]);
      // The gradients come from matmul and mean, which sum in another order than PyTorch's.
      const tol = c.dtype === 'float32' ? 2e-5 : 1e-12;
      for (let k = 0; k < c.steps; k++) {
        const loss = opt.step(() => {
          opt.zeroGrad();
          const l = x.matmul(w.t()).add(b).sub(y).pow(2).mean();
          l.backward();
          return l;
        });
        const want = c.trajectory[k]!.map(decodeNumber);
        const got = [...flat([w, b]), loss.item()];
        got.forEach((v, i) => expect(Math.abs(v - want[i]!), `step ${k} element ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]!))));
      }
    });
  }
});

// ---- behaviour ------------------------------------------------------------------------------

describe('optimizer behaviour', () => {
  it('updates in place under noGrad, bumping version counters as PyTorch does', () => {
    const w = new nn.Parameter(tensor([1, 2]));
    const view = w.detach();
    const sgd = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
    w.grad = tensor([1, 1]);
    const v0 = w._version;
    sgd.step();
    expect(w._version).toBe(v0 + 1);
    expect(view.tolist()).toEqual(w.tolist()); // the same storage
    sgd.step();
    expect(sgd.state.get(w)!.momentumBuffer!._version).toBe(2); // clone, then mul_ + add_
    const adamw = new optim.AdamW([w]);
    const v1 = w._version;
    adamw.step();
    expect(w._version).toBe(v1 + 2); // mul_ (decay) and addcdiv_
    const st = adamw.state.get(w)!;
    expect([st.step._version, st.expAvg._version, st.expAvgSq._version]).toEqual([1, 2, 2]);
    expect(autograd.isGradEnabled()).toBe(true);
  });

  it('runs a saved graph check: a tensor saved for backward and then stepped is caught', () => {
    const w = new nn.Parameter(tensor([1, 2]));
    const y = w.mul(w).sum(); // saves w
    const opt = new optim.SGD([w], { lr: 0.1 });
    w.grad = tensor([1, 1]);
    opt.step();
    expect(() => y.backward()).toThrow(/modified by an inplace operation/);
  });

  it('skips parameters without a gradient (no state), and zeroGrad can fill zeros instead', () => {
    const a = new nn.Parameter(tensor([1]));
    const b = new nn.Parameter(tensor([2]));
    const opt = new optim.SGD([a, b], { lr: 0.5, weightDecay: 0.1 });
    a.grad = tensor([1]);
    opt.step();
    expect(opt.state.has(b)).toBe(false);
    expect(b.item()).toBe(2);
    expect(opt.state.get(a)).toEqual({ momentumBuffer: null });
    opt.zeroGrad({ setToNone: false });
    expect(a.grad!.tolist()).toEqual([0]);
    expect(b.grad).toBeNull();
    const g = a.grad!;
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    expect(g.tolist()).toEqual([0]);
  });

  it('step(closure) runs the closure with grad enabled and returns its result', () => {
    const w = new nn.Parameter(tensor([3]));
    const opt = new optim.Adam([w], { lr: 0.1 });
    const loss = autograd.noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = w.mul(w).sum();
        l.backward();
        return l;
      }),
    );
    expect(loss.item()).toBe(9);
    expect(w.item()).toBeCloseTo(2.9, 6);
  });

  it('paramGroups are live: changing lr takes effect, and the group object given is the group', () => {
    const w = new nn.Parameter(tensor([1]));
    const group = { params: [w], lr: 0.5 };
    const opt = new optim.SGD([group], { lr: 0.1 });
    expect(opt.paramGroups[0]).toBe(group);
    group.lr = 0.25;
    w.grad = tensor([1]);
    opt.step();
    expect(w.item()).toBe(0.75);
    opt.paramGroups[0]!.lr = 0.5;
    opt.step();
    expect(w.item()).toBe(0.25);
  });

  it('warns about a parameter listed twice in a group, as PyTorch does', () => {
    const seen: string[] = [];
    setWarningHandler((m) => seen.push(m));
    try {
      const w = new nn.Parameter(tensor([1]));
      const opt = new optim.SGD([w, w], { lr: 0.1 });
      expect(opt.stateDict().paramGroups[0]!.params).toEqual([0, 0]);
    } finally {
      setWarningHandler(undefined);
    }
    expect(seen[0]).toMatch(/duplicate parameters/);
  });

  it("keeps PyTorch 1.13's float32 step counter, which stops at 2^24", () => {
    const w = new nn.Parameter(tensor([1]));
    const opt = new optim.Adam([w]);
    w.grad = tensor([1]);
    opt.step();
    opt.state.get(w)!.step.fill_(2 ** 24);
    opt.step();
    expect(opt.state.get(w)!.step.item()).toBe(2 ** 24);
  });

  it('accepts any strided parameter, gradient and state (views, transposes, expanded gradients)', () => {
    const base = tensor([[1, 2, 3], [4, 5, 6]]);
    const w = new nn.Parameter(base.t()); // non-contiguous
    const ref = new nn.Parameter(base.t().contiguous());
    const optW = new optim.Adam([w], { lr: 0.1, amsgrad: true });
    const optR = new optim.Adam([ref], { lr: 0.1, amsgrad: true });
    for (let k = 0; k < 3; k++) {
      w.grad = tensor([[1], [-2], [3]]).expand(3, 2); // stride 0
      ref.grad = w.grad.contiguous();
      optW.step();
      optR.step();
    }
    expect(w.tolist()).toEqual(ref.tolist());
    expect(w.strides).toEqual([1, 3]);
  });

  it('prints as PyTorch', () => {
    const opt = new optim.AdamW([{ params: [W] }, { params: [V], lr: 0.1, betas: [0.8, 0.9] }]);
    expect(opt.toString()).toBe(
      [
        'AdamW (',
        'Parameter Group 0',
        '    amsgrad: False',
        '    betas: (0.9, 0.999)',
        '    eps: 1e-08',
        '    lr: 0.001',
        '    maximize: False',
        '    weight_decay: 0.01',
        '',
        'Parameter Group 1',
        '    amsgrad: False',
        '    betas: (0.8, 0.9)',
        '    eps: 1e-08',
        '    lr: 0.1',
        '    maximize: False',
        '    weight_decay: 0.01',
        ')',
      ].join('\n'),
    );
  });
});

// ---- the arithmetic helpers -----------------------------------------------------------------

describe('PyTorch-exact arithmetic', () => {
  // A small deterministic generator (xorshift) for random bit patterns.
  let s = 0x9e3779b9;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const f32 = (): number => Math.fround((next() - 0.5) * 2 ** Math.floor(next() * 40 - 20));

  it('fmaf is the correctly rounded float32 fused multiply-add', () => {
    const bad: number[][] = [];
    for (let i = 0; i < 100000; i++) {
      const a = f32();
      const b = f32();
      // Every third sum nearly cancels, where double rounding is likeliest.
      const c = i % 3 === 0 ? Math.fround(-a * b * (1 + (next() - 0.5) * 2 ** -20)) : f32();
      if (!Object.is(fmaf(a, b, c), fmafReference(a, b, c))) bad.push([a, b, c]);
    }
    expect(bad).toEqual([]);
    // Exact ties in float64 that the error of the sum decides: 1 + 2^-24 is halfway between
    // 1 and 1 + 2^-23; a tiny product pushes it up or down.
    const h = 2 ** -24;
    expect(fmaf(1 + h, 1, 2 ** -60)).toBe(fmafReference(1 + h, 1, 2 ** -60));
    expect(fmaf(Math.fround(1 + 2 ** -23), 1 + 2 ** -23, -(2 ** -46) + 2 ** -70)).toBe(fmafReference(Math.fround(1 + 2 ** -23), 1 + 2 ** -23, -(2 ** -46) + 2 ** -70));
    expect(fmaf(3, 5, 7)).toBe(22);
    expect(fmaf(NaN, 1, 1)).toBeNaN();
    expect(fmaf(3.4e38, 10, 0)).toBe(Infinity);
  });

  it('fma64 is the float64 fused multiply-add', () => {
    expect(fma64(0.1, 10, -1)).toBe(5.551115123125783e-17);
    const f64 = (): number => (next() - 0.5) * next() * 2 ** Math.floor(next() * 80 - 40);
    const bad: number[][] = [];
    for (let i = 0; i < 100000; i++) {
      const a = f64();
      const b = f64();
      // Cancellation (c close to -ab), a c far below or above ab, and random ones.
      const kind = i % 4;
      const c = kind === 0 ? -(a * b) * (1 + (next() - 0.5) * 2 ** -(30 + Math.floor(next() * 22))) : kind === 1 ? a * b * 2 ** -(40 + Math.floor(next() * 30)) : kind === 2 ? a * b * 2 ** (20 + Math.floor(next() * 40)) : f64();
      if (!Object.is(fma64(a, b, c), fma(a, b, c))) bad.push([a, b, c]);
    }
    // Near-ties: a * b + c = fl(a * b) + u/2 + (the product's rounding error), with u the ulp of
    // fl(a * b), so fl(a * b) + c is exactly halfway and only the product's low part decides.
    for (let i = 0; i < 20000; i++) {
      const a = 1 + next();
      const b = 1 + next();
      const u = a * b < 2 ? 2 ** -52 : 2 ** -51;
      const c = (i % 2 ? 1 : -1) * (i % 4 < 2 ? 0.5 : 1.5) * u;
      if (!Object.is(fma64(a, b, c), fma(a, b, c))) bad.push([a, b, c]);
    }
    expect(bad).toEqual([]);
    expect(fma64(1e-300, 1e-300, 1)).toBe(1);
  });

  it("powi is correctly rounded (V8's Math.pow is not)", () => {
    // Exact values of beta^n rounded once, from Python's fractions.
    expect(powi(0.9, 4)).toBe(0.6561);
    expect(Math.pow(0.9, 4)).not.toBe(0.6561);
    expect(powi(0.9, 3270)).toBe(2.3605101195105048e-150);
    expect(powi(0.999, 5000)).toBe(0.006721111959865588);
    expect(powi(0.5, 10)).toBe(1 / 1024);
    expect(powi(2, 0)).toBe(1);
    expect(powi(0.9, 2.5)).toBe(Math.pow(0.9, 2.5));
  });
});
