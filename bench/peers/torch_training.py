"""PyTorch's side of bench/training.ts: steps per second of one SGD training step of an MLP.

Prints one JSON object. Run by the benchmark (not by hand) with Debian's PyTorch:
    /usr/bin/python3 bench/peers/torch_training.py --threads 1 --steps 50
"""
import argparse
import json
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--steps", type=int, default=50)
p.add_argument("--sizes", default="784,256,256,10")
p.add_argument("--batch", type=int, default=128)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
sizes = [int(s) for s in a.sizes.split(",")]
layers = []
for i in range(len(sizes) - 1):
    layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
    if i < len(sizes) - 2:
        layers.append(torch.nn.ReLU())
model = torch.nn.Sequential(*layers)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
x = torch.randn(a.batch, sizes[0])
y = torch.randint(0, sizes[-1], (a.batch,))


def step():
    loss = torch.nn.functional.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()


for _ in range(5):
    step()
times = []
for _ in range(a.steps):
    t = time.perf_counter()
    step()
    times.append(time.perf_counter() - t)
times.sort()
# Which libblas.so.3 the dynamic linker picked (Debian's alternatives: OpenBLAS or the reference BLAS).
blas = "unknown"
try:
    maps = open("/proc/self/maps").read()
    libs = [line.split()[-1] for line in maps.splitlines() if "libblas.so.3" in line]
    if libs:
        blas = "reference BLAS" if "/blas/" in libs[0] else ("OpenBLAS" if "openblas" in libs[0] else libs[0])
except OSError:
    pass
print(json.dumps({"median_s": times[len(times) // 2], "threads": a.threads, "blas": blas, "torch": torch.__version__}))
