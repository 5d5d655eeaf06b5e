"""PyTorch's float32 accuracy per primitive, for comparison with the wasm backend's.

Run by hand with Debian's python3-torch: /usr/bin/python3 bench/torch_accuracy.py
Inputs: 2^19 random float32 bit patterns (every magnitude) plus 2^19 points on [-30, 30];
error in ulp of the float32 spacing at the float64 reference, results that overflow or are
subnormal excluded (PyTorch's log1p returns inf above 1e38 and its sigmoid underflows to 0
below -88.7; both are reported separately by the wasm backend's tests).
"""
import numpy as np
import torch

torch.set_num_threads(1)
N = 1 << 20
rng = np.random.RandomState(12345)
bits = rng.randint(0, 2**32, size=N // 2, dtype=np.uint64).astype(np.uint32)
x = np.concatenate([bits.view(np.float32), np.linspace(-30, 30, N // 2, dtype=np.float64).astype(np.float32)])
x = x[np.isfinite(x)]


def ulp32(r):
    a = np.abs(r)
    e = np.floor(np.log2(np.maximum(a, 1.1754943508222875e-38)))
    return np.where(a < 1.1754943508222875e-38, 2.0**-149, 2.0 ** (e - 23))


def ref(name, v):
    v = v.astype(np.float64)
    with np.errstate(all="ignore"):
        return {
            "exp": np.exp,
            "expm1": np.expm1,
            "log": np.log,
            "log1p": np.log1p,
            "tanh": np.tanh,
            "sigmoid": lambda u: 1 / (1 + np.exp(-u)),
            "erf": lambda u: torch.erf(torch.from_numpy(u)).numpy(),
            "erfc": lambda u: torch.erfc(torch.from_numpy(u)).numpy(),
        }[name](v)


for name in ["exp", "expm1", "log", "log1p", "tanh", "sigmoid", "erf", "erfc"]:
    v = x
    if name == "log1p":
        v = np.where(v < -1, -v - 1, v).astype(np.float32)
        v = v[v < 1e30]
    if name == "log":
        v = np.abs(v)
    y = getattr(torch, name)(torch.from_numpy(v.copy())).numpy().astype(np.float64)
    r = ref(name, v)
    ok = np.isfinite(r) & (np.abs(r) <= 3.4028234663852886e38) & (np.abs(r) >= 1.1754943508222875e-38)
    e = np.abs(y[ok] - r[ok]) / ulp32(r[ok])
    i = np.argmax(e)
    print(f"{name:8s} torch {torch.__version__} float32 max ulp {e[i]:.3f} at {v[ok][i]!r}")
