#!/usr/bin/env bash
# Re-evaluates every checkpoint of a quickstart run with x0 clipping on and off (Sampling.ClipDenoised) and samples
# a 100-image grid both ways with the same seed. Writes, next to this script:
#   evaluations.csv  step,clip,fd,class_accuracy,saturated_noise,saturated_pixels,eval_samples,seconds (difflab evaluate)
#   grids.csv        step,clip,saturated_noise_tiles,tiles,saturated_pixels,seconds (difflab sample, seed 1)
#   samples/step-NNNNNNN-{clip,noclip}.png
#   environment.txt  git revision, device, threads, date
# Usage: results/clipping-mnist/run.sh [RUN] [NUM_SAMPLES] [STEPS...]   (default runs/quickstart 1000, every checkpoint)
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN=${1:-runs/quickstart}
N=${2:-1000}
shift $(( $# < 2 ? $# : 2 ))
OUT=results/clipping-mnist
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
dotnet build src/DiffusionLab.Cli -c Release 2>&1 | grep -E " error |rror\(s\)"
difflab() { dotnet run -c Release --no-build --project src/DiffusionLab.Cli -- "$@"; }
mkdir -p "$OUT/samples"
{
  echo "git revision: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src experiments || echo ' (with uncommitted changes in src/ or experiments/)')"
  echo "device: CPU, $(lscpu | sed -n 's/^Model name: *//p'), $(nproc --all) cores, OMP_NUM_THREADS=$OMP_NUM_THREADS"
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "run: $RUN; evaluation samples: $N; grid: 100 samples, seed 1"
} > "$OUT/environment.txt"
echo "step,clip,fd,class_accuracy,saturated_noise,saturated_pixels,eval_samples,seconds" > "$OUT/evaluations.csv"
echo "step,clip,saturated_noise_tiles,tiles,saturated_pixels,seconds" > "$OUT/grids.csv"
if [ $# -gt 0 ]; then steps=("$@"); else steps=($(ls "$RUN/checkpoints" | sed -n 's/^step-0*\([0-9]\+\)\.safetensors$/\1/p' | sort -n)); fi
for step in "${steps[@]}"; do
  ckpt=$(printf '%s/checkpoints/step-%07d.safetensors' "$RUN" "$step")
  for clip in true false; do
    name=$([ $clip = true ] && echo clip || echo noclip)
    t0=$(date +%s.%N)
    json=$(difflab evaluate "$ckpt" --set Sampling.ClipDenoised=$clip --set Evaluation.NumSamples=$N | tail -1)
    t1=$(date +%s.%N)
    python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(",".join(str(x) for x in [int(r["step"]), sys.argv[2], r["fd"], r["class_accuracy"], r["saturated_noise"], r["saturated_pixels"], int(r["eval_samples"]), round(float(sys.argv[3]), 1)]))' \
      "$json" $clip "$(echo "$t1 - $t0" | bc)" >> "$OUT/evaluations.csv"
    png=$(printf '%s/samples/step-%07d-%s.png' "$OUT" "$step" "$name")
    t0=$(date +%s.%N)
    line=$(difflab sample "$ckpt" --count 100 --seed 1 --set Sampling.ClipDenoised=$clip --out "$png" | grep '^saturated noise:')
    t1=$(date +%s.%N)
    # "saturated noise: K of M samples; pixels with |x| > 0.98: F of all"
    echo "$line" | sed -E "s/^saturated noise: ([0-9]+) of ([0-9]+) samples; pixels with \|x\| > [0-9.]+: ([0-9.]+) of all$/$step,$clip,\1,\2,\3,$(printf '%.1f' "$(echo "$t1 - $t0" | bc)")/" >> "$OUT/grids.csv"
    tail -1 "$OUT/evaluations.csv"; tail -1 "$OUT/grids.csv"
  done
done
