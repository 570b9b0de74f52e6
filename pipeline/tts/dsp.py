"""Signal work on voiced lines, in numpy: WAV in and out, the fundamental frequency (YIN), and TD-PSOLA, which moves
a voice's pitch and widens or narrows its melody while keeping its timbre, so one neural voice can speak for many."""

from __future__ import annotations

import wave
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pipeline.errors import VoiceError

Audio = NDArray[np.float64]

F0_MIN, F0_MAX = 55.0, 520.0  # Hz: below a bass's lowest speech, above a child's shout
_HOP_S, _FRAME_S = 0.005, 0.03  # analysis hop and window
_YIN_THRESHOLD = 0.2


@dataclass(frozen=True)
class PitchTrack:
    """F0 every `hop` samples (0 where the frame is unvoiced or silent), and which frames carry sound at all."""

    f0: NDArray[np.float64]
    loud: NDArray[np.bool_]
    hop: int
    sample_rate: int

    @property
    def voiced(self) -> NDArray[np.float64]:
        return self.f0[self.f0 > 0]

    def median(self) -> float:
        """The median F0 of the voiced frames, or 0.0 when none is voiced."""
        voiced = self.voiced
        return float(np.median(voiced)) if voiced.size else 0.0

    def contour(self) -> NDArray[np.float64]:
        """F0 for every frame with sound: YIN's values less its octave slips, bridged across the frames it could not
        read (creaky or breathy stretches); 0 in silence. What PSOLA follows, so no part of a vowel keeps its pitch."""
        index = np.flatnonzero(self.f0 > 0)
        if index.size == 0:
            return np.zeros_like(self.f0)
        octaves = np.log2(self.f0[index])
        around = np.array([np.median(octaves[max(0, i - 15) : i + 16]) for i in range(index.size)])
        keep = np.abs(octaves - around) < 0.75  # 9 semitones from its neighbours: an octave slip, not a melody
        if keep.any():
            index, octaves = index[keep], octaves[keep]
        filled = 2.0 ** np.interp(np.arange(self.f0.size), index, octaves)
        return np.where(self.loud, filled, 0.0)

    def at(self, sample: float, contour: NDArray[np.float64]) -> float:
        """The contour's value at a sample position (the nearest frame's)."""
        return float(contour[min(len(contour) - 1, max(0, int(round(sample / self.hop))))])


def read_wav(path: str) -> tuple[Audio, int]:
    """A 16-bit PCM WAV as mono floats in [-1, 1] and its sample rate.

    Raises:
        VoiceError: the file is not 16-bit PCM.
    """
    with wave.open(path, "rb") as wav:
        if wav.getsampwidth() != 2:
            raise VoiceError(f"a voice clip must be 16-bit PCM; got {8 * wav.getsampwidth()}-bit.")
        channels, rate = wav.getnchannels(), wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float64) / 32768.0
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data, rate


def write_wav(path: str, audio: Audio, sample_rate: int) -> None:
    """Mono 16-bit PCM; samples beyond full scale are clipped."""
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(path, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.tobytes())


def rms_dbfs(audio: Audio) -> float:
    """Loudness of the whole clip as RMS in dBFS (-inf for digital silence)."""
    power = float(np.mean(np.square(audio))) if audio.size else 0.0
    return 10.0 * np.log10(power) if power > 0 else float("-inf")


def pitch_track(audio: Audio, sample_rate: int, fmin: float = F0_MIN, fmax: float = F0_MAX) -> PitchTrack:
    """YIN (de Cheveigné & Kawahara 2002) on 30 ms frames every 5 ms; frames quieter than a tenth of the clip's
    RMS amplitude count as unvoiced."""
    hop, width = max(1, int(sample_rate * _HOP_S)), int(sample_rate * _FRAME_S)
    lo, hi = int(sample_rate / fmax), int(sample_rate / fmin) + 1
    span = width + hi
    if audio.size < span + hop:
        return PitchTrack(np.zeros(0), np.zeros(0, dtype=bool), hop, sample_rate)
    starts = np.arange(0, audio.size - span, hop)
    frames = _low_pass(audio, sample_rate, 1000.0)[starts[:, None] + np.arange(span)]
    # Difference function d(tau) = e0 + e_tau - 2 r(tau), with r from one FFT per frame.
    size = 1 << int(np.ceil(np.log2(2 * span)))
    head = np.zeros_like(frames)
    head[:, :width] = frames[:, :width]
    corr = np.fft.irfft(np.conj(np.fft.rfft(head, size)) * np.fft.rfft(frames, size), size)[:, : hi + 1]
    squares = np.concatenate([np.zeros((len(frames), 1)), np.cumsum(frames**2, axis=1)], axis=1)
    taus = np.arange(hi + 1)
    energy = squares[:, taus + width] - squares[:, taus]
    diff = np.maximum(energy[:, :1] + energy - 2 * corr, 0.0)
    cumulative = np.cumsum(diff[:, 1:], axis=1)
    cmnd = np.ones_like(diff)
    cmnd[:, 1:] = diff[:, 1:] * taus[1:] / np.maximum(cumulative, 1e-12)
    level = np.sqrt(np.mean(audio[starts[:, None] + np.arange(width)] ** 2, axis=1))
    loud = level > 0.1 * np.sqrt(np.mean(audio**2))
    f0 = np.zeros(len(frames))
    for i in np.flatnonzero(loud):
        row = cmnd[i]
        below = np.flatnonzero(row[lo:hi] < _YIN_THRESHOLD)
        if below.size == 0:
            continue
        tau = lo + int(below[0])
        while tau + 1 < hi and row[tau + 1] < row[tau]:
            tau += 1
        a, b, c = row[tau - 1], row[tau], row[tau + 1]
        bend = a - 2 * b + c
        f0[i] = sample_rate / (tau + (0.5 * (a - c) / bend if bend > 0 else 0.0))
    return PitchTrack(_despike(f0), loud, hop, sample_rate)


def _low_pass(audio: Audio, sample_rate: int, cutoff: float) -> Audio:
    """Only what is below `cutoff` Hz: a voice's fundamental and first harmonics, without the breath noise that
    hides its period from YIN."""
    spectrum = np.fft.rfft(audio)
    spectrum[int(cutoff * audio.size / sample_rate) :] = 0
    return np.fft.irfft(spectrum, audio.size)


def _despike(f0: NDArray[np.float64]) -> NDArray[np.float64]:
    """Drop lone voiced frames and octave jumps against the neighbours' median (YIN's usual slips)."""
    out = f0.copy()
    for i in range(len(f0)):
        around = f0[max(0, i - 3) : i + 4]
        voiced = around[around > 0]
        if f0[i] > 0 and (voiced.size < 3 or not 0.6 < f0[i] / np.median(voiced) < 1.7):
            out[i] = 0.0
    return out


def _pitch_marks(audio: Audio, track: PitchTrack) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
    """Analysis marks one period apart on the (low-passed) waveform's peaks where the contour has a pitch, every 5 ms
    elsewhere; returns the marks, the period at each and whether it is voiced."""
    contour = track.contour()
    smooth = _low_pass(audio, track.sample_rate, 1000.0)  # the peaks of the first harmonics: one a period
    marks: list[int] = []
    periods: list[int] = []
    voiced: list[bool] = []
    n, t = audio.size, 0
    unvoiced_step = max(1, int(track.sample_rate * _HOP_S))
    while t < n:
        f = track.at(t, contour)
        if f <= 0:
            marks.append(t)
            periods.append(unvoiced_step)
            voiced.append(False)
            t += unvoiced_step
            continue
        period = int(round(track.sample_rate / f))
        if voiced and voiced[-1]:  # the next peak about a period after the last one
            lo, hi = max(0, t - period // 4), min(n, t + period // 4 + 1)
        else:  # entering a voiced stretch: the highest peak of the next period
            lo, hi = t, min(n, t + period)
        peak = lo + int(np.argmax(smooth[lo:hi])) if hi > lo else t
        if marks and peak <= marks[-1]:
            peak = marks[-1] + max(1, period // 2)
        marks.append(peak)
        periods.append(period)
        voiced.append(True)
        t = peak + period
    return np.asarray(marks), np.asarray(periods), np.asarray(voiced)


def reshape_voice(
    audio: Audio, sample_rate: int, *, target_hz: float | None = None, pitch_ratio: float = 1.0,
    range_scale: float = 1.0, time_scale: float = 1.0, formant_ratio: float = 1.0,
) -> Audio:  # fmt: skip
    """Move a line's median F0 to `target_hz` (or by `pitch_ratio`), scale its melody around that median by
    `range_scale` (in semitones: 2.0 doubles every rise and fall), stretch it by `time_scale` (2.0 = twice as long)
    and raise its formants by `formant_ratio` (1.15 makes a man's vocal tract a woman's). Unvoiced sounds keep their
    pitch. A line with no voiced frame only gets its time and formants changed.

    Raises:
        VoiceError: a factor is outside what TD-PSOLA can do without tearing the sound.
    """
    for name, value, low, high in (("pitch_ratio", pitch_ratio, 0.25, 4.0), ("range_scale", range_scale, 0.0, 4.0),
                                   ("time_scale", time_scale, 0.25, 4.0), ("formant_ratio", formant_ratio, 0.5, 2.0)):  # fmt: skip
        if not low <= value <= high:
            raise VoiceError(f"{name} {value} must be from {low} to {high}.")
    if audio.size == 0:
        return audio
    track = pitch_track(audio, sample_rate)
    # The centre is taken on the bridged contour, which PSOLA makes voiced throughout: its median is what the
    # result's voiced frames will have (creaky stretches YIN skips in the input come out periodic).
    contour = track.contour()
    centre = float(np.median(contour[contour > 0])) if track.median() > 0 else 0.0
    if centre > 0 and target_hz is not None:
        pitch_ratio = float(np.clip(target_hz / centre, 0.25, 4.0))
    # The formant shift resamples the result, which also raises its pitch and shortens it: PSOLA leaves that part.
    psola_pitch, psola_time = pitch_ratio / formant_ratio, time_scale * formant_ratio
    if centre > 0 and (abs(psola_pitch - 1) > 1e-3 or abs(range_scale - 1) > 1e-3 or abs(psola_time - 1) > 1e-3):
        out = _psola(audio, track, centre, psola_pitch, range_scale, psola_time)
    elif abs(psola_time - 1) > 1e-3:
        out = _resample(audio, int(round(audio.size * psola_time)))  # nothing voiced: a plain stretch will do
    else:
        out = audio
    if abs(formant_ratio - 1) > 1e-3:
        out = _resample(out, int(round(out.size / formant_ratio)))
    if target_hz is not None and centre > 0:
        # What is heard can still sit off the target where the contour bridged a long creak: one small move more.
        after = pitch_track(out, sample_rate)
        heard = after.median()
        if heard > 0 and abs(np.log2(target_hz / heard)) > 0.2 / 12:
            out = _psola(out, after, heard, float(np.clip(target_hz / heard, 0.5, 2.0)), 1.0, 1.0)
    return out


def _psola(audio: Audio, track: PitchTrack, centre: float, pitch_ratio: float, range_scale: float,
           time_scale: float) -> Audio:  # fmt: skip
    marks, periods, voiced = _pitch_marks(audio, track)
    f0 = np.where(voiced, track.sample_rate / np.maximum(periods, 1), 0.0)
    # The new F0 of each voiced mark: its distance from the median (in semitones) scaled, then moved as a whole.
    wanted = np.where(voiced, centre * pitch_ratio * (np.maximum(f0, 1) / centre) ** range_scale, 0.0)
    ratio = np.where(voiced, np.clip(wanted / np.maximum(f0, 1), 0.25, 4.0), 1.0)
    length = int(round(audio.size * time_scale))
    pad = int(periods.max()) + 1
    out = np.zeros(length + 2 * pad)
    weight = np.zeros_like(out)
    t_out = float(marks[0]) * time_scale
    while t_out < length:
        k = min(int(np.searchsorted(marks, t_out / time_scale)), len(marks) - 1)
        if k > 0 and abs(marks[k - 1] - t_out / time_scale) < abs(marks[k] - t_out / time_scale):
            k -= 1
        mark, period = int(marks[k]), int(periods[k])
        lo, hi = max(0, mark - period), min(audio.size, mark + period + 1)
        window = np.hanning(2 * period + 1)[lo - (mark - period) : hi - (mark - period)]
        at = int(round(t_out)) + pad - (mark - lo)
        out[at : at + hi - lo] += audio[lo:hi] * window
        weight[at : at + hi - lo] += window
        t_out += period / ratio[k]
    return (out / np.maximum(weight, 1.0))[pad : pad + length]


def _resample(audio: Audio, length: int) -> Audio:
    """Band-limited resampling to `length` samples (FFT: low-passes before shortening, so nothing aliases)."""
    length = max(1, length)
    spectrum = np.fft.rfft(audio)
    bins = length // 2 + 1
    if bins <= spectrum.size:
        spectrum = spectrum[:bins]
    else:
        spectrum = np.concatenate([spectrum, np.zeros(bins - spectrum.size, dtype=spectrum.dtype)])
    return np.fft.irfft(spectrum, length) * (length / audio.size)
