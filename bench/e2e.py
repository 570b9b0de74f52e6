"""End-to-end benchmark: render the three sample scripts with the CLI's code path (studio.offline.render_offline,
the studio's own job bodies on a throwaway data directory).

Prints, per script, the video length, the wall time and their ratio; the last line is
`e2e-bench rtf=<total wall / total video seconds>` (below 1 means faster than real time).
Run: .venv/bin/python bench/e2e.py [--aspect 9:16] [--out bench/out]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.parse import detect_format  # noqa: E402
from studio.config import Settings  # noqa: E402
from studio.offline import render_offline  # noqa: E402

SAMPLES = ("confession.zh.txt", "night-market.zh.md", "lighthouse.en.fountain")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aspect", default="9:16", choices=["9:16", "16:9", "1:1"])
    parser.add_argument("--out", default=str(REPO / "bench" / "out"))
    args = parser.parse_args()
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"cpus={os.cpu_count()} aspect={args.aspect}")
    total_wall = total_video = 0.0
    for name in SAMPLES:
        text = (REPO / "tests" / "samples" / name).read_text(encoding="utf-8")
        start = time.perf_counter()
        done = render_offline(text, str(out_dir / f"{name}.mp4"), settings=Settings(_env_file=None),
                              aspect_ratio=args.aspect, fmt=detect_format(text, name))  # fmt: skip
        wall = time.perf_counter() - start
        video = done.duration
        total_wall += wall
        total_video += video
        print(
            f"{name:26} shots={len(done.shots):3d} video={video:6.2f}s wall={wall:6.2f}s ratio={wall / video:.3f}"
        )
    print(f"e2e-bench rtf={total_wall / total_video:.3f}")


if __name__ == "__main__":
    main()
