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


def gray_frames(path: str, vf: str, w: int, h: int) -> np.ndarray:
    """Every decoded frame through the filter `vf` (which must output w x h), as float32 grey (frames, h, w)."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-vf", vf, "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         capture_output=True, check=True).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w).astype(np.float32)


def _shift(a: np.ndarray, b: np.ndarray, window: np.ndarray) -> tuple[float, float]:
    """Sub-pixel translation from a to b by phase correlation with a parabolic peak fit."""
    fa, fb = np.fft.rfft2((a - a.mean()) * window), np.fft.rfft2((b - b.mean()) * window)
    cross = fa * np.conj(fb)
    r = np.fft.irfft2(cross / (np.abs(cross) + 1e-9), s=a.shape)
    y, x = np.unravel_index(np.argmax(r), r.shape)
    h, w = r.shape

    def fit(m1: float, m0: float, p1: float) -> float:
        d = m1 - 2 * m0 + p1
        return 0.0 if d == 0 else 0.5 * (m1 - p1) / d

    dy = y + fit(r[(y - 1) % h, x], r[y, x], r[(y + 1) % h, x])
    dx = x + fit(r[y, (x - 1) % w], r[y, x], r[y, (x + 1) % w])
    return (dx - w if dx > w / 2 else dx), (dy - h if dy > h / 2 else dy)


def pan_motion(path: str, size: int = 256, *, box: tuple[int, int, int, int] | None = None) -> tuple[float, float]:
    """(speed, jitter) in px/frame of the picture's centre (a size x size square, or `box`: x, y, width, height):
    jitter is the RMS of each frame-to-frame move minus its 5-frame moving average (a smooth pan gives < 0.2 px;
    one snapped to even pixels 0.5-1 px)."""
    info = stream(probe(path), "video")
    w, h = int(info["width"]), int(info["height"])
    x, y, bw, bh = box or ((w - size) // 2, (h - size) // 2, size, size)
    fr = gray_frames(path, f"crop={bw}:{bh}:{x}:{y}", bw, bh)
    window = np.outer(np.hanning(bh), np.hanning(bw)).astype(np.float32)
    moves = np.array([_shift(fr[i], fr[i + 1], window) for i in range(len(fr) - 1)])
    kernel = np.ones(5) / 5
    smooth = np.stack([np.convolve(moves[:, k], kernel, mode="same") for k in (0, 1)], axis=1)
    resid = (moves - smooth)[2:-2]
    total = _shift(fr[0], fr[-1], window)  # (per-frame estimates lean toward whole pixels; the total does not)
    return float(np.hypot(*total)) / (len(fr) - 1), float(np.sqrt((resid**2).sum(axis=1).mean()))


def frame_shifts(path: str, size: int = 512) -> np.ndarray:
    """(dx, dy) in px of the picture's centre (a size x size crop) from each frame to the next, (frames - 1, 2).
    Frames are streamed, so a long video needs no more memory than two of them."""
    info = stream(probe(path), "video")
    w, h = int(info["width"]), int(info["height"])
    cmd = ["ffmpeg", "-v", "error", "-i", path, "-vf", f"crop={size}:{size}:{(w - size) // 2}:{(h - size) // 2}",
           "-f", "rawvideo", "-pix_fmt", "gray", "-"]  # fmt: skip
    window = np.outer(np.hanning(size), np.hanning(size)).astype(np.float32)
    moves, previous = [], None
    with subprocess.Popen(cmd, stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        while len(chunk := proc.stdout.read(size * size)) == size * size:
            frame = np.frombuffer(chunk, np.uint8).reshape(size, size).astype(np.float32)
            if previous is not None:
                moves.append(_shift(previous, frame, window))
            previous = frame
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg could not decode {path} (exit code {proc.returncode})")
    return np.array(moves, dtype=np.float64).reshape(-1, 2)


def shift_jitter(moves: np.ndarray) -> float:
    """pan_motion's jitter for a run of frame-to-frame moves (at least 5): the RMS of each move minus its 5-frame
    moving average."""
    kernel = np.ones(5) / 5
    smooth = np.stack([np.convolve(moves[:, k], kernel, mode="same") for k in (0, 1)], axis=1)
    resid = (moves - smooth)[2:-2]
    return float(np.sqrt((resid**2).sum(axis=1).mean()))
