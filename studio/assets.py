"""Assets (seed §3.7): pictures and sounds a creator uploads straight to storage, then uses (as a character's reference
picture, as an effect or music). An upload token reserves a key under the project (a `pending` row); the browser PUTs
the file to the upload URL; completing the upload checks its real size and type by its content and moves it to
`projects/<id>/assets/<asset id>.<ext>`, where the row (now `active`) points. Only the owner sees or deletes one.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Asset
from db.session import transaction
from storage.base import ObjectNotFound, project_key
from studio import projects
from studio.audio import FORMATS as AUDIO_FORMATS
from studio.audio import MAX_BYTES as AUDIO_MAX_BYTES
from studio.audio import check_audio_upload
from studio.edit_checks import MAX_REFERENCE_BYTES, checked_image
from studio.editor.rows import forget_files
from studio.errors import InvalidParams, NotFound
from studio.services import Services

logger = logging.getLogger(__name__)

FILE_TYPES = ("image", "audio")
PENDING, ACTIVE = "pending", "active"
# What clients may declare, by the name the file is stored as (browsers name WAV, MP3 and FLAC differently).
CONTENT_TYPES = {
    "image/png": "image/png", "image/jpeg": "image/jpeg", "image/jpg": "image/jpeg", "image/webp": "image/webp",
    "audio/wav": "audio/wav", "audio/x-wav": "audio/wav", "audio/wave": "audio/wav", "audio/vnd.wave": "audio/wav",
    "audio/mpeg": "audio/mpeg", "audio/mp3": "audio/mpeg", "audio/ogg": "audio/ogg", "audio/flac": "audio/flac",
    "audio/x-flac": "audio/flac",
}  # fmt: skip
# An upload that started just before its token expired may still be completed this long after.
COMPLETE_GRACE_S = 600


def max_bytes(svc: Services, file_type: str) -> int:
    """The largest upload of the type: its own limit (8 MB pictures, 20 MB sounds) or COMICREEL_MAX_UPLOAD_BYTES."""
    own = MAX_REFERENCE_BYTES if file_type == "image" else AUDIO_MAX_BYTES["music"]
    return min(own, svc.settings.max_upload_bytes)


def _file_name(value: str) -> str:
    """The file's own name as shown (any script, no folders or control characters); never part of a key."""
    name = re.sub(r"[\x00-\x1f\x7f]", "", value.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if not name or len(name) > 255:
        raise InvalidParams("file_name must be 1-255 characters (the file's own name, no folders)", field="file_name")
    return name


def issue_upload(
    svc: Services, *, user_id: uuid.UUID, project_id: str, file_type: str, file_name: str
) -> dict[str, Any]:
    """Reserve a key under the project for one upload and answer where to PUT it, until when, and how large it may
    be. Expired reservations of the user's are cleared on the way (their rows, and anything uploaded to them)."""
    if file_type not in FILE_TYPES:
        raise InvalidParams(f"file_type must be one of {list(FILE_TYPES)}", field="file_type")
    name = _file_name(file_name)
    pid = projects.parse_uuid(project_id, "project")
    asset_id = uuid.uuid4()
    key = project_key(pid, "incoming", f"{file_type}_{asset_id.hex}")
    ttl, limit = svc.settings.signed_url_ttl, max_bytes(svc, file_type)
    expires = int(time.time()) + ttl
    upload_url = svc.storage.upload_url(key, ttl)  # before the row: a storage outage leaves nothing behind
    with transaction(svc.sessions) as s:
        projects.owned_project(s, user_id, pid)
        stale = _expired_uploads(s, user_id)
        for row in stale:
            s.delete(row)
        s.add(Asset(id=asset_id, project_id=pid, user_id=user_id, type=file_type, file_name=name, file_key=key,
                    file_size=0, content_type="application/octet-stream", url=key, status=PENDING,
                    meta={"max_bytes": limit, "expires": expires}))  # fmt: skip
    forget_files(svc, [row.file_key for row in stale])
    token = upload_url.rsplit("/", 1)[-1] if upload_url.startswith("/") else upload_url.partition("?")[2]
    return {"upload_url": upload_url, "upload_token": token, "file_key": key, "max_bytes": limit,
            "expires_at": datetime.fromtimestamp(expires, UTC).isoformat()}  # fmt: skip


def _expired_uploads(session: Session, user_id: uuid.UUID) -> list[Asset]:
    pending = session.scalars(select(Asset).where(Asset.user_id == user_id, Asset.status == PENDING))
    return [row for row in pending if int(row.meta.get("expires", 0)) + COMPLETE_GRACE_S < time.time()]


def upload_limit(svc: Services, key: str) -> int:
    """The size limit of the upload awaited under `key` (the local backend's upload route asks before it stores);
    NotFound when none is awaited there (never issued, completed already, or expired)."""
    with svc.sessions() as s:
        row = s.scalars(select(Asset).where(Asset.file_key == key, Asset.status == PENDING)).first()
        if row is None or int(row.meta.get("expires", 0)) < time.time():
            raise NotFound("no upload is awaited at this link any more: ask GET /api/v1/assets/upload-token for a new "
                           "one")  # fmt: skip
        return int(row.meta["max_bytes"])


def complete_upload(
    svc: Services, *, user_id: uuid.UUID, file_key: str, file_size: int, content_type: str
) -> dict[str, Any]:
    """Check what was uploaded under `file_key` (issued to this user): its size must be `file_size`, its content a
    PNG, JPEG or WebP picture or WAV, MP3, OGG or FLAC sound of the declared `content_type`. A refused upload is
    deleted (the token with it); one that passes becomes an active asset."""
    declared = CONTENT_TYPES.get(content_type.strip().lower())
    if declared is None:
        raise InvalidParams(f"content_type must be one of {sorted(set(CONTENT_TYPES.values()))}", field="content_type")
    with svc.sessions() as s:
        row = s.scalars(select(Asset).where(Asset.file_key == file_key)).first()
        if row is None or row.user_id != user_id or row.status != PENDING or row.project_id is None:
            raise NotFound(f"no upload of yours awaits completion under {file_key[:300]!r}: ask GET "
                           "/api/v1/assets/upload-token for a file_key", field="file_key")  # fmt: skip
        asset_id, pid, file_type, meta = row.id, row.project_id, row.type, dict(row.meta)
    try:
        size = svc.storage.size(file_key)
    except ObjectNotFound:
        raise InvalidParams("nothing was uploaded to file_key yet: PUT the file to upload_url first",
                            field="file_key") from None  # fmt: skip
    try:
        data, extension, real_type, details = _checked(svc, file_key, file_type, declared, file_size, size, meta)
    except InvalidParams:
        _discard(svc, asset_id, file_key)
        raise
    final = project_key(pid, "assets", f"{asset_id}.{extension}")
    svc.storage.put_bytes(final, data, real_type)
    with transaction(svc.sessions) as s:
        asset = s.get(Asset, asset_id)
        if asset is None:  # its project was deleted meanwhile
            forget_files(svc, [final])
            raise NotFound(f"project {pid} does not exist any more", field="file_key")
        if asset.status == PENDING:  # else a parallel completion of the same upload did it (with the same file)
            asset.file_key, asset.url, asset.file_size, asset.content_type = final, final, size, real_type
            asset.status, asset.meta = ACTIVE, details
        result = asset_public(svc, asset)
    forget_files(svc, [file_key])
    return {"asset_id": result["id"], **result}


def _checked(
    svc: Services, key: str, file_type: str, declared: str, file_size: int, size: int, meta: dict[str, Any]
) -> tuple[bytes, str, str, dict[str, Any]]:
    """(bytes, extension, real content type, what was learnt) of an upload that is what the client says."""
    if int(meta.get("expires", 0)) + COMPLETE_GRACE_S < time.time():
        raise InvalidParams("the upload token expired: ask GET /api/v1/assets/upload-token for a new one",
                            field="file_key")  # fmt: skip
    if size > int(meta["max_bytes"]):
        raise InvalidParams(f"the file is {size} bytes; {file_type} uploads may be at most {meta['max_bytes']}",
                            field="file_size")  # fmt: skip
    if size != file_size:
        raise InvalidParams(f"file_size says {file_size} bytes, but {size} bytes were uploaded", field="file_size")
    if not declared.startswith(f"{file_type}/"):
        raise InvalidParams(f"content_type {declared} is not an {file_type}: the upload token was for an {file_type}",
                            field="content_type")  # fmt: skip
    data = svc.storage.get_bytes(key)
    details: dict[str, Any] = {}
    try:
        if file_type == "image":
            extension, real_type = checked_image(data)
        else:
            probe = check_audio_upload(data, "music", field="file_key", ffmpeg=svc.settings.ffmpeg)
            extension, real_type, details = probe.format, AUDIO_FORMATS[probe.format][1], asdict(probe)
    except InvalidParams as exc:
        raise InvalidParams(exc.message, field="file_key") from None
    if real_type != declared:
        raise InvalidParams(f"content_type says {declared}, but the file is {real_type} (judged by its content)",
                            field="content_type")  # fmt: skip
    return data, extension, real_type, details


def _discard(svc: Services, asset_id: uuid.UUID, key: str) -> None:
    with transaction(svc.sessions) as s:
        row = s.get(Asset, asset_id)
        if row is not None and row.status == PENDING:
            s.delete(row)
    forget_files(svc, [key])


def asset_public(svc: Services, asset: Asset) -> dict[str, Any]:
    return {"id": str(asset.id), "type": asset.type, "file_name": asset.file_name, "url": svc.signed_url(asset.file_key),
            "size": asset.file_size, "content_type": asset.content_type, "duration": asset.meta.get("duration"),
            "created_at": asset.created_at.isoformat()}  # fmt: skip


def list_assets(
    svc: Services, *, user_id: uuid.UUID, project_id: str, file_type: str | None = None, page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:  # fmt: skip
    """The project's uploaded assets, newest first, of one type or both."""
    if file_type is not None and file_type not in FILE_TYPES:
        raise InvalidParams(f"type must be one of {list(FILE_TYPES)}", field="type")
    if not 1 <= page <= projects.MAX_PAGE:
        raise InvalidParams(f"page must be between 1 and {projects.MAX_PAGE}", field="page")
    if not 1 <= page_size <= 100:
        raise InvalidParams("page_size must be between 1 and 100", field="page_size")
    with svc.sessions() as s:
        project = projects.owned_project(s, user_id, project_id)
        types = [file_type] if file_type else list(FILE_TYPES)
        query = select(Asset).where(Asset.project_id == project.id, Asset.status == ACTIVE, Asset.type.in_(types))
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = s.scalars(query.order_by(Asset.created_at.desc(), Asset.id).offset((page - 1) * page_size)
                         .limit(page_size))  # fmt: skip
        return {"assets": [asset_public(svc, r) for r in rows], "total": total, "page": page, "page_size": page_size}


def _owned_asset(session: Session, user_id: uuid.UUID, asset_id: str, field: str = "asset_id") -> Asset:
    row = session.get(Asset, projects.parse_uuid(asset_id, "asset"))
    if row is None or row.user_id != user_id or row.status != ACTIVE or row.type not in FILE_TYPES:
        raise NotFound(f"asset {asset_id} does not exist", field=field)
    return row


def delete_asset(svc: Services, *, user_id: uuid.UUID, asset_id: str) -> None:
    """Delete the asset's file, then its row (a storage outage leaves both, and deleting again finishes the job).
    What was made from it (a reference picture, an audio upload) is a copy and stays."""
    with svc.sessions() as s:
        row = _owned_asset(s, user_id, asset_id)
        aid, key = row.id, row.file_key
    svc.storage.delete(key)
    svc.forget_ui_file(key)
    with transaction(svc.sessions) as s:
        found = s.get(Asset, aid)
        if found is not None:
            s.delete(found)


def asset_bytes(
    svc: Services, *, user_id: uuid.UUID, project_id: str, asset_id: str, file_type: str
) -> tuple[bytes, str]:
    """The content and file name of an asset of the project's, which must be of `file_type` (an image or a sound);
    what uses it checks the bytes again, as it checks any upload."""
    with svc.sessions() as s:
        project = projects.owned_project(s, user_id, project_id)
        row = _owned_asset(s, user_id, asset_id)
        if row.project_id != project.id:
            raise NotFound(f"asset {asset_id} does not exist in this project", field="asset_id")
        if row.type != file_type:
            raise InvalidParams(f"asset {asset_id} is an {row.type}; an {file_type} is needed here", field="asset_id")
        key, name = row.file_key, row.file_name
    try:
        return svc.storage.get_bytes(key), name
    except ObjectNotFound:
        raise NotFound(f"asset {asset_id}'s file is gone: upload it again", field="asset_id") from None
