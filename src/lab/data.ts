/**
 * The lab's data: a classification set as standardised float32 features and int64 labels, split
 * into a training and a test set. Image sets (Fashion-MNIST and other MNIST-style folders) are
 * read by the Node side (`node/data.ts`) and prepared here; the synthetic sets are built in.
 *
 * Preparation, mirrored exactly by examples/pytorch/lab/common.py:
 * - images: the first `train` training and first `test` test images, pixels / 255, then
 *   standardised with the training subset's global mean and (population) std, computed in float64;
 * - synthetic sets: `train` points from seed 1 and `test` points from seed 2, standardised per
 *   feature with the training points' statistics.
 */
import { standardize, scale } from '../data/loader.js';
import * as synthetic from '../data/synthetic.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { LabError } from './errors.js';

/** A prepared classification data set. */
export interface LabData {
  /** Its name: `fashion-mnist`, `spiral`, ..., or the folder for `--data DIR`. */
  name: string;
  /** One line: what it is and how it was prepared. */
  description: string;
  /** Where it came from (a folder, or `built in`). */
  source: string;
  /** Why the lab fell back to this set, if it did. */
  fallback?: string;
  xTrain: Tensor;
  yTrain: Tensor;
  xTest: Tensor;
  yTest: Tensor;
  features: number;
  classes: number;
}

/** The synthetic sets the lab builds in (two classes, two features). */
export const SYNTHETIC = ['spiral', 'moons', 'circle', 'xor', 'gaussian'] as const;
export type SyntheticName = (typeof SYNTHETIC)[number];

/** The noise each synthetic set is drawn with. */
export const SYNTHETIC_NOISE: Readonly<Record<SyntheticName, number>> = { spiral: 0.05, moons: 0.15, circle: 0.1, xor: 0.1, gaussian: 0.3 };

/** The data set the lab falls back to when Fashion-MNIST is not installed. */
export const FALLBACK: SyntheticName = 'spiral';

/** Build a synthetic set: `train` points (seed 1) and `test` points (seed 2), standardised per feature. */
export function syntheticData(name: SyntheticName, train: number, test: number): LabData {
  const make = synthetic[name] as (n: number, o: { noise: number; seed: number }) => { x: Tensor; y: Tensor };
  const noise = SYNTHETIC_NOISE[name];
  const tr = make(train, { noise, seed: 1 });
  const te = make(test, { noise, seed: 2 });
  const s = standardize(tr.x);
  const xTest = standardize(te.x, { mean: s.mean, std: s.std }).x;
  return {
    name,
    description: `${name} (built in): ${train} training and ${test} test points, 2 features, 2 classes, noise ${noise}, standardised per feature`,
    source: 'built in',
    xTrain: s.x,
    yTrain: tr.y,
    xTest,
    yTest: te.y,
    features: 2,
    classes: 2,
  };
}

/** Prepare MNIST-style images (uint8 [n, h, w]) and labels: subsets, / 255, global standardisation. */
export function imageData(
  name: string,
  source: string,
  train: { images: Tensor; labels: Tensor },
  test: { images: Tensor; labels: Tensor },
  nTrain: number,
  nTest: number,
): LabData {
  const n = Math.min(nTrain, train.images.shape[0]!);
  const m = Math.min(nTest, test.images.shape[0]!);
  const features = train.images.shape.slice(1).reduce((a, b) => a * b, 1);
  const flat = (t: Tensor, k: number): Tensor => scale(t.narrow(0, 0, k).contiguous()).reshape([k, features]);
  const s = standardize(flat(train.images, n), { perFeature: false });
  const xTest = standardize(flat(test.images, m), { perFeature: false, mean: s.mean, std: s.std }).x;
  const yTrain = train.labels.narrow(0, 0, n).contiguous();
  const yTest = test.labels.narrow(0, 0, m).contiguous();
  const classes = Math.max(Number(yTrain.max().item()), Number(yTest.max().item())) + 1;
  return {
    name,
    description: `${name}: the first ${n} training and ${m} test images, ${features} pixels scaled to [0, 1] and standardised with the training subset's global mean and std, ${classes} classes`,
    source,
    xTrain: s.x,
    yTrain,
    xTest,
    yTest,
    features,
    classes,
  };
}

/** The data as plain arrays (to send to a worker). */
export interface PortableData {
  meta: Omit<LabData, 'xTrain' | 'yTrain' | 'xTest' | 'yTest'>;
  xTrain: Float32Array;
  yTrain: Float64Array;
  xTest: Float32Array;
  yTest: Float64Array;
}

export function toPortable(d: LabData): PortableData {
  const { xTrain, yTrain, xTest, yTest, ...meta } = d;
  const f32 = (t: Tensor): Float32Array => Float32Array.from(t.contiguous().toTypedArray() as ArrayLike<number>);
  const i64 = (t: Tensor): Float64Array => Float64Array.from(Array.from(t.contiguous().toTypedArray() as ArrayLike<number | bigint>, Number));
  return { meta, xTrain: f32(xTrain), yTrain: i64(yTrain), xTest: f32(xTest), yTest: i64(yTest) };
}

export function fromPortable(p: PortableData): LabData {
  const f = p.meta.features;
  return {
    ...p.meta,
    xTrain: tensor(p.xTrain, { shape: [p.xTrain.length / f, f] }),
    yTrain: tensor(p.yTrain, { dtype: 'int64' }),
    xTest: tensor(p.xTest, { shape: [p.xTest.length / f, f] }),
    yTest: tensor(p.yTest, { dtype: 'int64' }),
  };
}

/** Check a synthetic name. */
export function isSynthetic(name: string): name is SyntheticName {
  return (SYNTHETIC as readonly string[]).includes(name);
}

/** The default accuracy targets of a data set (steps to reach each are reported). */
export function defaultTargets(d: Pick<LabData, 'name' | 'classes'>): number[] {
  if (d.name === 'fashion-mnist' || d.classes > 2) return [0.7, 0.8, 0.85];
  return [0.7, 0.8, 0.9];
}

/** Reject nonsense sizes early, with the option's name. */
export function checkSizes(train: number, test: number): void {
  if (!(train >= 10)) throw new LabError(`--train must be at least 10, got ${train}`);
  if (!(test >= 1)) throw new LabError(`--test must be at least 1, got ${test}`);
}
