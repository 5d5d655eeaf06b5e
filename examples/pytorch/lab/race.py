"""The PyTorch counterpart of `paoding lab race` (and, with --batchnorm, of `paoding lab batchnorm`).

For each network and activation: a learning-rate sweep on the first seed picks the rate with the
lowest final training loss (mean of the last `window` steps; diverged = worst; ties to the
larger rate), extended one grid step past a winning edge up to --extend times; then the other
seeds train at that rate. With --lr, every activation trains at that one rate instead. The
defaults are paoding's `quick` preset on Fashion-MNIST:

    /usr/bin/python3 examples/pytorch/lab/race.py --json /tmp/race-torch.json
    node dist/cli/main.js lab race --preset quick --json /tmp/race-paoding.json
    /usr/bin/python3 examples/pytorch/lab/compare.py /tmp/race-paoding.json /tmp/race-torch.json
"""
import math

from common import (default_targets, floats, load_data, parse_activation, parse_net, parser, seeds_of,
                    split_activations, train, write_json)


def extend_rate(grid, edge):
    g = sorted(grid)
    if len(g) > 1:
        step = g[-1] / g[-2] if edge == "high" else g[1] / g[0]
    else:
        step = math.sqrt(10)
    v = g[-1] * step if edge == "high" else g[0] / step
    r = float(f"{v:.3g}")
    nice = None
    for m in (1, 3, 10):
        c = m * 10 ** math.floor(math.log10(r))
        if abs(math.log10(c / r)) < 0.06:
            nice = float(f"{c:.3g}")
            break
    out = nice if nice is not None else r
    return out if 1e-5 <= out <= 100 else None


def pick_best(points):
    best = points[0]
    for p in points:
        a = p["finalLoss"] if p["finalLoss"] is not None else math.inf
        b = best["finalLoss"] if best["finalLoss"] is not None else math.inf
        if a < b or (a == b and p["lr"] > best["lr"]):
            best = p
    return best


def edge_of(points, best):
    if len(points) < 2 or best["finalLoss"] is None:
        return None
    lrs = sorted(p["lr"] for p in points)
    return "high" if best["lr"] == lrs[-1] else "low" if best["lr"] == lrs[0] else None


def summarize(values, budget):
    reached = [v for v in values if v is not None]
    mean = sum(v if v is not None else budget for v in values) / len(values)
    return {"values": values, "reached": len(reached), "censored": len(values) - len(reached), "mean": round(mean, 4), "budget": budget}


def main():
    p = parser(__doc__, activations="relu,leaky_relu,elu,tanh,sigmoid", seeds=2, steps=150)
    p.add_argument("--nets", default="shallow,deep")
    p.add_argument("--lrs", default="0.03,0.1,0.3")
    p.add_argument("--extend", type=int, default=1)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--batchnorm", action="store_true", help="also each activation with batch normalisation (the batchnorm experiment)")
    args = p.parse_args()
    data = load_data(args)
    targets = floats(args.targets) if args.targets else default_targets(data[5], data[4])
    seeds = seeds_of(args.seeds)
    lrs = floats(args.lrs)
    variants = [(label, f, bn) for label, f in map(parse_activation, split_activations(args.activations)) for bn in ([False, True] if args.batchnorm else [False])]
    result = {"nets": []}
    for net_name in args.nets.split(","):
        hidden = parse_net(net_name)
        out = {"name": net_name, "variants": []}
        for label, factory, bn in variants:
            name = label + ("+BN" if bn else "")

            def run(lr, seed):
                r = train(data, factory, hidden, seed, lr, args.momentum, args.batch, args.steps, args.window, targets, args.init, bn)
                print(f"{net_name} {name} lr={lr} seed {seed}: final loss {r['finalLoss']}, test {r['testAcc']}, {r['timing']['msPerStep']:.1f} ms/step", flush=True)
                return r

            sweep, runs_at = [], {}
            if args.lr is None:
                for lr in lrs:
                    r = run(lr, seeds[0])
                    runs_at[lr] = r
                    sweep.append({"lr": lr, "finalLoss": r["finalLoss"], "finalAcc": r["finalAcc"], "diverged": r["diverged"], "stepsTo": r["stepsTo"]})
                for _ in range(args.extend):
                    sweep.sort(key=lambda q: q["lr"])
                    best = pick_best(sweep)
                    edge = edge_of(sweep, best)
                    if not edge:
                        break
                    lr = extend_rate([q["lr"] for q in sweep], edge)
                    if lr is None or any(q["lr"] == lr for q in sweep):
                        break
                    r = run(lr, seeds[0])
                    runs_at[lr] = r
                    sweep.append({"lr": lr, "finalLoss": r["finalLoss"], "finalAcc": r["finalAcc"], "diverged": r["diverged"], "stepsTo": r["stepsTo"]})
                sweep.sort(key=lambda q: q["lr"])
                lr = pick_best(sweep)["lr"]
                runs = [runs_at[lr]] + [run(lr, s) for s in seeds[1:]]
            else:
                lr = args.lr
                runs = [run(lr, s) for s in seeds]
            for s, r in zip(seeds, runs):
                r["seed"], r["lr"] = s, lr
            finals = [r["finalLoss"] for r in runs if r["finalLoss"] is not None]
            tests = [r["testAcc"] for r in runs if r["testAcc"] is not None]
            out["variants"].append({
                "label": name, "batchnorm": bn, "lr": lr, "sweep": sweep, "runs": runs,
                "summary": {
                    "stepsTo": [summarize([r["stepsTo"][k] for r in runs], args.steps) for k in range(len(targets))],
                    "finalLoss": {"mean": sum(finals) / len(finals) if finals else None, "values": [r["finalLoss"] for r in runs]},
                    "testAcc": {"mean": sum(tests) / len(tests) if tests else None, "values": [r["testAcc"] for r in runs]},
                    "diverged": sum(r["diverged"] is not None for r in runs),
                },
            })
        result["nets"].append(out)
    key = "batchnorm" if args.batchnorm else "race"
    report = {"format": "paoding-lab-torch/1", "experiment": key, "torch": __import__("torch").__version__,
              "settings": {"targets": targets, "seeds": seeds, "steps": args.steps, "batch": args.batch, "lrs": lrs, "window": args.window, "init": args.init},
              "experiments": {key: {"result": result}}}
    write_json(args.json, report)
    for net in result["nets"]:
        print(f"\n{net['name']}")
        for v in net["variants"]:
            steps = ["/".join("-" if x is None else str(x) for x in s["values"]) for s in v["summary"]["stepsTo"]]
            print(f"  {v['label']:<12} lr {v['lr']:<6} steps to {targets}: {steps}  final loss {v['summary']['finalLoss']['mean']}  test {v['summary']['testAcc']['mean']}")


if __name__ == "__main__":
    main()
