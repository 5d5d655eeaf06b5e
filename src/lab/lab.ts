/**
 * Running experiments into one report: the report's shape (what `--json` writes), and the loop
 * that runs each experiment in an environment and derives the verdicts.
 */
import type { LabData } from './data.js';
import type { LabEnv } from './env.js';
import { runCost, type CostResult, type CostSettings } from './experiments/cost.js';
import { runDying, type DyingResult, type DyingSettings } from './experiments/dying.js';
import { runGradients, type GradientsResult, type GradientsSettings } from './experiments/gradients.js';
import { runPropagation, type PropagationResult, type PropagationSettings } from './experiments/propagation.js';
import { runRace, type RaceResult, type RaceSettings } from './experiments/race.js';
import type { ExperimentArg, ExperimentName, PresetName } from './options.js';
import type { AnySettings } from './presets.js';
import { verdicts, type Evidence, type Verdict } from './verdicts.js';

export const REPORT_FORMAT = 'paoding-lab/1';

/** The experiments of a report, each with the settings it ran with. */
export interface ExperimentRecords {
  race?: { settings: RaceSettings; result: RaceResult };
  gradients?: { settings: GradientsSettings; result: GradientsResult };
  dying?: { settings: DyingSettings; result: DyingResult };
  propagation?: { settings: PropagationSettings; result: PropagationResult };
  batchnorm?: { settings: RaceSettings; result: RaceResult };
  cost?: { settings: CostSettings; result: CostResult };
}

/** What `--json` writes: every number of the run. Wall-clock values live under `timing` keys only. */
export interface LabReport {
  format: typeof REPORT_FORMAT;
  experiment: ExperimentArg;
  /** The command line that produced it. */
  command: string;
  paoding: string;
  backend: string;
  jobs: number;
  preset: { name: PresetName; chosenBy: string };
  dataset: Omit<LabData, 'xTrain' | 'yTrain' | 'xTest' | 'yTest'>;
  experiments: ExperimentRecords;
  verdicts: Verdict[];
  timing: {
    startedAt: string;
    wallSeconds: number;
    experiments: Record<string, number>;
    /** The calibration the preset was chosen with (ms per step), when it was. */
    calibration?: Record<string, unknown>;
  };
}

export interface PlannedExperiment {
  name: ExperimentName;
  settings: AnySettings;
}

/** Run the experiments in order; returns their records and the seconds each took. */
export async function runExperiments(env: LabEnv, plan: readonly PlannedExperiment[]): Promise<{ experiments: ExperimentRecords; seconds: Record<string, number> }> {
  const experiments: ExperimentRecords = {};
  const seconds: Record<string, number> = {};
  for (const p of plan) {
    const t0 = performance.now();
    switch (p.name) {
      case 'race':
        experiments.race = { settings: p.settings as RaceSettings, result: await runRace(env, p.settings as RaceSettings) };
        break;
      case 'batchnorm':
        experiments.batchnorm = { settings: p.settings as RaceSettings, result: await runRace(env, p.settings as RaceSettings, 'batchnorm') };
        break;
      case 'gradients':
        experiments.gradients = { settings: p.settings as GradientsSettings, result: await runGradients(env, p.settings as GradientsSettings) };
        break;
      case 'dying':
        experiments.dying = { settings: p.settings as DyingSettings, result: await runDying(env, p.settings as DyingSettings) };
        break;
      case 'propagation':
        experiments.propagation = { settings: p.settings as PropagationSettings, result: await runPropagation(env, p.settings as PropagationSettings) };
        break;
      case 'cost':
        experiments.cost = { settings: p.settings as CostSettings, result: await runCost(env, p.settings as CostSettings) };
        break;
    }
    seconds[p.name] = Math.round((performance.now() - t0) / 10) / 100;
  }
  return { experiments, seconds };
}

/** The verdicts of a report's experiments. */
export function reportVerdicts(experiments: ExperimentRecords): Verdict[] {
  return verdicts(experiments as Evidence);
}

/**
 * A copy of a report without what depends on the machine or the moment: wall-clock values
 * (`timing`), the number of parallel jobs, the command line and verdicts decided from times.
 * The rest is what determinism promises: the same seed and options give the same numbers.
 */
export function withoutTiming<T>(value: T): T {
  const drop = new Set(['timing', 'jobs', 'command']);
  return JSON.parse(
    JSON.stringify(value, (k, v: unknown) => {
      if (drop.has(k)) return undefined;
      if (k === 'verdicts' && Array.isArray(v)) return v.filter((x: { fromTiming?: boolean }) => !x.fromTiming);
      return v;
    }),
  ) as T;
}
