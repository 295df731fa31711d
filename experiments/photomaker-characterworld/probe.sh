#!/usr/bin/env bash
# The ID-encoder probe (difflab evaluate PM_RUN: held-out identity retrieval, IdEncoderProbe) on every PhotoMaker run of
# the study's scales that exists here, one JSON line per run, into results/photomaker-characterworld/id-encoder-probe.jsonl;
# and on every checkpoint of the pre-trained stacked runs (how the diffusion stage changes a pre-trained encoder, at
# encoder learning rate 1e-4 and 1e-5) into id-encoder-probe-steps.jsonl.
#   bash experiments/photomaker-characterworld/probe.sh [DIFFLAB]    (default: dotnet run -c Release --project src/DiffusionLab.Cli --)
set -euo pipefail
cd "$(dirname "$0")/../.."
difflab=${1:-"dotnet run -c Release --project src/DiffusionLab.Cli --"}
out=results/photomaker-characterworld/id-encoder-probe.jsonl
tmp=$(mktemp)
for run in runs/photomaker-characterworld/{full,long,pretrained,pretrained-lowlr}/*/; do
  [ -d "$run/checkpoints" ] || continue
  OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} $difflab evaluate "${run%/}" >> "$tmp"
done
mv "$tmp" "$out"
echo "wrote $out ($(wc -l < "$out") runs)"
steps=results/photomaker-characterworld/id-encoder-probe-steps.jsonl
tmp=$(mktemp)
for ckpt in runs/photomaker-characterworld/{pretrained,pretrained-lowlr}/stacked/checkpoints/step-*.safetensors; do
  [ -f "$ckpt" ] || continue
  OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} $difflab evaluate "$ckpt" >> "$tmp"
done
mv "$tmp" "$steps"
echo "wrote $steps ($(wc -l < "$steps") checkpoints)"
