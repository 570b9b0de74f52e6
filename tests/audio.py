"""Measuring sound for tests, independently of the code under test: decoded samples, EBU R128 loudness and true
peak as ffmpeg's meter reads them, the level in a frequency band over a window, voice onsets, silences, and
synthetic voices, music and effects that each keep to their own band so that one can be measured under the others."""

from __future__ import annotations

import re
import subprocess
import wave
from pathlib import Path

import numpy as np

RATE = 48000
VOICE_BAND = (90.0, 1100.0)  # synthetic voices: harmonics of 110-200 Hz, up to the fifth
MUSIC_BAND = (2300.0, 3700.0)  # synthetic music: a chord of 2.5, 3.0 and 3.5 kHz
EFFECT_BAND = (5500.0, 9000.0)  # synthetic effect: noise between 6 and 8.5 kHz


def decode(path: str, rate: int = RATE) -> np.ndarray:
    """The sound of `path` (first audio stream) mixed to mono, as float32 at `rate`."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-map", "0:a:0", "-ac", "1", "-ar", str(rate),
                          "-f", "f32le", "-"], capture_output=True, check=True).stdout  # fmt: skip
    return np.frombuffer(raw, np.float32)


def loudness(path: str) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of `path` as `ffmpeg -af ebur128=peak=true` reads it."""
    err = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", path, "-map", "0:a:0", "-af", "ebur128=peak=true",
                          "-f", "null", "-"], capture_output=True, text=True).stderr  # fmt: skip
    summary = err[err.rfind("Summary:") :]
    integrated = re.search(r"I:\s*(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s*(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak, err[-800:]
    return float(integrated.group(1)), float(peak.group(1))


def band_db(x: np.ndarray, t0: float, t1: float, band: tuple[float, float], rate: int = RATE) -> float:
    """RMS level in dB of the part of x[t0:t1] between band[0] and band[1] Hz."""
    seg = x[int(t0 * rate) : int(t1 * rate)].astype(np.float64)
    spectrum = np.fft.rfft(seg * np.hanning(seg.size))
    freqs = np.fft.rfftfreq(seg.size, 1 / rate)
    power = np.sum(np.abs(spectrum[(freqs >= band[0]) & (freqs <= band[1])]) ** 2) / seg.size**2
    return 10 * np.log10(power + 1e-20)


def onsets(x: np.ndarray, rate: int = RATE, band: tuple[float, float] = VOICE_BAND, rise_db: float = 20.0,
           hop: float = 0.002) -> list[float]:  # fmt: skip
    """Times where the energy in `band` (10 ms windows every `hop` s) crosses `rise_db` under its loudest window
    after having been under it for at least 150 ms."""
    spec_win = int(0.01 * rate)
    step = int(hop * rate)
    starts = range(0, x.size - spec_win, step)
    freqs = np.fft.rfftfreq(spec_win, 1 / rate)
    keep = (freqs >= band[0]) & (freqs <= band[1])
    frames = np.stack([x[s : s + spec_win] for s in starts]) * np.hanning(spec_win)
    energy = 10 * np.log10(np.sum(np.abs(np.fft.rfft(frames, axis=1))[:, keep] ** 2, axis=1) + 1e-20)
    above = energy > energy.max() - rise_db
    found, quiet = [], int(0.15 / hop)
    for i in range(1, above.size):
        if above[i] and not above[max(0, i - quiet) : i].any():
            found.append((i * step + spec_win / 2) / rate)
    return found


def longest_silence(x: np.ndarray, rate: int = RATE, floor_db: float = -50.0) -> float:
    """Seconds of the longest run of 20 ms windows whose RMS is under `floor_db` dBFS."""
    win = int(0.02 * rate)
    frames = x[: x.size // win * win].reshape(-1, win)
    quiet = 20 * np.log10(np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1)) + 1e-12) < floor_db
    longest = run = 0
    for q in quiet:
        run = run + 1 if q else 0
        longest = max(longest, run)
    return longest * win / rate


def write_wav(path: Path, samples: np.ndarray, rate: int) -> str:
    """16-bit PCM WAV, mono for a 1-D array, stereo for (n, 2)."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1 if pcm.ndim == 1 else pcm.shape[1])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return str(path)


def synthetic_voice(path: Path, seconds: float, f0: float, rate: int = 22050, level: float = 0.25,
                    silent_start: float = 0.0) -> str:  # fmt: skip
    """A voice-like clip: harmonics of f0 (all within VOICE_BAND), syllables at 4 Hz, a sharp onset after
    `silent_start` seconds of digital silence (as some TTS engines leave)."""
    t = np.arange(int(seconds * rate)) / rate
    x = sum(np.sin(2 * np.pi * f0 * h * t) / h for h in range(1, 6))
    x *= 0.55 + 0.45 * np.abs(np.sin(2 * np.pi * 2 * t))
    x *= np.minimum(1, t / 0.005) * np.minimum(1, (seconds - t) / 0.02)
    x = np.concatenate([np.zeros(int(silent_start * rate)), level * x / np.abs(x).max()])
    return write_wav(path, x, rate)


def synthetic_music(path: Path, seconds: float, rate: int = 44100) -> str:
    """A stereo chord within MUSIC_BAND, slightly pulsing, with clicks-free ends (it is looped)."""
    t = np.arange(int(seconds * rate)) / rate
    x = sum(np.sin(2 * np.pi * f * t) for f in (2500.0, 3000.0, 3500.0)) * (0.8 + 0.2 * np.sin(2 * np.pi * t))
    x *= np.minimum(1, np.minimum(t, seconds - t) / 0.01)
    return write_wav(path, 0.2 * np.stack([x, 0.9 * x], axis=1), rate)


def synthetic_effect(path: Path, seconds: float = 0.4, rate: int = 44100, seed: int = 7) -> str:
    """A burst of noise within EFFECT_BAND that decays over `seconds`."""
    n = int(seconds * rate)
    spectrum = np.fft.rfft(np.random.default_rng(seed).normal(size=n))
    freqs = np.fft.rfftfreq(n, 1 / rate)
    spectrum[(freqs < 6000) | (freqs > 8500)] = 0
    x = np.fft.irfft(spectrum, n)
    x *= np.exp(-np.arange(n) / rate * 6) * np.minimum(1, np.arange(n) / (0.002 * rate))
    return write_wav(path, 0.5 * x / np.abs(x).max(), rate)


def srt_starts(path: str) -> list[float]:
    """The start time in seconds of every cue of an SRT file."""
    text = Path(path).read_text(encoding="utf-8")
    return [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000
            for h, m, s, ms in re.findall(r"(\d+):(\d\d):(\d\d),(\d{3}) -->", text)]  # fmt: skip
