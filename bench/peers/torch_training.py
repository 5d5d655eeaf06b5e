"""PyTorch's side of bench/training.ts: steps per second of one SGD training step of an MLP.

Prints one JSON object. Run by the benchmark (not by hand) with Debian's PyTorch:
    /usr/bin/python3 bench/peers/torch_training.py --threads 1 --steps 50

With --serve it builds the model once and then answers requests, one per line on stdin,
"<threads> <steps>": it runs that many steps on that many threads and prints one JSON line with
every step's time. `paoding bench` uses this to interleave PyTorch's steps with paoding's, so that
both see the same phases of a shared machine.
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
p.add_argument("--serve", action="store_true")
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


def blas_name():
    """Which libblas.so.3 the dynamic linker picked (Debian's alternatives: OpenBLAS or the reference BLAS)."""
    try:
        maps = open("/proc/self/maps").read()
    except OSError:
        return "unknown"
    libs = [line.split()[-1] for line in maps.splitlines() if "libblas.so.3" in line]
    if not libs:
        return "unknown"
    if "/blas/" in libs[0]:
        return "reference BLAS"
    if "openblas" not in libs[0]:
        return libs[0]
    # torch.set_num_threads does not reach OpenBLAS's own thread pool: say how many it runs.
    try:
        import ctypes

        n = ctypes.CDLL(libs[0]).openblas_get_num_threads()
        return f"OpenBLAS, {n} thread{'s' if n != 1 else ''}"
    except (OSError, AttributeError):
        return "OpenBLAS"


def timed(n):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return times


if a.serve:
    import sys

    for line in sys.stdin:
        threads, n = (int(v) for v in line.split())
        torch.set_num_threads(threads)
        times = timed(n)
        print(json.dumps({"times_s": times, "threads": threads, "blas": blas_name(), "torch": torch.__version__}), flush=True)
    sys.exit(0)

for _ in range(5):
    step()
times = timed(a.steps)
times.sort()
print(json.dumps({"median_s": times[len(times) // 2], "threads": a.threads, "blas": blas_name(), "torch": torch.__version__}))
