#!/usr/bin/env bash
# GPU table: Kiln (cuBLAS; then its own matmul kernel, KILN_CUBLAS=0) beside PyTorch on the same GPU, one run.
# Usage on a GPU machine: benchmarks/cuda/run.sh path/to/bench_cuda  (built with -DKILN_CUDA=ON)
set -euo pipefail
bench=$1
here=$(cd "$(dirname "$0")" && pwd)
"$bench" > /tmp/kiln_cuda.tsv
KILN_CUBLAS=0 "$bench" | grep '^matmul' | sed 's/^matmul 4096 float32/matmul 4096 float32 (own kernel)/' >> /tmp/kiln_cuda.tsv
python3 "$here/torch_bench.py" > /tmp/torch_cuda.tsv
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 - <<'PY'
kiln = [l.rstrip("\n").split("\t") for l in open("/tmp/kiln_cuda.tsv")]
torch = {l.split("\t")[0]: l.rstrip("\n").split("\t") for l in open("/tmp/torch_cuda.tsv")}
print(f"{'workload':34} {'Kiln':>16} {'PyTorch':>16} {'ratio':>7}")
for name, ms, fig, unit in kiln:
    t = torch.get(name.replace(" (own kernel)", ""))
    tfig = float(t[2]) if t else float("nan")
    lower_better = unit == "us/op"
    ratio = (tfig / float(fig)) if lower_better else (float(fig) / tfig)
    print(f"{name:34} {float(fig):>9.1f} {unit:<6} {tfig:>9.1f} {unit:<6} {ratio:>6.2f}x")
PY
