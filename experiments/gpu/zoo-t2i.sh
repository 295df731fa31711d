#!/usr/bin/env bash
# The shipped CharacterWorld models, trained on the GPU machine in one device call (../shared/gpu/README.md), after
#   ../shared/gpu/pack.sh src/DiffusionLab.Cli/DiffusionLab.Cli.csproj
# with carry [".gpu", ".fonts"] (.fonts/DejaVuSans.ttf: the GPU machine has no fonts) and what travels made small
# enough (see convergence-s2.sh: the tracked tree plus .gpu exceed the 64 MiB transport):
#   bash experiments/gpu/zoo-t2i.sh SECONDS
# 1. Arms: experiments/zoo/characterworld-t2i.json with each arm's overrides (ARMS below), one process each, until
#    TRAIN_END seconds after the start; `timeout` then sends SIGTERM, on which difflab train writes a checkpoint at the
#    step reached and exits 130. ARMS_ONLY (default: tiny2-32px, the shipped base's arm) picks the arms: on 2026-12-04
#    all four shared the H200 and each ran at about a third of its lone speed (time-slicing, no MPS), so one arm alone
#    gets the most out of a call. INIT=1 starts it from the shipped base's weights (fresh optimizer) instead of noise.
# 2. Each arm exported judged as shipped (models export --judge: 400 held-out captions), side by side.
# 3. The arm with the most valid faces (then prompt accuracy) becomes models/characterworld-t2i here, and on it, side
#    by side until the budget's end: the PhotoMaker stage (experiments/zoo/characterworld-photomaker.json), the
#    transition stage without predictor (experiments/motion-characterworld/no-predictor.json), each exported; the
#    story study (experiments/story-characterworld) and the denoising probe.
# Writes $OUT/models.tgz (models/ as it would ship), $OUT/arm-NAME.tgz (each arm's judged export; one file each, as the
# transport takes 16 MiB a file), $OUT/runs.tgz (run folders without checkpoints, story study results, probe, logs).
# The call of 2026-12-04 and what it found: results/zoo/characterworld-t2i/README.md. CPU dry run (DEVICE=cpu):
# APP="dotnet .../difflab.dll" DEVICE=cpu TRAIN_END=60 JUDGE_END=140 STAGES_END=330 ARMS_ONLY="tiny4-64px"
# ARM_SET="--set Training.Precision=fp32 --set Training.BatchSize=4" JUDGE_SET="--set Evaluation.NumSamples=8
# --set Sampling.Respacing=ddim4" PM_SET="--set PhotoMaker.EncoderPretrainSteps=5" MOTION_SET="--set Motion.EncoderPretrainSteps=5".
set -u
budget=${1:?usage: zoo-t2i.sh SECONDS}
start=$(date +%s)
until_t() { local l=$(( $1 - ($(date +%s) - start) )); echo $(( l > 1 ? l : 1 )); }
app=${APP:-"bash .gpu/run.sh"}
device=${DEVICE:-cuda}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-4}
out=${OUT:-/tmp/out}; mkdir -p "$out"
train_end=${TRAIN_END:-$(( budget * 50 / 100 ))}
judge_end=${JUDGE_END:-$(( train_end + 75 ))}
stages_end=${STAGES_END:-$(( budget - 25 ))}
judge_set=${JUDGE_SET:-}
arm_set=${ARM_SET:-}        # appended to every arm's overrides (a dry run: --set Training.Precision=fp32 ...)
pm_set=${PM_SET:-}; motion_set=${MOTION_SET:-}
logs=runs/gpu-logs; rm -rf $logs runs/zoo-arms; mkdir -p $logs runs/zoo-arms
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > $logs/gpu.txt 2>&1
export DIFFLAB_DEVICE_NAME=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
if [ -f .fonts/DejaVuSans.ttf ] && [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  mkdir -p /usr/share/fonts/truetype/dejavu && cp .fonts/DejaVuSans.ttf /usr/share/fonts/truetype/dejavu/
fi
# pack.sh names the binary after the project (DiffusionLab.Cli); ours is difflab (AssemblyName).
[ -z "${APP:-}" ] && sed -i 's|/DiffusionLab.Cli"|/difflab"|g' .gpu/run.sh
# The packed app unpacks on its first start: once, before processes start side by side.
if ! timeout 120 $app --version > $logs/version.txt 2>&1; then cat $logs/version.txt; echo "the app does not start: stopped"; exit 1; fi
init=""; [ "${INIT:-0}" = 1 ] && init="--set Training.InitialWeights=zoo:characterworld-t2i"
common="$init --set Training.EvaluateEvery=0 --set Training.SampleEvery=1000 --set Training.CheckpointEvery=1000 --set Training.LogEvery=100"
declare -A ARMS=(
  [tiny4-32px]="--set Model.Preset=MDTv2-T2I-Tiny/4 --set Training.BatchSize=256"
  [tiny2-32px]="--set Model.Preset=MDTv2-T2I-Tiny/2 --set Training.BatchSize=256 --set Training.Precision=bf16"
  [tiny4-64px]="--set Model.Preset=MDTv2-T2I-Tiny/4 --set Model.InputSize=64 --set Training.BatchSize=256 --set Training.Precision=bf16"
  [tiny2-64px]="--set Model.Preset=MDTv2-T2I-Tiny/2 --set Model.InputSize=64 --set Training.BatchSize=128 --set Training.Precision=bf16"
)
echo "== arms train until ${train_end} s"
for arm in "${!ARMS[@]}"; do
  [[ " ${ARMS_ONLY:-tiny2-32px} " != *" $arm "* ]] && { unset "ARMS[$arm]"; continue; }
  echo "$arm: ${ARMS[$arm]}" >> $logs/arms.txt
  ( timeout $(until_t $train_end) $app train experiments/zoo/characterworld-t2i.json ${ARMS[$arm]} $common $arm_set \
      --out runs/zoo-arms/$arm --device $device > $logs/train-$arm.log 2>&1; echo "$arm: train exit $?" >> $logs/exits.txt ) &
done
wait
cat $logs/exits.txt
echo "== arms exported and judged until ${judge_end} s"
for arm in "${!ARMS[@]}"; do
  last=$(ls runs/zoo-arms/$arm/checkpoints/*.safetensors 2>/dev/null | sort | tail -1)
  [ -z "$last" ] && { echo "$arm: no checkpoint"; grep -v "^step " $logs/train-$arm.log | tail -n 5; continue; }
  ( timeout $(until_t $judge_end) $app models export "$last" --name characterworld-t2i --models-dir runs/zoo-arms/$arm/export \
      --judge --device $device $judge_set > $logs/export-$arm.log 2>&1; echo "$arm: export exit $?" >> $logs/exits.txt ) &
done
wait
best=$(python3 - <<'PY'
import json, glob, os
rows = []
for p in glob.glob("runs/zoo-arms/*/export/characterworld-t2i/provenance.json"):
    j = json.load(open(p)).get("Judged") or {}
    if "structure_valid" in j:
        rows.append((j["structure_valid"], j.get("prompt_accuracy", 0), p.split("/")[2]))
for r in sorted(rows, reverse=True): print(f"# {r[2]}: valid faces {r[0]:.3f}, prompt accuracy {r[1]:.3f}", flush=True)
print(max(rows)[2] if rows else "")
PY
)
echo "$best" | grep "^#"; best=$(echo "$best" | grep -v "^#" | tail -1)
for arm in "${!ARMS[@]}"; do tar czf "$out/arm-$arm.tgz" runs/zoo-arms/$arm/export 2>/dev/null; done
if [ -z "$best" ]; then echo "no arm was judged: no stages"; tar czf "$out/runs.tgz" --exclude='checkpoints' --exclude='export' runs/zoo-arms $logs; exit 1; fi
echo "== best arm: $best; stages until ${stages_end} s"
mkdir -p models; rm -rf models/characterworld-t2i models/characterworld-photomaker models/characterworld-motion
cp -r runs/zoo-arms/$best/export/characterworld-t2i models/
base_step=$(python3 -c "import json; print(json.load(open('models/characterworld-t2i/provenance.json'))['Step'])")
base_size=$(python3 -c "import json; print(json.load(open('models/characterworld-t2i/config.json'))['Model']['InputSize'])")
rm -rf runs/zoo/characterworld-photomaker runs/zoo/characterworld-motion runs/story-results
stage() {  # name config export-name [overrides...]
  local name=$1 config=$2; shift 2
  timeout $(until_t $(( stages_end - 20 ))) $app train $config "$@" --out runs/zoo/$name --device $device > $logs/train-$name.log 2>&1
  echo "$name: train exit $?" >> $logs/exits.txt
  local last=$(ls runs/zoo/$name/checkpoints/*.safetensors 2>/dev/null | sort | tail -1)
  [ -n "$last" ] && rm -rf models/$name && timeout $(until_t $stages_end) $app models export "$last" --name $name --base zoo:characterworld-t2i --raw \
      --device $device > $logs/export-$name.log 2>&1
  echo "$name: export exit $?" >> $logs/exits.txt
}
stage characterworld-photomaker experiments/zoo/characterworld-photomaker.json $pm_set &
stage characterworld-motion experiments/motion-characterworld/no-predictor.json $motion_set &
( timeout $(until_t $stages_end) $app study story experiments/story-characterworld --run zoo:characterworld-t2i \
    --results runs/story-results --device $device > $logs/story.log 2>&1; echo "story: exit $?" >> $logs/exits.txt ) &
( timeout $(until_t $stages_end) $app evaluate zoo:characterworld-t2i --probe $logs/probe.png --device $device > $logs/probe.jsonl 2>&1 ) &
wait
cat $logs/exits.txt
tail -n 3 $logs/story.log
tar czf "$out/models.tgz" models/characterworld-t2i models/characterworld-photomaker models/characterworld-motion 2>/dev/null
tar czf "$out/runs.tgz" --exclude='checkpoints' --exclude='export' runs/zoo-arms runs/zoo runs/story-results $logs 2>/dev/null
echo "done in $(( $(date +%s) - start )) s (base: $best, step $base_step, ${base_size} px)"
ls -la "$out"
