"""The PyTorch counterpart of `paoding lab cost`: forward and backward time of each activation
on [batch, 128] and throughput on 2^20 elements, and a training step of the shallow network
with it (PyTorch CPU, one thread). Wall-clock times: compare ratios, not absolute values.

    /usr/bin/python3 examples/pytorch/lab/cost.py --json /tmp/cost-torch.json
"""
import statistics
import time

import torch
from torch import nn
from torch.nn import functional as F

from common import build_net, parse_activation, parser, split_activations, write_json


def time_it(reps, f):
    f()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts)


def main():
    p = parser(__doc__, activations="relu,leaky_relu,elu,selu,gelu,silu,tanh,sigmoid", steps=10)
    p.add_argument("--reps", type=int, default=30)
    args = p.parse_args()
    rows = []
    for label, factory in map(parse_activation, split_activations(args.activations)):
        m = factory()
        res = {}
        for name, shape, reps in (("small", (args.batch, 128), args.reps), ("large", (1 << 20,), max(3, args.reps // 4))):
            torch.manual_seed(0)
            x = torch.randn(*shape, requires_grad=True)
            g = torch.ones(*shape)
            fwd = time_it(reps, lambda: m(x))
            y = m(x)
            bwd = time_it(reps, lambda: y.backward(g, retain_graph=True))
            res[name] = (fwd, bwd)
        torch.manual_seed(0)
        model = build_net(784, [128, 128], 10, factory)[0]
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        xb = torch.randn(args.batch, 784)
        yb = torch.randint(0, 10, (args.batch,))

        def step():
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

        step_ms = time_it(args.steps, step)
        n = 1 << 20
        row = {"label": label, "forwardMs": res["small"][0], "backwardMs": res["small"][1],
               "forwardMeps": n / res["large"][0] / 1000, "backwardMeps": n / res["large"][1] / 1000,
               "stepMs": step_ms, "share": 2 * (res["small"][0] + res["small"][1]) / step_ms}
        rows.append(row)
        print(f"{label:<10} fwd {row['forwardMs']:.4f} ms bwd {row['backwardMs']:.4f} ms; {row['forwardMeps']:.0f}/{row['backwardMeps']:.0f} M elem/s; step {step_ms:.2f} ms; share {row['share']:.1%}", flush=True)
    write_json(args.json, {"format": "paoding-lab-torch/1", "experiment": "cost", "torch": torch.__version__,
                           "experiments": {"cost": {"result": {"timing": {"rows": rows}}}}})


if __name__ == "__main__":
    main()
