"""The TTS backend contract: one WAV clip for one line, in a voice chosen per character; the voice settings a
creator may change, and the pitch scale every engine shares."""

from __future__ import annotations

import math
import wave
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol, get_args

from pipeline.errors import VoiceError
from pipeline.models import Character, VoiceClip

VoiceGender = Literal["male", "female"]
VOICE_GENDERS: tuple[str, ...] = get_args(VoiceGender)
VoiceAge = Literal["child", "teen", "adult", "elder"]
VOICE_AGES: tuple[str, ...] = get_args(VoiceAge)
VoiceEngine = Literal["espeak", "piper", "coqui"]
TTS_ENGINES: tuple[str, ...] = get_args(VoiceEngine)
VOICE_VARIANTS = (1, 4)  # inclusive ranges of what a creator may set
VOICE_PITCH = (0, 99)
VOICE_SPEED = (0.5, 2.0)
VOICE_KEYS = ("gender", "variant", "pitch", "speed", "engine")

# The pitch scale every engine follows: 0 is 50 Hz and every 33 points an octave up (99 is 400 Hz), so a semitone
# is 2.75 points wherever a voice sits.
PITCH_BASE_HZ = 50.0
PITCH_POINTS_PER_OCTAVE = 33.0


@dataclass(frozen=True)
class VoiceProfile:
    """A voice: `gender` and `age` pick the engine's voice, `variant` one of its variants, `pitch` (0-99 on the
    shared scale, see `pitch_hz`) where its median F0 sits, `speed` its pace (1.0 = normal); `engine` is the
    creator's choice of engine for it (None: the project's)."""

    gender: VoiceGender = "male"
    variant: int = 1
    pitch: int = 50
    speed: float = 1.0
    voice_id: str | None = None  # a backend-specific id (a coqui speaker, a reference clip) when set
    age: VoiceAge = "adult"
    engine: VoiceEngine | None = None

    @property
    def hz(self) -> float:
        return pitch_hz(self.pitch)


def pitch_hz(pitch: float) -> float:
    """The median F0 in Hz that a pitch on the shared 0-99 scale stands for."""
    return PITCH_BASE_HZ * 2.0 ** (pitch / PITCH_POINTS_PER_OCTAVE)


def semitones_apart(a: float, b: float) -> float:
    """How far apart two pitches of the shared scale are, in semitones."""
    return abs(a - b) * 12.0 / PITCH_POINTS_PER_OCTAVE


def hz_pitch(hz: float) -> float:
    """The point of the shared scale for a frequency (the inverse of `pitch_hz`)."""
    return PITCH_POINTS_PER_OCTAVE * math.log2(hz / PITCH_BASE_HZ)


@dataclass(frozen=True)
class VoiceRequest:
    text: str
    language: Literal["zh", "en"]
    voice: VoiceProfile
    emotion: str | None = None


class TTSBackend(Protocol):
    name: str

    def synthesize(self, request: VoiceRequest, out_path: str) -> VoiceClip:
        """Write a WAV for the line to `out_path`. Raises VoiceError."""
        ...


# The narrator: an unhurried middle male voice (120 Hz), leaving room for a lower and a higher man on either side.
NARRATOR = VoiceProfile(gender="male", variant=3, pitch=42, speed=0.95)


def check_voice(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The voice settings a creator chose, checked; returns them normalised (speed as a float).

    Raises:
        VoiceError: a key is unknown or a value is out of range; the message names the key and its range.
    """
    unknown = sorted(set(overrides) - set(VOICE_KEYS))
    if unknown:
        raise VoiceError(f"voice.{unknown[0]} is not a voice setting; use {', '.join(VOICE_KEYS)}.")
    out: dict[str, Any] = {}
    for key, value in overrides.items():
        if value is None:
            continue  # not set: the derived value applies
        if key in ("gender", "engine"):
            allowed = VOICE_GENDERS if key == "gender" else TTS_ENGINES
            if value not in allowed:
                raise VoiceError(f"voice.{key} {value!r} must be one of {', '.join(allowed)}.")
            out[key] = value
            continue
        low, high = {"variant": VOICE_VARIANTS, "pitch": VOICE_PITCH, "speed": VOICE_SPEED}[key]
        number_ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not number_ok or (key != "speed" and not isinstance(value, int)) or not low <= value <= high:
            kind = "a number" if key == "speed" else "a whole number"
            raise VoiceError(f"voice.{key} {value!r} must be {kind} from {low} to {high}.")
        out[key] = float(value) if key == "speed" else int(value)
    return out


def voice_for(character: Character | None) -> VoiceProfile:
    """The voice a character has on its own (see `pipeline.tts.casting.voice_for`); the narrator's for None. A
    project's lines use `cast_voices`, which keeps every character of the cast apart."""
    from pipeline.tts.casting import voice_for as cast_one  # casting builds on this module's types

    return cast_one(character)


def wav_duration(path: str) -> float:
    with wave.open(path, "rb") as wav:
        return wav.getnframes() / float(wav.getframerate())
