#!/usr/bin/python3
"""The Fashion-MNIST main job's networks in PyTorch: evaluates weights Kiln trained, or trains the same
network with the same settings for comparison. Needs Debian's python3-torch (1.13).

    /usr/bin/python3 tools/fashion_mnist_torch.py eval MODEL WEIGHTS DATA_DIR
        loads WEIGHTS (the MODEL.safetensors a Kiln run wrote) into PyTorch's MODEL (mlp or cnn) and prints
        {"accuracy": ..., "loss": ...} on DATA_DIR's test set as JSON
    /usr/bin/python3 tools/fashion_mnist_torch.py train MODEL DATA_DIR EPOCHS [THREADS [DEVICE]]
        trains MODEL as the Kiln job does (Adam 1e-3, batch 64, cross-entropy, each batch moved to DEVICE
        from the host and its loss read back, as the Kiln trainer does) and prints each epoch
"""
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_torch import load_file  # noqa: E402

MEAN, STD = 0.2860, 0.3530  # as FashionMnistTraining standardises


def model(kind):
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n = struct.unpack(">II", data[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        pixels = np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, 1, rows, cols)
        return (torch.from_numpy(pixels.astype(np.float32)) / 255 - MEAN) / STD
    return torch.from_numpy(np.frombuffer(data, dtype=np.uint8, offset=8).astype(np.int64))


def split(directory, name):
    return idx(f"{directory}/{name}-images-idx3-ubyte.gz"), idx(f"{directory}/{name}-labels-idx1-ubyte.gz")


@torch.no_grad()
def evaluate(net, x, y, device="cpu"):
    net.eval()
    logits = torch.cat([net(x[i:i + 1000].to(device)) for i in range(0, len(x), 1000)])
    y = y.to(device)
    return {"accuracy": (logits.argmax(1) == y).double().mean().item(),
            "loss": nn.functional.cross_entropy(logits, y).item()}


def main(argv):
    if len(argv) >= 4 and argv[0] == "eval":
        net = model(argv[1])
        net.load_state_dict(load_file(argv[2]))
        print(json.dumps(evaluate(net, *split(argv[3], "t10k"))))
    elif len(argv) >= 4 and argv[0] == "train":
        if len(argv) > 4 and int(argv[4]) > 0:
            torch.set_num_threads(int(argv[4]))
        device = argv[5] if len(argv) > 5 else "cpu"
        torch.manual_seed(0)
        net, (x, y), test = model(argv[1]).to(device), split(argv[2], "train"), split(argv[2], "t10k")
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        for epoch in range(1, int(argv[3]) + 1):
            net.train()
            start, order = time.time(), torch.randperm(len(x))
            for i in range(0, len(x), 64):
                batch = order[i:i + 64]
                opt.zero_grad()
                loss = nn.functional.cross_entropy(net(x[batch].to(device)), y[batch].to(device))
                loss.backward()
                opt.step()
                loss.item()
            seconds = time.time() - start
            r = evaluate(net, *test, device)
            print(f"epoch {epoch}  test loss {r['loss']:.4f}  test accuracy {100 * r['accuracy']:.2f}%  "
                  f"{seconds:.1f} s  {len(x) / seconds:,.0f} samples/s", flush=True)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
