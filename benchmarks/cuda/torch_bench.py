# PyTorch's figures for the workloads of native/bench/bench_cuda.cpp, on the same GPU and in the same lines.
import time

import torch


def median_ms(f):
    for _ in range(5):
        f()
    torch.cuda.synchronize()
    ms = []
    for _ in range(20):
        t0 = time.perf_counter()
        f()
        torch.cuda.synchronize()
        ms.append((time.perf_counter() - t0) * 1e3)
    return sorted(ms)[len(ms) // 2]


def row(name, ms, figure, unit):
    print(f"{name}\t{ms:.4f}\t{figure:.1f}\t{unit}")


torch.backends.cuda.matmul.allow_tf32 = False  # Kiln's float32 matmul is true float32, PyTorch's default too
dev = "cuda"
a, b = torch.randn(4096, 4096, device=dev), torch.randn(4096, 4096, device=dev)
ms = median_ms(lambda: a @ b)
row("matmul 4096 float32", ms, 2.0 * 4096**3 / ms / 1e9, "TFLOP/s")
x, y = torch.randn(1 << 24, device=dev), torch.randn(1 << 24, device=dev)
ms = median_ms(lambda: x + y)
row("add 16M float32", ms, 3.0 * 4 * (1 << 24) / ms / 1e6, "GB/s")
ms = median_ms(lambda: torch.relu(x))
row("relu 16M float32", ms, 2.0 * 4 * (1 << 24) / ms / 1e6, "GB/s")
r = torch.randn(4096, 4096, device=dev)
ms = median_ms(lambda: r.sum(1))
row("sum rows 4096x4096", ms, 4.0 * 4096 * 4096 / ms / 1e6, "GB/s")


def tiny():
    s = torch.randn(1, device=dev)
    t = s
    for _ in range(1000):
        t = t + s


ms = median_ms(tiny)
row("1000 tiny adds", ms, ms * 1000.0 / 1000, "us/op")
