/**
 * Data loading: inflate/gunzip (against node:zlib), the IDX format, MNIST-style directories (the
 * real Fashion-MNIST only where Debian's dataset-fashion-mnist is installed), the synthetic data
 * sets, DataLoader order against PyTorch (test/fixtures/data.json, written by
 * tools/fixtures/generate_data.py), standardisation and scaling.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, deflateRawSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { arange, data, Generator, manualSeed, rand, tensor, type Tensor } from '../src/index.js';
import { crc32 } from '../src/data/inflate.js';
import { DEBIAN_FASHION_MNIST_DIR, fashionMnistDir, loadFashionMnist, loadMnistLike, readIdx } from '../src/node/index.js';

interface LoaderCase {
  name: string;
  n: number;
  batchSize: number;
  shuffle: boolean;
  dropLast: boolean;
  seed: number;
  generatorSeed: number | null;
  breakAfter: number | null;
  length: number;
  epochs: number[][][];
  after: number[];
  generatorAfter: number[] | null;
}

interface Fixture {
  loaders: LoaderCase[];
  splits: { name: string; n: number; lengths: number[]; seed: number; generatorSeed: number | null; indices: number[][] }[];
  pixels: number[];
  synthetic: { name: string; kind: string; n: number; noise: number; seed: number; x: number[]; y: number[] }[];
  defaultSeeds: { seed: number; drawn: string }[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/data.json', import.meta.url), 'utf8')) as Fixture;

const scratch = mkdtempSync(join(tmpdir(), 'paoding-data-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function flat(t: Tensor): number[] {
  return Array.from(t.toTypedArray() as ArrayLike<number>);
}

/** A deterministic byte pattern: random-looking, runs, or text-like, for compression tests. */
function bytes(n: number, kind: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < n; i++) {
    if (kind === 0) out[i] = next() * 256;
    else if (kind === 1) out[i] = next() < 0.9 ? 0 : next() * 256;
    else out[i] = 'the quick brown fox jumps over the lazy dog '.charCodeAt(i % 44) ^ (next() < 0.02 ? 1 : 0);
  }
  return out;
}

describe('inflate and gunzip', () => {
  it('decompress what zlib compresses: stored, fixed and dynamic blocks, every level', () => {
    for (const [kind, n] of [
      [0, 0],
      [0, 1],
      [0, 70_000],
      [1, 100_000],
      [2, 50_000],
      [2, 333],
    ] as const) {
      const input = bytes(n, kind, n + kind);
      for (const level of [0, 1, 9]) {
        for (const strategy of [constants.Z_DEFAULT_STRATEGY, constants.Z_FIXED, constants.Z_HUFFMAN_ONLY]) {
          const raw = deflateRawSync(input, { level, strategy });
          const { data: out, end } = data.inflateRaw(raw);
          expect(end).toBe(raw.length);
          expect(Buffer.compare(Buffer.from(out), Buffer.from(input)), `kind ${kind}, n ${n}, level ${level}, strategy ${strategy}`).toBe(0);
          const gz = gzipSync(input, { level, strategy });
          expect(Buffer.compare(Buffer.from(data.gunzip(gz)), Buffer.from(input))).toBe(0);
        }
      }
    }
  });

  it('computes gzip CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('reads concatenated members and the optional header fields', () => {
    const a = bytes(1000, 2, 1);
    const b = bytes(500, 0, 2);
    const joined = new Uint8Array([...gzipSync(a), ...gzipSync(b)]);
    expect(Buffer.from(data.gunzip(joined)).equals(Buffer.concat([a, b]))).toBe(true);
    // A header with FEXTRA, FNAME, FCOMMENT and FHCRC (flags 4 | 8 | 16 | 2), built by hand.
    const plain = gzipSync(a);
    const header = [0x1f, 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3, 3, 0, 1, 2, 3, ...Buffer.from('name\0'), ...Buffer.from('comment\0'), 0xaa, 0xbb];
    const withFields = new Uint8Array([...header, ...plain.subarray(10)]);
    expect(Buffer.from(data.gunzip(withFields)).equals(Buffer.from(a))).toBe(true);
  });

  it('rejects corrupt data with the reason and a byte offset', () => {
    const input = bytes(5000, 2, 3);
    const gz = gzipSync(input);
    const badCrc = Uint8Array.from(gz);
    badCrc[gz.length - 8] ^= 0xff;
    expect(() => data.gunzip(badCrc, 'x.gz')).toThrow(/x\.gz: gzip CRC-32 mismatch \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8} over 5000 bytes\)/);
    const badSize = Uint8Array.from(gz);
    badSize[gz.length - 1] ^= 0x01;
    expect(() => data.gunzip(badSize)).toThrow(/gzip size mismatch/);
    expect(() => data.gunzip(gz.subarray(0, gz.length - 4))).toThrow(/trailer .* is missing/);
    expect(() => data.gunzip(gz.subarray(0, gz.length / 2))).toThrow(/compressed data ends early/);
    expect(() => data.gunzip(new Uint8Array([0x1f, 0x8b, 9, 0, 0, 0, 0, 0, 0, 3]))).toThrow(/unknown gzip compression method 9 at byte 2/);
    expect(() => data.gunzip(new Uint8Array([1, 2, 3]))).toThrow(/not gzip data \(expected the magic bytes 1f 8b at byte 0\)/);
    expect(() => data.inflateRaw(new Uint8Array([0xff]))).toThrow(/invalid block type 3/);
    // A stored block whose length and complement disagree.
    expect(() => data.inflateRaw(new Uint8Array([1, 5, 0, 0, 0]))).toThrow(/stored block length 5 does not match its complement at byte 1/);
    // A fixed block whose first symbol copies from before the start of the output.
    expect(() => data.inflateRaw(new Uint8Array([0x03, 0x02]))).toThrow(/reaches before the start of the output/);
    // Corrupting bytes inside a dynamic block never hangs: it throws or checks the CRC.
    const big = gzipSync(bytes(20_000, 2, 9));
    for (let at = 20; at < big.length - 8; at += 97) {
      const bad = Uint8Array.from(big);
      bad[at] ^= 0x5a;
      expect(() => data.gunzip(bad)).toThrow();
    }
  });
});

/** IDX bytes built by hand: magic, big-endian sizes, then the values with a DataView setter. */
function idxBytes(code: number, shape: number[], values: number[]): Uint8Array {
  const size = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 }[code]!;
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + size * values.length);
  const v = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((s, d) => v.setUint32(4 + 4 * d, s));
  values.forEach((x, i) => {
    const at = header + size * i;
    if (code === 8) v.setUint8(at, x);
    else if (code === 9) v.setInt8(at, x);
    else if (code === 11) v.setInt16(at, x);
    else if (code === 12) v.setInt32(at, x);
    else if (code === 13) v.setFloat32(at, x);
    else v.setFloat64(at, x);
  });
  return out;
}

describe('IDX', () => {
  const cases = [
    { code: 0x08, values: [0, 1, 127, 128, 254, 255], dtype: 'uint8' },
    { code: 0x09, values: [-128, -1, 0, 1, 100, 127], dtype: 'int32' },
    { code: 0x0b, values: [-32768, -300, 0, 1, 300, 32767], dtype: 'int32' },
    { code: 0x0c, values: [-(2 ** 31), -70000, 0, 1, 70000, 2 ** 31 - 1], dtype: 'int32' },
    { code: 0x0d, values: [-1.5, 0, -0, 0.1, Infinity, NaN].map(Math.fround), dtype: 'float32' },
    { code: 0x0e, values: [-1.5, 0, -0, 0.1, 1e-300, -Infinity], dtype: 'float64' },
  ] as const;

  for (const c of cases) {
    it(`reads type code 0x${c.code.toString(16).padStart(2, '0')} raw and gzipped`, () => {
      const raw = idxBytes(c.code, [2, 3], [...c.values]);
      for (const input of [raw, new Uint8Array(gzipSync(raw))]) {
        const t = data.parseIdx(input);
        expect(t.dtype).toBe(c.dtype);
        expect(t.shape).toEqual([2, 3]);
        flat(t).forEach((v, i) => expect(Object.is(v, c.values[i]) || (Number.isNaN(v) && Number.isNaN(c.values[i]!))).toBe(true));
      }
      // One dimension: labels, int64 for integer types (as torchvision's MNIST).
      const labels = data.parseIdx(idxBytes(c.code, [6], [...c.values]));
      expect(labels.dtype).toBe(c.code >= 0x0d ? c.dtype : 'int64');
      // encodeIdx writes it back (integers in the narrowest type that holds them).
      const again = data.parseIdx(data.encodeIdx(data.parseIdx(raw)));
      expect(again.dtype).toBe(c.dtype === 'int32' && c.code === 0x09 ? 'int32' : c.dtype);
      expect(flat(again)).toEqual(flat(data.parseIdx(raw)));
    });
  }

  it('honours a dtype override, zero dimensions and empty data', () => {
    expect(data.parseIdx(idxBytes(8, [3], [1, 2, 3]), { dtype: 'uint8' }).dtype).toBe('uint8');
    expect(data.parseIdx(idxBytes(8, [1, 2], [1, 2]), { dtype: 'float32' }).tolist()).toEqual([[1, 2]]);
    const scalar = data.parseIdx(idxBytes(0x0e, [], [2.5]));
    expect(scalar.shape).toEqual([]);
    expect(scalar.item()).toBe(2.5);
    expect(data.parseIdx(idxBytes(8, [0, 28, 28], [])).shape).toEqual([0, 28, 28]);
  });

  it('rejects a bad magic, an unknown type, truncation and extra bytes, saying where', () => {
    const good = idxBytes(8, [2, 2], [1, 2, 3, 4]);
    const magic = Uint8Array.from(good);
    magic[0] = 0x1a;
    expect(() => data.parseIdx(magic, { source: 'f.idx' })).toThrow(/^f\.idx: bad magic number 0x1A000802 at byte 0/);
    const type = Uint8Array.from(good);
    type[2] = 0x0a;
    expect(() => data.parseIdx(type)).toThrow(/unknown IDX type code 0x0A at byte 2/);
    expect(() => data.parseIdx(good.subarray(0, 3))).toThrow(/3 bytes is too short/);
    expect(() => data.parseIdx(good.subarray(0, 10))).toThrow(/truncated header: 2 dimensions need 12 header bytes, but the data has 10/);
    expect(() => data.parseIdx(good.subarray(0, 15))).toThrow(/truncated data: shape \[2, 2\] of unsigned byte needs 4 bytes after the 12-byte header \(16 in all\), but the data has 15/);
    expect(() => data.parseIdx(new Uint8Array([...good, 0, 0]))).toThrow(/wrong size: .* takes 16 bytes in all, but the data has 18 \(2 extra bytes from byte 16\)/);
    expect(() => data.parseIdx(new Uint8Array(gzipSync(good.subarray(0, 15))), { source: 'g.gz' })).toThrow(/^g\.gz \(after gunzip\): truncated data/);
    // A huge declared size fails cleanly instead of allocating.
    expect(() => data.parseIdx(idxBytes(0x0e, [65535, 65535, 65535], []))).toThrow(/truncated data/);
    expect(() => data.parseIdx([0, 0, 8, 1] as unknown as Uint8Array)).toThrow(/expected the file's bytes as a Uint8Array, got Array/);
  });
});

describe('MNIST-style directories (paoding/node)', () => {
  function writeSplit(dir: string, prefix: string, n: number, gz: boolean): void {
    mkdirSync(dir, { recursive: true });
    const images = idxBytes(8, [n, 2, 3], Array.from({ length: n * 6 }, (_, i) => i % 256));
    const labels = idxBytes(8, [n], Array.from({ length: n }, (_, i) => i % 10));
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte${gz ? '.gz' : ''}`), gz ? gzipSync(images) : images);
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte${gz ? '.gz' : ''}`), gz ? gzipSync(labels) : labels);
  }

  it('reads raw and gzipped files, train and test', () => {
    const dir = join(scratch, 'mnist');
    writeSplit(dir, 'train', 12, true);
    writeSplit(dir, 't10k', 5, false);
    const train = loadMnistLike(dir);
    expect(train.images.shape).toEqual([12, 2, 3]);
    expect(train.images.dtype).toBe('uint8');
    expect(train.labels.dtype).toBe('int64');
    expect(flat(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const test = loadMnistLike(dir, { split: 'test' });
    expect(test.images.shape).toEqual([5, 2, 3]);
    expect(readIdx(join(dir, 't10k-labels-idx1-ubyte')).tolist()).toEqual([0, 1, 2, 3, 4]);
  });

  it('says which file it expected where, and how to get Fashion-MNIST, when one is missing', () => {
    const dir = join(scratch, 'empty');
    mkdirSync(dir, { recursive: true });
    expect(() => loadMnistLike(dir)).toThrow(/expected train-images-idx3-ubyte or train-images-idx3-ubyte\.gz in .*empty, found neither/);
    expect(() => loadMnistLike(dir)).toThrow(/apt install dataset-fashion-mnist/);
    expect(() => loadMnistLike(dir, { split: 'valid' as 'test' })).toThrow(/split must be 'train' or 'test'/);
    expect(() => readIdx(join(dir, 'nope'))).toThrow(/readIdx\(\): cannot read .*nope: no such file/);
    // Mismatched counts.
    const bad = join(scratch, 'bad');
    writeSplit(bad, 'train', 4, false);
    writeFileSync(join(bad, 'train-labels-idx1-ubyte'), idxBytes(8, [3], [1, 2, 3]));
    expect(() => loadMnistLike(bad)).toThrow(/has 4 train images but 3 labels/);
  });

  it('finds Fashion-MNIST from an argument, PAODING_FASHION_MNIST, or the Debian location', () => {
    const saved = process.env.PAODING_FASHION_MNIST;
    try {
      delete process.env.PAODING_FASHION_MNIST;
      expect(fashionMnistDir()).toBe(DEBIAN_FASHION_MNIST_DIR);
      process.env.PAODING_FASHION_MNIST = join(scratch, 'mnist');
      expect(fashionMnistDir()).toBe(join(scratch, 'mnist'));
      expect(loadFashionMnist({ split: 'test' }).images.shape).toEqual([5, 2, 3]);
      expect(fashionMnistDir('/x')).toBe('/x');
    } finally {
      if (saved === undefined) delete process.env.PAODING_FASHION_MNIST;
      else process.env.PAODING_FASHION_MNIST = saved;
    }
  });

  const real = DEBIAN_FASHION_MNIST_DIR;
  it.skipIf(!existsSync(join(real, 'train-images-idx3-ubyte.gz')))('reads the real Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
    for (const [split, n] of [
      ['train', 60000],
      ['test', 10000],
    ] as const) {
      const { images, labels } = loadMnistLike(real, { split });
      expect(images.shape).toEqual([n, 28, 28]);
      expect(images.dtype).toBe('uint8');
      expect(labels.shape).toEqual([n]);
      const counts = new Array(10).fill(0);
      for (const v of flat(labels)) counts[v]++;
      expect(counts).toEqual(new Array(10).fill(n / 10));
      // Pixels span the full byte range; the first training image is an ankle boot (label 9).
      const px = images.toTypedArray() as Uint8Array;
      expect(Math.max(...px.subarray(0, 784 * 10))).toBe(255);
      if (split === 'train') expect(data.FASHION_MNIST_CLASSES[flat(labels)[0]!]).toBe('Ankle boot');
    }
  });
});

describe('synthetic data sets', () => {
  const sets = { circle: data.circle, xor: data.xor, gaussian: data.gaussian, spiral: data.spiral, moons: data.moons } as const;

  it('have the documented shapes, dtypes and balanced classes', () => {
    for (const [name, make] of Object.entries(sets)) {
      for (const n of [0, 1, 7, 200]) {
        const { x, y } = make(n, { noise: 0.1, seed: 3 });
        expect(x.shape, name).toEqual([n, 2]);
        expect(x.dtype).toBe('float32');
        expect(y.shape).toEqual([n]);
        expect(y.dtype).toBe('int64');
        expect(flat(y).filter((v) => v === 1).length).toBe(Math.floor(n / 2));
      }
    }
    const s = data.sine(9, { seed: 1 });
    expect([s.x.shape, s.y.shape, s.y.dtype]).toEqual([[9, 1], [9, 1], 'float32']);
    const l = data.linear(4, { weight: [1, 2, 3], seed: 1 });
    expect([l.x.shape, l.y.shape]).toEqual([
      [4, 3],
      [4, 1],
    ]);
  });

  it('follow the documented formulas, on the generator draws PyTorch makes (fixture)', () => {
    for (const c of fixture.synthetic) {
      const make = (data as unknown as Record<string, (n: number, o: object) => { x: Tensor; y: Tensor }>)[c.kind]!;
      const { x, y } = make(c.n, { noise: c.noise, seed: c.seed });
      const xs = flat(x);
      // Within 2 float32 ulps: Math.cos and Python's cos may differ in the last float64 bit.
      xs.forEach((v, i) => expect(Math.abs(v - c.x[i]!), `${c.name} x[${i}]`).toBeLessThanOrEqual(2 * 2 ** -23 * Math.max(1, Math.abs(c.x[i]!))));
      const ys = flat(y);
      ys.forEach((v, i) => expect(Math.abs(v - c.y[i]!), `${c.name} y[${i}]`).toBeLessThanOrEqual(2 * 2 ** -23 * Math.max(1, Math.abs(c.y[i]!))));
    }
  });

  it('are deterministic for a seed, differ between seeds, and leave the default generator alone', () => {
    manualSeed(5);
    const before = rand([2]).tolist();
    manualSeed(5);
    const a = data.moons(50, { noise: 0.2, seed: 9 });
    const b = data.moons(50, { noise: 0.2, seed: 9n });
    expect(rand([2]).tolist()).toEqual(before);
    expect(flat(a.x)).toEqual(flat(b.x));
    expect(flat(data.moons(50, { noise: 0.2, seed: 10 }).x)).not.toEqual(flat(a.x));
  });

  it('seed themselves from the default generator when no seed is given', () => {
    for (const { seed, drawn } of fixture.defaultSeeds) {
      manualSeed(seed);
      const implicit = data.spiral(30, { noise: 0.1 });
      const explicit = data.spiral(30, { noise: 0.1, seed: BigInt(drawn) });
      expect(flat(implicit.x)).toEqual(flat(explicit.x));
    }
    manualSeed(0);
    expect(flat(data.circle(10).x)).not.toEqual(flat(data.circle(10).x));
  });

  it('move the same points when only the noise changes', () => {
    const clean = data.circle(100, { seed: 4 });
    const noisy = data.circle(100, { seed: 4, noise: 0.3 });
    const d = flat(noisy.x).map((v, i) => v - flat(clean.x)[i]!);
    const sd = Math.sqrt(d.reduce((s, v) => s + v * v, 0) / d.length);
    expect(sd).toBeGreaterThan(0.2);
    expect(sd).toBeLessThan(0.4);
    // Without noise the classes are separated: the disc within 0.5, the ring from 0.7 on.
    const r = flat(clean.x.square().sum(1).sqrt());
    flat(clean.y).forEach((c, i) => expect(c === 0 ? r[i]! <= 0.5 + 1e-6 : r[i]! >= 0.7 - 1e-6).toBe(true));
  });

  it('reject bad arguments', () => {
    expect(() => data.circle(-1)).toThrow(/n must be a non-negative integer, got -1/);
    expect(() => data.circle(2.5)).toThrow(/non-negative integer/);
    expect(() => data.xor(10, { noise: -1 })).toThrow(/noise must be a finite number >= 0, got -1/);
    expect(() => data.moons(10, { nois: 1 } as object)).toThrow(/unknown option 'nois' \(expected noise, seed\)/);
    expect(() => data.moons(10, { weight: [1] } as object)).toThrow(/unknown option 'weight'/);
    expect(() => data.linear(10, { weight: [] })).toThrow(/weight must be a non-empty array/);
    expect(() => data.spiral(3, { seed: 1.5 })).toThrow(/seed must be an integer/);
  });
});

describe('DataLoader', () => {
  for (const c of fixture.loaders) {
    it(`reproduces PyTorch's order: ${c.name}`, () => {
      manualSeed(c.seed);
      const g = c.generatorSeed === null ? undefined : new Generator(c.generatorSeed);
      const loader = new data.DataLoader(new data.TensorDataset(arange(c.n)), { batchSize: c.batchSize, shuffle: c.shuffle, dropLast: c.dropLast, generator: g });
      expect(loader.length).toBe(c.length);
      for (const [e, expected] of c.epochs.entries()) {
        const got: number[][] = [];
        for (const [b] of loader) {
          expect(b.dtype).toBe('int64');
          got.push(flat(b));
          if (c.breakAfter !== null && got.length === c.breakAfter) break;
        }
        expect(got, `epoch ${e}`).toEqual(expected);
      }
      // The same number of draws as PyTorch: the default stream (and the loader's generator) continue alike.
      expect(rand([3]).tolist()).toEqual(c.after);
      if (g !== undefined) expect(rand([3], { generator: g }).tolist()).toEqual(c.generatorAfter);
    });
  }

  it('gathers rows of every tensor, of any layout, keeping dtypes', () => {
    const x = arange(24).reshape(6, 4).float();
    const y = tensor([0, 1, 2, 3, 4, 5], { dtype: 'int64' });
    const m = tensor(new Uint8Array([1, 0, 1, 1, 0, 0]), { dtype: 'bool' });
    const loader = new data.DataLoader(new data.TensorDataset(x, y, m), { batchSize: 4 });
    const batches = [...loader];
    expect(batches.length).toBe(2);
    const [xb, yb, mb] = batches[1]!;
    expect(xb.tolist()).toEqual([
      [16, 17, 18, 19],
      [20, 21, 22, 23],
    ]);
    expect([xb.dtype, yb.dtype, mb.dtype]).toEqual(['float32', 'int64', 'bool']);
    expect(mb.tolist()).toEqual([false, false]);
    expect(xb.isContiguous()).toBe(true);
    // A transposed tensor (rows not contiguous), a stepped slice, and 3-D rows of 64 elements.
    const t = arange(12).reshape(3, 4).t();
    expect(new data.TensorDataset(t).getBatch([3, 0])[0]!.tolist()).toEqual([
      [3, 7, 11],
      [0, 4, 8],
    ]);
    const stepped = arange(20).reshape(10, 2).slice(0, 1, 10, 3);
    expect(new data.TensorDataset(stepped).getBatch([2, 0])[0]!.tolist()).toEqual([
      [14, 15],
      [2, 3],
    ]);
    const big = arange(5 * 64).reshape(5, 4, 16);
    const [gb] = new data.TensorDataset(big).getBatch([4, 1]);
    expect(gb!.shape).toEqual([2, 4, 16]);
    expect(flat(gb!)).toEqual([...flat(big.select(0, 4)), ...flat(big.select(0, 1))]);
  });

  it('collates items of any data set like default_collate', () => {
    const ds: data.Dataset<{ image: Tensor; label: number; name: string }> = {
      length: 5,
      get: (i) => ({ image: tensor([i, -i]), label: i, name: `item${i}` }),
    };
    const batches = [...new data.DataLoader(ds, { batchSize: 2, dropLast: true })];
    expect(batches.length).toBe(2);
    expect(batches[1]!.image.tolist()).toEqual([
      [2, -2],
      [3, -3],
    ]);
    expect(batches[1]!.label.dtype).toBe('int64');
    expect(batches[1]!.name).toEqual(['item2', 'item3']);
    expect(data.collate([0.5, 1]).dtype).toBe('float64');
    expect(data.collate([true, false]).dtype).toBe('bool');
    expect(() => data.collate([[1, 2], [3]])).toThrow(/each element in list of batch should be of equal size/);
    expect(() => data.collate([])).toThrow(/at least one item/);
  });

  it('gives batches of one by default, and drops only an incomplete last batch', () => {
    const ds = new data.TensorDataset(arange(5));
    expect([...new data.DataLoader(ds)].map(([b]) => b.tolist())).toEqual([[0], [1], [2], [3], [4]]);
    expect([...new data.DataLoader(ds, { batchSize: 2, dropLast: true })].map(([b]) => b.tolist())).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(new data.DataLoader(ds, { batchSize: 5, dropLast: true }).length).toBe(1);
    expect(new data.DataLoader(ds, { batchSize: 6, dropLast: true }).length).toBe(0);
    expect([...new data.DataLoader(ds, { batchSize: 6, dropLast: true })]).toEqual([]);
  });

  it('checks its arguments', () => {
    const ds = new data.TensorDataset(arange(3));
    expect(() => new data.DataLoader(ds, { batchSize: 0 })).toThrow(/batchSize should be a positive integer value, but got batchSize=0/);
    expect(() => new data.DataLoader(ds, { batch_size: 2 } as object)).toThrow(/unknown option 'batch_size'/);
    expect(() => new data.DataLoader({} as data.Dataset<number>)).toThrow(/expected a data set/);
    expect(() => new data.DataLoader(new data.TensorDataset(arange(0)), { shuffle: true })).toThrow(/num_samples=0/);
    expect(() => new data.TensorDataset(arange(3), arange(4))).toThrow(/size mismatch between tensors: tensor 0 has 3 rows \(shape \[3\]\) but tensor 1 has 4 \(shape \[4\]\)/);
    expect(() => new data.TensorDataset(tensor(1))).toThrow(/0-dimensional/);
    expect(() => ds.get(3)).toThrow(/index 3 is out of range for a data set of 3 items/);
    expect(ds.get(-1)[0]!.item()).toBe(2);
    expect(() => ds.getBatch([0, 7])).toThrow(/index 7 is out of range/);
    expect(ds.getBatch([-1, 0])[0]!.tolist()).toEqual([2, 0]);
  });

  it('batches Fashion-MNIST-sized data quickly', () => {
    const n = 60000;
    const pixels = new Uint8Array(n * 784);
    for (let i = 0; i < pixels.length; i++) pixels[i] = i % 251;
    const images = tensor(pixels, { shape: [n, 28, 28] });
    const labels = tensor(new Float64Array(n).map((_, i) => i % 10), { dtype: 'int64' });
    manualSeed(0);
    const loader = new data.DataLoader(new data.TensorDataset(images, labels), { batchSize: 64, shuffle: true });
    const start = performance.now();
    let seen = 0;
    for (const [xb] of loader) seen += xb.shape[0]!;
    expect(seen).toBe(n);
    expect(performance.now() - start).toBeLessThan(5000);
  });
});

describe('randomSplit and Subset', () => {
  for (const c of fixture.splits) {
    it(`reproduces random_split: ${c.name}`, () => {
      manualSeed(c.seed);
      const g = c.generatorSeed === null ? undefined : new Generator(c.generatorSeed);
      const parts = data.randomSplit(new data.TensorDataset(arange(c.n)), c.lengths, g);
      expect(parts.map((p) => p.indices)).toEqual(c.indices);
      // Items and batches come from the underlying data set.
      const first = parts[0]!;
      expect(first.get(0)[0]!.item()).toBe(c.indices[0]![0]);
      expect(flat(first.getBatch!([1, 0])[0]!)).toEqual([c.indices[0]![1], c.indices[0]![0]]);
    });
  }

  it('rejects lengths that do not add up', () => {
    expect(() => data.randomSplit(new data.TensorDataset(arange(10)), [3, 3])).toThrow(/sum of input lengths \(6\) does not equal the length of the input dataset \(10\)/);
    expect(() => new data.Subset(new data.TensorDataset(arange(3)), [5])).toThrow(/index 5 is out of range/);
  });
});

describe('standardize and scale', () => {
  it('standardises per feature to mean 0 and std 1, and applies given statistics', () => {
    const x = tensor(
      Float32Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 100 + Math.sin(i) : i % 3 === 1 ? 1e-3 * Math.cos(i) : 7)),
      { shape: [100, 3] },
    );
    const { x: z, mean, std } = data.standardize(x);
    expect(mean.shape).toEqual([3]);
    expect(std.shape).toEqual([3]);
    const zm = flat(z.mean(0));
    const zs = flat(z.std(0, { correction: 0 }));
    expect(Math.abs(zm[0]!)).toBeLessThan(1e-5);
    expect(Math.abs(zm[1]!)).toBeLessThan(1e-5);
    expect(Math.abs(zs[0]! - 1)).toBeLessThan(1e-5);
    expect(Math.abs(zs[1]! - 1)).toBeLessThan(1e-5);
    // The constant column: std 1 is used, the values become 0.
    expect(flat(std)[2]).toBe(1);
    expect(flat(z.select(1, 2)).every((v) => v === 0)).toBe(true);
    // Against a float64 computation of the same statistics.
    const col = flat(x.select(1, 0)).map(Number);
    const m = col.reduce((a, b) => a + b, 0) / col.length;
    const s = Math.sqrt(col.reduce((a, b) => a + (b - m) ** 2, 0) / col.length);
    expect(flat(mean)[0]).toBe(Math.fround(m));
    expect(flat(std)[0]).toBe(Math.fround(s));
    // The same statistics on other data: the same transformation.
    const again = data.standardize(x, { mean, std });
    expect(flat(again.x)).toEqual(flat(z));
    expect(flat(data.standardize(tensor([[100, 0, 7]]), { mean, std }).x)[2]).toBe(0);
    // Unbiased std on request.
    const unbiased = data.standardize(x, { correction: 1 });
    expect(flat(unbiased.std)[0]).toBeCloseTo(s * Math.sqrt(100 / 99), 4);
  });

  it('standardises over all elements, keeps float64, and turns integers into float32', () => {
    const x = tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    const r = data.standardize(x, { perFeature: false });
    expect(r.mean.shape).toEqual([]);
    expect(r.mean.item()).toBe(2.5);
    expect(r.std.item()).toBe(Math.sqrt(1.25));
    expect(r.x.dtype).toBe('float64');
    const pixels = data.standardize(tensor(new Uint8Array([0, 255, 255, 0]), { shape: [2, 2] }));
    expect(pixels.x.dtype).toBe('float32');
    expect(pixels.x.tolist()).toEqual([
      [-1, 1],
      [1, -1],
    ]);
    expect(data.standardize(tensor([[1, 2]]), { mean: 1, std: 2 }).x.tolist()).toEqual([[0, 0.5]]);
    expect(() => data.standardize(x, { mean: tensor([1, 2, 3]), std: 1 })).toThrow(/mean of shape \[3\] does not broadcast to the feature shape \[2\]/);
    expect(() => data.standardize(x, { mean: 1 })).toThrow(/give both mean and std/);
    expect(() => data.standardize(tensor([[1, 2]]), { correction: 1 })).toThrow(/1 samples are too few/);
  });

  it("scales pixels to [0, 1] exactly as torchvision's ToTensor (x / 255 in float32)", () => {
    const all = tensor(Uint8Array.from({ length: 256 }, (_, i) => i));
    const s = data.scale(all);
    expect(s.dtype).toBe('float32');
    flat(s).forEach((v, i) => expect(Object.is(v, fixture.pixels[i])).toBe(true));
  });

  it('scales min-max by default, and between given ranges', () => {
    expect(data.scale(tensor([2, 4, 6])).tolist()).toEqual([0, 0.5, 1]);
    expect(data.scale(tensor([0, 5, 10], { dtype: 'float64' }), { from: [0, 10], to: [-1, 1] }).tolist()).toEqual([-1, 0, 1]);
    expect(data.scale(tensor([3, 3])).tolist()).toEqual([0, 0]);
    expect(data.scale(tensor(new Uint8Array([0, 255])), { dtype: 'float64' }).dtype).toBe('float64');
    expect(() => data.scale(tensor([1]), { to: [0] as unknown as [number, number] })).toThrow(/to must be a pair of finite numbers/);
  });
});
