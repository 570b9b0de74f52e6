"""Prose to script with a language model: a story with no markup becomes ComicReel's seed text (scenes, cast,
dialogue, narration, action, cameras) with the author's dialogue copied verbatim, checked here; and richer shot
descriptions. A bad reply never raises: it is retried with the problem fed back, then the caller's rule-based
parser takes over and a warning says so."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from pipeline.errors import ScriptParseError
from pipeline.llm.base import ChatModel, LLMError, Message
from pipeline.parse import check_script_text
from pipeline.script_builder import camera_from_words

Language = Literal["zh", "en"]
MAX_PROSE_CHARS = 20_000  # beyond this the reply (about as long as the story) outgrows what models write at once
_LANGUAGE_NAMES = {"zh": "Simplified Chinese", "en": "English"}
_QUOTED = re.compile(r"“([^”]*)”|\"([^\"]*)\"|「([^」]*)」|『([^』]*)』")
_OUTER_QUOTES = {"“": "”", '"': '"', "「": "」", "『": "』"}
# Words the parser reads as something other than a speaker (场景: is a scene heading, 旁白: narration...).
_RESERVED_NAMES = {"场景", "角色", "人物", "旁白", "标题", "音效", "镜头", "scene", "character", "characters",
                   "narrator", "narration", "title", "sfx", "sound", "camera"}  # fmt: skip


# -- the schema ----------------------------------------------------------------------------------------------


def _one_line(value: Any) -> Any:
    """Newlines and runs of spaces inside a text become one space: every text is one line of the script."""
    return re.sub(r"\s+", " ", value).strip() if isinstance(value, str) else value


def _none_if_blank(value: Any) -> Any:
    value = _one_line(value)
    return None if value == "" else value


def _check_name(name: str) -> str:
    """A name the script parser reads as a speaker: one word of up to 20 characters, or up to 4 capitalised words
    ('Grandpa Joe'; a model's 'grandpa joe' is capitalised) of up to 30 characters in all."""
    if re.search(r"[:：()（）\[\]【】,，、;；\"“”「」]", name):
        raise ValueError("a name holds no colon, parenthesis, bracket, comma or quotation mark")
    if name.lower() in _RESERVED_NAMES:
        raise ValueError(f"{name!r} is not a character's name: use kind 'narration' for a narrator")
    words = name.split()
    if (len(words) == 1 and len(name) > 20) or len(words) > 4 or len(name) > 30:
        raise ValueError("a name has at most 4 words and 30 characters (20 for a name of one word)")
    return " ".join(w[:1].upper() + w[1:] for w in words) if len(words) > 1 else name


Text = Annotated[str, BeforeValidator(_one_line), Field(min_length=1, max_length=2000)]
Name = Annotated[str, BeforeValidator(_one_line), Field(min_length=1, max_length=30), AfterValidator(_check_name)]
Short = Annotated[Annotated[str, Field(max_length=40)] | None, BeforeValidator(_none_if_blank)]


class ScriptCharacter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    name: Name
    description: Annotated[str, BeforeValidator(_one_line), Field(max_length=200)] = ""


class ScriptLine(BaseModel):
    """One shot: a dialogue line (spoken by `character`), a narration or an action."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: Literal["dialogue", "narration", "action"]
    character: Annotated[Name | None, BeforeValidator(_none_if_blank)] = None
    emotion: Short = None
    text: Text
    camera: Short = None

    @model_validator(mode="before")
    @classmethod
    def _speaker_only_for_dialogue(cls, data: Any) -> Any:
        """Models often name a narration's or an action's character ('旁白'): only a speaker matters."""
        if isinstance(data, dict) and data.get("kind") != "dialogue" and data.get("character") is not None:
            data = {**data, "character": None}
        return data

    @field_validator("text")
    @classmethod
    def _unquote_dialogue(cls, text: str, info: ValidationInfo) -> str:
        """A model that keeps the quotation marks around a line still copied it: drop them."""
        if info.data.get("kind") == "dialogue" and len(text) > 2 and _OUTER_QUOTES.get(text[0]) == text[-1]:
            text = text[1:-1].strip()
        if not text:
            raise ValueError("a dialogue line needs words inside its quotation marks")
        return text

    @model_validator(mode="after")
    def _dialogue_has_speaker(self) -> ScriptLine:
        if self.kind == "dialogue" and not self.character:
            raise ValueError("a dialogue line needs its speaker in 'character'")
        return self


class ScriptScene(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    location: Annotated[str, BeforeValidator(_one_line), Field(max_length=100)] = ""
    time: Annotated[str, BeforeValidator(_one_line), Field(max_length=50)] = ""
    lines: list[ScriptLine] = Field(min_length=1, max_length=500)


class ScriptDoc(BaseModel):
    """What a language model returns for a story: the cast, then scenes of lines, in the story's language."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    title: Annotated[str, BeforeValidator(_one_line), Field(max_length=200)] = ""
    language: Language
    characters: list[ScriptCharacter] = Field(default_factory=list, max_length=60)
    scenes: list[ScriptScene] = Field(min_length=1, max_length=200)

    @field_validator("characters", mode="before")
    @classmethod
    def _drop_narrator(cls, characters: Any) -> Any:
        """A narrator listed in the cast is not a character: dropped rather than failing the whole reply."""
        if not isinstance(characters, list):
            return characters
        return [c for c in characters
                if not (isinstance(c, dict) and str(c.get("name", "")).strip().lower() in _RESERVED_NAMES)]  # fmt: skip


@dataclass(frozen=True)
class ProseResult:
    """`script`: seed text for the parser, None when the model's reply could not be used (then `warnings` says
    why and the caller parses with the rules); `attempts`: how many times the model was asked."""

    script: str | None
    doc: ScriptDoc | None
    warnings: list[str] = field(default_factory=list)
    attempts: int = 0


# -- prose to script -----------------------------------------------------------------------------------------


class _InvalidReply(Exception):
    """The reply cannot be used; the message is fed back to the model."""


def prose_to_script(
    text: str, model: ChatModel, *, language: str, retries: int = 2, max_tokens: int = 2048
) -> ProseResult:
    """Ask `model` to turn a story into a script; check the reply; write it as seed text.

    Args:
        text: the story, prose with no markup.
        model: any ChatModel (see `make_chat_model`).
        language: "zh" or "en", the story's language (`pipeline.parse.detect_language`).
        retries: how many more times to ask after an unusable reply (the problem is fed back each time).

    Returns:
        A ProseResult; its `script` is None, with a warning, when every reply was unusable or the model could not
        be reached.

    Raises:
        ScriptParseError: the text is empty or binary, or the language is not "zh" or "en".
        LLMError: `retries` is not between 0 and 5.
    """
    check_script_text(text)
    if language not in _LANGUAGE_NAMES:
        raise ScriptParseError(f"The story's language {language!r} must be 'zh' or 'en'.")
    if not 0 <= retries <= 5:
        raise LLMError(f"retries {retries} must be between 0 and 5.")
    if len(text) > MAX_PROSE_CHARS:
        return ProseResult(None, None, [f"The story has {len(text)} characters; the language model takes at most "
                                        f"{MAX_PROSE_CHARS} at once: the rule-based parser was used (split the "
                                        "story into episodes to use the model)."], 0)  # fmt: skip
    base: list[Message] = [{"role": "system", "content": _script_instructions(language)},
                           {"role": "user", "content": f"The story:\n\n{text.strip()}"}]  # fmt: skip
    messages, problem = base, ""
    for attempt in range(1, retries + 2):
        try:
            reply = model.complete(messages, max_tokens=max_tokens, temperature=0.0, json_mode=True)
        except LLMError as exc:
            return ProseResult(None, None, [f"The language model could not be used ({exc}): the rule-based "
                                            "parser was used."], attempt)  # fmt: skip
        try:
            doc = _read_script_reply(reply, text, language)
        except _InvalidReply as exc:
            problem = str(exc)
            messages = base + [{"role": "assistant", "content": reply[:4000]},
                               {"role": "user", "content": f"Your reply could not be used: {problem} Reply again "
                                                           "with only the corrected JSON object."}]  # fmt: skip
            continue
        return ProseResult(script_text(doc), doc, [], attempt)
    return ProseResult(None, None, [f"The language model's output was not a valid script after {retries + 1} "
                                    f"tries ({_clip(problem, 200)}): the rule-based parser was used."],
                       retries + 1)  # fmt: skip


def _read_script_reply(reply: str, story: str, language: str) -> ScriptDoc:
    """The reply as a ScriptDoc whose dialogue is the author's own, or _InvalidReply saying what is wrong."""
    data = _json_reply(reply)
    if not isinstance(data, dict):
        raise _InvalidReply("the reply is not a JSON object with 'characters' and 'scenes'.")
    data["language"] = language  # the caller knows the story's language; a model's spelling of it does not matter
    try:
        doc = ScriptDoc.model_validate(data)
    except ValidationError as exc:
        errors = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:4])
        raise _InvalidReply(f"the JSON does not match the script's shape ({errors}).") from None
    if invented := invented_dialogue(doc, story):
        shown = "; ".join(f"«{_clip(line, 60)}»" for line in invented[:3])
        raise _InvalidReply(f"{len(invented)} dialogue line(s) are not in the story word for word: {shown}. "
                            "Copy only the words inside quotation marks, exactly; put anything else in "
                            "narration.")  # fmt: skip
    return doc


def invented_dialogue(doc: ScriptDoc, story: str) -> list[str]:
    """The dialogue texts of `doc` that the story does not hold verbatim (whitespace aside). A line may also be
    consecutive quotations joined, as in “I know,” she said, “but not now.” -> "I know, but not now."."""
    haystack = _one_line(story)
    quotes = [_one_line(next(g for g in m.groups() if g is not None)) for m in _QUOTED.finditer(story)]
    invented = []
    for scene in doc.scenes:
        for line in scene.lines:
            if line.kind == "dialogue" and line.text not in haystack and not _joins_quotes(line.text, quotes):
                invented.append(line.text)
    return invented


def _joins_quotes(text: str, quotes: list[str]) -> bool:
    for start in range(len(quotes)):
        for end in range(start + 1, len(quotes) + 1):
            parts = quotes[start:end]
            if text in (" ".join(parts), "".join(parts)):
                return True
            if len("".join(parts)) > len(text):
                break
    return False


def _json_reply(reply: str) -> Any:
    """The JSON in a reply: code fences stripped, the outermost object (or array) taken."""
    # Reasoning models (Qwen3, DeepSeek-R1) think aloud first, braces and all.
    body = re.sub(r"<think>.*?</think>", "", reply, flags=re.DOTALL).strip()
    body = re.sub(r"^\s*```[a-zA-Z]*\s*|\s*```\s*$", "", body)
    starts = [i for i in (body.find("{"), body.find("[")) if i >= 0]
    if not starts:
        raise _InvalidReply("the reply holds no JSON; answer with one JSON object only.")
    start = min(starts)
    end = body.rfind("}" if body[start] == "{" else "]")
    try:
        return json.loads(body[start : end + 1])
    except json.JSONDecodeError as exc:
        raise _InvalidReply(f"the reply is not valid JSON ({exc.msg} at line {exc.lineno}).") from None
    except RecursionError:
        raise _InvalidReply("the reply's JSON is nested too deeply.") from None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_EXAMPLES: dict[str, dict[str, Any]] = {
    "zh": {"title": "天台", "language": "zh",
           "characters": [{"name": "小明", "description": "男,高中生,黑色短发"},
                          {"name": "小红", "description": "女,高中生,红色围巾"}],
           "scenes": [{"location": "学校天台", "time": "夜晚", "lines": [
               {"kind": "narration", "character": None, "emotion": None, "text": "放学后,天台上只剩他们两人。",
                "camera": "long"},
               {"kind": "dialogue", "character": "小明", "emotion": "紧张", "text": "我有话想对你说。",
                "camera": "close-up"},
               {"kind": "action", "character": None, "emotion": None, "text": "小红转过身看着他", "camera": None}]}]},
    "en": {"title": "The Lighthouse", "language": "en",
           "characters": [{"name": "Mara", "description": "woman, 30s, keeper's coat, silver braid"}],
           "scenes": [{"location": "Lighthouse lamp room", "time": "night", "lines": [
               {"kind": "narration", "character": None, "emotion": None, "text": "The storm had not let up for "
                "three days.", "camera": "long"},
               {"kind": "dialogue", "character": "Mara", "emotion": "determined", "text": "Keep the light burning.",
                "camera": "close-up"},
               {"kind": "action", "character": None, "emotion": None, "text": "Mara winds the lamp's clockwork",
                "camera": None}]}]},
}  # fmt: skip


def _script_instructions(language: str) -> str:
    name = _LANGUAGE_NAMES[language]
    example = json.dumps(_EXAMPLES[language], ensure_ascii=False)
    return f"""You turn a story written as prose into a comic script. Reply with one JSON object only, no \
commentary, shaped like this example:
{example}
Rules:
- "kind" is "dialogue", "narration" or "action".
- Dialogue is only what the story puts inside quotation marks (“…”, "…", 「…」, 『…』). Copy those words exactly, \
character for character, without the quotation marks. Never invent, translate, shorten or polish a line of \
dialogue. A quotation interrupted by words like "she said" becomes two dialogue lines.
- Every dialogue line names its speaker in "character", spelled as in "characters"; "emotion" is one or two words \
or null.
- Narration and action may summarise the rest of the story: short, one idea per line, in {name}.
- Character descriptions list gender, age or role, hair and clothing, comma-separated, in {name}.
- Start a new scene where the place or the time changes.
- "camera" is establishing, long, medium, close-up, over-the-shoulder, low angle, high angle, or null."""


# -- the seed text -------------------------------------------------------------------------------------------

# How the script's [镜头: …] / [Camera: …] lines write each camera (all words pipeline.script_builder reads).
CAMERA_LINE_WORDS: dict[str, tuple[str, str]] = {
    "establishing": ("大远景", "establishing"), "long": ("远景", "long"), "medium": ("中景", "medium"),
    "closeup": ("特写", "close-up"), "over-shoulder": ("过肩", "over-the-shoulder"), "low-angle": ("仰拍", "low angle"),
    "high-angle": ("俯拍", "high angle"),
}  # fmt: skip


def _camera(words: str | None) -> str | None:
    """The camera a model named ('close-up shot', 'wide', '特写镜头'), or None for one a script cannot say."""
    if not words:
        return None
    trimmed = re.sub(r"\s*(?:shot|镜头)$", "", words.strip(), flags=re.IGNORECASE)
    return camera_from_words(words) or camera_from_words(trimmed)


def _field(text: str) -> str:
    """A scene or description field: commas and parentheses would split it, so they become spaces."""
    return _one_line(re.sub(r"[,，、;；()（）]", " ", text))


def _emotion(emotion: str | None) -> str:
    """The parser reads at most 20 characters, with no parenthesis or colon, between a name's parentheses."""
    return _one_line(re.sub(r"[()（）:：]", " ", emotion or ""))[:20].strip()


def script_text(doc: ScriptDoc) -> str:
    """`doc` as ComicReel's seed text, which the parser reads and the creator can edit:
    `场景: 地点, 时间` / `Scene: place, time`, the cast after the first heading, `名字(情绪): 台词` /
    `Name (emotion): line`, `旁白: …` / `Narrator: …`, `（动作）` / `(action)`, and `[镜头: 特写]` /
    `[Camera: close-up]` before a line with a camera."""
    zh = doc.language == "zh"
    out: list[str] = []
    if doc.title:
        out.append(f"{'标题' if zh else 'Title'}: {doc.title}")
    for number, scene in enumerate(doc.scenes):
        if out:
            out.append("")
        place = ", ".join(p for p in (_field(scene.location) or ("某处" if zh else "Somewhere"), _field(scene.time))
                          if p)  # fmt: skip
        out.append(f"{'场景' if zh else 'Scene'}: {place}")
        if number == 0 and doc.characters:
            out.append(_cast_line(doc, zh))
        out += [text for line in scene.lines for text in _line_text(line, zh)]
    return "\n".join(out) + "\n"


def _cast_line(doc: ScriptDoc, zh: bool) -> str:
    items = []
    for character in doc.characters:
        # Commas stay: the parser splits the cast on commas outside parentheses and the description on all of them.
        description = _one_line(re.sub(r"[()（）]", " ", character.description)).strip(" ,，、")
        if not description:
            items.append(character.name)
        else:
            items.append(f"{character.name}({description})" if zh else f"{character.name} ({description})")
    return ("角色: " if zh else "Characters: ") + ", ".join(items)


def _line_text(line: ScriptLine, zh: bool) -> list[str]:
    out = []
    if camera := _camera(line.camera):
        word = CAMERA_LINE_WORDS[camera][0 if zh else 1]
        out.append(f"[镜头: {word}]" if zh else f"[Camera: {word}]")
    if line.kind == "dialogue":
        emotion = _emotion(line.emotion)
        mood = (f"({emotion})" if zh else f" ({emotion})") if emotion else ""
        out.append(f"{line.character}{mood}: {line.text}")
    elif line.kind == "narration":
        out.append(f"{'旁白' if zh else 'Narrator'}: {line.text}")
    else:
        action = re.sub(r"^[（(](.*)[）)]$", r"\1", line.text).strip() or line.text
        out.append(f"（{action}）" if zh else f"({action})")
    return out


# -- shot descriptions ---------------------------------------------------------------------------------------


def enrich_shots(
    descriptions: list[str], model: ChatModel, *, language: str, max_tokens: int = 2048
) -> tuple[list[str], list[str]]:
    """Richer one-line visual descriptions for a storyboard's shots, in the same order.

    Returns:
        (descriptions, warnings): the model's descriptions when its reply is a JSON list of as many non-empty
        strings; else the originals and a warning saying why.
    """
    if not descriptions:
        return [], []
    name = _LANGUAGE_NAMES.get(language, "English")
    system = (f"You improve the visual descriptions of comic panels. Reply with one JSON object only: "
              f'{{"descriptions": [...]}} holding exactly {len(descriptions)} strings, in the order given. Each is '
              "one line of at most 60 words saying what the panel shows: who, pose, expression, setting, light, "
              f"framing. Keep every name and fact, add no dialogue, write in {name}.")  # fmt: skip
    messages: list[Message] = [{"role": "system", "content": system},
                               {"role": "user", "content": json.dumps({"descriptions": descriptions},
                                                                      ensure_ascii=False)}]  # fmt: skip
    try:
        enriched = _read_descriptions(model.complete(messages, max_tokens=max_tokens, json_mode=True),
                                      len(descriptions))  # fmt: skip
    except (LLMError, _InvalidReply) as exc:
        return list(descriptions), [f"The language model's shot descriptions could not be used ({exc}): the "
                                    "original descriptions were kept."]  # fmt: skip
    return enriched, []


def _read_descriptions(reply: str, count: int) -> list[str]:
    data = _json_reply(reply)
    items = data.get("descriptions") if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(item, str) and item.strip() for item in items):
        raise _InvalidReply("the reply is not a list of non-empty strings.")
    if len(items) != count:
        raise _InvalidReply(f"the reply has {len(items)} descriptions for {count} shots.")
    lines = [_one_line(item) for item in items]
    if too_long := [line for line in lines if len(line) > 600]:
        raise _InvalidReply(f"{len(too_long)} description(s) are longer than 600 characters.")
    return lines
