#!/usr/bin/env bash
# Our training step against the official PyTorch code's, side by side on this CPU (issue: speed), and the
# optimizer micro-benchmark. Needs Debian's python3-torch and ../shared/peers (the official code, never copied).
# Usage: bash results/bench/compare-cpu.sh   (writes results/bench/compare-cpu.jsonl, optimizer-cpu.jsonl and the chart)
# Run it on a quiet machine: the 2 cores are shared, and a second job halves both sides unevenly.
set -euo pipefail
cd "$(dirname "$0")/../.."
. results/bench/peer-setup.sh
dotnet build -c Release src/DiffusionLab.Cli -v q -nologo >/dev/null
difflab=src/DiffusionLab.Cli/bin/Release/net10.0/difflab
out=results/bench/compare-cpu.jsonl
: > "$out"
# The issue's CPU targets: Tiny/4 at batch 64, DiT-S/2 (1x32x32, 10 classes) at batch 16; the batch sweep for the chart.
for batch in 8 16 32 64; do
  "$difflab" bench compare DiT-Tiny/4   --batch "$batch" --threads 2 --steps 10 --warmup 3 --rounds 2 --peer-library "$OB" --out "$out"
  "$difflab" bench compare MDTv2-Tiny/4 --batch "$batch" --threads 2 --steps 10 --warmup 3 --rounds 2 --peer-library "$OB" --out "$out"
done
"$difflab" bench compare DiT-S/2 --in-channels 1 --input-size 32 --num-classes 10 --batch 16 --threads 2 --steps 3 --warmup 1 --rounds 2 --peer-library "$OB" --out "$out"
"$difflab" bench chart "$out" --out results/bench/images-per-s-vs-batch-cpu.png
opt=results/bench/optimizer-cpu.jsonl
: > "$opt"
for tensors in 10 200; do
  "$difflab" bench optimizer --tensors "$tensors" --numel 2000000 --steps 100 --warmup 30 --threads 2 --out "$opt"
done
