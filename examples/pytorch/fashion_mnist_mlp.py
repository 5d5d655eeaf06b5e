"""The classic run in PyTorch, the counterpart of examples/fashion_mnist_mlp.ts.

MLP 784-128-128-10 with ReLU on Fashion-MNIST (pixels scaled to [0, 1], then standardised with
the training set's global mean and std), PyTorch's default initialisation, SGD with momentum 0.9
at lr 0.03, batch 100, one epoch. Run with Debian's PyTorch:

    /usr/bin/python3 examples/pytorch/fashion_mnist_mlp.py [--seed 0]
"""
import argparse
import gzip
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser()
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--dir", default="/usr/share/datasets/fashion-mnist")
parser.add_argument("--epochs", type=int, default=1)
args = parser.parse_args()
torch.set_num_threads(1)


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def split(name):
    images = torch.tensor(idx(f"{args.dir}/{name}-images-idx3-ubyte.gz").copy()).reshape(-1, 784)
    labels = torch.tensor(idx(f"{args.dir}/{name}-labels-idx1-ubyte.gz").copy()).long()
    return images.float() / 255, labels


x_train, y_train = split("train")
x_test, y_test = split("t10k")
mean, std = x_train.mean(), x_train.std(unbiased=False)
x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

torch.manual_seed(args.seed)
model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.03, momentum=0.9)
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=100, shuffle=True)

started = time.perf_counter()
step = 0
for epoch in range(args.epochs):
    running = 0.0
    for x, y in loader:
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running += loss.item()
        step += 1
        if step % 100 == 0:
            print(f"step {step}  train loss (last 100) {running / 100:.4f}")
            running = 0.0
seconds = time.perf_counter() - started

model.eval()
with torch.no_grad():
    correct = (model(x_test).argmax(1) == y_test).sum().item()
print(f"test accuracy {correct / len(y_test):.4f}  ({step} steps, {seconds:.1f} s, {seconds / step * 1000:.1f} ms/step)")
