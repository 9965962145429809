#!/usr/bin/python3
"""PyTorch on the networks of bench/benchmark.cpp, on one thread, and tinymlp / PyTorch ratios.

    /usr/bin/python3 bench/pytorch_reference.py                          # PyTorch alone
    /usr/bin/python3 bench/pytorch_reference.py --tinymlp results.json   # ratios to `benchmark --json results.json`
    /usr/bin/python3 bench/pytorch_reference.py --run build/x86-avx2/bench/benchmark   # runs it first

Training: SGD (lr 0.01), cross-entropy on the logits, random Fashion-MNIST-shaped data (pixels in
[0, 1), 10 classes; 32 features and 8 classes for 32-64-64-8), one optimizer step per batch as
zero_grad / forward / loss / backward / step, the same steps tinymlp's Trainer::step takes.
Inference: one sample through the network under torch.no_grad(). Each figure is the best of many
short timed rounds, as in the C++ benchmark.
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)


def mlp(widths):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i + 2 < len(widths):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def best_seconds_per_call(function, total_seconds, min_calls):
    """Seconds per call: the best of many short rounds (2 ms and at least min_calls calls each)
    over about total_seconds, as bench/benchmark.cpp measures, so that other processes on the
    machine weigh on both sides alike."""
    function()  # warm-up
    best = float("inf")
    begin = time.perf_counter()
    rounds = 0
    while rounds < 8 or time.perf_counter() - begin < total_seconds:
        calls = 0
        start = time.perf_counter()
        while True:
            function()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= 0.002 and calls >= min_calls:
                break
        best = min(best, elapsed / calls)
        rounds += 1
    return best


def training_macs(widths):
    return sum(widths[l] * widths[l + 1] * (2 if l == 0 else 3) for l in range(len(widths) - 1))


def train(widths, batch, samples, total_seconds):
    net = mlp(widths)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    x = torch.rand(samples, widths[0])
    labels = torch.randint(0, widths[-1], (samples,))
    state = {"offset": 0}

    def step():
        offset = state["offset"]
        if offset + batch > samples:
            offset = 0
        xb, yb = x[offset:offset + batch], labels[offset:offset + batch]
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(xb), yb)
        loss.backward()
        optimizer.step()
        state["offset"] = offset + batch

    seconds = best_seconds_per_call(step, total_seconds, 1)
    samples_per_second = batch / seconds
    return {"samples_per_second": samples_per_second,
            "gflops": 2.0 * training_macs(widths) * samples_per_second * 1e-9}


def infer(widths, samples, total_seconds):
    net = mlp(widths).eval()
    x = torch.rand(samples, widths[0])
    state = {"sample": 0}

    def predict():
        state["sample"] = (state["sample"] + 1) % samples
        with torch.no_grad():
            net(x[state["sample"]:state["sample"] + 1])

    return {"microseconds": best_seconds_per_call(predict, total_seconds, 10) * 1e6}


CASES = [
    # name, widths, batch, kind
    ("784-256-10", [784, 256, 10], 256, "train"),
    ("784-256-128-10", [784, 256, 128, 10], 256, "train"),
    ("32-64-64-8", [32, 64, 64, 8], 32, "train"),
    ("32-64-64-8", [32, 64, 64, 8], 1, "train"),
    ("784-256-10", [784, 256, 10], 1, "infer"),
    ("32-64-64-8", [32, 64, 64, 8], 1, "infer"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tinymlp", help="JSON written by `benchmark --json FILE`")
    parser.add_argument("--run", help="path of the benchmark executable to run first (writes a temporary JSON)")
    parser.add_argument("--seconds", type=float, default=2.0, help="time spent on each case")
    args = parser.parse_args()

    tinymlp = None
    if args.run:
        with tempfile.NamedTemporaryFile(suffix=".json") as f:
            subprocess.run([args.run, "--json", f.name], check=True)
            tinymlp = json.load(open(f.name))
    elif args.tinymlp:
        with open(args.tinymlp) as f:
            tinymlp = json.load(f)

    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread")
    rows = []
    for name, widths, batch, kind in CASES:
        samples = 8192 if widths[0] == 784 else 4096
        if kind == "train":
            torch_result = train(widths, batch, samples, args.seconds)
            print(f"  train {name:16} batch {batch:3}  {torch_result['samples_per_second']:10.0f} samples/s"
                  f"  {torch_result['gflops']:7.2f} GFLOP/s")
        else:
            torch_result = infer(widths, samples, args.seconds)
            print(f"  infer {name:16} batch   1  {torch_result['microseconds']:10.2f} us")
        rows.append((name, batch, kind, torch_result))

    if tinymlp is None:
        return 0
    default_target = tinymlp["default_target"]
    print(f"tinymlp ({default_target}) / PyTorch")
    results = tinymlp["results"]
    for name, batch, kind, torch_result in rows:
        for target in (default_target, "scalar"):
            matches = [r for r in results if r["name"] == name and r["batch"] == batch and r["target"] == target
                       and ((r["microseconds"] > 0) == (kind == "infer"))]
            if not matches:
                continue
            r = matches[0]
            if kind == "train":
                ratio = r["samples_per_second"] / torch_result["samples_per_second"]
                print(f"  train {name:16} batch {batch:3}  {target:10} {r['samples_per_second']:10.0f} samples/s"
                      f"  vs {torch_result['samples_per_second']:10.0f}: x{ratio:.2f} throughput")
            else:
                ratio = torch_result["microseconds"] / r["microseconds"]
                print(f"  infer {name:16} batch   1  {target:10} {r['microseconds']:10.2f} us"
                      f"  vs {torch_result['microseconds']:10.2f} us: x{ratio:.1f} faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
