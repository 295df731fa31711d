#!/usr/bin/env bash
# The speed issue's GPU rows, as one device call (../shared/gpu/README.md). Before the call, here:
#   ../shared/gpu/pack.sh src/DiffusionLab.Cli/DiffusionLab.Cli.csproj      # the app, into .gpu/
#   rm -rf .peers && cp -r ../shared/peers .peers && grep -qx '/.peers/' .git/info/exclude || echo /.peers/ >> .git/info/exclude
# then the device tool's run with carry [".gpu", ".peers"] and the command
#   bash experiments/gpu/bench-compare.sh
# It runs `difflab bench compare` (ours vs the official code in the machine's own PyTorch, alternating, each side a
# fresh process) for DiT-S/2 and MDTv2-S/2 at batch 128 bf16, MDTv2-XL/2 at batch 32 bf16, a batch sweep of DiT-S/2
# for the launch-bound vs compute-bound chart, the optimizer micro-benchmark over 10 vs 200 tensors, and DDIM-50 sampling
# with guidance 4 against the official reverse loop (`--what sample`, results/bench/peer_sampling.py); everything
# lands in $OUT/bench-gpu.jsonl and $OUT/optimizer-gpu.jsonl. Dry run on the CPU at tiny scale (no GPU needed):
#   DEVICE=cpu TINY=1 APP="dotnet src/DiffusionLab.Cli/bin/Release/net10.0/difflab.dll" PEERS=../shared/peers bash experiments/gpu/bench-compare.sh
set -u
app=${APP:-"bash .gpu/run.sh"}
device=${DEVICE:-cuda}
peers=${PEERS:-.peers}
out=${OUT:-/tmp/out}; mkdir -p "$out"
python=${PYTHON:-python3}
bench="$out/bench-gpu.jsonl"; opt="$out/optimizer-gpu.jsonl"
[ "$device" = cuda ] && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$out/gpu.txt" 2>&1
export DIFFLAB_DEVICE_NAME=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
compare() { timeout 170 $app bench compare "$@" --device "$device" --peers "$peers" --python "$python" --out "$bench" || echo "compare $* failed or timed out"; }
if [ "${TINY:-0}" = 1 ]; then
  compare DiT-Tiny/4 --batch 4 --steps 2 --warmup 1 --rounds 1
  compare MDTv2-Tiny/4 --batch 4 --steps 2 --warmup 1 --rounds 1
  compare MDTv2-Tiny/4 --what sample --batch 4 --steps 2 --warmup 2 --rounds 1
  timeout 60 $app bench optimizer --tensors 10 --numel 100000 --steps 10 --device "$device" --out "$opt"
else
  compare DiT-S/2 --batch 128 --precision bf16 --steps 20 --warmup 5 --rounds 2
  compare MDTv2-S/2 --batch 128 --precision bf16 --steps 20 --warmup 5 --rounds 2
  compare MDTv2-XL/2 --batch 32 --precision bf16 --steps 10 --warmup 3 --rounds 1
  compare DiT-S/2 --what sample --batch 64 --steps 50 --warmup 5 --rounds 1
  compare MDTv2-S/2 --what sample --batch 64 --steps 50 --warmup 5 --rounds 1
  for b in 16 32 256; do compare DiT-S/2 --batch $b --precision bf16 --steps 20 --warmup 5 --rounds 1; done
  for t in 10 200; do timeout 60 $app bench optimizer --tensors $t --numel 30000000 --steps 100 --warmup 10 --device "$device" --out "$opt"; done
fi
ls -la "$out"
