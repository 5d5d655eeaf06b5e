"""The PyTorch counterpart of `paoding lab gradients`: a deep network per activation and
initialisation, trained with SGD at one rate and probed (evaluation mode, no update) on the first
`samples` training examples at initialisation and during training: per hidden layer the weight
gradient norm, the RMS of dL/dz, the saturated and zero-derivative fractions, the mean
derivative. Defaults: paoding's `quick` preset.

    /usr/bin/python3 examples/pytorch/lab/gradients.py --json /tmp/gradients-torch.json
"""
from common import derivative_profile, load_data, parse_activation, parser, probe, seeds_of, split_activations, train, write_json


def probe_steps(steps):
    return sorted({0, round(steps / 4), round(steps / 2), steps})


def main():
    p = parser(__doc__, activations="sigmoid,tanh,relu,leaky_relu,elu,selu", seeds=1, steps=100)
    p.set_defaults(init="default,xavier,he,lecun")
    p.add_argument("--depth", type=int, default=8)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--samples", type=int, default=1000)
    args = p.parse_args()
    data = load_data(args)
    x, y = data[0][: args.samples], data[1][: args.samples]
    at = probe_steps(args.steps)
    cells = []
    profiles = {}
    for label, factory in map(parse_activation, split_activations(args.activations)):
        profiles[label] = derivative_profile(factory)
        for init in args.init.split(","):
            per_seed = []
            for seed in seeds_of(args.seeds):
                r = train(data, factory, [args.width] * args.depth, seed, args.lr, args.momentum, args.batch, args.steps, args.window, [], init,
                          eval_test=False, probe_at=at, on_probe=lambda net, step, m: probe(net, x, y, step, m))
                per_seed.append(r["probes"])
            probes = per_seed[0]
            ratio = [pr["layers"][0]["deltaRms"] / pr["layers"][-1]["deltaRms"] for pr in probes]
            cells.append({"label": label, "init": init, "probes": probes, "ratio": ratio, "perSeed": per_seed})
            print(f"{label:<10} {init:<8} ratio first/last @0 {ratio[0]:.3g} @{at[-1]} {ratio[-1]:.3g}; saturated@0 "
                  f"{sum(l['saturated'] for l in probes[0]['layers']) / args.depth:.3%} zero@0 {sum(l['zero'] for l in probes[0]['layers']) / args.depth:.3%}", flush=True)
    write_json(args.json, {"format": "paoding-lab-torch/1", "experiment": "gradients", "experiments": {"gradients": {"result": {"probeSteps": at, "profiles": profiles, "cells": cells}}}})


if __name__ == "__main__":
    main()
