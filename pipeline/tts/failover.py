"""FailoverTTSBackend: each line to the engine chosen for it (the character's, else the project's, else `auto`), and
to espeak-ng when that engine fails or gives silence — never a silent line. The clip says who spoke and why."""

from __future__ import annotations

import logging
import wave
from collections.abc import Mapping
from dataclasses import replace

from pipeline.errors import PipelineError, VoiceError
from pipeline.models import VoiceClip
from pipeline.tts.base import TTS_ENGINES, TTSBackend, VoiceRequest
from pipeline.tts.dsp import read_wav, rms_dbfs

logger = logging.getLogger(__name__)

ENGINE_CHOICES = ("auto", *TTS_ENGINES)
SILENCE_DBFS = -50.0  # a clip quieter than this over its whole length says nothing


def check_engine_choice(choice: str, available: Mapping[str, TTSBackend]) -> str:
    """`choice` if it is `auto` or an engine in `available`.

    Raises:
        VoiceError: the choice is unknown, or names an engine that is not set up.
    """
    if choice not in ENGINE_CHOICES:
        raise VoiceError(f"TTS engine {choice!r} must be one of {', '.join(ENGINE_CHOICES)}.")
    if choice != "auto" and choice not in available:
        raise VoiceError(f"TTS engine {choice!r} is not set up here; set up {', '.join(available)} or choose auto.")
    return choice


class FailoverTTSBackend:
    name = "failover"

    def __init__(self, engines: Mapping[str, TTSBackend], *, fallback: TTSBackend, default: str = "auto") -> None:
        """`engines` by name (espeak, piper, coqui: those set up); `fallback` speaks whatever they could not;
        `default` is the project's choice: an engine's name, or `auto` (coqui where it is set up, else Piper for
        English lines and espeak-ng for the rest)."""
        self.engines = dict(engines)
        self.fallback = fallback
        self.default = check_engine_choice(default, {**self.engines, fallback.name: fallback})

    def choose(self, request: VoiceRequest) -> str:
        """The engine meant to speak the line: the voice's own choice, else the project's, resolved for `auto`."""
        chosen = request.voice.engine or self.default
        if chosen != "auto":
            return chosen
        if "coqui" in self.engines:
            return "coqui"
        return "piper" if request.language == "en" and "piper" in self.engines else self.fallback.name

    def synthesize(self, request: VoiceRequest, out_path: str) -> VoiceClip:
        """Raises VoiceError (or MissingToolError) only when espeak-ng cannot speak the line either."""
        name = self.choose(request)
        engine = self.engines.get(name) or (self.fallback if name == self.fallback.name else None)
        if engine is None:
            reason = f"{name} is not set up here"
        else:
            try:
                clip = _audible(engine.synthesize(request, out_path))
                return replace(clip, engine=name, fallback="")
            except PipelineError as exc:
                if engine is self.fallback:
                    raise
                reason = str(exc)
                logger.warning("%s could not voice %r (%s); espeak-ng speaks it", name, request.text[:30], exc.detail)
            except Exception as exc:  # an engine's own bug must not cost a line its voice
                if engine is self.fallback:
                    raise
                reason = f"{type(exc).__name__}: {exc}"
                logger.exception("%s failed on %r; espeak-ng speaks it", name, request.text[:30])
        clip = _audible(self.fallback.synthesize(request, out_path))
        return replace(clip, engine=self.fallback.name, fallback=f"{name} failed: {reason}"[:300])


def _audible(clip: VoiceClip) -> VoiceClip:
    """The clip, when it has sound in it.

    Raises:
        VoiceError: it is silent (or unreadable), so the line would be heard as nothing.
    """
    try:
        audio, _ = read_wav(clip.path)
    except (wave.Error, EOFError, OSError) as exc:
        raise VoiceError("the voice clip cannot be read as a WAV.", detail=repr(exc)) from exc
    level = rms_dbfs(audio)
    if level < SILENCE_DBFS:
        raise VoiceError(f"the voice came out silent ({level:.0f} dBFS).")
    return clip
