"""PyTorch's side of PointwiseBench: the same float32 elementwise ops on the same 16M-element tensor, timed the same
way. Prints one JSON object: milliseconds per op (median), by op name.

Run by the Java benchmark with Debian's python3-torch (PyTorch 1.13), once per thread count; usable alone:
    /usr/bin/python3 benchmarks/pytorch/pointwise_ops.py [threads]
"""
import json
import statistics
import sys
import time

import torch

if len(sys.argv) > 1:
    torch.set_num_threads(int(sys.argv[1]))

N = 16 * 1024 * 1024


def millis(fn, repeats=7, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        fn()
        times.append((time.perf_counter_ns() - t0) / 1e6)
    return statistics.median(times)


# The benchmark's input: x[i] = ((i * 7919) % 20011) / 10000 - 1, in [-1, 1) (the same in Java).
i = torch.arange(N, dtype=torch.int64)
x = ((i * 7919) % 20011).to(torch.float64).div(10000).sub(1).to(torch.float32)
pos = x.abs().add(0.01)
out = torch.empty_like(x)
h = x.half()

ops = {
    "exp": lambda: torch.exp(x, out=out),
    "log": lambda: torch.log(pos, out=out),
    "log1p": lambda: torch.log1p(pos, out=out),
    "expm1": lambda: torch.expm1(x, out=out),
    "sin": lambda: torch.sin(x, out=out),
    "cos": lambda: torch.cos(x, out=out),
    "tan": lambda: torch.tan(x, out=out),
    "erf": lambda: torch.erf(x, out=out),
    "tanh": lambda: torch.tanh(x, out=out),
    "sigmoid": lambda: torch.sigmoid(x, out=out),
    "atan": lambda: torch.atan(x, out=out),
    "clamp": lambda: torch.clamp(x, -0.5, 0.5, out=out),
    "maximum": lambda: torch.maximum(x, pos, out=out),
    "to_float16": lambda: x.half(),
    "float16_add": lambda: h + h,
}
print(json.dumps({"threads": torch.get_num_threads(), "ms": {k: millis(v) for k, v in ops.items()}}))
