"""`/files/{key}`: objects of the local storage backend, served only to whoever holds an unexpired signed URL; and
`/files/upload/{token}`, where such a URL lets one asset upload be written (studio/assets.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from jobs.workdirs import work_dir
from storage.base import ObjectNotFound
from storage.local import LocalStorage
from studio import assets
from studio.api.deps import ServicesDep
from studio.api.envelope import Envelope, ok
from studio.errors import Forbidden, NotFound, PayloadTooLarge

router = APIRouter(include_in_schema=False)


@router.put("/files/upload/{token}")
async def upload_file(token: str, request: Request, svc: ServicesDep) -> Envelope[dict[str, Any]]:
    """The body (any type: it is checked when the upload completes) becomes the object the token names, held to the
    limit of the upload awaited there; streamed to disk first, so a broken upload stores nothing."""
    storage = svc.storage
    key = storage.verify_upload(token) if isinstance(storage, LocalStorage) else None
    if key is None:
        raise Forbidden("this upload link is invalid or has expired: ask GET /api/v1/assets/upload-token for a new one")
    limit = await run_in_threadpool(assets.upload_limit, svc, key)
    too_large = f"the file is larger than {limit} bytes, the most this upload accepts"
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise PayloadTooLarge(too_large)
    size = 0
    with work_dir(svc.ctx) as tmp:
        path = Path(tmp) / "upload"
        with open(path, "wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(too_large)
                await run_in_threadpool(out.write, chunk)
        await run_in_threadpool(storage.put_file, key, str(path))
    return ok(request, {"file_key": key, "file_size": size})


@router.get("/files/{key:path}")
def local_file(key: str, svc: ServicesDep, expires: str = "", signature: str = "") -> FileResponse:
    storage = svc.storage
    # verify() refuses unsafe keys, so nothing but a key that url() signed ever reaches the file system.
    if not isinstance(storage, LocalStorage) or not storage.verify(key, expires, signature):
        raise Forbidden("this file link is invalid or has expired: ask the API for a fresh URL.")
    try:
        path = storage.local_path(key)
    except ObjectNotFound:
        raise NotFound(f"file {key} does not exist") from None
    # Objects are served from the app's origin: never let a browser sniff or run them as a page.
    return FileResponse(path, headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"})
