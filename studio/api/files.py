"""`/files/{key}`: objects of the local storage backend, served only to whoever holds an unexpired signed URL."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from storage.base import ObjectNotFound
from storage.local import LocalStorage
from studio.api.deps import ServicesDep
from studio.errors import Forbidden, NotFound

router = APIRouter(include_in_schema=False)


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
