/**
 * Memory stays bounded over a long training loop with no dispose calls: every tensor, graph
 * node and gradient of a step must become garbage once the step is over.
 */
import { describe, expect, it } from 'vitest';
import { data, F, manualSeed, nn, optim, type Tensor } from '../src/index.js';

function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

describe('a long training loop', () => {
  it('runs 20,000 steps in bounded memory', () => {
    manualSeed(0);
    const { x, y } = data.moons(256, { noise: 0.1, seed: 1 });
    const model = new nn.Sequential(new nn.Linear(2, 32), new nn.ReLU(), new nn.Linear(32, 32), new nn.Tanh(), new nn.Linear(32, 2));
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 32, shuffle: true });
    const samples: number[] = [];
    let steps = 0;
    let last = Infinity;
    while (steps < 20_000) {
      for (const [xb, yb] of loader as Iterable<[Tensor, Tensor]>) {
        const loss = F.crossEntropy(model.forward(xb) as Tensor, yb);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        last = loss.item();
        if (++steps % 1000 === 0) samples.push(used());
      }
    }
    // The collector runs when it likes, so single readings swing by tens of MiB; the floor (the
    // lowest of five readings, a thousand steps apart) is what grows under a leak. One leaked KiB
    // per step would raise it by about 15 MiB between the early and the late readings; graphs
    // leak far more. (Three readings two thousand steps apart left floors 6.6 MiB apart once on a
    // loaded machine, with nothing leaking.)
    const early = Math.min(...samples.slice(0, 5));
    const late = Math.min(...samples.slice(-5));
    expect(late - early).toBeLessThan(8 * 2 ** 20);
    expect(last).toBeLessThan(0.2);
  });
});
