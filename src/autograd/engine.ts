/**
 * The backward engine: walks the graph from the outputs to the leaves in dependency order,
 * summing the gradients that reach each node, running hooks, and either accumulating into
 * leaves' `.grad` (`backward`) or returning the gradients of chosen inputs (`grad`).
 */
import { lastStorageSerial, type Storage, type Tensor } from '../tensor/tensor.js';
import { shapeStr } from '../tensor/shape.js';
import { AccumulateGrad, Node } from './node.js';
import { enableGrad, noGrad } from './grad_mode.js';
import { onesLike } from '../ops/creation.js';

/** Options of the engine. */
interface RunOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
  /** Capture (and return) the gradients of these tensors instead of accumulating into leaves. */
  capture?: readonly Tensor[];
  /** With `capture`: also accumulate into `.grad` of these leaves only (`backward({ inputs })`). */
  accumulateOnly?: boolean;
  allowUnused?: boolean;
  where: string;
}

/** A max-heap of nodes by sequence number: newer nodes run first, as in PyTorch. */
class ReadyQueue {
  private heap: Node[] = [];
  get size(): number {
    return this.heap.length;
  }
  push(n: Node): void {
    const h = this.heap;
    h.push(n);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.sequenceNr >= h[i]!.sequenceNr) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop(): Node {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.sequenceNr > h[m]!.sequenceNr) m = l;
        if (r < h.length && h[r]!.sequenceNr > h[m]!.sequenceNr) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

function rootNode(t: Tensor, i: number, where: string): Node {
  const e = t._gradEdge();
  if (e === null) {
    throw new Error(`${where}: element ${i} of tensors does not require grad and does not have a grad_fn`);
  }
  return e;
}

/** The node whose incoming gradient is the gradient of tensor `t`. */
function captureNode(t: Tensor, where: string): Node {
  if (!t.requiresGrad) throw new Error(`${where}: One of the differentiated Tensors does not require grad`);
  return t._gradEdge()!;
}

function run(roots: readonly Tensor[], rootGrads: readonly Tensor[], opts: RunOptions): Map<Node, Tensor> {
  const createGraph = opts.createGraph ?? false;
  const retain = opts.retainGraph ?? createGraph;
  const rootNodes = roots.map((t, i) => rootNode(t, i, opts.where));
  const captureSet = new Set(opts.capture?.map((t) => captureNode(t, opts.where)) ?? []);

  // Discover the graph (every node, for backward) or, when capturing, the nodes that lead to a
  // captured one (only those run).
  const needed = new Set<Node>();
  if (opts.capture === undefined) {
    const stack = [...rootNodes];
    while (stack.length) {
      const n = stack.pop()!;
      if (needed.has(n)) continue;
      needed.add(n);
      for (const e of n.next) if (e !== null && !needed.has(e)) stack.push(e);
    }
  } else {
    const memo = new Map<Node, boolean>();
    // Iterative post-order so deep graphs (long training unrolls) do not overflow the stack: a
    // stack of nodes and, beside it, the index of the next edge to visit from each.
    const nodes: Node[] = [];
    const edge: number[] = [];
    for (const start of rootNodes) {
      nodes.push(start);
      edge.push(0);
      while (nodes.length) {
        const top = nodes.length - 1;
        const n = nodes[top]!;
        if (memo.has(n)) {
          nodes.pop();
          edge.pop();
          continue;
        }
        const i = edge[top]!;
        if (i < n.next.length) {
          edge[top] = i + 1;
          const e = n.next[i];
          if (e !== null && e !== undefined && !memo.has(e)) {
            nodes.push(e);
            edge.push(0);
          }
          continue;
        }
        nodes.pop();
        edge.pop();
        let r = captureSet.has(n);
        for (const e of n.next) if (e !== null && memo.get(e)) r = true;
        memo.set(n, r);
        if (r) needed.add(n);
      }
    }
  }

  const deps = new Map<Node, number>();
  for (const n of needed) {
    // A captured node's inputs are not needed unless another capture lies beyond it.
    for (const e of n.next) if (e !== null && needed.has(e)) deps.set(e, (deps.get(e) ?? 0) + 1);
  }

  // Leaves take gradients computed in this pass without a copy when nothing else can see their
  // memory (PyTorch's AccumulateGrad steals a gradient nobody else references the same way).
  const steal: StealState = { firstSerial: lastStorageSerial() + 1, taken: new Set(), exposed: new Set() };
  const buffers = new Map<Node, Tensor>();
  const addTo = (n: Node, g: Tensor): void => {
    const prev = buffers.get(n);
    buffers.set(n, prev === undefined ? g : prev.add(g));
  };
  rootNodes.forEach((n, i) => addTo(n, rootGrads[i]!));

  const captured = new Map<Node, Tensor>();
  const queue = new ReadyQueue();
  for (const n of new Set(rootNodes)) if (needed.has(n) && (deps.get(n) ?? 0) === 0) queue.push(n);

  const body = (): void => {
    while (queue.size) {
      const node = queue.pop();
      let grad = buffers.get(node);
      buffers.delete(node);
      if (grad !== undefined) {
        for (const hook of node instanceof AccumulateGrad ? node.variable._hooks : node.preHooks) {
          steal.exposed.add(grad._storage);
          const r = hook(grad);
          if (r !== undefined) grad = r;
          steal.exposed.add(grad._storage);
        }
      }
      if (captureSet.has(node) && grad !== undefined) {
        captured.set(node, grad);
        steal.exposed.add(grad._storage);
      }
      let outs: (Tensor | null)[] = [];
      if (grad !== undefined) {
        if (node instanceof AccumulateGrad) {
          if (opts.capture === undefined || opts.accumulateOnly) accumulate(node.variable, grad, createGraph, steal);
        } else if (!(opts.capture !== undefined && !opts.accumulateOnly && captureSet.has(node) && !nextNeeded(node, needed))) {
          if (node.runsUserCode) steal.exposed.add(grad._storage);
          outs = node.apply(grad);
          if (node.runsUserCode) {
            for (const o of outs) if (o !== null) steal.exposed.add(o._storage);
          } else if (outs.length > 1) {
            markRepeated(outs, steal);
          }
          if (!retain) node.release();
        }
      }
      const next = node.next;
      for (let i = 0; i < next.length; i++) {
        const e = next[i];
        if (e === null || e === undefined || !needed.has(e)) continue;
        const g = outs[i];
        if (g !== null && g !== undefined) addTo(e, g);
        const left = deps.get(e)! - 1;
        deps.set(e, left);
        if (left === 0) queue.push(e);
      }
    }
  };
  if (createGraph) enableGrad(body);
  else noGrad(body);
  return captured;
}

function nextNeeded(n: Node, needed: Set<Node>): boolean {
  return n.next.some((e) => e !== null && needed.has(e));
}

/** What a backward pass needs to know to hand a gradient's memory to a leaf without a copy. */
interface StealState {
  /** Storages with at least this serial were created during the pass. */
  firstSerial: number;
  /** Storages already given to a leaf. */
  taken: Set<Storage>;
  /** Storages user code has seen (hooks, custom Functions' backward, captured gradients). */
  exposed: Set<Storage>;
}

/**
 * A gradient handed to several inputs at once (an addition passes its gradient on to both
 * operands) may reach a leaf and, through the other input, code that keeps it (a hook further
 * down): none of them takes it without a copy, as PyTorch's AccumulateGrad does not take a
 * gradient that is referenced elsewhere.
 */
function markRepeated(outs: readonly (Tensor | null)[], steal: StealState): void {
  for (let i = 1; i < outs.length; i++) {
    const s = outs[i]?._storage;
    if (s === undefined) continue;
    for (let j = 0; j < i; j++) if (outs[j]?._storage === s) steal.exposed.add(s);
  }
}

/**
 * Whether `g` may become a leaf's `.grad` as it is: its storage was created during this pass,
 * holds exactly `g` (not a view into something larger), and neither another leaf nor user code
 * (a hook, a custom Function's backward) has seen it. Otherwise the leaf gets a copy, so no two
 * gradients ever share memory.
 */
function stealable(g: Tensor, steal: StealState): boolean {
  const s = g._storage;
  if (s.serial < steal.firstSerial || steal.taken.has(s) || steal.exposed.has(s)) return false;
  if (g.offset !== 0 || s.data.length !== g.numel() || !g.isContiguous()) return false;
  steal.taken.add(s);
  return true;
}

/** Add a gradient into a leaf's `.grad` (a tensor of its own: never an alias of another gradient). */
function accumulate(leaf: Tensor, g: Tensor, createGraph: boolean, steal?: StealState): void {
  const add = createGraph ? g : g.detach();
  if (leaf.grad === null) leaf.grad = createGraph || (steal !== undefined && stealable(g, steal)) ? add : add.clone();
  else if (createGraph || leaf.grad.requiresGrad) leaf.grad = leaf.grad.add(add);
  else noGrad(() => leaf.grad!.add_(add));
}

function checkGradShapes(roots: readonly Tensor[], grads: readonly Tensor[], where: string): void {
  roots.forEach((t, i) => {
    const g = grads[i]!;
    if (g.shape.length !== t.shape.length || g.shape.some((s, k) => s !== t.shape[k])) {
      throw new RangeError(
        `${where}: Mismatch in shape: grad_output[${i}] has a shape of ${shapeStr(g.shape)} and output[${i}] has a shape of ${shapeStr(t.shape)}.`,
      );
    }
    if (g.dtype !== t.dtype && !(g.isFloatingPoint() && t.isFloatingPoint())) {
      throw new TypeError(`${where}: grad_output[${i}] has dtype ${g.dtype}, expected a floating-point gradient for output of dtype ${t.dtype}`);
    }
  });
}

function defaultGrads(roots: readonly Tensor[], grads: readonly (Tensor | null | undefined)[] | undefined, where: string): Tensor[] {
  return roots.map((t, i) => {
    const g = grads?.[i];
    if (g !== undefined && g !== null) return g.dtype === t.dtype ? g : g.to(t.dtype);
    if (t.numel() !== 1) throw new Error(`${where}: grad can be implicitly created only for scalar outputs`);
    // Ones, not `t * 0 + 1`: an infinite or NaN output must still get a gradient of 1.
    return onesLike(t);
  });
}

/** The engine behind `tensor.backward()`. */
export function backward(
  roots: readonly Tensor[],
  grads: readonly (Tensor | null | undefined)[] | undefined,
  opts: { retainGraph?: boolean; createGraph?: boolean; inputs?: readonly Tensor[] } = {},
): void {
  const where = 'backward()';
  const gs = defaultGrads(roots, grads, where);
  checkGradShapes(roots, gs, where);
  if (opts.inputs !== undefined) {
    if (opts.inputs.length === 0) throw new RangeError(`${where}: 'inputs' argument to backward() cannot be empty.`);
    const captured = run(roots, gs, { ...opts, capture: opts.inputs, where });
    // backward(inputs=...) accumulates only into the given tensors.
    for (const t of opts.inputs) {
      const g = captured.get(t._gradEdge()!);
      if (g !== undefined) accumulate(t, g, opts.createGraph ?? false);
    }
    return;
  }
  run(roots, gs, { ...opts, where });
}

/** Options of `autograd.grad`. */
export interface GradOptions {
  /** Gradients of the outputs (default: 1 for scalar outputs). */
  gradOutputs?: Tensor | readonly (Tensor | null | undefined)[];
  /** Keep the graph for another backward (default: `createGraph`). */
  retainGraph?: boolean;
  /** Record the computation so the result can be differentiated again. */
  createGraph?: boolean;
  /** Return `null` for inputs the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

/**
 * The gradients of `outputs` with respect to `inputs`, one per input, without touching any
 * `.grad`: PyTorch's `torch.autograd.grad`.
 *
 * @example
 * ```ts
 * import { autograd, tensor } from 'paoding';
 * const x = tensor([1, 2, 3], { requiresGrad: true, dtype: 'float64' });
 * const y = x.pow(3).sum();
 * const [dx] = autograd.grad(y, x, { createGraph: true });
 * const [d2x] = autograd.grad(dx!.sum(), x);
 * console.log(dx!.tolist(), d2x!.tolist()); // [ 3, 12, 27 ] [ 6, 12, 18 ]
 * ```
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const where = 'autograd.grad()';
  const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  const ins = Array.isArray(inputs) ? (inputs as readonly Tensor[]) : [inputs as Tensor];
  const go = opts.gradOutputs === undefined ? undefined : Array.isArray(opts.gradOutputs) ? opts.gradOutputs : [opts.gradOutputs as Tensor];
  if (go !== undefined && go.length !== outs.length) {
    throw new RangeError(`${where}: grad_outputs must have the same length as outputs: got ${go.length} and ${outs.length}`);
  }
  const gs = defaultGrads(outs, go, where);
  checkGradShapes(outs, gs, where);
  const captured = run(outs, gs, { ...opts, capture: ins, where });
  return ins.map((t) => {
    const g = captured.get(t._gradEdge()!);
    if (g === undefined) {
      if (opts.allowUnused) return null;
      throw new Error(`${where}: One of the differentiated Tensors appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.`);
    }
    return g;
  });
}
