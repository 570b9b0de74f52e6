"""Rule-based shot planner: one storyboard shot per dialogue, narration or action line, framed the way an editor
would cut it.

- A scene opens on its place: an establishing shot (the place alone) when its first line shows nobody, else a long
  shot of everyone in it.
- Emotional lines are close-ups; a two-person exchange alternates over-the-shoulder shots, each over the shoulder of
  the one being spoken to (the previous speaker); actions are medium shots of who they name, or long shots.
- The script's own camera directions and transitions win over these rules.
- Shots cut inside a scene; a scene leaves with a dissolve when the next one is the same place (time passes) and a
  fade through black when the place changes.
- Over `max_shots`, the least important neighbours are merged (an action into the line beside it, narration into
  narration, a speaker's consecutive lines into one) — never two people's lines into one shot.
- The prompt is assembled from the style, camera, place, time, each framed character's appearance, the emotion and
  the action, and kept as the shot's `prompt_used`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pipeline.appearance import appearance_of
from pipeline.emotions import emotion_of, is_strong
from pipeline.errors import PlanError
from pipeline.estimate import action_seconds
from pipeline.models import (
    ASPECT_SIZES,
    STYLES,
    CameraType,
    Character,
    ParsedScript,
    ParsedShot,
    Scene,
    Storyboard,
    StoryboardShot,
    Transition,
)

__all__ = ["PlanOptions", "action_seconds", "build_prompt", "describe_shot", "plan_storyboard"]


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
        PlanError: invalid options, or a script whose lines cannot be merged down to `max_shots`.
    """
    options = options or PlanOptions()
    options.check()
    low, high = options.shot_duration_range
    shots: list[StoryboardShot] = []
    for number, scene in enumerate(parsed.scenes):
        following = parsed.scenes[number + 1] if number + 1 < len(parsed.scenes) else None
        previous_speaker: str | None = None
        for index, line in enumerate(scene.shots):
            camera = _choose_camera(scene, index, line, previous_speaker)
            framed = _framed_characters(line, camera, previous_speaker)
            last = index == len(scene.shots) - 1
            shots.append(
                StoryboardShot(
                    order=len(shots) + 1,
                    scene_id=scene.id,
                    kind=line.type,
                    camera=camera,
                    scene_description=describe_shot(scene, line, camera, parsed.language, framed),
                    location=scene.location,
                    time=scene.time,
                    interior=scene.interior,
                    characters=framed,
                    text=line.text,
                    duration=_planned_duration(line, options),
                    transition=line.transition or (_scene_exit(scene, following) if last else "cut"),
                    speaker=line.character,
                    emotion=line.emotion,
                    sound_effects=line.sound_effects,
                    prompt=build_prompt(parsed, scene, line, camera, options.style, framed),
                )
            )
            if line.type == "dialogue":
                previous_speaker = line.character
    if len(shots) > options.max_shots:
        shots = _merge_to(shots, options.max_shots, high)
    if options.target_duration is not None:
        shots = _fit_silent_shots(shots, options.target_duration, low, high)
    return Storyboard(
        aspect_ratio=options.aspect_ratio,  # type: ignore[arg-type]
        style=options.style,
        language=parsed.language,
        shots=tuple(shots),
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
    if line.camera:
        return line.camera  # the script's own direction
    if index == 0:
        return "long" if line.characters else "establishing"  # a scene opens on its place
    if line.type != "dialogue" or line.off_screen:
        return "medium" if line.characters else "long"
    if is_strong(line.emotion):
        return "closeup"
    if previous_speaker and previous_speaker != line.character and previous_speaker in scene.characters:
        return "over-shoulder"  # an exchange: over the shoulder of the one spoken to
    return "medium"


def _framed_characters(line: ParsedShot, camera: CameraType, previous_speaker: str | None) -> tuple[str, ...]:
    """Who the camera shows: nobody in an establishing shot; the speaker and, over the shoulder, the one they speak
    to (the previous speaker, else the first other person in the line)."""
    if camera == "establishing":
        return ()
    if camera == "over-shoulder" and line.character and not line.off_screen:
        others = [c for c in line.characters if c != line.character]
        listener = previous_speaker if previous_speaker and previous_speaker != line.character else next(
            iter(others), None)  # fmt: skip
        return (line.character, listener) if listener else (line.character,)
    return line.characters


def _scene_exit(scene: Scene, following: Scene | None) -> Transition:
    """How a scene's last shot leaves: a dissolve into the same place later, a fade into another place."""
    if following is None:
        return "cut"
    return "dissolve" if following.location and following.location == scene.location else "fade"


# -- merging down to max_shots -------------------------------------------------------------------------------


def _importance(shot: StoryboardShot) -> int:
    """How much a shot matters to the story: a silent place shot least, a spoken line most (more when emotional or
    when it opens a scene)."""
    base = {"action": 1 if shot.characters else 0, "narration": 2, "dialogue": 3}[shot.kind]
    return base + (shot.camera == "closeup") + (shot.camera == "establishing")


def _mergeable(a: StoryboardShot, b: StoryboardShot) -> bool:
    if a.scene_id != b.scene_id:
        return False
    if a.kind == "action" or b.kind == "action":
        return True
    if a.kind == b.kind == "narration":
        return True
    return a.kind == b.kind == "dialogue" and a.speaker == b.speaker


def _merge(a: StoryboardShot, b: StoryboardShot, high: float) -> StoryboardShot:
    """One shot for two neighbours: the more important one's framing; the words of both (a spoken line is never
    changed: an action's words go to the description and the prompt, spoken words are joined in order)."""
    if (a.kind == "action") != (b.kind == "action"):  # a line beside an action: the line stays a line
        main, other = (b, a) if a.kind == "action" else (a, b)
    else:
        main, other = (a, b) if _importance(a) >= _importance(b) else (b, a)
    if a.kind == "action" and b.kind == "action":
        text, kind, duration = f"{a.text} {b.text}", "action", min(high, a.duration + b.duration)
    elif other.kind == "action":
        text, kind, duration = main.text, main.kind, main.duration
    else:
        joiner = "" if _ends_cjk(a.text) else " "
        text, kind, duration = f"{a.text}{joiner}{b.text}", main.kind, min(high, a.duration + b.duration)
    extra = f"; {other.text}" if other.kind == "action" and kind != "action" else ""
    return replace(
        main,
        order=a.order,
        kind=kind,  # type: ignore[arg-type]
        text=text,
        duration=round(duration, 2),
        characters=tuple(dict.fromkeys((*main.characters, *other.characters))),
        sound_effects=(*a.sound_effects, *b.sound_effects),
        transition=b.transition,
        scene_description=main.scene_description + extra,
        prompt=main.prompt + (f", {other.text}" if extra else ""),
    )


def _ends_cjk(text: str) -> bool:
    return bool(text) and "\u3000" <= text[-1] <= "\u9fff"


def _merge_to(shots: list[StoryboardShot], most: int, high: float) -> list[StoryboardShot]:
    """Merge neighbours, least important first, until at most `most` shots remain."""
    out = list(shots)
    for threshold in range(0, 9):
        merged = True
        while merged and len(out) > most:  # passes over the shots, each merging a pair at most once per shot
            merged, i = False, 0
            while len(out) > most and i < len(out) - 1:
                a, b = out[i], out[i + 1]
                low_side, both = min(_importance(a), _importance(b)), _importance(a) + _importance(b)
                if _mergeable(a, b) and low_side <= threshold // 2 and both <= threshold:
                    out[i : i + 2] = [_merge(a, b, high)]
                    merged = True
                i += 1
    if len(out) > most:
        raise PlanError(
            f"The script has {len(shots)} lines; merging actions, narration and each speaker's consecutive lines "
            f"leaves {len(out)} shots, more than max_shots ({most}): raise max_shots or split the script."
        )
    return [replace(s, order=n) for n, s in enumerate(out, start=1)]


_CAMERA_WORDS = {
    "zh": {"establishing": "空镜远景", "long": "远景", "medium": "中景", "closeup": "特写", "over-shoulder": "过肩镜头",
           "low-angle": "仰拍", "high-angle": "俯拍"},
    "en": {"establishing": "establishing shot", "long": "wide shot", "medium": "medium shot", "closeup": "close-up",
           "over-shoulder": "over-the-shoulder shot", "low-angle": "low-angle shot", "high-angle": "high-angle shot"},
}  # fmt: skip
def describe_shot(
    scene: Scene, line: ParsedShot, camera: CameraType, language: str, framed: tuple[str, ...] | None = None
) -> str:
    """A one-line human description of the shot, in the script's language."""
    words = _CAMERA_WORDS["zh" if language == "zh" else "en"][camera]
    who = ("、" if language == "zh" else " and ").join(line.characters if framed is None else framed)
    place = (
        "".join(p for p in (scene.location, scene.time) if p)
        if language == "zh"
        else ", ".join(p for p in (scene.location, scene.time) if p)
    )
    if language == "zh":
        mood = f"{line.emotion}的表情" if line.emotion and who else ""
        return f"{place}{'，' if place and who else ''}{who}{mood}{words}"
    mood = f" looking {line.emotion}" if line.emotion and who else ""
    if who:
        return f"{words.capitalize()} of {who}{mood}" + (f" ({place})" if place else "")
    return f"{words.capitalize()}: {place}" if place else words.capitalize()


def build_prompt(
    parsed: ParsedScript,
    scene: Scene,
    line: ParsedShot,
    camera: CameraType,
    style: str,
    framed: tuple[str, ...] | None = None,
) -> str:
    """The text prompt an image model gets (kept as the shot's `prompt_used`): style, camera, place, time, each
    framed character as described, the expression and what happens."""
    parts = [f"{style} style comic panel", _CAMERA_WORDS["en"][camera], scene.location, scene.time]
    for name in line.characters if framed is None else framed:
        character = parsed.character(name) or Character(name=name)
        looks = ", ".join(appearance_of(character).describe())
        parts.append(f"{name} ({looks})" if looks else name)
    if line.emotion and camera != "establishing":
        feeling = emotion_of(line.emotion)
        parts.append(f"{feeling if feeling != 'neutral' else line.emotion} expression")
    if line.type == "action":
        parts.append(line.text)
    return ", ".join(p for p in parts if p)
