#!/usr/bin/env python3
"""Writes the small Fashion-MNIST sample committed in examples/ (used when the full set is absent).

A stratified subset of the real data: the first PER_CLASS_TRAIN training and PER_CLASS_TEST test images
of each class, in the original IDX format, gzipped. Run from the repository root with the Debian package
installed (apt-get install -y dataset-fashion-mnist):

    python3 tools/make_fashion_mnist_sample.py
"""
import gzip
import os
import struct

SRC = "/usr/share/datasets/fashion-mnist"
DST = "examples/src/main/resources/fashion-mnist-sample"
PER_CLASS_TRAIN = 200
PER_CLASS_TEST = 50


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * (dims - 1), data[8 : 4 + 4 * dims]) if dims > 1 else ()
    header = 4 + 4 * dims
    item = 1
    for s in shape:
        item *= s
    return magic, shape, [data[header + i * item : header + (i + 1) * item] for i in range(count)]


def write_idx(path, magic, shape, items):
    header = struct.pack(">II", magic, len(items)) + b"".join(struct.pack(">I", s) for s in shape)
    # mtime=0: the same input always gives the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(header + b"".join(items))


def subset(prefix, per_class):
    im_magic, im_shape, images = read_idx(f"{SRC}/{prefix}-images-idx3-ubyte.gz")
    lb_magic, lb_shape, labels = read_idx(f"{SRC}/{prefix}-labels-idx1-ubyte.gz")
    taken, keep = {}, []
    for i, label in enumerate(labels):
        c = label[0]
        if taken.get(c, 0) < per_class:
            taken[c] = taken.get(c, 0) + 1
            keep.append(i)
    write_idx(f"{DST}/{prefix}-images-idx3-ubyte.gz", im_magic, im_shape, [images[i] for i in keep])
    write_idx(f"{DST}/{prefix}-labels-idx1-ubyte.gz", lb_magic, lb_shape, [labels[i] for i in keep])
    return len(keep)


if __name__ == "__main__":
    os.makedirs(DST, exist_ok=True)
    print("train", subset("train", PER_CLASS_TRAIN), "test", subset("t10k", PER_CLASS_TEST))
