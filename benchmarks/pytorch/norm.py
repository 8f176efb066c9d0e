"""PyTorch's side of NormBench: batch norm, layer norm, group norm, dropout and scaled dot-product attention,
forward alone and forward + backward through autograd, timed the same way (best and median milliseconds per call).
Prints one JSON object. The thread count is the first argument (Kiln's own), so that both run on the same cores.
Attention uses 1.13's math path (torch.nn.functional._scaled_dot_product_attention).

Run by the Java benchmark with Debian's python3-torch (PyTorch 1.13); usable alone:
    /usr/bin/python3 benchmarks/pytorch/norm.py 2
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

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


def train_step(fn, inputs, seed):
    """fn(*inputs) then backward from seed; the leaves' grads are reset each time."""
    def run():
        for t in inputs:
            t.grad = None
        fn(*inputs).backward(seed)
    return run


if len(sys.argv) > 1:
    torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
result = {"threads": torch.get_num_threads()}

x = torch.randn(64, 32, 28, 28, requires_grad=True)
w, b = torch.ones(32, requires_grad=True), torch.zeros(32, requires_grad=True)
rm, rv = torch.zeros(32), torch.ones(32)
g = torch.randn(64, 32, 28, 28)
bn = lambda x, w, b: F.batch_norm(x, rm, rv, w, b, True, 0.1, 1e-5)
with torch.no_grad():
    result.update(both("bn2d_fwd", lambda: bn(x, w, b)))
result.update(both("bn2d_fwd_bwd", train_step(bn, [x, w, b], g)))

x1 = torch.randn(256, 512, requires_grad=True)
w1, b1 = torch.ones(512, requires_grad=True), torch.zeros(512, requires_grad=True)
rm1, rv1 = torch.zeros(512), torch.ones(512)
bn1 = lambda x, w, b: F.batch_norm(x, rm1, rv1, w, b, True, 0.1, 1e-5)
result.update(both("bn1d_fwd_bwd", train_step(bn1, [x1, w1, b1], torch.randn(256, 512))))

h = torch.randn(64, 128, 768, requires_grad=True)
lw, lb = torch.ones(768, requires_grad=True), torch.zeros(768, requires_grad=True)
ln = lambda h, w, b: F.layer_norm(h, (768,), w, b, 1e-5)
with torch.no_grad():
    result.update(both("ln_fwd", lambda: ln(h, lw, lb)))
result.update(both("ln_fwd_bwd", train_step(ln, [h, lw, lb], torch.randn(64, 128, 768))))

xg = torch.randn(32, 64, 28, 28, requires_grad=True)
gw, gb = torch.ones(64, requires_grad=True), torch.zeros(64, requires_grad=True)
gn = lambda x, w, b: F.group_norm(x, 8, w, b, 1e-5)
result.update(both("gn_fwd_bwd", train_step(gn, [xg, gw, gb], torch.randn(32, 64, 28, 28))))

with torch.no_grad():
    result.update(both("dropout_fwd", lambda: F.dropout(x, 0.5, True)))

q, k, v = (torch.randn(8, 8, 256, 64, requires_grad=True) for _ in range(3))
sdpa = lambda q, k, v: F._scaled_dot_product_attention(q, k, v, None, 0.0, False, False)[0]
with torch.no_grad():
    result.update(both("sdpa_fwd", lambda: sdpa(q, k, v)))
result.update(both("sdpa_fwd_bwd", train_step(sdpa, [q, k, v], torch.randn(8, 8, 256, 64))))

print(json.dumps(result))
