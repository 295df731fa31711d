#!/usr/bin/env python3
"""Rewrites committed results pages that embed plotly.js (gzip + base64, ~2 MB each, written by the old
PlotlyChart) to load the repository's one copy, results/assets/plotly.min.js, by a relative script path.

Only the embedded loader is removed and one <script src> added; the chart's data and layout stay byte for byte
what `difflab study run` wrote (regenerating them would need the studies' run folders, hours of training).
Pages written since use the shared asset directly (PlotlyChart.WritePage). Idempotent.

    python3 tools/share_plotly_asset.py            # every results/**/*.html
"""
import os, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ASSET = os.path.join(ROOT, "results", "assets", "plotly.min.js")
LOADER = re.compile(r"  if \(!window\.Plotly\) \{\n    if \(!window\.difflabPlotlyLoading\) \{\n.*?\n    \}\n    await window\.difflabPlotlyLoading;\n  \}\n", re.S)

def rewrite(path):
    html = open(path, encoding="utf-8").read()
    if not LOADER.search(html):
        return False
    rel = os.path.relpath(ASSET, os.path.dirname(path)).replace(os.sep, "/")
    html = LOADER.sub("", html, count=1)
    html = html.replace("</title></head>", f'</title>\n<script src="{rel}"></script></head>', 1)
    assert f'<script src="{rel}">' in html, f"{path}: no </title></head> to put the script after"
    tmp = path + ".tmp"
    open(tmp, "w", encoding="utf-8").write(html)
    os.replace(tmp, path)
    return True

if __name__ == "__main__":
    assert os.path.exists(ASSET), ASSET
    for dirpath, _, files in os.walk(os.path.join(ROOT, "results")):
        for f in sorted(files):
            if f.endswith(".html"):
                p = os.path.join(dirpath, f)
                before = os.path.getsize(p)
                if rewrite(p):
                    print(f"{os.path.relpath(p, ROOT)}: {before:,} -> {os.path.getsize(p):,} bytes")
