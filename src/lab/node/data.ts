/// <reference types="node" />
/**
 * Finding the lab's data on disk: `--data DIR` (an MNIST-style folder), `--dataset
 * fashion-mnist` (Debian's dataset-fashion-mnist), a built-in set, or by default Fashion-MNIST
 * when installed and the built-in spiral when not (said so, once).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fashionMnistDir, loadMnistLike, type MnistSplit } from '../../node/index.js';
import { FALLBACK, imageData, isSynthetic, SYNTHETIC, syntheticData, type LabData } from '../data.js';
import { LabError } from '../errors.js';
import type { LabOptions } from '../options.js';

/** A data set found but not yet cut to size. */
export type OpenedData =
  | { kind: 'images'; name: string; source: string; train: MnistSplit; test: MnistSplit; features: number; classes: number; fallback?: string }
  | { kind: 'synthetic'; name: (typeof SYNTHETIC)[number]; features: 2; classes: 2; fallback?: string };

function hasMnistFiles(dir: string): boolean {
  return ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].every((f) => existsSync(`${dir}/${f}`) || existsSync(`${dir}/${f}.gz`));
}

function openImages(name: string, dir: string): OpenedData {
  let train: MnistSplit;
  let test: MnistSplit;
  try {
    train = loadMnistLike(dir, { split: 'train' });
    test = loadMnistLike(dir, { split: 'test' });
  } catch (e) {
    throw new LabError((e as Error).message.split('\n')[0]!);
  }
  const features = train.images.shape.slice(1).reduce((a, b) => a * b, 1);
  const classes = Number(train.labels.max().item()) + 1;
  return { kind: 'images', name, source: dir, train, test, features, classes };
}

export function openData(opts: LabOptions): OpenedData {
  if (opts.data !== undefined) {
    const dir = resolve(opts.data);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new LabError(`--data ${opts.data}: no such directory`);
    if (opts.dataset !== undefined) throw new LabError('give --data or --dataset, not both');
    return openImages(basename(dir), dir);
  }
  const fm = fashionMnistDir();
  if (opts.dataset !== undefined) {
    if (opts.dataset === 'fashion-mnist') {
      if (!hasMnistFiles(fm)) throw new LabError(`Fashion-MNIST is not installed in ${fm} (apt install dataset-fashion-mnist, set PAODING_FASHION_MNIST, or pass --data DIR; or use a built-in set: --dataset ${SYNTHETIC.join('|')})`);
      return openImages('fashion-mnist', fm);
    }
    if (isSynthetic(opts.dataset)) return { kind: 'synthetic', name: opts.dataset, features: 2, classes: 2 };
    throw new LabError(`unknown dataset '${opts.dataset}' (expected fashion-mnist, ${SYNTHETIC.join(', ')}; or --data DIR)`);
  }
  if (hasMnistFiles(fm)) return openImages('fashion-mnist', fm);
  return {
    kind: 'synthetic',
    name: FALLBACK,
    features: 2,
    classes: 2,
    fallback: `Fashion-MNIST is not installed in ${fm} (apt install dataset-fashion-mnist, or --data DIR): running on the built-in '${FALLBACK}' set instead`,
  };
}

/** Cut the opened data to size and prepare it. */
export function prepareData(o: OpenedData, train: number, test: number): LabData {
  const d = o.kind === 'images' ? imageData(o.name, o.source, o.train, o.test, train, test) : syntheticData(o.name, train, test);
  return o.fallback ? { ...d, fallback: o.fallback } : d;
}
