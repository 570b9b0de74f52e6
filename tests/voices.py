"""Measuring voiced lines for tests, independently of the code under test (which uses YIN): the fundamental
frequency by normalised autocorrelation on voiced frames, its spread in semitones, the pace and the level."""

from __future__ import annotations

import wave

import numpy as np


def samples(path: str) -> tuple[np.ndarray, int]:
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2, "16-bit PCM expected"
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768.0
        return data.reshape(-1, w.getnchannels()).mean(axis=1), w.getframerate()


def rms(path: str) -> float:
    """RMS level in 16-bit units (speech from these engines is in the thousands; silence is 0)."""
    data, _ = samples(path)
    return float(np.sqrt(np.mean(np.square(data * 32768.0)))) if data.size else 0.0


def f0_frames(path: str, fmin: float = 60.0, fmax: float = 500.0) -> np.ndarray:
    """F0 (Hz) of every voiced 40 ms frame (10 ms hop): the shortest-lag autocorrelation peak within 90 % of the
    highest, on the signal below 1.2 kHz; a frame is voiced when that peak is above 0.6 of its energy and it is not
    quiet."""
    data, rate = samples(path)
    spectrum = np.fft.rfft(data)
    spectrum[int(1200 * data.size / rate) :] = 0
    low = np.fft.irfft(spectrum, data.size)
    width, hop = int(0.04 * rate), int(0.01 * rate)
    lags = np.arange(int(rate / fmax), int(rate / fmin) + 1)
    level = np.sqrt(np.mean(low**2))
    found = []
    for start in range(0, low.size - width - lags[-1], hop):
        frame = low[start : start + width + lags[-1]]
        head = frame[:width]
        energy = float(head @ head)
        if energy <= 0 or np.sqrt(energy / width) < 0.3 * level:
            continue
        corr = np.array([head @ frame[lag : lag + width] for lag in lags])
        norm = corr / np.sqrt(energy * np.array([frame[lag : lag + width] @ frame[lag : lag + width] for lag in lags]))
        peaks = np.flatnonzero((norm[1:-1] >= norm[:-2]) & (norm[1:-1] >= norm[2:])) + 1  # not the lag range's ends
        if peaks.size == 0 or (best := float(norm[peaks].max())) < 0.6:
            continue
        i = int(peaks[norm[peaks] >= 0.9 * best][0])
        a, b, c = norm[i - 1], norm[i], norm[i + 1]
        shift = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c < 0 else 0.0
        found.append(rate / (lags[i] + shift))
    return np.asarray(found)


def median_f0(path: str) -> float:
    frames = f0_frames(path)
    assert frames.size >= 5, f"{path}: too few voiced frames to measure ({frames.size})"
    return float(np.median(frames))


def f0_spread(path: str) -> float:
    """How far the melody moves: the interquartile range of F0, in semitones (robust to a frame read an octave
    off)."""
    frames = f0_frames(path)
    low, high = np.percentile(frames, [25, 75])
    return float(12 * np.log2(high / low))


def semitones(a: float, b: float) -> float:
    return float(abs(12 * np.log2(a / b)))


def duration(path: str) -> float:
    data, rate = samples(path)
    return data.size / rate
