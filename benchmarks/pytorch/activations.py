"""PyTorch's side of ActivationsBench: gelu, silu and softplus forward and their fused backward ops on 16M float32
values, timed the same way. Prints one JSON object.

Run by the Java benchmark with Debian's python3-torch (PyTorch 1.13), with the thread count to use; usable alone:
    /usr/bin/python3 benchmarks/pytorch/activations.py 2
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

N = 16 * 1024 * 1024


def median_ms(fn, repeats=11, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        fn()
        times.append((time.perf_counter_ns() - t0) / 1e6)
    return statistics.median(times)


if len(sys.argv) > 1:
    torch.set_num_threads(int(sys.argv[1]))
g = torch.Generator().manual_seed(0)
x = torch.randn(N, generator=g) * 3
grad = torch.randn(N, generator=g)
aten = torch.ops.aten
print(json.dumps({
    "threads": torch.get_num_threads(),
    "gelu_fwd": median_ms(lambda: F.gelu(x)),
    "gelu_bwd": median_ms(lambda: aten.gelu_backward(grad, x)),
    "silu_fwd": median_ms(lambda: F.silu(x)),
    "silu_bwd": median_ms(lambda: aten.silu_backward(grad, x)),
    "softplus_fwd": median_ms(lambda: F.softplus(x)),
    "softplus_bwd": median_ms(lambda: aten.softplus_backward(grad, x, 1.0, 20.0)),
}))
