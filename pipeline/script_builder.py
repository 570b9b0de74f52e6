"""What every script reader shares: the builder that collects scenes, shots and characters with warnings by line,
the words of camera and transition directions, and the sorting of a character's description into fields."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from pipeline.appearance import sort_description
from pipeline.errors import ScriptParseError
from pipeline.estimate import DEFAULT_PACE, shot_seconds
from pipeline.models import CameraType, Character, ParsedScript, ParsedShot, Scene, ShotKind, Transition
from pipeline.timeline import Pacing

Language = Literal["zh", "en"]

# -- directions ------------------------------------------------------------------------------------------------

CAMERA_WORDS: dict[str, CameraType] = {
    "特写": "closeup", "大特写": "closeup", "近景": "closeup", "近写": "closeup", "中近景": "medium", "中景": "medium",
    "全景": "long", "远景": "long", "大远景": "establishing", "空镜": "establishing", "建立镜头": "establishing",
    "过肩": "over-shoulder", "过肩镜头": "over-shoulder", "仰拍": "low-angle", "仰视": "low-angle", "俯拍": "high-angle",
    "俯视": "high-angle", "鸟瞰": "high-angle",
    "close-up": "closeup", "closeup": "closeup", "close up": "closeup", "cu": "closeup", "ecu": "closeup",
    "extreme close-up": "closeup", "medium": "medium", "medium shot": "medium", "mid shot": "medium", "ms": "medium",
    "medium close-up": "medium", "mcu": "medium", "wide": "long", "wide shot": "long", "long": "long",
    "long shot": "long", "full shot": "long", "ls": "long", "ws": "long", "establishing": "establishing",
    "establishing shot": "establishing", "extreme wide": "establishing", "over-the-shoulder": "over-shoulder",
    "over the shoulder": "over-shoulder", "over-shoulder": "over-shoulder", "ots": "over-shoulder",
    "low angle": "low-angle", "low-angle": "low-angle", "high angle": "high-angle", "high-angle": "high-angle",
    "bird's eye": "high-angle", "bird's-eye view": "high-angle",
}  # fmt: skip
TRANSITION_WORDS: dict[str, Transition] = {
    "淡入淡出": "fade", "淡出": "fade", "淡入": "fade", "渐隐": "fade", "黑场": "fade", "叠化": "dissolve",
    "溶解": "dissolve", "交叉溶解": "dissolve", "切": "cut", "硬切": "cut", "直切": "cut", "切换": "cut",
    "擦除": "wipe", "划像": "wipe", "划变": "wipe", "滑动": "slide", "推移": "slide", "推": "slide",
    "fade": "fade", "fade out": "fade", "fade in": "fade", "fade to black": "fade", "fade through black": "fade",
    "dissolve": "dissolve", "cross dissolve": "dissolve", "crossfade": "dissolve", "cut": "cut", "smash cut": "cut",
    "hard cut": "cut", "jump cut": "cut", "match cut": "cut", "wipe": "wipe", "slide": "slide", "push": "slide",
}  # fmt: skip


def camera_from_words(words: str) -> CameraType | None:
    """The camera a direction names ('特写', 'Close-up', 'OTS'), or None."""
    return CAMERA_WORDS.get(re.sub(r"\s+", " ", words.strip().lower()).rstrip(".。"))


def transition_from_words(words: str) -> Transition | None:
    """The transition a direction names ('淡入淡出', 'DISSOLVE TO:', 'Fade out.'), or None."""
    key = re.sub(r"\s+", " ", words.strip().lower())
    if m := re.match(r"^(.+?)\s+to\s*[:.]?$", key):  # CUT TO:, DISSOLVE TO:, FADE TO:
        key = m.group(1)
    key = key.rstrip(":：.。!！ ")
    if key.endswith(" to black"):
        return "fade"
    return TRANSITION_WORDS.get(key)


# -- characters ------------------------------------------------------------------------------------------------

_GENDERS = {"男": "男", "女": "女", "male": "男", "female": "女", "man": "男", "woman": "女", "boy": "男", "girl": "女",
            "男性": "男", "女性": "女", "男生": "男", "女生": "女", "m": "男", "f": "女"}  # fmt: skip
_TITLES = {
    "DR", "DR.", "DOCTOR", "MR", "MR.", "MRS", "MRS.", "MS", "MS.", "MISS", "SIR", "LADY", "LORD", "COMMANDER",
    "CAPTAIN", "CAPT.", "LIEUTENANT", "LT.", "SERGEANT", "SGT.", "DETECTIVE", "DET.", "OFFICER", "AGENT", "PROFESSOR",
    "PROF.", "GENERAL", "COLONEL", "MAJOR", "CHIEF", "OLD", "YOUNG", "LITTLE", "BIG", "AUNT", "UNCLE", "GRANDPA",
    "GRANDMA", "FATHER", "MOTHER", "SISTER", "BROTHER", "KING", "QUEEN", "PRINCE", "PRINCESS", "NURSE", "COACH",
}  # fmt: skip


def character_from_description(name: str, description: str) -> Character:
    """Sort a comma list like '男,高中生,黑色短发,戴眼镜' or '30s, keeper's coat, silver braid' into the fields the
    panel and voice steps read (pipeline.appearance). Every word is kept: what nothing understands goes to
    `appearance.features`."""
    buckets = sort_description(description)
    attributes: dict[str, str] = {}
    for word in buckets.get("gender", []):
        attributes.setdefault("gender", _GENDERS.get(word.strip().lower(), word.strip()))
        if word.strip().lower() in ("boy", "girl"):  # a child: the voice and the drawing need the age too
            buckets.setdefault("role", []).append(word)
    # An age in numbers is the age; an age group said in words (高中生, old man) is what the character is.
    ages = [w for w in buckets.get("age", []) if re.search(r"\d", w)]
    roles = [*(w for w in buckets.get("age", []) if w not in ages), *buckets.get("role", [])]
    if ages:
        attributes["age"] = ", ".join(ages)
    if roles:
        attributes["role"] = ", ".join(roles)
    appearance: dict[str, object] = {
        key: ", ".join(buckets[key]) for key in ("build", "hair", "clothing", "accessories") if buckets.get(key)
    }
    if features := buckets.get("features"):
        appearance["features"] = list(features)
    return Character(name=name.strip(), attributes=attributes, appearance=appearance)


def name_aliases(name: str) -> set[str]:
    """The shorter names a character may be cued or mentioned by: 'Commander Reyes' → {'Reyes'}, 'Dr. Lin Mei' →
    {'Lin Mei', 'Lin', 'Mei'}. Titles alone are never aliases."""
    words = name.split()
    if len(words) < 2:
        return set()
    core = [w for w in words if w.upper() not in _TITLES]
    out = {" ".join(core)} if core and len(core) < len(words) else set()
    if len(core) >= 2:
        out.update(core)
    return {a for a in out if a and a != name}


# -- the builder -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScriptWarning:
    """Something the parser guessed at, with the 1-based line it concerns."""

    line: int
    message: str


@dataclass
class _SceneDraft:
    location: str
    time: str
    interior: bool | None
    cast: list[str] = field(default_factory=list)
    shots: list[ParsedShot] = field(default_factory=list)


@dataclass
class ScriptBuilder:
    """Collects what a reader finds, line by line; `build()` checks it and makes the ParsedScript."""

    language: Language
    pace: Pacing = DEFAULT_PACE
    title: str = ""
    scenes: list[_SceneDraft] = field(default_factory=list)
    characters: dict[str, Character] = field(default_factory=dict)
    warnings: list[ScriptWarning] = field(default_factory=list)
    line: int = 0  # the line being read, for warnings
    declared: bool = False  # the script has a cast line (角色: / Characters:)
    recognised: int = 0  # lines read as script markup (not kept as stray text)
    pending_sfx: list[str] = field(default_factory=list)
    pending_camera: CameraType | None = None
    _aliases: dict[str, str] = field(default_factory=dict)  # lower-case alias → character name

    def warn(self, message: str, line: int | None = None) -> None:
        self.warnings.append(ScriptWarning(self.line if line is None else line, message))

    # -- structure

    def start_scene(self, location: str, time: str, interior: bool | None = None) -> None:
        self._attach_pending_to_last()
        self.scenes.append(_SceneDraft(location=location.strip(), time=time.strip(), interior=interior))

    def add_character(self, character: Character) -> str:
        """Add (or describe) a character; returns the name it is known by."""
        name = self.resolve(character.name)
        known = self.characters.get(name)
        if known is None:
            self.characters[name] = character
            self._register(name)
        elif not known.attributes and not known.appearance:
            self.characters[name] = replace(character, name=name)
        if name not in self._scene().cast:
            self._scene().cast.append(name)
        return name

    def resolve(self, name: str) -> str:
        """The character a cue or a name means: itself when known, else the one it is a shorter name of."""
        name = name.strip()
        if name in self.characters:
            return name
        lowered = name.lower()
        known = next((n for n in self.characters if n.lower() == lowered), None)
        return known or self._aliases.get(lowered) or name  # an alias of two characters ("") means neither

    def _register(self, name: str) -> None:
        """The shorter names `name` may be cued or mentioned by; one shared by two characters names neither."""
        for alias in name_aliases(name):
            key = alias.lower()
            self._aliases[key] = name if self._aliases.get(key, name) == name else ""

    def add_shot(
        self,
        kind: ShotKind,
        text: str,
        character: str | None = None,
        emotion: str | None = None,
        *,
        off_screen: bool = False,
        also_visible: tuple[str, ...] = (),
    ) -> None:
        text = text.strip()
        if not text:
            return
        if not self.scenes:
            self.warn("a line before any scene heading: it goes into a scene with no place or time "
                      "(start the script with a scene line such as '场景: 教室, 白天' or 'INT. ROOM - DAY')")  # fmt: skip
        scene = self._scene()
        if character:
            character = self.resolve(character)
            if character not in self.characters:
                if self.declared:
                    self.warn(f"{character} speaks but is not in the cast list: added with no description")
                self.characters[character] = Character(name=character)
                self._register(character)
            if character not in scene.cast:
                scene.cast.append(character)
        visible = [character] if character and kind == "dialogue" and not off_screen else []  # a narrator is heard
        visible += [n for n in (*also_visible, *self._mentioned(text)) if n not in visible and n != character]
        scene.shots.append(
            ParsedShot(
                type=kind,
                text=text,
                duration=shot_seconds(kind, text, self.pace),
                character=character,
                emotion=emotion.strip() if emotion and emotion.strip() else None,
                characters=tuple(visible),
                sound_effects=tuple(self.pending_sfx),
                camera=self.pending_camera,
                off_screen=off_screen,
                line=self.line,
            )
        )
        self.pending_sfx = []
        self.pending_camera = None

    def add_sound_effect(self, name: str) -> None:
        if name.strip():
            self.pending_sfx.append(name.strip())

    def set_camera(self, words: str, *, quiet: bool = False) -> bool:
        """A camera direction for the next shot; False (and a warning unless `quiet`) when the words name none."""
        camera = camera_from_words(words)
        if camera is None:
            if not quiet:
                self.warn(f"camera direction {words.strip()!r} is not one this studio knows: ignored "
                      "(use 特写, 近景, 中景, 全景, 远景, 过肩, 俯拍, 仰拍 or close-up, medium, wide, "
                      "over-the-shoulder, low angle, high angle)")  # fmt: skip
            return False
        self.pending_camera = camera
        return True

    def set_transition(self, words: str, *, quiet: bool = False) -> bool:
        """A transition out of the last shot; False (and a warning unless `quiet`) when the words name none."""
        transition = transition_from_words(words)
        if transition is None:
            if not quiet:
                self.warn(f"transition {words.strip()!r} is not one this studio knows: ignored "
                      "(use 淡入淡出, 叠化, 切, 擦除, 滑动 or fade, dissolve, cut, wipe, slide)")  # fmt: skip
            return False
        shots = self.scenes[-1].shots if self.scenes else []
        if shots:
            shots[-1] = replace(shots[-1], transition=transition)
        elif any(s.shots for s in self.scenes):  # a transition just after a scene heading: out of the last shot
            last = next(s for s in reversed(self.scenes) if s.shots)
            last.shots[-1] = replace(last.shots[-1], transition=transition)
        return True

    # -- the result

    def build(self, fmt: str) -> ParsedScript:
        self._attach_pending_to_last()
        if self.pending_camera:
            self.warn("a camera direction at the end of the script has no shot after it: ignored")
        self._merge_short_names()
        scenes = [s for s in self.scenes if s.shots]
        if not scenes:
            raise ScriptParseError(
                "No dialogue, narration or action line was found. Write lines like '小明(紧张): 你好' or "
                "'旁白: ...' (or use Fountain/Markdown), then parse again."
            )
        for draft in scenes:  # a cast member who appears only in a scene's shots still belongs to its cast
            for shot in draft.shots:
                for name in (*shot.characters, *([shot.character] if shot.character else [])):
                    if name not in draft.cast:
                        draft.cast.append(name)
        return ParsedScript(
            title=self.title,
            language=self.language,
            format=fmt,  # type: ignore[arg-type]  # checked by the caller
            scenes=tuple(
                Scene(id=i, location=d.location, time=d.time, interior=d.interior, characters=tuple(d.cast),
                      shots=tuple(d.shots))
                for i, d in enumerate(scenes, start=1)
            ),  # fmt: skip
            characters=tuple(self.characters.values()),
        )

    def _scene(self) -> _SceneDraft:
        if not self.scenes:
            self.scenes.append(_SceneDraft(location="", time="", interior=None))
        return self.scenes[-1]

    def _mentioned(self, text: str) -> list[str]:
        """Characters a line names, by full name or a shorter one (whole words for Latin names)."""
        found: list[str] = []
        lowered = text.lower()
        for alias, name in [*((n.lower(), n) for n in self.characters), *self._aliases.items()]:
            if not name or name in found:
                continue
            latin = re.fullmatch(r"[\w .'\-]+", alias, re.ASCII)
            if re.search(rf"(?<![\w]){re.escape(alias)}(?![\w])", lowered) if latin else alias in lowered:
                found.append(name)
        return found

    def _attach_pending_to_last(self) -> None:
        """A cue with no shot after it in its scene belongs to the scene's last shot."""
        if not self.pending_sfx or not self.scenes or not self.scenes[-1].shots:
            return
        last = self.scenes[-1].shots[-1]
        self.scenes[-1].shots[-1] = replace(last, sound_effects=last.sound_effects + tuple(self.pending_sfx))
        self.pending_sfx = []

    def _merge_short_names(self) -> None:
        """A character cued by part of a name introduced later ('REYES' speaks before 'COMMANDER REYES (40s)' is
        described) is the described one: its lines move to that name."""
        for name, character in list(self.characters.items()):
            if character.attributes or character.appearance:
                continue
            owners = {n for n, c in self.characters.items()
                      if n != name and (c.attributes or c.appearance) and name.lower() in
                      {a.lower() for a in name_aliases(n)}}  # fmt: skip
            if len(owners) != 1:
                continue
            owner = owners.pop()
            for draft in self.scenes:
                draft.cast = list(dict.fromkeys(owner if n == name else n for n in draft.cast))
                draft.shots = [
                    replace(s, character=owner if s.character == name else s.character,
                            characters=tuple(dict.fromkeys(owner if n == name else n for n in s.characters)))
                    for s in draft.shots
                ]  # fmt: skip
            del self.characters[name]
