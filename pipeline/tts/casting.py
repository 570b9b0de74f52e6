"""Casting: a voice for every character of a project, each apart from all the others and from the narrator.

Gender and age group come from what the script says of a character, as `pipeline.appearance` reads it (its
attributes, looks and name: 女/male, 小学生/kid, 高中生/teen, 爷爷/old, a Fountain intro's "(40s, ...)"); they
choose the engine's voice, a pitch range, the pace and, for one neural voice speaking for many, how far its formants
move. The cast is then placed in order (the creator's pinned pitches first, the narrator next, then the characters
in the order they were added) on the shared pitch scale: each takes the free slot nearest its own, at least `GAP`
points (3.3 semitones) from every other voice, else `MIN_GAP` (2.9 semitones) a little outside its range, else a
pitch of its own among voices of its variant. Adding a character never moves those before it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import lru_cache

from pipeline.appearance import appearance_of
from pipeline.models import Character
from pipeline.tts.base import NARRATOR, VOICE_KEYS, VOICE_PITCH, VOICE_VARIANTS, VoiceAge, VoiceGender, VoiceProfile

NARRATOR_KEY = ""  # the narrator's entry in a cast: no character has an empty name
GAP, MIN_GAP = 9, 8  # points of the pitch scale: 3.3 and 2.9 semitones

# Where each kind of voice sits on the shared scale (pitch points, inclusive): 50 = 143 Hz, 66 = 200 Hz.
PITCH_RANGES: dict[tuple[VoiceGender, VoiceAge], tuple[int, int]] = {
    ("male", "child"): (72, 82), ("male", "teen"): (44, 54), ("male", "adult"): (30, 46), ("male", "elder"): (18, 28),
    ("female", "child"): (78, 88), ("female", "teen"): (66, 76), ("female", "adult"): (60, 72),
    ("female", "elder"): (52, 62),
}  # fmt: skip
_NARRATOR_RANGE = (34, 50)
AGE_SPEED: dict[VoiceAge, float] = {"child": 1.06, "teen": 1.03, "adult": 1.0, "elder": 0.86}


def voice_traits(character: Character) -> tuple[VoiceGender, VoiceAge]:
    """Gender and age group as `appearance_of` reads them from the script (an explicit attribute first, then the
    words, then the name; a stated age before any age word); male and adult where the script says nothing."""
    looks = appearance_of(character)
    return looks.gender or "male", looks.age_group or "adult"


def _digest(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")


def _overrides(character: Character) -> dict[str, object]:
    return {k: v for k, v in (character.voice or {}).items() if k in VOICE_KEYS and v is not None}


def voice_for(character: Character | None) -> VoiceProfile:
    """The voice a character has on its own: by gender and age, with a little of its name in pitch, variant and
    pace, then the creator's overrides (`character.voice`) on top. A gender override without a pitch moves the pitch
    to that gender's range. The narrator's for None."""
    if character is None:
        return NARRATOR
    overrides = _overrides(character)
    gender, age = voice_traits(character)
    if overrides.get("gender") in ("male", "female"):
        gender = overrides["gender"]  # type: ignore[assignment]  # checked on the line above
    digest = _digest(character.name)
    low, high = PITCH_RANGES[(gender, age)]
    pitch = (low + high) // 2 + digest % 5 - 2
    speed = round(AGE_SPEED[age] * (0.98 + (digest >> 8) % 5 / 100), 2)
    derived = VoiceProfile(gender=gender, variant=1 + (digest >> 16) % 4, pitch=pitch, speed=speed, age=age)
    return replace(derived, **{k: v for k, v in overrides.items() if k != "gender"})  # type: ignore[arg-type]


def cast_voices(characters: Mapping[str, Character] | Iterable[Character]) -> dict[str, VoiceProfile]:
    """A voice for every character of a cast, each apart from every other (see the module's docstring), and the
    narrator's under `NARRATOR_KEY`. The creator's overrides win: a pinned pitch or variant is kept as it is."""
    cast = list(characters.values()) if isinstance(characters, Mapping) else list(characters)
    # Every shot's voice and hash asks for the cast: the same cast is placed once.
    key = json.dumps([[c.name, c.attributes, c.appearance, c.voice] for c in cast], sort_keys=True, default=str)
    return dict(_cast_cached(key))


@lru_cache(maxsize=64)
def _cast_cached(key: str) -> tuple[tuple[str, VoiceProfile], ...]:
    cast = [Character(name, attributes, appearance, voice) for name, attributes, appearance, voice in json.loads(key)]
    placed: list[VoiceProfile] = []
    voices: dict[str, VoiceProfile] = {}
    pinned = [c for c in cast if "pitch" in _overrides(c)]
    for character in pinned:
        voices[character.name] = voice_for(character)
        placed.append(voices[character.name])
    voices[NARRATOR_KEY] = _place(NARRATOR, _NARRATOR_RANGE, placed, keep_variant=True)
    placed.append(voices[NARRATOR_KEY])
    for character in cast:
        if character.name in voices:
            continue
        own = voice_for(character)
        keep_variant = "variant" in _overrides(character)
        voices[character.name] = _place(own, PITCH_RANGES[(own.gender, own.age)], placed, keep_variant=keep_variant)
        placed.append(voices[character.name])
    return tuple((name, voices[name]) for name in [NARRATOR_KEY, *(c.name for c in cast)])


def _place(voice: VoiceProfile, pitch_range: tuple[int, int], placed: list[VoiceProfile], *,
           keep_variant: bool) -> VoiceProfile:  # fmt: skip
    """`voice` moved to the free pitch nearest its own, on a variant its family has not used yet where one is left."""
    family = [p for p in placed if voice_family(p) == voice_family(voice)]
    if not keep_variant:
        used = {p.variant for p in family}
        free = [v for v in range(VOICE_VARIANTS[0], VOICE_VARIANTS[1] + 1) if v not in used]
        if free and voice.variant in used:
            voice = replace(voice, variant=free[(voice.variant - 1) % len(free)])
    low, high = pitch_range
    candidates = sorted(range(VOICE_PITCH[0], VOICE_PITCH[1] + 1), key=lambda p: (abs(p - voice.pitch), p))
    same_variant = [p for p in family if p.variant == voice.variant]
    for others, gap, widen in ((placed, GAP, 0), (placed, MIN_GAP, MIN_GAP + 2), (same_variant, MIN_GAP, 0)):
        for pitch in candidates:
            if low - widen <= pitch <= high + widen and all(abs(pitch - o.pitch) >= gap for o in others):
                return replace(voice, pitch=pitch)
    return voice  # a cast this large shares pitches; its variants still tell its voices apart


def voice_family(voice: VoiceProfile) -> str:
    """Which of an engine's voice families speaks it: children speak with the female one, whatever their gender."""
    return "female" if voice.gender == "female" or voice.age == "child" else "male"
