"""Mix the voice clips of a timeline into one track, placed at each shot's voice start."""

from __future__ import annotations

import wave

import numpy as np

from pipeline.errors import RenderError
from pipeline.models import Timeline

MIX_RATE = 44100


def read_wav_mono(path: str, rate: int = MIX_RATE) -> np.ndarray:
    """Read a 16-bit PCM WAV as float32 mono at `rate` (linear resampling)."""
    with wave.open(path, "rb") as wav:
        if wav.getsampwidth() != 2:
            raise RenderError(f"{path}: only 16-bit PCM WAV is supported, got {8 * wav.getsampwidth()}-bit.")
        channels, src_rate = wav.getnchannels(), wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    if src_rate != rate and samples.size:
        n_out = int(round(samples.size * rate / src_rate))
        samples = np.interp(np.linspace(0, samples.size - 1, n_out), np.arange(samples.size), samples).astype(
            np.float32
        )
    return samples


def mix_dialogue(timeline: Timeline, out_path: str, rate: int = MIX_RATE) -> str:
    """Write the dialogue track (mono 16-bit WAV, exactly the timeline's length) to `out_path`."""
    track = np.zeros(int(round(timeline.duration * rate)) + 1, dtype=np.float32)
    for shot in timeline.shots:
        if shot.voice is None:
            continue
        clip = read_wav_mono(shot.voice.path, rate)
        start = int(round((shot.start + shot.voice_offset) * rate))
        end = min(track.size, start + clip.size)
        track[start:end] += clip[: end - start]
    peak = float(np.abs(track).max()) if track.size else 0.0
    if peak > 0:
        track *= min(1.0, 0.89 / peak)  # about -1 dBFS at the loudest point, never boosted past it
    pcm = (np.clip(track, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(out_path, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    return out_path
