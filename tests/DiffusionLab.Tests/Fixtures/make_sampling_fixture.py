"""Writes sampling-loops.safetensors: full DDPM and DDIM sampling runs of the official DiT diffusion code.

Run from this folder with Debian's torch (`apt-get install python3-torch python3-numpy`):

    /usr/bin/python3 make_sampling_fixture.py [PEERS_DIR]

PEERS_DIR (default ../../../../shared/peers, i.e. /work/shared/peers beside the checkout) holds the official
facebookresearch/DiT code; it is imported at run time, never copied here (its licence forbids that).

The network is a fixed function of x and the ORIGINAL timestep that the C# test computes the same way
(SamplingLoopParityTests.StandIn). Every random draw (x_T, then the per-step noise the official loops take with
th.randn_like) follows the workbench's seeding convention (Sampling/ImageNoise): image i of a case has its own
torch.Generator seeded seed + i, which draws its row of x_T and then its row of every step's noise, in step order.
Each case stores `<case>.x_T` (the first draw, so an RNG mismatch shows as such) and `<case>.sample`.
"""
import json
import os
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "..", "shared", "peers")
sys.path.insert(0, os.path.join(PEERS, "dit"))
from diffusion import create_diffusion  # noqa: E402  (official code, imported from the peers folder)
from diffusion import gaussian_diffusion as gd  # noqa: E402

SHAPE = (2, 4, 8, 8)

# (case name, sampler, respacing, learn_sigma, clip_denoised, eta, seed)
CASES = [
    ("ddpm10_learned", "ddpm", "10", True, False, 0.0, 11),
    ("ddpm10_learned_clip", "ddpm", "10", True, True, 0.0, 12),
    ("ddpm10_fixed", "ddpm", "10", False, False, 0.0, 13),
    ("ddpm10_fixed_clip", "ddpm", "10", False, True, 0.0, 14),
    ("ddim10_learned", "ddim", "ddim10", True, False, 0.0, 15),
    ("ddim10_learned_clip", "ddim", "ddim10", True, True, 0.0, 16),
    ("ddim10_fixed", "ddim", "ddim10", False, False, 0.0, 17),
    ("ddim10_learned_eta1", "ddim", "ddim10", True, False, 1.0, 18),
]


def stand_in(learn_sigma):
    # sqrt(1 - alphabar_t) * x is the exact eps-prediction for N(0, I) data: samples stay of unit scale.
    alphas_cumprod = torch.from_numpy(np.cumprod(1.0 - gd.get_named_beta_schedule("linear", 1000)))

    def model(x, t):
        tf = t.to(torch.float32).view(-1, 1, 1, 1)
        scale = (1.0 - alphas_cumprod[t]).sqrt().to(torch.float32).view(-1, 1, 1, 1)
        eps = scale * (x + 0.1 * torch.sin(x))
        if not learn_sigma:
            return eps
        return torch.cat([eps, torch.sin(x + tf / 100.0)], dim=1)
    return model


def run(sampler, respacing, learn_sigma, clip, eta, seed):
    diffusion = create_diffusion(respacing, learn_sigma=learn_sigma)
    generators = [torch.Generator().manual_seed(seed + i) for i in range(SHAPE[0])]

    def draw(shape, dtype=torch.float32):
        return torch.cat([torch.randn((1,) + tuple(shape[1:]), generator=g, dtype=dtype) for g in generators], 0)

    original_randn_like = torch.randn_like
    torch.randn_like = lambda x, **kw: draw(x.shape, x.dtype)
    try:
        x_t = draw(SHAPE)
        model = stand_in(learn_sigma)
        if sampler == "ddpm":
            sample = diffusion.p_sample_loop(model, SHAPE, noise=x_t, clip_denoised=clip, device="cpu")
        else:
            sample = diffusion.ddim_sample_loop(model, SHAPE, noise=x_t, clip_denoised=clip, device="cpu", eta=eta)
    finally:
        torch.randn_like = original_randn_like
    return x_t, sample


def save_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        data = t.contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def main():
    tensors, metadata = {}, {"torch": torch.__version__, "shape": json.dumps(SHAPE)}
    for name, sampler, respacing, learn_sigma, clip, eta, seed in CASES:
        x_t, sample = run(sampler, respacing, learn_sigma, clip, eta, seed)
        tensors[f"{name}.x_T"] = x_t
        tensors[f"{name}.sample"] = sample
        metadata[name] = json.dumps({"sampler": sampler, "respacing": respacing, "learn_sigma": learn_sigma,
                                     "clip_denoised": clip, "eta": eta, "seed": seed})
    out = os.path.join(HERE, "sampling-loops.safetensors")
    save_safetensors(out, tensors, metadata)
    print(f"wrote {out}: {len(CASES)} cases")


if __name__ == "__main__":
    main()
