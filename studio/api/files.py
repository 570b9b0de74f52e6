"""`/files/{key}`: stored objects of the local storage backend, served to whoever holds a signed URL."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from storage.base import ObjectNotFound
from studio.api.deps import ServicesDep
from studio.errors import NotFound

router = APIRouter(include_in_schema=False)


@router.get("/files/{key:path}")
def local_file(key: str, svc: ServicesDep) -> FileResponse:
    try:
        return FileResponse(svc.storage.local_path(key))
    except ObjectNotFound:
        raise NotFound(f"file {key} does not exist") from None
