"""How fast the sketch renderer draws a 1080x1920 panel on one core: every shot of the sample scripts, in every
style, timed one by one (draw + PNG write, as the panel job does), with and without the motion comic's layers.

    .venv/bin/python bench/panels.py [--styles comic,anime] [--repeat 1]

The last line is `panel-bench seconds_per_panel=<mean>` (flat panels; the target is 0.3 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: no threaded numpy kernels either
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

from pipeline.image.base import PanelRequest  # noqa: E402
from pipeline.image.sketch import SketchImageBackend  # noqa: E402
from pipeline.models import STYLES  # noqa: E402
from pipeline.parse import parse_script  # noqa: E402
from pipeline.plan import plan_storyboard  # noqa: E402

TARGET = 0.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--styles", default=",".join(STYLES))
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    backend = SketchImageBackend()
    requests = []
    for path in sorted((ROOT / "tests" / "samples").iterdir()):
        parsed = parse_script(path.read_text(encoding="utf-8"), filename=path.name)
        cast = {c.name: c for c in parsed.characters}
        for style in args.styles.split(","):
            board = plan_storyboard(parsed)
            requests += [PanelRequest(shot=s, characters=cast, width=1080, height=1920, style=style, seed=s.order)
                         for s in board.shots]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        backend.draw(requests[0], f"{tmp}/warm.png")  # fonts and caches loaded
        flat, layered = [], []
        for _ in range(args.repeat):
            for n, request in enumerate(requests):
                t = time.perf_counter()
                backend.draw(request, f"{tmp}/{n}.png")
                flat.append(time.perf_counter() - t)
            for n, request in enumerate(requests[:: max(1, len(requests) // 24)]):
                t = time.perf_counter()
                backend.draw(replace(request, layers=True), f"{tmp}/l{n}.png")
                layered.append(time.perf_counter() - t)
    mean = statistics.fmean(flat)
    print(f"panels: {len(flat)} at 1080x1920 in {len(args.styles.split(','))} styles, one core")
    print(f"flat panel: mean {mean:.3f} s, median {statistics.median(flat):.3f} s, slowest {max(flat):.3f} s")
    print(f"with layers and sprites (motion comic): mean {statistics.fmean(layered):.3f} s")
    print(f"target {TARGET} s: {mean / TARGET:.2f}x of it")
    print(f"panel-bench seconds_per_panel={mean:.4f}")


if __name__ == "__main__":
    main()
