"""Probing helpers for tests: streams, duration, a decoded frame, loudness."""

from __future__ import annotations

import json
import re
import subprocess

import numpy as np


def probe(path: str) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", path],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def stream(info: dict, kind: str) -> dict:
    return next(s for s in info["streams"] if s["codec_type"] == kind)


def frame_at(path: str, seconds: float) -> np.ndarray:
    """The decoded RGB frame at `seconds`, as an (h, w, 3) array."""
    info = stream(probe(path), "video")
    w, h = int(info["width"]), int(info["height"])
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{seconds:.3f}", "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.uint8).reshape(h, w, 3)


def mean_volume_db(path: str) -> float:
    err = subprocess.run(["ffmpeg", "-v", "info", "-i", path, "-af", "volumedetect", "-vn", "-f", "null", "-"],
                         capture_output=True, text=True).stderr  # fmt: skip
    match = re.search(r"mean_volume:\s*(-?[\d.]+|-inf) dB", err)
    assert match, err[-500:]
    return float("-inf") if match.group(1) == "-inf" else float(match.group(1))


def assert_video(path: str, *, width: int, height: int, shot_durations: list[float], tolerance: float = 0.05) -> dict:
    """H.264 + AAC at the size, lasting the sum of the shot durations (within `tolerance`), audible, and a frame
    taken in the middle of the first, a middle and the last shot that is not a single colour."""
    info = probe(path)
    video, audio = stream(info, "video"), stream(info, "audio")
    assert video["codec_name"] == "h264"
    assert audio["codec_name"] == "aac"
    assert (int(video["width"]), int(video["height"])) == (width, height)
    expected = sum(shot_durations)
    actual = float(info["format"]["duration"])
    assert abs(actual - expected) <= tolerance * expected, (actual, expected)
    assert mean_volume_db(path) > -45.0
    starts = [sum(shot_durations[:i]) for i in range(len(shot_durations))]
    for i in sorted({0, len(shot_durations) // 2, len(shot_durations) - 1}):
        frame = frame_at(path, starts[i] + shot_durations[i] / 2)
        assert frame.std() > 12, f"shot {i + 1}: the frame is (nearly) one colour"
        assert len(np.unique(frame.reshape(-1, 3)[::97], axis=0)) > 20, f"shot {i + 1}: too few colours"
    return info
