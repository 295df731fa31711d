#!/usr/bin/env python3
"""Writes results/foundation-smoke/README.md from the copied run files (metrics.jsonl, evaluation.json,
provenance.txt). Every number in the README comes from those files; nothing is typed by hand."""
import json
import pathlib

out = pathlib.Path(__file__).resolve().parents[2] / "results" / "foundation-smoke"
prov = dict(line.split(" ", 1) for line in (out / "provenance.txt").read_text().splitlines() if " " in line)
rows = []
for name, label in [("dit", "DiT-Tiny/4"), ("mdt", "MDT-Tiny/4"), ("mdtv2", "MDTv2-Tiny/4")]:
    metrics = [json.loads(l) for l in (out / name / "metrics.jsonl").read_text().splitlines() if l.strip()]
    train = [m for m in metrics if "loss" in m]
    ev = json.loads((out / name / "evaluation.json").read_text())
    cfg = json.loads((out / name / "config.json").read_text())
    first, last = train[0], train[-1]
    rows.append(f"| {label} | {cfg['Optimizer']['Name']} | {int(last['step'])} | {first['loss']:.4f} | {last['loss']:.4f} | "
                f"{(format(last['m_loss'], '.4f') if 'm_loss' in last else '–')} | {ev['fd']:.1f} | {ev['class_accuracy']:.3f} | {last['wall_seconds']:.0f} |")

text = f"""# Foundation smoke runs: tiny DiT, MDT and MDTv2 on MNIST-10k (CPU)

Produced by `bash experiments/foundation-smoke/run.sh --device cpu` (configs in
`experiments/foundation-smoke/`), then `python3 experiments/foundation-smoke/report.py` for this page.

- git revision: {prov.get('revision', '?')}
- date: {prov.get('date', '?')}
- device: {prov.get('device', '?')}
- wall time of the whole script: {prov.get('wall_seconds', '?')} s

What this shows: the three networks train end to end on 2 CPU cores (loss falls, a sample grid and an
FD are written). It is **not** a convergence comparison: 300 steps at batch 64 is far from
convergence, every model uses a learning rate of 1e-3 (the paper rates are 1e-4 to 5e-4) and one seed.
The convergence study is `experiments/convergence-mnist` (issue 3).

FD: Fréchet distance in the feature space of the committed MNIST classifier between 1,000 class-balanced
samples (DDIM, 50 steps, EMA weights, no guidance) and the 2,000 test digits (reference distances of
real digits and of noise: `src/DiffusionLab/Evaluation/Resources/README.md`). Class accuracy: the
classifier's agreement with the intended label (chance 0.1).

| model | optimizer | steps | first logged loss | final loss | final masked-branch loss | FD | class accuracy | training seconds |
|---|---|---|---|---|---|---|---|---|
""" + "\n".join(rows) + """

Training seconds are the trainer's own per-step clock; these runs shared the 2 cores with builds,
tests and a notebook run for most of their time (one was paused for 5 minutes mid-step), so they are
not a speed comparison: throughput is measured by `difflab bench` under `results/bench/`.

Per run: `config.json` (resolved), `metrics.jsonl`, `loss.png`, `samples.png` (100 samples from the EMA
weights; column k has label k), `evaluation.json`.
"""
(out / "README.md").write_text(text)
print(f"wrote {out / 'README.md'}")
