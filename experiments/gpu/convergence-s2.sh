#!/usr/bin/env bash
# convergence-mnist-s2 on the GPU machine, as one device call (../shared/gpu/README.md): the app packed by
#   ../shared/gpu/pack.sh src/DiffusionLab.Cli/DiffusionLab.Cli.csproj
# then, with carry [".gpu", ".fonts"] (.fonts/DejaVuSans.ttf: the GPU machine has no fonts, and charts drawn there
# come back without text; 2026-11-30 they did, and `difflab study report` drew them again here):
#   bash experiments/gpu/convergence-s2.sh SECONDS
# Both seeds train at once, one process each (each trains DiT, MDT, MDTv2 in that order, so the two processes run
# the same model at the same time and share the GPU evenly: the wall-clock columns are comparable between models,
# though each is slower than alone); then the report. Everything stops SECONDS after the start (default 540).
# The tracked tree (30 MB) plus .gpu (43 MB) exceeded the device tool's 64 MiB transport limit on 2026-11-30; that call
# ran with tests/ and results/ untracked for its duration (`git rm -r --cached tests results`, both in
# .git/info/exclude, then `git reset` and the exclude file restored).
# Writes $OUT/s2.tgz: results/convergence-mnist-s2, the run folders without checkpoints, and the logs.
set -u
budget=${1:-540}
start=$(date +%s)
left() { local l=$(( budget - ($(date +%s) - start) - ${1:-0} )); echo $(( l > 0 ? l : 1 )); }
app=${APP:-"bash .gpu/run.sh"}
export OMP_NUM_THREADS=4
out=${OUT:-/tmp/out}; mkdir -p "$out"
logs=runs/gpu-logs; rm -rf $logs; mkdir -p $logs
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > $logs/gpu.txt 2>&1
export DIFFLAB_DEVICE_NAME=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
if [ -f .fonts/DejaVuSans.ttf ] && [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  mkdir -p /usr/share/fonts/truetype/dejavu && cp .fonts/DejaVuSans.ttf /usr/share/fonts/truetype/dejavu/
fi
if ! timeout 120 $app bench train DiT-Tiny/4 --batch 8 --device cuda > $logs/sanity.log 2>&1; then
  cat $logs/sanity.log; echo "the app does not run on this GPU: stopped"; exit 1
fi
( timeout $(left 20) $app study run experiments/convergence-mnist-s2 --device cuda --seeds 0 > $logs/s2-s0.log 2>&1 ) &
a=$!
( timeout $(left 20) $app study run experiments/convergence-mnist-s2 --device cuda --seeds 1 > $logs/s2-s1.log 2>&1 ) &
wait $a $!
timeout $(left 5) $app study run experiments/convergence-mnist-s2 --device cuda > $logs/s2.log 2>&1
for f in $logs/*.log; do echo "== $f"; tail -n 6 "$f"; done
tar czf "$out/s2.tgz" --exclude='checkpoints' results/convergence-mnist-s2 runs/convergence-mnist-s2 $logs 2>/dev/null
echo "done in $(( $(date +%s) - start )) s"
ls -la "$out"
