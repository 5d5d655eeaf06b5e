/**
 * What an experiment needs from its surroundings: the data, a way to run training runs (in this
 * thread or in workers), progress reporting and a log. The Node command provides one
 * (`node/run.ts`); tests and browsers can provide their own.
 */
import type { LabData } from './data.js';
import type { PropagateConfig, PropagateResult } from './jobs.js';
import type { RunResult, TrainConfig } from './train.js';

/** Progress of a lab run, in units of work (training steps, or step-equivalents). */
export interface Progress {
  /** Add planned work. */
  plan(units: number): void;
  /** Work done, with what is running. */
  advance(units: number, what?: string): void;
  /** A stage starts (one line when not on a terminal). */
  stage(name: string): void;
  /** A line of text (on a terminal: above the bar). */
  note(line: string): void;
  /** A run finished (one line when not on a terminal). */
  runDone?(what: string, summary: string): void;
}

export interface LabEnv {
  data: LabData;
  /** Run training runs; results in the order given. `label` names each run for progress lines. */
  train(configs: TrainConfig[], label: (c: TrainConfig) => string): Promise<RunResult[]>;
  /** Run forward-only propagation measurements. */
  propagate(configs: PropagateConfig[]): Promise<PropagateResult[]>;
  progress: Progress;
  /** How many runs go at once (reported). */
  jobs: number;
  /** The compute backend in use (reported). */
  backend: string;
  /** Yield to the event loop (lets an interrupt through in single-threaded runs). */
  yieldNow?: () => Promise<void>;
  aborted?: () => boolean;
}

/** A progress sink that does nothing. */
export const silentProgress: Progress = { plan() {}, advance() {}, stage() {}, note() {} };
