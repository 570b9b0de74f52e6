"""Parse a script in the seed's text format, Markdown or Fountain into a ParsedScript.

The seed format (and Markdown, which is the seed format with headings and emphasis), in Chinese or English:
    场景: 地点, 时间              Scene: place, time            a scene
    角色: 名字(男,学生,…), …      Characters: Name (…), …       the cast, with descriptions
    旁白: 文字                     Narrator: text                narration
    名字(情绪): 台词               Grandpa Joe (smiling): line   dialogue, emotion optional, names may have spaces
    （动作）                        (action)                      action
    [音效: 心跳]  【音效：雷声】     [SFX: thunder]                a sound cue for the next shot
    [镜头: 特写]                    [Camera: close-up]            the next shot's camera
    [转场: 淡入淡出]                [Transition: dissolve]        how the last shot leaves
Fountain (https://fountain.io/syntax) is read by pipeline.fountain.

Every warning carries its line. A text with no line of any markup (prose) is read as narration, with a warning
that names the markup expected; the language model turns prose into a script when one is configured (pipeline.llm).
"""

from __future__ import annotations

import re
from typing import Any, Literal, get_args

from pipeline.errors import ScriptParseError
from pipeline.estimate import DEFAULT_PACE, shot_seconds
from pipeline.fountain import looks_like_fountain, read_fountain
from pipeline.models import ParsedScript
from pipeline.script_builder import ScriptBuilder, ScriptWarning, character_from_description
from pipeline.timeline import Pacing

__all__ = ["FORMATS", "Format", "ScriptWarning", "character_from_description", "check_script_text", "decode_script",
           "detect_format", "detect_language", "parse_script", "parse_script_with_warnings"]  # fmt: skip

Format = Literal["text", "markdown", "fountain"]
FORMATS: tuple[str, ...] = get_args(Format)

MAX_SCRIPT_CHARS = 200_000
MAX_SCRIPT_BYTES = 4 * MAX_SCRIPT_CHARS  # the most a UTF-8 file of MAX_SCRIPT_CHARS can take

_CJK = re.compile(r"[\u3400-\u9fff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_COLON = r"\s*[:：]\s*"
_NUMBER = r"[\s\d一二三四五六七八九十百零〇]*"
_SCENE = re.compile(rf"^(?:场景|场|Scene|SCENE){_NUMBER}{_COLON}(.+)$", re.IGNORECASE)
_CAST = re.compile(rf"^(?:角色|人物|登场人物|Characters?|Cast){_COLON}(.+)$", re.IGNORECASE)
_NARRATION = re.compile(rf"^(?:旁白|画外音|Narrator|Narration|V\.?O\.?)\s*(?:[（(]([^（）()]{{1,20}})[）)])?{_COLON}(.+)$",
                        re.IGNORECASE)  # fmt: skip
_TITLE = re.compile(rf"^(?:标题|剧名|Title){_COLON}(.+)$", re.IGNORECASE)
_DIRECTION = re.compile(r"^[\[【]\s*([^\]】:：]{1,20}?)\s*(?:[:：]\s*([^\]】]*?))?\s*[\]】]\s*(.*)$")
_SFX_KEYS = {"音效", "声音", "sfx", "sound", "sound effect", "fx"}
_CAMERA_KEYS = {"镜头", "景别", "机位", "camera", "shot", "cam"}
_TRANSITION_KEYS = {"转场", "过渡", "transition"}
_ACTION = re.compile(r"^[（(](.+)[）)]$")
_QUOTES = {"“": "”", '"': '"', "「": "」", "『": "』", "‘": "’"}
_DIALOGUE = re.compile(
    r"^(?P<name>[^\s:：()（）\[\]【】\"“”「」][^:：()（）\[\]【】\"“”「」]{0,29}?)\s*"
    r"(?:[（(](?P<emotion>[^（）()]{1,20})[）)])?\s*[:：]\s*(?P<text>.+)$"
)
_LEADING_PARENTHETICAL = re.compile(r"^[（(]([^（）()]{1,20})[）)]\s*(.+)$")
_CHAPTER = re.compile(r"^(?:第\s*[\d一二三四五六七八九十百零〇]+\s*[章回集幕节部卷]|(?:chapter|part|act|episode|book)\s+\w+)$",
                      re.IGNORECASE)  # a heading, not a speaker: 第一章：相遇, Chapter 1: The Storm
_ATTR_LIST = re.compile(r"^([^（(]+?)\s*(?:[（(](.*)[）)])?$")
_TIME_WORDS = re.compile(
    r"(白天|早上|早晨|清晨|上午|中午|午后|下午|傍晚|黄昏|夜晚|晚上|深夜|午夜|凌晨|"
    r"(?<![A-Za-z])(?:day|morning|noon|afternoon|evening|dusk|dawn|sunset|sunrise|night|midnight))$",
    re.IGNORECASE,
)
_INTERIOR_WORDS = ("室", "屋", "房", "厅", "馆", "店", "内", "间", "舱", "room", "inside", "interior", "office",
                   "kitchen", "hall", "shop", "cafe", "café", "station")  # fmt: skip
_EXTERIOR_WORDS = ("街", "路", "天台", "桥", "山", "海", "公园", "市场", "外", "广场", "street", "coast", "sea", "park",
                   "roof", "road", "beach", "forest", "bridge", "market", "outside", "exterior")  # fmt: skip


def detect_format(text: str, filename: str | None = None) -> Format:
    """Guess the script format from the file name, then from the text."""
    if filename:
        lower = filename.lower()
        if lower.endswith(".fountain") or lower.endswith(".spmd"):
            return "fountain"
        if lower.endswith((".md", ".markdown")):
            return "markdown"
    if looks_like_fountain(text):
        return "fountain"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if any(re.match(r"^#{1,6}\s", ln) or ln.startswith("**") for ln in lines):
        return "markdown"
    return "text"


def detect_language(text: str) -> Literal["zh", "en"]:
    cjk = len(_CJK.findall(text))
    letters = len(re.findall(r"[A-Za-z]", text))
    return "zh" if cjk * 3 >= letters else "en"


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


def parse_script(
    text: str, fmt: Format | None = None, filename: str | None = None, *, pace: Pacing = DEFAULT_PACE
) -> ParsedScript:
    """Parse script text into scenes, shots and characters (see `parse_script_with_warnings`)."""
    return parse_script_with_warnings(text, fmt, filename, pace=pace)[0]


def parse_script_with_warnings(
    text: str, fmt: Format | None = None, filename: str | None = None, *, pace: Pacing = DEFAULT_PACE
) -> tuple[ParsedScript, list[ScriptWarning]]:
    """Parse script text into scenes, shots and characters, with what the parser had to guess at, by line.

    Args:
        text: the script.
        fmt: "text" (the seed's format), "markdown" or "fountain"; detected when None.
        filename: used only to detect the format.
        pace: speaking rates and pacing, for each shot's estimated duration.

    Raises:
        ScriptParseError: the text is empty, binary-looking, too long, or holds no line that becomes a shot.
    """
    check_script_text(text)
    fmt = fmt or detect_format(text, filename)
    if fmt not in FORMATS:
        raise ScriptParseError(f"Unknown script format {fmt!r}: use 'text', 'markdown' or 'fountain'.")
    builder = ScriptBuilder(language=detect_language(text), pace=pace)
    if fmt == "fountain":
        read_fountain(text, builder)
    else:
        _read_seed(text, builder, markdown=fmt == "markdown")
    return builder.build(fmt), builder.warnings


def script_seconds(text: str, fmt: Format | None = None, pace: Pacing = DEFAULT_PACE) -> float:
    """How long the script will play: the sum of its parsed shots' estimates (a text that does not parse is
    estimated as read aloud)."""
    try:
        return parse_script(text, fmt, pace=pace).duration
    except ScriptParseError:
        return shot_seconds("narration", text, pace)


def parse_result(parsed: ParsedScript, warnings: list[ScriptWarning]) -> dict[str, Any]:
    """The parse as every door returns it (CLI --json, GET …/script/parsed, the studio): the script's scenes and
    cast, and metadata with totals, title, language, format and the warnings by line."""
    data = parsed.to_dict()
    data["metadata"] = {**data["metadata"], "title": parsed.title, "language": parsed.language,
                        "format": parsed.format, "warnings": [{"line": w.line, "message": w.message} for w in warnings]}  # fmt: skip
    return data


def is_prose(warnings: list[ScriptWarning]) -> bool:
    """Whether the parse found no script markup at all (the text is a story to be turned into a script)."""
    return any(w.message.startswith(PROSE_WARNING) for w in warnings)


PROSE_WARNING = "No line of this text is script markup"


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


def _strip_markdown(line: str) -> str:
    line = re.sub(r"^#{1,6}\s*", "", line)
    line = re.sub(r"^>\s*", "", line)
    line = re.sub(r"^[-*+]\s+(?=\S)", "", line) if not line.startswith("**") else line
    line = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), line)
    line = re.sub(r"(?<!\*)\*(?!\*)(.+?)(?<!\*)\*(?!\*)", r"\1", line)
    return line.strip()


def _read_seed(text: str, builder: ScriptBuilder, *, markdown: bool) -> None:
    stray: list[tuple[int, str]] = []  # lines of no markup: kept as actions, or read again as narration (prose)
    in_comment = False
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        builder.line = number
        line = raw.strip().replace("\u3000", " ")
        if in_comment or line.startswith("<!--"):
            in_comment = "-->" not in line
            continue
        if not line or line in ("---", "***", "___") or line.startswith("//"):
            continue
        if markdown:
            if re.match(r"^#\s", line) and not builder.title and not _SCENE.match(_strip_markdown(line)):
                builder.title = _strip_markdown(line)  # a story with a title is still a story (not counted)
                continue
            line = _strip_markdown(line)
        if _read_seed_line(line, builder):
            builder.recognised += 1
        else:
            stray.append((number, line))
            builder.warn("not a scene, cast, dialogue (名字: 台词), narration (旁白: …), action （…） or direction "
                         "([镜头: …]) line: kept as an action line")  # fmt: skip
            builder.add_shot("action", line)
    if stray and not builder.recognised:
        _read_prose(stray, builder)


def _read_seed_line(line: str, builder: ScriptBuilder) -> bool:
    """Read one line of the seed's format; False when it is none of its forms."""
    if m := _DIRECTION.match(line):
        if not _read_direction(m.group(1), m.group(2), builder):
            return False
        rest = m.group(3).strip()
        return _read_seed_line(rest, builder) if rest else True
    if m := _SCENE.match(line):
        location, time = _scene_place(m.group(1))
        builder.start_scene(location, time, _guess_interior(location))
    elif m := _CAST.match(line):
        builder.declared = True
        for item in _split_top_level(m.group(1)):
            if am := _ATTR_LIST.match(item):
                builder.add_character(character_from_description(am.group(1), am.group(2) or ""))
    elif m := _NARRATION.match(line):
        builder.add_shot("narration", _unquote(m.group(2)), emotion=m.group(1))
    elif m := _TITLE.match(line):
        builder.title = m.group(1).strip()
    elif m := _ACTION.match(line):
        builder.add_shot("action", m.group(1))
    elif (m := _DIALOGUE.match(line)) and _is_name(m.group("name")):
        speech, emotion = m.group("text").strip(), m.group("emotion")
        if not emotion and (lead := _LEADING_PARENTHETICAL.match(speech)):  # 名字: （小声）台词
            emotion, speech = lead.group(1), lead.group(2)
        builder.add_shot("dialogue", _unquote(speech), character=m.group("name").strip(), emotion=emotion)
    else:
        return False
    return True


def _read_direction(key: str, value: str | None, builder: ScriptBuilder) -> bool:
    """[音效: …], [镜头: 特写], [转场: 淡入淡出], or a bare [特写] / [Close-up]; False when it is none of them."""
    key_l = key.strip().lower()
    if value is None:  # [特写], [Close-up], [叠化]
        return builder.set_camera(key, quiet=True) or builder.set_transition(key, quiet=True)
    if key_l in _SFX_KEYS:
        builder.add_sound_effect(value)
    elif key_l in _CAMERA_KEYS:
        builder.set_camera(value)
    elif key_l in _TRANSITION_KEYS:
        builder.set_transition(value)
    else:
        builder.warn(f"[{key}: …] is not a direction this studio knows: ignored "
                     "(directions are [音效: …], [镜头: …], [转场: …] or [SFX: …], [Camera: …], [Transition: …])")  # fmt: skip
    return True


def _is_name(name: str) -> bool:
    """Whether the words before a colon can be a speaker: a name, not a clause ('Note that…', '10:30')."""
    name = name.strip()
    if not name or name.isdigit() or "http" in name.lower() or _CHAPTER.match(name):
        return False
    words = name.split()
    if len(words) == 1:
        return len(name) <= 20
    return len(words) <= 4 and all(_CJK.match(w) or w[:1].isupper() or w[:1].isdigit() for w in words)


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1] and text[-1] not in text[1:-1]:
        return text[1:-1].strip()
    return text


def _scene_place(heading: str) -> tuple[str, str]:
    """'教室, 白天' / '天台 夜晚' / 'Rooftop - night' → (place, time)."""
    parts = _split_top_level(heading)
    if len(parts) == 1:
        parts = [p.strip() for p in re.split(r"\s+[-–—/|]\s+", parts[0]) if p.strip()]
    if not parts:
        return "", ""
    if len(parts) == 1 and (m := _TIME_WORDS.search(parts[0])) and m.start() > 0:
        parts = [parts[0][: m.start()].strip(" -–—"), m.group(1)]
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


def _guess_interior(location: str) -> bool | None:
    lowered = location.lower()
    if any(w in lowered for w in _INTERIOR_WORDS):
        return True
    if any(w in lowered for w in _EXTERIOR_WORDS):
        return False
    return None


def _read_prose(paragraphs: list[tuple[int, str]], builder: ScriptBuilder) -> None:
    """A text with no line of markup (a story) is read again: its sentences become narration, with one warning that
    says what a script looks like."""
    builder.scenes.clear()
    builder.warnings.clear()
    builder.warn(f"{PROSE_WARNING}: it was read as narration. Write it as a script (scene lines such as "
                 "'场景: 教室, 白天', dialogue '名字(情绪): 台词', narration '旁白: …', actions in （…）, or "
                 "Fountain / Markdown), or have a language model write the story as a script (COMICREEL_LLM_BACKEND: "
                 "'local' or 'openai').", line=paragraphs[0][0])  # fmt: skip
    builder.start_scene("", "")
    for number, paragraph in paragraphs:
        builder.line = number
        for sentence in _sentences(paragraph):
            builder.add_shot("narration", sentence)


def _sentences(paragraph: str, most: int = 60) -> list[str]:
    """A paragraph in pieces a narrator can say in one shot: whole sentences, joined while under `most` characters
    (Chinese) or about `most` / 3 words."""
    pieces = [p.strip() for p in re.split(r"(?<=[。！？!?…])|(?<=[.;])\s+", paragraph) if p and p.strip()]
    out: list[str] = []
    for piece in pieces:
        size = len(_CJK.findall(piece)) + 3 * len(piece.split())
        if out and len(_CJK.findall(out[-1])) + 3 * len(out[-1].split()) + size <= most:
            out[-1] = f"{out[-1]}{'' if _CJK.search(piece) else ' '}{piece}"
        else:
            out.append(piece)
    return out
