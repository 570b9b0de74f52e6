"""The `comicreel` console script: parse --json in the seed's shape, and render without a server."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO, SAMPLES
from tests.media import assert_video


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "studio.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=600
    )


def test_parse_json_prints_the_parsed_script() -> None:
    out = _cli("parse", str(SAMPLES / "confession.zh.txt"), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"scenes", "characters"} <= data.keys()
    assert data["scenes"][0]["shots"][1]["character"] == "小明"


def test_render_a_script_to_mp4(tmp_path) -> None:
    script = tmp_path / "s.txt"
    script.write_text("场景:公园,白天\n角色:阿福(男)\n旁白: 阳光很好。\n阿福(开心): 走吧!\n", encoding="utf-8")
    out = tmp_path / "out" / "video.mp4"
    result = _cli("render", str(script), "-o", str(out), "--aspect", "1:1", "--json")
    assert result.returncode == 0, result.stderr
    assert "rendering_video" in result.stderr  # the progress bar
    summary = json.loads(result.stdout)
    assert (summary["width"], summary["height"], len(summary["shots"])) == (1080, 1080, 2)
    srt = (tmp_path / "out" / "video.srt").read_text(encoding="utf-8")
    assert "走吧" in srt
    assert_video(
        str(out), width=1080, height=1080, shot_durations=[s["duration"] for s in summary["shots"]], tolerance=0.02
    )


def test_errors_are_reported_not_raised(tmp_path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("   ", encoding="utf-8")
    result = _cli("render", str(empty), "-o", str(tmp_path / "x.mp4"))
    assert result.returncode == 2 and "empty" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.mp4").exists()
    missing = _cli("parse", str(tmp_path / "nope.txt"))
    assert missing.returncode != 0 and "cannot read" in missing.stderr
