/**
 * One-node (or few-node) ONNX models for the onnxruntime peers, written as protobuf bytes here
 * (no `onnx` package): a tiny protobuf writer and the fields of onnx.proto that a single-op graph
 * needs. Field numbers are onnx.proto's (ModelProto, GraphProto, NodeProto, AttributeProto,
 * ValueInfoProto, TypeProto, TensorShapeProto, TensorProto, OperatorSetIdProto).
 */

/** Protobuf wire format: varints, length-delimited fields, fixed32 floats. */
class Writer {
  private bytes: number[] = [];

  private varint(v: number | bigint): void {
    let n = BigInt.asUintN(64, BigInt(v));
    while (n >= 0x80n) {
      this.bytes.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.bytes.push(Number(n));
  }

  private key(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number): this {
    this.key(field, 0);
    this.varint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.bytes.push(...b);
    return this;
  }

  bytesField(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.varint(b.length);
    for (const x of b) this.bytes.push(x);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }

  message(field: number, w: Writer): this {
    return this.bytesField(field, w.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** ONNX TensorProto.DataType.FLOAT. */
const FLOAT = 1;

/** An attribute value: a float, an int or a string (AttributeProto types FLOAT=1, INT=2, STRING=3). */
export type Attr = number | { int: number } | string;

/** One graph node. */
export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, Attr>;
  domain?: string;
}

/** A graph: float32 input `x` of the given (possibly symbolic) shape, float32 output `y`. */
export interface OnnxGraph {
  nodes: OnnxNode[];
  /** Constant float32 tensors (scalars have `dims: []`). */
  constants?: Record<string, { dims: number[]; values: number[] }>;
  /** The default-domain opset the model imports. */
  opset: number;
}

function attribute(name: string, v: Attr): Writer {
  const w = new Writer().string(1, name);
  if (typeof v === 'number') return w.float(2, v).int(20, 1);
  if (typeof v === 'string') return w.bytesField(4, new TextEncoder().encode(v)).int(20, 3);
  return w.int(3, v.int).int(20, 2);
}

function valueInfo(name: string, dims: (number | string)[]): Writer {
  const shape = new Writer();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensorType = new Writer().int(1, FLOAT).message(2, shape);
  return new Writer().string(1, name).message(2, new Writer().message(1, tensorType));
}

/**
 * The model's bytes. `rank` symbolic dimensions (`d0`, `d1`, ...) make one model serve every
 * size. The IR version follows the opset (IR 9 for opsets 19-20, IR 8 below).
 */
export function onnxModel(g: OnnxGraph, rank: number): Uint8Array {
  const graph = new Writer();
  for (const n of g.nodes) {
    const w = new Writer();
    for (const i of n.inputs) w.string(1, i);
    for (const o of n.outputs) w.string(2, o);
    w.string(4, n.op);
    for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, attribute(k, v));
    if (n.domain !== undefined) w.string(7, n.domain);
    graph.message(1, w);
  }
  graph.string(2, 'paoding_bench');
  for (const [name, t] of Object.entries(g.constants ?? {})) {
    const w = new Writer();
    for (const d of t.dims) w.int(1, d);
    w.int(2, FLOAT).string(8, name).bytesField(9, new Uint8Array(new Float32Array(t.values).buffer));
    graph.message(5, w);
  }
  const dims = Array.from({ length: rank }, (_, i) => `d${i}`);
  graph.message(11, valueInfo('x', dims));
  // The output's dimensions get their own symbols: GLU halves one of them.
  graph.message(12, valueInfo('y', dims.map((_, i) => `y${i}`)));
  const model = new Writer()
    .int(1, g.opset >= 19 ? 9 : 8)
    .string(2, 'paoding')
    .message(7, graph)
    .message(8, new Writer().string(1, '').int(2, g.opset));
  if (g.nodes.some((n) => n.domain === 'com.microsoft')) model.message(8, new Writer().string(1, 'com.microsoft').int(2, 1));
  return model.finish();
}

/** A one-node graph `y = op(x, ...consts)`. */
export function unary(op: string, opset: number, attrs: Record<string, Attr> = {}, constInputs: Record<string, number> = {}): OnnxGraph {
  const constants: OnnxGraph['constants'] = {};
  for (const [k, v] of Object.entries(constInputs)) constants[k] = { dims: [], values: [v] };
  return { nodes: [{ op, inputs: ['x', ...Object.keys(constInputs)], outputs: ['y'], attrs }], constants, opset };
}
