#!/usr/bin/env python3
"""Markdown tables of evaluations.csv and grids.csv (written by run.sh), clipped beside unclipped per checkpoint."""
import csv, os, sys

here = os.path.dirname(os.path.abspath(__file__))

def rows(name):
    with open(os.path.join(here, name)) as f:
        return list(csv.DictReader(f))

def by_step(rs):
    out = {}
    for r in rs:
        out.setdefault(int(r["step"]), {})[r["clip"]] = r
    return dict(sorted(out.items()))

ev = by_step(rows("evaluations.csv"))
n = {r["eval_samples"] for s in ev.values() for r in s.values()}
print(f"Evaluation ({', '.join(sorted(n))} class-balanced samples per row, seed 1234, `difflab evaluate`): clipped / unclipped\n")
print("| step | FD clipped | FD unclipped | class acc. clipped | class acc. unclipped | saturated noise clipped | saturated noise unclipped | pixels at ±1 clipped | pixels at ±1 unclipped |")
print("|---|---|---|---|---|---|---|---|---|")
for step, s in ev.items():
    c, u = s["true"], s["false"]
    print(f"| {step} | {float(c['fd']):.2f} | {float(u['fd']):.2f} | {float(c['class_accuracy']):.3f} | {float(u['class_accuracy']):.3f} "
          f"| {float(c['saturated_noise']):.3f} | {float(u['saturated_noise']):.3f} | {float(c['saturated_pixels']):.3f} | {float(u['saturated_pixels']):.3f} |")
gr = by_step(rows("grids.csv"))
print("\nSample grids (100 samples, 10 per class, seed 1, `difflab sample`): saturated-noise tiles\n")
print("| step | clipped | unclipped | grid clipped | grid unclipped |")
print("|---|---|---|---|---|")
for step, s in gr.items():
    c, u = s["true"], s["false"]
    print(f"| {step} | {c['saturated_noise_tiles']} of {c['tiles']} | {u['saturated_noise_tiles']} of {u['tiles']} "
          f"| ![](samples/step-{step:07d}-clip.png) | ![](samples/step-{step:07d}-noclip.png) |")
