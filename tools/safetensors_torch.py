#!/usr/bin/python3
"""safetensors for PyTorch in a few lines (no safetensors package needed), and a check that a Kiln model
file loads into PyTorch.

    from safetensors_torch import load_file, save_file
    model.load_state_dict(load_file("model.safetensors"))      # weights Kiln trained

    /usr/bin/python3 tools/safetensors_torch.py check DIR
runs the check the Java tests use: DIR holds model.safetensors (the state dict of
nn.Sequential(Linear(4, 3), ReLU(), Linear(3, 2))) and io.safetensors (an input and Kiln's output for it);
PyTorch loads the weights, runs the input and must give the same output.
"""
import json
import struct
import sys

import numpy as np
import torch

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
          "BOOL": torch.bool}
CODES = {v: k for k, v in DTYPES.items()}


def load_file(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        t = torch.frombuffer(raw, dtype=DTYPES[e["dtype"]]) if raw else torch.empty(0, dtype=DTYPES[e["dtype"]])
        out[name] = t.reshape(e["shape"]).clone()
    return out


def save_file(tensors, path, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        b = t.detach().contiguous().cpu().numpy().tobytes() if t.dtype != torch.bfloat16 else \
            t.detach().contiguous().view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def check(directory):
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    model.load_state_dict(load_file(f"{directory}/model.safetensors"))
    io = load_file(f"{directory}/io.safetensors")
    with torch.no_grad():
        out = model(io["input"])
    diff = (out - io["output"]).abs().max().item()
    print(f"max difference between PyTorch and Kiln: {diff:.3g}")
    return 0 if diff < 1e-5 else 1


if __name__ == "__main__":
    sys.exit(check(sys.argv[2]) if len(sys.argv) == 3 and sys.argv[1] == "check" else 2)
