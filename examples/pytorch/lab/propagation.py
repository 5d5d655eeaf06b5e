"""The PyTorch counterpart of `paoding lab propagation`: mean and variance of every hidden
layer's input and output through a deep network at initialisation, on the first `samples`
training examples, per activation and initialisation. Defaults: paoding's `quick` preset.

    /usr/bin/python3 examples/pytorch/lab/propagation.py --json /tmp/propagation-torch.json
"""
import torch

from common import build_net, forward_layers, load_data, parse_activation, parser, seeds_of, split_activations, write_json


def main():
    p = parser(__doc__, activations="sigmoid,tanh,relu,leaky_relu,elu,selu,gelu", seeds=1)
    p.set_defaults(init="default,xavier,he,lecun")
    p.add_argument("--depth", type=int, default=32)
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--samples", type=int, default=500)
    args = p.parse_args()
    data = load_data(args)
    x = data[0][: args.samples]
    cells = []
    for label, factory in map(parse_activation, split_activations(args.activations)):
        for init in args.init.split(","):
            runs = []
            for seed in seeds_of(args.seeds):
                torch.manual_seed(seed)
                net = build_net(x.shape[1], [args.width] * args.depth, data[4], factory, init)
                net[0].eval()
                with torch.no_grad():
                    zs, outs, _ = forward_layers(net, x)
                runs.append([{"preMean": z.double().mean().item(), "preVar": z.double().var(unbiased=False).item(),
                              "actMean": a.double().mean().item(), "actVar": a.double().var(unbiased=False).item()} for z, a in zip(zs, outs)])
            layers = [{k: sum(r[i][k] for r in runs) / len(runs) for k in runs[0][i]} for i in range(args.depth)]
            cells.append({"label": label, "init": init, "layers": layers})
            last = layers[-1]
            print(f"{label:<10} {init:<8} layer 1 mean {layers[0]['actMean']:.4g} var {layers[0]['actVar']:.4g}; layer {args.depth} mean {last['actMean']:.4g} var {last['actVar']:.4g}", flush=True)
    write_json(args.json, {"format": "paoding-lab-torch/1", "experiment": "propagation", "experiments": {"propagation": {"result": {"cells": cells}}}})


if __name__ == "__main__":
    main()
