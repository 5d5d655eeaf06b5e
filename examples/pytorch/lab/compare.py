"""Side-by-side tables (Markdown) of a `paoding lab <experiment> --json` report and the JSON of
its PyTorch counterpart in this folder:

    /usr/bin/python3 examples/pytorch/lab/compare.py paoding.json torch.json
"""
import json
import sys


def fmt(v, d=3):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{d}g}"
    return str(v)


def pct(v):
    return "–" if v is None else f"{v * 100:.1f}%"


def steps(values, budget):
    return "/".join(">" + str(budget) if v is None else str(v) for v in values)


def race(p, t, key):
    pr = p["experiments"][key]
    tr = t["experiments"][key]["result"]
    targets = pr["settings"]["targets"]
    budget = pr["settings"]["steps"]
    print(f"| net | activation | lr (paoding / PyTorch) | {' | '.join(f'steps to {x:.0%} per seed (paoding / PyTorch)' for x in targets)} | final train loss | test accuracy |")
    print("|---|---|---|" + "---|" * len(targets) + "---|---|")
    for pn in pr["result"]["nets"]:
        tn = next((n for n in tr["nets"] if n["name"] == pn["name"]), None)
        for pv in pn["variants"]:
            tv = next((v for v in tn["variants"] if v["label"] == pv["label"]), None) if tn else None
            if tv is None:
                continue
            cells = [f"{steps(a['values'], budget)} / {steps(b['values'], budget)}" for a, b in zip(pv["summary"]["stepsTo"], tv["summary"]["stepsTo"])]
            print(f"| {pn['name']} | {pv['label']} | {pv['lr']} / {tv['lr']} | {' | '.join(cells)} | "
                  f"{fmt(pv['summary']['finalLoss']['mean'], 4)} / {fmt(tv['summary']['finalLoss']['mean'], 4)} | "
                  f"{pct(pv['summary']['testAcc']['mean'])} / {pct(tv['summary']['testAcc']['mean'])} |")


def gradients(p, t):
    pc = p["experiments"]["gradients"]["result"]["cells"]
    tc = t["experiments"]["gradients"]["result"]["cells"]
    print("| activation | init | signal ratio first/last at init (paoding / PyTorch) | after training | saturated at init | zero-derivative at init | mean f' at init |")
    print("|---|---|---|---|---|---|---|")
    for a in pc:
        b = next((c for c in tc if c["label"] == a["label"] and c["init"] == a["init"]), None)
        if b is None:
            continue

        def avg(c, k, i=0):
            layers = c["probes"][i]["layers"]
            return sum(l[k] for l in layers) / len(layers)

        print(f"| {a['label']} | {a['init']} | {fmt(a['ratio'][0])} / {fmt(b['ratio'][0])} | {fmt(a['ratio'][-1])} / {fmt(b['ratio'][-1])} | "
              f"{pct(avg(a, 'saturated'))} / {pct(avg(b, 'saturated'))} | {pct(avg(a, 'zero'))} / {pct(avg(b, 'zero'))} | "
              f"{fmt(avg(a, 'meanDerivative'))} / {fmt(avg(b, 'meanDerivative'))} |")


def propagation(p, t):
    pc = p["experiments"]["propagation"]["result"]["cells"]
    tc = t["experiments"]["propagation"]["result"]["cells"]
    depth = len(pc[0]["layers"])
    print(f"| activation | init | mean at layer 1 (paoding / PyTorch) | variance at layer 1 | mean at layer {depth} | variance at layer {depth} |")
    print("|---|---|---|---|---|---|")
    for a in pc:
        b = next((c for c in tc if c["label"] == a["label"] and c["init"] == a["init"]), None)
        if b is None:
            continue
        f, l = a["layers"], b["layers"]
        print(f"| {a['label']} | {a['init']} | {fmt(f[0]['actMean'], 4)} / {fmt(l[0]['actMean'], 4)} | {fmt(f[0]['actVar'], 4)} / {fmt(l[0]['actVar'], 4)} | "
              f"{fmt(f[-1]['actMean'], 4)} / {fmt(l[-1]['actMean'], 4)} | {fmt(f[-1]['actVar'], 4)} / {fmt(l[-1]['actVar'], 4)} |")


def dying(p, t):
    pc = p["experiments"]["dying"]["result"]["cells"]
    tc = t["experiments"]["dying"]["result"]["cells"]
    print("| net | activation | lr | dead before (paoding / PyTorch) | dead after | diverged seeds |")
    print("|---|---|---|---|---|---|")
    for a in pc:
        b = next((c for c in tc if c["label"] == a["label"] and c["lr"] == a["lr"] and c["net"] == a["net"]), None)
        if b is None:
            continue
        print(f"| {a['net']} | {a['label']} | {a['lr']} | {pct(a['deadBefore'])} / {pct(b['deadBefore'])} | "
              f"{'diverged' if a['deadAfter'] is None else pct(a['deadAfter'])} / {'diverged' if b['deadAfter'] is None else pct(b['deadAfter'])} | {a['diverged']} / {b['diverged']} |")


def cost(p, t):
    pr = p["experiments"]["cost"]["result"]["timing"]["rows"]
    tr = t["experiments"]["cost"]["result"]["timing"]["rows"]
    print("| activation | forward ms (paoding / PyTorch) | backward ms | training step ms | activation share |")
    print("|---|---|---|---|---|")
    for a in pr:
        b = next((r for r in tr if r["label"] == a["label"]), None)
        if b is None:
            continue
        print(f"| {a['label']} | {fmt(a['forwardMs'])} / {fmt(b['forwardMs'])} | {fmt(a['backwardMs'])} / {fmt(b['backwardMs'])} | {fmt(a['stepMs'])} / {fmt(b['stepMs'])} | {pct(a['share'])} / {pct(b['share'])} |")


def main():
    with open(sys.argv[1]) as f:
        p = json.load(f)
    with open(sys.argv[2]) as f:
        t = json.load(f)
    for key in t["experiments"]:
        if key not in p["experiments"]:
            continue
        print(f"\n### {key}\n")
        {"race": lambda: race(p, t, "race"), "batchnorm": lambda: race(p, t, "batchnorm"), "gradients": lambda: gradients(p, t),
         "propagation": lambda: propagation(p, t), "dying": lambda: dying(p, t), "cost": lambda: cost(p, t)}[key]()


if __name__ == "__main__":
    main()
