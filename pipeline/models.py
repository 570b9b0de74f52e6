"""Dataclasses that flow between pipeline steps; each serialises to the seed's JSON shapes with `to_dict()`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

ShotKind = Literal["dialogue", "narration", "action"]
SHOT_KINDS: tuple[str, ...] = get_args(ShotKind)
# Distances (establishing: the place alone; long: whole figures; medium: waist up; closeup: a face), the two-person
# over-the-shoulder, and the low and high angles (medium framing seen from below or above).
CameraType = Literal["establishing", "long", "medium", "closeup", "over-shoulder", "low-angle", "high-angle"]
CAMERAS: tuple[str, ...] = get_args(CameraType)
# The distance each camera frames its people at, for steps that draw by distance alone (angles are medium shots).
FRAMING: dict[str, str] = {"establishing": "long", "long": "long", "medium": "medium", "closeup": "closeup",
                           "over-shoulder": "over-shoulder", "low-angle": "medium", "high-angle": "medium"}  # fmt: skip
Transition = Literal["cut", "fade", "dissolve", "wipe", "slide"]
TRANSITIONS: tuple[str, ...] = get_args(Transition)
AspectRatio = Literal["9:16", "16:9", "1:1"]
Style = Literal["anime", "chinese", "comic", "chibi", "noir", "watercolor"]
STYLES: tuple[str, ...] = get_args(Style)

ASPECT_SIZES: dict[str, tuple[int, int]] = {"9:16": (1080, 1920), "16:9": (1920, 1080), "1:1": (1080, 1080)}


@dataclass(frozen=True)
class Character:
    """A character as the script introduces it (`角色:小明(男,高中生,黑色短发)` or a Fountain intro), with what the
    creator set since: voice overrides and a reference picture."""

    name: str
    attributes: dict[str, str] = field(default_factory=dict)  # gender, role, age
    appearance: dict[str, Any] = field(default_factory=dict)  # hair, clothing, features[]
    voice: dict[str, Any] = field(default_factory=dict)  # overrides of the derived voice: gender, variant, pitch, speed
    reference_image: str | None = None  # where the character's reference picture is stored (a storage key)

    def to_dict(self) -> dict[str, Any]:
        """The character as the script describes it, with `profile`: the structured appearance the panel and voice
        steps read from those words (pipeline.appearance), unknown words included."""
        from pipeline.appearance import appearance_of  # it reads Characters

        return {"name": self.name, "attributes": dict(self.attributes), "appearance": dict(self.appearance),
                "profile": appearance_of(self).to_dict()}  # fmt: skip


@dataclass(frozen=True)
class ParsedShot:
    """One line of the script: a dialogue, a narration or an action, with the cues attached to it."""

    type: ShotKind
    text: str
    duration: float
    character: str | None = None
    emotion: str | None = None
    characters: tuple[str, ...] = ()  # everyone visible, speaker first
    sound_effects: tuple[str, ...] = ()
    camera: CameraType | None = None  # the script's own camera direction ([镜头: 特写]); None: the planner chooses
    transition: Transition | None = None  # the script's transition out of this shot ([转场: 淡入淡出], CUT TO:)
    off_screen: bool = False  # a voice over or off screen (V.O., O.S.): heard, not seen
    line: int = 0  # the 1-based line of the script it comes from

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "text": self.text, "duration": self.duration}
        if self.character:
            out["character"] = self.character
        if self.emotion:
            out["emotion"] = self.emotion
        out["characters"] = list(self.characters)
        out["sound_effects"] = list(self.sound_effects)
        for key in ("camera", "transition"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.off_screen:
            out["off_screen"] = True
        if self.line:
            out["line"] = self.line
        return out


@dataclass(frozen=True)
class Scene:
    id: int
    location: str
    time: str
    characters: tuple[str, ...]
    shots: tuple[ParsedShot, ...]
    interior: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "location": self.location,
            "time": self.time,
            "interior": self.interior,
            "characters": list(self.characters),
            "shots": [s.to_dict() for s in self.shots],
        }


@dataclass(frozen=True)
class ParsedScript:
    title: str
    language: Literal["zh", "en"]
    format: Literal["text", "markdown", "fountain"]
    scenes: tuple[Scene, ...]
    characters: tuple[Character, ...]

    @property
    def shots(self) -> list[ParsedShot]:
        return [shot for scene in self.scenes for shot in scene.shots]

    @property
    def duration(self) -> float:
        """The estimated length of the video: its shots' estimates summed."""
        return round(sum(s.duration for s in self.shots), 1)

    def character(self, name: str) -> Character | None:
        return next((c for c in self.characters if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """The seed's `GET /script/parsed` response (plus title, language, format and metadata)."""
        shots = self.shots
        return {
            "title": self.title,
            "language": self.language,
            "format": self.format,
            "scenes": [s.to_dict() for s in self.scenes],
            "characters": [c.to_dict() for c in self.characters],
            "metadata": {
                "total_scenes": len(self.scenes),
                "total_shots": len(shots),
                "estimated_duration": self.duration,
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedScript:
        scenes = tuple(
            Scene(
                id=s["id"],
                location=s["location"],
                time=s["time"],
                interior=s.get("interior"),
                characters=tuple(s["characters"]),
                shots=tuple(
                    ParsedShot(
                        type=sh["type"],
                        text=sh["text"],
                        duration=sh["duration"],
                        character=sh.get("character"),
                        emotion=sh.get("emotion"),
                        characters=tuple(sh.get("characters", ())),
                        sound_effects=tuple(sh.get("sound_effects", ())),
                        camera=sh.get("camera"),
                        transition=sh.get("transition"),
                        off_screen=bool(sh.get("off_screen", False)),
                        line=int(sh.get("line", 0)),
                    )
                    for sh in s["shots"]
                ),
            )
            for s in data["scenes"]
        )
        characters = tuple(
            Character(name=c["name"], attributes=c.get("attributes", {}), appearance=c.get("appearance", {}))
            for c in data["characters"]
        )
        return cls(
            title=data.get("title", ""),
            language=data.get("language", "zh"),
            format=data.get("format", "text"),
            scenes=scenes,
            characters=characters,
        )


@dataclass(frozen=True)
class StoryboardShot:
    """One planned shot: what the camera sees, what is said, how long, and how it leaves."""

    order: int
    scene_id: int
    kind: ShotKind
    camera: CameraType
    scene_description: str
    location: str
    time: str
    interior: bool | None
    characters: tuple[str, ...]
    text: str
    duration: float
    transition: Transition
    speaker: str | None = None
    emotion: str | None = None
    sound_effects: tuple[str, ...] = ()
    prompt: str = ""  # the planned prompt
    prompt_override: str | None = None  # the creator's own words for the panel, used instead of `prompt`
    motion: str = "auto"  # the camera move in the video: "auto" (from the camera) or one of pipeline.motion.MOTIONS

    @property
    def panel_prompt(self) -> str:
        """The words the panel is drawn from."""
        return self.prompt_override or self.prompt

    @property
    def voiced(self) -> bool:
        return self.kind in ("dialogue", "narration") and bool(self.text.strip())

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["characters"] = list(self.characters)
        data["sound_effects"] = list(self.sound_effects)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoryboardShot:
        data = dict(data)
        data["characters"] = tuple(data.get("characters", ()))
        data["sound_effects"] = tuple(data.get("sound_effects", ()))
        return cls(**data)


@dataclass(frozen=True)
class Storyboard:
    aspect_ratio: AspectRatio
    style: str
    language: Literal["zh", "en"]
    shots: tuple[StoryboardShot, ...]

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.shots)


@dataclass(frozen=True)
class VoiceClip:
    """A voiced line: its WAV, its length, the engine that spoke it and, when that was not the one chosen, why."""

    path: str
    duration: float
    engine: str = ""
    fallback: str = ""  # why the chosen engine did not speak it (empty when it did)


@dataclass(frozen=True)
class PanelSprite:
    """A face's part drawn in another state, laid over the panel at `box` (panel pixels) by the motion comic."""

    character: str
    state: str  # mouth_half, mouth_open, eyes_closed
    path: str
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class PanelLayers:
    """A panel in layers for the motion comic: the background (RGB PNG), the foreground layers in order (RGBA PNGs:
    the characters, then the effects), and the talking and blinking sprites."""

    background: str
    foreground: tuple[str, ...]
    sprites: tuple[PanelSprite, ...] = ()


@dataclass(frozen=True)
class TimedShot:
    """A shot placed on the timeline: its picture, its voice and exact start/length in seconds."""

    order: int
    image_path: str
    start: float
    duration: float
    transition: Transition
    subtitle: str
    speaker: str | None
    voice: VoiceClip | None
    voice_offset: float
    kind: ShotKind = "dialogue"
    camera: CameraType = "medium"
    motion: str = "auto"  # Ken Burns move: "auto" (from the camera) or one of pipeline.motion.MOTIONS
    anchors: dict[str, tuple[float, float]] = field(default_factory=dict)  # each drawn character's head, as (x, y) fractions
    faces: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)  # face boxes, as fractions
    mouths: dict[str, tuple[float, float]] = field(default_factory=dict)  # where each visible mouth is, as fractions
    layers: PanelLayers | None = None  # the panel in layers, when the image backend made them (motion comic)
    emotion: str | None = None  # how the line is said (a thought is lettered in a cloud)
    sound_effects: tuple[str, ...] = ()  # the script's sound cues, lettered as onomatopoeia in bubble mode


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    fps: int
    shots: tuple[TimedShot, ...]

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.shots)


@dataclass(frozen=True)
class RenderResult:
    path: str
    duration: float
    width: int
    height: int
    file_size: int
    subtitles_path: str  # SRT
    ass_path: str = ""
    cover_path: str = ""
    segments: tuple[str, ...] = ()  # the hash of each shot's segment, in order (the keys of the segment cache)
    reused: int = 0  # segments taken from the cache instead of encoded
    sound: str = ""  # the hash of the delivered sound track (its key in the segment cache)
    warnings: tuple[str, ...] = ()  # what could not be shown as asked (a glyph no font has, a sound word with no room)
