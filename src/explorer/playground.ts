/**
 * The playground's model and training loop: an MLP on one of paoding's 2-D data sets, with any
 * activation between its linear layers, trained a few steps at a time so the page stays
 * responsive; plus what the page shows of it (decision boundary, loss, per-layer dead and
 * saturated fractions, pre-activations). No DOM.
 */
import { autograd, data, F, manualSeed, nn, onesLike, optim, tensor, type Tensor } from '../index.js';
import { complete, entry, moduleOptions, properties, type Entry, type ParamValue } from './catalogue.js';
import type { PlaygroundState } from './state.js';

/** The number of training points. */
export const POINTS = 200;

/** Per-layer statistics of the activation's inputs on the training set. */
export interface LayerStats {
  layer: number;
  units: number;
  /** Units whose derivative is exactly 0 for every training input (no gradient passes). */
  dead: number;
  /** Fraction of (input, unit) pairs inside the declared dead zone. */
  inDeadZone: number;
  /** Fraction of (input, unit) pairs outside the dead zone where |f'| < threshold. */
  saturated: number;
  /** Mean |f'| over all pairs. */
  meanSlope: number;
}

type Optimizer = { zeroGrad(): void; step(): void };

/** A model being trained. */
export class Trainer {
  readonly config: PlaygroundState;
  readonly entry: Entry;
  readonly values: Record<string, ParamValue>;
  readonly x: Tensor;
  readonly y: Tensor;
  /** The training points as [x0, y0, x1, y1, ...] and their labels. */
  readonly points: Float32Array;
  readonly labels: Int32Array;
  readonly model: nn.Sequential;
  /** The activation modules, one per hidden layer. */
  readonly acts: nn.Module[];
  /** The loss after each step. */
  readonly losses: number[] = [];
  steps = 0;
  /** Half the side of the square shown (the data fit in [-extent, extent]²). */
  readonly extent: number;
  private readonly opt: Optimizer;
  private readonly loader: data.DataLoader<unknown> | undefined;
  private batches: Iterator<unknown> | undefined;
  private captured: (Tensor | undefined)[] = [];
  private capturing = false;

  constructor(config: PlaygroundState) {
    this.config = { ...config, params: { ...config.params } };
    this.entry = entry(config.act);
    if (!this.entry.trainable) throw new RangeError(`the playground cannot train with ${config.act}`);
    this.values = complete(this.entry, config.params);
    const set = data[config.dataset](POINTS, { noise: config.noise, seed: config.seed });
    this.x = set.x;
    this.y = set.y;
    this.points = this.x.toTypedArray() as Float32Array;
    this.labels = Int32Array.from(this.y.toTypedArray() as unknown as ArrayLike<number>, Number);
    let m = 0;
    for (const v of this.points) m = Math.max(m, Math.abs(v));
    this.extent = Math.max(1.5, Math.ceil(m * 1.1 * 4) / 4);
    // Seeded as a PyTorch script would be: torch.manual_seed(seed), then the layers.
    manualSeed(config.seed);
    const layers: nn.Module[] = [];
    this.acts = [];
    let fanIn = 2;
    for (let i = 0; i < config.depth; i++) {
      layers.push(new nn.Linear(fanIn, config.width));
      const act = new this.entry.act.Module(moduleOptions(this.entry, this.values)) as unknown as nn.Module;
      const index = i;
      act.registerForwardHook((_m, inputs) => {
        if (this.capturing) this.captured[index] = (inputs[0] as Tensor).detach();
        return undefined;
      });
      this.acts.push(act);
      layers.push(act);
      fanIn = config.width;
    }
    layers.push(new nn.Linear(fanIn, 2));
    this.model = new nn.Sequential(...layers);
    const params = this.model.parameters();
    const lr = config.lr;
    this.opt =
      config.optimizer === 'adam'
        ? new optim.Adam(params, { lr })
        : new optim.SGD(params, config.optimizer === 'momentum' ? { lr, momentum: 0.9 } : { lr });
    if (config.batch > 0) this.loader = new data.DataLoader(new data.TensorDataset(this.x, this.y), { batchSize: config.batch, shuffle: true });
  }

  private nextBatch(): [Tensor, Tensor] {
    if (this.loader === undefined) return [this.x, this.y];
    let next = this.batches?.next();
    if (next === undefined || next.done) {
      this.batches = this.loader[Symbol.iterator]();
      next = this.batches.next();
    }
    return next.value as [Tensor, Tensor];
  }

  /** One optimizer step; returns the loss. */
  step(): number {
    const [xb, yb] = this.nextBatch();
    const loss = F.crossEntropy(this.model.forward(xb) as Tensor, yb);
    this.opt.zeroGrad();
    loss.backward();
    this.opt.step();
    const v = loss.item();
    this.losses.push(v);
    this.steps++;
    return v;
  }

  /** Run steps until `budgetMs` has passed (at least one, at most `max`). */
  run(budgetMs: number, max = 1000): number {
    const start = performance.now();
    let k = 0;
    do {
      this.step();
      k++;
    } while (k < max && performance.now() - start < budgetMs);
    return k;
  }

  /** Evaluate without recording a graph, in evaluation mode (RReLU uses its mean slope). */
  private evaluate<T>(f: () => T): T {
    const training = this.model.training;
    this.model.eval();
    try {
      return autograd.noGrad(f);
    } finally {
      this.model.train(training);
    }
  }

  /** P(class 1) on a res × res grid over [-extent, extent]², row by row from the top. */
  probabilities(res: number): Float32Array {
    const e = this.extent;
    const pts = new Float32Array(res * res * 2);
    for (let r = 0; r < res; r++) {
      for (let c = 0; c < res; c++) {
        const i = r * res + c;
        pts[2 * i] = -e + ((c + 0.5) * 2 * e) / res;
        pts[2 * i + 1] = e - ((r + 0.5) * 2 * e) / res;
      }
    }
    return this.evaluate(() => {
      const logits = this.model.forward(tensor(pts, { shape: [res * res, 2] })) as Tensor;
      return F.softmax(logits, 1).select(1, 1).contiguous().toTypedArray() as Float32Array;
    });
  }

  /** Training accuracy. */
  accuracy(): number {
    return this.evaluate(() => {
      const logits = this.model.forward(this.x) as Tensor;
      return (logits.argmax(1).eq(this.y).sum().item() as number) / POINTS;
    });
  }

  /** The inputs every activation layer receives on the training set, [points, width] each. */
  preactivations(): Tensor[] {
    this.captured = [];
    this.capturing = true;
    try {
      this.evaluate(() => this.model.forward(this.x));
    } finally {
      this.capturing = false;
    }
    return this.captured.map((t) => t!);
  }

  /** The activation's derivative at every element of `z` (by autograd, through the layer's module). */
  slopes(layer: number, z: Tensor): Float32Array {
    const leaf = z.detach().requiresGrad_(true);
    const act = this.acts[layer]!;
    const training = act.training;
    act.eval();
    try {
      const out = (act as unknown as { forward(t: Tensor): Tensor }).forward(leaf);
      const [g] = autograd.grad(out, leaf, { gradOutputs: onesLike(out), allowUnused: true });
      return g ? (g.contiguous().toTypedArray() as Float32Array) : new Float32Array(z.numel());
    } finally {
      act.train(training);
    }
  }

  /** Dead units, dead-zone and saturated fractions, per hidden layer. */
  layerStats(threshold: number): LayerStats[] {
    const props = properties(this.entry, this.values);
    const dz = props.deadZone;
    return this.preactivations().map((z, layer) => {
      const zs = z.contiguous().toTypedArray() as Float32Array;
      const slopes = this.slopes(layer, z);
      const units = this.config.width;
      const rows = zs.length / units;
      let inDead = 0;
      let sat = 0;
      let sum = 0;
      let dead = 0;
      for (let j = 0; j < units; j++) {
        let alive = false;
        for (let i = 0; i < rows; i++) {
          const k = i * units + j;
          const s = Math.abs(slopes[k]!);
          sum += s;
          if (s !== 0) alive = true;
          if (dz !== undefined && zs[k]! >= dz[0] && zs[k]! <= dz[1]) inDead++;
          else if (s < threshold) sat++;
        }
        if (!alive) dead++;
      }
      const n = zs.length;
      return { layer, units, dead, inDeadZone: inDead / n, saturated: sat / n, meanSlope: sum / n };
    });
  }
}
