/// <reference types="node" />
/**
 * `paoding lab <experiment> [options]`: parse, find the data, pick the preset (given, or the
 * largest that fits the time budget on this machine), run the experiments in worker threads,
 * print the report and write `--json` / `--html` atomically. Bad options print one line and
 * return 2; Ctrl-C removes any partly written file and exits with 130.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../../index.js';
import { getBackend, list as listBackends, setBackend } from '../../backends/index.js';
import { allCompatible, resolveActivation, uniqueLabels, type ActivationChoice } from '../activation.js';
import { toPortable, type LabData } from '../data.js';
import type { LabEnv } from '../env.js';
import { LabError, LabInterrupted } from '../errors.js';
import type { Job, PropagateResult } from '../jobs.js';
import { REPORT_FORMAT, reportVerdicts, runExperiments, type LabReport, type PlannedExperiment } from '../lab.js';
import { EXPERIMENTS, EXPERIMENT_DOC, helpText, parseOptions, PRESETS, type ExperimentArg, type ExperimentName, type LabOptions, type PresetName } from '../options.js';
import { dataSizes, defaultActivations, estimateSeconds, fitSpeed, macs, PRESET_TABLE, resolveSettings, type DataInfo, type SpeedModel } from '../presets.js';
import { reportHtml } from '../report/html.js';
import { reportText } from '../report/text.js';
import { fmt } from '../stats.js';
import type { RunResult, TrainConfig } from '../train.js';
import { openData, prepareData, type OpenedData } from './data.js';
import { checkWritable, removePending, saveLatest, writeAtomic } from './files.js';
import { LocalRunner, WorkerPool, workersAvailable, yieldNow, type Runner } from './pool.js';
import { quietProgress, TerminalProgress } from './progress.js';
import { loadUserActivations } from './user.js';

const ORDER: ExperimentName[] = ['race', 'gradients', 'propagation', 'dying', 'batchnorm', 'cost'];

/** Default time budgets (seconds) the preset is chosen for. */
export const BUDGET: Record<ExperimentArg, number> = { race: 200, gradients: 180, dying: 180, propagation: 120, batchnorm: 180, cost: 60, all: 900 };

export function version(): string {
  try {
    const here = dirname(fileURLToPath(import.meta.url));
    return (JSON.parse(readFileSync(join(here, '../../../package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const LAB_USAGE = `usage: paoding lab <experiment> [options]

experiments:
${EXPERIMENTS.map((e) => `  ${e.padEnd(12)} ${EXPERIMENT_DOC[e]}`).join('\n')}

Run 'paoding lab <experiment> --help' for its options.`;

/** Where the output goes (tests pass their own). */
export interface LabIO {
  stdout: (s: string) => void;
  stderr: NodeJS.WriteStream | { write(s: string): boolean; isTTY?: boolean; columns?: number };
  /** Install the Ctrl-C handler (the command does; tests calling main() do not). */
  handleSignals: boolean;
}

const defaultIO = (): LabIO => ({ stdout: (s) => process.stdout.write(s), stderr: process.stderr, handleSignals: true });

function presetDefaults(e: ExperimentArg): (name: string) => string | undefined {
  const exps = e === 'all' ? ORDER : [e];
  const key: Record<string, string> = { steps: 'steps', batch: 'batch', lrs: 'lrs', seeds: 'seeds', train: 'train', test: 'test', nets: 'nets', depth: 'depth', width: 'width', samples: 'samples', reps: 'reps', window: 'window', activations: 'activations', init: 'inits', lr: 'lr' };
  return (name) => {
    if (name === 'budget') return `default ${BUDGET[e]}`;
    if (name === 'momentum') return 'default 0.9';
    if (name === 'jobs') return `default ${availableParallelism()} here`;
    if (name === 'init' && (e === 'race' || e === 'dying' || e === 'batchnorm')) return 'default: default';
    if (name === 'targets') return 'default 0.7,0.8,0.85 on Fashion-MNIST, 0.7,0.8,0.9 on the 2-class sets';
    const k = key[name];
    if (!k) return undefined;
    const parts: string[] = [];
    for (const ex of exps) {
      const perPreset = PRESETS.map((p) => {
        const v = (PRESET_TABLE[ex][p] as Record<string, unknown>)[k];
        return v === undefined ? undefined : `${p} ${Array.isArray(v) ? v.join(',') : String(v)}`;
      });
      if (perPreset.every((v) => v !== undefined)) parts.push(`${exps.length > 1 ? `${ex}: ` : ''}${perPreset.join('; ')}`);
    }
    if (name === 'lr' && (e === 'race' || e === 'batchnorm')) return 'default: swept';
    return parts.length ? `presets: ${parts.join(' | ')}` : undefined;
  };
}

/** Resolve the activation tokens of an experiment (given, or the preset's), expanding 'all'. */
function choices(e: ExperimentName, preset: PresetName, opts: LabOptions, loaded: Map<string, { id: string; path: string }>): ActivationChoice[] {
  const tokens = opts.activations ?? defaultActivations(e, preset);
  const expanded = tokens.flatMap((t) => (t === 'all' ? allCompatible() : [t]));
  return uniqueLabels(expanded.map((t) => resolveActivation(t, loaded)));
}

function summarize(r: RunResult): string {
  if (r.diverged !== null) return `diverged at step ${r.diverged}`;
  return `${r.stepsDone} steps, final loss ${fmt(r.finalLoss)}, running accuracy ${fmt(r.finalAcc)}${r.testAcc !== null ? `, test ${fmt(r.testAcc)}` : ''}, ${fmt(r.timing.msPerStep)} ms/step`;
}

/** The environment experiments run in: data, a runner, progress. */
function makeEnv(data: LabData, runner: Runner, progress: LabEnv['progress'], backend: string, local: LocalRunner | null): LabEnv {
  return {
    data,
    jobs: runner.jobs,
    backend,
    progress,
    ...(local ? { yieldNow } : {}),
    async train(configs: TrainConfig[], label: (c: TrainConfig) => string): Promise<RunResult[]> {
      const jobs: Job[] = configs.map((config) => ({ kind: 'train', config }));
      const res = await runner.run(jobs, {
        progress: (i, steps) => progress.advance(steps, label(configs[i]!)),
        done: (i, r) => progress.runDone?.(label(configs[i]!), summarize(r as RunResult)),
      });
      return res as RunResult[];
    },
    async propagate(configs): Promise<PropagateResult[]> {
      const jobs: Job[] = configs.map((config) => ({ kind: 'propagate', config }));
      const res = await runner.run(jobs, {
        progress: () => {},
        done: (i) => progress.advance(10, `${configs[i]!.act.label} ${configs[i]!.init}`),
      });
      return res as PropagateResult[];
    },
  };
}

interface Chosen {
  preset: PresetName;
  chosenBy: string;
  calibration?: Record<string, unknown>;
}

/** Pick the largest preset whose estimated time fits the budget (lite when none does). */
async function choosePreset(exps: ExperimentName[], opts: LabOptions, info: Omit<DataInfo, 'train'>, runner: Runner, loaded: Map<string, { id: string; path: string }>, budget: number): Promise<Chosen> {
  const relu = resolveActivation('relu');
  const layouts = [
    [128, 128],
    new Array<number>(8).fill(64),
  ];
  const batch = 100;
  const jobs: Job[] = Array.from({ length: runner.jobs }, () => ({ kind: 'calibrate', config: { features: info.features, classes: info.classes, batch, layouts, act: relu, steps: 10 } }));
  const res = (await runner.run(jobs, { progress: () => {}, done: () => {} })) as number[][];
  const ms = layouts.map((_, k) => res.reduce((a, r) => a + r[k]!, 0) / res.length);
  const model: SpeedModel = {
    ...fitSpeed(layouts.map((h, k) => ({ macs: macs(info.features, h, info.classes), layers: h.length + 1, batch, ms: ms[k]! }))),
    measured: Object.fromEntries(layouts.map((h, k) => [h.join('-'), ms[k]!])),
    batch,
  };
  const estimates: Record<string, number> = {};
  for (const p of ['lite', 'quick', 'standard', 'full'] as const) {
    const sizes = dataSizes(exps, p, opts);
    const di: DataInfo = { ...info, train: sizes.train };
    let total = 0;
    for (const e of exps) total += estimateSeconds(e, resolveSettings(e, p, opts, di, choices(e, p, opts, loaded)), di, model, runner.jobs);
    estimates[p] = Math.round(total);
  }
  const fits = (['full', 'standard', 'quick', 'lite'] as const).find((p) => estimates[p]! <= budget);
  const preset = fits ?? 'lite';
  const est = Object.entries(estimates).map(([k, v]) => `${k} ~${v} s`).join(', ');
  const chosenBy = `${fits ? 'the largest preset that fits' : 'no preset fits; the smallest is used for'} a ${budget} s budget (estimates: ${est}; measured ${fmt(ms[0]!)} ms/step for 784-128-128-10-like and ${fmt(ms[1]!)} ms/step for 8x64 nets at batch ${batch}, ${runner.jobs} job${runner.jobs > 1 ? 's' : ''} at once)`;
  return { preset, chosenBy, calibration: { msPerStep: { shallow: ms[0], deep: ms[1] }, model, estimates, budget } };
}

/** The `paoding lab` command. Returns the exit status. */
export async function main(args: string[], io: LabIO = defaultIO()): Promise<number> {
  const err = (line: string): void => void io.stderr.write(`${line}\n`);
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${LAB_USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (!(EXPERIMENTS as readonly string[]).includes(name)) {
    err(`paoding lab: unknown experiment '${name}' (expected one of ${EXPERIMENTS.join(', ')})`);
    return 2;
  }
  const experiment = name as ExperimentArg;
  let opts: LabOptions;
  try {
    opts = parseOptions(rest, experiment);
  } catch (e) {
    if (e instanceof LabError) {
      err(`paoding lab ${experiment}: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    io.stdout(`${helpText(experiment, presetDefaults(experiment))}\n`);
    return 0;
  }
  let runner: Runner | null = null;
  let pool: WorkerPool | null = null;
  let local: LocalRunner | null = null;
  const onSigint = (): void => {
    local?.interrupt();
    pool?.kill();
    removePending();
    err(`\npaoding lab ${experiment}: interrupted; no report written`);
    process.exit(130);
  };
  if (io.handleSignals) process.on('SIGINT', onSigint);
  try {
    return await run(experiment, rest, opts, io, (r, p, l) => {
      runner = r;
      pool = p;
      local = l;
    });
  } catch (e) {
    if (e instanceof LabError) {
      err(`paoding lab ${experiment}: ${e.message}`);
      return 2;
    }
    if (e instanceof LabInterrupted) {
      removePending();
      err(`paoding lab ${experiment}: interrupted; no report written`);
      return 130;
    }
    throw e;
  } finally {
    if (io.handleSignals) process.off('SIGINT', onSigint);
    await (runner as Runner | null)?.close();
  }
}

async function run(experiment: ExperimentArg, rest: string[], opts: LabOptions, io: LabIO, onRunner: (r: Runner, p: WorkerPool | null, l: LocalRunner | null) => void): Promise<number> {
  const started = new Date();
  const t0 = performance.now();
  const exps: ExperimentName[] = experiment === 'all' ? ORDER : [experiment];
  if (opts.json) checkWritable(opts.json, 'json');
  if (opts.html) checkWritable(opts.html, 'html');
  if (opts.backend !== undefined) {
    if (!listBackends().includes(opts.backend)) throw new LabError(`unknown backend '${opts.backend}' (available: ${listBackends().join(', ')})`);
    setBackend(opts.backend);
  }
  const backend = getBackend();

  // Activations first: a bad one should fail before any data is read.
  const loaded = await loadUserActivations(opts.activations ?? []);
  for (const e of exps) for (const p of PRESETS) choices(e, p, opts, loaded);
  const opened: OpenedData = openData(opts);
  const info = { name: opened.name, features: opened.features, classes: opened.classes };
  const progress = opts.quiet ? quietProgress : new TerminalProgress(io.stderr as NodeJS.WriteStream, Boolean(io.stderr.isTTY));
  if (opened.fallback) progress.note(opened.fallback);

  const cores = availableParallelism();
  let wantJobs = opts.jobs ?? cores;
  // Jobs run in worker threads; with the native backend each worker's kernels get an equal share
  // of the cores (one each on two cores), so workers and the addon's own threads never oversubscribe.
  const nativeThreads = Math.max(1, Math.floor(cores / Math.max(1, wantJobs)));
  const userModules = [...loaded.values()].map((v) => v.path);

  // The preset: given, or chosen by timing a few steps (on the full data's shape).
  let chosen: Chosen;
  let data: LabData;
  let runner: Runner;
  let pool: WorkerPool | null = null;
  let local: LocalRunner | null = null;
  const makeRunner = async (d: LabData): Promise<Runner> => {
    if (wantJobs > 1 && workersAvailable()) {
      try {
        pool = await WorkerPool.create(wantJobs, toPortable(d), userModules, backend, nativeThreads);
        return pool;
      } catch (e) {
        progress.note(`worker threads unavailable (${(e as Error).message}); running in this thread`);
      }
    }
    local = new LocalRunner(d);
    return local;
  };
  if (opts.preset) {
    chosen = { preset: opts.preset, chosenBy: '--preset' };
    const sizes = dataSizes(exps, chosen.preset, opts);
    data = prepareData(opened, sizes.train, sizes.test);
    runner = await makeRunner(data);
  } else {
    const budget = opts.budget ?? BUDGET[experiment];
    // Calibrate on a small cut of the data (calibration uses random inputs of its shape).
    const probe = prepareData(opened, 100, 10);
    const calib = await makeRunner(probe);
    onRunner(calib, pool, local);
    progress.note(`timing a few training steps to choose a preset for a ${budget} s budget...`);
    chosen = await choosePreset(exps, opts, info, calib, loaded, budget);
    await calib.close();
    pool = null;
    local = null;
    const sizes = dataSizes(exps, chosen.preset, opts);
    data = prepareData(opened, sizes.train, sizes.test);
    runner = await makeRunner(data);
  }
  onRunner(runner, pool, local);
  if (data.fallback === undefined && opened.fallback) data.fallback = opened.fallback;
  const dataInfo: DataInfo = { ...info, train: data.xTrain.shape[0]! };
  const plan: PlannedExperiment[] = exps.map((e) => ({ name: e, settings: resolveSettings(e, chosen.preset, opts, dataInfo, choices(e, chosen.preset, opts, loaded)) }));
  const command = ['paoding', 'lab', experiment, ...rest].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  const head = [
    `paoding lab ${experiment} · ${data.description}${data.source !== 'built in' ? ` (${data.source})` : ''}`,
    `preset ${chosen.preset} (${chosen.chosenBy}) · ${runner.jobs} job${runner.jobs > 1 ? 's' : ''} · ${backend} backend`,
  ];
  for (const h of head) progress.note(h);

  const env = makeEnv(data, runner, progress, backend, local);
  const { experiments, seconds } = await runExperiments(env, plan);
  (progress as { finish?: () => void }).finish?.();
  const { xTrain: _a, yTrain: _b, xTest: _c, yTest: _d, ...dataset } = data;
  const report: LabReport = {
    format: REPORT_FORMAT,
    experiment,
    command,
    paoding: version(),
    backend,
    jobs: runner.jobs,
    preset: { name: chosen.preset, chosenBy: chosen.chosenBy },
    dataset,
    experiments,
    verdicts: reportVerdicts(experiments),
    timing: { startedAt: started.toISOString(), wallSeconds: Math.round((performance.now() - t0) / 100) / 10, experiments: seconds, ...(chosen.calibration ? { calibration: chosen.calibration } : {}) },
  };
  io.stdout(`${head.join('\n')}\n\n${reportText(report, opts.charts)}\n\n${timeText(report)}\n`);
  const json = JSON.stringify(report);
  if (opts.json) writeAtomic(opts.json, json);
  if (opts.html) writeAtomic(opts.html, reportHtml(report));
  if (opts.save) {
    try {
      saveLatest(report, json);
    } catch {
      // Recording for `paoding advise` is best effort.
    }
  }
  const wrote = [opts.json, opts.html].filter(Boolean);
  if (wrote.length) io.stdout(`wrote ${wrote.join(', ')}\n`);
  return 0;
}

/** Where the time went: wall time, per experiment, and per training step. */
function timeText(r: LabReport): string {
  const lines = [`wall time ${fmt(r.timing.wallSeconds)} s (${Object.entries(r.timing.experiments).map(([k, v]) => `${k} ${fmt(v)} s`).join(', ')}) with ${r.jobs} job${r.jobs > 1 ? 's' : ''}`];
  for (const key of ['race', 'batchnorm'] as const) {
    const e = r.experiments[key];
    if (!e) continue;
    for (const net of e.result.nets) {
      const vs = net.variants;
      const avg = (k: keyof (typeof vs)[0]['timing']): number => vs.reduce((a, v) => a + v.timing[k], 0) / vs.length;
      lines.push(
        `  ${key} ${net.name} (${net.layout}): ${fmt(avg('msPerStep'))} ms/step = forward ${fmt(avg('forwardMs'))} + backward ${fmt(avg('backwardMs'))} + optimizer ${fmt(avg('optimizerMs'))} + data ${fmt(avg('dataMs'))} + metrics ${fmt(avg('otherMs'))} (mean over activations; runs in parallel share the cores)`,
      );
    }
  }
  return lines.join('\n');
}

export { ORDER };
