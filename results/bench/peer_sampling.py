#!/usr/bin/env python3
"""Sampling throughput of the OFFICIAL DiT / MDTv2 code (the peer of `difflab bench sample`).

A harness, not a copy: it builds the unmodified official model and diffusion through ../shared/peers/bench_official.py's
own `build` and times the official reverse loop the way the official sample scripts call it: z and y doubled as
[z; z], [y; null class], `model.forward_with_cfg` with `cfg_scale` (MDTv2 also `diffusion_steps` and its power-cosine
`scale_pow`), over `create_diffusion(timestep_respacing="ddimN")` and `ddim_sample_loop` (or "N" and `p_sample_loop`
for DDPM), clip_denoised=False as both sample.py files do. Random weights: the cost does not depend on what they are.

Prints exactly ONE JSON line on stdout (everything else on stderr). Works with torch 1.13 (Debian) and torch 2.x.
Usage: peer_sampling.py --peers ../shared/peers --model DiT-Tiny/4 --batch 64 --steps 50 [--sampler ddim] [--cfg 4.0]
"""
import argparse
import contextlib
import json
import os
import resource
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--peers", required=True, help="the folder holding bench_official.py and the official code")
    p.add_argument("--model", required=True)
    p.add_argument("--batch", type=int, required=True, help="images per call (the network sees 2x that with guidance)")
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--sampler", choices=["ddim", "ddpm"], default="ddim")
    p.add_argument("--cfg", type=float, default=4.0, help="guidance scale; 1 = no unconditional pass")
    p.add_argument("--warmup", type=int, default=5, help="a warm-up call over this many respaced steps first")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--in-channels", type=int, default=None)
    p.add_argument("--input-size", type=int, default=None)
    p.add_argument("--num-classes", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def main():
    args = parse_args()
    sys.path.insert(0, os.path.abspath(args.peers))
    import torch
    import bench_official  # the official code's own builder (it also puts the timm shim on the path if needed)

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    dev = torch.device(args.device)
    torch.manual_seed(args.seed)
    # bench_official.build reads these fields of its own argument namespace.
    build_args = argparse.Namespace(model=args.model, in_channels=args.in_channels, input_size=args.input_size,
                                    num_classes=args.num_classes, decode_layer=None,
                                    mask_ratio=bench_official.MDT_MASK_RATIO)
    family, model, _, _, data, extra = bench_official.build(build_args)
    # create_diffusion was imported by build from the family's own package.
    if family == "DiT":
        from diffusion import create_diffusion
    else:
        from masked_diffusion import create_diffusion
    model = model.to(dev).eval()
    params = sum(p.numel() for p in model.parameters())
    B, C, S, K = args.batch, data["in_channels"], data["input_size"], data["num_classes"]

    def respaced(steps):
        spec = f"ddim{steps}" if args.sampler == "ddim" else f"{steps}"
        with contextlib.redirect_stdout(sys.stderr):
            return create_diffusion(timestep_respacing=spec, learn_sigma=model.learn_sigma)

    def sample(diffusion):
        z = torch.randn(B, C, S, S, device=dev)
        y = torch.randint(0, K, (B,), device=dev)
        if args.cfg != 1.0:
            z = torch.cat([z, z], 0)
            y = torch.cat([y, torch.full_like(y, K)], 0)
            kwargs = dict(y=y, cfg_scale=args.cfg)
            if family == "MDTv2":
                kwargs.update(diffusion_steps=1000, scale_pow=4.0)  # MDT sample.py's power-cosine guidance
            fn = model.forward_with_cfg
        else:
            kwargs = dict(y=y)
            fn = model.forward
        loop = diffusion.ddim_sample_loop if args.sampler == "ddim" else diffusion.p_sample_loop
        cast = torch.autocast(device_type=args.device, dtype=torch.bfloat16) if args.precision == "bf16" else contextlib.nullcontext()
        with torch.no_grad(), cast:
            out = loop(fn, z.shape, z, clip_denoised=False, model_kwargs=kwargs, device=dev)
        return out

    def sync():
        if args.device == "cuda":
            torch.cuda.synchronize()

    if args.warmup > 0:
        sample(respaced(max(2, args.warmup)))
    diffusion = respaced(args.steps)
    sync()
    t0, c0 = time.perf_counter(), time.process_time()
    sample(diffusion)
    sync()
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = torch.cuda.max_memory_allocated() if args.device == "cuda" else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    # images_per_s as `difflab bench sample` counts it: images per second of a 250-step run at this step rate;
    # images_per_cpu_s the same per second of this process's CPU time (on one thread, robust to other jobs).
    print(json.dumps(dict(
        impl="official-pytorch", bench="sample", torch=torch.__version__, model=args.model, batch=B, device=args.device,
        precision=args.precision, threads=torch.get_num_threads(), sampler=args.sampler, steps=args.steps,
        guidance=args.cfg, seconds=round(secs, 4), steps_per_s=round(args.steps / secs, 4),
        images_per_s=round(args.steps / secs * B / 250, 3), cpu_seconds=round(cpu, 4),
        images_per_cpu_s=round(args.steps / cpu * B / 250, 4), peak_mem_bytes=int(peak), params=params, **data, **extra,
        timm=bench_official.TIMM, blas=bench_official.loaded_blas() if args.device == "cpu" else None)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
