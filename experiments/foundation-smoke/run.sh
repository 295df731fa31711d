#!/usr/bin/env bash
# Trains tiny DiT, MDT and MDTv2 on MNIST-10k for 300 steps each on the CPU and copies the evidence
# (config, metrics, sample grid, loss curve, evaluation; not the checkpoints) to results/foundation-smoke/.
# Usage: bash experiments/foundation-smoke/run.sh [--device cpu|cuda]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build -c Release src/DiffusionLab.Cli -v q -nologo >/dev/null
difflab=src/DiffusionLab.Cli/bin/Release/net10.0/difflab
# The revision the binary is built from, taken now: commits made while the runs go on do not count.
revision="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' (with uncommitted src changes)')"
out=results/foundation-smoke
mkdir -p "$out"
start=$(date +%s)
for name in dit mdt mdtv2; do
  run=runs/foundation-smoke/$name
  rm -rf "$run"
  "$difflab" train "experiments/foundation-smoke/$name-tiny.json" --out "$run" "$@"
  mkdir -p "$out/$name"
  cp "$run/config.json" "$run/metrics.jsonl" "$run/loss.png" "$run/evaluation.json" "$out/$name/"
  cp "$run"/samples/step-*.png "$out/$name/samples.png"
done
{
  echo "revision $revision"
  echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "device ${*:-auto} on $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "wall_seconds $(( $(date +%s) - start ))"
} > "$out/provenance.txt"
python3 experiments/foundation-smoke/report.py
