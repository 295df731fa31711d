#!/usr/bin/env bash
# The GPU share of the studies, as one device call (../shared/gpu/README.md): the app packed by
#   ../shared/gpu/pack.sh src/DiffusionLab.Cli/DiffusionLab.Cli.csproj
# then, on the GPU machine, with carry [".gpu", ".fonts"] (.fonts holds DejaVuSans.ttf for comic captions):
#   bash experiments/gpu/run-studies.sh SECONDS
# Runs, sharing the GPU (small models leave most of it idle; several processes overlap):
#   posenc-ablation-mnist (both seeds at once) and bench story (batch vs bank) from the start;
#   t2i-characterworld, then on its model the story study and the PhotoMaker study, and convergence-mnist-s2
#   (both seeds at once). Wall-clock columns of runs that shared the GPU are not clean speed measurements.
# Everything stops SECONDS after the start (default 480) so the results can be packed: an unfinished study is resumable.
# Writes $OUT/results.tgz.part-* (results/, the run folders without checkpoints, and logs/) and $OUT/t2i-ckpt.tgz.part-*
# (the text-to-image run's last checkpoint), split in 15 MB parts for transport: cat PARTS | tar xz.
set -u
budget=${1:-480}
start=$(date +%s)
# Seconds left, at least 1 (timeout 0 would mean no limit).
left() { local l=$(( budget - ($(date +%s) - start) - ${1:-0} )); echo $(( l > 0 ? l : 1 )); }
app=${APP:-"bash .gpu/run.sh"}
export OMP_NUM_THREADS=2
out=${OUT:-/tmp/out}; mkdir -p "$out"
logs=runs/gpu-logs; rm -rf $logs; mkdir -p $logs
if [ -f .fonts/DejaVuSans.ttf ] && [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  mkdir -p /usr/share/fonts/truetype/dejavu && cp .fonts/DejaVuSans.ttf /usr/share/fonts/truetype/dejavu/
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > $logs/gpu.txt 2>&1
# Unpack the app once, before the parallel starts, and stop at once if it cannot train on the GPU.
if ! timeout 120 $app bench train DiT-Tiny/4 --batch 8 --device cuda > $logs/sanity.log 2>&1; then
  cat $logs/sanity.log; echo "the app does not run on this GPU: stopped"; exit 1
fi
cat $logs/sanity.log

study() { # NAME LOG [extra args...]: train both seeds at once, then report
  local name=$1 log=$2; shift 2
  ( timeout $(left) $app study run experiments/$name --device cuda --seeds 0 "$@" > "$logs/$log-s0.log" 2>&1 ) &
  local a=$!
  ( timeout $(left) $app study run experiments/$name --device cuda --seeds 1 "$@" > "$logs/$log-s1.log" 2>&1 ) &
  wait $a $!
  timeout $(left) $app study run experiments/$name --device cuda "$@" > "$logs/$log.log" 2>&1
}

study posenc-ablation-mnist posenc &
p1=$!
t2i=runs/t2i-characterworld/full/mdtv2-t2i-tiny-seed0
(
  timeout $(left) $app study run experiments/t2i-characterworld --device cuda > "$logs/t2i.log" 2>&1 || exit 0
  ( timeout $(left) $app study story experiments/story-characterworld --run $t2i --device cuda > "$logs/story.log" 2>&1 ) &
  # The S/2 study is the heaviest on the GPU: it waits for the text-to-image model, which the other studies need.
  study convergence-mnist-s2 s2 &
  timeout $(left 15) $app study photomaker experiments/photomaker-characterworld --device cuda > "$logs/photomaker.log" 2>&1
  wait
) &
p3=$!
(
  mkdir -p results/story-characterworld; rm -f results/story-characterworld/bench.jsonl
  for panels in 4 8 16 32; do for mode in batch bank; do
    timeout $(left) $app bench story MDTv2-T2I-Tiny/4 --panels $panels --mode $mode --steps 50 --device cuda --out results/story-characterworld/bench.jsonl
  done; done > "$logs/bench.log" 2>&1
) &
p4=$!
wait $p1 $p3 $p4
nvidia-smi > "$logs/nvidia-smi-end.txt" 2>&1
for f in $logs/*.log; do echo "== $f"; tail -n 4 "$f"; done
tar czf - --exclude='checkpoints' results runs $logs 2>/dev/null | split -b 15M - "$out/results.tgz.part-"
last=$(ls $t2i/checkpoints/*.safetensors 2>/dev/null | sort | tail -1)
if [ -n "$last" ]; then tar czf - "$last" | split -b 15M - "$out/t2i-ckpt.tgz.part-"; fi
echo "done in $(( $(date +%s) - start )) s"
ls -la "$out"
