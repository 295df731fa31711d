#!/usr/bin/env bash
# CPU throughput of the tiny presets (the ones the MNIST studies use), one JSON line per measurement.
# Usage: bash results/bench/run-cpu.sh   (appends to results/bench/cpu.jsonl)
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build -c Release src/DiffusionLab.Cli -v q -nologo >/dev/null
difflab=src/DiffusionLab.Cli/bin/Release/net10.0/difflab
for preset in DiT-Tiny/4 MDT-Tiny/4 MDTv2-Tiny/4; do
  "$difflab" bench train "$preset" --batch 64 --steps 20 --warmup 3 --device cpu --out results/bench/cpu.jsonl
  "$difflab" bench sample "$preset" --batch 64 --steps 30 --warmup 3 --device cpu --out results/bench/cpu.jsonl
done
