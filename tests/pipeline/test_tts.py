from __future__ import annotations

import wave

import numpy as np
import pytest

from pipeline.errors import MissingToolError, VoiceError
from pipeline.models import Character
from pipeline.tts.base import VoiceRequest, voice_for
from pipeline.tts.espeak import EspeakTTSBackend, to_numbered_pinyin


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
