"""What one shot asks of the backends: its panel request (with a seed from its content) and its voice request, and
the hashes of those inputs, which say when a drawn panel or a voiced line no longer matches its shot (stale).

With a project's scene references on, the current panel of each scene's first shot (its establishing shot) is the
scene's reference picture: the scene's other shots are conditioned on it, and their inputs hash names it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

from pipeline.image.base import PanelRequest
from pipeline.image.weather import weather_for
from pipeline.models import ASPECT_SIZES, Character, Storyboard, StoryboardShot
from pipeline.tts.base import VoiceRequest
from pipeline.tts.casting import NARRATOR_KEY, cast_voices

SHEET_ASPECT = "1:1"  # a character's reference picture: a square medium shot
# How a project keeps its characters alike in model-drawn panels, and the preset panels are drawn with (the values
# of PanelRequest.lock and .quality; the sketch backend ignores both). Stored in the project's config under these keys.
Lock = Literal["none", "reference", "consistent"]
Quality = Literal["preview", "final"]
LOCKS: tuple[str, ...] = get_args(Lock)
QUALITIES: tuple[str, ...] = get_args(Quality)
LOCK_KEY, QUALITY_KEY = "character_lock", "image_quality"
SCENE_REFERENCE_KEY = "scene_reference"  # bool: the shots of one scene are conditioned on its first shot's panel
PANEL_DIGEST_PARAM = "image_sha256"  # a stored panel's params: the sha256 of its PNG (what names a scene reference)


@dataclass(frozen=True)
class PanelSettings:
    """What a project asks of every panel beyond the shot: the character lock, the quality preset, and whether the
    shots of a scene keep one place (conditioned on the scene's reference picture)."""

    lock: Lock = "none"
    quality: Quality = "final"
    scene_reference: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> PanelSettings:
        """From a project's config JSON; a missing or unknown value is the default."""
        config = config or {}
        lock, quality = config.get(LOCK_KEY), config.get(QUALITY_KEY)
        return cls(lock=lock if lock in LOCKS else "none", quality=quality if quality in QUALITIES else "final",  # type: ignore[arg-type]  # checked against the Literal's values
                   scene_reference=config.get(SCENE_REFERENCE_KEY) is True)  # fmt: skip


@dataclass(frozen=True)
class SceneReference:
    """A scene's reference picture: the current panel of its first shot, as a local PNG, and its digest (what the
    inputs hash of the scene's other shots names: `panel_digest` of that panel)."""

    path: str
    digest: str


@dataclass(frozen=True)
class PanelExtras:
    """A panel request's model-backend fields: the project's settings, each character's reference picture (a
    local PNG path, by name; only used with lock="reference") and each scene's reference picture by scene id (only
    used with settings.scene_reference)."""

    settings: PanelSettings = PanelSettings()
    references: dict[str, str] = field(default_factory=dict)
    scenes: dict[int, SceneReference] = field(default_factory=dict)

    def scene_reference(self, storyboard: Storyboard, shot: StoryboardShot) -> SceneReference | None:
        """The reference picture conditioning the shot: its scene's, unless the option is off or the shot is the
        scene's first (the scene's reference is its panel)."""
        if not self.settings.scene_reference or is_scene_opener(storyboard, shot):
            return None
        return self.scenes.get(shot.scene_id)


def scene_openers(storyboard: Storyboard) -> dict[int, int]:
    """The order of each scene's first shot (its establishing shot), by scene id."""
    openers: dict[int, int] = {}
    for shot in storyboard.shots:
        openers[shot.scene_id] = min(openers.get(shot.scene_id, shot.order), shot.order)
    return openers


def is_scene_opener(storyboard: Storyboard, shot: StoryboardShot) -> bool:
    """Whether the shot is its scene's first (by order)."""
    return scene_openers(storyboard).get(shot.scene_id) == shot.order


def panel_digest(image_key: str, params: Mapping[str, Any] | None) -> str:
    """What names a stored panel as a scene's reference: the sha256 of its PNG as recorded when it was stored, else
    (panels stored before it was recorded) its storage key."""
    recorded = (params or {}).get(PANEL_DIGEST_PARAM)
    return str(recorded) if recorded else f"key:{image_key}"


def shot_seed(storyboard: Storyboard, shot: StoryboardShot) -> int:
    """A seed from what the panel shows (never from ids), so the same script gives the same panel from any door."""
    key = f"{storyboard.style}|{storyboard.aspect_ratio}|{shot.order}|{shot.camera}|{shot.prompt}"
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big")


def panel_request(
    storyboard: Storyboard, shot: StoryboardShot, characters: dict[str, Character], seed: int,
    prompt_override: str | None = None, extras: PanelExtras | None = None,
) -> PanelRequest:  # fmt: skip
    """The request for one panel; the creator's words for the shot (`shot.prompt_override`) steer it unless
    `prompt_override` is given. `extras`: the project's lock and quality, and the reference pictures of the
    characters in frame (passed only when locking by reference), and the scenes' reference pictures."""
    width, height = ASPECT_SIZES[storyboard.aspect_ratio]
    extras = extras or PanelExtras()
    lock, quality = extras.settings.lock, extras.settings.quality
    references = {n: p for n, p in extras.references.items() if n in shot.characters} if lock == "reference" else {}
    scene = extras.scene_reference(storyboard, shot)
    return PanelRequest(shot=shot, characters=characters, width=width, height=height, style=storyboard.style,
                        seed=seed, prompt_override=prompt_override or shot.prompt_override,
                        weather=scene_weather(storyboard, shot), quality=quality, lock=lock,
                        references=references, scene_reference=scene.path if scene else None)  # fmt: skip


def scene_weather(storyboard: Storyboard, shot: StoryboardShot) -> tuple[str, ...]:
    """The weather of the shot's scene: what any of its shots names (rain in the scene's first action line falls in
    all of them), in a fixed order."""
    return tuple(sorted({w for s in storyboard.shots if s.scene_id == shot.scene_id for w in weather_for(s)}))


def voice_request(shot: StoryboardShot, characters: dict[str, Character], language: str) -> VoiceRequest:
    """The line in its speaker's voice as cast among all the characters (the narrator's for narration); a speaker
    the cast does not list yet is cast after the others."""
    cast = characters if not shot.speaker or shot.speaker in characters else {
        **characters, shot.speaker: Character(shot.speaker)}  # fmt: skip
    voice = cast_voices(cast)[shot.speaker or NARRATOR_KEY]
    return VoiceRequest(text=shot.text, language=language, voice=voice, emotion=shot.emotion)  # type: ignore[arg-type]  # language is "zh" or "en", checked by the parser


def sheet_seed(character: Character, style: str) -> int:
    """A character sheet's fixed seed, from what the character looks like (a sheet drawn for locking is the same
    picture whenever it is drawn again from the same description)."""
    key = json.dumps([style, character.name, character.attributes, character.appearance], sort_keys=True,
                     ensure_ascii=False, default=str)  # fmt: skip
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big")


def character_sheet_request(
    character: Character, characters: dict[str, Character], style: str, seed: int
) -> PanelRequest:
    """A character's reference picture: a medium shot with only that character in it, and no text (final quality,
    never conditioned on a reference: it is the reference)."""
    shot = StoryboardShot(
        order=1, scene_id=1, kind="action", camera="medium", scene_description=f"character sheet: {character.name}",
        location="", time="", interior=None, characters=(character.name,), text="", duration=3.0, transition="cut",
        prompt=f"{style} style character sheet, medium shot, {character.name}, plain background",
    )  # fmt: skip
    width, height = ASPECT_SIZES[SHEET_ASPECT]
    return PanelRequest(shot=shot, characters=characters, width=width, height=height, style=style, seed=seed)


def panel_inputs_hash(storyboard: Storyboard, shot: StoryboardShot, characters: dict[str, Character],
                      scene_reference: str | None = None) -> str:  # fmt: skip
    """A hash of everything a panel shows: the storyboard's style and aspect ratio; the shot's kind, camera,
    description, place, time, characters in frame, speaker, emotion and prompt; an action or narration line (its
    props and weather are drawn; a spoken line is not: the renderer shows it); the scene's weather; and for each
    character in
    frame its name, place in the cast (it picks a default coat colour), attributes, appearance and reference picture;
    and `scene_reference`, the digest of the scene's reference picture, when the shot is conditioned on one (given
    only with the project's scene references on, so a redrawn first shot makes the scene's other shots stale).

    Not the shot's order, duration or transition (they change the video, not the panel), nor the seed: a panel is
    stale when this differs from the hash stored with it.
    """
    cast = list(characters)
    framed: list[dict[str, Any]] = []
    for i, name in enumerate(shot.characters):
        character = characters.get(name)
        framed.append({
            "name": name,
            "place": cast.index(name) if name in cast else len(cast) + i,
            "attributes": character.attributes if character else {},
            "appearance": character.appearance if character else {},
            "reference_image": character.reference_image if character else None,
        })  # fmt: skip
    inputs: dict[str, Any] = {
        "style": storyboard.style, "aspect_ratio": storyboard.aspect_ratio, "kind": shot.kind, "camera": shot.camera,
        "scene_description": shot.scene_description, "location": shot.location, "time": shot.time,
        "interior": shot.interior, "characters": framed, "speaker": shot.speaker,
        "emotion": shot.emotion, "prompt": shot.panel_prompt,
    }  # fmt: skip
    if shot.kind != "dialogue":  # an action or narration line is drawn: its props, its weather, who does what
        inputs["text"] = shot.text
    if weather := scene_weather(storyboard, shot):
        inputs["weather"] = list(weather)
    if scene_reference is not None:
        inputs["scene_reference"] = scene_reference
    return _digest(inputs)


def voice_inputs_hash(shot: StoryboardShot, characters: dict[str, Character], language: str) -> str:
    """A hash of what a voiced line depends on: its text, language, emotion and the speaker's effective voice as
    cast (its engine included: another engine is another voice)."""
    request = voice_request(shot, characters, language)
    return _digest({"text": request.text, "language": request.language, "emotion": request.emotion,
                    "voice": asdict(request.voice)})  # fmt: skip


def _digest(value: dict[str, Any]) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
