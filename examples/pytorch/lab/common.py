"""What every PyTorch counterpart of `paoding lab` shares: the data, the networks, the
initialisations, one training run and the probes, written as a plain PyTorch script would, with
the settings of src/lab/ (see docs/lab.md). With the same seed, paoding and PyTorch draw the
same initial weights and visit the same batches in the same order.

Run the experiments with Debian's PyTorch, e.g.

    /usr/bin/python3 examples/pytorch/lab/race.py --json /tmp/race-torch.json
"""
import argparse
import gzip
import json
import math
import os
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)

FASHION_MNIST = os.environ.get("PAODING_FASHION_MNIST") or "/usr/share/datasets/fashion-mnist"
SYNTHETIC_NOISE = {"spiral": 0.05, "moons": 0.15, "circle": 0.1, "xor": 0.1, "gaussian": 0.3}

# ---- options, as `paoding lab` spells them -----------------------------------------------------


def parser(description, **defaults):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--activations", default=defaults.get("activations"))
    p.add_argument("--seeds", default=str(defaults.get("seeds", 1)))
    p.add_argument("--dataset", default="fashion-mnist")
    p.add_argument("--data", default=None, help="an MNIST-style folder")
    p.add_argument("--train", type=int, default=defaults.get("train", 10000))
    p.add_argument("--test", type=int, default=defaults.get("test", 2000))
    p.add_argument("--steps", type=int, default=defaults.get("steps"))
    p.add_argument("--batch", type=int, default=defaults.get("batch", 100))
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--window", type=int, default=defaults.get("window", 20))
    p.add_argument("--targets", default=None)
    p.add_argument("--init", default=defaults.get("init", "default"))
    p.add_argument("--json", default=None, help="write the numbers to this file")
    return p


def seeds_of(text):
    if "," in text:
        return [int(s) for s in text.split(",") if s.strip()]
    return list(range(int(text)))


def floats(text):
    return [float(s) for s in text.split(",") if s.strip()]


def parse_net(name):
    if name == "shallow":
        return [128, 128]
    if name == "deep":
        return [64] * 8
    if "x" in name:
        w, d = name.split("x")
        return [int(w)] * int(d)
    return [int(s) for s in name.split("-")]


# ---- data ---------------------------------------------------------------------------------------


def _idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def _mnist_file(d, name):
    for candidate in (name, name + ".gz"):
        p = os.path.join(d, candidate)
        if os.path.exists(p):
            return p
    raise SystemExit(f"expected {name} or {name}.gz in {d}")


def _standardize(x, mean=None, std=None, per_feature=True):
    """paoding's data.standardize: float64 statistics, rounded to float32, applied in float64."""
    x64 = x.double()
    if mean is None:
        dims = 0 if per_feature else None
        mean64 = x64.mean(0) if per_feature else x64.mean()
        var = ((x64 - mean64) ** 2).mean(0) if per_feature else ((x64 - mean64) ** 2).mean()
        mean = mean64.float()
        std = var.sqrt().float()
        std = torch.where(std == 0, torch.ones_like(std), std)
        del dims
    out = ((x64 - mean.double()) / std.double()).float()
    return out, mean, std


def _synthetic(name, n, seed):
    """paoding's data.<name>(n, noise, seed): private generator, uniforms then normals, float64 then float32."""
    g = torch.Generator().manual_seed(seed)
    noise = SYNTHETIC_NOISE[name]
    if name == "gaussian":
        shape = torch.empty(2 * n, dtype=torch.float64).normal_(generator=g).tolist()
    else:
        k = {"spiral": 1, "moons": 1, "circle": 2, "xor": 3}[name]
        shape = torch.empty(k * n, dtype=torch.float64).uniform_(generator=g).tolist()
    pts = []
    for i in range(n):
        c = i % 2
        if name == "spiral":
            r = shape[i]
            t = 3.5 * math.pi * r + (0 if c == 0 else math.pi)
            pts += [r * math.cos(t), r * math.sin(t)]
        elif name == "moons":
            t = math.pi * shape[i]
            a, b = math.cos(t) - 0.5, math.sin(t) - 0.25
            pts += [a, b] if c == 0 else [-a, -b]
        elif name == "circle":
            r = 0.5 * shape[2 * i] if c == 0 else 0.7 + 0.3 * shape[2 * i]
            t = 2 * math.pi * shape[2 * i + 1]
            pts += [r * math.cos(t), r * math.sin(t)]
        elif name == "xor":
            a = 0.1 + 0.9 * shape[3 * i]
            b = 0.1 + 0.9 * shape[3 * i + 1]
            s = 1 if shape[3 * i + 2] < 0.5 else -1
            pts += [s * a, s * b if c == 0 else -s * b]
        else:
            m = -0.5 if c == 0 else 0.5
            pts += [m + 0.3 * shape[2 * i], m + 0.3 * shape[2 * i + 1]]
    z = torch.empty(2 * n, dtype=torch.float64).normal_(generator=g)
    x = (torch.tensor(pts, dtype=torch.float64) + noise * z).float().reshape(n, 2)
    y = torch.tensor([i % 2 for i in range(n)], dtype=torch.int64)
    return x, y


def load_data(args):
    """(x_train, y_train, x_test, y_test, classes, name) prepared as src/lab/data.ts does."""
    if args.dataset in SYNTHETIC_NOISE and args.data is None:
        xtr, ytr = _synthetic(args.dataset, args.train, 1)
        xte, yte = _synthetic(args.dataset, args.test, 2)
        xtr, mean, std = _standardize(xtr)
        xte, _, _ = _standardize(xte, mean, std)
        return xtr, ytr, xte, yte, 2, args.dataset
    d = args.data or FASHION_MNIST

    def split(prefix, n):
        images = torch.tensor(_idx(_mnist_file(d, f"{prefix}-images-idx3-ubyte"))[:n].copy())
        labels = torch.tensor(_idx(_mnist_file(d, f"{prefix}-labels-idx1-ubyte"))[:n].copy()).long()
        return images.reshape(len(images), -1).float() / 255, labels

    xtr, ytr = split("train", args.train)
    xte, yte = split("t10k", args.test)
    xtr, mean, std = _standardize(xtr, per_feature=False)
    xte, _, _ = _standardize(xte, mean, std, per_feature=False)
    classes = int(max(ytr.max(), yte.max())) + 1
    return xtr, ytr, xte, yte, classes, "fashion-mnist" if args.data is None else os.path.basename(args.data)


def default_targets(name, classes):
    return [0.7, 0.8, 0.85] if name == "fashion-mnist" or classes > 2 else [0.7, 0.8, 0.9]


# ---- activations and networks -------------------------------------------------------------------

# id -> (module, positional parameters in paoding's order, as keyword names)
ACTIVATIONS = {
    "relu": (nn.ReLU, []),
    "relu6": (nn.ReLU6, []),
    "leaky_relu": (nn.LeakyReLU, ["negative_slope"]),
    "prelu": (nn.PReLU, ["init"]),
    "rrelu": (nn.RReLU, ["lower", "upper"]),
    "elu": (nn.ELU, ["alpha"]),
    "celu": (nn.CELU, ["alpha"]),
    "selu": (nn.SELU, []),
    "gelu": (nn.GELU, ["approximate"]),
    "silu": (nn.SiLU, []),
    "mish": (nn.Mish, []),
    "softplus": (nn.Softplus, ["beta", "threshold"]),
    "sigmoid": (nn.Sigmoid, []),
    "tanh": (nn.Tanh, []),
    "hardtanh": (nn.Hardtanh, ["min_val", "max_val"]),
    "hardswish": (nn.Hardswish, []),
    "hardsigmoid": (nn.Hardsigmoid, []),
    "softsign": (nn.Softsign, []),
    "tanhshrink": (nn.Tanhshrink, []),
    "logsigmoid": (nn.LogSigmoid, []),
}


def parse_activation(token):
    """`leaky_relu:0.2` or `elu:alpha=0.5` -> (label, factory). Labels follow paoding's."""
    head, _, params = token.partition(":")
    if head not in ACTIVATIONS:
        raise SystemExit(f"activation {head} has no PyTorch counterpart here")
    cls, positional = ACTIVATIONS[head]
    kwargs = {}
    if params:
        for i, part in enumerate(params.split(",")):
            if "=" in part:
                k, v = part.split("=", 1)
            else:
                k, v = positional[i], part
            kwargs[k] = v if k == "approximate" else float(v)
    if len(kwargs) == 0:
        label = head
    elif len(kwargs) == 1:
        v = next(iter(kwargs.values()))
        label = f"{head}({v:g})" if isinstance(v, float) else f"{head}({v})"
    else:
        label = head + "(" + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in kwargs.items()) + ")"
    return label, lambda: cls(**kwargs)


def split_activations(text):
    """paoding's --activations splitting: commas separate activations except inside parameters."""
    out = []
    for piece in [p.strip() for p in text.split(",") if p.strip()]:
        cont = out and ":" in out[-1] and ("=" in piece or _is_number(piece)) and piece not in ACTIVATIONS
        if cont:
            out[-1] += "," + piece
        else:
            out.append(piece)
    return out


def _is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def build_net(features, hidden, classes, act_factory, init="default", batchnorm=False):
    """nn.Sequential(Linear, [BatchNorm1d,] act, ..., Linear), then the initialisation."""
    layers, linears, acts, norms = [], [], [], []
    width = features
    for h in hidden:
        lin = nn.Linear(width, h)
        layers.append(lin)
        linears.append(lin)
        if batchnorm:
            bn = nn.BatchNorm1d(h)
            layers.append(bn)
            norms.append(bn)
        a = act_factory()
        layers.append(a)
        acts.append(a)
        width = h
    out = nn.Linear(width, classes)
    layers.append(out)
    linears.append(out)
    model = nn.Sequential(*layers)
    if init != "default":
        for lin in linears:
            if init == "xavier":
                nn.init.xavier_normal_(lin.weight)
            elif init == "he":
                nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
            elif init == "lecun":
                nn.init.kaiming_normal_(lin.weight, nonlinearity="linear")
            else:
                raise SystemExit(f"unknown init {init}")
            nn.init.zeros_(lin.bias)
    return model, linears, acts, norms


# ---- one training run ---------------------------------------------------------------------------


def sig6(v):
    return float(f"{v:.6g}") if math.isfinite(v) else v


def steps_to_target(acc, window, target):
    s = 0.0
    for i, a in enumerate(acc):
        s += a
        if i >= window:
            s -= acc[i - window]
        if i + 1 >= window and s / window >= target - 1e-9:
            return i + 1
    return None


def evaluate(model, x, y, chunk=2000):
    was = model.training
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for s in range(0, len(x), chunk):
            logits = model(x[s: s + chunk])
            correct += int((logits.argmax(1) == y[s: s + chunk]).sum())
            loss += float(F.cross_entropy(logits, y[s: s + chunk], reduction="sum"))
    model.train(was)
    return correct / len(x), loss / len(x)


def train(data, act_factory, hidden, seed, lr, momentum, batch, steps, window, targets, init="default",
          batchnorm=False, eval_test=True, on_probe=None, probe_at=(), dead=False):
    """One run, as src/lab/train.ts: returns a dict with the same numbers."""
    xtr, ytr, xte, yte, classes, _ = data
    torch.manual_seed(seed)
    model, linears, acts, norms = build_net(xtr.shape[1], hidden, classes, act_factory, init, batchnorm)
    net = (model, linears, acts, norms)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    loader = DataLoader(TensorDataset(xtr, ytr), batch_size=batch, shuffle=True)
    limit = 10 * math.log(classes)
    max_d = derivative_profile(act_factory)["max"] if (probe_at or dead) else 1.0
    dead_before = dead_units(net, xtr, max_d) if dead else None
    probes = []
    if 0 in probe_at:
        probes.append(on_probe(net, 0, max_d))
    losses, accs, diverged, step = [], [], None, 0
    started = time.perf_counter()
    while step < steps and diverged is None:
        for xb, yb in loader:
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            lv = loss.item()
            correct = int((logits.argmax(1) == yb).sum())
            step += 1
            losses.append(sig6(lv))
            accs.append(correct / len(yb))
            if not math.isfinite(lv) or lv > limit:
                diverged = step
                break
            if step in probe_at:
                probes.append(on_probe(net, step, max_d))
            if step >= steps:
                break
    seconds = time.perf_counter() - started
    w = min(window, len(losses))
    test = evaluate(model, xte, yte) if eval_test and diverged is None else None
    out = {
        "stepsDone": step,
        "diverged": diverged,
        "loss": losses,
        "acc": accs,
        "stepsTo": [steps_to_target(accs, window, t) for t in targets],
        "finalLoss": sig6(sum(losses[-w:]) / w) if diverged is None and w else None,
        "finalAcc": sig6(sum(accs[-w:]) / w) if diverged is None and w else None,
        "testAcc": test[0] if test else None,
        "testLoss": sig6(test[1]) if test else None,
        "timing": {"msPerStep": seconds / max(step, 1) * 1000},
    }
    if probes:
        out["probes"] = probes
    if dead:
        out["dead"] = {"before": dead_before, "after": dead_units(net, xtr, max_d) if diverged is None else None,
                       "widths": [lin.out_features for lin in linears[:-1]], "samples": len(xtr)}
    return out


# ---- probes, as src/lab/probes.ts --------------------------------------------------------------

SATURATION_EPS = 0.01
DEAD_EPS = 1e-3
SLACK = 1 - 1e-6  # so that a derivative of exactly 1% (leaky ReLU's 0.01 in float32) is not "below 1%"


def derivative_at(act, z):
    u = z.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(act(u).sum(), u)
    return g


def derivative_profile(act_factory):
    act = act_factory()
    act.eval()
    xs = torch.linspace(-20, 20, 4001)
    d = derivative_at(act, xs)
    m = float(d.abs().max())
    tiny = d.abs() < SATURATION_EPS * m * SLACK
    n = len(xs)
    lo = -1
    while lo + 1 < n and bool(tiny[lo + 1]):
        lo += 1
    hi = n
    while hi - 1 >= 0 and bool(tiny[hi - 1]):
        hi -= 1
    return {"max": m, "tinyBelow": float(xs[lo]) if lo >= 0 else None, "tinyAbove": float(xs[hi]) if hi < n else None}


def forward_layers(net, x):
    model, linears, acts, norms = net
    zs, outs, h = [], [], x
    for i, act in enumerate(acts):
        z = linears[i](h)
        if norms:
            z = norms[i](z)
        a = act(z)
        zs.append(z)
        outs.append(a)
        h = a
    return zs, outs, linears[-1](h)


def probe(net, x, y, step, max_d):
    model, linears, acts, _ = net
    was = model.training
    model.eval()
    zs, outs, logits = forward_layers(net, x)
    loss = F.cross_entropy(logits, y)
    weights = [lin.weight for lin in linears]
    grads = torch.autograd.grad(loss, weights + zs)
    wg, dz = grads[: len(weights)], grads[len(weights):]
    layers = []
    for i, z in enumerate(zs):
        d = derivative_at(acts[i], z)
        eps = SATURATION_EPS * max_d * SLACK
        zero = (d == 0).double().mean().item()
        sat = ((d != 0) & (d.abs() < eps)).double().mean().item()
        layers.append({
            "gradNorm": wg[i].double().norm().item(),
            "deltaRms": dz[i].double().pow(2).mean().sqrt().item(),
            "saturated": sat,
            "zero": zero,
            "meanDerivative": d.double().mean().item(),
            "preMean": z.double().mean().item(),
            "preVar": z.double().var(unbiased=False).item(),
            "actMean": outs[i].double().mean().item(),
            "actVar": outs[i].double().var(unbiased=False).item(),
        })
    model.train(was)
    return {"step": step, "loss": loss.item(), "layers": layers, "outputGradNorm": wg[-1].double().norm().item()}


def dead_units(net, x, max_d, chunk=1000):
    model, linears, acts, _ = net
    was = model.training
    model.eval()
    alive = [torch.zeros(lin.out_features, dtype=torch.bool) for lin in linears[:-1]]
    for s in range(0, len(x), chunk):
        with torch.no_grad():
            zs, _, _ = forward_layers(net, x[s: s + chunk])
        for i, z in enumerate(zs):
            d = derivative_at(acts[i], z)
            alive[i] |= (d.abs() >= DEAD_EPS * max_d * SLACK).any(0)
    model.train(was)
    return [int((~a).sum()) for a in alive]


def write_json(path, obj):
    if path:
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(obj, f)
        os.replace(tmp, path)
