/**
 * The rows of the activation benchmark: every registered activation (plus GELU's tanh
 * approximation), the arguments every side calls it with, its input shape, the bytes it must
 * move, and how each peer computes it through its own usual API. Peers without an op for an
 * activation either compose it from their ops (marked `composite`, the way their users would
 * write it) or do not offer it (a reason is recorded).
 *
 * The PyTorch side of this table is in bench/peers/torch_activations.py (same names).
 */
import type * as TF from '@tensorflow/tfjs';
import { activations, tensor, type Tensor } from '../../index.js';
import { type OnnxGraph, unary } from './onnx.js';

/** One row: an activation with fixed arguments. */
export interface Case {
  /** The row name: the activation id, or `gelu_tanh` for GELU's tanh approximation. */
  name: string;
  /** The paoding activation id. */
  id: string;
  /** The input shape for `n` elements. */
  shape(n: number): number[];
  /** Output elements per input element (GLU halves its input along the last dimension). */
  outPerIn: number;
  /** The output shape for an input shape. */
  outShape(shape: readonly number[]): number[];
  /** The usual paoding call: `F.act(x, ...args)` (`module.forward(x)` for module-only activations). */
  call(x: Tensor): Tensor;
}

/** Rows of 1024 for the activations that work along a dimension (softmax family, GLU, Gumbel). */
const ROW = 1024;
const rows = (n: number): number[] => (n >= ROW ? [n / ROW, ROW] : [1, n]);

/** Arguments for the activations that need some, the same on every side. */
const RRELU_SLOPE = (1 / 8 + 1 / 3) / 2; // PyTorch's eval-mode RReLU slope: (lower + upper) / 2

/** Every activation in the registry, in registry order, plus the GELU variant. */
export function allCases(): Case[] {
  const out: Case[] = [];
  for (const a of activations.list()) {
    const kind = a.spec.kind ?? 'elementwise';
    const shape = a.id === 'softmax2d' ? (n: number) => [1, 16, 1, Math.max(1, n / 16)] : kind === 'elementwise' ? (n: number) => [n] : rows;
    const outPerIn = a.id === 'glu' ? 0.5 : 1;
    let call: (x: Tensor) => Tensor;
    if (a.spec.functional === false) {
      const m = new a.Module();
      call = (x) => m.forward(x) as Tensor;
    } else if (a.id === 'threshold') {
      call = (x) => a.fn(x, 0.1, 20);
    } else if (a.id === 'prelu') {
      const w = tensor([0.25]);
      call = (x) => a.fn(x, w);
    } else if (kind === 'dim') {
      call = (x) => a.fn(x, -1);
    } else {
      call = (x) => a.fn(x);
    }
    const outShape = (s: readonly number[]): number[] => s.map((d, i) => (i === s.length - 1 ? d * outPerIn : d));
    out.push({ name: a.id, id: a.id, shape, outPerIn, outShape, call });
    if (a.id === 'gelu') out.push({ name: 'gelu_tanh', id: 'gelu', shape, outPerIn, outShape, call: (x) => a.fn(x, { approximate: 'tanh' }) });
  }
  return out;
}

/**
 * Bytes an implementation must move per input element: forward reads x and writes y;
 * forward + backward also reads x (or y) and the output gradient and writes dx.
 */
export function bytesPerElement(c: Case, dir: 'fwd' | 'bwd'): number {
  const fwd = 4 * (1 + c.outPerIn);
  return dir === 'fwd' ? fwd : fwd + 4 * (2 + c.outPerIn);
}

// ---------------------------------------------------------------------------------------------
// onnxruntime: one small graph per row
// ---------------------------------------------------------------------------------------------

/** An ONNX graph for a row, or why there is none. */
export type OrtModel = { graph: OnnxGraph; composite: boolean } | { absent: string };

const one = (graph: OnnxGraph): OrtModel => ({ graph, composite: false });
const composed = (opset: number, nodes: OnnxGraph['nodes'], constants: Record<string, number> = {}): OrtModel => ({
  graph: { nodes, opset, constants: Object.fromEntries(Object.entries(constants).map(([k, v]) => [k, { dims: [], values: [v] }])) },
  composite: true,
});

/**
 * The model of each row. Opset per op: Gelu needs 20, Mish 18, HardSwish 14, Split's
 * `num_outputs` 18; the rest import 13 or more (onnxruntime treats opsets below 7 as legacy).
 */
export function ortModel(name: string): OrtModel {
  switch (name) {
    case 'threshold':
      return composed(16, [{ op: 'Greater', inputs: ['x', 't'], outputs: ['c'] }, { op: 'Where', inputs: ['c', 'x', 'v'], outputs: ['y'] }], { t: 0.1, v: 20 });
    case 'relu': return one(unary('Relu', 14));
    case 'relu6': return one(unary('Clip', 13, {}, { lo: 0, hi: 6 }));
    case 'hardtanh': return one(unary('Clip', 13, {}, { lo: -1, hi: 1 }));
    case 'hardswish': return one(unary('HardSwish', 14));
    case 'hardsigmoid': return one(unary('HardSigmoid', 13, { alpha: 1 / 6, beta: 0.5 }));
    case 'elu': return one(unary('Elu', 13, { alpha: 1 }));
    case 'selu': return one(unary('Selu', 13));
    case 'celu': return one(unary('Celu', 13, { alpha: 1 }));
    case 'leaky_relu': return one(unary('LeakyRelu', 16, { alpha: 0.01 }));
    case 'prelu':
      return one({ nodes: [{ op: 'PRelu', inputs: ['x', 'w'], outputs: ['y'] }], constants: { w: { dims: [1], values: [0.25] } }, opset: 16 });
    case 'rrelu': return { ...one(unary('LeakyRelu', 16, { alpha: RRELU_SLOPE })), composite: true };
    case 'glu':
      return composed(18, [
        { op: 'Split', inputs: ['x'], outputs: ['a', 'b'], attrs: { axis: { int: -1 }, num_outputs: { int: 2 } } },
        { op: 'Sigmoid', inputs: ['b'], outputs: ['s'] },
        { op: 'Mul', inputs: ['a', 's'], outputs: ['y'] },
      ]);
    case 'gelu': return one(unary('Gelu', 20));
    case 'gelu_tanh': return one(unary('Gelu', 20, { approximate: 'tanh' }));
    case 'logsigmoid':
      return composed(17, [
        { op: 'Neg', inputs: ['x'], outputs: ['n'] },
        { op: 'Softplus', inputs: ['n'], outputs: ['s'] },
        { op: 'Neg', inputs: ['s'], outputs: ['y'] },
      ]);
    case 'hardshrink': return one(unary('Shrink', 13, { lambd: 0.5, bias: 0 }));
    case 'softshrink': return one(unary('Shrink', 13, { lambd: 0.5, bias: 0.5 }));
    case 'tanhshrink': return composed(17, [{ op: 'Tanh', inputs: ['x'], outputs: ['t'] }, { op: 'Sub', inputs: ['x', 't'], outputs: ['y'] }]);
    case 'softsign': return one(unary('Softsign', 13));
    case 'softplus': return one(unary('Softplus', 13));
    case 'silu': return composed(17, [{ op: 'Sigmoid', inputs: ['x'], outputs: ['s'] }, { op: 'Mul', inputs: ['x', 's'], outputs: ['y'] }]);
    case 'mish': return one(unary('Mish', 18));
    case 'sigmoid': return one(unary('Sigmoid', 13));
    case 'tanh': return one(unary('Tanh', 13));
    case 'softmax': return one(unary('Softmax', 13, { axis: { int: -1 } }));
    case 'log_softmax': return one(unary('LogSoftmax', 13, { axis: { int: -1 } }));
    case 'softmin': return composed(13, [{ op: 'Neg', inputs: ['x'], outputs: ['n'] }, { op: 'Softmax', inputs: ['n'], outputs: ['y'], attrs: { axis: { int: -1 } } }]);
    case 'softmax2d': return one(unary('Softmax', 13, { axis: { int: -3 } }));
    case 'gumbel_softmax': return { absent: 'random (Gumbel noise): no ONNX equivalent' };
    default: return { absent: `no ONNX mapping for '${name}'` };
  }
}

// ---------------------------------------------------------------------------------------------
// TensorFlow.js: its ops, or the composition its users would write
// ---------------------------------------------------------------------------------------------

type Tf = typeof TF;
type T = TF.Tensor;

/** A TF.js function for a row, or why there is none. */
export type TfjsFn = { fn: (x: T) => T; composite: boolean } | { absent: string };

/** The TF.js function of each row, given the library (constants are made once, here). */
export function tfjsFn(tf: Tf, name: string): TfjsFn {
  const op = (fn: (x: T) => T): TfjsFn => ({ fn, composite: false });
  const comp = (fn: (x: T) => T): TfjsFn => ({ fn, composite: true });
  // Masks through tf.step (0 at and below 0, 1 above): it has a gradient (zero), tf.greater has none.
  const shrink = (x: T, l: number, soft: boolean): T => {
    const keep = tf.step(tf.sub(tf.abs(x), l));
    return tf.mul(soft ? tf.sub(x, tf.mul(tf.sign(x), l)) : x, keep);
  };
  switch (name) {
    case 'threshold':
      return comp((x) => {
        const keep = tf.step(tf.sub(x, 0.1));
        return tf.add(tf.mul(x, keep), tf.mul(20, tf.sub(1, keep)));
      });
    case 'relu': return op((x) => tf.relu(x));
    case 'relu6': return op((x) => tf.relu6(x));
    case 'hardtanh': return op((x) => tf.clipByValue(x, -1, 1));
    case 'hardswish': return comp((x) => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6)));
    case 'hardsigmoid': return comp((x) => tf.div(tf.relu6(tf.add(x, 3)), 6));
    case 'elu': return op((x) => tf.elu(x));
    case 'selu': return op((x) => tf.selu(x));
    case 'celu': return comp((x) => tf.elu(x)); // CELU with alpha = 1 is ELU
    case 'leaky_relu': return op((x) => tf.leakyRelu(x, 0.01));
    case 'prelu': {
      const w = tf.keep(tf.tensor1d([0.25]));
      return op((x) => tf.prelu(x, w));
    }
    case 'rrelu': return comp((x) => tf.leakyRelu(x, RRELU_SLOPE));
    case 'glu':
      return comp((x) => {
        const [a, b] = tf.split(x, 2, -1);
        return tf.mul(a!, tf.sigmoid(b!));
      });
    case 'gelu': return comp((x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
    case 'gelu_tanh': {
      const k = Math.sqrt(2 / Math.PI);
      return comp((x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(k, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))))));
    }
    case 'logsigmoid': return op((x) => tf.logSigmoid(x));
    case 'hardshrink': return comp((x) => shrink(x, 0.5, false));
    case 'softshrink': return comp((x) => shrink(x, 0.5, true));
    case 'tanhshrink': return comp((x) => tf.sub(x, tf.tanh(x)));
    case 'softsign': return comp((x) => tf.div(x, tf.add(1, tf.abs(x))));
    case 'softplus': return op((x) => tf.softplus(x));
    case 'silu': return comp((x) => tf.mul(x, tf.sigmoid(x)));
    case 'mish': return comp((x) => tf.mul(x, tf.tanh(tf.softplus(x))));
    case 'sigmoid': return op((x) => tf.sigmoid(x));
    case 'tanh': return op((x) => tf.tanh(x));
    case 'softmax': return op((x) => tf.softmax(x, -1));
    case 'log_softmax': return op((x) => tf.logSoftmax(x, -1));
    case 'softmin': return comp((x) => tf.softmax(tf.neg(x), -1));
    case 'softmax2d': return { absent: 'tf.softmax works along the last axis only' };
    case 'gumbel_softmax': return { absent: 'no Gumbel-softmax op' };
    default: return { absent: `no TF.js mapping for '${name}'` };
  }
}
