/**
 * The command-line options of `paoding lab`, one table: parsing (with one clear error line for
 * anything wrong), which experiments each applies to, and the help text.
 */
import { LabError } from './errors.js';
import { checkInit, INITS, type InitName } from './model.js';
import { splitActivationList } from './activation.js';

export const EXPERIMENTS = ['race', 'gradients', 'dying', 'propagation', 'batchnorm', 'cost', 'all'] as const;
export type ExperimentName = Exclude<(typeof EXPERIMENTS)[number], 'all'>;
export type ExperimentArg = (typeof EXPERIMENTS)[number];

export const PRESETS = ['tiny', 'lite', 'quick', 'standard', 'full'] as const;
export type PresetName = (typeof PRESETS)[number];

/** What each experiment is, for the help. */
export const EXPERIMENT_DOC: Readonly<Record<ExperimentArg, string>> = {
  race: 'convergence race: steps to training-accuracy targets, each activation at its own best learning rate (or one shared rate), shallow and deep nets',
  gradients: 'vanishing gradients and saturation: per-layer gradient norms, saturated units, mean derivative, at initialisation and during training, per initialisation',
  dying: 'dead units (never active on the training set) before and after training at a range of learning rates, and runs that diverge',
  propagation: 'mean and variance of activations layer by layer through a deep network at initialisation: where SELU self-normalises and where not',
  batchnorm: 'ELU without batch normalisation against ReLU with and without it, and ELU with it',
  cost: "forward and backward throughput of each activation, and its share of a training step",
  all: 'every experiment, into one report',
};

/** The parsed options (undefined: not given, the preset decides). */
export interface LabOptions {
  activations?: string[];
  seeds?: number[];
  dataset?: string;
  data?: string;
  train?: number;
  test?: number;
  steps?: number;
  batch?: number;
  lr?: number;
  lrs?: number[];
  momentum?: number;
  init?: InitName[];
  nets?: string[];
  depth?: number;
  width?: number;
  targets?: number[];
  window?: number;
  samples?: number;
  reps?: number;
  preset?: PresetName;
  budget?: number;
  jobs?: number;
  backend?: string;
  json?: string;
  html?: string;
  save: boolean;
  quiet: boolean;
  charts: boolean;
  help: boolean;
}

interface OptionDef {
  name: string;
  value?: string;
  doc: string;
  /** The experiments it applies to ('all': every one). */
  for: readonly ExperimentName[] | 'all';
  /** Per-preset defaults for the help, when they depend on the preset. */
  boolean?: boolean;
  multiple?: boolean;
  short?: string;
}

const TRAINING: ExperimentName[] = ['race', 'gradients', 'dying', 'batchnorm'];

export const OPTIONS: readonly OptionDef[] = [
  { name: 'activations', value: 'LIST', multiple: true, for: 'all', doc: "activations to compare, comma-separated: registry ids with parameters (leaky_relu:0.2, elu:alpha=0.5, softplus:beta=2,threshold=10, gelu:tanh), 'all' (every elementwise activation), or a module path exporting a defineActivation result (./my_act.js, ./my_act.js:beta=2); may be repeated" },
  { name: 'seeds', value: 'N|LIST', for: 'all', doc: 'seeds: N means 0..N-1, a comma list (3,7) those seeds' },
  { name: 'dataset', value: 'NAME', for: 'all', doc: "fashion-mnist (Debian's dataset-fashion-mnist in /usr/share/datasets/fashion-mnist, or $PAODING_FASHION_MNIST), or a built-in set: spiral, moons, circle, xor, gaussian. Default: fashion-mnist when installed, else spiral (said so on the first line)" },
  { name: 'data', value: 'DIR', for: 'all', doc: 'an MNIST-style folder (train-images-idx3-ubyte[.gz], ...) to use instead' },
  { name: 'train', value: 'N', for: 'all', doc: 'training examples (the first N of the training set)' },
  { name: 'test', value: 'N', for: 'all', doc: 'test examples (the first N of the test set)' },
  { name: 'steps', value: 'N', for: [...TRAINING, 'cost'], doc: 'SGD steps per training run (cost: steps timed per activation)' },
  { name: 'batch', value: 'N', for: 'all', doc: 'mini-batch size' },
  { name: 'lr', value: 'X', for: TRAINING, doc: 'race, batchnorm: one shared learning rate for every activation (no sweep); gradients: the training rate' },
  { name: 'lrs', value: 'LIST', for: ['race', 'dying', 'batchnorm'], doc: 'race, batchnorm: the sweep grid (extended past an edge that wins); dying: the rates compared' },
  { name: 'momentum', value: 'X', for: TRAINING, doc: 'SGD momentum' },
  { name: 'init', value: 'NAME|LIST', for: 'all', doc: `initialisation(s): ${INITS.join(', ')} (gradients and propagation compare a list; others take one)` },
  { name: 'nets', value: 'LIST', for: ['race', 'batchnorm', 'dying'], doc: 'networks: shallow (hidden 128-128), deep (8 hidden layers of 64), or widths like 256-256' },
  { name: 'depth', value: 'N', for: ['gradients', 'propagation'], doc: 'hidden layers' },
  { name: 'width', value: 'N', for: ['gradients', 'propagation'], doc: 'units per hidden layer' },
  { name: 'targets', value: 'LIST', for: ['race', 'batchnorm', 'dying'], doc: 'running training-accuracy targets, e.g. 0.7,0.8,0.85' },
  { name: 'window', value: 'N', for: TRAINING, doc: 'mini-batches in the running training accuracy and final training loss' },
  { name: 'samples', value: 'N', for: ['gradients', 'propagation'], doc: 'training examples the probes measure on' },
  { name: 'reps', value: 'N', for: ['cost'], doc: 'timed repetitions per measurement' },
  { name: 'preset', value: 'NAME', for: 'all', doc: `sizes and step budgets: ${PRESETS.join(', ')}. Default: the largest that fits --budget on this machine (measured at startup; printed and recorded)` },
  { name: 'budget', value: 'SECONDS', for: 'all', doc: 'time budget the preset is chosen for, in seconds (race 200, all 900, others 60-180)' },
  { name: 'jobs', value: 'N', for: 'all', doc: 'runs in parallel, in worker threads (default: the number of cores; results do not depend on it)' },
  { name: 'backend', value: 'NAME', for: 'all', doc: "compute backend: js (default) or wasm when available" },
  { name: 'json', value: 'FILE', for: 'all', doc: 'write every number to FILE (JSON)' },
  { name: 'html', value: 'FILE', for: 'all', doc: 'write a self-contained report page with plots and verdicts to FILE' },
  { name: 'no-save', boolean: true, for: 'all', doc: "do not record this run for 'paoding advise'" },
  { name: 'no-charts', boolean: true, for: 'all', doc: 'tables only in the terminal' },
  { name: 'quiet', boolean: true, short: 'q', for: 'all', doc: 'no progress output' },
  { name: 'help', boolean: true, short: 'h', for: 'all', doc: 'this help' },
];

function num(name: string, v: string, check: (x: number) => boolean, what: string): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || !check(x)) throw new LabError(`--${name} must be ${what}, got '${v}'`);
  return x;
}

const int = (name: string, v: string, min = 1): number => num(name, v, (x) => Number.isInteger(x) && x >= min, `an integer >= ${min}`);
const pos = (name: string, v: string): number => num(name, v, (x) => x > 0, 'a positive number');
const list = (name: string, v: string, f: (n: string, s: string) => number): number[] => {
  const parts = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new LabError(`--${name} needs at least one value`);
  return parts.map((s) => f(name, s));
};

/** Parse `args` (after the experiment name). Unknown options and bad values throw LabError. */
export function parseOptions(args: readonly string[], experiment: ExperimentArg): LabOptions {
  const out: LabOptions = { save: true, quiet: false, charts: true, help: false };
  const byName = new Map(OPTIONS.map((o) => [o.name, o]));
  const byShort = new Map(OPTIONS.filter((o) => o.short).map((o) => [o.short!, o]));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else if (/^-[a-z]$/.test(arg)) {
      const o = byShort.get(arg.slice(1));
      if (!o) throw new LabError(`unknown option '${arg}' (see paoding lab ${experiment} --help)`);
      name = o.name;
    } else {
      throw new LabError(`unexpected argument '${arg}' (options start with --; see paoding lab ${experiment} --help)`);
    }
    const def = byName.get(name);
    if (!def) throw new LabError(`unknown option '--${name}' (see paoding lab ${experiment} --help)`);
    if (def.boolean) {
      if (inline !== undefined) throw new LabError(`--${name} takes no value`);
      if (name === 'no-save') out.save = false;
      else if (name === 'no-charts') out.charts = false;
      else if (name === 'quiet') out.quiet = true;
      else out.help = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      value = args[++i];
      if (value === undefined) throw new LabError(`--${name} needs a value (${def.value})`);
    }
    if (experiment !== 'all' && def.for !== 'all' && !def.for.includes(experiment)) {
      throw new LabError(`--${name} does not apply to ${experiment} (it applies to ${def.for.join(', ')})`);
    }
    apply(out, name, value);
  }
  return out;
}

function apply(out: LabOptions, name: string, v: string): void {
  switch (name) {
    case 'activations': {
      const tokens = splitActivationList(v);
      if (tokens.length === 0) throw new LabError('--activations needs at least one activation');
      out.activations = [...(out.activations ?? []), ...tokens];
      return;
    }
    case 'seeds': {
      if (v.includes(',')) out.seeds = list(name, v, (n, s) => int(n, s, 0));
      else {
        const n = int(name, v, 1);
        if (n > 100) throw new LabError(`--seeds ${n} is too many (at most 100)`);
        out.seeds = Array.from({ length: n }, (_, i) => i);
      }
      if (new Set(out.seeds).size !== out.seeds.length) throw new LabError('--seeds lists a seed twice');
      return;
    }
    case 'dataset':
      out.dataset = v;
      return;
    case 'data':
      out.data = v;
      return;
    case 'train':
      out.train = int(name, v, 10);
      return;
    case 'test':
      out.test = int(name, v, 1);
      return;
    case 'steps':
      out.steps = int(name, v, 1);
      return;
    case 'batch':
      out.batch = int(name, v, 1);
      return;
    case 'lr':
      out.lr = pos(name, v);
      return;
    case 'lrs':
      out.lrs = [...new Set(list(name, v, pos))].sort((a, b) => a - b);
      return;
    case 'momentum':
      out.momentum = num(name, v, (x) => x >= 0 && x < 1, 'in [0, 1)');
      return;
    case 'init':
      out.init = v.split(',').map((s) => s.trim()).filter((s) => s !== '').map(checkInit);
      if (out.init.length === 0) throw new LabError('--init needs a value');
      return;
    case 'nets':
      out.nets = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
      for (const n of out.nets) parseNet(n);
      if (out.nets.length === 0) throw new LabError('--nets needs a value');
      return;
    case 'depth':
      out.depth = int(name, v, 1);
      return;
    case 'width':
      out.width = int(name, v, 1);
      return;
    case 'targets':
      out.targets = list(name, v, (n, s) => num(n, s, (x) => x > 0 && x <= 1, 'accuracies in (0, 1]'));
      return;
    case 'window':
      out.window = int(name, v, 1);
      return;
    case 'samples':
      out.samples = int(name, v, 2);
      return;
    case 'reps':
      out.reps = int(name, v, 1);
      return;
    case 'preset':
      if (!(PRESETS as readonly string[]).includes(v)) throw new LabError(`unknown preset '${v}' (expected one of ${PRESETS.join(', ')})`);
      out.preset = v as PresetName;
      return;
    case 'budget':
      out.budget = pos(name, v);
      return;
    case 'jobs':
      out.jobs = int(name, v, 1);
      return;
    case 'backend':
      out.backend = v;
      return;
    case 'json':
      out.json = v;
      return;
    case 'html':
      out.html = v;
      return;
  }
}

/** A network name: shallow, deep, or hidden widths `256-256` / `64x8`. */
export function parseNet(name: string): { name: string; hidden: number[] } {
  if (name === 'shallow') return { name, hidden: [128, 128] };
  if (name === 'deep') return { name, hidden: new Array<number>(8).fill(64) };
  const rep = /^(\d+)x(\d+)$/.exec(name);
  if (rep) {
    const w = Number(rep[1]);
    const d = Number(rep[2]);
    if (w >= 1 && d >= 1 && d <= 200) return { name, hidden: new Array<number>(d).fill(w) };
  }
  if (/^\d+(-\d+)*$/.test(name)) {
    const hidden = name.split('-').map(Number);
    if (hidden.every((h) => h >= 1)) return { name, hidden };
  }
  throw new LabError(`unknown network '${name}' (expected shallow, deep, widths such as 256-256, or WIDTHxDEPTH such as 64x8)`);
}

/** The help of one experiment: every option that applies to it, with the preset defaults. */
export function helpText(experiment: ExperimentArg, presetDefaults: (name: string) => string | undefined): string {
  const lines = [`usage: paoding lab ${experiment} [options]`, '', wrap(EXPERIMENT_DOC[experiment], 2), '', 'options:'];
  for (const o of OPTIONS) {
    if (experiment !== 'all' && o.for !== 'all' && !o.for.includes(experiment)) continue;
    const head = `  --${o.name}${o.value ? ` ${o.value}` : ''}${o.short ? `, -${o.short}` : ''}`;
    const d = presetDefaults(o.name);
    const doc = o.doc + (d ? ` [${d}]` : '');
    lines.push(head);
    lines.push(wrap(doc, 6));
  }
  lines.push('', `experiments: ${EXPERIMENTS.join(', ')} (paoding lab <experiment> --help)`);
  lines.push('Bad options print one line and exit with status 2; an interrupted run (Ctrl-C) writes no report and exits with status 130.');
  return lines.join('\n');
}

function wrap(text: string, indent: number, width = 96): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length + w.length + 1 > width - indent && line) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l).join('\n');
}

export { INITS };
