#!/usr/bin/env python3
"""The arms of experiments/gpu/zoo-t2i.sh as one JSON line each, from what the device call sent back:
    python3 experiments/gpu/zoo-t2i-collect.py RUNS_DIR EXPORTS_DIR OUT.jsonl [LOSS.jsonl]
RUNS_DIR holds runs/zoo-arms/ARM/{config.json,metrics.jsonl} (runs.tgz), EXPORTS_DIR runs/zoo-arms/ARM/export/characterworld-t2i/
provenance.json (the judged export of each arm). A line: the arm, its preset, image size, batch, precision, the step it
reached, its training wall seconds and steps/s from metrics.jsonl, and the export's judged metrics (400 held-out captions).
LOSS.jsonl: every arm's metrics.jsonl rows with the arm's name in front."""
import glob, json, os, sys

runs, exports, out = sys.argv[1:4]
loss_out = sys.argv[4] if len(sys.argv) > 4 else None
rows, losses = [], []
for prov_path in sorted(glob.glob(os.path.join(exports, "runs/zoo-arms/*/export/characterworld-t2i/provenance.json"))):
    arm = prov_path.split(os.sep)[-4]
    prov = json.load(open(prov_path))
    config = json.load(open(os.path.join(runs, "runs/zoo-arms", arm, "config.json")))
    metrics = [json.loads(l) for l in open(os.path.join(runs, "runs/zoo-arms", arm, "metrics.jsonl")) if l.strip()]
    losses += [{"arm": arm, **m} for m in metrics]
    last = max((m for m in metrics if "wall_seconds" in m), key=lambda m: m["step"])
    rows.append({
        "arm": arm, "preset": prov["Preset"], "size": config["Model"]["InputSize"], "batch": config["Training"]["BatchSize"],
        "precision": config["Training"].get("Precision", "fp32"), "step": prov["Step"], "device": prov["Device"],
        "last_logged_step": last["step"], "wall_seconds_to_last_logged": last["wall_seconds"],
        "steps_per_s": round(last["step"] / last["wall_seconds"], 2), "judged": prov["Judged"], "judged_with": prov["JudgedWith"],
    })
with open(out, "w") as f:
    for r in rows: f.write(json.dumps(r) + "\n")
if loss_out:
    with open(loss_out, "w") as f:
        for r in losses: f.write(json.dumps(r) + "\n")
for r in rows:
    j = r["judged"]
    print(f'{r["arm"]}: step {r["step"]}, {r["steps_per_s"]} steps/s, FD {j["fd"]:.2f}, valid faces {j["structure_valid"]:.3f}, prompt accuracy {j["prompt_accuracy"]:.3f}')
