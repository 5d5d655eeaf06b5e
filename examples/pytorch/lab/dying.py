"""The PyTorch counterpart of `paoding lab dying`: dead units (derivative below 0.1% of the
activation's maximum on every training example) before and after training, for each activation
at each learning rate, and the runs that diverge. Defaults: paoding's `quick` preset.

    /usr/bin/python3 examples/pytorch/lab/dying.py --json /tmp/dying-torch.json
"""
from common import default_targets, floats, load_data, parse_activation, parse_net, parser, seeds_of, split_activations, train, write_json


def main():
    p = parser(__doc__, activations="relu,leaky_relu,prelu,elu", seeds=1, steps=150)
    p.add_argument("--nets", default="shallow")
    p.add_argument("--lrs", default="0.01,0.03,0.1,0.3")
    args = p.parse_args()
    data = load_data(args)
    targets = floats(args.targets) if args.targets else default_targets(data[5], data[4])
    cells = []
    for net_name in args.nets.split(","):
        hidden = parse_net(net_name)
        for label, factory in map(parse_activation, split_activations(args.activations)):
            for lr in floats(args.lrs):
                runs = []
                for seed in seeds_of(args.seeds):
                    r = train(data, factory, hidden, seed, lr, args.momentum, args.batch, args.steps, args.window, targets, args.init, dead=True)
                    runs.append({"seed": seed, "diverged": r["diverged"], "before": r["dead"]["before"], "after": r["dead"]["after"],
                                 "finalLoss": r["finalLoss"], "testAcc": r["testAcc"]})
                total = sum(hidden)
                ok = [r for r in runs if r["after"] is not None]
                cell = {"net": net_name, "label": label, "lr": lr, "runs": runs,
                        "deadBefore": sum(sum(r["before"]) / total for r in runs) / len(runs),
                        "deadAfter": sum(sum(r["after"]) / total for r in ok) / len(ok) if ok else None,
                        "diverged": len(runs) - len(ok)}
                cells.append(cell)
                after = "diverged" if cell["deadAfter"] is None else f"{cell['deadAfter']:.2%}"
                print(f"{net_name} {label:<10} lr {lr:<5} dead before {cell['deadBefore']:.2%} after {after}", flush=True)
    write_json(args.json, {"format": "paoding-lab-torch/1", "experiment": "dying", "experiments": {"dying": {"result": {"cells": cells}}}})


if __name__ == "__main__":
    main()
