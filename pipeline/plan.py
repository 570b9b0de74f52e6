"""Rule-based shot planner: one storyboard shot per dialogue, narration or action line."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.errors import PlanError
from pipeline.models import (
    ASPECT_SIZES,
    STYLES,
    CameraType,
    ParsedScript,
    ParsedShot,
    Scene,
    Storyboard,
    StoryboardShot,
)

STRONG_EMOTIONS = {
    "紧张", "害羞", "惊讶", "害怕", "愤怒", "生气", "哭", "伤心", "激动", "震惊", "恐惧",
    "nervous", "shy", "surprised", "afraid", "scared", "angry", "crying", "sad", "shocked", "determined", "worried",
}  # fmt: skip
# An action is watched, not read: a second to take in the panel, then about twice the reading pace of its words.
ACTION_GLANCE = 1.0
ACTION_SECONDS_PER_HANZI = 0.11
ACTION_SECONDS_PER_WORD = 0.2
_HANZI = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z0-9']+")


@dataclass(frozen=True)
class PlanOptions:
    aspect_ratio: str = "9:16"
    style: str = "comic"
    max_shots: int = 200
    shot_duration_range: tuple[float, float] = (2.0, 8.0)
    # A shot nobody speaks in lasts what its action needs (`action_seconds`), within this range and within
    # shot_duration_range.
    action_duration_range: tuple[float, float] = (1.5, 4.0)
    # When set, shots without a voice are stretched or shortened (within shot_duration_range) toward this length;
    # voiced shots always last as long as their voice.
    target_duration: float | None = None

    def check(self) -> None:
        if self.aspect_ratio not in ASPECT_SIZES:
            raise PlanError(f"aspect_ratio {self.aspect_ratio!r} is not supported: use one of {list(ASPECT_SIZES)}.")
        if self.style not in STYLES:
            raise PlanError(f"style {self.style!r} is not supported: use one of {list(STYLES)}.")
        low, high = self.shot_duration_range
        if not 0.5 <= low <= high <= 30:
            raise PlanError(f"shot_duration_range {self.shot_duration_range} must satisfy 0.5 <= min <= max <= 30.")
        a_low, a_high = self.action_duration_range
        if not 0.5 <= a_low <= a_high <= 30:
            raise PlanError(f"action_duration_range {self.action_duration_range} must satisfy "
                            "0.5 <= min <= max <= 30 (COMICREEL_ACTION_MIN_SECONDS, COMICREEL_ACTION_MAX_SECONDS).")  # fmt: skip
        if self.max_shots < 1:
            raise PlanError(f"max_shots must be at least 1, got {self.max_shots}.")
        if self.target_duration is not None and not 1 <= self.target_duration <= 3600:
            raise PlanError(f"target_duration {self.target_duration} must be between 1 and 3600 seconds.")


def plan_storyboard(parsed: ParsedScript, options: PlanOptions | None = None) -> Storyboard:
    """Turn every parsed line into a storyboard shot with a camera, a transition and a duration.

    Raises:
        PlanError: invalid options, or more lines than `max_shots`.
    """
    options = options or PlanOptions()
    options.check()
    total = len(parsed.shots)
    if total > options.max_shots:
        raise PlanError(
            f"The script has {total} lines but max_shots is {options.max_shots}: raise max_shots or split it."
        )
    low, high = options.shot_duration_range
    shots: list[StoryboardShot] = []
    previous_speaker: str | None = None
    for scene in parsed.scenes:
        for index, line in enumerate(scene.shots):
            camera = _choose_camera(scene, index, line, previous_speaker)
            shots.append(
                StoryboardShot(
                    order=len(shots) + 1,
                    scene_id=scene.id,
                    kind=line.type,
                    camera=camera,
                    scene_description=describe_shot(scene, line, camera, parsed.language),
                    location=scene.location,
                    time=scene.time,
                    interior=scene.interior,
                    characters=_framed_characters(scene, line, camera),
                    text=line.text,
                    duration=_planned_duration(line, options),
                    transition="fade" if index == 0 and shots else "dissolve",
                    speaker=line.character,
                    emotion=line.emotion,
                    sound_effects=line.sound_effects,
                    prompt=build_prompt(parsed, scene, line, camera, options.style),
                )
            )
            if line.type == "dialogue":
                previous_speaker = line.character
    if options.target_duration is not None:
        shots = _fit_silent_shots(shots, options.target_duration, low, high)
    return Storyboard(
        aspect_ratio=options.aspect_ratio,  # type: ignore[arg-type]
        style=options.style,
        language=parsed.language,
        shots=tuple(shots),
    )


def action_seconds(text: str) -> float:
    """Seconds an action shot needs to be seen: ACTION_GLANCE plus a little per Hanzi or word it describes."""
    return (
        ACTION_GLANCE
        + ACTION_SECONDS_PER_HANZI * len(_HANZI.findall(text))
        + ACTION_SECONDS_PER_WORD * len(_WORD.findall(text))
    )


def _planned_duration(line: ParsedShot, options: PlanOptions) -> float:
    """Voiced lines: the parser's estimate (the voice sets the real length later); actions: what they need."""
    low, high = options.shot_duration_range
    if line.type != "action":
        return min(high, max(low, line.duration))
    a_low, a_high = options.action_duration_range
    return round(min(high, max(low, min(a_high, max(a_low, action_seconds(line.text))))), 1)


def _fit_silent_shots(shots: list[StoryboardShot], target: float, low: float, high: float) -> list[StoryboardShot]:
    """Give the shots nobody speaks in an equal share of what the voiced shots leave of `target`."""
    silent = [s for s in shots if s.kind == "action"]
    if not silent:
        return shots
    voiced = sum(s.duration for s in shots if s.kind != "action")
    each = round(min(high, max(low, (target - voiced) / len(silent))), 2)
    return [replace(s, duration=each) if s.kind == "action" else s for s in shots]


def _choose_camera(scene: Scene, index: int, line: ParsedShot, previous_speaker: str | None) -> CameraType:
    if index == 0 or (line.type == "narration" and not line.characters):
        return "long"  # establish the place
    if line.type == "action":
        return "medium" if line.characters else "long"
    if line.type == "dialogue":
        if (line.emotion or "").lower() in STRONG_EMOTIONS:
            return "closeup"
        others = [c for c in scene.characters if c != line.character]
        if others and previous_speaker in others:
            return "over-shoulder"
    return "medium"


def _framed_characters(scene: Scene, line: ParsedShot, camera: CameraType) -> tuple[str, ...]:
    if camera == "over-shoulder" and line.character:
        listener = next((c for c in scene.characters if c != line.character), None)
        return (line.character, listener) if listener else (line.character,)
    return line.characters


_CAMERA_WORDS = {
    "zh": {"closeup": "特写", "medium": "中景", "long": "远景", "over-shoulder": "过肩镜头"},
    "en": {
        "closeup": "close-up",
        "medium": "medium shot",
        "long": "wide shot",
        "over-shoulder": "over-the-shoulder shot",
    },
}


def describe_shot(scene: Scene, line: ParsedShot, camera: CameraType, language: str) -> str:
    """A one-line human description of the shot, in the script's language."""
    words = _CAMERA_WORDS["zh" if language == "zh" else "en"][camera]
    who = ("、" if language == "zh" else " and ").join(line.characters)
    place = (
        "".join(p for p in (scene.location, scene.time) if p)
        if language == "zh"
        else ", ".join(p for p in (scene.location, scene.time) if p)
    )
    if language == "zh":
        mood = f"{line.emotion}的表情" if line.emotion else ""
        return f"{place}，{who}{mood}{words}" if who else f"{place}{words}"
    mood = f" looking {line.emotion}" if line.emotion else ""
    return f"{words.capitalize()} of {who}{mood} ({place})" if who else f"{words.capitalize()}: {place}"


def build_prompt(parsed: ParsedScript, scene: Scene, line: ParsedShot, camera: CameraType, style: str) -> str:
    """The text prompt an image model would get; the sketch renderer keeps it for the record."""
    parts = [f"{style} style comic panel", _CAMERA_WORDS["en"][camera], scene.location, scene.time]
    for name in line.characters:
        character = parsed.character(name)
        if character:
            looks = [*character.attributes.values(),
                     *(", ".join(map(str, v)) if isinstance(v, list | tuple) else str(v)
                       for v in character.appearance.values())]  # fmt: skip
            parts.append(f"{name} ({', '.join(looks)})" if looks else name)
    if line.emotion:
        parts.append(f"{line.emotion} expression")
    if line.type == "action":
        parts.append(line.text)
    return ", ".join(p for p in parts if p)
