"""Synthesise the built-in music and sound-effect library (numpy, deterministic, no downloads) and its catalog.

    .venv/bin/python scripts/make_audio_assets.py        # writes assets_library/audio/{music,sfx}/*.ogg + catalog.json

Music: chord progressions per mood with bass, pads, an arpeggio or melody and drums where the mood has them, a
circular reverb and a gentle limiter. Each track is a whole number of cycles of its progression, and everything that
rings past the end (notes, reverb) is folded back onto the start, so the file loops without a seam: its last bar
leads into its first exactly as the progression leads into itself. Effects: envelopes, shaped noise, oscillators and
decaying resonances. Everything is CC0-1.0; the same numpy and ffmpeg give the same files.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import wave
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

SR = 44100
OUT = Path(__file__).resolve().parents[1] / "assets_library" / "audio"
LICENCE = {"id": "CC0-1.0", "source": "synthesised by scripts/make_audio_assets.py"}
MUSIC_BITRATE, SFX_BITRATE = "96k", "64k"
Array = np.ndarray

# -- synthesis toolkit -------------------------------------------------------------------------------------------


def hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def seconds(n: float) -> int:
    return int(round(n * SR))


@cache
def wavetable(shape: str, harmonics: int) -> Array:
    """One band-limited cycle (4097 points, the last equal to the first) of a waveform."""
    phase = np.arange(4096) / 4096 * 2 * np.pi
    k = np.arange(1, harmonics + 1)
    amps = {"saw": 1 / k, "square": np.where(k % 2 == 1, 1 / k, 0.0), "warm": 1 / k**2,
            "reed": np.where(k % 2 == 1, 1 / k, 0.45 / k)}[shape]  # fmt: skip
    wave_ = (amps[:, None] * np.sin(k[:, None] * phase[None, :])).sum(axis=0)
    wave_ /= np.abs(wave_).max()
    return np.append(wave_, wave_[0])


def osc(shape: str, freq: float, n: int, *, detune: float = 0.0, vibrato: tuple[float, float] = (0.0, 0.0),
        brightness: float = 1.0, phase0: float = 0.0) -> Array:  # fmt: skip
    """A band-limited oscillator: `detune` in cents, `vibrato` (rate Hz, depth as a fraction of the pitch)."""
    f = freq * 2 ** (detune / 1200)
    harmonics = max(1, min(40, int(brightness * 0.45 * SR / f), int(12000 / f)))
    table = wavetable(shape, harmonics)
    t = np.arange(n) / SR
    if vibrato[1]:
        phase = np.cumsum(f * (1 + vibrato[1] * np.sin(2 * np.pi * vibrato[0] * t))) / SR
    else:
        phase = f * t
    pos = ((phase + phase0) % 1.0) * 4096
    i = pos.astype(np.int64)
    frac = pos - i
    return table[i] * (1 - frac) + table[i + 1] * frac


def sine(freq: float | Array, n: int, phase0: float = 0.0) -> Array:
    """A sine; `freq` may be an array (a glide), integrated sample by sample."""
    if np.isscalar(freq):
        return np.sin(2 * np.pi * float(freq) * np.arange(n) / SR + phase0)  # type: ignore[arg-type]
    return np.sin(2 * np.pi * np.cumsum(np.asarray(freq)[:n]) / SR + phase0)


def adsr(hold: float, attack: float, decay: float, sustain: float, release: float) -> Array:
    """Attack, decay to `sustain` while the note is held for `hold` seconds, then an exponential release."""
    n_hold, n_rel = max(1, seconds(hold)), max(1, seconds(release))
    t = np.arange(n_hold) / SR
    held = np.where(t < attack, t / max(attack, 1e-4),
                    sustain + (1 - sustain) * np.exp(-np.maximum(t - attack, 0) / max(decay, 1e-4)))  # fmt: skip
    tail = held[-1] * np.exp(-np.arange(n_rel) / SR / (release / 4))
    return np.concatenate([held, tail])


def perc(n: int, decay: float, attack: float = 0.002) -> Array:
    t = np.arange(n) / SR
    return np.minimum(1.0, t / attack) * np.exp(-t / decay)


def noise(n: int, rng: np.random.Generator) -> Array:
    return rng.standard_normal(n)


def band(x: Array, low: float, high: float, slope: float = 0.15) -> Array:
    """Keep `low`..`high` Hz of `x` (FFT mask with soft edges)."""
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(x.size, 1 / SR)
    width_lo, width_hi = max(low * slope, 5.0), max(high * slope, 5.0)
    mask = np.clip((f - low + width_lo) / (2 * width_lo), 0, 1) * np.clip((high + width_hi - f) / (2 * width_hi), 0, 1)
    return np.fft.irfft(spec * mask, n=x.size)


def resonate(x: Array, modes: list[tuple[float, float, float]]) -> Array:
    """Ring `x` through decaying resonances (frequency Hz, decay s, gain): modal synthesis by FFT convolution."""
    length = x.size + seconds(max(d for _, d, _ in modes) * 5)
    t = np.arange(length) / SR
    ir = sum(g * np.sin(2 * np.pi * f * t) * np.exp(-t / d) for f, d, g in modes)
    out = np.fft.irfft(np.fft.rfft(x, length) * np.fft.rfft(ir, length), length)
    return out


def modes_hit(
    modes: list[tuple[float, float, float]], n: int, rng: np.random.Generator, strike: float = 0.002
) -> Array:
    """Struck resonances: each mode a decaying sine, excited by a short noise strike."""
    t = np.arange(n) / SR
    out = sum(g * np.sin(2 * np.pi * f * t + rng.uniform(0, 6.28)) * np.exp(-t / d) for f, d, g in modes)
    hit = noise(min(n, seconds(strike)), rng) * 0.3
    out = np.asarray(out, dtype=float)
    out[: hit.size] += hit
    return out * np.minimum(1.0, t / 0.0008)


def place(track: Array, start: int, sound: Array, gain: float = 1.0, pan: float = 0.0) -> None:
    """Add a mono sound to a stereo (n, 2) or mono track at `start`, panned (-1 left .. 1 right, constant power)."""
    end = min(track.shape[0], start + sound.size)
    if end <= start:
        return
    piece = sound[: end - start] * gain
    if track.ndim == 1:
        track[start:end] += piece
        return
    angle = (pan + 1) * np.pi / 4
    track[start:end, 0] += piece * np.cos(angle)
    track[start:end, 1] += piece * np.sin(angle)


def fade(x: Array, fade_in: float = 0.003, fade_out: float = 0.02) -> Array:
    n_in, n_out = max(1, seconds(fade_in)), max(1, seconds(fade_out))
    x = x.copy()
    x[:n_in] *= np.linspace(0, 1, n_in)
    x[-n_out:] *= np.linspace(1, 0, n_out)
    return x


# -- instruments ---------------------------------------------------------------------------------------------


def pad(freq: float, hold: float, shape: str = "saw", bright: float = 0.25, attack: float = 0.6) -> Array:
    env = adsr(hold, attack, 0.8, 0.8, 1.4)
    n = env.size
    voices = [osc(shape, freq, n, detune=d, brightness=bright, phase0=p) for d, p in ((-7, 0.0), (6, 0.37), (0, 0.71))]
    return sum(voices) / 3 * env  # type: ignore[return-value]


def strings(freq: float, hold: float, attack: float = 0.12) -> Array:
    env = adsr(hold, attack, 0.3, 0.85, 0.35)
    n = env.size
    return (osc("saw", freq, n, vibrato=(5.2, 0.003), brightness=0.3)
            + osc("saw", freq, n, detune=5, vibrato=(4.7, 0.003), brightness=0.3, phase0=0.5)) / 2 * env  # fmt: skip


def brass(freq: float, hold: float) -> Array:
    env = adsr(hold, 0.06, 0.25, 0.8, 0.25)
    n = env.size
    bright = osc("saw", freq, n, vibrato=(5.0, 0.002), brightness=0.5)
    dull = osc("saw", freq, n, brightness=0.12)
    swell = np.exp(-np.arange(n) / SR / 0.15)  # brighter at the attack, as brass is
    return (dull * (1 - swell) + bright * swell * 0.8 + bright * 0.2) * env


def pluck(freq: float, dur: float, decay: float = 0.9, partials: int = 8) -> Array:
    n = seconds(min(dur + 0.5, 2.5))
    t = np.arange(n) / SR
    out = sum((1 / k**1.3) * np.sin(2 * np.pi * k * freq * t) * np.exp(-t * (1 + 0.7 * (k - 1)) / decay)
              for k in range(1, partials + 1) if k * freq < 15000)  # fmt: skip
    release = np.clip((dur + 0.5 - t) / 0.5, 0, 1)
    return np.asarray(out) * np.minimum(1.0, t / 0.002) * release


def epiano(freq: float, dur: float) -> Array:
    n = seconds(min(dur + 0.8, 3.0))
    t = np.arange(n) / SR
    index = 1.6 * np.exp(-t / 0.35) + 0.15
    tone = np.sin(2 * np.pi * freq * t + index * np.sin(2 * np.pi * freq * t))
    tine = 0.12 * np.sin(2 * np.pi * freq * 14 * t) * np.exp(-t / 0.05)
    release = np.clip((dur + 0.8 - t) / 0.8, 0, 1)
    return (tone + tine) * np.exp(-t / 1.6) * np.minimum(1.0, t / 0.003) * release


def bell(freq: float, dur: float = 2.5, ratio: float = 3.5) -> Array:
    n = seconds(dur)
    t = np.arange(n) / SR
    index = 2.5 * np.exp(-t / 0.6)
    return np.sin(2 * np.pi * freq * t + index * np.sin(2 * np.pi * freq * ratio * t)) * perc(n, dur / 3)


def marimba(freq: float, dur: float) -> Array:
    n = seconds(0.9)
    t = np.arange(n) / SR
    return (np.sin(2 * np.pi * freq * t) * np.exp(-t / 0.35) + 0.35 * np.sin(2 * np.pi * 4 * freq * t)
            * np.exp(-t / 0.06)) * np.minimum(1.0, t / 0.001)  # fmt: skip


def flute(freq: float, hold: float, rng: np.random.Generator) -> Array:
    env = adsr(hold, 0.07, 0.2, 0.85, 0.2)
    n = env.size
    tone = osc("warm", freq, n, vibrato=(5.0, 0.004), brightness=0.15)
    breath = band(noise(n, rng), freq, freq * 4) * 0.06
    return (tone + breath) * env


def whistle(freq: float, hold: float) -> Array:
    env = adsr(hold, 0.02, 0.1, 0.8, 0.08)
    return osc("square", freq, env.size, vibrato=(6.0, 0.006), brightness=0.06) * env


def bass(freq: float, hold: float, shape: str = "warm") -> Array:
    env = adsr(hold, 0.008, 0.25, 0.7, 0.08)
    n = env.size
    body = np.sin(2 * np.pi * freq * np.arange(n) / SR) + 0.45 * osc(shape, freq, n, brightness=0.08)
    return np.tanh(1.4 * body) * env


def tuba(freq: float, hold: float) -> Array:
    env = adsr(hold, 0.03, 0.12, 0.6, 0.06)
    return np.tanh(1.6 * osc("reed", freq, env.size, brightness=0.05)) * env


# -- drums (made once per track) ---------------------------------------------------------------------------------


def drum_kit(rng: np.random.Generator) -> dict[str, Array]:
    def kick() -> Array:
        n = seconds(0.45)
        t = np.arange(n) / SR
        body = sine(48 + 110 * np.exp(-t / 0.035), n) * np.exp(-t / 0.22)
        click = band(noise(n, rng), 1500, 6000) * np.exp(-t / 0.004) * 0.4
        return np.tanh(1.5 * (body + click))

    def snare() -> Array:
        n = seconds(0.35)
        t = np.arange(n) / SR
        return (0.55 * sine(190, n) * np.exp(-t / 0.06)
                + band(noise(n, rng), 1200, 9000) * np.exp(-t / 0.1) * 0.35)  # fmt: skip

    def hat(decay: float) -> Array:
        n = seconds(decay * 6)
        return band(noise(n, rng), 6500, 15000) * perc(n, decay) * 0.5

    def clap() -> Array:
        n = seconds(0.3)
        t = np.arange(n) / SR
        bursts = sum(np.exp(-np.maximum(t - d, 0) / 0.006) * (t >= d) for d in (0.0, 0.011, 0.023))
        tail = 0.6 * np.exp(-np.maximum(t - 0.03, 0) / 0.08) * (t >= 0.03)
        return band(noise(n, rng), 900, 4000) * (bursts + tail) * 0.35

    def tom(freq: float, decay: float) -> Array:
        n = seconds(decay * 4)
        t = np.arange(n) / SR
        return (sine(freq * (1 + 0.6 * np.exp(-t / 0.05)), n) * np.exp(-t / decay)
                + band(noise(n, rng), 100, 1500) * np.exp(-t / 0.04) * 0.3)  # fmt: skip

    def shaker() -> Array:
        n = seconds(0.12)
        t = np.arange(n) / SR
        return band(noise(n, rng), 4000, 11000) * np.minimum(1, t / 0.02) * np.exp(-t / 0.035) * 0.35

    def cymbal() -> Array:
        n = seconds(2.5)
        return band(noise(n, rng), 3000, 16000) * perc(n, 0.7, 0.003) * 0.35

    def tick() -> Array:
        return modes_hit([(2600, 0.015, 1.0), (5200, 0.008, 0.4)], seconds(0.08), rng) * 0.5

    return {"kick": kick(), "snare": snare(), "hat": hat(0.025), "open_hat": hat(0.14), "clap": clap(),
            "tom_low": tom(95, 0.3), "tom_high": tom(150, 0.22), "taiko": tom(62, 0.55), "shaker": shaker(),
            "cymbal": cymbal(), "rim": modes_hit([(1750, 0.02, 1.0), (820, 0.03, 0.6)], seconds(0.1), rng) * 0.6,
            "woodblock": modes_hit([(920, 0.045, 1.0), (2450, 0.02, 0.35)], seconds(0.15), rng) * 0.8,
            "tick": tick(),
            "snap": band(noise(seconds(0.08), rng), 1800, 7000) * perc(seconds(0.08), 0.012) * 0.6}  # fmt: skip


# Sixteen steps to a 4/4 bar (twelve to a 3/4 bar): drum -> (steps, gain).
DRUMS: dict[str, dict[str, tuple[list[int], float]]] = {
    "pop": {"kick": ([0, 6, 8], 0.9), "snare": ([4, 12], 0.6), "hat": ([0, 2, 4, 6, 8, 10, 12, 14], 0.35),
            "open_hat": ([14], 0.2)},
    "pop_clap": {"kick": ([0, 8, 10], 0.9), "clap": ([4, 12], 0.55), "shaker": (list(range(0, 16, 2)), 0.4)},
    "drive": {"kick": ([0, 3, 6, 8, 11, 14], 0.85), "hat": (list(range(16)), 0.22), "clap": ([12], 0.4),
              "tom_low": ([15], 0.5)},
    "tick": {"tick": ([0, 4, 8, 12], 0.5), "kick": ([0, 10], 0.55), "tom_low": ([14], 0.35)},
    "soft": {"kick": ([0, 10], 0.5), "rim": ([4, 12], 0.4), "shaker": (list(range(0, 16, 2)), 0.22)},
    "waltz": {"kick": ([0], 0.45), "shaker": ([4, 8], 0.25)},
    "taiko": {"taiko": ([0, 6, 8, 11, 14], 0.95), "tom_high": ([4, 12], 0.55), "snare": ([12], 0.35)},
    "war": {"taiko": ([0, 3, 8, 10], 1.0), "tom_low": ([6, 14], 0.6), "cymbal": ([0], 0.25)},
    "oompah": {"kick": ([0, 8], 0.6), "snare": ([4, 12], 0.35), "woodblock": ([2, 10], 0.4)},
    "sneak": {"snap": ([4, 12], 0.55), "hat": ([2, 6, 10, 14], 0.2), "kick": ([0, 8], 0.45)},
}

# -- composition ---------------------------------------------------------------------------------------------------

QUALITIES = {"maj": (0, 4, 7), "min": (0, 3, 7), "maj7": (0, 4, 7, 11), "min7": (0, 3, 7, 10), "dom7": (0, 4, 7, 10),
             "sus2": (0, 2, 7), "sus4": (0, 5, 7), "add9": (0, 4, 7, 14), "madd9": (0, 3, 7, 14), "dim": (0, 3, 6),
             "aug": (0, 4, 8), "min6": (0, 3, 7, 9), "7b9": (0, 4, 7, 10, 13)}  # fmt: skip
SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10), "harmonic": (0, 2, 3, 5, 7, 8, 11),
          "penta": (0, 2, 4, 7, 9), "penta_minor": (0, 3, 5, 7, 10), "phrygian": (0, 1, 3, 5, 7, 8, 10),
          "dorian": (0, 2, 3, 5, 7, 9, 10)}  # fmt: skip
NOTE_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")


@dataclass(frozen=True)
class Track:
    id: str
    name_zh: str
    name_en: str
    mood: str
    key: int  # the tonic as a MIDI note in the bass octave (36-47)
    scale: str
    bpm: float
    chords: tuple[tuple[int, str], ...]  # (semitones above the key, quality), one per `bars_per_chord` bars
    cycles: int
    lead: str  # the melody's instrument, or "" for none
    arp: str  # pluck, epiano, marimba, bell, strings, pizz, or ""
    arp_pattern: str  # up8, updown16, broken8, waltz, stabs, ostinato16
    bass_style: str  # whole, eighths, root5, pulse16, octaves, oompah, walk
    pad_shape: str  # saw, warm, square, or "" for none
    drums: str = ""
    beats_per_bar: int = 4
    bars_per_chord: int = 1
    reverb: float = 0.25
    tags_zh: tuple[str, ...] = ()
    tags_en: tuple[str, ...] = ()
    moods: dict[str, float] = field(default_factory=dict)  # how well it also suits other moods (0-1)
    melody_scale: str = ""
    seed: int = 0

    @property
    def beats(self) -> int:
        return len(self.chords) * self.bars_per_chord * self.beats_per_bar * self.cycles

    @property
    def duration(self) -> float:
        return self.beats * 60 / self.bpm

    def chord_names(self) -> list[str]:
        names = {"maj": "", "min": "m", "maj7": "maj7", "min7": "m7", "dom7": "7", "sus2": "sus2", "sus4": "sus4",
                 "add9": "add9", "madd9": "m(add9)", "dim": "dim", "aug": "+", "min6": "m6", "7b9": "7b9"}  # fmt: skip
        return [NOTE_NAMES[(self.key + r) % 12] + names[q] for r, q in self.chords]


def voicing(root: int, quality: str, previous: list[int] | None, low: int = 53, high: int = 74) -> list[int]:
    """The chord's notes between `low` and `high`, as close as can be to the previous chord (smooth voice leading)."""
    pcs = sorted({(root + i) % 12 for i in QUALITIES[quality]})
    options = []
    for start in range(low, low + 12):
        notes, base = [], start
        for pc in sorted(pcs, key=lambda p: (p - start) % 12):
            notes.append(base + (pc - base) % 12)
            base = notes[-1]
        if notes[-1] <= high + 2:
            options.append(notes)
    if previous is None:
        return min(options, key=lambda v: abs(sum(v) / len(v) - 63))
    center = sum(previous) / len(previous)
    return min(options, key=lambda v: sum(min(abs(n - p) for p in previous) for n in v) + abs(sum(v) / len(v) - center))


# Rhythms of one bar of melody, in beats, by beats to the bar.
RHYTHMS: dict[int, list[list[float]]] = {
    4: [[1, 1, 1, 1], [1.5, 0.5, 1, 1], [2, 1, 1], [1, 0.5, 0.5, 2], [0.5, 0.5, 1, 2], [3, 1]],
    3: [[1, 1, 1], [2, 1], [1.5, 0.5, 1], [3]],
}


def melody(track: Track, rng: np.random.Generator) -> list[tuple[float, float, int]]:
    """One cycle's tune: (beat, length in beats, MIDI note); chord tones on strong beats, steps between."""
    scale = SCALES[track.melody_scale or track.scale]
    tonic = track.key + 36  # two octaves above the bass
    span = [m for m in range(tonic - 3, tonic + 17) if (m - track.key) % 12 in scale]
    rhythms = RHYTHMS[track.beats_per_bar]
    notes: list[tuple[float, float, int]] = []
    previous = tonic + 4
    motif: list[list[float]] = [rhythms[int(rng.integers(len(rhythms)))] for _ in range(2)]
    for c, (root, quality) in enumerate(track.chords):
        chord_pcs = {(track.key + root + i) % 12 for i in QUALITIES[quality]}
        for bar in range(track.bars_per_chord):
            beat = (c * track.bars_per_chord + bar) * track.beats_per_bar
            rhythm = motif[(c * track.bars_per_chord + bar) % 2]
            last_bar = c == len(track.chords) - 1 and bar == track.bars_per_chord - 1
            if last_bar:
                rhythm = [float(track.beats_per_bar)]  # a held note closes the phrase
            pos = 0.0
            for length in rhythm:
                strong = pos % 2 == 0
                pool = [m for m in span if (m % 12) in chord_pcs] if strong or last_bar else span
                weights = np.exp(-np.abs(np.array(pool) - previous) / 2.2)
                weights[np.array(pool) == previous] *= 0.35  # move more often than repeat
                note = int(rng.choice(pool, p=weights / weights.sum()))
                if rng.random() > 0.12 or strong:
                    notes.append((beat + pos, length, note))
                    previous = note
                pos += length
    return notes


def render_track(track: Track) -> Array:
    rng = np.random.default_rng(track.seed)
    beat = 60 / track.bpm
    n = seconds(track.duration)
    tail = seconds(4.0)
    mix = np.zeros((n + tail, 2))
    kit = drum_kit(rng)
    tune = melody(track, rng)
    chord_beats = track.bars_per_chord * track.beats_per_bar
    cycle_beats = chord_beats * len(track.chords)

    def at(b: float) -> int:
        return seconds(b * beat)

    for cycle in range(track.cycles):
        intro = cycle == 0 and track.cycles > 2
        previous: list[int] | None = None
        for c, (root, quality) in enumerate(track.chords):
            start = cycle * cycle_beats + c * chord_beats
            chord = voicing(track.key + root, quality, previous)
            previous = chord
            if track.pad_shape:
                for note in chord:
                    place(mix, at(start), pad(hz(note), chord_beats * beat * 0.98, track.pad_shape), 0.11,
                          pan=(note - 63) / 14)
            _bass(mix, track, track.key + root, quality, start, chord_beats, at, beat)
            _arp(mix, track, chord, start, chord_beats, at, beat, rng)
            if track.drums and not intro:
                _drums(mix, track, kit, start, at)
        if track.lead and not intro:
            for b, length, note in tune:
                _lead(mix, track, note, at(cycle * cycle_beats + b), length * beat, rng)
    # Everything that rings past the end belongs to the start: the file loops without a seam.
    mix[:tail] += mix[n:]
    mix = mix[:n]
    return master(add_reverb(mix, track.reverb, rng))


def _bass(mix: Array, track: Track, root: int, quality: str, start: float, beats: int, at: Callable[[float], int],
          beat: float) -> None:  # fmt: skip
    fifth = root + 7
    third = root + QUALITIES[quality][1]
    plan: list[tuple[float, float, int]] = []
    if track.bass_style == "whole":
        plan = [(0, beats * 0.95, root)]
    elif track.bass_style == "eighths":
        plan = [(i / 2, 0.42, root if i % 8 != 7 else fifth) for i in range(beats * 2)]
    elif track.bass_style == "root5":
        plan = [(i, 0.9, root if i % 2 == 0 else fifth) for i in range(beats)]
    elif track.bass_style == "pulse16":
        plan = [(i / 4, 0.2, root if i % 16 != 14 else root + 12) for i in range(beats * 4)]
    elif track.bass_style == "octaves":
        plan = [(i / 2, 0.45, root if i % 2 == 0 else root + 12) for i in range(beats * 2)]
    elif track.bass_style == "oompah":
        plan = [(i, 0.4, root if i % 4 < 2 else fifth) for i in range(0, beats, 2)]
    elif track.bass_style == "walk":
        steps = [root, third, fifth, root + 10 if "7" in quality else fifth + 2]
        plan = [(i, 0.5, steps[i % 4]) for i in range(beats)]
    elif track.bass_style == "waltz":
        plan = [(i, 0.9, root if (i // 3) % 2 == 0 else fifth) for i in range(0, beats, 3)]
    voice = tuba if track.mood == "comedic" and track.bass_style == "oompah" else bass
    for b, length, note in plan:
        place(mix, at(start + b), voice(hz(note), length * beat), 0.32)


def _arp(mix: Array, track: Track, chord: list[int], start: float, beats: int, at: Callable[[float], int],
         beat: float, rng: np.random.Generator) -> None:  # fmt: skip
    if not track.arp:
        return
    up = chord + [chord[0] + 12]
    pattern = track.arp_pattern
    if pattern == "up8":
        plan = [(i / 2, 0.5, up[i % len(up)] + 12) for i in range(beats * 2)]
    elif pattern == "updown16":
        order = up + up[-2:0:-1]
        plan = [(i / 4, 0.25, order[i % len(order)] + 12) for i in range(beats * 4)]
    elif pattern == "broken8":
        order = [chord[0], chord[2 % len(chord)], chord[1], chord[-1]]
        plan = [(i / 2, 0.5, order[i % len(order)]) for i in range(beats * 2)]
    elif pattern == "waltz":
        plan = [(i + k, 0.8, note) for i in range(0, beats, 3) for k in (1, 2) for note in chord]
    elif pattern == "stabs":
        plan = [(i + 0.5, 0.3, note) for i in range(beats) for note in chord]
    elif pattern == "ostinato16":
        order = [chord[0] + 12, chord[0] + 12, chord[1] + 12, chord[0] + 12]
        plan = [(i / 4, 0.2, order[i % 4]) for i in range(beats * 4)]
    elif pattern == "sparse":
        plan = [(float(i), 2.0, up[int(rng.integers(len(up)))] + 12) for i in range(0, beats, 2)]
    else:
        raise ValueError(f"unknown arpeggio pattern {pattern!r}")
    gain = 0.1 if pattern in ("waltz", "stabs") else 0.16
    for b, length, note in plan:
        pan = float(np.clip((note - 66) / 12, -0.8, 0.8))
        place(mix, at(start + b), _instrument(track.arp, hz(note), length * beat, rng), gain, pan)


def _instrument(name: str, freq: float, dur: float, rng: np.random.Generator) -> Array:
    if name == "pluck":
        return pluck(freq, dur)
    if name == "pizz":
        return pluck(freq, min(dur, 0.15), decay=0.25, partials=5)
    if name == "epiano":
        return epiano(freq, dur)
    if name == "marimba":
        return marimba(freq, dur)
    if name == "bell":
        return bell(freq, 2.0) * 0.6
    if name == "strings":
        return strings(freq, dur, attack=0.02) * 0.8
    if name == "flute":
        return flute(freq, dur, rng)
    if name == "whistle":
        return whistle(freq, dur)
    if name == "brass":
        return brass(freq, dur)
    raise ValueError(f"unknown instrument {name!r}")


def _lead(mix: Array, track: Track, note: int, start: int, dur: float, rng: np.random.Generator) -> None:
    sound = _instrument(track.lead, hz(note), dur * 0.95, rng)
    gain = {"bell": 0.22, "pluck": 0.26, "pizz": 0.3, "marimba": 0.3, "epiano": 0.22}.get(track.lead, 0.17)
    place(mix, start, sound, gain, pan=0.1)


def _drums(mix: Array, track: Track, kit: dict[str, Array], start: float, at: Callable[[float], int]) -> None:
    steps_per_beat = 4
    for bar in range(track.bars_per_chord):
        bar_start = start + bar * track.beats_per_bar
        for drum, (steps, gain) in DRUMS[track.drums].items():
            for step in steps:
                if step < track.beats_per_bar * steps_per_beat:
                    place(mix, at(bar_start + step / steps_per_beat), kit[drum], gain,
                          pan={"hat": 0.3, "shaker": -0.3, "tom_high": 0.35, "tom_low": -0.3}.get(drum, 0.0))


def add_reverb(mix: Array, amount: float, rng: np.random.Generator, seconds_: float = 2.2) -> Array:
    """A hall: decaying noise, different per side, convolved circularly (the tail wraps onto the start)."""
    n = mix.shape[0]
    length = seconds(seconds_)
    t = np.arange(length) / SR
    mono = mix.mean(axis=1)
    out = mix.copy()
    spec = np.fft.rfft(mono)
    for ch in range(2):
        ir = band(noise(length, rng), 200, 7000) * np.exp(-t / (seconds_ / 6.9))
        ir[: seconds(0.02)] = 0  # pre-delay
        ir /= np.sqrt((ir**2).sum())
        out[:, ch] += amount * np.fft.irfft(spec * np.fft.rfft(ir, n), n)
    return out


def master(mix: Array, target_rms: float = 0.14, ceiling: float = 0.89) -> Array:
    """Level to a steady loudness, then a gentle look-ahead limiter (computed around the loop) and a final ceiling."""
    mix = mix - mix.mean(axis=0)
    mix *= target_rms / max(np.sqrt((mix**2).mean()), 1e-9)
    block = 256
    n = mix.shape[0]
    blocks = -(-n // block)
    padded = np.concatenate([np.abs(mix).max(axis=1), np.abs(mix[: blocks * block - n]).max(axis=1)])
    peaks = padded.reshape(blocks, block).max(axis=1)
    need = np.minimum(1.0, (ceiling * 0.9) / np.maximum(peaks, 1e-9))
    width = 12  # ~70 ms either side
    floor = np.min([np.roll(need, k) for k in range(-width, width + 1)], axis=0)
    gain = np.mean([np.roll(floor, k) for k in range(-width, width + 1)], axis=0)
    centers = np.arange(blocks) * block + block / 2
    per_sample = np.interp(np.arange(n), centers, gain, period=blocks * block)
    mix = mix * per_sample[:, None]
    peak = np.abs(mix).max()
    return mix * (ceiling / peak) if peak > ceiling else mix


# -- the music -------------------------------------------------------------------------------------------------------

# Each mood's words, as the music is tagged (the first of each list is the mood's name in that language).
M = {
    "happy": (("欢快", "开心", "愉快", "阳光", "轻快", "活泼"),
              ("happy", "cheerful", "upbeat", "bright", "joyful", "sunny")),
    "sad": (("悲伤", "伤心", "忧伤", "难过", "思念", "离别"),
            ("sad", "melancholy", "sorrow", "lonely", "grief", "farewell")),
    "tense": (("紧张", "悬疑", "危机", "追逐", "不安", "倒计时"),
              ("tense", "suspense", "danger", "chase", "urgent", "thriller")),
    "romantic": (("浪漫", "爱情", "温柔", "甜蜜", "告白", "心动"),
                 ("romantic", "love", "tender", "sweet", "confession", "warm")),
    "epic": (("史诗", "热血", "壮阔", "战斗", "英雄", "激昂"),
             ("epic", "heroic", "battle", "grand", "triumphant", "cinematic")),
    "calm": (("平静", "安静", "舒缓", "放松", "治愈", "日常"),
             ("calm", "peaceful", "relaxing", "gentle", "soothing", "everyday")),
    "comedic": (("搞笑", "滑稽", "幽默", "调皮", "轻松", "喜剧"),
                ("comedic", "funny", "silly", "playful", "quirky", "comedy")),
    "mysterious": (("神秘", "诡异", "悬念", "夜晚", "奇幻", "未知"),
                   ("mysterious", "eerie", "mystery", "night", "magical", "unknown")),
}  # fmt: skip


def _track(id_: str, zh: str, en: str, mood: str, extra_zh: tuple[str, ...], extra_en: tuple[str, ...],
           **kw: object) -> Track:  # fmt: skip
    zh_tags, en_tags = M[mood]
    return Track(id=id_, name_zh=zh, name_en=en, mood=mood, tags_zh=zh_tags + extra_zh, tags_en=en_tags + extra_en,
                 **kw)  # type: ignore[arg-type]  # fmt: skip


TRACKS: tuple[Track, ...] = (
    _track("happy-sunny-steps", "阳光小步", "Sunny Steps", "happy", ("校园", "早晨"), ("school", "morning"),
           key=36, scale="major", bpm=118, chords=((0, "maj"), (7, "maj"), (9, "min"), (5, "maj")), cycles=5,
           lead="pluck", arp="marimba", arp_pattern="up8", bass_style="eighths", pad_shape="warm", drums="pop",
           moods={"comedic": 0.4, "calm": 0.2, "romantic": 0.2}, seed=11),
    _track("happy-picnic-parade", "野餐进行曲", "Picnic Parade", "happy", ("郊游", "朋友"), ("picnic", "friends"),
           key=43, scale="major", bpm=116, chords=((0, "maj"), (9, "min"), (5, "maj"), (7, "maj")), cycles=5,
           lead="whistle", arp="pluck", arp_pattern="stabs", bass_style="root5", pad_shape="warm", drums="pop_clap",
           moods={"comedic": 0.5, "epic": 0.1}, seed=12, bars_per_chord=1),
    _track("sad-rainy-window", "雨窗", "Rainy Window", "sad", ("雨天", "回忆"), ("rain", "memories"),
           key=45, scale="minor", bpm=66, chords=((0, "min"), (8, "maj7"), (3, "maj"), (10, "maj")), cycles=3,
           lead="epiano", arp="epiano", arp_pattern="broken8", bass_style="whole", pad_shape="warm", reverb=0.4,
           moods={"calm": 0.4, "romantic": 0.3, "mysterious": 0.2}, seed=21),
    _track("sad-letters-unsent", "未寄出的信", "Letters Unsent", "sad", ("遗憾", "独白"), ("regret", "monologue"),
           key=38, scale="minor", bpm=70, chords=((0, "min"), (10, "maj"), (3, "maj"), (7, "dom7")), cycles=3,
           lead="flute", arp="pluck", arp_pattern="up8", bass_style="whole", pad_shape="saw", reverb=0.4,
           moods={"romantic": 0.3, "calm": 0.3}, seed=22),
    _track("tense-pursuit", "追踪", "Pursuit", "tense", ("动作", "逃跑"), ("action", "escape"),
           key=40, scale="harmonic", bpm=132, chords=((0, "min"), (0, "min"), (8, "maj"), (11, "dom7")), cycles=6,
           lead="", arp="strings", arp_pattern="ostinato16", bass_style="pulse16", pad_shape="saw", drums="drive",
           moods={"epic": 0.5, "mysterious": 0.2}, seed=31, reverb=0.2),
    _track("tense-ticking-clock", "倒计时", "Ticking Clock", "tense", ("时间", "危险"), ("clock", "countdown"),
           key=36, scale="phrygian", bpm=92, chords=((0, "min"), (8, "maj"), (0, "min"), (1, "maj")), cycles=4,
           lead="", arp="pizz", arp_pattern="ostinato16", bass_style="eighths", pad_shape="saw", drums="tick",
           moods={"mysterious": 0.5}, seed=32, reverb=0.25),
    _track("romantic-first-confession", "初次告白", "First Confession", "romantic", ("表白", "约会", "喜欢"),
           ("first love", "date", "crush"),
           key=41, scale="major", bpm=70, chords=((0, "maj7"), (9, "min7"), (5, "maj7"), (7, "sus4")), cycles=3,
           lead="bell", arp="epiano", arp_pattern="broken8", bass_style="whole", pad_shape="warm", drums="soft",
           moods={"calm": 0.5, "happy": 0.3, "sad": 0.2}, seed=41, reverb=0.35),
    _track("romantic-moonlight-waltz", "月光华尔兹", "Moonlight Waltz", "romantic", ("舞会", "月光", "爱"),
           ("waltz", "moonlight", "dance"),
           key=39, scale="major", bpm=138, chords=((0, "maj"), (9, "min"), (5, "maj"), (7, "dom7")), cycles=4,
           lead="strings", arp="pluck", arp_pattern="waltz", bass_style="waltz", pad_shape="warm", drums="waltz",
           beats_per_bar=3, bars_per_chord=2, moods={"calm": 0.3, "happy": 0.3}, seed=42, reverb=0.35),
    _track("epic-rise-of-heroes", "英雄崛起", "Rise of Heroes", "epic", ("决战", "胜利"), ("final battle", "victory"),
           key=38, scale="minor", bpm=90, chords=((0, "min"), (8, "maj"), (3, "maj"), (10, "maj")), cycles=4,
           lead="brass", arp="strings", arp_pattern="ostinato16", bass_style="octaves", pad_shape="saw",
           drums="taiko", moods={"tense": 0.5}, seed=51, reverb=0.35),
    _track("epic-dragon-gate", "龙门", "Dragon Gate", "epic", ("国风", "武侠", "龙"), ("chinese", "wuxia", "dragon"),
           key=36, scale="minor", bpm=90, chords=((0, "min"), (8, "maj"), (3, "maj"), (10, "maj")), cycles=4,
           lead="flute", arp="pluck", arp_pattern="updown16", bass_style="octaves", pad_shape="saw", drums="war",
           melody_scale="penta_minor", moods={"tense": 0.4, "mysterious": 0.3}, seed=52, reverb=0.4),
    _track("calm-morning-tea", "晨茶", "Morning Tea", "calm", ("早晨", "咖啡馆"), ("morning", "cafe"),
           key=36, scale="major", bpm=68, chords=((0, "maj7"), (5, "maj7"), (9, "min7"), (7, "sus2")), cycles=3,
           lead="marimba", arp="epiano", arp_pattern="sparse", bass_style="whole", pad_shape="warm",
           melody_scale="penta", moods={"romantic": 0.4, "happy": 0.3}, seed=61, reverb=0.4),
    _track("calm-drifting-clouds", "流云", "Drifting Clouds", "calm", ("天空", "午后"), ("sky", "afternoon"),
           key=43, scale="major", bpm=66, chords=((0, "add9"), (9, "min7"), (5, "maj7"), (7, "sus2")), cycles=3,
           lead="", arp="epiano", arp_pattern="broken8", bass_style="whole", pad_shape="warm", reverb=0.45,
           moods={"romantic": 0.3, "sad": 0.3, "mysterious": 0.2}, seed=62),
    _track("comedic-silly-business", "瞎忙活", "Silly Business", "comedic", ("卡通", "慌张"), ("cartoon", "hurry"),
           key=41, scale="major", bpm=140, chords=((0, "maj"), (7, "dom7"), (0, "maj"), (5, "maj")), cycles=6,
           lead="pizz", arp="pizz", arp_pattern="stabs", bass_style="oompah", pad_shape="", drums="oompah",
           moods={"happy": 0.5}, seed=71, reverb=0.15),
    _track("comedic-sneaky-cat", "偷偷摸摸的猫", "Sneaky Cat", "comedic", ("偷偷", "恶作剧"), ("sneaky", "prank"),
           key=45, scale="minor", bpm=112, chords=((0, "min"), (5, "min"), (7, "dom7"), (0, "min")), cycles=5,
           lead="pizz", arp="", arp_pattern="", bass_style="walk", pad_shape="", drums="sneak",
           moods={"mysterious": 0.4, "tense": 0.2}, seed=72, reverb=0.2),
    _track("mysterious-hidden-door", "暗门", "Hidden Door", "mysterious", ("探险", "秘密"), ("secret", "explore"),
           key=38, scale="harmonic", bpm=66, chords=((0, "madd9"), (8, "aug"), (5, "min6"), (7, "7b9")), cycles=3,
           lead="", arp="bell", arp_pattern="sparse", bass_style="whole", pad_shape="saw", reverb=0.5,
           moods={"tense": 0.4, "sad": 0.2}, seed=81),
    _track("mysterious-night-fog", "夜雾", "Night Fog", "mysterious", ("雾", "幽灵", "奇幻"), ("fog", "ghost", "fantasy"),
           key=47, scale="dorian", bpm=70, chords=((0, "min"), (7, "maj"), (5, "min"), (6, "dom7")), cycles=3,
           lead="bell", arp="epiano", arp_pattern="updown16", bass_style="whole", pad_shape="saw", reverb=0.5,
           moods={"calm": 0.3, "tense": 0.3}, seed=82),
)


# -- the sound effects -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    id: str
    name_zh: str
    name_en: str
    category: str  # environment, action, emotion, comic, household
    tags_zh: tuple[str, ...]
    tags_en: tuple[str, ...]
    make: Callable[[np.random.Generator], Array]


def _heartbeat(rng: np.random.Generator) -> Array:
    out = np.zeros(seconds(3.6))
    thump = sine(48 + 30 * np.exp(-np.arange(seconds(0.3)) / SR / 0.03), seconds(0.3)) * perc(seconds(0.3), 0.07, 0.006)
    for beat_ in range(4):
        place(out, seconds(0.1 + beat_ * 0.85), thump, 1.0)
        place(out, seconds(0.1 + beat_ * 0.85 + 0.26), thump, 0.7)
    return np.tanh(2 * out)


def _wind(rng: np.random.Generator) -> Array:
    n = seconds(6.0)
    t = np.arange(n) / SR
    out = np.zeros(n)
    for low, high, rate, phase in ((250, 700, 0.17, 0.0), (500, 1300, 0.23, 2.0), (900, 2200, 0.31, 4.0)):
        out += band(noise(n, rng), low, high) * (0.55 + 0.45 * np.sin(2 * np.pi * rate * t + phase)) ** 2
    return out * np.minimum(1, t / 1.0) * np.minimum(1, (6.0 - t) / 1.0)


def _rain(rng: np.random.Generator) -> Array:
    n = seconds(6.0)
    t = np.arange(n) / SR
    out = band(noise(n, rng), 400, 9000) * 0.25
    drop = seconds(0.03)
    for start in rng.integers(0, n - drop, 900):
        freq = rng.uniform(1500, 5000)
        place(out, int(start), sine(freq * (1 + 0.8 * np.exp(-np.arange(drop) / SR / 0.004)), drop) * perc(drop, 0.006),
              rng.uniform(0.1, 0.5))
    return out * np.minimum(1, t / 0.8) * np.minimum(1, (6.0 - t) / 0.8)


def _thunder(rng: np.random.Generator) -> Array:
    n = seconds(5.0)
    t = np.arange(n) / SR
    crack = band(noise(n, rng), 300, 8000) * np.exp(-t / 0.12) * 0.8
    rumble = band(noise(n, rng), 25, 180) * np.exp(-t / 1.6) * 3.5
    flutter = 0.6 + 0.4 * np.abs(band(noise(n, rng), 0.5, 6)) / 0.02
    return np.tanh(crack + rumble * np.clip(flutter, 0, 1.5)) * np.minimum(1, t / 0.01)


def _stick_slip(n: int, rates: Array, rng: np.random.Generator) -> Array:
    """Friction: a train of clicks at a varying rate (a creaking hinge or rope)."""
    out = np.zeros(n)
    position = np.cumsum(rates) / SR
    ticks = np.flatnonzero(np.diff(np.floor(position)) > 0)
    out[ticks] = rng.uniform(0.5, 1.0, ticks.size)
    return out


def _door_creak(rng: np.random.Generator) -> Array:
    n = seconds(1.8)
    t = np.arange(n) / SR
    rates = 40 + 35 * np.sin(np.pi * t / 1.8) + 8 * np.sin(2 * np.pi * 3 * t)
    creak = resonate(_stick_slip(n, rates, rng), [(620, 0.02, 1.0), (1250, 0.015, 0.6), (2100, 0.01, 0.3)])[:n]
    return creak * np.sin(np.pi * np.minimum(1, t / 1.8)) ** 0.5


def _door_slam(rng: np.random.Generator) -> Array:
    n = seconds(1.2)
    body = modes_hit([(78, 0.18, 1.0), (163, 0.12, 0.6), (410, 0.05, 0.3)], n, rng, strike=0.01)
    smack = band(noise(n, rng), 200, 5000) * perc(n, 0.03)
    rattle = band(noise(n, rng), 1500, 6000) * perc(n, 0.08) * (np.arange(n) > seconds(0.05)) * 0.15
    return np.tanh(1.5 * (body + smack * 0.7 + rattle))


def _knock(rng: np.random.Generator) -> Array:
    out = np.zeros(seconds(1.4))
    for i, when in enumerate((0.05, 0.3, 0.55)):
        hit = modes_hit([(230, 0.05, 1.0), (480, 0.035, 0.7), (910, 0.02, 0.4)], seconds(0.3), rng, strike=0.004)
        place(out, seconds(when), hit, 1.0 - 0.1 * i)
    return out


def _footsteps(rng: np.random.Generator) -> Array:
    out = np.zeros(seconds(3.4))
    for i in range(6):
        start = seconds(0.1 + i * 0.52 + rng.uniform(-0.02, 0.02))
        heel = band(noise(seconds(0.12), rng), 80, 1200) * perc(seconds(0.12), 0.025)
        toe = band(noise(seconds(0.1), rng), 300, 3000) * perc(seconds(0.1), 0.015)
        place(out, start, heel, 1.0)
        place(out, start + seconds(0.07), toe, 0.5)
    return out


def _phone_ring(rng: np.random.Generator) -> Array:
    out = np.zeros(seconds(4.0))
    n = seconds(1.2)
    t = np.arange(n) / SR
    trill = np.where(np.sin(2 * np.pi * 16 * t) > 0, 1400.0, 1750.0)
    ring = sine(trill, n) * 0.6 + 0.25 * np.sin(2 * np.pi * 2 * trill * t)
    ring *= np.minimum(1, t / 0.01) * np.minimum(1, (1.2 - t) / 0.02)
    for start in (0.1, 2.1):
        place(out, seconds(start), ring, 1.0)
    return out


def _keyboard(rng: np.random.Generator) -> Array:
    out = np.zeros(seconds(3.0))
    when = 0.05
    while when < 2.85:
        click = modes_hit([(rng.uniform(2500, 4000), 0.008, 1.0), (rng.uniform(900, 1400), 0.012, 0.5)],
                          seconds(0.05), rng, strike=0.002)  # fmt: skip
        place(out, seconds(when), click, rng.uniform(0.5, 1.0))
        when += rng.choice([0.07, 0.1, 0.13, 0.18, 0.35], p=[0.25, 0.3, 0.25, 0.15, 0.05])
    return out


def _gong(rng: np.random.Generator) -> Array:
    n = seconds(6.0)
    t = np.arange(n) / SR
    partials = [(1.0, 2.5, 1.0), (1.52, 2.0, 0.7), (2.03, 1.6, 0.6), (2.61, 1.3, 0.5), (3.33, 1.0, 0.4),
                (4.1, 0.8, 0.3), (5.2, 0.6, 0.25)]  # fmt: skip
    out = np.zeros(n)
    for ratio, decay, gain in partials:
        f = 98 * ratio * (1 + 0.01 * (1 - np.exp(-t / 0.5)))  # the pitch blooms upward, as a gong's does
        out += gain * sine(f, n, rng.uniform(0, 6.28)) * np.exp(-t / decay) * np.minimum(1, t / (0.01 + 0.04 * ratio))
    return out + band(noise(n, rng), 60, 400) * perc(n, 0.05) * 0.5


def _whoosh(rng: np.random.Generator) -> Array:
    n = seconds(1.1)
    t = np.arange(n) / SR
    swell = np.exp(-(((t - 0.5) / 0.17) ** 2))
    low = band(noise(n, rng), 200, 900)
    high = band(noise(n, rng), 900, 4000)
    sweep = np.clip((t - 0.25) / 0.5, 0, 1)
    return (low * (1 - sweep) + high * sweep) * swell


def _punch(rng: np.random.Generator) -> Array:
    n = seconds(0.5)
    t = np.arange(n) / SR
    thump = sine(50 + 120 * np.exp(-t / 0.02), n) * np.exp(-t / 0.09)
    smack = band(noise(n, rng), 300, 6000) * np.exp(-t / 0.015)
    return np.tanh(2.5 * (thump + 0.6 * smack))


def _sword(rng: np.random.Generator) -> Array:
    n = seconds(1.5)
    t = np.arange(n) / SR
    scrape = band(noise(n, rng), 3000, 9000) * np.clip(t / 0.45, 0, 1) * (t < 0.5)
    ring = sum(g * np.sin(2 * np.pi * f * t) * np.exp(-np.maximum(t - 0.48, 0) / d) * (t >= 0.48)
               for f, d, g in ((2450, 0.5, 1.0), (3720, 0.35, 0.7), (5180, 0.25, 0.5), (6990, 0.15, 0.3)))  # fmt: skip
    return scrape * 0.6 + np.asarray(ring) * 0.5


def _crowd(rng: np.random.Generator) -> Array:
    n = seconds(6.0)
    t = np.arange(n) / SR
    out = np.zeros(n)
    for _ in range(14):
        formant = rng.uniform(350, 1100)
        voice = band(noise(n, rng), formant, formant * 2.6)
        syllables = np.clip(np.sin(2 * np.pi * rng.uniform(2.5, 5.5) * t + rng.uniform(0, 6.28)), 0, 1)
        phrases = np.clip(np.sin(2 * np.pi * rng.uniform(0.15, 0.4) * t + rng.uniform(0, 6.28)) + 0.3, 0, 1)
        out += voice * syllables * phrases
    return out * np.minimum(1, t / 0.8) * np.minimum(1, (6.0 - t) / 0.8)


def _bell(rng: np.random.Generator) -> Array:
    out = np.zeros(seconds(5.0))
    partials = [(0.5, 3.0, 0.5), (1.0, 2.2, 1.0), (1.19, 1.6, 0.6), (1.5, 1.3, 0.5), (2.0, 1.0, 0.5),
                (2.51, 0.7, 0.3), (3.0, 0.5, 0.25)]  # fmt: skip
    for when in (0.02, 1.8):
        strike = modes_hit([(440 * r, d, g) for r, d, g in partials], seconds(3.2), rng)
        place(out, seconds(when), strike, 1.0)
    return out


def _birds(rng: np.random.Generator) -> Array:
    n = seconds(5.0)
    out = np.zeros(n)
    when = 0.1
    while when < 4.6:
        for k in range(int(rng.integers(2, 6))):
            m = seconds(rng.uniform(0.04, 0.09))
            tt = np.arange(m) / SR
            top = rng.uniform(3200, 5200)
            glide = top * (1 - 0.35 * tt / tt[-1]) + 400 * np.sin(2 * np.pi * 60 * tt)
            chirp = sine(glide, m) * np.sin(np.pi * tt / tt[-1])
            place(out, seconds(when + k * 0.11), chirp, rng.uniform(0.4, 1.0))
        when += rng.uniform(0.5, 1.1)
    return out


def _alarm(rng: np.random.Generator) -> Array:
    n = seconds(4.0)
    t = np.arange(n) / SR
    sweep = 700 + 500 * (0.5 - 0.5 * np.cos(2 * np.pi * t / 1.0))
    return osc_glide("square", sweep, n) * 0.6


def osc_glide(shape: str, freq: Array, n: int) -> Array:
    """A band-limited oscillator whose pitch follows `freq` (Hz per sample)."""
    table = wavetable(shape, max(1, int(8000 / float(np.max(freq)))))
    pos = (np.cumsum(freq[:n]) / SR % 1.0) * 4096
    i = pos.astype(np.int64)
    return table[i] * (1 - (pos - i)) + table[i + 1] * (pos - i)


def _static(rng: np.random.Generator) -> Array:
    n = seconds(3.0)
    t = np.arange(n) / SR
    hiss = band(noise(n, rng), 300, 3400) * 0.35
    crackle = np.zeros(n)
    crackle[rng.integers(0, n, 260)] = rng.uniform(-1, 1, 260)
    crackle = band(crackle, 500, 6000) * 6
    whistle_ = sine(1200 + 500 * np.sin(2 * np.pi * 0.4 * t), n) * 0.08 * (t > 1.2)
    return (hiss + crackle + whistle_) * (0.7 + 0.3 * np.sin(2 * np.pi * 7 * t) ** 2)


def _glass(rng: np.random.Generator) -> Array:
    n = seconds(2.0)
    out = band(noise(n, rng), 1500, 12000) * perc(n, 0.03) * 0.8
    for _ in range(40):
        start = int(seconds(rng.exponential(0.15)))
        shard = modes_hit([(rng.uniform(2500, 9500), rng.uniform(0.03, 0.2), 1.0)], seconds(0.6), rng)
        place(out, min(start, n - 1), shard, rng.uniform(0.1, 0.45))
    return out


def _applause(rng: np.random.Generator) -> Array:
    n = seconds(5.0)
    t = np.arange(n) / SR
    out = np.zeros(n)
    clap_n = seconds(0.05)
    for start in rng.integers(0, n - clap_n, 420):
        clap = band(noise(clap_n, rng), rng.uniform(700, 1400), rng.uniform(2500, 5000)) * perc(clap_n, 0.008)
        place(out, int(start), clap, rng.uniform(0.3, 1.0))
    return out * np.minimum(1, t / 0.5) * np.minimum(1, (5.0 - t) / 1.5)


def _clock(rng: np.random.Generator) -> Array:
    out = np.zeros(seconds(4.0))
    for i in range(4):
        freq = 3100 if i % 2 == 0 else 2500
        place(out, seconds(0.05 + i), modes_hit([(freq, 0.012, 1.0), (freq * 1.6, 0.006, 0.4)], seconds(0.1), rng), 1.0)
    return out


def _car_horn(rng: np.random.Generator) -> Array:
    out = np.zeros(seconds(1.6))
    for start, length in ((0.05, 0.3), (0.5, 0.9)):
        n = seconds(length)
        t = np.arange(n) / SR
        tone = osc("square", 410, n, brightness=0.2) + osc("square", 512, n, brightness=0.2)
        envelope = np.minimum(1, t / 0.01) * np.minimum(1, (length - t) / 0.02)
        place(out, seconds(start), np.tanh(1.5 * tone) * envelope, 0.6)
    return out


def _splash(rng: np.random.Generator) -> Array:
    n = seconds(2.0)
    t = np.arange(n) / SR
    out = band(noise(n, rng), 200, 6000) * np.exp(-t / 0.25) * np.minimum(1, t / 0.01)
    for _ in range(30):
        m = seconds(rng.uniform(0.02, 0.06))
        tt = np.arange(m) / SR
        bubble = sine(rng.uniform(500, 1500) * (1 + 3 * tt), m) * np.exp(-tt / 0.012)
        place(out, seconds(rng.uniform(0.05, 1.3)), bubble, rng.uniform(0.1, 0.4))
    return out


def _fire(rng: np.random.Generator) -> Array:
    n = seconds(6.0)
    t = np.arange(n) / SR
    roar = band(noise(n, rng), 40, 400) * (0.7 + 0.3 * np.sin(2 * np.pi * 0.3 * t))
    pops = np.zeros(n)
    pops[rng.integers(0, n, 180)] = rng.uniform(0.3, 1.0, 180) * rng.choice([-1, 1], 180)
    pops = band(pops, 800, 9000) * 14
    return (roar * 0.8 + pops) * np.minimum(1, t / 0.5) * np.minimum(1, (6.0 - t) / 0.8)


def _sparkle(rng: np.random.Generator) -> Array:
    out = np.zeros(seconds(2.5))
    for i, note in enumerate((84, 88, 91, 96, 100, 103)):
        place(out, seconds(0.05 + i * 0.09), bell(hz(note), 1.6, ratio=2.0), 0.5)
    n = out.size
    t = np.arange(n) / SR
    return out + band(noise(n, rng), 6000, 14000) * np.exp(-t / 0.7) * np.minimum(1, t / 0.3) * 0.25


def _shutter(rng: np.random.Generator) -> Array:
    out = np.zeros(seconds(0.6))
    for when, gain in ((0.02, 1.0), (0.1, 0.8)):
        click = modes_hit([(1900, 0.012, 1.0), (4200, 0.008, 0.6), (850, 0.02, 0.4)], seconds(0.08), rng, 0.003)
        place(out, seconds(when), click, gain)
    n = seconds(0.35)
    whirr = osc("saw", 160, n, brightness=0.3) * np.sin(np.pi * np.arange(n) / n) * 0.12
    place(out, seconds(0.18), whirr, 1.0)
    return out


def _explosion(rng: np.random.Generator) -> Array:
    n = seconds(4.0)
    t = np.arange(n) / SR
    blast = band(noise(n, rng), 60, 5000) * np.exp(-t / 0.25)
    rumble = band(noise(n, rng), 20, 160) * np.exp(-t / 1.2) * 3.0
    sub = sine(35 + 40 * np.exp(-t / 0.1), n) * np.exp(-t / 0.6)
    return np.tanh(2.0 * (blast + rumble + sub)) * np.minimum(1, t / 0.004)


def _ding(rng: np.random.Generator) -> Array:
    out = np.zeros(seconds(1.3))
    place(out, 0, bell(hz(88), 1.0, ratio=2.0), 0.8)
    place(out, seconds(0.14), bell(hz(95), 1.1, ratio=2.0), 0.8)
    return out


def _boing(rng: np.random.Generator) -> Array:
    n = seconds(1.0)
    t = np.arange(n) / SR
    freq = 180 + 140 * np.exp(-t / 0.25) * (1 + 0.35 * np.sin(2 * np.pi * 14 * t))
    return sine(freq, n) * np.exp(-t / 0.35) * np.minimum(1, t / 0.003)


def _dog(rng: np.random.Generator) -> Array:
    out = np.zeros(seconds(1.6))
    for when in (0.05, 0.55):
        n = seconds(0.22)
        t = np.arange(n) / SR
        source = osc_glide("saw", 520 - 260 * t / t[-1], n) + band(noise(n, rng), 300, 3000) * 0.3
        voiced = resonate(source, [(700, 0.004, 1.0), (1400, 0.003, 0.6), (2600, 0.002, 0.3)])[:n]
        place(out, seconds(when), voiced * np.sin(np.pi * t / t[-1]) ** 0.4, 1.0)
    return out


def _creak(rng: np.random.Generator) -> Array:
    n = seconds(2.5)
    t = np.arange(n) / SR
    rates = 18 + 14 * np.sin(2 * np.pi * 0.5 * t) ** 2
    groan = resonate(_stick_slip(n, rates, rng), [(180, 0.05, 1.0), (410, 0.03, 0.6), (950, 0.02, 0.3)])[:n]
    clunks = np.zeros(n)
    for when in (0.6, 1.5, 2.2):
        place(clunks, seconds(when), modes_hit([(140, 0.08, 1.0), (620, 0.03, 0.5)], seconds(0.3), rng), 0.6)
    return groan + clunks


def _dragon(rng: np.random.Generator) -> Array:
    n = seconds(3.0)
    t = np.arange(n) / SR
    pitch = 75 + 45 * np.sin(np.pi * t / 3.0) + 6 * np.sin(2 * np.pi * 23 * t)
    breath = band(noise(n, rng), 100, 3000) * 0.3
    source = osc_glide("saw", pitch, n) * (0.8 + 0.2 * np.sin(2 * np.pi * 31 * t)) + breath
    growl = resonate(source, [(480, 0.006, 1.0), (1100, 0.004, 0.6), (2300, 0.003, 0.3)])[:n]
    return np.tanh(1.5 * growl / np.abs(growl).max()) * np.sin(np.pi * t / 3.0) ** 0.5


def _cymbal(rng: np.random.Generator) -> Array:
    n = seconds(3.0)
    t = np.arange(n) / SR
    shimmer = modes_hit([(rng.uniform(3000, 9000), rng.uniform(0.4, 1.2), 0.2) for _ in range(12)], n, rng)
    return band(noise(n, rng), 2500, 15000) * perc(n, 0.8, 0.002) * 0.8 + shimmer * 0.3 * np.minimum(1, t / 0.002)


def _riser(rng: np.random.Generator) -> Array:
    n = seconds(3.0)
    t = np.arange(n) / SR
    rise = (t / 3.0) ** 2
    tone = osc_glide("saw", 110 * 2 ** (2.5 * t / 3.0), n) * 0.3
    hiss = band(noise(n, rng), 1000, 10000) * 0.5
    return (tone + hiss * rise) * rise * np.minimum(1, (3.0 - t) / 0.03)


def _page(rng: np.random.Generator) -> Array:
    n = seconds(1.0)
    t = np.arange(n) / SR
    rustle = band(noise(n, rng), 1500, 9000) * np.exp(-(((t - 0.35) / 0.15) ** 2))
    flick = band(noise(n, rng), 800, 5000) * perc(n, 0.02) * (t > 0.55)
    return rustle + np.roll(flick, seconds(0.55)) * 0.6


def _typewriter(rng: np.random.Generator) -> Array:
    out = np.zeros(seconds(3.2))
    for i in range(14):
        modes = [(rng.uniform(1700, 2300), 0.02, 1.0), (rng.uniform(500, 700), 0.04, 0.8)]
        hit = modes_hit(modes, seconds(0.1), rng, 0.003)
        place(out, seconds(0.05 + i * 0.16 + rng.uniform(-0.02, 0.02)), hit, 1.0)
    place(out, seconds(2.45), bell(hz(93), 0.7, ratio=1.5), 0.5)
    return out


def _slide_whistle(rng: np.random.Generator) -> Array:
    n = seconds(1.3)
    t = np.arange(n) / SR
    pitch = 600 * 2 ** (1.6 * np.sin(np.pi * t / 1.3))
    return sine(pitch, n) * np.minimum(1, t / 0.03) * np.minimum(1, (1.3 - t) / 0.05)


def _drum_roll(rng: np.random.Generator) -> Array:
    kit = drum_kit(rng)
    out = np.zeros(seconds(2.6))
    for i in range(int(2.0 / 0.045)):
        place(out, seconds(i * 0.045), kit["snare"], 0.25 + 0.5 * i / 44)
    place(out, seconds(2.05), kit["cymbal"], 1.0)
    place(out, seconds(2.05), kit["kick"], 0.8)
    return out


def _E(
    id_: str, zh: str, en: str, category: str, tags_zh: str, tags_en: str, make: Callable[[np.random.Generator], Array]
) -> Effect:
    return Effect(id_, zh, en, category, tuple(tags_zh.split()), tuple(tags_en.split(",")), make)


EFFECTS: tuple[Effect, ...] = (
    _E("heartbeat", "心跳", "Heartbeat", "emotion", "心跳 心跳声 心动 紧张 怦怦",
       "heartbeat,heart,pounding,pulse,thump", _heartbeat),
    _E("wind", "风声", "Wind", "environment", "风 风声 大风 呼啸 寒风", "wind,howling wind,breeze,gust,windy", _wind),
    _E("rain", "雨声", "Rain", "environment", "雨 雨声 下雨 大雨 雨天", "rain,rainfall,raining,downpour,drizzle", _rain),
    _E("thunder", "雷声", "Thunder", "environment", "雷 雷声 打雷 雷鸣 闪电",
       "thunder,thunderclap,rumble,storm,lightning", _thunder),
    _E("door-open-creak", "开门吱呀", "Door creaks open", "household", "开门 门开了 吱呀 推门",
       "door open,door creak,creaky door,opening door", _door_creak),
    _E("door-slam", "摔门", "Door slam", "household", "关门 摔门 砰 门关上",
       "door slam,door close,slam,door shut,bang", _door_slam),
    _E("door-knock", "敲门", "Knock on the door", "household", "敲门 敲门声 咚咚",
       "knock,knocking,door knock,knock on the door", _knock),
    _E("footsteps", "脚步声", "Footsteps", "action", "脚步 脚步声 走路 走近 走过",
       "footsteps,footstep,steps,walking,approaching", _footsteps),
    _E("phone-ring", "电话铃声", "Phone ringing", "household", "电话 手机 铃声 来电 电话响",
       "phone,phone ring,ringing,ringtone,telephone,call", _phone_ring),
    _E("keyboard-typing", "键盘打字", "Keyboard typing", "household", "键盘 打字 敲键盘 电脑",
       "keyboard,typing,keys,computer", _keyboard),
    _E("gong", "锣声", "Gong", "emotion", "锣 锣声 敲锣 铜锣 开场", "gong,gong hit,tam-tam", _gong),
    _E("whoosh", "嗖", "Whoosh", "action", "嗖 呼 掠过 飞过 转场", "whoosh,swoosh,swish,swoop,fly by,transition", _whoosh),
    _E("punch", "拳击", "Punch", "action", "拳 出拳 击打 揍 拳头 打斗", "punch,hit,smack,fist,strike", _punch),
    _E("sword-draw", "拔剑", "Sword draw", "action", "拔剑 出鞘 剑 刀 剑鸣",
       "sword draw,sword,blade,unsheathe,sword ring", _sword),
    _E("crowd-murmur", "人群嘈杂", "Crowd murmur", "environment", "人群 嘈杂 人声 喧闹 议论 集市 夜市",
       "crowd,murmur,chatter,people talking,market,crowd noise", _crowd),
    _E("bell", "钟声", "Bell", "environment", "钟 钟声 铃 铃声 寺庙 敲钟", "bell,bells,church bell,temple bell,chime", _bell),
    _E("birds", "鸟叫", "Birds chirping", "environment", "鸟 鸟叫 鸟鸣 鸟儿 早晨", "birds,bird,chirping,birdsong,tweet", _birds),
    _E("alarm", "警报", "Alarm", "action", "警报 警报声 警笛 报警", "alarm,siren,warning,alert", _alarm),
    _E("radio-static", "收音机杂音", "Radio static", "household", "收音机 杂音 电流 沙沙 信号",
       "radio static,static,radio,interference,white noise", _static),
    _E("glass-break", "玻璃破碎", "Glass breaking", "action", "玻璃 玻璃碎 打碎 破碎 碎裂",
       "glass break,glass,shatter,smash,breaking glass", _glass),
    _E("applause", "掌声", "Applause", "emotion", "掌声 鼓掌 喝彩 欢呼", "applause,clapping,clap,cheer", _applause),
    _E("clock-tick", "钟表滴答", "Clock ticking", "household", "钟表 滴答 时钟 计时 秒针",
       "clock,tick,ticking,tick tock,clock ticking", _clock),
    _E("car-horn", "汽车喇叭", "Car horn", "action", "喇叭 汽车喇叭 按喇叭 鸣笛", "car horn,horn,honk,car,beep", _car_horn),
    _E("water-splash", "水花", "Water splash", "environment", "水花 落水 扑通 溅水 跳水",
       "splash,water splash,water,splashing", _splash),
    _E("fire-crackle", "火焰噼啪", "Fire crackling", "environment", "火 篝火 火焰 燃烧 噼啪",
       "fire,crackle,crackling fire,campfire,flames,burning", _fire),
    _E("magic-sparkle", "魔法闪光", "Magic sparkle", "comic", "魔法 闪光 闪闪 变身 神奇 仙",
       "magic,sparkle,twinkle,shimmer,spell,fairy", _sparkle),
    _E("camera-shutter", "相机快门", "Camera shutter", "household", "快门 拍照 相机 咔嚓",
       "camera shutter,shutter,photo,camera,snapshot", _shutter),
    _E("explosion", "爆炸", "Explosion", "action", "爆炸 轰 爆破 炸 轰隆", "explosion,explode,boom,blast,bomb", _explosion),
    _E("notification-ding", "提示音", "Notification ding", "comic", "提示音 叮 消息 通知 叮咚 灵感",
       "ding,notification,message,ping,idea", _ding),
    _E("boing", "弹簧boing", "Boing", "comic", "搞笑 弹跳 弹簧 笑 滑稽", "boing,bounce,spring,funny,laugh,cartoon", _boing),
    _E("dog-bark", "狗叫", "Dog bark", "environment", "狗 狗叫 汪汪 犬吠", "dog,bark,barking,woof", _dog),
    _E("creaking-gears", "齿轮吱嘎", "Creaking gears", "household", "吱嘎 齿轮 机械 绳索 摇晃 木头",
       "creak,creaking,gears,creaking gears,machinery,rope", _creak),
    _E("dragon-roar", "龙吟", "Dragon roar", "emotion", "龙 龙吟 咆哮 怒吼 野兽 吼", "dragon,roar,growl,monster,beast", _dragon),
    _E("cymbal-crash", "镲", "Cymbal crash", "action", "镲 钹 镲片 撞击", "cymbal,crash,cymbal crash", _cymbal),
    _E("tension-riser", "紧张渐强", "Tension riser", "emotion", "渐强 紧张感 悬念 升调",
       "riser,rising tension,build up,swell,suspense", _riser),
    _E("page-turn", "翻页", "Page turn", "household", "翻页 翻书 纸 书页", "page turn,page,paper,book,rustle", _page),
    _E("typewriter", "打字机", "Typewriter", "household", "打字机 写信", "typewriter,typing machine,letter", _typewriter),
    _E("slide-whistle", "滑哨", "Slide whistle", "comic", "滑哨 口哨 哨子 滑稽音",
       "slide whistle,whistle,cartoon slide", _slide_whistle),
    _E("drum-roll", "鼓声滚奏", "Drum roll", "emotion", "鼓 鼓声 击鼓 揭晓 滚奏", "drum roll,drum,drums,reveal,ta-da", _drum_roll),
)


# -- writing ---------------------------------------------------------------------------------------------------------


def write_ogg(samples: Array, path: Path, bitrate: str) -> None:
    """Encode float samples (n,) or (n, 2) as Ogg Vorbis, byte-for-byte the same on every run."""
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    pcm = (np.clip(samples, -1, 1) * 32767).round().astype("<i2")
    with tempfile.TemporaryDirectory() as tmp:
        wav_path = Path(tmp) / "in.wav"
        with wave.open(str(wav_path), "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(2)
            w.setframerate(SR)
            w.writeframes(pcm.tobytes())
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav_path), "-map_metadata", "-1", "-fflags",
                        "+bitexact", "-flags:a", "+bitexact", "-c:a", "libvorbis", "-b:a", bitrate, str(path)],
                       check=True)  # fmt: skip


def decode(path: Path, channels: int) -> Array:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", str(channels), "-"],
                         capture_output=True, check=True).stdout  # fmt: skip
    return np.frombuffer(raw, dtype="<f4").reshape(-1, channels)


def seam_sharpness(samples: Array) -> float:
    """How sharp the loop point is (last sample -> first) against the track's own samples: the largest second
    difference across the seam over the 99th percentile of the track's. A click stands well above 1."""
    loop = np.concatenate([samples[-8:], samples[:8]])
    across = np.abs(np.diff(loop, 2, axis=0))[5:10].max()
    return float(across / np.percentile(np.abs(np.diff(samples, 2, axis=0)).max(axis=1), 99))


def write_loop(samples: Array, path: Path, bitrate: str) -> float:
    """Encode a seamless loop. The encoder makes up what follows the last sample, so the file may start up to 46 ms
    before the first downbeat, wherever the decoded seam comes out smoothest; returns that lead in seconds."""
    best: tuple[float, int] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for lead in range(0, 2049, 256):
            candidate = Path(tmp) / f"lead_{lead}.ogg"
            write_ogg(np.roll(samples, lead, axis=0), candidate, bitrate)
            sharpness = seam_sharpness(decode(candidate, samples.shape[1]))
            if best is None or sharpness < best[0]:
                best = (sharpness, lead)
        assert best is not None
        (Path(tmp) / f"lead_{best[1]}.ogg").replace(path)
    return best[1] / SR


def effect_samples(effect: Effect) -> Array:
    """The effect, deterministic per id, with a click-free start and end and its peak at -1 dBFS."""
    rng = np.random.default_rng(zlib.crc32(effect.id.encode()))
    samples = effect.make(rng)
    samples = fade(samples - samples.mean())
    return samples * (0.89 / np.abs(samples).max())


def main() -> int:
    (OUT / "music").mkdir(parents=True, exist_ok=True)
    (OUT / "sfx").mkdir(parents=True, exist_ok=True)
    music, effects = [], []
    for track in TRACKS:
        if not 40 <= track.duration <= 90:
            raise SystemExit(f"{track.id}: {track.duration:.1f} s; make it 40-90 s (cycles, chords or bpm)")
        samples = render_track(track)
        lead = write_loop(samples, OUT / "music" / f"{track.id}.ogg", MUSIC_BITRATE)
        music.append({
            "id": track.id, "kind": "music", "name": {"zh": track.name_zh, "en": track.name_en},
            "category": track.mood, "duration": round(samples.shape[0] / SR, 3),
            "tags": {"zh": list(track.tags_zh), "en": list(track.tags_en)},
            "moods": {track.mood: 1.0, **track.moods}, "bpm": track.bpm,
            "key": NOTE_NAMES[track.key % 12] + ("" if track.scale in ("major", "penta") else " minor"),
            "chords": track.chord_names(), "beats_per_bar": track.beats_per_bar,
            "chord_seconds": round(track.bars_per_chord * track.beats_per_bar * 60 / track.bpm, 4),
            "loop": True, "downbeat": round(lead, 4), "licence": LICENCE,
            "file": f"music/{track.id}.ogg",
        })  # fmt: skip
        print(f"music {track.id:32s} {samples.shape[0] / SR:5.1f} s", flush=True)
    for effect in EFFECTS:
        samples = effect_samples(effect)
        write_ogg(samples, OUT / "sfx" / f"{effect.id}.ogg", SFX_BITRATE)
        effects.append({
            "id": effect.id, "kind": "effect", "name": {"zh": effect.name_zh, "en": effect.name_en},
            "category": effect.category, "duration": round(samples.size / SR, 3),
            "tags": {"zh": list(effect.tags_zh), "en": [t.strip() for t in effect.tags_en]},
            "licence": LICENCE, "file": f"sfx/{effect.id}.ogg",
        })  # fmt: skip
        print(f"sfx   {effect.id:32s} {samples.size / SR:5.2f} s", flush=True)
    known = {item["file"] for item in music + effects}
    for stray in [*OUT.glob("music/*.ogg"), *OUT.glob("sfx/*.ogg")]:
        if f"{stray.parent.name}/{stray.name}" not in known:
            stray.unlink()
    catalog = {"licence_note": "Synthesised by scripts/make_audio_assets.py (numpy + ffmpeg libvorbis); CC0-1.0.",
               "music": music, "effects": effects}  # fmt: skip
    (OUT / "catalog.json").write_text(json.dumps(catalog, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"{len(music)} tracks, {len(effects)} effects, {total / 1e6:.2f} MB in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
