"""PyTorch's side of TinyOpsBench: the same workloads, timed the same way. Prints one JSON object.

Run by the Java benchmark with Debian's python3-torch (PyTorch 1.13); usable alone:
    /usr/bin/python3 benchmarks/pytorch/tiny_ops.py
"""
import json
import statistics
import time

import torch

CHAIN = 1000


def time_per_op(fn, ops, repeats=15, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        fn()
        times.append((time.perf_counter_ns() - t0) / 1e3 / ops)
    return statistics.median(times)


a = torch.ones(1)
b = torch.ones(1)
x = torch.ones(1, requires_grad=True)


def add_no_grad():
    with torch.no_grad():
        for _ in range(CHAIN):
            a + b


def add_recorded():
    for _ in range(CHAIN):
        x + b


def chain_forward_backward():
    y = x
    for i in range(CHAIN):
        y = y * 1.0001 if i % 2 else y + 1.0
    y.backward()
    x.grad = None


print(json.dumps({
    "threads": torch.get_num_threads(),
    "add_no_grad_us": time_per_op(add_no_grad, CHAIN),
    "add_recorded_us": time_per_op(add_recorded, CHAIN),
    "chain_fwd_bwd_us": time_per_op(chain_forward_backward, CHAIN),
}))
