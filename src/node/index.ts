/// <reference types="node" />
/**
 * `paoding/node`: the file-system helpers, for Node only (the main entry, `paoding`, runs in
 * browsers and never touches the disk). Reading IDX files and MNIST-style data sets, and saving
 * and loading modules as safetensors files. Nothing is ever downloaded.
 *
 * @packageDocumentation
 */
// The same one-time wiring as the main entry, so that paoding/node works imported on its own.
import '../setup.js';
// The native backend: loaded and made the default here too, so paoding/node works on its own.
import './native.js';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseIdx, type ParseIdxOptions } from '../data/idx.js';
import { loadSafetensorsInto, type LoadResult, stateDictToSafetensors } from '../io/safetensors.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST.
 *
 * @example
 * ```ts
 * import { DEBIAN_FASHION_MNIST_DIR } from 'paoding/node';
 * console.log(DEBIAN_FASHION_MNIST_DIR); // /usr/share/datasets/fashion-mnist
 * ```
 */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * Read an IDX file (raw or gzipped) into a tensor; see `data.parseIdx` for the dtypes.
 *
 * @example
 * ```ts
 * import { readIdx } from 'paoding/node';
 * try {
 *   readIdx('/nonexistent/labels-idx1-ubyte');
 * } catch (e) {
 *   console.log((e as Error).message); // readIdx(): cannot read /nonexistent/labels-idx1-ubyte: no such file
 * }
 * ```
 */
export function readIdx(path: string, opts: Omit<ParseIdxOptions, 'source'> = {}): Tensor {
  if (typeof path !== 'string') throw new TypeError(`readIdx(): path must be a string, got ${typeof path}`);
  return parseIdx(readBytes(path, 'readIdx()'), { ...opts, source: path });
}

function readBytes(path: string, where: string): Uint8Array {
  try {
    const buf = readFileSync(path);
    // A plain Uint8Array over the same memory: Buffer's slice() shares memory where
    // Uint8Array's copies, and the parsers should see standard semantics.
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${where}: cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** Options of {@link loadMnistLike}. */
export interface MnistOptions {
  /** `'train'` (60000 images in MNIST and Fashion-MNIST) or `'test'` (10000). Default `'train'`. */
  split?: 'train' | 'test';
}

/** An MNIST-style split: images uint8 [n, rows, cols] and labels int64 [n]. */
export interface MnistSplit {
  images: Tensor;
  labels: Tensor;
}

/**
 * Read an MNIST-style data set (MNIST, Fashion-MNIST, KMNIST, ...) from `dir`: the files
 * `train-images-idx3-ubyte` and `train-labels-idx1-ubyte` (or `t10k-...` for the test split),
 * each raw or with `.gz`. Images stay uint8 (scale them with `data.scale`), labels are int64.
 *
 * @example
 * ```ts
 * import { loadMnistLike } from 'paoding/node';
 * try {
 *   loadMnistLike('/nonexistent', { split: 'test' });
 * } catch (e) {
 *   console.log((e as Error).message.split('\n')[0]); // loadMnistLike(): expected t10k-images-idx3-ubyte or t10k-images-idx3-ubyte.gz in /nonexistent, found neither.
 * }
 * ```
 */
export function loadMnistLike(dir: string, opts: MnistOptions = {}): MnistSplit {
  if (typeof dir !== 'string') throw new TypeError(`loadMnistLike(): dir must be a string, got ${typeof dir}`);
  for (const k of Object.keys(opts)) if (k !== 'split') throw new TypeError(`loadMnistLike(): unknown option '${k}' (expected split)`);
  const split = opts.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw new RangeError(`loadMnistLike(): split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = readIdx(findFile(dir, `${prefix}-images-idx3-ubyte`));
  const labels = readIdx(findFile(dir, `${prefix}-labels-idx1-ubyte`));
  if (images.dim() !== 3 || images.dtype !== 'uint8') {
    throw new RangeError(`loadMnistLike(): ${prefix}-images in ${dir} should hold uint8 images of shape [n, rows, cols], got ${images.dtype} of shape [${images.shape.join(', ')}]`);
  }
  if (labels.dim() !== 1) throw new RangeError(`loadMnistLike(): ${prefix}-labels in ${dir} should be one-dimensional, got shape [${labels.shape.join(', ')}]`);
  if (labels.shape[0] !== images.shape[0]) {
    throw new RangeError(`loadMnistLike(): ${dir} has ${images.shape[0]} ${split} images but ${labels.shape[0]} labels`);
  }
  return { images, labels };
}

function findFile(dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`]) {
    const p = join(dir, candidate);
    if (existsSync(p)) return p;
  }
  throw new Error(
    `loadMnistLike(): expected ${name} or ${name}.gz in ${resolve(dir)}, found neither.\n` +
      `Fashion-MNIST ships with Debian and Ubuntu: \`apt install dataset-fashion-mnist\` puts it in ${DEBIAN_FASHION_MNIST_DIR}; ` +
      'files in the same format from elsewhere work too (set PAODING_FASHION_MNIST or pass the directory). paoding never downloads anything.',
  );
}

/**
 * The Fashion-MNIST directory: `dir` if given, else the environment variable
 * `PAODING_FASHION_MNIST`, else where Debian's `dataset-fashion-mnist` installs it,
 * `/usr/share/datasets/fashion-mnist`. It only names the place; {@link loadMnistLike} reads it.
 *
 * @example
 * ```ts
 * import { fashionMnistDir } from 'paoding/node';
 * console.log(fashionMnistDir('/data/fashion')); // /data/fashion
 * ```
 */
export function fashionMnistDir(dir?: string): string {
  return dir ?? (process.env.PAODING_FASHION_MNIST || DEBIAN_FASHION_MNIST_DIR);
}

/**
 * Fashion-MNIST's train or test split, from {@link fashionMnistDir}`(dir)`: images uint8
 * [n, 28, 28], labels int64 [n] (class names in `data.FASHION_MNIST_CLASSES`).
 *
 * @example
 * ```ts
 * import { data } from 'paoding';
 * import { loadFashionMnist } from 'paoding/node';
 * try {
 *   const { images, labels } = loadFashionMnist({ split: 'test' });
 *   const x = data.scale(images).reshape(-1, 784); // float32 [10000, 784], values in [0, 1]
 *   const names = labels.tolist().slice(0, 3).map((c) => data.FASHION_MNIST_CLASSES[c as number]);
 * } catch (e) {
 *   // Not installed: the message says which file was expected where, and how to install it.
 * }
 * ```
 */
export function loadFashionMnist(opts: MnistOptions & { dir?: string } = {}): MnistSplit {
  const { dir, ...rest } = opts;
  return loadMnistLike(fashionMnistDir(dir), rest);
}

/**
 * Save a module's parameters and buffers to a safetensors file, under PyTorch's names, so that
 * `safetensors.torch.load_file(path)` in Python gives the state dict of the matching PyTorch
 * model. The file is written to a temporary name first and then renamed, so an existing file is
 * never left half-written.
 *
 * @example
 * ```ts
 * import { nn } from 'paoding';
 * import { save, load } from 'paoding/node';
 * const path = `${process.env.TMPDIR ?? '/tmp'}/paoding-example-prelu.safetensors`;
 * save(new nn.PReLU({ init: 0.3 }), path);
 * const restored = new nn.PReLU();
 * load(restored, path);
 * console.log(restored.weight.tolist()); // [ 0.30000001192092896 ]
 * ```
 */
export function save(module: Module, path: string, metadata: Readonly<Record<string, string>> | null = { format: 'pt' }): void {
  if (typeof path !== 'string') throw new TypeError(`save(): path must be a string, got ${typeof path}`);
  const bytes = stateDictToSafetensors(module, metadata);
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`save(): cannot write ${path}: ${(e as Error).message}`);
  }
}

/**
 * Load a safetensors file into a module's parameters and buffers (see
 * `io.loadSafetensorsInto`): all names and shapes are checked before anything is copied, so a
 * mismatched file leaves the module untouched. `strict: false` allows missing and unexpected
 * names; the result lists them.
 *
 * @example
 * ```ts
 * import { nn } from 'paoding';
 * import { save, load } from 'paoding/node';
 * const path = `${process.env.TMPDIR ?? '/tmp'}/paoding-example-load.safetensors`;
 * save(new nn.PReLU({ numParameters: 3 }), path);
 * try {
 *   load(new nn.PReLU(), path); // one slope, but the file has three
 * } catch (e) {
 *   console.log((e as Error).message.split('\n')[1]!.trim()); // size mismatch for weight: copying a param with shape torch.Size([3]) from checkpoint, the shape in current model is torch.Size([1]).
 * }
 * console.log(load(new nn.PReLU({ numParameters: 3 }), path)); // { missingKeys: [], unexpectedKeys: [] }
 * ```
 */
export function load(module: Module, path: string, opts: { strict?: boolean } = {}): LoadResult {
  if (typeof path !== 'string') throw new TypeError(`load(): path must be a string, got ${typeof path}`);
  return loadSafetensorsInto(module, readBytes(path, 'load()'), { ...opts, source: path });
}

export { loadNative, native, nativeConfig, nativeStats, nativeStatus } from './native.js';
export type { NativeInfo, NativeStatus } from './native.js';
