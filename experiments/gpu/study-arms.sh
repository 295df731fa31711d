#!/usr/bin/env bash
# Chosen run × seeds of CPU-sized studies (Tiny models) on the GPU machine, as parallel processes, in one device call
# (../shared/gpu/README.md): the app packed by
#   ../shared/gpu/pack.sh src/DiffusionLab.Cli/DiffusionLab.Cli.csproj
# then, with carry [".gpu"]:
#   bash experiments/gpu/study-arms.sh SECONDS STUDY:RUN:SEED [STUDY:RUN:SEED ...]
# e.g. issue 13's missing runs of convergence-mnist-digits and the position-encoding ablation's first seed:
#   bash experiments/gpu/study-arms.sh 540 convergence-mnist-digits:mdt-paper:0 convergence-mnist-digits:mdt-paper:1 \
#     convergence-mnist-digits:mdt-paper:2 posenc-ablation-mnist-digits:full:0 posenc-ablation-mnist-digits:no-relbias:0 ...
# Each item is `difflab study run experiments/STUDY --only RUN --seeds SEED` (no report), one process each, PAR at a
# time (default: all of them, at most 16, one per CPU core of the machine): Tiny models are launch-bound, so processes
# overlap on the one GPU, and each process's steps/s in its log sizes the next call. A run resumes from its
# checkpoints, so a second call made while the machine is still warm (its runs/ is kept) goes on where the first
# stopped; a fresh machine starts the unfinished runs again. Everything stops SECONDS after the start (default 540).
# Seeds train on CUDA draw other random numbers than on the CPU: a run here pairs with a CPU run of the same seed only
# as an independent sample, and its seconds are the GPU's (sources.json of the report says where each was measured).
# Writes $OUT/arms.tgz: the run folders without checkpoints (finished or not) and the logs. Back here:
#   mkdir -p /tmp/gpu && tar xzf arms.tgz -C /tmp/gpu
#   difflab study report experiments/STUDY --runs /tmp/gpu/runs --partial --earlier results/STUDY --trained-on "..."
# SCALE (default full) and DEVICE (default cuda) let the same script be tried here first:
#   APP="dotnet src/DiffusionLab.Cli/bin/Release/net10.0/difflab.dll" DEVICE=cpu SCALE=smoke OUT=/tmp/arms \
#     bash experiments/gpu/study-arms.sh 120 convergence-mnist-digits:mdt-paper:0 posenc-ablation-mnist-digits:mask-0.5:1
set -u
budget=${1:-540}
shift || true
[ $# -gt 0 ] || { echo "usage: study-arms.sh SECONDS STUDY:RUN:SEED [STUDY:RUN:SEED ...]"; exit 2; }
start=$(date +%s)
left() { local l=$(( budget - ($(date +%s) - start) - ${1:-0} )); echo $(( l > 0 ? l : 1 )); }
app=${APP:-"bash .gpu/run.sh"}
device=${DEVICE:-cuda}
scale=${SCALE:-full}
par=${PAR:-$(( $# < 16 ? $# : 16 ))}
export OMP_NUM_THREADS=1
out=${OUT:-/tmp/out}; mkdir -p "$out"
logs=runs/gpu-logs; rm -rf $logs; mkdir -p $logs
for item in "$@"; do
  IFS=: read -r study run seed <<< "$item"
  [ -f "experiments/$study/study.json" ] && [ -n "$run" ] && [ -n "$seed" ] \
    || { echo "item '$item': expected STUDY:RUN:SEED with experiments/STUDY/study.json"; exit 2; }
done
if [ "$device" = cuda ]; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > $logs/gpu.txt 2>&1
  export DIFFLAB_DEVICE_NAME=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
fi
# Unpack the app once, before the parallel starts, and stop at once if it cannot train on the device.
if ! timeout 120 $app bench train DiT-Tiny/4 --batch 8 --device "$device" > $logs/sanity.log 2>&1; then
  cat $logs/sanity.log; echo "the app does not run on $device: stopped"; exit 1
fi
arm() { # STUDY:RUN:SEED
  local study run seed
  IFS=: read -r study run seed <<< "$1"
  timeout "$(left 30)" $app study run "experiments/$study" --scale "$scale" --only "$run" --seeds "$seed" \
    --device "$device" --runs runs > "$logs/$study-$run-$seed.log" 2>&1
  echo "$1: exit $? after $(( $(date +%s) - start )) s"
}
export -f arm left
export start budget app device scale logs
printf '%s\n' "$@" | xargs -P "$par" -I{} bash -c 'arm "$1"' _ {} | tee $logs/arms.txt
nvidia-smi > "$logs/nvidia-smi-end.txt" 2>&1 || true
for f in $logs/*-*-*.log; do echo "== $f"; grep "steps/s" "$f" | tail -n 1 | cut -c1-80; grep -c "^step .*: fd" "$f"; done
# All of runs/ (a shared run trains into its own study's folder): this call's folders and, on a warm machine, an earlier call's.
tar czf "$out/arms.tgz" --exclude='checkpoints' --exclude='run.lock' runs
echo "done in $(( $(date +%s) - start )) s"
ls -la "$out"
