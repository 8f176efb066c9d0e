"""The kernel suite's workloads for run.py (the runner's --suite=kernels): per-family ops, as
dev.kiln.bench.jmh.{Pointwise,Activation,CrossEntropy,Norm,TrainingOps,Ops}Benchmark time them in Kiln, under the same
ids.
"""
import torch
import torch.nn.functional as F

N16M = 16 * 1024 * 1024
POINTWISE = ("exp", "log", "log1p", "expm1", "sin", "cos", "tan", "erf", "tanh", "sigmoid", "atan", "log10", "exp2",
             "asinh", "atanh", "clamp", "maximum", "to_float16", "float16_add", "bfloat16_exp", "bfloat16_mul")
CE_SHAPES = ((64, 10), (256, 1000), (1024, 50257))
NORMS = ("bn2d_fwd", "bn2d_fwd_bwd", "bn1d_fwd_bwd", "ln_fwd", "ln_fwd_bwd", "gn_fwd_bwd", "dropout_fwd", "sdpa_fwd",
         "sdpa_fwd_bwd", "encoder_fwd_bwd")
OPS = ("logical_and", "unique", "prod_rows", "mode_rows", "fmod", "atan2", "embedding_bag", "multinomial", "randperm",
       "max_unpool2d", "constant_pad", "exp_transposed", "add_transposed", "dot", "clamp_tensor", "scatter_reduce_amax",
       "index_put", "adaptive_avg_1x1", "nll_loss", "nansum_rows", "nonzero")
TRAINING_OPS = ("sigmoid", "tanh", "nchw_to_nhwc", "scatter_add", "gather", "index_select", "index_rows", "reflect_pad",
                "norm_rows", "max_rows", "depthwise3x3", "conv3x3_s2", "conv3d", "conv1d", "conv5x5", "bilinear2x")


def pointwise(op):
    # x[i] = ((i * 7919) % 20011) / 10000 - 1, in [-1, 1), as in Java; each op into a new tensor, as Kiln's.
    i = torch.arange(N16M, dtype=torch.int64)
    x = ((i * 7919) % 20011).to(torch.float64).div(10000).sub(1).to(torch.float32)
    pos = x.abs().add(0.01)
    h, bf = x.half(), x.bfloat16()
    calls = {"log": lambda: torch.log(pos), "log1p": lambda: torch.log1p(pos), "log10": lambda: torch.log10(pos),
             "clamp": lambda: torch.clamp(x, -0.5, 0.5), "maximum": lambda: torch.maximum(x, pos),
             "to_float16": lambda: x.half(), "float16_add": lambda: h + h, "bfloat16_exp": lambda: torch.exp(bf),
             "bfloat16_mul": lambda: bf * 0.5}
    return calls.get(op) or (lambda: getattr(torch, op)(x))


def activation(fn, backward):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(N16M, generator=g) * 3
    grad = torch.randn(N16M, generator=g)
    aten = torch.ops.aten
    if not backward:
        return {"gelu": lambda: F.gelu(x), "silu": lambda: F.silu(x), "softplus": lambda: F.softplus(x)}[fn]
    return {"gelu": lambda: aten.gelu_backward(grad, x), "silu": lambda: aten.silu_backward(grad, x),
            "softplus": lambda: aten.softplus_backward(grad, x, 1.0, 20.0)}[fn]


def cross_entropy(rows, classes, backward):
    torch.manual_seed(0)
    x = torch.randn(rows, classes, requires_grad=True)
    t = torch.randint(0, classes, (rows,))

    def forward():
        with torch.no_grad():
            F.cross_entropy(x, t)

    def both():
        x.grad = None
        F.cross_entropy(x, t).backward()

    return both if backward else forward


def norm(workload):
    torch.manual_seed(0)
    kind = workload.split("_")[0]
    leaf = lambda *shape: torch.randn(*shape, requires_grad=True)
    if kind in ("bn2d", "dropout", "bn1d"):
        shape, c = ((256, 512), 512) if kind == "bn1d" else ((64, 32, 28, 28), 32)
        x, w, b = leaf(*shape), torch.ones(c, requires_grad=True), torch.zeros(c, requires_grad=True)
        rm, rv = torch.zeros(c), torch.ones(c)
        fwd = (lambda: F.dropout(x, 0.5, True)) if kind == "dropout" else (
            lambda: F.batch_norm(x, rm, rv, w, b, True, 0.1, 1e-5))
        leaves, seed = (x, w, b), torch.randn(*shape)
    elif kind == "ln":
        h, w, b = leaf(64, 128, 768), torch.ones(768, requires_grad=True), torch.zeros(768, requires_grad=True)
        fwd, leaves, seed = (lambda: F.layer_norm(h, (768,), w, b, 1e-5)), (h, w, b), torch.randn(64, 128, 768)
    elif kind == "gn":
        x, w, b = leaf(32, 64, 28, 28), torch.ones(64, requires_grad=True), torch.zeros(64, requires_grad=True)
        fwd, leaves, seed = (lambda: F.group_norm(x, 8, w, b, 1e-5)), (x, w, b), torch.randn(32, 64, 28, 28)
    elif kind == "encoder":
        layer = torch.nn.TransformerEncoderLayer(256, 8, 1024, 0.0, batch_first=True)
        x = leaf(32, 128, 256)
        fwd, leaves, seed = (lambda: layer(x)), (x, *layer.parameters()), torch.randn(32, 128, 256)
    else:
        q, k, v = leaf(8, 8, 256, 64), leaf(8, 8, 256, 64), leaf(8, 8, 256, 64)
        fwd = lambda: F._scaled_dot_product_attention(q, k, v, None, 0.0, False, False)[0]
        leaves, seed = (q, k, v), torch.randn(8, 8, 256, 64)

    def step():
        for t in leaves:
            t.grad = None
        fwd().backward(seed)

    def forward():
        with torch.no_grad():
            fwd()

    return step if workload.endswith("_fwd_bwd") else forward


def training_op(op):
    """As dev.kiln.bench.jmh.TrainingOpsBenchmark: forward + backward with a random seed gradient."""
    torch.manual_seed(0)
    leaf = lambda *shape: torch.randn(*shape, requires_grad=True)
    if op in ("sigmoid", "tanh", "norm_rows", "max_rows"):
        x = leaf(4096, 1024)
        fwd = {"sigmoid": lambda: torch.sigmoid(x), "tanh": lambda: torch.tanh(x),
               "norm_rows": lambda: torch.linalg.vector_norm(x, 2, 1), "max_rows": lambda: x.max(1)[0]}[op]
        leaves = (x,)
    elif op in ("nchw_to_nhwc", "reflect_pad", "depthwise3x3", "conv3x3_s2"):
        x = leaf(32, 64, 56, 56)
        if op == "nchw_to_nhwc":
            fwd, leaves = (lambda: x.permute(0, 2, 3, 1).contiguous()), (x,)
        elif op == "reflect_pad":
            fwd, leaves = (lambda: F.pad(x, (1, 1, 1, 1), mode="reflect")), (x,)
        elif op == "depthwise3x3":
            w = leaf(64, 1, 3, 3)
            fwd, leaves = (lambda: F.conv2d(x, w, None, 1, 1, 1, 64)), (x, w)
        else:
            w = leaf(128, 64, 3, 3)
            fwd, leaves = (lambda: F.conv2d(x, w, None, 2, 1)), (x, w)
    elif op == "scatter_add":
        x, src, index = leaf(256, 4096), leaf(1024, 4096), torch.randint(0, 256, (1024, 4096))
        fwd, leaves = (lambda: x.scatter_add(0, index, src)), (x, src)
    elif op == "gather":
        x, index = leaf(4096, 1024), torch.randint(0, 1024, (4096, 256))
        fwd, leaves = (lambda: torch.gather(x, 1, index)), (x,)
    elif op in ("index_select", "index_rows"):
        select = op == "index_select"
        x = leaf(100000, 128 if select else 64)
        index = torch.randint(0, 100000, (16384 if select else 32768,))
        fwd, leaves = ((lambda: x.index_select(0, index)) if select else (lambda: x[index])), (x,)
    elif op == "conv3d":
        x, w = leaf(8, 16, 16, 32, 32), leaf(32, 16, 3, 3, 3)
        fwd, leaves = (lambda: F.conv3d(x, w, None, 1, 1)), (x, w)
    elif op == "conv1d":
        x, w = leaf(32, 128, 1024), leaf(128, 128, 3)
        fwd, leaves = (lambda: F.conv1d(x, w, None, 1, 1)), (x, w)
    elif op == "conv5x5":
        x, w = leaf(32, 32, 28, 28), leaf(64, 32, 5, 5)
        fwd, leaves = (lambda: F.conv2d(x, w, None, 1, 2)), (x, w)
    else:
        x = leaf(32, 64, 28, 28)
        fwd, leaves = (lambda: F.interpolate(x, size=(56, 56), mode="bilinear", align_corners=False)), (x,)
    with torch.no_grad():
        seed = torch.randn(fwd().shape)

    def step():
        for t in leaves:
            t.grad = None
        fwd().backward(seed)

    return step


def forward_op(name):
    """OpsBenchmark's forward calls, without autograd."""
    a, b = torch.randn(4096, 4096), torch.randn(4096, 4096)
    if name == "logical_and":
        mask, other = a > 0, b > 0
        fwd = lambda: torch.logical_and(mask, other)
    elif name == "unique":
        x = torch.randint(0, 100, (1 << 22,))
        fwd = lambda: torch.unique(x)
    elif name == "prod_rows":
        x = torch.randn(4096, 1024)
        fwd = lambda: x.prod(1)
    elif name == "mode_rows":
        x = torch.randint(0, 100, (4096, 1024))
        fwd = lambda: x.mode(1)[0]
    elif name == "fmod":
        fwd = lambda: torch.fmod(a, 0.7)
    elif name == "atan2":
        fwd = lambda: torch.atan2(a, b)
    elif name == "embedding_bag":
        weight, indices = torch.randn(100000, 64), torch.randint(0, 100000, (65536,))
        offsets = torch.arange(0, 65536, 16)
        fwd = lambda: F.embedding_bag(indices, weight, offsets, mode="mean")
    elif name == "multinomial":
        probs = torch.randn(1024, 1000).softmax(1)
        fwd = lambda: torch.multinomial(probs, 1, True)
    elif name == "randperm":
        fwd = lambda: torch.randperm(1 << 20)
    elif name == "max_unpool2d":
        pooled, indices = F.max_pool2d(torch.randn(32, 64, 56, 56), 2, return_indices=True)
        fwd = lambda: F.max_unpool2d(pooled, indices, 2)
    elif name == "constant_pad":
        x = torch.randn(32, 64, 56, 56)
        fwd = lambda: F.pad(x, (1, 1, 1, 1))
    elif name == "exp_transposed":
        fwd = lambda: torch.exp(a.t())
    elif name == "add_transposed":
        fwd = lambda: a.t() + b
    elif name == "dot":
        x, y = torch.randn(1 << 24), torch.randn(1 << 24)
        fwd = lambda: torch.dot(x, y)
    elif name == "scatter_reduce_amax":
        x, index, src = torch.randn(4096, 1024), torch.randint(0, 1024, (4096, 1024)), torch.randn(4096, 1024)
        fwd = lambda: x.scatter_reduce(1, index, src, "amax")
    elif name == "index_put":
        table, rows, values = torch.randn(4096, 64), torch.randint(0, 4096, (65536,)), torch.randn(65536, 64)
        fwd = lambda: table.index_put((rows,), values)
    elif name == "adaptive_avg_1x1":
        x = torch.randn(32, 512, 14, 14)
        fwd = lambda: F.adaptive_avg_pool2d(x, 1)
    elif name == "nll_loss":
        log_probs, target = torch.randn(65536, 100).log_softmax(1), torch.randint(0, 100, (65536,))
        fwd = lambda: F.nll_loss(log_probs, target)
    elif name == "nansum_rows":
        fwd = lambda: torch.nansum(a, 1)
    elif name == "nonzero":
        mask = torch.randn(4096, 1024) > 0
        fwd = lambda: torch.nonzero(mask)
    elif name == "clamp_tensor":
        lo = torch.randn(4096)
        hi = lo + 1
        fwd = lambda: torch.clamp(a, lo, hi)
    else:
        raise ValueError(f"unknown op {name}")

    def step():
        with torch.no_grad():
            fwd()

    return step


def workloads():
    """Every kernel-suite id (as in dev.kiln.bench.Workloads.kernels()) with a function that builds its call."""
    w = {f"pointwise_{op}": lambda op=op: pointwise(op) for op in POINTWISE}
    for fn in ("gelu", "silu", "softplus"):
        w[f"act_{fn}_fwd"] = lambda fn=fn: activation(fn, False)
        w[f"act_{fn}_bwd"] = lambda fn=fn: activation(fn, True)
    for rows, classes in CE_SHAPES:
        w[f"ce_{rows}x{classes}_fwd"] = lambda r=rows, c=classes: cross_entropy(r, c, False)
        w[f"ce_{rows}x{classes}_fwd_bwd"] = lambda r=rows, c=classes: cross_entropy(r, c, True)
    for name in NORMS:
        w[f"norm_{name}"] = lambda name=name: norm(name)
    for op in TRAINING_OPS:
        w[f"grad_{op}"] = lambda op=op: training_op(op)
    for name in OPS:
        w[f"op_{name}"] = lambda name=name: forward_op(name)
    return w
