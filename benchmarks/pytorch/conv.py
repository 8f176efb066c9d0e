"""PyTorch's side of ConvBench: the same convolution and pooling workloads, timed the same way. Prints one
JSON object of median milliseconds (and the spread: min and max of the repeats) per workload.

Run by the Java benchmark with Debian's python3-torch (PyTorch 1.13) under each thread setting (default,
OMP_WAIT_POLICY=PASSIVE, OPENBLAS_NUM_THREADS=1); usable alone:
    /usr/bin/python3 benchmarks/pytorch/conv.py [threads]
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

if len(sys.argv) > 1:
    torch.set_num_threads(int(sys.argv[1]))
REPEATS = 11


def timed(fn, repeats=REPEATS, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        fn()
        times.append((time.perf_counter_ns() - t0) / 1e6)
    return [statistics.median(times), min(times), max(times)]


def conv_workloads(name, n, cin, cout, hw, input_grad):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(n, cin, hw, hw, generator=g).requires_grad_(input_grad)
    w = (torch.randn(cout, cin, 3, 3, generator=g) * 0.1).requires_grad_()
    b = torch.zeros(cout).requires_grad_()
    with torch.no_grad():
        y = F.conv2d(x, w, b, padding=1)
    gy = torch.randn(y.shape, generator=g)

    def fwd():
        with torch.no_grad():
            F.conv2d(x, w, b, padding=1)

    def fwd_bwd():
        out = F.conv2d(x, w, b, padding=1)
        out.backward(gy)
        x.grad = w.grad = b.grad = None

    return {name + "_fwd": timed(fwd), name + "_fwd_bwd": timed(fwd_bwd)}


def pool_workloads(name, n, c, hw):
    g = torch.Generator().manual_seed(2)
    x = torch.randn(n, c, hw, hw, generator=g).requires_grad_()
    gy = torch.randn(n, c, hw // 2, hw // 2, generator=g)

    def fwd():
        with torch.no_grad():
            F.max_pool2d(x, 2)

    def fwd_bwd():
        F.max_pool2d(x, 2).backward(gy)
        x.grad = None

    return {name + "_fwd": timed(fwd), name + "_fwd_bwd": timed(fwd_bwd)}


r = {"threads": torch.get_num_threads()}
r.update(conv_workloads("mnist_conv1", 64, 1, 32, 28, False))
r.update(conv_workloads("mnist_conv2", 64, 32, 64, 14, True))
r.update(pool_workloads("mnist_pool1", 64, 32, 28))
r.update(pool_workloads("mnist_pool2", 64, 64, 14))
r.update(conv_workloads("resnet_conv", 32, 64, 64, 56, True))
print(json.dumps(r))
