"""What admins add to (and remove from) the shared music and sound-effect library, beside the built-in catalog:
checked like any audio upload, stored under `library/uploads/`, served at /library/audio/uploads/<name>."""

from __future__ import annotations

import re
import uuid
from typing import Any

from db.models import BGM, SoundEffect
from db.session import transaction
from studio.audio import (
    EFFECT_CATEGORIES,
    FORMATS,
    MOODS,
    bgm_public,
    check_audio_upload,
    decode_base64,
    effect_public,
)
from studio.editor.rows import forget_files
from studio.errors import Conflict, InvalidParams, NotFound
from studio.projects import parse_uuid
from studio.services import Services

UPLOADS = "library/uploads/"  # storage keys of admins' additions
_UPLOAD_NAME = re.compile(r"^(bgm|sfx)_[0-9a-f]{32}\.(wav|mp3|ogg|flac)$")


def upload_key(name: str) -> str | None:
    """The storage key of an added library file named `name` (as in its URL), or None if no such name can exist."""
    return UPLOADS + name if _UPLOAD_NAME.match(name) else None


def add_item(svc: Services, *, kind: str, name: str, category: str, tags: list[str], data_base64: str,
             license_type: str = "royalty_free") -> dict[str, Any]:  # fmt: skip
    """Check and add a piece of music (`kind` "bgm", by mood) or a sound effect ("sfx", by category)."""
    categories = MOODS if kind == "bgm" else EFFECT_CATEGORIES
    if category not in categories:
        raise InvalidParams(f"category must be one of {list(categories)}", field="category")
    data = decode_base64(data_base64, "data_base64")
    probe = check_audio_upload(data, "music" if kind == "bgm" else "effect", ffmpeg=svc.settings.ffmpeg)
    key = f"{UPLOADS}{kind}_{uuid.uuid4().hex}.{probe.format}"
    svc.storage.put_bytes(key, data, FORMATS[probe.format][1])
    done = False
    try:
        with transaction(svc.sessions) as s:
            row: BGM | SoundEffect
            if kind == "bgm":
                row = BGM(name=name, category=category, duration=max(1, round(probe.duration)), file_url=key,
                          license_type=license_type, tags=tags)  # fmt: skip
            else:
                row = SoundEffect(name=name, category=category, duration=probe.duration, file_url=key, tags=tags)
            s.add(row)
            s.flush()
            result = bgm_public(row) if isinstance(row, BGM) else effect_public(row)
        done = True
        return result
    finally:
        if not done:
            forget_files(svc, [key])


def delete_item(svc: Services, *, kind: str, item_id: str) -> None:
    """Remove an added item (projects using that music fall back to none; shots drop that effect when rendered);
    built-in items come from the catalog and cannot be deleted here."""
    item = parse_uuid(item_id, "bgm" if kind == "bgm" else "sound effect")
    with transaction(svc.sessions) as s:
        row = s.get(BGM, item) if kind == "bgm" else s.get(SoundEffect, item)
        if row is None:
            raise NotFound(f"library item {item_id} does not exist")
        if not row.file_url.startswith(UPLOADS):
            raise Conflict("built-in library items come from the catalog and cannot be deleted")
        key = row.file_url
        s.delete(row)
    forget_files(svc, [key])
