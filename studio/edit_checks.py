"""What the editor accepts: character and shot fields checked against the vocabularies (pipeline.models,
pipeline.tts.base) and the cast, each error naming the field and how to fix it; shared by every door."""

from __future__ import annotations

import io
import re
from typing import Any

from PIL import Image, UnidentifiedImageError

from db.models import ShotRow
from pipeline.errors import VoiceError
from pipeline.models import CAMERAS, TRANSITIONS
from pipeline.motion import MOTIONS
from pipeline.tts.base import check_voice
from studio.errors import InvalidParams

MAX_CHARACTER_NAME = 100
MAX_TEXT = 2000
MAX_WORDS = 200  # one attribute, appearance entry or emotion
MAX_ENTRIES = 20
MAX_IN_FRAME = 8
MAX_PREVIEW_TEXT = 200
MAX_REFERENCE_BYTES = 8 * 1024 * 1024
MAX_REFERENCE_SIDE = 4096
MAX_SEED = 2**32 - 1
# MPO is how Pillow names the JPEGs many phone cameras write (a JPEG with extra frames).
REFERENCE_FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "MPO": ("jpg", "image/jpeg"),
                     "WEBP": ("webp", "image/webp")}  # fmt: skip
CHARACTER_FIELDS = ("name", "description", "attributes", "appearance", "voice")
SHOT_FIELDS = ("text", "scene_description", "prompt", "camera", "emotion", "characters", "speaker", "duration",
               "transition", "motion")  # fmt: skip
INSERT_FIELDS = ("kind", *SHOT_FIELDS)


def refuse_unknown(values: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise InvalidParams(f"cannot set {unknown}; settable: {list(allowed)}", field=unknown[0])


def checked_character_fields(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in values:
        name = values["name"].strip() if isinstance(values["name"], str) else ""
        if not name or len(name) > MAX_CHARACTER_NAME or re.search(r"[\x00-\x1f]", name):
            raise InvalidParams(f"name must be 1-{MAX_CHARACTER_NAME} characters on one line", field="name")
        out["name"] = name
    if "description" in values:
        description = values["description"]
        if description is not None and (not isinstance(description, str) or len(description) > MAX_TEXT):
            raise InvalidParams(f"description must be at most {MAX_TEXT} characters", field="description")
        out["description"] = description or None
    if "attributes" in values:
        out["attributes"] = _checked_words(values["attributes"], "attributes", lists=False)
    if "appearance" in values:
        out["appearance"] = _checked_words(values["appearance"], "appearance", lists=True)
    if "voice" in values:
        out["voice"] = checked_voice(values["voice"] or {})
    return out


def _checked_words(value: Any, field: str, *, lists: bool) -> dict[str, Any]:
    """{key: words} (and {key: [words]} where `lists`), e.g. attributes {gender: 女} or appearance {features: [..]}."""
    if value is None:
        return {}
    kinds = "text or a list of texts" if lists else "text"
    if not isinstance(value, dict) or len(value) > MAX_ENTRIES:
        raise InvalidParams(f"{field} must be an object of at most {MAX_ENTRIES} entries", field=field)
    out: dict[str, Any] = {}
    for key, item in value.items():
        items = item if lists and isinstance(item, list) else [item]
        if not (isinstance(key, str) and 0 < len(key) <= 50) or len(items) > MAX_ENTRIES or not all(
            isinstance(i, str) and len(i) <= MAX_WORDS for i in items
        ):
            raise InvalidParams(f"{field}.{key} must be {kinds} of at most {MAX_WORDS} characters",
                                field=f"{field}.{key}")  # fmt: skip
        cleaned = [i.strip() for i in item if i.strip()] if isinstance(item, list) else item.strip()
        if cleaned:  # an emptied field is the same as no field: it must not make a panel stale
            out[key] = cleaned
    if lists and "features" in out and not isinstance(out["features"], list):
        raise InvalidParams("appearance.features must be a list of texts", field="appearance.features")
    return out


def checked_voice(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidParams("voice must be an object with gender, variant, pitch, speed and/or engine", field="voice")
    out: dict[str, Any] = {}
    for key, item in value.items():
        try:
            out.update(check_voice({key: item}))
        except VoiceError as exc:
            raise InvalidParams(str(exc), field=f"voice.{key}") from None
    return out


def checked_image(data: bytes) -> tuple[str, str]:
    """(extension, content type) of a reference picture that passes the checks."""
    if not isinstance(data, bytes) or not data:
        raise InvalidParams("the picture is empty", field="image_base64")
    if len(data) > MAX_REFERENCE_BYTES:
        raise InvalidParams(f"the picture is {len(data)} bytes; at most {MAX_REFERENCE_BYTES} (8 MB) are accepted",
                            field="image_base64")  # fmt: skip
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt, (width, height) = image.format or "", image.size
            if fmt not in REFERENCE_FORMATS:
                raise InvalidParams(f"the picture is {fmt or 'of an unknown format'}; use PNG, JPEG or WebP",
                                    field="image_base64")  # fmt: skip
            if max(width, height) > MAX_REFERENCE_SIDE:
                raise InvalidParams(f"the picture is {width}x{height}; at most {MAX_REFERENCE_SIDE} px a side",
                                    field="image_base64")  # fmt: skip
            image.load()  # decodes it all: a truncated or corrupt file fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidParams("the picture cannot be read: send a PNG, JPEG or WebP file", field="image_base64") from None
    return REFERENCE_FORMATS[fmt]


def checked_shot_fields(
    values: dict[str, Any], *, kind: str, cast: set[str], current: ShotRow | None
) -> dict[str, Any]:
    """The shot fields, checked against the vocabularies and the cast; `current` is the shot being edited."""
    out = dict(values)
    voiced = kind != "action"
    if "text" in out or current is None:
        text = out.get("text", "")
        if not isinstance(text, str) or len(text.strip()) > MAX_TEXT:
            raise InvalidParams(f"text must be at most {MAX_TEXT} characters", field="text")
        if voiced and not text.strip():
            raise InvalidParams(f"a {kind} shot needs its line: 1-{MAX_TEXT} characters of text", field="text")
        out["text"] = text.strip()
    if "scene_description" in out and (not isinstance(out["scene_description"], str)
                                       or len(out["scene_description"]) > MAX_TEXT):  # fmt: skip
        raise InvalidParams(f"scene_description must be at most {MAX_TEXT} characters", field="scene_description")
    if "prompt" in out:
        if out["prompt"] is not None and (not isinstance(out["prompt"], str) or len(out["prompt"]) > MAX_TEXT):
            raise InvalidParams(f"prompt must be at most {MAX_TEXT} characters, or null", field="prompt")
        out["prompt"] = (out["prompt"] or "").strip() or None
    if "camera" in out and out["camera"] not in CAMERAS:
        raise InvalidParams(f"camera must be one of {list(CAMERAS)}", field="camera")
    if "transition" in out and out["transition"] not in TRANSITIONS:
        raise InvalidParams(f"transition must be one of {list(TRANSITIONS)}", field="transition")
    if "motion" in out and out["motion"] not in MOTIONS:
        raise InvalidParams(f"motion must be one of {list(MOTIONS)}", field="motion")
    if "emotion" in out:
        emotion = out["emotion"]
        if emotion is not None and (not isinstance(emotion, str) or len(emotion) > 50):
            raise InvalidParams("emotion must be at most 50 characters, or null", field="emotion")
        out["emotion"] = (emotion or "").strip() or None
    if "characters" in out:
        names = out["characters"]
        if not isinstance(names, list) or len(names) > MAX_IN_FRAME or len(set(names)) != len(names):
            raise InvalidParams(f"characters must list at most {MAX_IN_FRAME} different names", field="characters")
        unknown = [n for n in names if n not in cast]
        if unknown:
            raise InvalidParams(f"{unknown[0]!r} is not in the cast: add the character first", field="characters")
    if "speaker" in out and out["speaker"] is not None:
        if kind != "dialogue":
            raise InvalidParams(f"a {kind} shot has no speaker; only dialogue does", field="speaker")
        if out["speaker"] not in cast:
            raise InvalidParams(f"{out['speaker']!r} is not in the cast: add the character first", field="speaker")
    if "duration" in out:
        duration = out["duration"]
        if isinstance(duration, bool) or not isinstance(duration, int | float) or not 0.5 <= duration <= 30:
            raise InvalidParams("duration must be 0.5-30 seconds", field="duration")
        if voiced and (current is None or abs(duration - current.duration) > 1e-6):
            raise InvalidParams("a voiced shot lasts as long as its voice; duration applies to action shots",
                                field="duration")  # fmt: skip
        out["duration"] = float(duration)
    return out
