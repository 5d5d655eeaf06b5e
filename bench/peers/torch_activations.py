"""PyTorch's side of the activation benchmark (`npm run bench`, `paoding bench`).

Run by the benchmark with Debian's PyTorch, one process per thread count:
    /usr/bin/python3 bench/peers/torch_activations.py SPEC.json
SPEC.json (written by src/cli/bench/peers.ts) names the rows, sizes, directions, the raw
float32 input files (the same bytes paoding and the other peers use) and the timing plan.
Prints one JSON object: the versions and one result per (variant, row, direction, size).

Variants: "torch" is the usual API (`F.gelu(x)`, a fresh output per call; forward + backward
is `torch.autograd.grad(F.gelu(x), x, g)`); "torch-out" writes a preallocated output through
the `out=` form of the same kernel (forward only; informational).
The timing method is src/cli/bench/timing.ts's, restated here.
"""
import json
import sys
import time

import numpy as np
import torch

F = torch.nn.functional
NN = torch._C._nn
RRELU_SLOPE = (1 / 8 + 1 / 3) / 2
W = torch.tensor([0.25])

USUAL = {
    "threshold": lambda x: F.threshold(x, 0.1, 20.0),
    "relu": F.relu,
    "relu6": F.relu6,
    "hardtanh": F.hardtanh,
    "hardswish": F.hardswish,
    "hardsigmoid": F.hardsigmoid,
    "elu": F.elu,
    "selu": F.selu,
    "celu": F.celu,
    "leaky_relu": F.leaky_relu,
    "prelu": lambda x: F.prelu(x, W),
    "rrelu": lambda x: F.rrelu(x, training=False),
    "glu": lambda x: F.glu(x, -1),
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "logsigmoid": F.logsigmoid,
    "hardshrink": F.hardshrink,
    "softshrink": F.softshrink,
    "tanhshrink": F.tanhshrink,
    "softsign": F.softsign,
    "softplus": F.softplus,
    "silu": F.silu,
    "mish": F.mish,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda x: F.softmax(x, -1),
    "log_softmax": lambda x: F.log_softmax(x, -1),
    "softmin": lambda x: F.softmin(x, -1),
    "softmax2d": torch.nn.Softmax2d(),
    "gumbel_softmax": lambda x: F.gumbel_softmax(x, dim=-1),
}

# The out= form of the same kernel, where PyTorch has one.
OUT = {
    "threshold": lambda x, o: torch.threshold(x, 0.1, 20.0, out=o),
    "relu": lambda x, o: torch.clamp_min(x, 0.0, out=o),
    "relu6": lambda x, o: NN.hardtanh(x, 0.0, 6.0, out=o),
    "hardtanh": lambda x, o: NN.hardtanh(x, -1.0, 1.0, out=o),
    "hardswish": lambda x, o: NN.hardswish(x, out=o),
    "hardsigmoid": lambda x, o: NN.hardsigmoid(x, out=o),
    "elu": lambda x, o: NN.elu(x, out=o),
    "leaky_relu": lambda x, o: NN.leaky_relu(x, 0.01, out=o),
    "rrelu": lambda x, o: NN.leaky_relu(x, RRELU_SLOPE, out=o),
    "glu": lambda x, o: NN.glu(x, -1, out=o),
    "gelu": lambda x, o: NN.gelu(x, out=o),
    "gelu_tanh": lambda x, o: NN.gelu(x, approximate="tanh", out=o),
    "logsigmoid": lambda x, o: NN.log_sigmoid(x, out=o),
    "hardshrink": lambda x, o: torch.hardshrink(x, 0.5, out=o),
    "softshrink": lambda x, o: NN.softshrink(x, 0.5, out=o),
    "softplus": lambda x, o: NN.softplus(x, 1.0, 20.0, out=o),
    "silu": lambda x, o: NN.silu(x, out=o),
    "mish": lambda x, o: NN.mish(x, out=o),
    "sigmoid": lambda x, o: torch.sigmoid(x, out=o),
    "tanh": lambda x, o: torch.tanh(x, out=o),
    "softmax": lambda x, o: torch._softmax(x, -1, False, out=o),
    "log_softmax": lambda x, o: torch._log_softmax(x, -1, False, out=o),
}


def measure(loop, plan):
    """src/cli/bench/timing.ts's `measure`: loop(reps) returns the seconds reps calls took."""
    w0 = time.perf_counter()
    calls = 0
    while calls < 2 or time.perf_counter() - w0 < plan["warmupSeconds"]:
        loop(1)
        calls += 1
    one = (time.perf_counter() - w0) / calls
    if one > plan["slowCall"]:
        xs = [loop(1) for _ in range(plan["slowSamples"])]
        return summarise(xs, 1)
    reps = max(1, int(-(-plan["sampleSeconds"] // max(one, 1e-9))))
    while True:
        dt = loop(reps)
        if dt >= plan["sampleSeconds"] or reps >= 1 << 24:
            break
        reps = max(reps + 1, int(-(-(reps * plan["sampleSeconds"] * 1.2) // max(dt, 1e-9))))
    xs = [loop(reps) / reps for _ in range(plan["samples"])]
    return summarise(xs, reps)


def summarise(xs, reps):
    s = sorted(xs)
    q = lambda p: s[min(len(s) - 1, round(p * (len(s) - 1)))]
    med = q(0.5)
    return {"seconds": med, "iqr": (q(0.75) - q(0.25)) / med if med > 0 else 0, "samples": len(s), "callsPerSample": reps}


def loop_of(fn):
    def loop(reps):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        return time.perf_counter() - t0

    return loop


def main():
    spec = json.load(open(sys.argv[1]))
    torch.set_num_threads(spec["threads"])
    plan = spec["plan"]
    results = []
    # The inputs paoding and the other peers use: smaller sizes are prefixes.
    flat_x = torch.from_numpy(np.fromfile(spec["x"], dtype=np.float32))
    flat_g = torch.from_numpy(np.fromfile(spec["g"], dtype=np.float32))
    for size in spec["sizes"]:
        print(f"[bench] PyTorch 2^{size} {spec['threads']}T", file=sys.stderr, flush=True)
        for case in spec["cases"]:
            name = case["name"]
            shape = case["shapes"][str(size)]
            out_shape = case["outShapes"][str(size)]
            x = flat_x[: int(np.prod(shape))].reshape(shape).clone()
            g = flat_g[: int(np.prod(out_shape))].reshape(out_shape).clone()
            base = {"case": name, "size": size, "threads": spec["threads"]}
            fn = USUAL.get(name)
            for d in spec["dirs"]:
                if "torch" not in spec["variants"]:
                    break
                r = {**base, "impl": "torch", "dir": d}
                if fn is None:
                    results.append({**r, "seconds": None, "note": f"no PyTorch mapping for '{name}'"})
                    continue
                if d == "fwd":
                    t = measure(loop_of(lambda: fn(x)), plan)
                else:
                    xg = x.detach().requires_grad_(True)
                    t = measure(loop_of(lambda: torch.autograd.grad(fn(xg), xg, g)), plan)
                results.append({**r, **t})
            if "torch-out" in spec["variants"] and "fwd" in spec["dirs"]:
                r = {**base, "impl": "torch-out", "dir": "fwd"}
                out_fn = OUT.get(name)
                if out_fn is None:
                    results.append({**r, "seconds": None, "note": "no out= form"})
                    continue
                o = torch.empty(out_shape)
                try:
                    out_fn(x, o)
                except (RuntimeError, TypeError) as e:
                    results.append({**r, "seconds": None, "note": f"out= failed: {str(e).splitlines()[0]}"})
                    continue
                t = measure(loop_of(lambda: out_fn(x, o)), plan)
                results.append({**r, **t})
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


main()
