"""Parse a script in the seed's text format, Markdown or Fountain into a ParsedScript.

The seed format (and Markdown, which is the seed format with headings and emphasis):
    场景:地点,时间            scene heading
    角色:名字(男,学生,...),...  character list with attributes
    旁白: text                 narration
    名字(情绪): text           dialogue, emotion optional
    （动作）                    action
    [音效: 心跳]               sound-effect cue, attached to the next shot
Fountain: INT./EXT. headings, CHARACTER cues with (parentheticals), action paragraphs, [[SFX: ...]] notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

from pipeline.errors import ScriptParseError
from pipeline.models import Character, ParsedScript, ParsedShot, Scene, ShotKind

Format = Literal["text", "markdown", "fountain"]
FORMATS: tuple[str, ...] = get_args(Format)

MIN_SHOT_SECONDS = 2.0
MAX_SHOT_SECONDS = 8.0

_CJK = re.compile(r"[\u3400-\u9fff]")
_COLON = r"[:：]"
_SCENE_ZH = re.compile(rf"^(?:场景|Scene|SCENE)\s*\d*\s*{_COLON}\s*(.+)$")
_CAST_ZH = re.compile(rf"^(?:角色|人物|Characters?)\s*{_COLON}\s*(.+)$", re.IGNORECASE)
_NARRATION = re.compile(rf"^(?:旁白|Narrator|NARRATOR|Narration)\s*{_COLON}\s*(.+)$")
_SFX = re.compile(rf"^[\[【]\s*(?:音效|SFX|sfx|Sound)\s*{_COLON}\s*(.+?)\s*[\]】]$")
_ACTION = re.compile(r"^[（(](.+)[）)]$")
_DIALOGUE = re.compile(rf"^([^\s:：()（）]{{1,20}})\s*(?:[（(]([^（）()]{{1,20}})[）)])?\s*{_COLON}\s*(.+)$")
_ATTR_LIST = re.compile(r"^([^（(]+?)\s*(?:[（(](.*)[）)])?$")

_FOUNTAIN_HEADING = re.compile(r"^(?:\.(?!\.)|(?:INT|EXT|EST|INT\./EXT|INT/EXT|I/E)[. ])\s*(.*)$", re.IGNORECASE)
_FOUNTAIN_CUE = re.compile(r"^([A-Z][A-Z0-9 .'\-]*[A-Z0-9.])\s*(\([^)]*\))?\s*(\^)?$")
_FOUNTAIN_TRANSITION = re.compile(r"^(?:[A-Z ]+TO:|FADE OUT\.|FADE IN:|FADE TO BLACK\.|CUT TO BLACK\.|>.*)$")
_FOUNTAIN_NOTE = re.compile(r"\[\[(.*?)\]\]")
_FOUNTAIN_INTRO = re.compile(r"\b([A-Z][A-Z'\-]+(?: [A-Z][A-Z'\-]+)*)\s*\(([^)]*)\)")
_TITLE_KEY = re.compile(r"^(Title|Credit|Author|Authors|Source|Draft date|Contact|Notes)\s*:\s*(.*)$", re.IGNORECASE)

_GENDERS = {"男": "男", "女": "女", "male": "男", "female": "女", "man": "男", "woman": "女", "boy": "男", "girl": "女"}
_HAIR = re.compile(r"发|辫|髮|hair|braid|bald|ponytail|beard|胡", re.IGNORECASE)
_CLOTHING = re.compile(
    r"衣|服|装|围巾|褂|裙|裤|帽|鞋|外套|校服|coat|jacket|sweater|shirt|dress|scarf|hat|uniform|apron|围裙|cloak",
    re.IGNORECASE,
)
_AGE = re.compile(r"^\d+\s*(?:s|岁|歲)?$|^\d+s$")


def detect_format(text: str, filename: str | None = None) -> Format:
    """Guess the script format from the file name, then from the text."""
    if filename:
        lower = filename.lower()
        if lower.endswith(".fountain") or lower.endswith(".spmd"):
            return "fountain"
        if lower.endswith((".md", ".markdown")):
            return "markdown"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if any(_FOUNTAIN_HEADING.match(ln) and ln[:4].upper() in ("INT.", "EXT.", "INT/", "I/E ", "EST.") for ln in lines):
        return "fountain"
    if any(ln.startswith("#") or ln.startswith("**") for ln in lines):
        return "markdown"
    return "text"


def detect_language(text: str) -> Literal["zh", "en"]:
    cjk = len(_CJK.findall(text))
    letters = len(re.findall(r"[A-Za-z]", text))
    return "zh" if cjk * 3 >= letters else "en"


def estimate_duration(text: str) -> float:
    """Seconds a line takes to say or show: about 4.5 Hanzi or 2.6 English words a second, within [2, 8]."""
    hanzi = len(_CJK.findall(text))
    words = len(re.findall(r"[A-Za-z0-9']+", text))
    seconds = hanzi / 4.5 + words / 2.6 + 0.6
    return round(min(MAX_SHOT_SECONDS, max(MIN_SHOT_SECONDS, seconds)), 1)


MAX_SCRIPT_CHARS = 200_000
MAX_SCRIPT_BYTES = 4 * MAX_SCRIPT_CHARS  # the most a UTF-8 file of MAX_SCRIPT_CHARS can take
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_script_text(text: str) -> str:
    """The checks every door applies before a script is stored or parsed; returns the text.

    Raises:
        ScriptParseError: empty, too long, or binary-looking (NUL or other control characters).
    """
    if not text or not text.strip():
        raise ScriptParseError("The script is empty: paste or upload a script with at least one line of dialogue.")
    if len(text) > MAX_SCRIPT_CHARS:
        raise ScriptParseError(
            f"The script has {len(text)} characters; the limit is {MAX_SCRIPT_CHARS}: split it into episodes."
        )
    if bad := _CONTROL.search(text):
        line = text.count("\n", 0, bad.start()) + 1
        raise ScriptParseError(
            f"The script holds a control character (U+{ord(bad.group()):04X}) on line {line}: "
            "is it a binary file? Save the script as plain UTF-8 text."
        )
    return text


def decode_script(data: bytes) -> str:
    """Script file bytes to text: UTF-8 (with or without BOM), UTF-16 with a BOM, or GB18030 (GBK files).

    Raises:
        ScriptParseError: too large, or not text in any of those encodings.
    """
    if len(data) > MAX_SCRIPT_BYTES:
        raise ScriptParseError(f"The file is too large: a script may have at most {MAX_SCRIPT_BYTES} bytes.")
    encodings = ["utf-16"] if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ["utf-8-sig", "gb18030"]
    for encoding in encodings:
        try:
            return check_script_text(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise ScriptParseError("The file is not text (not UTF-8, UTF-16 or GB18030): save the script as UTF-8 text.")


def parse_script(text: str, fmt: Format | None = None, filename: str | None = None) -> ParsedScript:
    """Parse script text into scenes, shots and characters (see `parse_script_with_warnings`)."""
    return parse_script_with_warnings(text, fmt, filename)[0]


def parse_script_with_warnings(
    text: str, fmt: Format | None = None, filename: str | None = None
) -> tuple[ParsedScript, list[ScriptWarning]]:
    """Parse script text into scenes, shots and characters, with what the parser had to guess at, by line.

    Args:
        text: the script.
        fmt: "text" (the seed's format), "markdown" or "fountain"; detected when None.
        filename: used only to detect the format.

    Raises:
        ScriptParseError: the text is empty or holds no line that becomes a shot.
    """
    check_script_text(text)
    fmt = fmt or detect_format(text, filename)
    if fmt not in ("text", "markdown", "fountain"):
        raise ScriptParseError(f"Unknown script format {fmt!r}: use 'text', 'markdown' or 'fountain'.")
    builder = _ScriptBuilder(language=detect_language(text))
    if fmt == "fountain":
        _parse_fountain(text, builder)
    else:
        _parse_seed(text, builder, markdown=fmt == "markdown")
    return builder.build(fmt), builder.warnings


# -- building ----------------------------------------------------------------------------------------------


@dataclass
class _SceneDraft:
    location: str
    time: str
    interior: bool | None
    cast: list[str] = field(default_factory=list)
    shots: list[ParsedShot] = field(default_factory=list)


@dataclass(frozen=True)
class ScriptWarning:
    """Something the parser guessed at, with the 1-based line it concerns."""

    line: int
    message: str


@dataclass
class _ScriptBuilder:
    language: Literal["zh", "en"]
    title: str = ""
    scenes: list[_SceneDraft] = field(default_factory=list)
    characters: dict[str, Character] = field(default_factory=dict)
    pending_sfx: list[str] = field(default_factory=list)
    warnings: list[ScriptWarning] = field(default_factory=list)
    line: int = 0  # the line being read, for warnings
    declared: bool = False  # the script has a cast line (角色: / Characters:)

    def warn(self, message: str) -> None:
        self.warnings.append(ScriptWarning(self.line, message))

    def start_scene(self, location: str, time: str, interior: bool | None = None) -> None:
        self._attach_pending_to_last()
        self.scenes.append(_SceneDraft(location=location.strip(), time=time.strip(), interior=interior))

    def add_character(self, character: Character) -> None:
        known = self.characters.get(character.name)
        if known is None or (not known.attributes and not known.appearance):
            self.characters[character.name] = character
        if character.name not in self._scene().cast:
            self._scene().cast.append(character.name)

    def add_shot(self, kind: ShotKind, text: str, character: str | None = None, emotion: str | None = None) -> None:
        text = text.strip()
        if not text:
            return
        if not self.scenes:
            self.warn("a line before any scene heading: it goes into a scene with no place or time")
        scene = self._scene()
        if character:
            if character not in self.characters:
                if self.declared:
                    self.warn(f"{character} speaks but is not in the cast list: added with no description")
                self.characters[character] = Character(name=character)
            if character not in scene.cast:
                scene.cast.append(character)
        visible = [character] if character and kind == "dialogue" else []  # a narrator is heard, not seen
        visible += [name for name in self._mentioned(text) if name not in visible]
        scene.shots.append(
            ParsedShot(
                type=kind,
                text=text,
                duration=estimate_duration(text),
                character=character,
                emotion=emotion.strip() if emotion else None,
                characters=tuple(visible),
                sound_effects=tuple(self.pending_sfx),
            )
        )
        self.pending_sfx = []

    def add_sound_effect(self, name: str) -> None:
        self.pending_sfx.append(name.strip())

    def build(self, fmt: Format) -> ParsedScript:
        self._attach_pending_to_last()
        scenes = [s for s in self.scenes if s.shots]
        if not scenes:
            raise ScriptParseError(
                "No dialogue, narration or action line was found. Write lines like '小明(紧张): 你好' or "
                "'旁白: ...' (or use Fountain/Markdown), then parse again."
            )
        for draft in scenes:  # a cast member who appears only in a scene's shots still belongs to its cast
            for shot in draft.shots:
                for name in shot.characters:
                    if name not in draft.cast:
                        draft.cast.append(name)
        return ParsedScript(
            title=self.title,
            language=self.language,
            format=fmt,
            scenes=tuple(
                Scene(
                    id=i,
                    location=d.location,
                    time=d.time,
                    interior=d.interior,
                    characters=tuple(d.cast),
                    shots=tuple(d.shots),
                )
                for i, d in enumerate(scenes, start=1)
            ),
            characters=tuple(self.characters.values()),
        )

    def _scene(self) -> _SceneDraft:
        if not self.scenes:
            self.scenes.append(_SceneDraft(location="", time="", interior=None))
        return self.scenes[-1]

    def _mentioned(self, text: str) -> list[str]:
        lowered = text.lower()
        return [name for name in self.characters if name.lower() in lowered]

    def _attach_pending_to_last(self) -> None:
        """A cue with no shot after it in its scene belongs to the scene's last shot."""
        if not self.pending_sfx or not self.scenes or not self.scenes[-1].shots:
            return
        last = self.scenes[-1].shots[-1]
        self.scenes[-1].shots[-1] = replace(last, sound_effects=last.sound_effects + tuple(self.pending_sfx))
        self.pending_sfx = []


# -- the seed's format and Markdown ------------------------------------------------------------------------


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        if ch in ",，、;；" and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def character_from_description(name: str, description: str) -> Character:
    """Sort a comma list like '男,高中生,黑色短发,戴眼镜' or '30s, keeper's coat, silver braid' into fields."""
    attributes: dict[str, str] = {}
    hair: list[str] = []
    clothing: list[str] = []
    features: list[str] = []
    for item in (p.strip() for p in re.split(r"[,，、;；]", description) if p.strip()):
        key = item.lower()
        if key in _GENDERS and "gender" not in attributes:
            attributes["gender"] = _GENDERS[key]
            if key in ("boy", "girl") and "role" not in attributes:
                attributes["role"] = item  # a child: the voice and the drawing need the age as well as the gender
        elif _AGE.match(key) and "age" not in attributes:
            attributes["age"] = item
        elif _HAIR.search(item):
            hair.append(item)
        elif _CLOTHING.search(item):
            clothing.append(item)
        elif "role" not in attributes and not features:
            attributes["role"] = item
        else:
            features.append(item)
    appearance: dict[str, object] = {}
    if hair:
        appearance["hair"] = ",".join(hair)
    if clothing:
        appearance["clothing"] = ",".join(clothing)
    if features:
        appearance["features"] = features
    return Character(name=name.strip(), attributes=attributes, appearance=appearance)


def _strip_markdown(line: str) -> str:
    line = re.sub(r"^#{1,6}\s*", "", line)
    line = re.sub(r"^>\s*", "", line)
    line = re.sub(r"^[-*+]\s+(?=\S)", "", line) if not line.startswith("**") else line
    line = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), line)
    line = re.sub(r"(?<!\*)\*(?!\*)(.+?)(?<!\*)\*(?!\*)", r"\1", line)
    return line.strip()


def _parse_seed(text: str, builder: _ScriptBuilder, *, markdown: bool) -> None:
    for number, raw in enumerate(text.splitlines(), start=1):
        builder.line = number
        line = raw.strip()
        if not line or line.startswith("<!--") or line in ("---", "***"):
            continue
        if markdown:
            if re.match(r"^#\s", line) and not builder.title and not _SCENE_ZH.match(_strip_markdown(line)):
                builder.title = _strip_markdown(line)
                continue
            line = _strip_markdown(line)
        if m := _SCENE_ZH.match(line):
            parts = _split_top_level(m.group(1))
            location = parts[0] if parts else m.group(1)
            time = parts[1] if len(parts) > 1 else ""
            builder.start_scene(location, time, _guess_interior(location))
        elif m := _CAST_ZH.match(line):
            builder.declared = True
            for item in _split_top_level(m.group(1)):
                if am := _ATTR_LIST.match(item):
                    builder.add_character(character_from_description(am.group(1), am.group(2) or ""))
        elif m := _SFX.match(line):
            builder.add_sound_effect(m.group(1))
        elif m := _NARRATION.match(line):
            builder.add_shot("narration", m.group(1))
        elif m := _ACTION.match(line):
            builder.add_shot("action", m.group(1))
        elif m := _DIALOGUE.match(line):
            builder.add_shot("dialogue", m.group(3), character=m.group(1), emotion=m.group(2))
        elif m := re.match(rf"^(?:标题|Title)\s*{_COLON}\s*(.+)$", line):
            builder.title = m.group(1).strip()
        else:
            builder.warn("not a scene, cast, dialogue (名字: 台词), narration (旁白: …) or action （…） line: "
                         "kept as an action line")
            builder.add_shot("action", line)


_INTERIOR_WORDS = ("室", "屋", "房", "教室", "厅", "馆", "店", "内", "间", "room", "inside", "interior", "office")
_EXTERIOR_WORDS = ("街", "路", "天台", "桥", "山", "海", "公园", "市", "外", "street", "coast", "sea", "park", "roof")


def _guess_interior(location: str) -> bool | None:
    if any(w in location.lower() for w in _INTERIOR_WORDS):
        return True
    if any(w in location.lower() for w in _EXTERIOR_WORDS):
        return False
    return None


# -- Fountain ----------------------------------------------------------------------------------------------


def _parse_fountain(text: str, builder: _ScriptBuilder) -> None:
    lines = text.replace("\r\n", "\n").split("\n")
    i = _read_title_page(lines, builder)
    paragraphs = _paragraphs(lines[i:])
    last_time = ""
    for para in paragraphs:
        first = para[0].strip()
        notes = _FOUNTAIN_NOTE.findall("\n".join(para))
        for note in notes:
            if m := re.match(r"^\s*(?:SFX|Sound|音效)\s*:\s*(.+)$", note, re.IGNORECASE):
                builder.add_sound_effect(m.group(1))
        para = [ln for ln in (_FOUNTAIN_NOTE.sub("", ln).rstrip() for ln in para) if ln.strip()]
        if not para:
            continue
        first = para[0].strip()
        if (m := _FOUNTAIN_HEADING.match(first)) and len(para) == 1:
            heading = m.group(1).strip().rstrip(".")
            location, _, time = heading.partition(" - ")
            time = time.strip()
            if time.upper() in ("CONTINUOUS", "LATER", "MOMENTS LATER", "SAME", ""):
                time = last_time
            last_time = time
            prefix = first[:4].upper()
            interior = True if prefix.startswith("INT") else False if prefix.startswith("EXT") else None
            builder.start_scene(location.title(), time.title(), interior)
        elif _FOUNTAIN_TRANSITION.match(first) and len(para) == 1:
            continue
        elif (m := _FOUNTAIN_CUE.match(first)) and len(para) > 1 and first == first.upper():
            _fountain_dialogue(m.group(1), m.group(2), para[1:], builder)
        else:
            _fountain_action(" ".join(ln.strip() for ln in para), builder)


def _read_title_page(lines: list[str], builder: _ScriptBuilder) -> int:
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or not _TITLE_KEY.match(lines[i]):
        return 0
    while i < len(lines) and lines[i].strip():
        if (m := _TITLE_KEY.match(lines[i])) and m.group(1).lower() == "title":
            builder.title = m.group(2).strip()
        i += 1
    return i


def _paragraphs(lines: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    current: list[str] = []
    for ln in lines:
        if ln.strip():
            current.append(ln)
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _display_name(cue: str) -> str:
    return " ".join(w.capitalize() for w in cue.split())


def _fountain_dialogue(cue: str, extension: str | None, body: list[str], builder: _ScriptBuilder) -> None:
    name = _display_name(cue.strip())
    emotion: str | None = None
    spoken: list[str] = []
    for ln in body:
        s = ln.strip()
        if s.startswith("(") and s.endswith(")"):
            if spoken:  # a parenthetical mid-speech starts a new beat
                builder.add_shot("dialogue", " ".join(spoken), character=name, emotion=emotion)
                spoken = []
            emotion = s[1:-1].strip()
        else:
            spoken.append(s)
    voice_over = extension is not None and extension.upper() in ("(V.O.)", "(O.S.)", "(O.C.)")
    if spoken:
        builder.add_shot("narration" if voice_over else "dialogue", " ".join(spoken), character=name, emotion=emotion)


def _fountain_action(text: str, builder: _ScriptBuilder) -> None:
    def introduce(m: re.Match[str]) -> str:
        name = _display_name(m.group(1))
        builder.add_character(character_from_description(name, m.group(2)))
        return name

    text = _FOUNTAIN_INTRO.sub(introduce, text)
    # Other all-caps names that are already known read as their display names.
    for name in list(builder.characters):
        text = re.sub(rf"\b{re.escape(name.upper())}\b", name, text)
    builder.add_shot("action", text)
