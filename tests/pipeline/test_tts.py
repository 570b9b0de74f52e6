from __future__ import annotations

import wave

import numpy as np
import pytest

from pipeline.errors import MissingToolError, VoiceError
from pipeline.models import Character
from pipeline.tts.base import VoiceProfile, VoiceRequest, check_voice, hz_pitch, pitch_hz, voice_for
from pipeline.tts.dsp import pitch_track, read_wav, reshape_voice, write_wav
from pipeline.tts.espeak import EspeakTTSBackend, to_numbered_pinyin
from pipeline.tts.prosody import NEUTRAL, prosody_for
from tests.voices import f0_spread, median_f0, semitones


def _rms(path: str) -> float:
    with wave.open(path, "rb") as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(float)
    return float(np.sqrt((data**2).mean()))


def test_numbered_pinyin() -> None:
    assert to_numbered_pinyin("你好，世界。") == "ni3 hao3 , shi4 jie4 ."
    assert to_numbered_pinyin("我的OK") == "wo3 de5 OK"


@pytest.mark.parametrize(
    "text, language", [("其实，我一直想和你一起回家。", "zh"), ("Not tonight. Not on my watch.", "en")]
)
def test_espeak_voices_a_line(tmp_path, text, language) -> None:
    clip = EspeakTTSBackend().synthesize(
        VoiceRequest(text=text, language=language, voice=voice_for(None)), str(tmp_path / "v.wav")
    )
    assert 1.0 < clip.duration < 10.0
    assert _rms(clip.path) > 300  # speech, not silence


def test_voices_differ_per_character() -> None:
    ming = voice_for(Character("小明", {"gender": "男"}))
    hong = voice_for(Character("小红", {"gender": "女"}))
    assert (ming.gender, hong.gender) == ("male", "female") and hong.pitch > ming.pitch
    assert voice_for(Character("小明", {"gender": "男"})) == ming


def test_errors(tmp_path) -> None:
    with pytest.raises(VoiceError, match="empty"):
        EspeakTTSBackend().synthesize(
            VoiceRequest(text="  ", language="en", voice=voice_for(None)), str(tmp_path / "v.wav")
        )
    with pytest.raises(MissingToolError, match="apt-get install espeak-ng"):
        EspeakTTSBackend(binary="no-such-espeak").synthesize(
            VoiceRequest(text="hi", language="en", voice=voice_for(None)), str(tmp_path / "v.wav")
        )


def test_check_voice_takes_an_engine_and_names_the_choices() -> None:
    assert check_voice({"engine": "piper", "pitch": 40}) == {"engine": "piper", "pitch": 40}
    assert check_voice({"engine": None}) == {}  # not set: the project's engine
    with pytest.raises(VoiceError, match=r"voice.engine 'festival' must be one of espeak, piper, coqui"):
        check_voice({"engine": "festival"})


def test_the_pitch_scale_is_shared_and_musical() -> None:
    assert pitch_hz(0) == 50.0 and pitch_hz(33) == pytest.approx(100.0) and pitch_hz(99) == pytest.approx(400.0)
    assert hz_pitch(pitch_hz(57.5)) == pytest.approx(57.5)


def test_espeak_lands_on_the_voice_pitch(tmp_path) -> None:
    """The calibrated -p (and the correction after it) puts a line's median F0 on its voice's pitch, for the male
    and female variants, in both languages."""
    for language, text in (("en", "I have waited for this letter for thirty years."), ("zh", "这封信，我等了三十年。")):
        for voice in (VoiceProfile("male", 2, 30), VoiceProfile("male", 1, 48), VoiceProfile("female", 3, 70),
                      VoiceProfile("male", 4, 82, age="child")):  # fmt: skip
            path = str(tmp_path / "v.wav")
            EspeakTTSBackend().synthesize(VoiceRequest(text=text, language=language, voice=voice), path)  # type: ignore[arg-type]
            assert semitones(median_f0(path), voice.hz) < 1.0, (language, voice)


def _espeak_line(tmp_path, name: str = "line.wav") -> tuple[np.ndarray, int]:
    path = str(tmp_path / name)
    EspeakTTSBackend().synthesize(VoiceRequest("Where did you put the keys? I told you twice.", "en", VoiceProfile()), path)
    return read_wav(path)


def test_reshape_moves_the_pitch_keeps_the_length_and_raises_formants(tmp_path) -> None:
    audio, rate = _espeak_line(tmp_path)
    write_wav(str(tmp_path / "a.wav"), audio, rate)
    for target, formants in ((200.0, 1.15), (80.0, 1.0), (290.0, 1.25)):
        moved = reshape_voice(audio, rate, target_hz=target, formant_ratio=formants)
        write_wav(str(tmp_path / "b.wav"), moved, rate)
        assert semitones(median_f0(str(tmp_path / "b.wav")), target) < 0.7, target
        assert abs(moved.size - audio.size) < rate * 0.02  # the pace is the line's own
    # Formants: the spectral envelope moves up by their ratio, at the same pitch.
    same = reshape_voice(audio, rate, target_hz=200.0)
    for formants in (1.0, 1.15, 1.25):
        raised = reshape_voice(audio, rate, target_hz=200.0, formant_ratio=formants)
        assert _envelope_shift(same, raised, rate) == pytest.approx(formants, abs=0.04)


def _envelope_shift(a: np.ndarray, b: np.ndarray, rate: int) -> float:
    """By what factor b's smoothed long-term spectrum sits higher than a's (best match on a log-frequency axis)."""
    grid = np.geomspace(300, 6000, 400)

    def envelope(x: np.ndarray) -> np.ndarray:
        frames = np.lib.stride_tricks.sliding_window_view(x, 1024)[::256] * np.hanning(1024)
        power = (np.abs(np.fft.rfft(frames, axis=1)) ** 2).mean(axis=0)
        log = np.log(np.interp(grid, np.fft.rfftfreq(1024, 1 / rate), power) + 1e-12)
        return np.convolve(log - log.mean(), np.ones(15) / 15, "same")

    ea, eb = envelope(a), envelope(b)
    best = max(range(-40, 41), key=lambda lag: float(ea[50:-50] @ np.roll(eb, -lag)[50:-50]))
    return float((grid[1] / grid[0]) ** best)


def test_reshape_scales_the_melody_and_the_pace(tmp_path) -> None:
    audio, rate = _espeak_line(tmp_path)
    spreads = {}
    for scale in (0.4, 1.0, 2.0):
        write_wav(str(tmp_path / "s.wav"), reshape_voice(audio, rate, range_scale=scale), rate)
        spreads[scale] = f0_spread(str(tmp_path / "s.wav"))
    assert spreads[0.4] < spreads[1.0] * 0.7 and spreads[2.0] > spreads[1.0] * 1.3, spreads
    slow = reshape_voice(audio, rate, time_scale=1.5)
    write_wav(str(tmp_path / "slow.wav"), slow, rate)
    write_wav(str(tmp_path / "a.wav"), audio, rate)
    assert slow.size == pytest.approx(audio.size * 1.5, rel=0.01)
    assert semitones(median_f0(str(tmp_path / "slow.wav")), median_f0(str(tmp_path / "a.wav"))) < 0.5  # same pitch
    with pytest.raises(VoiceError, match="time_scale 9 must be from 0.25 to 4.0"):
        reshape_voice(audio, rate, time_scale=9)


def test_a_line_without_voice_is_only_stretched() -> None:
    noise = np.random.default_rng(0).normal(0, 0.1, 22050)
    assert pitch_track(noise, 22050).median() == 0.0
    assert reshape_voice(noise, 22050, target_hz=200, time_scale=2.0).size == 44100


@pytest.mark.parametrize("emotion, wider, higher, faster, louder", [
    ("开心", True, True, True, None), ("happy", True, True, True, None), ("激动", True, True, True, True),
    ("伤心", False, False, False, False), ("sad", False, False, False, False), ("生气", True, None, True, True),
    ("furious", True, None, True, True), ("害怕", True, True, True, None), ("scared", True, True, True, None),
    ("害羞", False, False, False, False), ("whispering", False, False, False, False),
])  # fmt: skip
def test_emotions_have_a_prosody(emotion, wider, higher, faster, louder) -> None:
    p = prosody_for(emotion)
    for wanted, value, neutral in ((wider, p.range, 1.0), (higher, p.pitch, 0.0), (faster, p.rate, 1.0),
                                   (louder, p.volume, 1.0)):  # fmt: skip
        if wanted is not None:
            assert (value > neutral) == wanted, (emotion, p)
    assert prosody_for(None) == prosody_for("") == prosody_for("pensive") == NEUTRAL
