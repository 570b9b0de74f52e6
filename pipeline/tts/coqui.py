"""CoquiTTSBackend: any coqui-tts model (the maintained fork, `from TTS.api import TTS`) from a model and config
path, offline; XTTS v2 clones a character's voice from its reference clip. An optional extra:
`pip install -e ".[coqui]"` (see scripts/test.sh for the torch, torchaudio and torchcodec quirks)."""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import MissingToolError, VoiceError
from pipeline.models import VoiceClip
from pipeline.tts.base import VoiceRequest, wav_duration
from pipeline.tts.dsp import read_wav, reshape_voice, write_wav
from pipeline.tts.prosody import prosody_for

logger = logging.getLogger(__name__)

_LANGUAGES = {"zh": ("zh-cn", "zh", "cmn"), "en": ("en", "en-us", "en_US")}  # what coqui models call ours


@dataclass(frozen=True)
class CoquiModel:
    """What decides the arguments of a line: the model's kind ('xtts', 'vits'...), its speakers and languages."""

    kind: str
    speakers: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    @property
    def clones(self) -> bool:
        return self.kind == "xtts"


def coqui_arguments(model: CoquiModel, request: VoiceRequest, speaker_wav: str | None = None) -> dict[str, Any]:
    """The keyword arguments of `TTS.tts_to_file` for a line: XTTS clones the voice's reference clip (its
    `voice_id` when that is an audio file, else `speaker_wav`) or speaks as one of its own speakers; a multi-speaker
    model speaks as the speaker the voice names, else the one its variant picks; a multilingual one in the line's
    language.

    Raises:
        VoiceError: the model does not speak the line's language, or XTTS has neither a clip nor a speaker.
    """
    args: dict[str, Any] = {}
    voice = request.voice
    if model.languages:
        spoken = [code for code in _LANGUAGES[request.language] if code in model.languages]
        if not spoken:
            raise VoiceError(f"The coqui model speaks {', '.join(model.languages)}, not {request.language!r}.")
        args["language"] = spoken[0]
    clip = voice.voice_id if voice.voice_id and os.path.isfile(voice.voice_id) else speaker_wav
    if model.clones and clip:
        args["speaker_wav"] = clip
    elif model.speakers:
        named = voice.voice_id if voice.voice_id in model.speakers else None
        args["speaker"] = named or model.speakers[(voice.variant - 1) % len(model.speakers)]
    elif model.clones:
        raise VoiceError("XTTS clones a voice from a reference clip: set COMICREEL_COQUI_SPEAKER_WAV (or give the "
                         "character a reference clip).")  # fmt: skip
    return args


class CoquiTTSBackend:
    name = "coqui"

    def __init__(self, model_path: str, config_path: str | None = None, speaker_wav: str | None = None) -> None:
        """`model_path`: a checkpoint file (or an XTTS folder); `config_path` None: config.json beside it;
        `speaker_wav`: the reference clip XTTS clones when a voice has none of its own. Nothing loads before the
        first line."""
        self._model_path = model_path
        self._config_path = config_path or str(Path(model_path).with_name("config.json"))
        self._speaker_wav = speaker_wav
        self._tts: Any = None
        self._model = CoquiModel(kind="")
        self._lock = threading.Lock()

    def synthesize(self, request: VoiceRequest, out_path: str) -> VoiceClip:
        text = request.text.strip()
        if not text:
            raise VoiceError("Nothing to say: the line is empty.")
        tts, model = self._load()
        args = coqui_arguments(model, request, self._speaker_wav)
        try:
            tts.tts_to_file(text=text, file_path=out_path, split_sentences=True, **args)
        except Exception as exc:  # torch and the model raise their own types
            raise VoiceError(f"coqui-tts could not voice {text[:30]!r}.", detail=repr(exc)) from exc
        profile, prosody = request.voice, prosody_for(request.emotion)
        audio, rate = read_wav(out_path)
        # A cloned or named speaker keeps its own pitch (it is the character's voice); a one-voice model is moved
        # onto the character's, like Piper's. Emotion and pace apply to both.
        own_voice = "speaker_wav" in args or "speaker" in args
        shaped = reshape_voice(
            audio, rate, target_hz=None if own_voice else profile.hz * 2 ** (prosody.pitch / 12),
            pitch_ratio=2 ** (prosody.pitch / 12), range_scale=prosody.range,
            time_scale=1.0 / (profile.speed * prosody.rate),
        )  # fmt: skip
        write_wav(out_path, shaped * min(1.25, prosody.volume), rate)
        return VoiceClip(path=out_path, duration=wav_duration(out_path), engine=self.name)

    def _load(self) -> tuple[Any, CoquiModel]:
        with self._lock:
            if self._tts is None:
                for path, what in ((self._model_path, "COMICREEL_COQUI_MODEL_PATH"),
                                   (self._config_path, "COMICREEL_COQUI_CONFIG_PATH")):  # fmt: skip
                    if not Path(path).exists():
                        raise VoiceError(f"The coqui model file {path} does not exist: set {what} to the model's "
                                         "checkpoint and config.json.")  # fmt: skip
                try:
                    from TTS.api import TTS
                except ImportError as exc:
                    raise MissingToolError('coqui-tts is not installed: pip install -e ".[coqui]" (see '
                                           "scripts/test.sh for torch).", detail=repr(exc)) from None  # fmt: skip
                try:
                    kind = str(json.loads(Path(self._config_path).read_text(encoding="utf-8")).get("model", ""))
                    tts = TTS(model_path=self._model_path, config_path=self._config_path, progress_bar=False)
                    model = CoquiModel(
                        kind=kind, speakers=tuple(tts.speakers or ()), languages=tuple(tts.languages or ())
                    )
                except Exception as exc:  # a broken checkpoint fails deep in torch or coqpit
                    raise VoiceError(f"The coqui model {Path(self._model_path).name} cannot be loaded: check "
                                     "COMICREEL_COQUI_MODEL_PATH and COMICREEL_COQUI_CONFIG_PATH.",
                                     detail=repr(exc)) from exc  # fmt: skip
                logger.info("loaded the coqui %s model %s", kind or "?", self._model_path)
                self._tts, self._model = tts, model
            return self._tts, self._model
