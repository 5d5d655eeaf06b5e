/**
 * The classic run: an MLP 784-128-128-10 with ReLU on Fashion-MNIST, PyTorch's default
 * initialisation, SGD with momentum 0.9 at lr 0.03, batch 100, one epoch.
 *
 *   npx tsx examples/fashion_mnist_mlp.ts [--seed 0] [--dir /usr/share/datasets/fashion-mnist]
 *
 * examples/pytorch/fashion_mnist_mlp.py is the same script in PyTorch; with the same seed both
 * initialise the same weights and visit the same batches in the same order.
 */
import { parseArgs } from 'node:util';
import { data, F, manualSeed, nn, noGradScope, optim, tensor, type Tensor } from './common.js';
import { loadFashionMnist } from '../src/node/index.js';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '0' }, dir: { type: 'string' }, epochs: { type: 'string', default: '1' } } });
const seed = Number(values.seed);

// Pixels to [0, 1], then standardised with the training set's global mean and std.
const train = loadFashionMnist({ split: 'train', ...(values.dir ? { dir: values.dir } : {}) });
const test = loadFashionMnist({ split: 'test', ...(values.dir ? { dir: values.dir } : {}) });
const xTrain01 = data.scale(train.images).reshape([-1, 784]);
const { x: xTrain, mean, std } = data.standardize(xTrain01, { perFeature: false });
const { x: xTest } = data.standardize(data.scale(test.images).reshape([-1, 784]), { perFeature: false, mean, std });

manualSeed(seed);
const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 128), new nn.ReLU(), new nn.Linear(128, 10));
const opt = new optim.SGD(model.parameters(), { lr: 0.03, momentum: 0.9 });
const loader = new data.DataLoader(new data.TensorDataset(xTrain, train.labels), { batchSize: 100, shuffle: true });

const started = performance.now();
let step = 0;
for (let epoch = 0; epoch < Number(values.epochs); epoch++) {
  let running = 0;
  for (const [x, y] of loader as Iterable<[Tensor, Tensor]>) {
    const loss = F.crossEntropy(model.forward(x) as Tensor, y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    running += loss.item();
    step++;
    if (step % 100 === 0) {
      console.log(`step ${step}  train loss (last 100) ${(running / 100).toFixed(4)}`);
      running = 0;
    }
  }
}
const seconds = (performance.now() - started) / 1000;

model.eval();
const logits = noGradScope(() => model.forward(xTest) as Tensor);
const correct = logits.argmax(1).eq(test.labels).sum().item();
console.log(`test accuracy ${(correct / test.labels.numel()).toFixed(4)}  (${step} steps, ${seconds.toFixed(1)} s, ${((seconds / step) * 1000).toFixed(1)} ms/step)`);
void tensor;
