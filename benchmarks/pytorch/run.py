"""PyTorch's side of the benchmark runner (dev.kiln.bench.Runner): the same workloads under the same ids, timed
the way JMH times Kiln's (warm-up iterations, then measured iterations of a fixed length, each giving the mean time
per call). Prints one JSON line:
    /usr/bin/python3 benchmarks/pytorch/run.py --workloads sgemm_1024,train_mlp_64 --iters 3 --iter-ms 100
    /usr/bin/python3 benchmarks/pytorch/run.py --peak-rss train_cnn_64 --steps 30
The runner keeps one process per thread setting with --serve, which answers each request line on stdin
({"workloads": "id,...", "warmup": n, "iters": n, "iter_ms": n}) with that JSON line, so that each workload runs
within seconds of Kiln's run of it rather than minutes later.
"""
import argparse
import json
import platform
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import kernels

TINY_OPS = 1000
N16M = 16 * 1024 * 1024
ROWS = 4096
RNN_SEQ, RNN_BATCH, RNN_INPUT, RNN_HIDDEN = 32, 32, 64, 128
CONV_SHAPES = {"mnist_conv1": (64, 1, 32, 28), "mnist_conv2": (64, 32, 64, 14), "resnet_block": (32, 64, 64, 56)}


def tiny(kind):
    a, b, x = torch.ones(1), torch.ones(1), torch.ones(1, requires_grad=True)

    def add_no_grad():
        with torch.no_grad():
            for _ in range(TINY_OPS):
                a + b

    def add_recorded():
        for _ in range(TINY_OPS):
            x + b

    def chain():
        y = x
        for i in range(TINY_OPS):
            y = y * 1.0001 if i % 2 else y + 1.0
        y.backward()
        x.grad = None

    return {"add": add_no_grad, "recorded": add_recorded, "chain": chain}[kind]


def gemm(n, dtype):
    g = torch.Generator().manual_seed(1)
    a, b = torch.randn(n, n, generator=g, dtype=dtype), torch.randn(n, n, generator=g, dtype=dtype)
    return lambda: torch.mm(a, b)


def elementwise(op):
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(N16M, generator=g), torch.randn(N16M, generator=g)
    return {"add": lambda: x + y, "mul": lambda: x * y, "exp": lambda: torch.exp(x), "gelu": lambda: F.gelu(x)}[op]


def rows(op):
    x = torch.randn(ROWS, ROWS, generator=torch.Generator().manual_seed(1))
    return {"sum": lambda: x.sum(1), "softmax": lambda: torch.softmax(x, 1),
            "log_softmax": lambda: torch.log_softmax(x, 1)}[op]


def conv(shape, backward):
    n, cin, cout, hw = CONV_SHAPES[shape]
    g = torch.Generator().manual_seed(1)
    x = torch.randn(n, cin, hw, hw, generator=g).requires_grad_(cin > 1)
    w = (torch.randn(cout, cin, 3, 3, generator=g) * 0.1).requires_grad_()
    b = torch.zeros(cout).requires_grad_()
    gy = torch.randn(n, cout, hw, hw, generator=g)

    def fwd():
        with torch.no_grad():
            F.conv2d(x, w, b, padding=1)

    def fwd_bwd():
        F.conv2d(x, w, b, padding=1).backward(gy)
        x.grad = w.grad = b.grad = None

    return fwd_bwd if backward else fwd


def linear():
    g = torch.Generator().manual_seed(1)
    layer = nn.Linear(784, 256)
    x, gy = torch.randn(64, 784, generator=g), torch.randn(64, 256, generator=g)

    def step():
        layer(x).backward(gy)
        layer.zero_grad()

    return step


def model(kind):
    """The main job's networks, as examples/.../fashion/Models.java builds them."""
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def training(kind, batch):
    """One step as dev.kiln.bench.TrainingStep: zero_grad, forward, cross-entropy, backward, Adam, fixed batch."""
    torch.manual_seed(1)
    net = model(kind)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(2)
    images, labels = torch.rand(batch, 1, 28, 28, generator=g), torch.randint(0, 10, (batch,), generator=g)

    def step():
        opt.zero_grad()
        F.cross_entropy(net(images), labels).backward()
        opt.step()

    return step


def recurrent(cell):
    g = torch.Generator().manual_seed(1)
    layer = {"lstm": nn.LSTM, "gru": nn.GRU}[cell](RNN_INPUT, RNN_HIDDEN)
    x = torch.randn(RNN_SEQ, RNN_BATCH, RNN_INPUT, generator=g)
    gy = torch.randn(RNN_SEQ, RNN_BATCH, RNN_HIDDEN, generator=g)

    def step():
        layer(x)[0].backward(gy)
        layer.zero_grad()

    return step


def workloads():
    """Every workload id (as in dev.kiln.bench.Workloads) with a function that builds its call."""
    w = {"tiny_add": lambda: tiny("add"), "tiny_add_recorded": lambda: tiny("recorded"),
         "chain_1000": lambda: tiny("chain")}
    for name, dtype in (("sgemm", torch.float32), ("dgemm", torch.float64)):
        for n in (64, 256, 1024, 2048):
            w[f"{name}_{n}"] = lambda n=n, dtype=dtype: gemm(n, dtype)
    for op in ("add", "mul", "exp", "gelu"):
        w[f"{op}_16m"] = lambda op=op: elementwise(op)
    for op in ("sum", "softmax", "log_softmax"):
        w[f"{op}_rows"] = lambda op=op: rows(op)
    for shape in CONV_SHAPES:
        w[f"conv_{shape}_fwd"] = lambda shape=shape: conv(shape, False)
        w[f"conv_{shape}_fwd_bwd"] = lambda shape=shape: conv(shape, True)
    w["linear_fwd_bwd"] = linear
    for kind in ("mlp", "cnn"):
        for batch in (64, 256):
            w[f"train_{kind}_{batch}"] = lambda kind=kind, batch=batch: training(kind, batch)
    for cell in ("lstm", "gru"):
        w[f"{cell}_fwd_bwd"] = lambda cell=cell: recurrent(cell)
    return w


def iteration(fn, iter_ns):
    """Calls fn until iter_ns have passed; the mean ns per call (as JMH's AverageTime iteration)."""
    calls, t0 = 0, time.perf_counter_ns()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter_ns() - t0
        if elapsed >= iter_ns:
            return elapsed / calls


def blas_libraries():
    """The BLAS and LAPACK libraries PyTorch loaded (after a first matmul): Debian's python3-torch uses whichever
    libblas.so.3 the alternatives point to, the reference BLAS unless libopenblas0 is installed."""
    torch.mm(torch.ones(2, 2), torch.ones(2, 2))
    with open("/proc/self/maps") as f:
        return sorted({line.split()[-1] for line in f if "blas" in line or "lapack" in line})


def peak_rss_kb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


def measure(known, ids, warmup, iters, iter_ms):
    """ns per call of each measured iteration by workload id, and the ids not known here."""
    results, unknown = {}, []
    for wid in ids:
        if wid not in known:
            unknown.append(wid)
            continue
        fn = known[wid]()
        for _ in range(warmup):
            iteration(fn, iter_ms * 1e6)
        results[wid] = [iteration(fn, iter_ms * 1e6) for _ in range(iters)]
        del fn
    return {"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results, "unknown": unknown}


def serve(known):
    for line in sys.stdin:
        if not line.strip():
            continue
        r = json.loads(line)
        ids = list(filter(None, r["workloads"].split(",")))
        print(json.dumps(measure(known, ids, r["warmup"], r["iters"], r["iter_ms"])), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workloads", default="")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--iters", type=int, default=4)
    p.add_argument("--iter-ms", type=int, default=300)
    p.add_argument("--peak-rss")
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads; 0 leaves PyTorch's default")
    p.add_argument("--version", action="store_true")
    p.add_argument("--list", action="store_true", help="print every workload id known here")
    p.add_argument("--serve", action="store_true", help="answer request lines on stdin until it closes")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    if a.version:
        print(json.dumps({"torch": torch.__version__, "python": platform.python_version(),
                          "threads": torch.get_num_threads(), "blas": blas_libraries()}))
        return
    known = {**workloads(), **kernels.workloads()}
    if a.list:
        print(json.dumps({"ids": list(known)}))
        return
    if a.peak_rss:
        step = known[a.peak_rss]()
        for _ in range(a.steps):
            step()
        print(json.dumps({"peak_rss_kb": peak_rss_kb()}))
        return
    if a.serve:
        serve(known)
        return
    ids = list(filter(None, a.workloads.split(",")))
    print(json.dumps(measure(known, ids, a.warmup, a.iters, a.iter_ms)))


if __name__ == "__main__":
    main()
