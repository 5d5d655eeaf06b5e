/**
 * Memory stays bounded over a long training loop with no dispose calls: every tensor, graph
 * node and gradient of a step must become garbage once the step is over.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { data, F, manualSeed, nn, optim, type Tensor } from '../src/index.js';

// A full collection before each reading, so that a reading is what the loop retains rather than
// wherever the collector happens to be in its cycle (readings without it swing by tens of MiB).
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

function retained(): number {
  collect();
  collect();
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
        if (++steps % 2000 === 0) samples.push(retained());
      }
    }
    // After 2,000 steps (compiled code and caches in place) against after 20,000: one leaked KiB
    // per step would add about 18 MiB; graphs leak far more.
    const early = samples[0]!;
    const late = samples[samples.length - 1]!;
    const what = `retained after 2,000 steps ${(early / 2 ** 20).toFixed(2)} MiB, after 20,000 ${(late / 2 ** 20).toFixed(2)} MiB`;
    expect(late - early, what).toBeLessThan(3 * 2 ** 20);
    expect(last).toBeLessThan(0.2);
  });
});
