/**
 * The lab's networks: multilayer perceptrons `nn.Sequential(Linear, [BatchNorm1d,] act, ...,
 * Linear)`, built in PyTorch's order so that a seed gives PyTorch's initial weights, then
 * optionally re-initialised (Xavier, He, LeCun) layer by layer, as a PyTorch script would.
 */
import { BatchNorm1d, Linear, Sequential } from '../nn/layers.js';
import type { Module } from '../nn/module.js';
import * as init from '../nn/init.js';
import { LabError } from './errors.js';
import { createModule, type ActivationChoice } from './activation.js';

/** The initialisations the lab compares. */
export const INITS = ['default', 'xavier', 'he', 'lecun'] as const;
export type InitName = (typeof INITS)[number];

/** What each initialisation is, in PyTorch's terms (biases are zeroed except for `default`). */
export const INIT_DOC: Readonly<Record<InitName, string>> = {
  default: "PyTorch's nn.Linear default: weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in))",
  xavier: 'nn.init.xavier_normal_(w) (std sqrt(2 / (fan_in + fan_out))), zero biases',
  he: "nn.init.kaiming_normal_(w, nonlinearity='relu') (std sqrt(2 / fan_in)), zero biases",
  lecun: "nn.init.kaiming_normal_(w, nonlinearity='linear') (std 1 / sqrt(fan_in)), zero biases",
};

export function checkInit(name: string): InitName {
  if (!(INITS as readonly string[]).includes(name)) throw new LabError(`unknown initialisation '${name}' (expected one of ${INITS.join(', ')})`);
  return name as InitName;
}

/** A network's layout: input width, hidden widths, classes. */
export interface NetSpec {
  /** A name for reports: `shallow`, `deep`, or `depth 32`. */
  name: string;
  hidden: number[];
}

/** The lab's built network, with its layers at hand for probes. */
export interface LabNet {
  model: Sequential;
  /** The Linear layers, input side first (the last is the output layer). */
  linears: Linear[];
  /** The activation module after each hidden Linear (and its BatchNorm, if any). */
  acts: Module[];
  /** The BatchNorm1d after each hidden Linear, when built with batch normalisation. */
  norms: BatchNorm1d[];
}

/**
 * Build `Sequential(Linear(in, h1), [BatchNorm1d(h1),] act, ..., Linear(hk, classes))` and
 * apply the initialisation. The caller seeds the generator first.
 */
export function buildNet(inFeatures: number, hidden: readonly number[], classes: number, act: ActivationChoice, opts: { init?: InitName; batchnorm?: boolean } = {}): LabNet {
  const layers: Module[] = [];
  const linears: Linear[] = [];
  const acts: Module[] = [];
  const norms: BatchNorm1d[] = [];
  let width = inFeatures;
  for (const h of hidden) {
    const lin = new Linear(width, h);
    linears.push(lin);
    layers.push(lin);
    if (opts.batchnorm) {
      const bn = new BatchNorm1d(h);
      norms.push(bn);
      layers.push(bn);
    }
    const a = createModule(act);
    acts.push(a);
    layers.push(a);
    width = h;
  }
  const out = new Linear(width, classes);
  linears.push(out);
  layers.push(out);
  const model = new Sequential(...layers);
  applyInit(linears, opts.init ?? 'default');
  return { model, linears, acts, norms };
}

/** Re-initialise the Linear layers in order (weights drawn, biases zeroed), as PyTorch's nn.init does. */
export function applyInit(linears: readonly Linear[], name: InitName): void {
  if (name === 'default') return;
  for (const lin of linears) {
    if (name === 'xavier') init.xavierNormal_(lin.weight);
    else if (name === 'he') init.kaimingNormal_(lin.weight, { nonlinearity: 'relu' });
    else init.kaimingNormal_(lin.weight, { nonlinearity: 'linear' });
    if (lin.bias) init.zeros_(lin.bias);
  }
}

/** `784-128-128-10` */
export function describeLayout(inFeatures: number, hidden: readonly number[], classes: number): string {
  if (hidden.length > 4 && hidden.every((h) => h === hidden[0])) return `${inFeatures}-${hidden[0]}x${hidden.length}-${classes}`;
  return [inFeatures, ...hidden, classes].join('-');
}
