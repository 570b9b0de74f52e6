"""The engines behind the TTS contract — Piper's neural voice from its wheel, coqui-tts on a tiny random VITS built
here, espeak-ng — and the failover that gives every line audible speech when the chosen engine is broken."""

from __future__ import annotations

import os
import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import MissingToolError, VoiceError
from pipeline.models import VoiceClip
from pipeline.tts.base import VoiceProfile, VoiceRequest
from pipeline.tts.coqui import CoquiModel, CoquiTTSBackend, coqui_arguments
from pipeline.tts.espeak import EspeakTTSBackend
from pipeline.tts.failover import FailoverTTSBackend, check_engine_choice
from pipeline.tts.piper import PiperTTSBackend, default_voice
from tests.voices import duration, f0_frames, rms, semitones

EN = VoiceRequest("Dinner is ready, everyone come and sit down.", "en", VoiceProfile("male", 1, 40))
ZH = VoiceRequest("饭做好了，快来吃吧。", "zh", VoiceProfile("female", 2, 66))
SPEECH_RMS = 300  # 16-bit units: any of these engines' speech is far above; silence is 0


def _failover(default: str = "auto", **engines) -> FailoverTTSBackend:
    espeak = EspeakTTSBackend()
    return FailoverTTSBackend({"espeak": espeak, **engines}, fallback=espeak, default=default)


# -- Piper -------------------------------------------------------------------------------------------------------


def test_piper_speaks_english_in_the_voice_asked_for(tmp_path) -> None:
    backend = PiperTTSBackend()
    frames = []
    for voice in (VoiceProfile("male", 1, 30), VoiceProfile("female", 1, 70)):
        path = str(tmp_path / f"{voice.gender}.wav")
        clip = backend.synthesize(VoiceRequest(EN.text, "en", voice), path)
        assert clip.engine == "piper" and 1.5 < clip.duration < 6 and rms(path) > SPEECH_RMS
        frames.append(f0_frames(path))
        assert semitones(float(np.median(frames[-1])), voice.hz) < 1.0, voice
    with wave.open(str(tmp_path / "male.wav")) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (22050, 1, 2)
    slow = backend.synthesize(VoiceRequest(EN.text, "en", VoiceProfile(speed=0.6)), str(tmp_path / "slow.wav"))
    assert slow.duration > duration(str(tmp_path / "male.wav")) * 1.4


def test_piper_refuses_what_it_cannot_say(tmp_path) -> None:
    with pytest.raises(VoiceError, match="speaks 'en' only"):
        PiperTTSBackend().synthesize(ZH, str(tmp_path / "v.wav"))
    with pytest.raises(VoiceError, match="empty"):
        PiperTTSBackend().synthesize(VoiceRequest(" ", "en", VoiceProfile()), str(tmp_path / "v.wav"))


def _garbage_piper_voice(tmp_path: Path) -> str:
    """A Piper voice file that is garbage, beside a real config."""
    model = tmp_path / "broken.onnx"
    model.write_bytes(os.urandom(4096))
    shutil.copyfile(default_voice()[1], tmp_path / "broken.onnx.json")
    return str(model)


def test_a_broken_piper_voice_is_a_voice_error_naming_the_fix(tmp_path) -> None:
    with pytest.raises(VoiceError, match=r"broken.onnx cannot be loaded: replace the file"):
        PiperTTSBackend(_garbage_piper_voice(tmp_path)).synthesize(EN, str(tmp_path / "v.wav"))
    with pytest.raises(VoiceError, match=r"does not exist: set COMICREEL_PIPER_MODEL_PATH"):
        PiperTTSBackend(str(tmp_path / "missing.onnx")).synthesize(EN, str(tmp_path / "v.wav"))


# -- the failover ------------------------------------------------------------------------------------------------


def test_auto_gives_english_to_piper_and_chinese_to_espeak(tmp_path) -> None:
    backend = _failover(piper=PiperTTSBackend())
    english = backend.synthesize(EN, str(tmp_path / "en.wav"))
    chinese = backend.synthesize(ZH, str(tmp_path / "zh.wav"))
    assert (english.engine, english.fallback, chinese.engine, chinese.fallback) == ("piper", "", "espeak", "")
    # A character's own engine wins over the project's.
    own = backend.synthesize(VoiceRequest(EN.text, "en", VoiceProfile(engine="espeak")), str(tmp_path / "own.wav"))
    assert (own.engine, own.fallback) == ("espeak", "")
    project_choice = _failover(piper=PiperTTSBackend(), default="espeak")
    assert project_choice.synthesize(EN, str(tmp_path / "p.wav")).engine == "espeak"


def test_a_broken_piper_voice_fails_over_to_audible_espeak(tmp_path) -> None:
    backend = _failover(piper=PiperTTSBackend(_garbage_piper_voice(tmp_path)))
    path = str(tmp_path / "v.wav")
    clip = backend.synthesize(EN, path)
    assert clip.engine == "espeak" and rms(path) > SPEECH_RMS and clip.duration > 1.0
    assert clip.fallback.startswith("piper failed: The Piper voice broken.onnx cannot be loaded"), clip.fallback


def test_a_coqui_model_that_is_not_there_fails_over_to_audible_espeak(tmp_path) -> None:
    backend = _failover(coqui=CoquiTTSBackend(str(tmp_path / "nope.pth"), str(tmp_path / "config.json")),
                        default="coqui")  # fmt: skip
    for request in (EN, ZH):
        path = str(tmp_path / f"{request.language}.wav")
        clip = backend.synthesize(request, path)
        assert clip.engine == "espeak" and rms(path) > SPEECH_RMS
        assert "coqui failed" in clip.fallback and "COMICREEL_COQUI_MODEL_PATH" in clip.fallback


class _CrashingEngine:
    """An engine with a bug of its own: not one of the pipeline's errors."""

    name = "piper"

    def synthesize(self, request: VoiceRequest, out_path: str) -> VoiceClip:
        raise RuntimeError("onnxruntime: bad allocation")


class _SilentEngine:
    """An engine that 'succeeds' with a second of digital silence."""

    name = "piper"

    def synthesize(self, request: VoiceRequest, out_path: str) -> VoiceClip:
        with wave.open(out_path, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(22050)
            w.writeframes(b"\0\0" * 22050)
        return VoiceClip(out_path, 1.0)


@pytest.mark.parametrize("engine, reason", [
    (_CrashingEngine(), "piper failed: RuntimeError: onnxruntime: bad allocation"),
    (_SilentEngine(), "piper failed: the voice came out silent"),
])  # fmt: skip
def test_any_engine_failure_and_silence_fail_over(tmp_path, engine, reason) -> None:
    path = str(tmp_path / "v.wav")
    clip = _failover(piper=engine).synthesize(EN, path)
    assert clip.engine == "espeak" and clip.fallback.startswith(reason) and rms(path) > SPEECH_RMS


def test_an_engine_not_set_up_fails_over_and_espeak_failing_is_an_error(tmp_path) -> None:
    clip = _failover().synthesize(VoiceRequest(EN.text, "en", VoiceProfile(engine="coqui")), str(tmp_path / "v.wav"))
    assert (clip.engine, clip.fallback) == ("espeak", "coqui failed: coqui is not set up here")
    missing = EspeakTTSBackend(binary="no-such-espeak")
    broken = FailoverTTSBackend({"piper": _CrashingEngine()}, fallback=missing)
    with pytest.raises(MissingToolError, match="apt-get install espeak-ng"):
        broken.synthesize(EN, str(tmp_path / "v.wav"))  # never a silent clip


def test_engine_choices_are_checked() -> None:
    with pytest.raises(VoiceError, match="TTS engine 'festival' must be one of auto, espeak, piper, coqui"):
        _failover(default="festival")
    with pytest.raises(VoiceError, match="'coqui' is not set up here"):
        check_engine_choice("coqui", {"espeak": EspeakTTSBackend()})


# -- coqui-tts ---------------------------------------------------------------------------------------------------

HANZI = "饭做好了快来吃吧我年轻的时候可没有这么好日子你世界是小明"


@pytest.fixture(scope="module")
def tiny_vits(tmp_path_factory) -> tuple[str, str]:
    """A random VITS small enough to build in a second: a character tokenizer (no phonemizer) over Latin letters
    and Hanzi, saved as a checkpoint and config.json the way coqui-tts loads a model from disk."""
    if not os.environ.get("CI"):
        pytest.importorskip("TTS.api", reason="coqui-tts is an optional extra: bash scripts/install_coqui.sh")
    import torch
    from TTS.tts.configs.shared_configs import BaseAudioConfig, CharactersConfig
    from TTS.tts.configs.vits_config import VitsArgs, VitsConfig
    from TTS.tts.models.vits import Vits

    letters = "".join(sorted(set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'" + HANZI)))
    config = VitsConfig(
        model_args=VitsArgs(
            hidden_channels=16, hidden_channels_ffn_text_encoder=32, num_heads_text_encoder=1,
            num_layers_text_encoder=1, num_layers_posterior_encoder=1, num_layers_flow=1,
            resblock_kernel_sizes_decoder=[3], resblock_dilation_sizes_decoder=[[1, 3, 5]],
            upsample_rates_decoder=[16, 16], upsample_initial_channel_decoder=16,
            upsample_kernel_sizes_decoder=[32, 32], use_sdp=False, init_discriminator=False, spec_segment_size=8,
        ),
        audio=BaseAudioConfig(sample_rate=16000, fft_size=512, win_length=512, hop_length=256, num_mels=40),
        use_phonemes=False, text_cleaner="no_cleaners", add_blank=False, test_sentences=[],
        characters=CharactersConfig(characters_class="TTS.tts.utils.text.characters.Graphemes", pad="_", eos="~",
                                    bos="^", blank="@", characters=letters, punctuations="!,.? 。，！？"),
    )  # fmt: skip
    config.model_args.out_channels = config.audio.fft_size // 2 + 1
    torch.manual_seed(0)
    model = Vits(config)
    folder = tmp_path_factory.mktemp("vits")
    torch.save({"model": model.state_dict()}, folder / "model.pth")
    config.save_json(str(folder / "config.json"))
    return str(folder / "model.pth"), str(folder / "config.json")


def test_coqui_voices_english_and_chinese_offline(tmp_path, tiny_vits) -> None:
    backend = CoquiTTSBackend(*tiny_vits)
    lengths = {}
    for name, request in (("en", EN), ("zh", ZH), ("zh_short", VoiceRequest("你好。", "zh", VoiceProfile())),
                          ("zh_long", VoiceRequest(HANZI * 2 + "。", "zh", VoiceProfile())),
                          ("en_slow", VoiceRequest(EN.text, "en", VoiceProfile(speed=0.5)))):  # fmt: skip
        path = str(tmp_path / f"{name}.wav")
        clip = backend.synthesize(request, path)
        assert clip.engine == "coqui" and rms(path) > SPEECH_RMS, name
        lengths[name] = clip.duration
    assert lengths["zh_long"] > lengths["zh_short"] * 2  # the Hanzi are read (in the character set), not dropped
    assert lengths["en_slow"] == pytest.approx(lengths["en"] * 2, rel=0.05)
    # Through the failover: auto picks coqui once it is set up, for both languages.
    routed = _failover(coqui=CoquiTTSBackend(*tiny_vits), piper=PiperTTSBackend())
    for request in (EN, ZH):
        assert routed.synthesize(request, str(tmp_path / "f.wav")).engine == "coqui"


def test_coqui_arguments_clone_with_xtts_and_pick_speakers_and_languages(tmp_path) -> None:
    clip = tmp_path / "ming.wav"
    clip.write_bytes(b"RIFF")
    xtts = CoquiModel("xtts", speakers=("Ana Florence",), languages=("en", "zh-cn"))
    own = VoiceRequest("你好", "zh", VoiceProfile(voice_id=str(clip)))
    assert coqui_arguments(xtts, own, "/default.wav") == {"language": "zh-cn", "speaker_wav": str(clip)}
    assert coqui_arguments(xtts, EN, "/default.wav") == {"language": "en", "speaker_wav": "/default.wav"}
    assert coqui_arguments(xtts, EN) == {"language": "en", "speaker": "Ana Florence"}  # no clip: its own speaker
    with pytest.raises(VoiceError, match="COMICREEL_COQUI_SPEAKER_WAV"):
        coqui_arguments(CoquiModel("xtts", languages=("en",)), EN)
    many = CoquiModel("vits", speakers=("p225", "p226", "p227"))
    assert coqui_arguments(many, VoiceRequest("hi", "en", VoiceProfile(variant=2))) == {"speaker": "p226"}
    assert coqui_arguments(many, VoiceRequest("hi", "en", VoiceProfile(voice_id="p227"))) == {"speaker": "p227"}
    with pytest.raises(VoiceError, match="speaks en, fr, not 'zh'"):
        coqui_arguments(CoquiModel("vits", languages=("en", "fr")), ZH)
    assert coqui_arguments(CoquiModel("vits"), ZH) == {}
