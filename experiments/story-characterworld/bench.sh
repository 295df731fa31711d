#!/usr/bin/env bash
# Memory and time of a story against its length: batch CSA (all panels together) vs the write/read bank
# protocol (2 reference panels, then one panel at a time), one process per measurement because the CPU
# measure is the process's peak resident set. Writes results/story-characterworld/bench.jsonl, which
# `difflab study story experiments/story-characterworld --run RUN` turns into memory.png and time.png.
# Usage: bash experiments/story-characterworld/bench.sh [--device cpu|cuda] [PRESET]
set -euo pipefail
cd "$(dirname "$0")/../.."
device=cpu
if [ "${1:-}" = "--device" ]; then device=$2; shift 2; fi
preset=${1:-MDTv2-T2I-Tiny/4}
out=results/story-characterworld/bench.jsonl
mkdir -p "$(dirname "$out")"
rm -f "$out"
dotnet build -c Release src/DiffusionLab.Cli -v quiet -nologo >/dev/null
for panels in 4 8 16 32; do
  for mode in batch bank; do
    dotnet run -c Release --no-build --project src/DiffusionLab.Cli -- bench story "$preset" --panels "$panels" --mode "$mode" --steps 50 --device "$device" --out "$out"
  done
done
