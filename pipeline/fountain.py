"""Read a Fountain screenplay (https://fountain.io/syntax) into a ScriptBuilder.

What becomes of each element:
- title page (`Title:` and the other keys, values possibly on indented lines): the title;
- scene headings (INT., EXT., EST., INT./EXT., I/E, or forced with `.`; a trailing `#1A#` scene number dropped);
- character cues (all capitals, or forced with `@`) with extensions: (V.O.), (O.S.), (O.C.) are spoken by a character
  not in frame; (CONT'D) continues; `^` is dual dialogue (both speakers in frame);
- parentheticals: the emotion of the words after them (beats and pauses are not emotions);
- action (forced with `!`; centred text `>…<` too); a character introduced in action with a description,
  `COMMANDER REYES (40s, scar)`, is described there and may be cued by part of the name (`REYES`);
- transitions (`CUT TO:`, `FADE OUT.`, forced with `>`): how the previous shot leaves;
- notes `[[…]]`: `[[SFX: …]]` sound cues, `[[Camera: close-up]]` / `[[镜头: 特写]]` camera directions,
  `[[Transition: …]]`; other notes are the writer's and are ignored;
- boneyard `/* … */`, sections `#`, synopses `=`, page breaks `===` and emphasis marks are ignored.
"""

from __future__ import annotations

import re

from pipeline.script_builder import ScriptBuilder, camera_from_words, character_from_description

_HEADING = re.compile(r"^(?:\.(?=[^.\s])|(?:INT\./EXT|INT/EXT|I/E|INT|EXT|EST)[. ])\s*(.*?)\s*(?:#[\w.\-]+#)?$",
                      re.IGNORECASE)  # fmt: skip
_STANDARD_HEADING = re.compile(r"^(?:INT\./EXT|INT/EXT|I/E|INT|EXT|EST)[. ]", re.IGNORECASE)
_CUE = re.compile(r"^(?:@(?P<forced>[^(^]+?)|(?P<name>[A-Z0-9][A-Z0-9 .'\-]*?[A-Z][A-Z0-9 .'\-]*?))\s*"
                  r"(?P<ext>(?:\([^)]*\)\s*)*)(?P<dual>\^)?$")  # fmt: skip
_TRANSITION = re.compile(r"^(?:[A-Z][A-Z .']*TO:|FADE OUT\.?|FADE TO BLACK\.?|CUT TO BLACK\.?)$")
_FORCED_TRANSITION = re.compile(r"^>\s*(.+?)\s*$")
_CENTRED = re.compile(r"^>\s*(.+?)\s*<$")
_NOTE = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
_INTRO = re.compile(r"(?<![\w])((?:[A-Z][A-Z'\-]*\.? )*[A-Z][A-Z'\-]+)\s*\(([^)]*)\)")
_TITLE_KEY = re.compile(r"^([A-Za-z][A-Za-z ]{0,30}):\s*(.*)$")
_TITLE_KEYS = {"title", "credit", "author", "authors", "source", "draft date", "date", "contact", "notes",
               "copyright", "revision"}  # fmt: skip
_OFF_SCREEN = {"V.O.", "VO", "O.S.", "OS", "O.C.", "OC", "OFF", "V.O", "O.S", "PRE-LAP", "ON PHONE", "FILTERED"}
_NOT_EMOTIONS = re.compile(r"^(?:beat|pause|a beat|continuing|cont'?d|to (?:\w+)|into (?:phone|radio)|re:.*|"
                           r"then|off|sotto|aside|停顿|继续)$", re.IGNORECASE)  # fmt: skip
_EMPHASIS = re.compile(r"(?<!\\)(\*{1,3}|_)(?=\S)(.+?)(?<=\S)(?<!\\)\1")
_TIMES_TO_KEEP = {"CONTINUOUS", "LATER", "MOMENTS LATER", "SAME", "SAME TIME", "CONT'D", ""}


def looks_like_fountain(text: str) -> bool:
    """A text is Fountain when a line is a standard scene heading in capitals (INT. / EXT. / EST. / I/E): a
    sentence such as 'Est. 1920, the house stood.' is not one."""
    return any(_STANDARD_HEADING.match(ln.strip()) and ln.strip().isupper() for ln in text.splitlines())


def read_fountain(text: str, builder: ScriptBuilder) -> None:
    lines = _without_boneyard(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    start = _read_title_page(lines, builder)
    last_time = ""
    previous_speaker: str | None = None
    for number, para in _paragraphs(lines, start):
        builder.line = number
        joined = "\n".join(para)
        for note in _NOTE.findall(joined):
            _read_note(note, builder)
        joined = _NOTE.sub(lambda m: "\n" * m.group(0).count("\n"), joined)  # a note may span lines
        para = [_plain(ln.rstrip()) for ln in joined.split("\n")]
        para = [ln for ln in para if ln.strip() and not _ignored(ln.strip())]
        if not para:
            continue
        first = para[0].strip()
        if len(para) == 1 and (m := _HEADING.match(first)) and (first.startswith(".") or first.isupper()
                                                                 or _STANDARD_HEADING.match(first)):  # fmt: skip
            last_time = _read_heading(first, m.group(1), last_time, builder)
            builder.recognised += 1
            previous_speaker = None
        elif len(para) == 1 and (_TRANSITION.match(first) or (_FORCED_TRANSITION.match(first)
                                                              and not _CENTRED.match(first))):  # fmt: skip
            words = _FORCED_TRANSITION.match(first).group(1) if first.startswith(">") else first  # type: ignore[union-attr]
            if builder.scenes and any(s.shots for s in builder.scenes):
                builder.set_transition(words, quiet=not first.startswith(">"))
            builder.recognised += 1
        elif len(para) > 1 and (m := _CUE.match(first)) and (m.group("forced") or first == first.upper()):
            name = _display_name((m.group("forced") or m.group("name")).strip())
            previous_speaker = _read_dialogue(name, m.group("ext"), bool(m.group("dual")), para[1:], number,
                                              previous_speaker, builder)  # fmt: skip
            builder.recognised += 1
        elif len(para) == 1 and (camera := _camera_line(first)):
            builder.set_camera(camera)
            builder.recognised += 1
        else:
            _read_action(para, builder)
            previous_speaker = None


def _without_boneyard(text: str) -> str:
    """Text between /* and */ removed, its line breaks kept so that line numbers stay right."""
    return re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.DOTALL)


def _read_title_page(lines: list[str], builder: ScriptBuilder) -> int:
    """The title page's keys up to the first blank line; returns the index of the first line after it."""
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    m = _TITLE_KEY.match(lines[i]) if i < len(lines) else None
    if not m or m.group(1).strip().lower() not in _TITLE_KEYS:
        return 0
    key = ""
    while i < len(lines) and lines[i].strip():
        if (m := _TITLE_KEY.match(lines[i])) and not lines[i][:1].isspace():
            key = m.group(1).strip().lower()
            value = m.group(2).strip()
        else:
            value = lines[i].strip()  # an indented continuation of the key's value
        if key == "title" and value:
            builder.title = f"{builder.title} {_plain(value)}".strip()
        i += 1
    builder.recognised += 1
    return i


def _paragraphs(lines: list[str], start: int) -> list[tuple[int, list[str]]]:
    """Blocks of non-blank lines with the 1-based number of their first line. A line of two spaces is not blank
    inside dialogue (Fountain's way to keep an empty line in a speech)."""
    out: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for index in range(start, len(lines)):
        line = lines[index]
        if line.strip() or (line == "  " and current):
            if not current:
                first = index + 1
            current.append(line)
        elif current:
            out.append((first, current))
            current = []
    if current:
        out.append((first, current))
    return out


def _ignored(line: str) -> bool:
    """Sections (#), synopses (=) and page breaks (===) are for the writer, not the screen."""
    return line.startswith("#") or line.startswith("=")


def _plain(line: str) -> str:
    """Emphasis marks (*italic*, **bold**, _underline_) and escapes removed."""
    line = _EMPHASIS.sub(lambda m: m.group(2), line)
    return re.sub(r"\\([*_\\])", r"\1", line)


def _read_note(note: str, builder: ScriptBuilder) -> None:
    m = re.match(r"^\s*([^:：]{1,20}?)\s*[:：]\s*(.+?)\s*$", note, re.DOTALL)
    if not m:
        return
    key, value = m.group(1).strip().lower(), m.group(2)
    if key in ("sfx", "sound", "音效", "fx"):
        builder.add_sound_effect(value)
    elif key in ("camera", "shot", "镜头"):
        builder.set_camera(value)
    elif key in ("transition", "转场"):
        builder.set_transition(value)


def _read_heading(line: str, heading: str, last_time: str, builder: ScriptBuilder) -> str:
    """A scene heading; returns the scene's time (CONTINUOUS and LATER keep the last one)."""
    location, _, time = heading.rstrip(".").partition(" - ")
    time = time.strip()
    if time.upper() in _TIMES_TO_KEEP:
        time = last_time
    prefix = line.upper()
    interior = None if prefix.startswith(("INT./", "INT/", "I/E")) else True if prefix.startswith("INT") else (
        False if prefix.startswith(("EXT", "EST")) else None)  # fmt: skip
    builder.start_scene(_title_case(location), _title_case(time), interior)
    return time


def _read_dialogue(
    name: str,
    extensions: str,
    dual: bool,
    body: list[str],
    number: int,
    previous_speaker: str | None,
    builder: ScriptBuilder,
) -> str:
    """A speech: a shot per beat (a parenthetical inside it starts a new one); returns the speaker's name."""
    tags = {t.strip().upper() for t in re.findall(r"\(([^)]*)\)", extensions)}
    off_screen = bool(tags & _OFF_SCREEN)
    also = (previous_speaker,) if dual and previous_speaker else ()
    emotion: str | None = None
    spoken: list[str] = []

    def say() -> None:
        builder.add_shot("dialogue", " ".join(spoken), character=name, emotion=emotion, off_screen=off_screen,
                         also_visible=also)  # fmt: skip

    for offset, line in enumerate(body, start=1):
        builder.line = number + offset
        s = line.strip()
        if s.startswith("(") and s.endswith(")"):
            if spoken:  # a parenthetical mid-speech starts a new beat
                builder.line = number
                say()
                spoken = []
            words = s[1:-1].strip()
            emotion = None if _NOT_EMOTIONS.match(words) else words
        elif s.startswith("~"):  # lyrics are sung words
            spoken.append(s.lstrip("~ "))
        else:
            spoken.append(s)
    builder.line = number
    if spoken:
        say()
    return builder.resolve(name)


def _read_action(para: list[str], builder: ScriptBuilder) -> None:
    text = " ".join(_CENTRED.sub(r"\1", ln.strip()).lstrip("!") for ln in para)

    def introduce(m: re.Match[str]) -> str:
        words = m.group(2).strip()
        if not words or words.upper() in _OFF_SCREEN:
            return m.group(0)
        return builder.add_character(character_from_description(_display_name(m.group(1)), words))

    text = _INTRO.sub(introduce, text)
    # Names in capitals that are known (in full or in part) read as the names they are known by.
    for name in sorted(builder.characters, key=len, reverse=True):
        text = re.sub(rf"(?<![\w]){re.escape(name.upper())}(?![\w])", name.replace("\\", "\\\\"), text)
    text = re.sub(r"(?<![\w])([A-Z][A-Z'\-]{2,})(?![\w])",
                  lambda m: _display_name(m.group(1)) if builder.resolve(_display_name(m.group(1))) in
                  builder.characters else m.group(1), text)  # fmt: skip
    if text.strip():
        builder.recognised += 1
        builder.add_shot("action", text)


def _camera_line(line: str) -> str | None:
    """An action line that is only a camera direction ('CLOSE ON MAYA.', 'WIDE SHOT', 'ANGLE ON'): its words."""
    words = re.sub(r"^(?:CLOSE ON|CLOSE-UP ON|CLOSEUP ON)\b.*$", "close-up", line.strip().rstrip(":.").strip())
    words = re.sub(r"^(?:ANGLE ON|ON)\b.*$", "medium", words)
    return words if line.strip() == line.strip().upper() and camera_from_words(words) else None


def _display_name(cue: str) -> str:
    return " ".join(_title_case_word(w) for w in cue.split())


def _title_case(text: str) -> str:
    return " ".join(_title_case_word(w) for w in text.split()) if text == text.upper() else text


def _title_case_word(word: str) -> str:
    """MAYA → Maya, O'BRIEN → O'Brien, KEEPER'S → Keeper's, DR. → Dr."""
    if not word.isupper():
        return word
    if re.match(r"^[A-Z]'[A-Z]", word):
        return word[:2] + word[2:].capitalize()
    return word.capitalize()
