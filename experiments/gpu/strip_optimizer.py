#!/usr/bin/env python3
"""Copy a DiffusionLab training checkpoint without its optimizer state ("optim.*" tensors).

Transport only: a text-to-image checkpoint with Adan's four moment buffers is about 6 copies of the
weights, more than the GPU machine may send back at once. The copy keeps "model.*", "ema.*", "rng.*"
and the metadata, so it loads for sampling and as a base model (TrainedModel.Load), but a training
run cannot resume from it.   usage: strip_optimizer.py IN.safetensors OUT.safetensors
"""
import json, struct, sys

src, dst = sys.argv[1], sys.argv[2]
with open(src, "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    data = f.read()
kept, blobs, offset = {}, [], 0
for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0] if kv[0] != "__metadata__" else -1):
    if name == "__metadata__":
        kept[name] = info
        continue
    if name.startswith("optim."):
        continue
    a, b = info["data_offsets"]
    blobs.append(data[a:b])
    kept[name] = dict(info, data_offsets=[offset, offset + (b - a)])
    offset += b - a
raw = json.dumps(kept, separators=(",", ":")).encode()
raw += b" " * (-len(raw) % 8)
with open(dst, "wb") as f:
    f.write(struct.pack("<Q", len(raw)))
    f.write(raw)
    for blob in blobs:
        f.write(blob)
print(f"{src}: kept {len(kept) - ('__metadata__' in kept)} of {len(header) - ('__metadata__' in header)} tensors, {offset / 2**20:.1f} MiB")
