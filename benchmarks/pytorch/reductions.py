"""PyTorch's side of ReductionBench: the same workloads on a 4096 x 4096 float32 tensor, timed the same way
(best and median milliseconds per call). Prints one JSON object. The thread count is the first argument (Kiln's own),
so that both run on the same cores.

Run by the Java benchmark with Debian's python3-torch (PyTorch 1.13); usable alone:
    /usr/bin/python3 benchmarks/pytorch/reductions.py 2
"""
import json
import statistics
import sys
import time

import torch

N = 4096
REPEATS = 21


def millis(fn, repeats=REPEATS, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        fn()
        times.append((time.perf_counter_ns() - t0) / 1e6)
    return min(times), statistics.median(times)


def both(name, fn):
    best, median = millis(fn)
    return {name + "_best_ms": best, name + "_median_ms": median}


if len(sys.argv) > 1:
    torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
torch.set_grad_enabled(False)
x = torch.randn(N, N)
y = torch.softmax(x, 1)
g = torch.randn(N, N)

result = {"threads": torch.get_num_threads()}
result.update(both("sum_rows", lambda: x.sum(1)))
result.update(both("mean_rows", lambda: x.mean(1)))
result.update(both("sum_columns", lambda: x.sum(0)))
result.update(both("softmax_rows", lambda: torch.softmax(x, 1)))
result.update(both("log_softmax_rows", lambda: torch.log_softmax(x, 1)))
result.update(both("softmax_backward_rows", lambda: torch._softmax_backward_data(g, y, 1, x.dtype)))
result.update(both("softmax_columns", lambda: torch.softmax(x, 0)))
print(json.dumps(result))
