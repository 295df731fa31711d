#!/usr/bin/env bash
# The shipped CharacterWorld base, trained on the GPU machine in one device call (../shared/gpu/README.md), after
#   ../shared/gpu/pack.sh src/DiffusionLab.Cli/DiffusionLab.Cli.csproj
# with carry [".gpu"] (the tracked tree plus .gpu exceed the 64 MiB transport: see convergence-s2.sh for the
# untracking that made room on 2026-11-30):
#   bash experiments/gpu/zoo-t2i.sh SECONDS [--set Section.Key=Value ...]
# e.g. `bash experiments/gpu/zoo-t2i.sh 420 --set Model.Preset=MDTv2-T2I-Tiny/2 --set Training.BatchSize=128`.
# Trains experiments/zoo/characterworld-t2i.json with those overrides into runs/zoo/characterworld-t2i-gpu until
# SECONDS minus the export's share have passed; `timeout` then sends SIGTERM, on which difflab train writes a
# checkpoint at the step reached and exits 130. Then it exports that checkpoint judged as shipped (EMA weights in
# bf16 with config, tokenizer and provenance) and probes it (`evaluate --probe`). Writes $OUT/models/characterworld-t2i
# (copy it to models/ here) and $OUT/run.tgz (the run folder without checkpoints, the probe and the logs).
set -u
budget=${1:?usage: zoo-t2i.sh SECONDS [--set Section.Key=Value ...]}; shift
start=$(date +%s)
left() { local l=$(( budget - ($(date +%s) - start) - ${1:-0} )); echo $(( l > 0 ? l : 1 )); }
app=${APP:-"bash .gpu/run.sh"}
device=${DEVICE:-cuda}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-4}
out=${OUT:-/tmp/out}; mkdir -p "$out/models"
run=${RUN:-runs/zoo/characterworld-t2i-gpu}
logs=runs/gpu-logs; rm -rf $logs; mkdir -p $logs
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > $logs/gpu.txt 2>&1
export DIFFLAB_DEVICE_NAME=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
# The export judges 400 samples and the probe 200 images: about a minute on the GPU; keep 90 s for them.
timeout $(left 90) $app train experiments/zoo/characterworld-t2i.json "$@" --out $run --device $device > $logs/train.log 2>&1
echo "train exit $? (130: stopped by the budget, checkpoint written)"
grep -v "^step .*steps/s" $logs/train.log | tail -n 12
last=$(ls $run/checkpoints/*.safetensors 2>/dev/null | sort | tail -1)
if [ -z "$last" ]; then echo "no checkpoint written: nothing to export"; exit 1; fi
rm -rf "$out/models/characterworld-t2i"
timeout $(left 5) $app models export "$last" --name characterworld-t2i --models-dir "$out/models" --judge --device $device 2>&1 | tee $logs/export.log
timeout $(left 2) $app evaluate "$last" --probe $logs/probe.png --device $device > $logs/probe.jsonl 2>&1
tar czf "$out/run.tgz" --exclude='checkpoints' $run $logs 2>/dev/null
echo "done in $(( $(date +%s) - start )) s"
ls -la "$out" "$out/models"/*
