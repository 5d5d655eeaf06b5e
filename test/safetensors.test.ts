/**
 * safetensors: round trips for every dtype, files written by PyTorch with the reference
 * implementation (test/fixtures/safetensors/, from tools/fixtures/generate_safetensors.py)
 * decoded, reproduced byte for byte, and loaded into a matching model that then gives PyTorch's
 * outputs; corrupt files of each kind; mismatched models left untouched; save/load of files.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { io, nn, ones, randn, tensor, type Tensor, zeros } from '../src/index.js';
import { load, save } from '../src/node/index.js';
import { decodeValues, type Encoded } from './helpers/tensor_fixture.js';

const dir = new URL('./fixtures/safetensors/', import.meta.url);
const fileBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, dir)));

/** A tensor as the fixture stores it, with its safetensors dtype name. */
interface Stored {
  dtype: string;
  shape: number[];
  values: (number | boolean | string)[];
}

interface SafetensorsFixture {
  writer: string;
  model: { keys: string[]; shapes: Record<string, number[]>; x: Stored; y: Stored };
  dtypes: Record<string, Stored>;
}

/** The stored values as numbers (NaN and infinities are strings in the JSON). */
const values = (e: Stored): number[] => decodeValues({ ...e, dtype: 'float64' } as Encoded);
const fixture = JSON.parse(readFileSync(new URL('safetensors.json', dir), 'utf8')) as SafetensorsFixture;

const scratch = mkdtempSync(join(tmpdir(), 'paoding-st-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function flat(t: Tensor): number[] {
  return Array.from(t.toTypedArray() as ArrayLike<number>);
}

function same(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i]!)));
}

/** Bytes of a file with the given header object and data (header padded as the format wants). */
function craft(header: unknown, data: number[] | Uint8Array = [], opts: { headerText?: string; pad?: boolean } = {}): Uint8Array {
  let text = opts.headerText ?? JSON.stringify(header);
  if (opts.pad !== false) text += ' '.repeat((8 - (new TextEncoder().encode(text).length % 8)) % 8);
  const h = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

// A linear layer written here so that this test depends only on Module and Parameter.
class Linear extends nn.Module {
  weight: nn.Parameter;
  bias: nn.Parameter;
  constructor(inFeatures: number, outFeatures: number) {
    super();
    this.weight = new nn.Parameter(randn([outFeatures, inFeatures]));
    this.bias = new nn.Parameter(randn([outFeatures]));
  }
  forward(x: Tensor): Tensor {
    return x.matmul(this.weight.t()).add(this.bias);
  }
}

// The model of tools/fixtures/generate_safetensors.py, with PyTorch's attribute names.
class Net extends nn.Module {
  declare scale: Tensor;
  declare steps: Tensor;
  fc1: Linear;
  act: nn.PReLU;
  fc2: Linear;
  constructor(hidden = 8, out = 3) {
    super();
    this.fc1 = new Linear(2, hidden);
    this.act = new nn.PReLU({ numParameters: hidden });
    this.fc2 = new Linear(hidden, out);
    this.registerBuffer('scale', ones([2]));
    this.registerBuffer('steps', tensor(0, { dtype: 'int64' }));
  }
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x.mul(this.scale))));
  }
}

function snapshot(m: nn.Module): Map<string, number[]> {
  return new Map([...m.stateDict().entries()].map(([k, t]) => [k, flat(t)] as [string, number[]]));
}

describe('round trips', () => {
  const cases: [string, Tensor][] = [
    ['float32', tensor(new Float32Array([0, -0, 1.5, -2.25, 1e-45, 3.4028234663852886e38, Infinity, -Infinity, NaN, 0.1]), { shape: [2, 5] })],
    ['float64', tensor(new Float64Array([0, -0, Math.PI, 5e-324, -1.7976931348623157e308, NaN, Infinity, 1e-300]), { shape: [2, 2, 2] })],
    ['int64', tensor([0, -1, 1, 2 ** 53 - 1, -(2 ** 53 - 1), 4294967296, -4294967297, 123456789012345], { dtype: 'int64' })],
    ['int32', tensor(new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0, -5, 5, 65536]), { shape: [3, 2] })],
    ['uint8', tensor(new Uint8Array([0, 1, 127, 128, 255]))],
    ['bool', tensor([[true, false], [false, true]])],
    ['0-dim float32', tensor(2.5)],
    ['empty float32', zeros([0, 3])],
    ['empty int64', zeros([2, 0], { dtype: 'int64' })],
  ];
  for (const [name, t] of cases) {
    it(`keeps ${name} values, dtype and shape`, () => {
      const bytes = io.serializeSafetensors({ t });
      expect((bytes[0]! | (bytes[1]! << 8)) % 8).toBe(0); // the data starts 8-aligned
      const back = io.parseSafetensors(bytes).get('t')!;
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(same(flat(back), flat(t))).toBe(true);
    });
  }

  it('keeps names (any Unicode), metadata and non-contiguous inputs', () => {
    const t = randn([3, 4]).t();
    const names = { 'layer.0.weight': t, 'ünïcødé 🙂': ones([1]), z: tensor([1], { dtype: 'int64' }) };
    const bytes = io.serializeSafetensors(names, { format: 'pt', note: 'π ≈ 3.14' });
    const header = io.parseSafetensorsHeader(bytes);
    expect(header.metadata).toEqual({ format: 'pt', note: 'π ≈ 3.14' });
    expect(header.dataStart % 8).toBe(0);
    const back = io.parseSafetensors(bytes);
    expect([...back.keys()].sort()).toEqual(Object.keys(names).sort());
    expect(flat(back.get('layer.0.weight')!)).toEqual(flat(t.contiguous()));
    expect(io.parseSafetensorsHeader(io.serializeSafetensors(new Map([['a', ones([1])]]))).metadata).toBeNull();
    // [name, tensor] pairs work too, as namedParameters() gives them.
    expect(io.parseSafetensors(io.serializeSafetensors([['p', ones([2])]])).get('p')!.tolist()).toEqual([1, 1]);
  });

  it('rejects what it cannot write', () => {
    expect(() => io.serializeSafetensors({ __metadata__: ones([1]) })).toThrow(/'__metadata__' is reserved/);
    expect(() => io.serializeSafetensors([['a', ones([1])], ['a', ones([1])]])).toThrow(/duplicate tensor name 'a'/);
    expect(() => io.serializeSafetensors({ a: [1, 2] as unknown as Tensor })).toThrow(/value of 'a' must be a Tensor/);
    expect(() => io.serializeSafetensors({ a: ones([1]) }, { n: 1 as unknown as string })).toThrow(/metadata value of 'n' must be a string/);
  });
});

describe('files written by PyTorch', () => {
  it(`decodes every dtype of dtypes.safetensors (${fixture.writer})`, () => {
    const tensors = io.parseSafetensors(fileBytes('dtypes.safetensors'));
    expect([...tensors.keys()].sort()).toEqual(Object.keys(fixture.dtypes).sort());
    const paodingDtype: Record<string, string> = { F32: 'float32', F64: 'float64', I64: 'int64', I32: 'int32', U8: 'uint8', BOOL: 'bool', F16: 'float32', BF16: 'float32', I8: 'int32', I16: 'int32' };
    for (const [name, e] of Object.entries(fixture.dtypes)) {
      const t = tensors.get(name)!;
      expect(t.dtype, name).toBe(paodingDtype[e.dtype]);
      expect(t.shape, name).toEqual(e.shape);
      const want = values(e);
      expect(same(flat(t), want), `${name}: ${JSON.stringify(flat(t))} vs ${JSON.stringify(want)}`).toBe(true);
    }
  });

  it('writes the same bytes as the reference implementation', () => {
    for (const name of ['writable.safetensors', 'model.safetensors']) {
      const original = fileBytes(name);
      const again = io.serializeSafetensors(io.parseSafetensors(original), io.parseSafetensorsHeader(original).metadata);
      expect(Buffer.from(again).equals(Buffer.from(original)), name).toBe(true);
    }
  });

  it("loads PyTorch's weights into the matching paoding model, which then gives PyTorch's outputs", () => {
    const net = new Net();
    expect([...net.stateDict().keys()].sort()).toEqual([...fixture.model.keys].sort());
    const result = io.loadSafetensorsInto(net, fileBytes('model.safetensors'));
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(net.steps.item()).toBe(7);
    expect(net.scale.tolist()).toEqual([0.5, 2]);
    const x = tensor(Float32Array.from(values(fixture.model.x)), { shape: fixture.model.x.shape });
    const y = flat(net.forward(x));
    const want = values(fixture.model.y);
    expect(net.forward(x).shape).toEqual(fixture.model.y.shape);
    y.forEach((v, i) => expect(Math.abs(v - want[i]!), `y[${i}]`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want[i]!))));
    // And the model written back is PyTorch's file, byte for byte.
    expect(Buffer.from(io.stateDictToSafetensors(net)).equals(Buffer.from(fileBytes('model.safetensors')))).toBe(true);
  });
});

describe('corrupt files', () => {
  const good = io.serializeSafetensors({ a: tensor([1, 2, 3]), b: tensor([4], { dtype: 'int64' }) });
  const data12 = new Array(12).fill(0);
  const cases: [string, Uint8Array, RegExp][] = [
    ['too short', good.subarray(0, 5), /x\.st: 5 bytes is too short: a safetensors file starts with an 8-byte little-endian header length/],
    ['header length past the end', (() => {
      const b = Uint8Array.from(good);
      new DataView(b.buffer).setUint32(0, 5000, true);
      return b;
    })(), /header length 5000 \(bytes 0-7\) runs past the end of the file \(\d+ bytes, so at most \d+\)/],
    ['absurd header length', (() => {
      const b = Uint8Array.from(good);
      new DataView(b.buffer).setUint32(4, 1, true);
      return b;
    })(), /header length 4294967\d+ .* over the 100 MB limit/],
    ['header not JSON', craft(null, [], { headerText: '{"a": {"dtype": ' }), /the header \(bytes 8-24\) is not valid JSON/],
    ['header not an object', craft(null, [], { headerText: '[1, 2]' }), /must be a JSON object starting with '\{', found "\[1, 2\]/],
    ['header not UTF-8', (() => {
      const b = craft({ a: 1 });
      b[10] = 0xff;
      return b;
    })(), /is not valid UTF-8/],
    ['metadata not strings', craft({ __metadata__: { epochs: 3 } }), /'__metadata__' value of key 'epochs' must be a string, got 3/],
    ['entry not an object', craft({ a: 3 }), /tensor 'a': expected \{"dtype", "shape", "data_offsets"\}, got 3/],
    ['unknown dtype', craft({ a: { dtype: 'F33', shape: [3], data_offsets: [0, 12] } }, data12), /tensor 'a': unknown dtype "F33" \(expected one of BOOL, U8, I8/],
    ['unsupported dtype', craft({ a: { dtype: 'F8_E4M3', shape: [12], data_offsets: [0, 12] } }, data12), /tensor 'a': dtype F8_E4M3 is valid safetensors but paoding cannot hold it/],
    ['negative shape', craft({ a: { dtype: 'F32', shape: [-3], data_offsets: [0, 12] } }, data12), /tensor 'a': 'shape' must be an array of non-negative integers, got \[-3\]/],
    ['bad offsets', craft({ a: { dtype: 'F32', shape: [3], data_offsets: [0] } }, data12), /tensor 'a': 'data_offsets' must be \[begin, end\]/],
    ['reversed offsets', craft({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, data12), /data_offsets \[4, 0\] end before they begin/],
    ['wrong byte length', craft({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } }, data12), /tensor 'a': dtype F32 and shape \[2, 2\] need 16 bytes, but data_offsets \[0, 12\] hold 12 \(file bytes \d+-\d+\)/],
    ['offsets out of range', craft({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, data12), /tensor 'a': data_offsets \[0, 16\] are out of range: the data region holds 12 bytes/],
    ['overlapping', craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, data12), /tensors 'a' \[0, 8\] and 'b' \[4, 12\] overlap/],
    ['a gap', craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, data12), /4 unused bytes before tensor 'b' \(data_offsets \[8, 12\], file bytes \d+-\d+\)/],
    ['trailing bytes', craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, data12), /4 bytes after the last tensor .* belong to no tensor/],
    ['int64 beyond 2^53', craft({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, [1, 0, 0, 0, 0, 0, 0x20, 0]), /tensor 'a' \(I64\) element 0 is 9007199254740993, beyond 2\^53/],
  ];
  for (const [name, bytes, message] of cases) {
    it(`raises a clear error: ${name}`, () => {
      expect(() => io.parseSafetensors(bytes, { source: 'x.st' })).toThrow(io.SafetensorsError);
      expect(() => io.parseSafetensors(bytes, { source: 'x.st' })).toThrow(message);
      // And loading it into a model changes nothing.
      const m = new Net();
      const before = snapshot(m);
      expect(() => io.loadSafetensorsInto(m, bytes)).toThrow();
      expect(snapshot(m)).toEqual(before);
    });
  }

  it('accepts an unpadded header and tensors listed out of order, as the format allows', () => {
    const bytes = craft({ b: { dtype: 'U8', shape: [2], data_offsets: [2, 4] }, a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } }, [1, 2, 3, 4], { pad: false });
    const t = io.parseSafetensors(bytes);
    expect([...t.keys()]).toEqual(['a', 'b']);
    expect(t.get('b')!.tolist()).toEqual([3, 4]);
  });
});

describe('loading into modules', () => {
  const pytorchFile = fileBytes('model.safetensors');

  it('leaves a model with a different shape untouched', () => {
    const m = new Net(8, 4);
    const before = snapshot(m);
    expect(() => io.loadSafetensorsInto(m, pytorchFile, { source: 'model.safetensors' })).toThrow(
      /model\.safetensors: Error\(s\) in loading state_dict for Net:\n\tsize mismatch for fc2\.weight: copying a param with shape torch\.Size\(\[3, 8\]\) from checkpoint, the shape in current model is torch\.Size\(\[4, 8\]\)\./,
    );
    expect(snapshot(m)).toEqual(before);
  });

  it('reports missing and unexpected keys, strictly or not', () => {
    class Small extends nn.Module {
      fc1 = new Linear(2, 8);
      extra = new nn.PReLU();
      forward(x: Tensor): Tensor {
        return this.fc1.forward(x);
      }
    }
    const m = new Small();
    const before = snapshot(m);
    expect(() => io.loadSafetensorsInto(m, pytorchFile)).toThrow(/Missing key\(s\) in state_dict: "extra\.weight"/);
    expect(() => io.loadSafetensorsInto(m, pytorchFile)).toThrow(/Unexpected key\(s\) in state_dict: .*"fc2\.weight"/);
    expect(snapshot(m)).toEqual(before);
    const r = io.loadSafetensorsInto(m, pytorchFile, { strict: false });
    expect(r.missingKeys).toEqual(['extra.weight']);
    expect(r.unexpectedKeys.sort()).toEqual(['act.weight', 'fc2.bias', 'fc2.weight', 'scale', 'steps']);
    expect(flat(m.fc1.weight)).toEqual(flat(io.parseSafetensors(pytorchFile).get('fc1.weight')!));
    expect(() => io.loadSafetensorsInto(m, pytorchFile, { strict: false, stict: true } as object)).toThrow(/unknown option 'stict'/);
  });

  it('converts values to the parameter dtype, as copy_ does', () => {
    const m = new nn.PReLU({ numParameters: 2 });
    io.loadSafetensorsInto(m, io.serializeSafetensors({ weight: tensor([0.1, 0.2], { dtype: 'float64' }) }));
    expect(m.weight.dtype).toBe('float32');
    expect(m.weight.tolist()).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    expect(m.weight.requiresGrad).toBe(true);
  });
});

describe('save and load files (paoding/node)', () => {
  it('round-trips a model through a file, atomically', () => {
    const a = new Net();
    const path = join(scratch, 'net.safetensors');
    save(a, path);
    expect(readdirSync(scratch).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const b = new Net();
    expect(load(b, path)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(snapshot(b)).toEqual(snapshot(a));
    expect(io.parseSafetensorsHeader(new Uint8Array(readFileSync(path))).metadata).toEqual({ format: 'pt' });
    save(a, path, null);
    expect(io.parseSafetensorsHeader(new Uint8Array(readFileSync(path))).metadata).toBeNull();
  });

  it('names the file in its errors', () => {
    const m = new Net();
    expect(() => load(m, join(scratch, 'missing.safetensors'))).toThrow(/load\(\): cannot read .*missing\.safetensors: no such file/);
    const corrupt = join(scratch, 'corrupt.safetensors');
    writeFileSync(corrupt, new Uint8Array([1, 2, 3]));
    expect(() => load(m, corrupt)).toThrow(/corrupt\.safetensors: 3 bytes is too short/);
    expect(() => save(m, join(scratch, 'no-such-dir', 'x.safetensors'))).toThrow(/save\(\): cannot write .*x\.safetensors/);
    expect(existsSync(join(scratch, 'no-such-dir'))).toBe(false);
  });
});
