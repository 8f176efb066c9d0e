"""PyTorch's side of LossBench: cross_entropy (float32 logits, int64 targets, the mean) forward, and forward plus
backward into the logits' grad, at [64, 10], [256, 1000] and [1024, 50257], timed the same way (best and median ms per
call over blocks of calls). Prints one JSON object. The thread count is the first argument (Kiln's own), so that both
run on the same cores.

Run by the Java benchmark with Debian's python3-torch (PyTorch 1.13); usable alone:
    /usr/bin/python3 benchmarks/pytorch/losses.py 2
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

REPEATS = 15
SHAPES = [(64, 10), (256, 1000), (1024, 50257)]


def millis(fn, inner, repeats=REPEATS, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter_ns() - t0) / 1e6 / inner)
    return min(times), statistics.median(times)


def inner(shape):
    return max(1, min(2000, 5_000_000 // (shape[0] * shape[1])))


if len(sys.argv) > 1:
    torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
result = {"threads": torch.get_num_threads()}
for n, c in SHAPES:
    x = torch.randn(n, c, requires_grad=True)
    t = torch.randint(0, c, (n,))

    def forward():
        with torch.no_grad():
            F.cross_entropy(x, t)

    def both():
        x.grad = None
        F.cross_entropy(x, t).backward()

    key = f"{n}x{c}"
    for name, fn in (("forward", forward), ("both", both)):
        best, median = millis(fn, inner((n, c)))
        result[f"{key}_{name}_best_ms"] = best
        result[f"{key}_{name}_median_ms"] = median
print(json.dumps(result))
