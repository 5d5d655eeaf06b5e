"""PyTorch's float32 softmax and log_softmax accuracy, for comparison with the wasm backend's.

Run by hand with Debian's python3-torch: /usr/bin/python3 bench/torch_softmax_accuracy.py
Inputs: those of test/backend.wasm.test.ts ('softmax kernels'): rows of 1024, 7, 100 and 5000
values, uniform with a width per row of 2, 10, 40 or 300 (the test's generator, seeded with the
row length); and the same kind of values, four rows of n/4 seeded with n, shaped for a softmax
along a middle dim. Reference: float64 per row, log_softmax as (x - max) - log1p(rest) with rest the
sum over the elements below the maximum plus its ties less one (float64's log(sum) loses the
digits of the largest element's tiny result). Error in ulp of the float32 spacing at the
reference; exact zeros of the reference excluded.
"""
import numpy as np
import torch

torch.set_num_threads(1)


def lcg(seed):
    s = seed & 0xFFFFFFFF
    while True:
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        yield s


def rows(length, count, seed):
    g = lcg(seed)
    out = np.empty((count, length), dtype=np.float32)
    for r in range(count):
        width = [2, 10, 40, 300][r % 4]
        for i in range(length):
            out[r, i] = (next(g) / 2**32 - 0.5) * width
    return out


def ulp32(r):
    a = np.abs(r)
    e = np.floor(np.log2(np.maximum(a, 2.0**-126)))
    return np.where(a < 2.0**-126, 2.0**-149, 2.0 ** (e - 23))


def reference(x, dim, log):
    x = x.astype(np.float64)
    m = x.max(axis=dim, keepdims=True)
    d = x - m
    ties = (d == 0).sum(axis=dim, keepdims=True)
    rest = np.where(d == 0, 0.0, np.exp(d)).sum(axis=dim, keepdims=True)
    return d - np.log1p(ties - 1 + rest) if log else np.exp(d) / (ties + rest)


def measure(what, x, dim):
    for name in ["softmax", "log_softmax"]:
        y = getattr(torch, name)(torch.from_numpy(x), dim).numpy().astype(np.float64)
        r = reference(x, dim, name == "log_softmax")
        ok = np.isfinite(r) & (r != 0)
        e = np.abs(y[ok] - r[ok]) / ulp32(r[ok])
        print(f"{name:12s} {what}: torch {torch.__version__} float32 max {e.max():.3f} ulp, mean {e.mean():.3f}")


for length, count in [(1024, 64), (7, 256), (100, 128), (5000, 16)]:
    measure(f"rows of {length}", rows(length, count, length), 1)
for shape, dim in [([4, 300, 33], 1), ([1, 16, 1, 4096], 1), ([3, 40, 5, 7], 2), ([6, 1024], 0), ([8, 16, 256], 1)]:
    n = int(np.prod(shape))
    measure(f"{shape} along {dim}", rows(n // 4, 4, n).reshape(shape), dim)
