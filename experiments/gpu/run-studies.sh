#!/usr/bin/env bash
# The GPU share of the studies, as one device call (../shared/gpu/README.md): the app packed by
#   ../shared/gpu/pack.sh src/DiffusionLab.Cli/DiffusionLab.Cli.csproj
# then, on the GPU machine, with carry [".gpu", ".fonts"] (.fonts holds DejaVuSans.ttf for comic captions):
#   bash experiments/gpu/run-studies.sh SECONDS
# Runs, sharing the GPU (small models leave most of it idle; several processes overlap):
#   posenc-ablation-mnist (both seeds at once), convergence-mnist-s2 (both seeds at once),
#   t2i-characterworld, then the story study and the PhotoMaker study on its model, and bench story (batch vs bank).
# Everything stops SECONDS after the start (default 540) so the results can be packed: an unfinished study is resumable.
# Writes $OUT/results.tgz (results/ and the run folders without checkpoints), $OUT/t2i-ckpt.tgz.part-* (the text-to-image
# run's last checkpoint, split for transport) and $OUT/*.log.
set -u
budget=${1:-540}
start=$(date +%s)
left() { echo $(( budget - ($(date +%s) - start) )); }
app="bash .gpu/run.sh"
export OMP_NUM_THREADS=2
out=${OUT:-/tmp/out}; mkdir -p "$out"
if [ -f .fonts/DejaVuSans.ttf ] && [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  mkdir -p /usr/share/fonts/truetype/dejavu && cp .fonts/DejaVuSans.ttf /usr/share/fonts/truetype/dejavu/
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$out/gpu.txt" 2>&1
$app --help > /dev/null 2>&1   # unpack the app once, before the parallel starts

study() { # NAME LOG [extra args...]: train both seeds at once, then report
  local name=$1 log=$2; shift 2
  ( timeout $(left) $app study run experiments/$name --device cuda --seeds 0 "$@" > "$out/$log-s0.log" 2>&1 ) &
  local a=$!
  ( timeout $(left) $app study run experiments/$name --device cuda --seeds 1 "$@" > "$out/$log-s1.log" 2>&1 ) &
  wait $a $!
  timeout $(left) $app study run experiments/$name --device cuda "$@" > "$out/$log.log" 2>&1
}

study posenc-ablation-mnist posenc &
p1=$!
study convergence-mnist-s2 s2 &
p2=$!
t2i=runs/t2i-characterworld/full/mdtv2-t2i-tiny-seed0
(
  timeout $(left) $app study run experiments/t2i-characterworld --device cuda > "$out/t2i.log" 2>&1 || exit 0
  ( timeout $(left) $app study story experiments/story-characterworld --run $t2i --device cuda > "$out/story.log" 2>&1 ) &
  timeout $(( $(left) - 15 )) $app study photomaker experiments/photomaker-characterworld --device cuda > "$out/photomaker.log" 2>&1
  wait
) &
p3=$!
(
  mkdir -p results/story-characterworld; rm -f results/story-characterworld/bench.jsonl
  for panels in 4 8 16 32; do for mode in batch bank; do
    timeout $(left) $app bench story MDTv2-T2I-Tiny/4 --panels $panels --mode $mode --steps 50 --device cuda --out results/story-characterworld/bench.jsonl
  done; done > "$out/bench.log" 2>&1
) &
p4=$!
wait $p1 $p2 $p3 $p4
nvidia-smi > "$out/nvidia-smi-end.txt" 2>&1
tar czf "$out/results.tgz" --exclude='checkpoints' results runs 2>/dev/null
last=$(ls $t2i/checkpoints/*.safetensors 2>/dev/null | sort | tail -1)
if [ -n "$last" ]; then tar czf - "$last" | split -b 15M - "$out/t2i-ckpt.tgz.part-"; fi
echo "done in $(( $(date +%s) - start )) s"
ls -la "$out"
