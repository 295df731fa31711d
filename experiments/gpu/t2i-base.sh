#!/usr/bin/env bash
# The text-to-image base model on the GPU, as one short device call (after ../shared/gpu/pack.sh; carry [".gpu"]):
#   bash experiments/gpu/t2i-base.sh [SECONDS]
# Trains experiments/t2i-characterworld at its "gpu" scale (batch 128, 1,000 steps) with its judged evaluations and
# report, then sends back results/t2i-characterworld, the run folder and its last checkpoint without optimizer state
# (experiments/gpu/strip_optimizer.py; it loads as a base model for the story and PhotoMaker studies):
# $OUT/t2i.tgz.part-* (cat them | tar xz in the repository root).
set -u
budget=${1:-240}
app=${APP:-"bash .gpu/run.sh"}
export OMP_NUM_THREADS=4
out=${OUT:-/tmp/out}; mkdir -p "$out"
run=runs/t2i-characterworld/gpu/mdtv2-t2i-tiny-seed0
mkdir -p runs/gpu-logs
timeout "$budget" $app study run experiments/t2i-characterworld --scale gpu --device cuda --results results/t2i-characterworld 2>&1 | tee runs/gpu-logs/t2i-gpu.log | grep -v "^step .*steps/s" | tail -n 20
last=$(ls $run/checkpoints/*.safetensors 2>/dev/null | sort | tail -1)
if [ -n "$last" ]; then
  mkdir -p $run/inference && python3 experiments/gpu/strip_optimizer.py "$last" "$run/inference/$(basename "$last")"
fi
tar czf - --exclude="$run/checkpoints" results/t2i-characterworld runs/t2i-characterworld runs/gpu-logs 2>/dev/null | split -b 15M - "$out/t2i.tgz.part-"
ls -la "$out"
