#!/usr/bin/env bash
# Sampling speed on this CPU (issue: speed, part 3): our DDIM-50 sampling with guidance 4 ([cond; uncond] as one batch)
# against the official DiT/MDTv2 reverse loop (ddim_sample_loop over forward_with_cfg, results/bench/peer_sampling.py
# through ../shared/peers' own builder), each side a fresh process, alternating, ONE torch thread each: both sides also
# report images per second of their own CPU time, which other jobs on this shared 2-core machine barely move (wall-clock
# images/s are recorded too, and are only meaningful on a quiet machine).
# Usage: bash results/bench/sample-cpu.sh   (writes results/bench/sample-cpu.jsonl)
set -euo pipefail
cd "$(dirname "$0")/../.."
. results/bench/peer-setup.sh
dotnet build -c Release src/DiffusionLab.Cli -v q -nologo >/dev/null
difflab=src/DiffusionLab.Cli/bin/Release/net10.0/difflab
out=results/bench/sample-cpu.jsonl
: > "$out"
for model in DiT-Tiny/4 MDTv2-Tiny/4; do
  for batch in 16 64; do
    OMP_NUM_THREADS=1 "$difflab" bench compare "$model" --what sample --batch "$batch" --steps 50 --warmup 5 --threads 1 --rounds 2 --peer-library "$OB" --out "$out"
  done
done
